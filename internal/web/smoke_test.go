package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

func TestServer_SignInThroughTheFormShowsTheHomePage(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		b := h.browse("eastRep")
		res, body := b.get("/")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "eastRep") {
			t.Fatalf("home: %d\n%s", res.StatusCode, body)
		}
	})
}

func TestServer_FormWithoutCSRFIsRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		b := h.browse("admin")
		b.get("/")
		res, _ := b.post("/lang", url.Values{"lang": {"en"}, "csrf": {"forged"}})
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("forged CSRF: status %d, want 403", res.StatusCode)
		}
	})
}
