package benchdata

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

// Run runs a benchmark on the standard company loaded at Scale() into a
// fresh SQLite database and, when one is configured, a PostgreSQL one.
func Run(b *testing.B, fn func(b *testing.B, d *db.DB, c *Company)) {
	for _, open := range []struct {
		name string
		fn   func(testing.TB) *db.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		b.Run(open.name, func(b *testing.B) {
			d := open.fn(b)
			c, err := Standard(context.Background(), d, Scale())
			if err != nil {
				b.Fatal(err)
			}
			fn(b, d, c)
		})
	}
}

// Latency calls a read n times and logs and reports its p50 and p95 in
// milliseconds under name.
func Latency(b *testing.B, name string, n int, call func() error) {
	b.Helper()
	lat := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if err := call(); err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p50, p95 := Ms(lat[len(lat)/2]), Ms(lat[len(lat)*95/100])
	b.Logf("%-18s p50 %7.2f ms  p95 %7.2f ms", name, p50, p95)
	b.ReportMetric(p95, name+"-p95-ms")
}

// Ms is a duration in milliseconds.
func Ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Senior is ctx with the company's senior manager signed in.
func (c *Company) Senior(ctx context.Context) context.Context {
	return echelon.NewContext(ctx, &echelon.Actor{PersonID: c.SeniorID, Name: "高经理", Role: echelon.RoleSeniorManager, UnitID: 1, UnitPath: "/1/"})
}
