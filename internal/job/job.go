// Package job runs Echelon's background work (pool returns, session
// purges, …) on a schedule. Before each run a job takes a database lease,
// so with several app instances on one database each run happens once.
package job

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/echelonhq/echelon/internal/db"
)

// Job is one piece of recurring background work.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(context.Context) error
}

// Runner runs jobs until its context ends.
type Runner struct {
	db     *db.DB
	log    *slog.Logger
	holder string
	now    func() time.Time
}

// NewRunner returns a runner whose leases are held in the name of this process.
func NewRunner(d *db.DB, log *slog.Logger) *Runner {
	host, _ := os.Hostname()
	return &Runner{db: d, log: log, holder: fmt.Sprintf("%s/%d", host, os.Getpid()), now: time.Now}
}

// Start runs each job in its own goroutine, once at start and then every
// Every, until ctx ends.
func (r *Runner) Start(ctx context.Context, jobs ...Job) {
	for _, j := range jobs {
		go r.loop(ctx, j)
	}
}

func (r *Runner) loop(ctx context.Context, j Job) {
	t := time.NewTicker(j.Every)
	defer t.Stop()
	for {
		if _, err := r.RunOnce(ctx, j); err != nil && ctx.Err() == nil {
			r.log.Error("background job failed", "job", j.Name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce runs j if this process gets its lease for the current period,
// and reports whether it ran.
func (r *Runner) RunOnce(ctx context.Context, j Job) (bool, error) {
	// The lease lasts a little less than the period so the next tick can take it.
	ok, err := r.db.TryLease(ctx, j.Name, r.holder, r.now(), j.Every*9/10)
	if err != nil || !ok {
		return false, err
	}
	start := time.Now()
	if err := j.Run(ctx); err != nil {
		return true, fmt.Errorf("job %s: %w", j.Name, err)
	}
	r.log.Info("background job ran", "job", j.Name, "ms", time.Since(start).Milliseconds())
	return true, nil
}
