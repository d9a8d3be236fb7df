package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

func TestTalentPages_ManagersSeeTheirSubtreeAndRepsTheirOwnDevelopment(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		u, p := h.Units, h.People
		grid, succession, risk := msg(t, "zh-CN", "talent.tab.grid"), msg(t, "zh-CN", "talent.succ.never"), msg(t, "zh-CN", "talent.risk.none")
		h.runPages(t, []pageCase{
			{who: "senior", path: "/talent", status: 200, has: []string{grid, msg(t, "zh-CN", "talent.cell.33"), `href="/people/` + id(p["westRep"].ID) + `/development"`}},
			{who: "admin", path: "/talent/succession", status: 200, has: []string{succession, `action="/talent/succession/refresh"`, "华南大区 West"}},
			{who: "eastMgr", path: "/talent/at-risk", status: 200, has: []string{risk, msg(t, "zh-CN", "talent.risk.heading", "华东大区 East")}},
			{who: "eastMgr", path: "/talent", status: 200, has: []string{`href="/people/` + id(p["eastRep"].ID) + `/development"`}, not: []string{"westRep"}},
			{who: "eastMgr", path: "/talent?org_unit_id=" + id(u["west"].ID), status: 404},
			{who: "eastRep", path: "/talent", status: 403},
			{who: "mkt", path: "/talent/succession", status: 403},
			{who: "eastRep", path: "/people/" + id(p["eastRep"].ID) + "/development", status: 200, has: []string{msg(t, "zh-CN", "talent.dev.timeline"), msg(t, "zh-CN", "talent.dev.level")}},
			{who: "eastMgr", path: "/people/" + id(p["eastRep"].ID) + "/development", status: 200, has: []string{"eastRep"}},
			{who: "eastRep", path: "/people/" + id(p["westRep"].ID) + "/development", status: 404},
			{who: "eastMgr", path: "/people/" + id(p["westRep"].ID) + "/development", status: 404},
		})
		// The nav offers the talent review to managers only.
		if _, body := h.browse("eastRep").get("/"); strings.Contains(body, `href="/talent"`) {
			t.Error("a rep's menu offers the talent review")
		}
		// Recomputing readiness fills the benches and says so.
		senior := h.browse("senior")
		senior.get("/talent/succession")
		status, where, body := senior.posted("/talent/succession/refresh", url.Values{"org_unit_id": {"1"}})
		if status != 200 || !strings.Contains(where, "flash=talent.flash.refreshed") || !strings.Contains(body, msg(t, "zh-CN", "talent.flash.refreshed")) {
			t.Errorf("refresh: %d %s", status, where)
		}
		if status, _, _ = h.browse("eastRep").posted("/talent/succession/refresh", url.Values{"org_unit_id": {"1"}}); status != 403 {
			t.Errorf("a rep refreshing readiness: %d, want 403", status)
		}
		// In English.
		senior.post("/settings/lang", url.Values{"lang": {"en"}})
		for path, want := range map[string]string{"/talent": msg(t, "en", "talent.cell.33"), "/talent/at-risk": msg(t, "en", "talent.tab.at_risk"),
			"/people/" + id(p["eastRep"].ID) + "/development": msg(t, "en", "talent.dev.timeline")} {
			if _, body := senior.get(path); !strings.Contains(body, want) {
				t.Errorf("%s in English lacks %q", path, want)
			}
		}
	})
}
