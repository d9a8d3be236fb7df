package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/i18n"
	"github.com/echelonhq/echelon/internal/importer"
	"github.com/echelonhq/echelon/internal/task"
	"github.com/echelonhq/echelon/internal/web"
)

// The background side of imports and exports: starting a job, reading its
// progress and report, downloading what an export wrote; only the person
// who started a job (or an admin) may read it.

func init() {
	scenarioTables = append(scenarioTables, jobAPIScenarios)
	structSchemas["Task"] = structSchema{task.Task{}, true}
	structSchemas["ImportJob"] = structSchema{importer.Job{}, true}
	structSchemas["ExportJob"] = structSchema{web.ExportJob{}, true}
}

// jobAnswer is what the tests read of a job.
type jobAnswer struct {
	ID       string
	Kind     string
	State    string
	Done     int
	Total    int
	Download string
	Error    *struct{ Code, Message string }
	Report   *struct {
		Committed bool
		Rows      int
		Created   int
		Results   []struct {
			Notes []struct{ Key, Message string }
		}
	}
}

// startJob starts a job through the API as who and returns its id.
func (h *harness) startJob(t *testing.T, who, path, contentType, body string) string {
	t.Helper()
	res, out := h.sendType(t, "POST", path, h.token(who), "", contentType, body)
	var job jobAnswer
	if res.StatusCode != http.StatusAccepted || json.Unmarshal(out, &job) != nil || job.ID == "" || job.State != "running" {
		t.Fatalf("start a job at %s as %s: %d\n%s", path, who, res.StatusCode, out)
	}
	if loc := res.Header.Get("Location"); !strings.HasSuffix(loc, "/jobs/"+job.ID) {
		t.Errorf("Location %q does not name job %s", loc, job.ID)
	}
	return job.ID
}

// pollJob reads the job at path as who, in lang, until it has ended, and
// returns its last answer, checked against the document.
func (h *harness) pollJob(t *testing.T, who, lang, route, path string) jobAnswer {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		res, out := h.send(t, "GET", path, h.token(who), lang, "")
		var job jobAnswer
		if res.StatusCode != http.StatusOK || json.Unmarshal(out, &job) != nil {
			t.Fatalf("GET %s as %s: %d\n%s", path, who, res.StatusCode, out)
		}
		for _, p := range loadDoc(t).checkResponse("GET", route, res, out) {
			t.Errorf("does not match openapi.json: %s", p)
		}
		if job.Total > 0 && job.Done > job.Total {
			t.Fatalf("progress %d of %d", job.Done, job.Total)
		}
		if job.State != "running" || time.Now().After(deadline) {
			return job
		}
	}
}

// importJobOf is a setup that starts an import dry run as a job of owner
// (the caller when ""), as {job}.
func importJobOf(owner string) func(*testing.T, *harness, string) map[string]string {
	return func(t *testing.T, h *harness, as string) map[string]string {
		t.Helper()
		ct, body := multipartForm(formPart{"entity", "", "accounts"}, accountsFile("Job", ""), formPart{"dry_run", "", "true"},
			formPart{"async", "", "true"})
		return map[string]string{"{job}": h.startJob(t, or(owner, as), "/api/v1/imports", ct, body)}
	}
}

// exportJobOf is a setup that starts an export of accounts as a job of
// owner (the caller when ""), as {job}; finished waits until it is done.
func exportJobOf(owner string, finished bool) func(*testing.T, *harness, string) map[string]string {
	return func(t *testing.T, h *harness, as string) map[string]string {
		t.Helper()
		who := or(owner, as)
		id := h.startJob(t, who, "/api/v1/exports/accounts", "", "")
		if finished {
			if job := h.pollJob(t, who, "", "/api/v1/exports/jobs/{id}", "/api/v1/exports/jobs/"+id); job.State != "done" {
				t.Fatalf("setup: export job of %s: %+v", who, job)
			}
		}
		return map[string]string{"{job}": id}
	}
}

