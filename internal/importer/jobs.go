package importer

import (
	"context"

	"github.com/echelonhq/echelon/internal/task"
)

// JobKind is the kind of the tasks that run imports.
const JobKind = "import"

// Job is an import running in the background: the task with its progress
// in rows and, once finished, the import's report.
type Job struct {
	task.Task
	Entity Entity  `json:"entity"`
	File   string  `json:"file"`
	Report *Report `json:"report,omitempty"`
}

// jobInput is what an import task works on.
type jobInput struct {
	Entity Entity
	File   string
}

// Jobs runs imports as background tasks, so that a long file neither holds
// a request open nor leaves the person without news: they poll the job's
// progress and read the report when it is done.
type Jobs struct {
	svc   *Service
	tasks *task.Runner
}

// NewJobs returns a job runner over the import service.
func NewJobs(svc *Service, tasks *task.Runner) *Jobs { return &Jobs{svc: svc, tasks: tasks} }

// Start checks the request, then imports it in the background as the actor in ctx.
func (j *Jobs) Start(ctx context.Context, req Request) (*Job, error) {
	if _, err := j.svc.prepare(req); err != nil {
		return nil, err
	}
	spec := task.Spec{Kind: JobKind, Total: len(req.Table.Rows), Input: jobInput{Entity: req.Entity, File: req.File}}
	t, err := j.tasks.Start(ctx, spec, func(ctx context.Context, progress func(done, total int)) (any, error) {
		req.Progress = progress
		return j.svc.Import(ctx, req)
	})
	if err != nil {
		return nil, err
	}
	return jobOf(t), nil
}

// Find returns an import job started by the actor (an admin sees every
// job); anyone else's is ENOTFOUND.
func (j *Jobs) Find(ctx context.Context, id string) (*Job, error) {
	t, err := j.tasks.Find(ctx, JobKind, id)
	if err != nil {
		return nil, err
	}
	return jobOf(t), nil
}

func jobOf(t *task.Task) *Job {
	in, _ := t.Input.(jobInput)
	rep, _ := t.Result.(*Report)
	return &Job{Task: *t, Entity: in.Entity, File: in.File, Report: rep}
}
