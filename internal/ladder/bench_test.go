package ladder_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/benchdata"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
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
			if err := co.OnTheLadder(ctx, d); err != nil {
				b.Fatal(err)
			}
			senior := echelon.NewContext(ctx, &echelon.Actor{PersonID: co.Senior, Name: "高经理", Role: echelon.RoleSeniorManager, UnitID: 1, UnitPath: "/1/"})
			svc := ladder.NewService(d, time.Now)
			var lat []time.Duration
			var people int
			b.ResetTimer()
			for range max(b.N, 10) {
				start := time.Now()
				board, err := svc.ReadinessBoard(senior, 0)
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				people = len(board.ReadyNow) + len(board.ReadySoon) + len(board.NotYet)
			}
			b.StopTimer()
			if people != 500 {
				b.Fatalf("readiness of %d people, want the 500 reps", people)
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.Logf("readiness of %d people: p50 %.0f ms, max %.0f ms", people, ms(lat[len(lat)/2]), ms(lat[len(lat)-1]))
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
