package target_test

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/target"
	"github.com/echelonhq/echelon/internal/testorg"
)

// BenchmarkW6Recascade is W6 of shared/BENCHMARKS.md: the senior manager
// changes the company's target and it is re-cascaded, in one transaction,
// down a tree of 521 targets (company, 20 regions, 100 teams, 400 reps).
func BenchmarkW6Recascade(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			var d *db.DB
			if name == "sqlite" {
				d = dbtest.SQLite(b)
			} else {
				d = dbtest.Postgres(b)
			}
			o := testorg.New(b, d)
			for r := range 20 {
				region := o.Unit(b, org.UnitInput{ParentID: o.Company.ID, Kind: org.KindRegion, Name: fmt.Sprintf("R%02d", r)})
				for tm := range 5 {
					team := o.Unit(b, org.UnitInput{ParentID: region.ID, Kind: org.KindTeam, Name: fmt.Sprintf("R%02d-T%d", r, tm)})
					for i := range 4 {
						o.Person(b, fmt.Sprintf("rep%02d%d%d", r, tm, i), echelon.RoleRep, team, nil, "junior_rep")
					}
				}
			}
			svc := target.NewService(d)
			sun := testorg.As(o.Senior)
			plan, err := svc.CreatePlan(sun, target.PlanInput{Metric: kpi.MetricWonRevenue, FiscalYear: 2026})
			if err != nil {
				b.Fatal(err)
			}
			var lat []time.Duration
			b.ResetTimer()
			for i := range max(b.N, 50) {
				_, nodes, err := svc.FindPlan(sun, plan.ID)
				if err != nil {
					b.Fatal(err)
				}
				amount := int64(1_000_000_00 + i)
				start := time.Now()
				if _, err := svc.SetTarget(sun, nodes[0].ID, target.TargetInput{Version: nodes[0].Version, Amount: &amount, Cascade: true}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			_, nodes, _ := svc.FindPlan(sun, plan.ID)
			for _, n := range nodes {
				if !n.Balanced {
					b.Fatalf("%s does not add up after the cascade", n.Label())
				}
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(len(nodes)), "targets")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}
