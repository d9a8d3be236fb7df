package crm_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/benchdata"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

// BenchmarkW3_Lists measures W3 at the service level: a page of 50 with a
// filter and sort, and a name search, as a rep and as the senior manager,
// reporting p50/p95 over 200 calls each.
//
//	ECHELON_BENCH_SCALE=1 go test ./internal/crm -run '^$' -bench W3 -benchtime 1x
func BenchmarkW3_Lists(b *testing.B) {
	for _, open := range []struct {
		name string
		fn   func(testing.TB) *db.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		b.Run(open.name, func(b *testing.B) {
			d := open.fn(b)
			svc := crm.NewService(d, nil)
			co, err := benchdata.Standard(context.Background(), d, benchdata.Scale())
			if err != nil {
				b.Fatal(err)
			}
			actors := map[string]*echelon.Actor{
				"rep":    {PersonID: co.Reps[42], Role: echelon.RoleRep},
				"senior": {PersonID: co.SeniorID, Role: echelon.RoleSeniorManager, UnitID: 1, UnitPath: "/1/"},
			}
			cases := map[string]func(context.Context) error{
				"accounts-filter-sort": func(ctx context.Context) error {
					_, _, err := svc.FindAccounts(ctx, crm.AccountFilter{Status: "customer", Sort: "-updated_at", Page: crm.Page{Limit: 50}})
					return err
				},
				"accounts-search": func(ctx context.Context) error {
					_, _, err := svc.FindAccounts(ctx, crm.AccountFilter{Query: "客户0012", Page: crm.Page{Limit: 50}})
					return err
				},
				"opportunities-open-by-amount": func(ctx context.Context) error {
					_, _, err := svc.FindOpportunities(ctx, crm.OpportunityFilter{Outcome: "open", Sort: "-amount", Page: crm.Page{Limit: 50}})
					return err
				},
			}
			for i := 0; i < b.N; i++ {
				for who, a := range actors {
					ctx := echelon.NewContext(context.Background(), a)
					for name, call := range cases {
						var lat []time.Duration
						for k := 0; k < 200; k++ {
							start := time.Now()
							if err := call(ctx); err != nil {
								b.Fatal(err)
							}
							lat = append(lat, time.Since(start))
						}
						sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
						b.Logf("%s %-28s p50 %6.2f ms  p95 %6.2f ms", who, name, ms(lat[len(lat)/2]), ms(lat[len(lat)*95/100]))
						b.ReportMetric(ms(lat[len(lat)*95/100]), who+"-"+name+"-p95-ms")
					}
				}
			}
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
