package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

func TestImportPage_ALargeFileRunsAsAJobWithProgress(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		b := h.browse("eastRep")
		b.get("/import")
		var file strings.Builder
		file.WriteString("客户名称,城市\n")
		for i := 0; i < 2500; i++ {
			fmt.Fprintf(&file, "后台导入客户%05d,上海\n", i)
		}
		res, body := b.upload("/import", map[string]string{"entity": "accounts"}, map[string]string{"file": file.String()})
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Request.URL.Path, "/import/jobs/") {
			t.Fatalf("upload of 2,500 rows: %d at %s\n%.1500s", res.StatusCode, res.Request.URL.Path, body)
		}
		job := res.Request.URL.Path
		deadline := time.Now().Add(60 * time.Second)
		for strings.Contains(body, `http-equiv="refresh"`) && time.Now().Before(deadline) {
			if !strings.Contains(body, "<progress") {
				t.Fatalf("a running job's page shows no progress:\n%.1500s", body)
			}
			time.Sleep(100 * time.Millisecond)
			res, body = b.get(job)
		}
		if res.StatusCode != http.StatusOK || strings.Contains(body, `http-equiv="refresh"`) || !strings.Contains(body, "2,500") {
			t.Fatalf("finished job page: %d\n%.2000s", res.StatusCode, body)
		}
		var list struct{ Items []any }
		h.apiGet(t, "eastRep", "/api/v1/accounts?q=后台导入客户&limit=200", &list)
		if len(list.Items) != 200 {
			t.Fatalf("eastRep sees %d imported accounts in the first page, want 200", len(list.Items))
		}
		// Another person cannot look at the job.
		other := h.browse("westRep")
		if res, _ := other.get(job); res.StatusCode != http.StatusNotFound {
			t.Fatalf("westRep opens eastRep's import job: %d, want 404", res.StatusCode)
		}
	})
}
