package importer_test

import (
	"context"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/importer"
)

func TestJobs_RunAnImportInTheBackgroundWithProgress(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		svc, _ := newService(d)
		jobs := importer.NewJobs(svc)
		ctx, cancel := context.WithCancel(admin())
		job, err := jobs.Start(ctx, importer.Request{Entity: importer.Accounts, File: "big.csv", Table: accountsCSV(2500)})
		cancel() // the request that started the job ends; the job goes on
		if err != nil || job.State != importer.JobRunning || job.Total != 2500 {
			t.Fatalf("start: %+v %v", job, err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for job.State == importer.JobRunning && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			if job, err = jobs.Find(admin(), job.ID); err != nil {
				t.Fatal(err)
			}
			if job.Done > job.Total {
				t.Fatalf("progress %d of %d", job.Done, job.Total)
			}
		}
		if job.State != importer.JobDone || job.Report == nil || !job.Report.Committed || job.Report.Created != 2500 || job.Done != 2500 {
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
