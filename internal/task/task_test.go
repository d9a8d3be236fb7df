package task_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/task"
)

func as(id int64, role echelon.Role) context.Context {
	return echelon.NewContext(context.Background(), &echelon.Actor{PersonID: id, Role: role, Name: fmt.Sprint("person ", id)})
}

var (
	rep      = as(7, echelon.RoleRep)
	otherRep = as(8, echelon.RoleRep)
	manager  = as(9, echelon.RoleRegionalManager)
	admin    = as(1, echelon.RoleAdmin)
)

func newRunner(t *testing.T, keep time.Duration) (*task.Runner, *bytes.Buffer) {
	t.Helper()
	var log bytes.Buffer
	r := task.NewRunner(keep, slog.New(slog.NewTextHandler(&log, nil)))
	t.Cleanup(r.Close)
	return r, &log
}

// waitFor polls the task as ctx until it is no longer running.
func waitFor(t *testing.T, r *task.Runner, ctx context.Context, id string) *task.Task {
	t.Helper()
	for {
		tk, err := r.Find(ctx, "test", id)
		if err != nil {
			t.Fatalf("find %s: %v", id, err)
		}
		if tk.State != task.Running {
			return tk
		}
		time.Sleep(time.Millisecond)
	}
}

// closer is a result that records being closed.
type closer struct{ closed atomic.Int32 }

func (c *closer) Close() error { c.closed.Add(1); return nil }

func TestRunner_ATaskRunsInTheBackgroundWithProgressForItsStarterOnly(t *testing.T) {
	r, _ := newRunner(t, time.Hour)
	step := make(chan struct{})
	ctx, cancel := context.WithCancel(rep)
	tk, err := r.Start(ctx, task.Spec{Kind: "test", Total: 3, Input: "file.csv"}, func(ctx context.Context, progress func(int, int)) (any, error) {
		if echelon.ActorFrom(ctx).PersonID != 7 {
			return nil, errors.New("the task does not run as the person who started it")
		}
		for i := 1; i <= 3; i++ {
			<-step
			progress(i, 3)
		}
		return "report", ctx.Err()
	})
	cancel() // the request that started the task ends; the task goes on
	if err != nil || tk.State != task.Running || tk.Total != 3 || tk.Done != 0 || tk.Input != "file.csv" || tk.ID == "" || tk.Started.IsZero() {
		t.Fatalf("started: %+v %v", tk, err)
	}
	step <- struct{}{}
	step <- struct{}{}
	for tk.Done < 1 {
		time.Sleep(time.Millisecond)
		if tk, err = r.Find(rep, "test", tk.ID); err != nil {
			t.Fatal(err)
		}
	}
	if tk.State != task.Running || tk.Result != nil || tk.Finished != nil {
		t.Fatalf("a running task: %+v", tk)
	}
	for _, who := range []context.Context{otherRep, manager} {
		if _, err := r.Find(who, "test", tk.ID); echelon.ErrorCode(err) != echelon.ENOTFOUND {
			t.Errorf("%s reads another person's task: %v", echelon.ActorFrom(who).Name, err)
		}
	}
	if _, err := r.Find(rep, "export", tk.ID); echelon.ErrorCode(err) != echelon.ENOTFOUND {
		t.Errorf("the task is found as another kind: %v", err)
	}
	step <- struct{}{}
	tk = waitFor(t, r, admin, tk.ID) // an administrator sees every task
	if tk.State != task.Done || tk.Done != 3 || tk.Result != "report" || tk.Error != nil || tk.Finished == nil {
		t.Fatalf("finished: %+v", tk)
	}
}

func TestRunner_SignInIsRequired(t *testing.T) {
	r, _ := newRunner(t, time.Hour)
	nobody := func(context.Context, func(int, int)) (any, error) { return nil, nil }
	if _, err := r.Start(context.Background(), task.Spec{Kind: "test"}, nobody); echelon.ErrorCode(err) != echelon.EUNAUTHORIZED {
		t.Errorf("start without an actor: %v", err)
	}
	if _, err := r.Find(context.Background(), "test", "x"); echelon.ErrorCode(err) != echelon.EUNAUTHORIZED {
		t.Errorf("find without an actor: %v", err)
	}
}

