package kpi_test

import (
	"context"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/benchdata"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/target"
)

// BenchmarkW4_Rollups is W4 of shared/BENCHMARKS.md at the service level:
// at the standard size (ECHELON_BENCH_SCALE=1: 1,000,000 opportunities),
// the dashboard's reads rolled up the hierarchy — the revenue plan's 521
// targets with their pace, the company's KPI card, funnel and monthly
// trend, and a rep's card — 100 calls each, p50 and p95; beside them the
// raw GROUP BY over the opportunities the maintained totals replace, whose
// answer the card must equal.
//
//	ECHELON_BENCH_SCALE=1 go test ./internal/kpi -run '^$' -bench W4 -benchtime 1x -timeout 30m
func BenchmarkW4_Rollups(b *testing.B) {
	benchdata.Run(b, func(b *testing.B, d *db.DB, co *benchdata.Company) {
		ctx := context.Background()
		senior := co.Senior(ctx)
		rep := echelon.NewContext(ctx, &echelon.Actor{PersonID: co.Reps[42], Name: "rep", Role: echelon.RoleRep, UnitID: co.Teams[8]})
		cal, _ := period.New(time.January, echelon.CompanyZone())
		year := cal.Of(period.KindYear, cal.MonthAt(time.Now()))
		targets, kpis := target.NewService(d), kpi.NewService(d)
		plan, err := targets.CreatePlan(senior, target.PlanInput{Metric: kpi.MetricWonRevenue, FiscalYear: year.Year})
		if err != nil {
			b.Fatal(err)
		}
		_, nodes, _ := targets.FindPlan(senior, plan.ID)
		amount := int64(500_000_000_00)
		if _, err := targets.SetTarget(senior, nodes[0].ID, target.TargetInput{Version: nodes[0].Version, Amount: &amount, Cascade: true}); err != nil {
			b.Fatal(err)
		}
		company := kpi.Ref{UnitID: 1}
		at := year.String()
		for range b.N {
			benchdata.Latency(b, "targets-with-pace", 100, func() error { _, _, err := targets.Board(senior, plan.ID, at); return err })
			benchdata.Latency(b, "company-card", 100, func() error { _, err := kpis.Card(senior, company, at, "CNY"); return err })
			benchdata.Latency(b, "company-funnel", 100, func() error { _, err := kpis.Funnel(senior, company, at); return err })
			benchdata.Latency(b, "company-trend", 100, func() error { _, err := kpis.Trend(senior, company, kpi.WonRevenue, at, "CNY"); return err })
			benchdata.Latency(b, "rep-card", 100, func() error { _, err := kpis.Card(rep, kpi.Ref{}, at, "CNY"); return err })
		}
		raw, rawTime := rawWonRevenue(b, d, cal, year)
		card, err := kpis.Card(senior, company, at, "CNY")
		if err != nil {
			b.Fatal(err)
		}
		if got := card.Results[0].Value.Num; got != raw {
			b.Fatalf("card's won revenue %d, raw GROUP BY %d", got, raw)
		}
		b.Logf("raw GROUP BY over the opportunities: %.0f ms (same answer: %d)", benchdata.Ms(rawTime), raw)
		b.ReportMetric(benchdata.Ms(rawTime), "raw-groupby-ms")
	})
}

// rawWonRevenue sums the year's won revenue straight from the opportunities, grouped by team.
func rawWonRevenue(b *testing.B, d *db.DB, cal period.Calendar, year period.Period) (int64, time.Duration) {
	ctx := context.Background()
	from, to := cal.Start(year), cal.End(year)
	dayOf := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	var total int64
	start := time.Now()
	err := d.View(ctx, func(tx *db.Tx) error {
		rs, err := tx.Query(ctx, `SELECT o.org_unit_id, SUM(o.amount) FROM opportunities o JOIN stages st ON st.id = o.stage_id
			WHERE st.outcome = 'won' AND o.currency = 'CNY' AND o.closed_on >= ? AND o.closed_on < ? GROUP BY o.org_unit_id`, dayOf(from), dayOf(to))
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var unit, sum int64
			if err := rs.Scan(&unit, &sum); err != nil {
				return err
			}
			total += sum
		}
		return rs.Err()
	})
	if err != nil {
		b.Fatal(err)
	}
	return total, time.Since(start)
}
