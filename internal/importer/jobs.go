package importer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"github.com/echelonhq/echelon"
)

// Job states.
const (
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// Job is an import running in the background, with its progress and, once
// finished, its report.
type Job struct {
	ID       string         `json:"id"`
	Entity   Entity         `json:"entity"`
	File     string         `json:"file"`
	State    string         `json:"state"`
	Done     int            `json:"done"`
	Total    int            `json:"total"`
	Report   *Report        `json:"report,omitempty"`
	Error    *echelon.Error `json:"error,omitempty"`
	Started  time.Time      `json:"started"`
	Finished *time.Time     `json:"finished,omitempty"`
	owner    int64
}

// jobTTL is how long a finished job's report stays available.
const jobTTL = time.Hour

// Jobs runs imports in the background so that a long file neither holds a
// browser request open nor leaves the person without news: the page polls
// the job's progress and shows the report when it is done. Jobs live in the
// memory of the instance that runs them (progress is written between rows
// of one transaction, which SQLite's single writer could not also persist);
// behind a load balancer, poll with the same instance (sticky sessions).
type Jobs struct {
	svc  *Service
	mu   sync.Mutex
	jobs map[string]*Job
}

// NewJobs returns a job runner over the import service.
func NewJobs(svc *Service) *Jobs { return &Jobs{svc: svc, jobs: map[string]*Job{}} }

// Start checks the request, then imports it in the background as the actor in ctx.
func (j *Jobs) Start(ctx context.Context, req Request) (*Job, error) {
	a := echelon.ActorFrom(ctx)
	if a == nil {
		return nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	if _, err := j.svc.prepare(req); err != nil {
		return nil, err
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	job := &Job{ID: hex.EncodeToString(b[:]), Entity: req.Entity, File: req.File, State: JobRunning,
		Total: len(req.Table.Rows), Started: time.Now().UTC(), owner: a.PersonID}
	j.mu.Lock()
	j.sweep()
	j.jobs[job.ID] = job
	j.mu.Unlock()
	req.Progress = func(done, total int) {
		j.mu.Lock()
		job.Done, job.Total = done, total
		j.mu.Unlock()
	}
	go j.run(context.WithoutCancel(ctx), job, req)
	return j.Find(ctx, job.ID)
}

func (j *Jobs) run(ctx context.Context, job *Job, req Request) {
	rep, err := j.svc.Import(ctx, req)
	j.mu.Lock()
	defer j.mu.Unlock()
	now := time.Now().UTC()
	job.Finished, job.State, job.Report = &now, JobDone, rep
	if err != nil {
		var e *echelon.Error
		if !errors.As(err, &e) {
			e = echelon.Errorf(echelon.EINTERNAL, "error.internal")
		}
		job.State, job.Error = JobFailed, e
	}
}

// Find returns a job started by the actor (an admin sees every job);
// anyone else's is ENOTFOUND.
func (j *Jobs) Find(ctx context.Context, id string) (*Job, error) {
	a := echelon.ActorFrom(ctx)
	if a == nil {
		return nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	job, ok := j.jobs[id]
	if !ok || (job.owner != a.PersonID && !a.IsAdmin()) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "import.job_not_found")
	}
	out := *job // a copy for the reader; the report is not changed after the job ends
	return &out, nil
}

// sweep forgets jobs finished longer than jobTTL ago; j.mu is held.
func (j *Jobs) sweep() {
	for id, job := range j.jobs {
		if job.Finished != nil && time.Since(*job.Finished) > jobTTL {
			delete(j.jobs, id)
		}
	}
}
