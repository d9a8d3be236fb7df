package talent_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/echelonhq/echelon/internal/benchdata"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/ladder"
	"github.com/echelonhq/echelon/internal/review"
	"github.com/echelonhq/echelon/internal/talent"
)

// BenchmarkTalentViews measures issue 5's targets at the standard size of
// shared/BENCHMARKS.md (521 people; ECHELON_BENCH_SCALE=1 for the full
// 1,000,000 opportunities behind their scorecards, 20 by default): a
// refresh of everyone's readiness (≤ 1 s), then the senior manager's talent
// grid, succession benches and at-risk list, 100 calls each (p95 ≤ 100 ms).
// Everyone is on the ladder with the reps' KPI template and cascaded
// revenue plans (benchdata.OnTheLadder) and a released review, loaded in bulk.
//
//	ECHELON_BENCH_SCALE=1 go test ./internal/talent -run '^$' -bench TalentViews -benchtime 1x -timeout 30m
func BenchmarkTalentViews(b *testing.B) {
	benchdata.Run(b, func(b *testing.B, d *db.DB, co *benchdata.Company) {
		ctx := context.Background()
		if err := co.OnTheLadder(ctx, d); err != nil {
			b.Fatal(err)
		}
		if err := releasedReviews(ctx, d, co.SeniorID); err != nil {
			b.Fatal(err)
		}
		svc := talent.NewService(d, ladder.NewService(d, time.Now), review.NewService(d, nil, time.Now), time.Now)
		senior := co.Senior(ctx)
		for range b.N {
			start := time.Now()
			r, err := svc.Refresh(senior, 0)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("readiness of %d people computed and kept in %.0f ms", r.People, benchdata.Ms(time.Since(start)))
			b.ReportMetric(benchdata.Ms(time.Since(start)), "refresh-ms")
			benchdata.Latency(b, "talent-grid", 100, func() error { _, err := svc.Grid(senior, 0); return err })
			benchdata.Latency(b, "succession", 100, func() error { _, err := svc.Succession(senior, 0); return err })
			benchdata.Latency(b, "at-risk", 100, func() error { _, err := svc.AtRisk(senior, 0, ""); return err })
		}
	})
}

// releasedReviews gives every active person but the senior manager a
// released quarterly review with ratings spread over the grid.
func releasedReviews(ctx context.Context, d *db.DB, senior int64) error {
	return d.Tx(ctx, func(tx *db.Tx) error {
		now := time.Now().UTC()
		cycle, err := tx.InsertID(ctx, `INSERT INTO review_cycles (template_id, name, period, org_unit_id, competencies, state, created_at)
			VALUES (1, 'Q3', '2026-Q3', 1, '[]', 'open', ?)`, now)
		if err != nil {
			return fmt.Errorf("cycle: %w", err)
		}
		type person struct{ id, unit, manager int64 }
		var people []person
		rs, err := tx.Query(ctx, `SELECT id, org_unit_id, COALESCE(manager_id, ?) FROM people WHERE active AND org_unit_id IS NOT NULL AND id <> ?`, senior, senior)
		if err != nil {
			return err
		}
		for rs.Next() {
			var p person
			if err := rs.Scan(&p.id, &p.unit, &p.manager); err != nil {
				rs.Close()
				return err
			}
			people = append(people, p)
		}
		rs.Close()
		ratings := `{"product_knowledge":4,"sales_skills":4,"customer_service":3,"market_analysis":3,"leadership":3}`
		return benchdata.Bulk(ctx, tx, `INSERT INTO reviews (cycle_id, person_id, org_unit_id, reviewer_id, state, manager_ratings, final_rating, potential, released_at, updated_at)`,
			10, len(people), func(i int) []any {
				p := people[i]
				return []any{cycle, p.id, p.unit, p.manager, "released", ratings, 1 + i%5, 1 + i%3, now, now}
			})
	})
}
