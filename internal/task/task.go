// Package task runs work that a person starts and that outlasts the
// request which started it — a large import, an export — in the
// background, with progress the person can ask for, and keeps what it
// made for a while after it ends.
//
// Tasks live in the memory of the instance that runs them: progress is
// told many times a second and is of no use once the process is gone.
// Behind a load balancer, poll the instance that started the task (sticky
// sessions).
package task

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/echelonhq/echelon"
)

// State is where a task is in its life.
type State string

// The states of a task.
const (
	Running State = "running"
	Done    State = "done"
	Failed  State = "failed"
)

// Task is what is known of a task at one moment: a copy, which the runner
// does not change after handing it out.
type Task struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	State State  `json:"state"`
	// Done and Total count the units of work (rows); Total is 0 while unknown.
	Done     int            `json:"done"`
	Total    int            `json:"total"`
	Started  time.Time      `json:"started"`
	Finished *time.Time     `json:"finished,omitempty"`
	Error    *echelon.Error `json:"error,omitempty"` // why a failed task failed
	// Input is what the task was started with (Spec.Input), Result what its
	// work returned once it has finished; neither changes afterwards.
	Input  any `json:"-"`
	Result any `json:"-"`
}

// Spec describes a task to start.
type Spec struct {
	Kind  string // what the task does, such as "import"; Find looks a task up by kind and id
	Total int    // the units of work expected, 0 when unknown
	Input any    // what the task works on, for those who look at it while it runs
}

// Func is the work of a task. It tells its progress as it goes and
// returns the task's result; a result that is an io.Closer is closed when
// the task is forgotten (say, to remove a file it wrote). ctx carries the
// actor who started the task and ends only when the runner closes.
type Func func(ctx context.Context, progress func(done, total int)) (result any, err error)

// Runner starts tasks and keeps each one for a while after it ends. It is
// safe for concurrent use.
type Runner struct {
	keep time.Duration
	log  *slog.Logger
	ctx  context.Context // ends when the runner closes
	stop context.CancelFunc
	wg   sync.WaitGroup // the tasks running

	mu     sync.Mutex
	tasks  map[string]*entry
	closed bool
}

// entry is a task as the runner holds it.
type entry struct {
	Task
	owner int64       // the person who started it
	timer *time.Timer // forgets the finished task
}

// NewRunner returns a runner that forgets a finished task after keep and
// logs the internal errors of tasks to log.
func NewRunner(keep time.Duration, log *slog.Logger) *Runner {
	ctx, stop := context.WithCancel(context.Background())
	return &Runner{keep: keep, log: log, ctx: ctx, stop: stop, tasks: map[string]*entry{}}
}

// errClosed refuses a task after the runner closed.
var errClosed = errors.New("task: runner closed")

// Start runs fn in the background as the actor in ctx and returns the new
// task at once. The task goes on after ctx ends.
func (r *Runner) Start(ctx context.Context, s Spec, fn Func) (*Task, error) {
	a := echelon.ActorFrom(ctx)
	if a == nil {
		return nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	e := &entry{Task: Task{ID: rand.Text(), Kind: s.Kind, State: Running, Total: s.Total, Input: s.Input,
		Started: time.Now().UTC()}, owner: a.PersonID}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, errClosed
	}
	r.tasks[e.ID] = e
	r.wg.Add(1)
	go r.run(context.WithoutCancel(ctx), e, fn)
	t := e.Task
	return &t, nil
}

// run does the work of e and records how it ended.
func (r *Runner) run(parent context.Context, e *entry, fn Func) {
	defer r.wg.Done()
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	defer context.AfterFunc(r.ctx, cancel)()
	var result any
	var err error
	defer func() {
		if p := recover(); p != nil {
			result, err = nil, fmt.Errorf("task: panic: %v", p)
		}
		r.finish(e, result, err)
	}()
	result, err = fn(ctx, func(done, total int) { r.progress(e, done, total) })
}

// progress records how far e has come.
func (r *Runner) progress(e *entry, done, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e.Done, e.Total = done, total
}

// finish records the end of e and schedules it to be forgotten.
func (r *Runner) finish(e *entry, result any, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now().UTC()
	e.Finished, e.State, e.Result = &now, Done, result
	if err != nil {
		e.State, e.Error = Failed, r.userError(e, err)
	}
	e.timer = time.AfterFunc(r.keep, func() { r.forget(e.ID) })
}

// userError is err as the person who started the task may read it: an
// *echelon.Error as it is, anything else logged and shown as internal.
func (r *Runner) userError(e *entry, err error) *echelon.Error {
	var ue *echelon.Error
	if errors.As(err, &ue) {
		return ue
	}
	r.log.Error("task failed", "task", e.ID, "kind", e.Kind, "err", err)
	return echelon.Errorf(echelon.EINTERNAL, "error.internal")
}

// Find returns the task of the kind with the id, if the actor in ctx
// started it or is an administrator; any other is ENOTFOUND.
func (r *Runner) Find(ctx context.Context, kind, id string) (*Task, error) {
	a := echelon.ActorFrom(ctx)
	if a == nil {
		return nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.tasks[id]
	if !ok || e.Kind != kind || (e.owner != a.PersonID && !a.IsAdmin()) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "task.not_found")
	}
	t := e.Task
	return &t, nil
}

// forget drops a finished task and releases its result.
func (r *Runner) forget(id string) {
	r.mu.Lock()
	e, ok := r.tasks[id]
	delete(r.tasks, id)
	r.mu.Unlock()
	if ok {
		r.release(e)
	}
}

// release stops e's timer and closes its result; e is no longer in the map.
func (r *Runner) release(e *entry) {
	e.timer.Stop()
	if c, ok := e.Result.(io.Closer); ok {
		if err := c.Close(); err != nil {
			r.log.Error("task result not released", "task", e.ID, "kind", e.Kind, "err", err)
		}
	}
}

// Close ends the tasks still running, waits for them, and forgets every
// task. Start refuses new tasks afterwards.
func (r *Runner) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.stop()
	r.wg.Wait()
	r.mu.Lock()
	tasks := r.tasks
	r.tasks = map[string]*entry{}
	r.mu.Unlock()
	for _, e := range tasks {
		r.release(e)
	}
}
