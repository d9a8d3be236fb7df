// Package benchdata loads the standard company of shared/BENCHMARKS.md —
// 20 regions of 5 teams, 500 reps, 100,000 accounts, 1,000,000
// opportunities spread over three years with their stage entries — in
// bulk SQL for the benchmarks, then rebuilds the sales totals from it so
// every invariant the services keep holds. A scale divides the record
// counts (the org stays whole).
package benchdata

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/totals"
)

// Scale reads ECHELON_BENCH_SCALE (1 is the full standard size), default 20.
func Scale() int {
	if n, err := strconv.Atoi(os.Getenv("ECHELON_BENCH_SCALE")); err == nil && n > 0 {
		return n
	}
	return 20
}

// Company is what was loaded.
type Company struct {
	SeniorID int64   // the senior manager, at the company unit (1)
	Regions  []int64 // region units
	Teams    []int64 // team units, 5 per region
	Reps     []int64 // 5 per team
}

// Bulk inserts rows in batches with one multi-row INSERT per batch.
func Bulk(ctx context.Context, tx *db.Tx, head string, cols int, n int, row func(i int) []any) error {
	const batch = 400
	for i := 0; i < n; i += batch {
		end := min(i+batch, n)
		var args []any
		for j := i; j < end; j++ {
			args = append(args, row(j)...)
		}
		q := head + " VALUES " + db.RowMarks(cols, end-i)
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("benchdata: %s: %w", head, err)
		}
	}
	return nil
}

// Standard fills d with the standard company divided by scale.
func Standard(ctx context.Context, d *db.DB, scale int) (*Company, error) {
	c := &Company{}
	now := time.Now().UTC()
	err := d.Tx(ctx, func(tx *db.Tx) error {
		if err := c.org(ctx, tx, now); err != nil {
			return err
		}
		accounts := 100_000 / scale
		if err := c.accounts(ctx, tx, accounts, now); err != nil {
			return err
		}
		return c.opportunities(ctx, tx, accounts, 1_000_000/scale, now)
	})
	if err != nil {
		return nil, err
	}
	// Statistics first, as autovacuum would gather after a bulk load:
	// without them PostgreSQL plans the rebuild's joins for empty tables.
	if err := d.Analyze(ctx); err != nil {
		return nil, fmt.Errorf("benchdata: analyze: %w", err)
	}
	if err := d.Tx(ctx, func(tx *db.Tx) error { return totals.Rebuild(ctx, tx) }); err != nil {
		return nil, err
	}
	if err := d.Analyze(ctx, "sales_totals"); err != nil {
		return nil, fmt.Errorf("benchdata: analyze totals: %w", err)
	}
	return c, nil
}

func (c *Company) org(ctx context.Context, tx *db.Tx, now time.Time) error {
	var err error
	if c.SeniorID, err = tx.InsertID(ctx, `INSERT INTO people (email, name, role, org_unit_id, created_at, updated_at) VALUES ('senior@bench', '高经理', 'senior_manager', 1, ?, ?)`, now, now); err != nil {
		return fmt.Errorf("benchdata: senior: %w", err)
	}
	unit := func(parent int64, kind, name, parentPath string) (int64, error) {
		id, err := tx.InsertID(ctx, `INSERT INTO org_units (parent_id, kind, name, path, created_at, updated_at) VALUES (?, ?, ?, '', ?, ?)`, parent, kind, name, now, now)
		if err != nil {
			return 0, fmt.Errorf("benchdata: unit %s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE org_units SET path = ? WHERE id = ?`, fmt.Sprintf("%s%d/", parentPath, id), id); err != nil {
			return 0, fmt.Errorf("benchdata: path of %s: %w", name, err)
		}
		return id, nil
	}
	for r := range 20 {
		reg, err := unit(1, "region", fmt.Sprintf("大区%02d", r), "/1/")
		if err != nil {
			return err
		}
		c.Regions = append(c.Regions, reg)
		for k := range 5 {
			team, err := unit(reg, "team", fmt.Sprintf("团队%02d-%d", r, k), fmt.Sprintf("/1/%d/", reg))
			if err != nil {
				return err
			}
			c.Teams = append(c.Teams, team)
		}
	}
	for i := range 500 {
		id, err := tx.InsertID(ctx, `INSERT INTO people (email, name, role, org_unit_id, created_at, updated_at) VALUES (?, ?, 'rep', ?, ?, ?)`,
			fmt.Sprintf("rep%d@bench", i), fmt.Sprintf("销售%03d", i), c.Teams[i/5], now, now)
		if err != nil {
			return fmt.Errorf("benchdata: rep %d: %w", i, err)
		}
		c.Reps = append(c.Reps, id)
	}
	return nil
}

// unitOf is the team of the rep who owns account i.
func (c *Company) unitOf(account int) int64 { return c.Teams[(account%len(c.Reps))/5] }

func (c *Company) accounts(ctx context.Context, tx *db.Tx, n int, now time.Time) error {
	statuses := []string{"prospect", "customer", "inactive"}
	return Bulk(ctx, tx, `INSERT INTO accounts (name, name_key, status, industry, owner_id, org_unit_id, created_at, updated_at)`, 8, n, func(i int) []any {
		name := fmt.Sprintf("客户%06d有限公司", i)
		at := now.Add(-time.Duration(i) * time.Minute)
		return []any{name, crm.NameKey(name), statuses[i%3], "制造", c.Reps[i%len(c.Reps)], c.unitOf(i), at, at}
	})
}

// opportunities spreads n deals over the accounts and the last three years:
// stage i%6 (four open stages, won, lost), amounts ¥1,000–¥1,976, closed
// (or expected to close) on a day of the 36 months before now, each with
// the entry into its stage in its stage history.
func (c *Company) opportunities(ctx context.Context, tx *db.Tx, accounts, n int, now time.Time) error {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	day := func(i int) time.Time { return today.AddDate(0, 0, -(i*7919)%(3*365)) }
	err := Bulk(ctx, tx, `INSERT INTO opportunities (name, account_id, owner_id, org_unit_id, amount, currency, stage_id, probability,
		expected_close, closed_on, created_at, updated_at)`, 12, n, func(i int) []any {
		at := now.Add(-time.Duration(i) * time.Second)
		acc := i % accounts
		stage := 1 + i%6
		var expected, closed any
		if stage >= 5 {
			closed = day(i)
		} else {
			expected = day(i).AddDate(0, 6, 0)
		}
		return []any{fmt.Sprintf("商机%07d", i), int64(acc + 1), c.Reps[acc%len(c.Reps)], c.unitOf(acc), int64(1000+i%977) * 100, "CNY",
			stage, []int{10, 30, 60, 80, 100, 0}[stage-1], expected, closed, at, at}
	})
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO stage_history (opportunity_id, to_stage_id, changed_at, owner_id, org_unit_id)
		SELECT id, stage_id, COALESCE(closed_on, created_at), owner_id, org_unit_id FROM opportunities`); err != nil {
		return fmt.Errorf("benchdata: stage history: %w", err)
	}
	return nil
}
