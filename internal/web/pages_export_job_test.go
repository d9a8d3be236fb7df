package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

var (
	exportButton = regexp.MustCompile(`formaction="(/export/[a-z]+\?[^"]*format=csv[^"]*)"`)
	downloadLink = regexp.MustCompile(`href="(/api/v1/exports/jobs/[A-Z2-7]+/file)"`)
)

// exportFromPage presses the CSV export button of the page at path and
// follows the job's page, which refreshes itself, until it offers the
// download; it returns the job's page and its last body.
func (b *browser) exportFromPage(t *testing.T, path string) (job, body string) {
	t.Helper()
	_, body = b.get(path)
	m := exportButton.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s has no CSV export button:\n%.1500s", path, body)
	}
	res, body := b.post(html.UnescapeString(m[1]), url.Values{})
	job = res.Request.URL.Path
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(job, "/export/jobs/") {
		t.Fatalf("the export button: %d at %s\n%.1500s", res.StatusCode, job, body)
	}
	for deadline := time.Now().Add(60 * time.Second); strings.Contains(body, `http-equiv="refresh"`) && time.Now().Before(deadline); {
		if !strings.Contains(body, "<progress") {
			t.Fatalf("a running export's page shows no progress:\n%.1500s", body)
		}
		time.Sleep(50 * time.Millisecond)
		res, body = b.get(job)
	}
	if res.StatusCode != http.StatusOK || strings.Contains(body, `http-equiv="refresh"`) {
		t.Fatalf("the finished export's page: %d\n%.1500s", res.StatusCode, body)
	}
	return job, body
}

func TestExportPage_AListsExportRunsAsAJobThenOffersTheDownload(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		seed := crmSeed(t, h)
		b := h.browse("eastRep")
		job, body := b.exportFromPage(t, "/accounts?q=East")
		if w, ok := hasAll(body, msg(t, "zh-CN", "crm.export.ready_title"), msg(t, "zh-CN", "crm.export.job_done", "1"),
			msg(t, "zh-CN", "crm.entity.accounts"), `name="viewport"`); !ok {
			t.Errorf("the finished export's page lacks %q:\n%.2000s", w, body)
		}
		link := downloadLink.FindStringSubmatch(body)
		if link == nil {
			t.Fatalf("the finished export's page offers no download:\n%.2000s", body)
		}
		res, csv := b.get(link[1])
		if res.StatusCode != http.StatusOK || !strings.Contains(csv, eastAccountName) || strings.Contains(csv, westAccountName) ||
			!strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="accounts-`) {
			t.Errorf("the download: %d %q\n%s", res.StatusCode, res.Header.Get("Content-Disposition"), csv)
		}
		other := h.browse("westRep")
		for _, path := range []string{job, link[1]} {
			if res, _ := other.get(path); res.StatusCode != http.StatusNotFound {
				t.Errorf("westRep opens eastRep's %s: %d, want 404", path, res.StatusCode)
			}
		}

		// In English, and from the activities of an account.
		if res, _ := b.post("/settings/lang", url.Values{"lang": {"en"}}); res.StatusCode != http.StatusOK {
			t.Fatalf("switch to English: %d", res.StatusCode)
		}
		_, body = b.exportFromPage(t, "/accounts/"+seed["{eastAccount}"])
		if w, ok := hasAll(body, msg(t, "en", "crm.export.ready_title"), msg(t, "en", "crm.entity.activities"),
			msg(t, "en", "crm.export.download"), msg(t, "en", "crm.export.job_kept")); !ok {
			t.Errorf("the English page lacks %q:\n%.2000s", w, body)
		}
		if _, csv := b.get(downloadLink.FindStringSubmatch(body)[1]); !strings.Contains(csv, "Intro call East") {
			t.Errorf("the account's activities:\n%s", csv)
		}
	})
}

func TestExportPage_AnExportThatCannotBeMadeStartsNoJob(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		b := h.browse("eastRep")
		b.get("/accounts")
		for path, status := range map[string]int{
			"/export/accounts?format=pdf": http.StatusBadRequest,
			"/export/secrets?format=csv":  http.StatusNotFound,
		} {
			if res, body := b.post(path, url.Values{}); res.StatusCode != status || strings.HasPrefix(res.Request.URL.Path, "/export/jobs/") {
				t.Errorf("POST %s: %d at %s, want %d\n%.800s", path, res.StatusCode, res.Request.URL.Path, status, body)
			}
		}
		if res, _ := b.post("/export/accounts?format=csv", url.Values{"csrf": {"forged"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("an export without the CSRF token: %d, want 403", res.StatusCode)
		}
	})
}
