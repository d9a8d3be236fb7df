package importer_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/importer"
	"github.com/echelonhq/echelon/internal/sheet"
	"github.com/echelonhq/echelon/internal/task"
)

func newJobs(t *testing.T, svc *importer.Service) *importer.Jobs {
	t.Helper()
	tasks := task.NewRunner(time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(tasks.Close)
	return importer.NewJobs(svc, tasks)
}

// waitJob polls a job as ctx until it has finished.
func waitJob(t *testing.T, jobs *importer.Jobs, ctx context.Context, job *importer.Job) *importer.Job {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for job.State == task.Running && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		var err error
		if job, err = jobs.Find(ctx, job.ID); err != nil {
			t.Fatal(err)
		}
		if job.Done > job.Total {
			t.Fatalf("progress %d of %d", job.Done, job.Total)
		}
	}
	return job
}

func TestJobs_RunAnImportInTheBackgroundWithProgress(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		svc, _ := newService(d)
		jobs := newJobs(t, svc)
		ctx, cancel := context.WithCancel(admin())
		job, err := jobs.Start(ctx, importer.Request{Entity: importer.Accounts, File: "big.csv", Table: accountsCSV(2500)})
		cancel() // the request that started the job ends; the job goes on
		if err != nil || job.State != task.Running || job.Total != 2500 || job.Entity != importer.Accounts || job.File != "big.csv" {
			t.Fatalf("start: %+v %v", job, err)
		}
		job = waitJob(t, jobs, admin(), job)
		if job.State != task.Done || job.Report == nil || !job.Report.Committed || job.Report.Created != 2500 || job.Done != 2500 || job.File != "big.csv" {
			t.Fatalf("finished job: %+v", job)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM accounts`); n != 2500 {
			t.Fatalf("accounts after the job: %d", n)
		}
		other := echelon.NewContext(context.Background(), &echelon.Actor{PersonID: 42, Role: echelon.RoleRep, Name: "someone else"})
		if _, err := jobs.Find(other, job.ID); echelon.ErrorCode(err) != echelon.ENOTFOUND {
			t.Fatalf("another person reads the job: %v", err)
		}
		if _, err := jobs.Start(admin(), importer.Request{Entity: "invoices", Table: accountsCSV(1)}); echelon.ErrorCode(err) != echelon.EINVALID {
			t.Fatalf("unknown entity: %v", err)
		}
	})
}

func TestJobs_AnImportTheServiceRefusesEndsAsAFailedJob(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		svc, _ := newService(d)
		jobs := newJobs(t, svc)
		rep := echelon.NewContext(context.Background(), &echelon.Actor{PersonID: 42, Role: echelon.RoleRep, Name: "a rep"})
		people := &sheet.Table{Header: []string{"email", "name", "role"}, Rows: [][]string{{"new@example.com", "New", "rep"}}}
		job, err := jobs.Start(rep, importer.Request{Entity: importer.People, File: "people.csv", Table: people})
		if err != nil {
			t.Fatal(err)
		}
		job = waitJob(t, jobs, rep, job)
		if job.State != task.Failed || job.Error == nil || job.Error.Code != echelon.EFORBIDDEN || job.Report != nil {
			t.Fatalf("a rep's people import: %+v", job)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM people WHERE email = 'new@example.com'`); n != 0 {
			t.Fatalf("the refused import wrote %d people", n)
		}
	})
}
