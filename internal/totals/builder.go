package totals

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
)

// Deal is an opportunity as a bulk load writes it, with what the totals
// count of it.
type Deal struct {
	ID, OwnerID, UnitID int64
	AccountID           int64 // 0: none
	TerritoryID         int64 // the account's territory, 0: none
	Amount              int64
	Currency            string
	Outcome             string // the stage's outcome: "won", "lost" or "" (open)
	Stage               string // the stage's code
	Probability         int64
	Expected, Closed    time.Time // dates as stored (midnight UTC); zero: none
	Engaged             time.Time // zero: none
	Created             time.Time
	Series              map[string]int64 // the order lines' value by product series
}

// Builder sums what records contribute as a bulk load writes them, so the
// load need not read millions of rows back: Write then stores exactly what
// Rebuild would compute from the same records (the demo's tests compare).
type Builder struct {
	zone  *time.Location
	out   sums
	first map[int64]deal // each account's first won deal
}

// NewBuilder starts empty totals.
func NewBuilder() *Builder {
	return &Builder{zone: echelon.CompanyZone(), out: sums{}, first: map[int64]deal{}}
}

// Deal adds what an opportunity counts for, and notes it when it is its
// account's first won deal (earliest close date, then lowest id).
func (b *Builder) Deal(x Deal) {
	d := deal{id: x.ID, owner: x.OwnerID, unit: x.UnitID, account: x.AccountID, territory: x.TerritoryID, amount: x.Amount,
		currency: x.Currency, outcome: x.Outcome, stage: x.Stage, probability: x.Probability,
		expected: nullTime(x.Expected), closed: nullTime(x.Closed), engaged: nullTime(x.Engaged), created: x.Created}
	lines := make([]seriesValue, 0, len(x.Series))
	for _, s := range slices.Sorted(maps.Keys(x.Series)) { // in series order, as Rebuild reads them
		lines = append(lines, seriesValue{series: s, value: x.Series[s]})
	}
	d.contribute(b.zone, lines, b.out)
	if d.outcome != "won" || !d.closed.Valid || d.account == 0 {
		return
	}
	if f, ok := b.first[d.account]; !ok || d.closed.Time.Before(f.closed.Time) || d.closed.Time.Equal(f.closed.Time) && d.id < f.id {
		b.first[d.account] = d
	}
}

// Activity adds an activity of kind at a time, for its owner and unit.
func (b *Builder) Activity(ownerID, unitID int64, kind string, at time.Time) {
	activity{owner: ownerID, unit: unitID, kind: kind, at: at}.contribute(b.zone, b.out)
}

// StageChange adds a deal entering a stage (its code), for the owner and
// unit it had then.
func (b *Builder) StageChange(ownerID, unitID int64, stage string, at time.Time) {
	entry{owner: ownerID, unit: unitID, stage: stage, at: at}.contribute(b.zone, b.out)
}

// Write replaces the stored totals with what was added, the new customers
// counted; it returns how many totals are stored.
func (b *Builder) Write(ctx context.Context, tx *db.Tx) (int, error) {
	out := make(sums, len(b.out)+len(b.first))
	for k, v := range b.out {
		out[k] = v
	}
	for _, d := range b.first {
		out.add(d.newCustomerKey(), Value{N: 1}, 1)
	}
	if err := replace(ctx, tx, out); err != nil {
		return 0, err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM sales_totals`).Scan(&n); err != nil {
		return 0, fmt.Errorf("totals: count: %w", err)
	}
	return n, nil
}

func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: !t.IsZero()} }
