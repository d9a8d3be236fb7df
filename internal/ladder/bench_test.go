package ladder_test

import (
	"context"
	"testing"
	"time"

	"github.com/echelonhq/echelon/internal/benchdata"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/ladder"
)

// BenchmarkReadiness500 is issue 5's speed target: the promotion
// readiness of the standard company's 500 reps, computed in one call
// (≤ 1 s) — each rep's scorecard in each of the last two complete
// quarters (a revenue plan cascaded to every rep, a fixed win-rate
// target), tenure, certifications and released ratings — as the senior
// manager sees it on the readiness page.
//
//	ECHELON_BENCH_SCALE=1 go test ./internal/ladder -run '^$' -bench Readiness500 -benchtime 1x -timeout 30m
func BenchmarkReadiness500(b *testing.B) {
	benchdata.Run(b, func(b *testing.B, d *db.DB, co *benchdata.Company) {
		ctx := context.Background()
		if err := co.OnTheLadder(ctx, d); err != nil {
			b.Fatal(err)
		}
		senior, svc := co.Senior(ctx), ladder.NewService(d, time.Now)
		var people int
		benchdata.Latency(b, "readiness-500", max(b.N, 10), func() error {
			board, err := svc.ReadinessBoard(senior, 0)
			if err == nil {
				people = len(board.ReadyNow) + len(board.ReadySoon) + len(board.NotYet)
			}
			return err
		})
		if people != 500 {
			b.Fatalf("readiness of %d people, want the 500 reps", people)
		}
	})
}
