package job

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

func TestRunner_RunsAJobOnceAcrossInstances(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		var runs atomic.Int32
		j := Job{Name: "count", Every: time.Hour, Run: func(context.Context) error { runs.Add(1); return nil }}
		// Two "instances" of the app share the database and tick at the same moment.
		a, b := NewRunner(d, log), NewRunner(d, log)
		a.holder, b.holder = "a", "b"
		var wg sync.WaitGroup
		for _, r := range []*Runner{a, b, a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := r.RunOnce(context.Background(), j); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if n := runs.Load(); n != 1 {
			t.Fatalf("job ran %d times in one period, want 1", n)
		}
		// In the next period it runs again, once.
		later := func() time.Time { return time.Now().Add(time.Hour) }
		a.now, b.now = later, later
		ranA, _ := a.RunOnce(context.Background(), j)
		ranB, _ := b.RunOnce(context.Background(), j)
		if !ranA || ranB || runs.Load() != 2 {
			t.Fatalf("next period: a ran %v, b ran %v, total %d; want true, false, 2", ranA, ranB, runs.Load())
		}
	})
}
