// Package totals keeps the sales totals every target, scorecard and
// dashboard reads: per org unit, person and month, the deals won and lost,
// the open pipeline, new customers and activities. A write that moves a
// total changes it in the same transaction (Track before the write, Apply
// after it), so the totals always equal a recomputation from the records
// (Rebuild, and a property test).
//
// Attribution: a deal counts for its owner and the org unit it was booked
// in (the owner's unit when it was last saved); a won or lost deal in the
// month of its close date; an open deal in the month of its expected close
// (month 0 when there is none); an account is a new customer in the month
// of its first won deal, for that deal's owner; a won deal's revenue also
// by product series (its amount split over the series in proportion to its
// order lines, echelon.Split; no lines: series "") and by its account's
// territory (dim = territory id, "" when none), for targets narrowed to a
// series or territory; an activity in the month
// its time falls in, in the company's zone; a deal entering a stage in the
// month of the change, for the owner and unit it had then.
package totals

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/period"
)

// The measures kept.
const (
	Won         = "won"          // n, amount, extra = Σ days of the sales cycle
	WonSeries   = "won_series"   // dim = product series; n deals, amount their part of the revenue
	WonArea     = "won_area"     // dim = the account's territory id; n, amount
	Lost        = "lost"         // n, amount
	Open        = "open"         // dim = stage code; n, amount, extra = Σ weighted amount
	NewCustomer = "new_customer" // n
	Activity    = "activity"     // dim = kind; n
	Entered     = "entered"      // deals entering a stage, dim = its code; n
)

// Key names one total.
type Key struct {
	UnitID   int64        `json:"org_unit_id"`
	PersonID int64        `json:"person_id"`
	Month    period.Month `json:"month"`
	Measure  string       `json:"measure"`
	Dim      string       `json:"dim,omitempty"`
	Currency string       `json:"currency,omitempty"`
}

// compare orders keys by unit, person, month, measure, dim and currency.
func (k Key) compare(o Key) int {
	return cmp.Or(cmp.Compare(k.UnitID, o.UnitID), cmp.Compare(k.PersonID, o.PersonID), cmp.Compare(k.Month, o.Month),
		cmp.Compare(k.Measure, o.Measure), cmp.Compare(k.Dim, o.Dim), cmp.Compare(k.Currency, o.Currency))
}

// Value is what a total holds.
type Value struct {
	N      int64 `json:"n"`
	Amount int64 `json:"amount"`
	Extra  int64 `json:"extra"`
}

func (v Value) add(w Value, sign int64) Value {
	return Value{v.N + sign*w.N, v.Amount + sign*w.Amount, v.Extra + sign*w.Extra}
}

func (v Value) zero() bool { return v == Value{} }

// sums maps totals to values.
type sums map[Key]Value

func (s sums) add(k Key, v Value, sign int64) { s[k] = s[k].add(v, sign) }

// Refs names the records a write is about to touch.
type Refs struct {
	Deals      []int64
	Accounts   []int64 // accounts whose first won deal may change
	Activities []int64
	Stages     []int64 // stage changes (stage_history rows); written once, never changed
}

// Change is a write in progress: the contributions of the records it
// touches, read before the write.
type Change struct {
	zone   *time.Location
	refs   Refs
	before sums
}

// Track reads what the records in refs contribute now, before a write
// changes them. The accounts of the named deals are tracked too; name any
// account a deal is about to move to.
func Track(ctx context.Context, tx *db.Tx, refs Refs) (*Change, error) {
	c := &Change{zone: echelon.CompanyZone(), refs: refs}
	var err error
	c.before, err = c.read(ctx, tx)
	return c, err
}

// Apply reads the contributions again after the write, adding the records
// the write created (added), and moves the totals by the difference.
func (c *Change) Apply(ctx context.Context, tx *db.Tx, added Refs) error {
	c.refs.Deals = append(c.refs.Deals, added.Deals...)
	c.refs.Accounts = append(c.refs.Accounts, added.Accounts...)
	c.refs.Activities = append(c.refs.Activities, added.Activities...)
	c.refs.Stages = append(c.refs.Stages, added.Stages...)
	after, err := c.read(ctx, tx)
	if err != nil {
		return err
	}
	delta := sums{}
	for k, v := range after {
		delta.add(k, v, 1)
	}
	for k, v := range c.before {
		delta.add(k, v, -1)
	}
	return upsert(ctx, tx, delta)
}

