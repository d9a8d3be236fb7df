package crm_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

// benchScale divides the standard size of BENCHMARKS.md (500 reps, 100,000
// accounts, 1,000,000 opportunities); ECHELON_BENCH_SCALE=1 is the full size.
func benchScale() int {
	if n, err := strconv.Atoi(os.Getenv("ECHELON_BENCH_SCALE")); err == nil && n > 0 {
		return n
	}
	return 20
}

// bulk inserts rows in batches with one multi-row INSERT per batch.
func bulk(ctx context.Context, tx *db.Tx, head string, cols int, n int, row func(i int) []any) error {
	const batch = 400
	ph := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	for i := 0; i < n; i += batch {
		end := min(i+batch, n)
		var args []any
		for j := i; j < end; j++ {
			args = append(args, row(j)...)
		}
		q := head + " VALUES " + strings.TrimSuffix(strings.Repeat(ph+", ", end-i), ", ")
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// standardCompany fills d with 20 regions of 5 teams, 500 reps and their
// accounts and opportunities (divided by scale), directly in SQL.
func standardCompany(b *testing.B, d *db.DB, scale int) (reps []int64, senior int64) {
	ctx := context.Background()
	now := time.Now().UTC()
	reps500 := 500
	accounts, opps := 100_000/scale, 1_000_000/scale
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if senior, err = tx.InsertID(ctx, `INSERT INTO people (email, name, role, org_unit_id, created_at, updated_at) VALUES ('senior@bench', '高经理', 'senior_manager', 1, ?, ?)`, now, now); err != nil {
			return err
		}
		teams := []int64{}
		for r := 0; r < 20; r++ {
			reg, err := tx.InsertID(ctx, `INSERT INTO org_units (parent_id, kind, name, path, created_at, updated_at) VALUES (1, 'region', ?, '', ?, ?)`, fmt.Sprintf("大区%02d", r), now, now)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE org_units SET path = ? WHERE id = ?`, fmt.Sprintf("/1/%d/", reg), reg); err != nil {
				return err
			}
			for k := 0; k < 5; k++ {
				team, err := tx.InsertID(ctx, `INSERT INTO org_units (parent_id, kind, name, path, created_at, updated_at) VALUES (?, 'team', ?, '', ?, ?)`, reg, fmt.Sprintf("团队%02d-%d", r, k), now, now)
				if err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `UPDATE org_units SET path = ? WHERE id = ?`, fmt.Sprintf("/1/%d/%d/", reg, team), team); err != nil {
					return err
				}
				teams = append(teams, team)
			}
		}
		for i := 0; i < reps500; i++ {
			id, err := tx.InsertID(ctx, `INSERT INTO people (email, name, role, org_unit_id, created_at, updated_at) VALUES (?, ?, 'rep', ?, ?, ?)`,
				fmt.Sprintf("rep%d@bench", i), fmt.Sprintf("销售%03d", i), teams[i/5], now, now)
			if err != nil {
				return err
			}
			reps = append(reps, id)
		}
		unitOf := func(i int) int64 { return teams[(i%reps500)/5] }
		statuses := []string{"prospect", "customer", "inactive"}
		if err := bulk(ctx, tx, `INSERT INTO accounts (name, name_key, status, industry, owner_id, org_unit_id, created_at, updated_at)`, 8, accounts, func(i int) []any {
			name := fmt.Sprintf("客户%06d有限公司", i)
			at := now.Add(-time.Duration(i) * time.Minute)
			return []any{name, crm.NameKey(name), statuses[i%3], "制造", reps[i%reps500], unitOf(i), at, at}
		}); err != nil {
			return err
		}
		return bulk(ctx, tx, `INSERT INTO opportunities (name, account_id, owner_id, org_unit_id, amount, stage_id, probability, created_at, updated_at)`, 9, opps, func(i int) []any {
			at := now.Add(-time.Duration(i) * time.Second)
			acc := int64(i%accounts + 1)
			return []any{fmt.Sprintf("商机%07d", i), acc, reps[(i%accounts)%reps500], unitOf(i % accounts), int64(1000+i%977) * 100, 1 + i%6, 10, at, at}
		})
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := d.Analyze(ctx); err != nil { // as autovacuum would after a bulk load
		b.Fatal(err)
	}
	return reps, senior
}

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
			reps, senior := standardCompany(b, d, benchScale())
			actors := map[string]*echelon.Actor{
				"rep":    {PersonID: reps[42], Role: echelon.RoleRep},
				"senior": {PersonID: senior, Role: echelon.RoleSeniorManager, UnitID: 1, UnitPath: "/1/"},
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