// text is a catalogue message as the API sends it (not escaped for HTML).
func text(t *testing.T, lang, key string, args ...any) string {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cat.T(lang, key, args...)
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// jobAPIScenarios tries the job routes, and the start of jobs on the
// import and export routes, as every role.
func jobAPIScenarios() []endpoint {
	const notFound = `"code":"not_found"`
	signedIn := matrixRoles[:5]
	each := func(f func(who string) apiCase) []apiCase {
		var out []apiCase
		for _, who := range signedIn {
			out = append(out, f(who))
		}
		return out
	}
	importing := func(c apiCase, parts ...formPart) apiCase {
		c.method, c.path, c.quiet = "POST", "/api/v1/imports", true
		return asUpload(c, append(parts, formPart{"async", "", "true"})...)
	}
	accounts, dry := formPart{"entity", "", "accounts"}, formPart{"dry_run", "", "true"}
	// readJob tries reading a job of each kind as everyone: their own, others', none.
	readJob := func(path, kind string, setup func(string) func(*testing.T, *harness, string) map[string]string) []apiCase {
		return append(each(func(who string) apiCase {
			return apiCase{name: who + " reads their own job", as: who, method: "GET", path: path, status: 200,
				want: `"kind":"` + kind + `"`, setup: setup("")}
		}),
			apiCase{name: "admin reads eastRep's job", as: "admin", method: "GET", path: path, status: 200, want: `"kind":"` + kind + `"`, setup: setup("eastRep")},
			apiCase{name: "eastRep cannot read westRep's job", as: "eastRep", method: "GET", path: path, status: 404, want: notFound, setup: setup("westRep")},
			apiCase{name: "eastMgr cannot read their rep's job", as: "eastMgr", method: "GET", path: path, status: 404, want: notFound, setup: setup("eastRep")},
			apiCase{name: "eastRep asking for a job that never was finds it not found", as: "eastRep", method: "GET",
				path: strings.Replace(path, "{job}", "NOSUCHJOB", 1), status: 404, want: notFound},
			apiCase{name: "anonymous is asked to sign in", method: "GET", path: path, status: 401, want: `"code":"unauthorized"`, setup: setup("eastRep")},
		)
	}
	return inCRM([]endpoint{
		{"POST /api/v1/imports", append(each(func(who string) apiCase {
			return importing(apiCase{name: who + " starts a dry run as a job", as: who, status: 202, want: `"kind":"import","state":"running"`},
				accounts, accountsFile("Async", ""), dry)
		}),
			importing(apiCase{name: "admin with an unknown entity is refused before a job starts", as: "admin", status: 422, want: `"field":"entity"`},
				formPart{"entity", "", "widgets"}, accountsFile("AsyncWidgets", "")),
			importing(apiCase{name: "eastRep without a file is a bad request", as: "eastRep", status: 400, want: `"field":"file"`}, accounts),
			importing(apiCase{name: "anonymous is asked to sign in", status: 401, want: `"code":"unauthorized"`}, accounts, accountsFile("AsyncAnon", "")),
		)},
		{"GET /api/v1/imports/jobs/{id}", append(readJob("/api/v1/imports/jobs/{job}", "import", importJobOf),
			apiCase{name: "eastRep's export job is no import job", as: "eastRep", method: "GET", path: "/api/v1/imports/jobs/{job}", status: 404,
				want: notFound, setup: exportJobOf("", false)},
		)},
		{"POST /api/v1/exports/{entity}", append(each(func(who string) apiCase {
			return apiCase{name: who + " starts an export of accounts", as: who, method: "POST", path: "/api/v1/exports/accounts?format=xlsx",
				status: 202, want: `"kind":"export","state":"running"`, quiet: true}
		}),
			apiCase{name: "admin asking for PDF is a bad request", as: "admin", method: "POST", path: "/api/v1/exports/accounts?format=pdf", status: 400, want: `"field":"format"`},
			apiCase{name: "admin exporting an unknown list finds it not found", as: "admin", method: "POST", path: "/api/v1/exports/secrets", status: 404, want: notFound},
			apiCase{name: "eastRep with a malformed filter is a bad request", as: "eastRep", method: "POST", path: "/api/v1/exports/accounts?owner_id=me", status: 400, want: `"field":"owner_id"`},
			anonymous("POST", "/api/v1/exports/accounts", ""),
		)},
		{"GET /api/v1/exports/jobs/{id}", readJob("/api/v1/exports/jobs/{job}", "export", func(owner string) func(*testing.T, *harness, string) map[string]string {
			return exportJobOf(owner, false)
		})},
		{"GET /api/v1/exports/jobs/{id}/file", append(each(func(who string) apiCase {
			return apiCase{name: who + " downloads their finished export", as: who, method: "GET", path: "/api/v1/exports/jobs/{job}/file", status: 200,
				want: "external_id,name", setup: exportJobOf("", true)}
		}),
			apiCase{name: "admin downloads eastRep's export", as: "admin", method: "GET", path: "/api/v1/exports/jobs/{job}/file", status: 200,
				want: eastAccountName, absent: []string{westAccountName}, setup: exportJobOf("eastRep", true)},
			apiCase{name: "eastRep cannot download westRep's export", as: "eastRep", method: "GET", path: "/api/v1/exports/jobs/{job}/file", status: 404,
				want: notFound, setup: exportJobOf("westRep", true)},
			apiCase{name: "anonymous is asked to sign in", method: "GET", path: "/api/v1/exports/jobs/{job}/file", status: 401,
				want: `"code":"unauthorized"`, setup: exportJobOf("eastRep", true)},
		)},
	})
}

func TestJobsAPI_AnImportJobShowsProgressThenTheReportInTheCallersLanguage(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		var file strings.Builder
		file.WriteString("name,industry\n")
		for i := range 1500 {
			fmt.Fprintf(&file, "Async Pool %04d,Retail\n", i)
		}
		ct, body := multipartForm(formPart{"entity", "", "accounts"}, formPart{"file", "pool.csv", file.String()}, formPart{"async", "", "true"})
		id := h.startJob(t, "admin", "/api/v1/imports", ct, body)
		path := "/api/v1/imports/jobs/" + id
		for _, lang := range []string{i18n.English, i18n.Chinese} {
			job := h.pollJob(t, "admin", lang, "/api/v1/imports/jobs/{id}", path)
			if job.State != "done" || job.Done != 1500 || job.Total != 1500 || job.Report == nil || !job.Report.Committed || job.Report.Created != 1500 {
				t.Fatalf("%s: the finished job: %+v", lang, job)
			}
			if notes := job.Report.Results[0].Notes; !slices.ContainsFunc(notes, func(n struct{ Key, Message string }) bool {
				return n.Key == "import.to_pool" && n.Message == text(t, lang, "import.to_pool")
			}) {
				t.Errorf("%s: the first row's notes read %+v", lang, notes)
			}
		}
		var list struct{ Items []any }
		h.callJSON(t, "admin", "GET", "/api/v1/accounts?q=Async+Pool&limit=200", "", 200, &list)
		if len(list.Items) != 200 {
			t.Errorf("the imported accounts: %d in the first page, want 200", len(list.Items))
		}
		for _, who := range []string{"westRep", "senior"} {
			if res, out := h.send(t, "GET", path, h.token(who), "", ""); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s reads admin's import job: %d %s", who, res.StatusCode, out)
			}
		}
	})
}

