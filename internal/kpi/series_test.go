package kpi_test

import (
	"context"
	"testing"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/testorg"
)

// TestTrendAndFunnel reads the monthly trend beside last year and the
// funnel of stage entries from the totals, for a unit's subtree.
func TestTrendAndFunnel(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		o := testorg.New(t, d)
		ctx := context.Background()
		rows := []struct {
			month        int
			measure, dim string
			n, amount    int64
		}{
			{202604, "won", "", 1, 500}, {202504, "won", "", 2, 300}, {202606, "won", "", 1, 700},
			{202605, "entered", "prospecting", 10, 0}, {202605, "entered", "qualification", 6, 0},
			{202605, "entered", "proposal", 3, 0}, {202605, "entered", "won", 2, 0}, {202605, "entered", "lost", 4, 0},
		}
		err := d.Tx(ctx, func(tx *db.Tx) error {
			for _, r := range rows {
				for _, person := range []int64{o.EastRep.ID, 0} {
					if _, err := tx.Exec(ctx, `INSERT INTO sales_totals (org_unit_id, person_id, month, measure, dim, currency, n, amount, extra)
						VALUES (?, ?, ?, ?, ?, 'CNY', ?, ?, 0)`, o.EastA.ID, person, r.month, r.measure, r.dim, r.n, r.amount); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		svc := kpi.NewService(d)
		tr, err := svc.Trend(testorg.As(o.EastMgr), kpi.Ref{UnitID: o.East.ID}, kpi.WonRevenue, "2026-Q2", "")
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			month     string
			now, last int64
		}{{"2026-04", 500, 300}, {"2026-05", 0, 0}, {"2026-06", 700, 0}}
		for i, w := range want {
			p := tr.Points[i]
			if p.Month != w.month || p.Value.Num != w.now || p.LastYear.Num != w.last {
				t.Errorf("point %d = %+v, want %+v", i, p, w)
			}
		}
		fn, err := svc.Funnel(testorg.As(o.EastRep), kpi.Ref{}, "2026-05")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]kpi.FunnelStage{}
		for _, s := range fn.Stages {
			got[s.Code] = s
		}
		if got["qualification"].Entered != 6 || got["qualification"].Conversion != (kpi.Value{Num: 6, Den: 10}) ||
			got["won"].Conversion != (kpi.Value{Num: 2, Den: 0}) || got["lost"].Conversion.Defined() || got["prospecting"].Conversion.Defined() {
			t.Errorf("funnel %+v", fn.Stages)
		}
		if _, err := svc.Trend(testorg.As(o.WestMgr), kpi.Ref{UnitID: o.East.ID}, kpi.WonRevenue, "2026", ""); err == nil {
			t.Error("the West's manager read the East's trend")
		}
	})
}
