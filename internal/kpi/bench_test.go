package kpi_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/benchdata"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
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
	for _, open := range []struct {
		name string
		fn   func(testing.TB) *db.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		b.Run(open.name, func(b *testing.B) {
			d := open.fn(b)
			ctx := context.Background()
			co, err := benchdata.Standard(ctx, d, benchdata.Scale())
			if err != nil {
				b.Fatal(err)
			}
			senior := echelon.NewContext(ctx, &echelon.Actor{PersonID: co.Senior, Name: "高经理", Role: echelon.RoleSeniorManager, UnitID: 1, UnitPath: "/1/"})
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
			cases := []struct {
				name string
				ctx  context.Context
				call func(context.Context) error
			}{
				{"targets-with-pace", senior, func(ctx context.Context) error { _, _, err := targets.Board(ctx, plan.ID, at); return err }},
				{"company-card", senior, func(ctx context.Context) error { _, err := kpis.Card(ctx, company, at, "CNY"); return err }},
				{"company-funnel", senior, func(ctx context.Context) error { _, err := kpis.Funnel(ctx, company, at); return err }},
				{"company-trend", senior, func(ctx context.Context) error {
					_, err := kpis.Trend(ctx, company, kpi.WonRevenue, at, "CNY")
					return err
				}},
				{"rep-card", rep, func(ctx context.Context) error { _, err := kpis.Card(ctx, kpi.Ref{}, at, "CNY"); return err }},
			}
			for range b.N {
				for _, c := range cases {
					var lat []time.Duration
					for range 100 {
						start := time.Now()
						if err := c.call(c.ctx); err != nil {
							b.Fatalf("%s: %v", c.name, err)
						}
						lat = append(lat, time.Since(start))
					}
					sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
					b.Logf("%-18s p50 %7.2f ms  p95 %7.2f ms", c.name, ms(lat[len(lat)/2]), ms(lat[len(lat)*95/100]))
					b.ReportMetric(ms(lat[len(lat)*95/100]), c.name+"-p95-ms")
				}
			}
			raw, rawTime := rawWonRevenue(b, d, cal, year)
			card, err := kpis.Card(senior, company, at, "CNY")
			if err != nil {
				b.Fatal(err)
			}
			if got := card.Results[0].Value.Num; got != raw {
				b.Fatalf("card's won revenue %d, raw GROUP BY %d", got, raw)
			}
			b.Logf("raw GROUP BY over the opportunities: %.0f ms (same answer: %d)", ms(rawTime), raw)
			b.ReportMetric(ms(rawTime), "raw-groupby-ms")
		})
	}
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

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