func TestJobsAPI_AnImportJobTheServiceRefusesEndsFailedAndSaysWhy(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		ct, body := multipartForm(formPart{"entity", "", "people"}, formPart{"async", "", "true"},
			formPart{"file", "people.csv", "email,name,role,org_unit\nfriend@example.com,Friend,rep,East team A\n"})
		id := h.startJob(t, "eastRep", "/api/v1/imports", ct, body)
		job := h.pollJob(t, "eastRep", i18n.English, "/api/v1/imports/jobs/{id}", "/api/v1/imports/jobs/"+id)
		if job.State != "failed" || job.Report != nil || job.Error == nil || job.Error.Code != "forbidden" || job.Error.Message != text(t, i18n.English, "perm.forbidden") {
			t.Fatalf("a rep's import of people: %+v", job)
		}
	})
}

func TestJobsAPI_AnExportJobWritesWhatTheDirectExportWould(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		crmSeed(t, h)
		for _, format := range []string{"csv", "xlsx"} {
			query := "?format=" + format + "&sort=name"
			id := h.startJob(t, "eastRep", "/api/v1/exports/accounts"+query, "", "")
			job := h.pollJob(t, "eastRep", "", "/api/v1/exports/jobs/{id}", "/api/v1/exports/jobs/"+id)
			file := "/api/v1/exports/jobs/" + id + "/file"
			if job.State != "done" || job.Kind != "export" || job.Done != 1 || job.Total != 0 || job.Download != file {
				t.Fatalf("%s: the finished job: %+v", format, job)
			}
			res, got := h.send(t, "GET", file, h.token("eastRep"), "", "")
			_, want := h.send(t, "GET", "/api/v1/exports/accounts"+query, h.token("eastRep"), "", "")
			same := string(got) == string(want)
			if format == "xlsx" {
				same = strings.HasPrefix(string(got), "PK") // a zip, stamped with the time it was written
			}
			if res.StatusCode != http.StatusOK || !same {
				t.Errorf("%s: the job's file (%d) differs from the direct export:\n%s\n---\n%s", format, res.StatusCode, got, want)
			}
			for _, p := range loadDoc(t).checkResponse("GET", "/api/v1/exports/jobs/{id}/file", res, got) {
				t.Errorf("does not match openapi.json: %s", p)
			}
			if cd := res.Header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment; filename="accounts-\d{8}-\d{4}\.` + format + `"$`).MatchString(cd) {
				t.Errorf("%s: Content-Disposition %q", format, cd)
			}
			if again, _ := h.send(t, "GET", file, h.token("eastRep"), "", ""); again.StatusCode != http.StatusOK {
				t.Errorf("%s: a second download: %d", format, again.StatusCode)
			}
			if res, _ := h.send(t, "GET", file, h.token("westRep"), "", ""); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: westRep downloads eastRep's file: %d", format, res.StatusCode)
			}
		}
		if res, out := h.send(t, "GET", "/api/v1/exports/jobs/NOSUCHJOB/file", h.token("eastRep"), "", ""); res.StatusCode != http.StatusNotFound {
			t.Errorf("the file of a job that never was: %d %s", res.StatusCode, out)
		}
	})
}