func TestRunner_AFailedTaskSaysWhyWithoutLeakingInternals(t *testing.T) {
	r, log := newRunner(t, time.Hour)
	for _, c := range []struct {
		name string
		fn   task.Func
		code string
	}{
		{"a refusal is kept as it is", func(context.Context, func(int, int)) (any, error) {
			return nil, fmt.Errorf("import: %w", echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden"))
		}, echelon.EFORBIDDEN},
		{"another error is internal", func(context.Context, func(int, int)) (any, error) {
			return nil, errors.New("disk on fire")
		}, echelon.EINTERNAL},
		{"a panic is internal", func(context.Context, func(int, int)) (any, error) {
			panic("out of range")
		}, echelon.EINTERNAL},
	} {
		t.Run(c.name, func(t *testing.T) {
			tk, err := r.Start(rep, task.Spec{Kind: "test"}, c.fn)
			if err != nil {
				t.Fatal(err)
			}
			tk = waitFor(t, r, rep, tk.ID)
			if tk.State != task.Failed || tk.Error == nil || tk.Error.Code != c.code || tk.Finished == nil {
				t.Fatalf("failed task: %+v", tk)
			}
			if c.code == echelon.EINTERNAL && (tk.Error.Key != "error.internal" || len(tk.Error.Args) != 0) {
				t.Errorf("an internal failure shows %+v", tk.Error)
			}
		})
	}
	if !strings.Contains(log.String(), "disk on fire") || !strings.Contains(log.String(), "out of range") {
		t.Errorf("internal failures are not logged:\n%s", log)
	}
}

func TestRunner_AFinishedTaskIsForgottenAfterKeepAndItsResultReleased(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRunner(t, time.Hour)
		res := &closer{}
		tk, err := r.Start(rep, task.Spec{Kind: "test"}, func(context.Context, func(int, int)) (any, error) {
			time.Sleep(10 * time.Minute) // a long task is not forgotten while it runs
			return res, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(10*time.Minute + 59*time.Minute)
		synctest.Wait()
		if tk, err := r.Find(rep, "test", tk.ID); err != nil || tk.State != task.Done || res.closed.Load() != 0 {
			t.Fatalf("59 minutes after it ended: %+v %v, closed %d", tk, err, res.closed.Load())
		}
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		if _, err := r.Find(rep, "test", tk.ID); echelon.ErrorCode(err) != echelon.ENOTFOUND {
			t.Fatalf("an hour after it ended: %v", err)
		}
		if n := res.closed.Load(); n != 1 {
			t.Errorf("the result was closed %d times, want once", n)
		}
	})
}

func TestRunner_CloseEndsRunningTasksAndReleasesEveryResult(t *testing.T) {
	r, _ := newRunner(t, time.Hour)
	done, running := &closer{}, &closer{}
	started := make(chan struct{})
	first, err := r.Start(rep, task.Spec{Kind: "test"}, func(context.Context, func(int, int)) (any, error) { return done, nil })
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, r, rep, first.ID)
	if _, err := r.Start(rep, task.Spec{Kind: "test"}, func(ctx context.Context, _ func(int, int)) (any, error) {
		close(started)
		<-ctx.Done() // only the runner's Close ends it
		return running, ctx.Err()
	}); err != nil {
		t.Fatal(err)
	}
	<-started
	r.Close()
	if done.closed.Load() != 1 || running.closed.Load() != 1 {
		t.Errorf("closed results: finished %d, running %d, want 1 and 1", done.closed.Load(), running.closed.Load())
	}
	if _, err := r.Find(rep, "test", first.ID); echelon.ErrorCode(err) != echelon.ENOTFOUND {
		t.Errorf("a task after Close: %v", err)
	}
	if _, err := r.Start(rep, task.Spec{Kind: "test"}, func(context.Context, func(int, int)) (any, error) { return nil, nil }); err == nil {
		t.Error("a closed runner started a task")
	}
}

func TestRunner_ManyPeopleStartAndPollAtOnce(t *testing.T) {
	r, _ := newRunner(t, 0) // forgotten as soon as they end, while others still poll
	var wg sync.WaitGroup
	for p := int64(1); p <= 8; p++ {
		wg.Go(func() {
			ctx := as(100+p, echelon.RoleRep)
			for range 10 {
				tk, err := r.Start(ctx, task.Spec{Kind: "test", Total: 50}, func(_ context.Context, progress func(int, int)) (any, error) {
					for i := range 50 {
						progress(i+1, 50)
					}
					return io.NopCloser(nil), nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				for {
					got, err := r.Find(ctx, "test", tk.ID)
					if err != nil || got.State != task.Running {
						break // done, or already forgotten
					}
					if got.Done > got.Total {
						t.Errorf("progress %d of %d", got.Done, got.Total)
					}
				}
			}
		})
	}
	wg.Wait()
}