// read sums what the tracked records contribute in their current state.
func (c *Change) read(ctx context.Context, tx *db.Tx) (sums, error) {
	out := sums{}
	accounts := map[int64]bool{}
	for _, id := range c.refs.Accounts {
		if id != 0 {
			accounts[id] = true
		}
	}
	if len(c.refs.Deals) > 0 {
		var deals []deal
		err := eachDeal(ctx, tx, "o.id IN ("+db.Marks(len(c.refs.Deals))+")", ids(c.refs.Deals), func(d deal) {
			deals = append(deals, d)
			if d.account != 0 {
				accounts[d.account] = true
			}
		})
		if err != nil {
			return nil, err
		}
		lines, err := seriesLines(ctx, tx, "l.opportunity_id IN ("+db.Marks(len(c.refs.Deals))+")", ids(c.refs.Deals))
		if err != nil {
			return nil, err
		}
		for _, d := range deals {
			d.contribute(c.zone, lines[d.id], out)
		}
	}
	c.refs.Accounts = c.refs.Accounts[:0] // the accounts found now are read again after the write
	for id := range accounts {
		c.refs.Accounts = append(c.refs.Accounts, id)
		d, ok, err := firstWon(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if ok {
			out.add(d.newCustomerKey(), Value{N: 1}, 1)
		}
	}
	if len(c.refs.Activities) > 0 {
		err := eachActivity(ctx, tx, "a.id IN ("+db.Marks(len(c.refs.Activities))+")", ids(c.refs.Activities), func(a activity) {
			a.contribute(c.zone, out)
		})
		if err != nil {
			return nil, err
		}
	}
	if len(c.refs.Stages) > 0 {
		err := eachStageChange(ctx, tx, "h.id IN ("+db.Marks(len(c.refs.Stages))+")", ids(c.refs.Stages), func(e entry) {
			e.contribute(c.zone, out)
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// deal is what an opportunity contributes from.
type deal struct {
	id, owner, unit, account int64
	territory                int64
	amount                   int64
	currency, outcome, stage string
	probability              int64
	expected, closed         sql.NullTime
	engaged                  sql.NullTime
	created                  time.Time
}

const dealColumns = `o.id, o.owner_id, o.org_unit_id, COALESCE(o.account_id, 0), COALESCE(a.territory_id, 0), o.amount, o.currency,
	st.outcome, st.code, o.probability, o.expected_close, o.closed_on, o.engaged_on, o.created_at
	FROM opportunities o JOIN stages st ON st.id = o.stage_id LEFT JOIN accounts a ON a.id = o.account_id`

func eachDeal(ctx context.Context, tx *db.Tx, where string, args []any, fn func(deal)) error {
	rs, err := tx.Query(ctx, `SELECT `+dealColumns+` WHERE `+where, args...)
	if err != nil {
		return fmt.Errorf("totals: read deals: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var d deal
		if err := rs.Scan(&d.id, &d.owner, &d.unit, &d.account, &d.territory, &d.amount, &d.currency, &d.outcome, &d.stage,
			&d.probability, &d.expected, &d.closed, &d.engaged, &d.created); err != nil {
			return fmt.Errorf("totals: scan deal: %w", err)
		}
		fn(d)
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("totals: read deals: %w", err)
	}
	return nil
}

// firstWon is the account's first won deal (earliest close date, then lowest id).
func firstWon(ctx context.Context, tx *db.Tx, account int64) (deal, bool, error) {
	var d deal
	var found bool
	err := eachDeal(ctx, tx, `o.account_id = ? AND st.outcome = 'won' AND o.closed_on IS NOT NULL ORDER BY o.closed_on, o.id LIMIT 1`,
		[]any{account}, func(x deal) { d, found = x, true })
	return d, found, err
}

// dateMonth is the month of a stored date (dates are kept as midnight UTC).
func dateMonth(t sql.NullTime) period.Month {
	if !t.Valid {
		return 0
	}
	return period.MonthOf(t.Time.Year(), t.Time.Month())
}

func (d deal) key(measure, dim string, m period.Month) Key {
	return Key{UnitID: d.unit, PersonID: d.owner, Month: m, Measure: measure, Dim: dim, Currency: d.currency}
}

func (d deal) newCustomerKey() Key {
	return Key{UnitID: d.unit, PersonID: d.owner, Month: dateMonth(d.closed), Measure: NewCustomer}
}

// contribute adds what the deal counts for; lines are its order lines'
// values by product series.
func (d deal) contribute(zone *time.Location, lines []seriesValue, out sums) {
	switch d.outcome {
	case "won":
		m := dateMonth(d.closed)
		out.add(d.key(Won, "", m), Value{N: 1, Amount: d.amount, Extra: d.cycleDays(zone)}, 1)
		for _, sv := range splitBySeries(d.amount, lines) {
			out.add(d.key(WonSeries, sv.series, m), Value{N: 1, Amount: sv.value}, 1)
		}
		area := ""
		if d.territory != 0 {
			area = strconv.FormatInt(d.territory, 10)
		}
		out.add(d.key(WonArea, area, m), Value{N: 1, Amount: d.amount}, 1)
	case "lost":
		out.add(d.key(Lost, "", dateMonth(d.closed)), Value{N: 1, Amount: d.amount}, 1)
	default:
		out.add(d.key(Open, d.stage, dateMonth(d.expected)), Value{N: 1, Amount: d.amount, Extra: Weighted(d.amount, d.probability)}, 1)
	}
}

// cycleDays counts the days from engagement (the creation date when none
// was recorded) to the close date; never negative.
func (d deal) cycleDays(zone *time.Location) int64 {
	if !d.closed.Valid {
		return 0
	}
	start := d.created.In(zone)
	begin := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	if d.engaged.Valid {
		begin = d.engaged.Time.UTC()
	}
	days := int64(d.closed.Time.UTC().Sub(begin).Hours() / 24)
	return max(days, 0)
}

// Weighted is amount × probability %, rounded half away from zero to the minor unit.
func Weighted(amount, probability int64) int64 {
	p := amount * probability
	if p >= 0 {
		return (p + 50) / 100
	}
	return (p - 50) / 100
}

// activity is what an activity contributes from.
type activity struct {
	owner, unit int64
	kind        string
	at          time.Time
}

func eachActivity(ctx context.Context, tx *db.Tx, where string, args []any, fn func(activity)) error {
	rs, err := tx.Query(ctx, `SELECT a.owner_id, a.org_unit_id, a.kind, a.at FROM activities a WHERE `+where, args...)
	if err != nil {
		return fmt.Errorf("totals: read activities: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var a activity
		if err := rs.Scan(&a.owner, &a.unit, &a.kind, &a.at); err != nil {
			return fmt.Errorf("totals: scan activity: %w", err)
		}
		fn(a)
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("totals: read activities: %w", err)
	}
	return nil
}

func (a activity) contribute(zone *time.Location, out sums) {
	at := a.at.In(zone)
	out.add(Key{UnitID: a.unit, PersonID: a.owner, Month: period.MonthOf(at.Year(), at.Month()), Measure: Activity, Dim: a.kind}, Value{N: 1}, 1)
}

// entry is a deal entering a stage, for its owner and unit at the time.
type entry struct {
	owner, unit int64
	stage       string
	at          time.Time
}

func eachStageChange(ctx context.Context, tx *db.Tx, where string, args []any, fn func(entry)) error {
	rs, err := tx.Query(ctx, `SELECT COALESCE(h.owner_id, 0), COALESCE(h.org_unit_id, 0), st.code, h.changed_at
		FROM stage_history h JOIN stages st ON st.id = h.to_stage_id WHERE `+where, args...)
	if err != nil {
		return fmt.Errorf("totals: read stage changes: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var e entry
		if err := rs.Scan(&e.owner, &e.unit, &e.stage, &e.at); err != nil {
			return fmt.Errorf("totals: scan stage change: %w", err)
		}
		fn(e)
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("totals: read stage changes: %w", err)
	}
	return nil
}

func (e entry) contribute(zone *time.Location, out sums) {
	at := e.at.In(zone)
	out.add(Key{UnitID: e.unit, PersonID: e.owner, Month: period.MonthOf(at.Year(), at.Month()), Measure: Entered, Dim: e.stage}, Value{N: 1}, 1)
}

// withUnitRows adds to the sums each unit's own total — person 0, the sum
// over its people — which the roll-ups of a unit's subtree read: a few
// rows per unit and month rather than one per person.
func withUnitRows(s sums) sums {
	out := make(sums, len(s)*2)
	for k, v := range s {
		out.add(k, v, 1)
		if k.PersonID != 0 {
			k.PersonID = 0
			out.add(k, v, 1)
		}
	}
	return out
}

// upsert adds the non-zero deltas, with their unit rows, to the stored
// totals, a few hundred per statement, in key order: concurrent writers
// then lock the rows they share in the same order and cannot deadlock.
func upsert(ctx context.Context, tx *db.Tx, delta sums) error {
	delta = withUnitRows(delta)
	keys := make([]Key, 0, len(delta))
	for k, v := range delta {
		if !v.zero() {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, Key.compare)
	const batch = 500
	args := make([]any, 0, 9*batch)
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		n := len(args) / 9
		q := `INSERT INTO sales_totals (org_unit_id, person_id, month, measure, dim, currency, n, amount, extra) VALUES ` +
			db.RowMarks(9, n) + `
			ON CONFLICT (org_unit_id, person_id, month, measure, dim, currency)
			DO UPDATE SET n = sales_totals.n + excluded.n, amount = sales_totals.amount + excluded.amount, extra = sales_totals.extra + excluded.extra`
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("totals: move %d totals: %w", n, err)
		}
		args = args[:0]
		return nil
	}
	for _, k := range keys {
		v := delta[k]
		args = append(args, k.UnitID, k.PersonID, int(k.Month), k.Measure, k.Dim, k.Currency, v.N, v.Amount, v.Extra)
		if len(args) == 9*batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func ids(v []int64) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}
