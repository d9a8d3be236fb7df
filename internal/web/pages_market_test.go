package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

func TestMarketPages_EachRoleSeesTheirSharesInChineseAndEnglish(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		vars := marketSeed(t, h)
		east := "/market-share/deals?by=territory&currency=CNY&key=" + vars["{eastTerritory}"] + "&period=2025-Q2"
		form := `action="/market-share/sizes?by=territory&amp;period=2025-Q2"`
		h.runPages(t, []pageCase{
			{who: "admin", path: "/market-share?period=2025-Q2", status: 200, has: []string{msg(t, "zh-CN", "market.title"), "East chips", "West wind",
				"15.0%", "20.0%", "10,000,000.00 CNY", "1,500,000.00 CNY", `href="` + strings.ReplaceAll(east, "&", "&amp;") + `"`, form,
				msg(t, "zh-CN", "market.import_h"), `name="segment"`}},
			{who: "admin", path: "/market-share?period=2025-Q2&by=segment", status: 200, has: []string{"Enterprise", "7.7%"}},
			{who: "senior", path: "/market-share?period=2025-Q2&by=region", status: 200, has: []string{"华东大区 East", "华南大区 West", "15.0%"}},
			{who: "eastMgr", path: "/market-share?period=2025-Q2", status: 200, has: []string{"East chips", form}, not: []string{"West wind", `name="segment"`}},
			{who: "eastRep", path: "/market-share?period=2025-Q2", status: 200, has: []string{"East chips", "15.0%"},
				not: []string{"West wind", `action="/market-share/sizes`, `action="/market-share/import`}},
			{who: "mkt", path: "/market-share?period=2025-Q2", status: 200, has: []string{msg(t, "zh-CN", "market.empty")}},
			{who: "admin", path: "/market-share?period=Q9", status: 400},
			{who: "admin", path: east, status: 200, has: []string{"East Chip Fab order", `href="/opportunities/`, "2025年5月10日"}},
			{who: "eastRep", path: east, status: 200, has: []string{"East Chip Fab order"}},
			{who: "westMgr", path: east, status: 404},
		})
		b := h.browse("eastRep")
		b.post("/lang", url.Values{"lang": {"en"}, "next": {"/market-share"}})
		for path, wants := range map[string][]string{
			"/market-share?period=2025-Q2": {msg(t, "en", "market.title"), msg(t, "en", "market.field.size"), "East chips", "15.0%", msg(t, "en", "market.nav")},
			east:                           {msg(t, "en", "market.deals.heading", "East chips"), "East Chip Fab order", "10 May 2025"},
		} {
			res, body := b.get(path)
			if x, ok := hasAll(body, wants...); res.StatusCode != http.StatusOK || !ok {
				t.Errorf("English %s: %d, lacks %q", path, res.StatusCode, x)
			}
		}
	})
}

func TestMarketPages_TheFormSetsASizeOrShowsWhyNot(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		vars := marketSeed(t, h)
		b := h.browse("eastMgr")
		b.get("/market-share?period=2025-Q2")
		action := "/market-share/sizes?by=territory&period=2025-Q2"
		size := func(period, amount string) url.Values {
			return url.Values{"size_period": {period}, "territory_id": {vars["{eastTerritory}"]}, "amount": {amount}, "currency": {"CNY"}}
		}
		for _, c := range []struct {
			name, period, amount, key, field string
			args                             []any
		}{
			{"ZeroSize", "2025-Q3", "0", "market.amount_invalid", "amount", nil},
			{"NegativeSize", "2025-Q3", "-3", "amount.invalid", "amount", nil},
			{"BadPeriod", "2025-Q9", "100", "period.invalid", "size_period", []any{"2025-Q9"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := h.fingerprint(t)
				res, body := b.post(action, size(c.period, c.amount))
				if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-`+c.field+`"`) ||
					!strings.Contains(body, msg(t, "zh-CN", c.key, c.args...)) {
					t.Fatalf("status %d; want the error beside %s:\n%.3000s", res.StatusCode, c.field, body)
				}
				if h.fingerprint(t) != before {
					t.Error("a refused form changed stored data")
				}
			})
		}
		res, body := b.post(action, size("2025-Q3", "2,000,000.00"))
		if res.StatusCode != http.StatusOK || res.Request.URL.Query().Get("period") != "2025-Q3" || !strings.Contains(body, msg(t, "zh-CN", "market.saved")) ||
			!strings.Contains(body, "2,000,000.00 CNY") {
			t.Fatalf("saved: %d %s", res.StatusCode, res.Request.URL)
		}
		var sizes struct{ Items []struct{ ID, Version int64 } }
		h.callJSON(t, "eastMgr", "GET", "/api/v1/market-sizes?period=2025-Q3", "", 200, &sizes)
		if len(sizes.Items) != 1 {
			t.Fatalf("sizes of 2025-Q3: %+v", sizes)
		}
		_, body = b.get("/market-share?period=2025-Q3&edit=" + id(sizes.Items[0].ID))
		if x, ok := hasAll(body, msg(t, "zh-CN", "market.edit_h"), `value="2000000.00"`, `name="version" value="1"`); !ok {
			t.Errorf("edit form lacks %q", x)
		}
		stale := size("2025-Q3", "1.00")
		stale.Set("version", "7")
		if res, _ := b.post(action, stale); res.StatusCode != http.StatusConflict {
			t.Errorf("stale version: %d", res.StatusCode)
		}
		rep := h.browse("eastRep")
		rep.get("/market-share")
		if res, _ := rep.post(action, size("2025-Q4", "5")); res.StatusCode != http.StatusForbidden {
			t.Errorf("a rep's form: %d, want 403", res.StatusCode)
		}
	})
}

func TestMarketPages_ImportDryRunThenForReal(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		marketSeed(t, h)
		b := h.browse("eastMgr")
		b.get("/market-share")
		count := func() int {
			var sizes struct{ Items []any }
			h.callJSON(t, "admin", "GET", "/api/v1/market-sizes", "", 200, &sizes)
			return len(sizes.Items)
		}
		before := count()
		file := "期间,区域,市场规模\n2025-Q4,East chips,3000000\n2025-Q4,West wind,1\n"
		res, body := b.upload("/market-share/import", map[string]string{"dry_run": "true"}, map[string]string{"file": file})
		if x, ok := hasAll(body, msg(t, "zh-CN", "crm.entity.market_sizes"), msg(t, "zh-CN", "crm.import.dry_run_done"),
			msg(t, "zh-CN", "market.territory_unknown", "West wind")); res.StatusCode != http.StatusOK || !ok {
			t.Fatalf("dry run: %d, lacks %q", res.StatusCode, x)
		}
		if res, _ = b.upload("/market-share/import", nil, map[string]string{"file": file}); res.StatusCode != http.StatusUnprocessableEntity || count() != before {
			t.Fatalf("a file with a bad row: %d, sizes %d → %d", res.StatusCode, before, count())
		}
		res, body = b.upload("/market-share/import", nil, map[string]string{"file": "期间,区域,市场规模\n2025-Q4,East chips,3000000\n"})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, msg(t, "zh-CN", "crm.import.summary_committed", "1")) || count() != before+1 {
			t.Fatalf("clean import: %d, sizes %d → %d", res.StatusCode, before, count())
		}
		if res, body = b.upload("/market-share/import", nil, nil); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-file"`) {
			t.Errorf("no file: %d", res.StatusCode)
		}
	})
}
