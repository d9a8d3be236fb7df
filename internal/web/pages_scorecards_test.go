package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/i18n"
)

// The scorecard and leaderboard pages as each role uses them. The admin
// sets the templates up through the API; the forms are posted as a
// browser would.

const scManagersTemplate = `{"name":"Managers","role":"regional_manager","lines":[{"kpi":"won_revenue","weight":100,"source":"plan"}]}`

const scRepsTemplate = `{"name":"Reps 代表","role":"rep","lines":[{"kpi":"won_revenue","weight":60,"source":"plan"},` +
	`{"kpi":"win_rate","weight":20,"source":"fixed","fixed":5000},{"kpi":"m_teamwork","weight":20}]}`

// scorecardHarness is a harness whose admin has set up the reps' and the
// regional managers' templates (none for marketing).
func scorecardHarness(t *testing.T, d *db.DB) *harness {
	t.Helper()
	h := newHarness(t, d)
	h.callJSON(t, "admin", "POST", "/api/v1/kpi-templates", scManagersTemplate, 201, nil)
	h.callJSON(t, "admin", "POST", "/api/v1/kpi-templates", scRepsTemplate, 201, nil)
	return h
}

func TestScorecardPages_EachRoleSeesWhatItMay(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := scorecardHarness(t, d)
		zh := i18n.Chinese
		p := func(key string) string { return id(h.People[key].ID) }
		u := func(key string) string { return id(h.Units[key].ID) }
		manualForm := `action="/scorecards/manual"`
		noTemplate := msg(t, zh, "scorecard.no_template", msg(t, zh, "role.marketing"))
		h.runPages(t, []pageCase{
			{"admin", "/scorecards?subject=u1&period=2026-05", 200, []string{msg(t, zh, "sc.title"), msg(t, zh, "sc.members"),
				`href="/scorecards?subject=p` + p("westRep") + `&amp;period=2026-05"`, "format=xlsx", msg(t, zh, "scorecard.col.total"),
				`href="/scorecards"`, msg(t, zh, "nav.scorecards"), `href="/leaderboards"`, msg(t, zh, "nav.leaderboards")}, []string{manualForm}},
			{"admin", "/scorecards?subject=p" + p("westRep"), 200, []string{"Reps 代表", manualForm, msg(t, zh, "kpi.m_teamwork"), msg(t, zh, "sc.not_entered")}, nil},
			{"senior", "/scorecards?subject=p" + p("eastRep") + "&period=2026-Q2", 200, []string{"Reps 代表", manualForm,
				"/kpis/won_revenue/evidence?", "period=2026-Q2"}, nil},
			{"eastMgr", "/scorecards?subject=u" + u("east"), 200, []string{"Managers", "eastRep"}, []string{"westRep", manualForm}},
			{"eastMgr", "/scorecards?subject=p" + p("eastRep"), 200, []string{manualForm}, nil},
			{"eastMgr", "/scorecards?subject=p" + p("westRep"), 404, nil, []string{"Reps 代表"}},
			{"eastRep", "/scorecards?period=2026-Q2", 200, []string{"Reps 代表", "/kpis/won_revenue/evidence?", "/kpis/win_rate/evidence?",
				"/api/v1/scorecards?", msg(t, zh, "sc.no_target")}, []string{manualForm, "westRep"}},
			{"eastRep", "/scorecards?subject=p" + p("westRep"), 404, nil, []string{"Reps 代表"}},
			{"eastRep", "/scorecards?person_id=" + p("westRep"), 404, nil, []string{"Reps 代表"}},
			{"eastRep", "/scorecards?subject=u1", 404, nil, nil},
			{"westRep", "/scorecards", 200, []string{"Reps 代表", "westRep"}, []string{manualForm, "eastRep"}},
			{"mkt", "/scorecards", 200, []string{noTemplate}, []string{manualForm}},
		})
		// The download is the API's spreadsheet, read with the page's session.
		b := h.browse("eastRep")
		res, body := b.get("/api/v1/scorecards?format=xlsx")
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "PK") {
			t.Errorf("scorecard download: %d %.40q", res.StatusCode, body)
		}
	})
}

func TestScorecardPages_ManagerEntersAManualKPIARepCannot(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := scorecardHarness(t, d)
		zh := i18n.Chinese
		rep := id(h.People["eastRep"].ID)
		in := func(score, comment string) url.Values {
			return url.Values{"person_id": {rep}, "period": {"2026-05"}, "code": {"m_teamwork"}, "score": {score}, "comment": {comment}}
		}
		b := h.browse("eastMgr")
		b.get("/scorecards?subject=p" + rep + "&period=2026-05")

		res, body := b.post("/scorecards/manual", in("250", "too generous"))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, zh, "scorecard.manual_score_invalid")) ||
			!strings.Contains(body, `value="too generous"`) {
			t.Errorf("score 250: %d, want 422 with the message and the form kept", res.StatusCode)
		}
		res, body = b.post("/scorecards/manual", in("90", "helped the team 乐于助人"))
		if res.StatusCode != http.StatusOK || !strings.Contains(body, msg(t, zh, "sc.flash.manual_saved")) ||
			!strings.Contains(body, "helped the team 乐于助人") || !strings.Contains(body, "90.0%") {
			t.Errorf("manual KPI: %d, want the scorecard with the rating\n%.600s", res.StatusCode, body)
		}
		res, body = b.post("/scorecards/manual", in("95", "again"))
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, `value="again"`) {
			t.Errorf("entering it again without its version: %d, want 409 with the form kept", res.StatusCode)
		}

		r := h.browse("eastRep")
		_, body = r.get("/scorecards?period=2026-05")
		if strings.Contains(body, `action="/scorecards/manual"`) || !strings.Contains(body, "helped the team 乐于助人") {
			t.Errorf("the rep sees their rating, without the form")
		}
		res, body = r.post("/scorecards/manual", in("200", "I am great"))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, zh, "kpi.subject_not_found")) {
			t.Errorf("rep rating themselves: %d, want 422 with the message", res.StatusCode)
		}
		if _, body = r.get("/scorecards?period=2026-05"); !strings.Contains(body, "90.0%") {
			t.Errorf("the rep's refused rating changed the card")
		}
	})
}

func TestLeaderboardPages_PublishThenTheRepSeesTheWholeBoard(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := scorecardHarness(t, d)
		zh := i18n.Chinese
		publish := `action="/leaderboards/publish"`
		board := "/leaderboards?org_unit_id=1&kpi=won_revenue"
		h.runPages(t, []pageCase{
			{"eastRep", board, 200, []string{msg(t, zh, "lb.title"), msg(t, zh, "lb.ranked", 2), msg(t, zh, "lb.unpublished"),
				`value="win_rate"`, msg(t, zh, "kpi.win_rate"), "format=xlsx"}, []string{"westRep", publish}},
			{"eastMgr", "/leaderboards", 200, []string{publish, "eastRep", msg(t, zh, "lb.publish")}, []string{"westRep"}},
			{"admin", "/leaderboards?kpi=csat", 200, []string{publish, msg(t, zh, "kpi.csat")}, nil},
			{"senior", board, 200, []string{publish, "eastRep", "westRep"}, nil},
		})
		r := h.browse("eastRep")
		r.get(board)
		if res, _ := r.post("/leaderboards/publish", url.Values{"org_unit_id": {"1"}, "kpi": {"won_revenue"}, "published": {"true"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("rep publishing: %d, want 403", res.StatusCode)
		}
		s := h.browse("senior")
		s.get(board)
		res, body := s.post("/leaderboards/publish", url.Values{"org_unit_id": {"1"}, "kpi": {"won_revenue"}, "published": {"true"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, msg(t, zh, "lb.flash.published")) || !strings.Contains(body, msg(t, zh, "lb.withdraw")) {
			t.Fatalf("publish: %d\n%.600s", res.StatusCode, body)
		}
		if _, body = r.get(board); !strings.Contains(body, "westRep") || !strings.Contains(body, msg(t, zh, "lb.published")) {
			t.Errorf("after publishing the rep does not see the whole board")
		}
		res, body = s.post("/leaderboards/publish", url.Values{"org_unit_id": {"1"}, "kpi": {"won_revenue"}, "published": {"false"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, msg(t, zh, "lb.flash.withdrawn")) {
			t.Errorf("withdraw: %d", res.StatusCode)
		}
		if _, body = r.get(board); strings.Contains(body, "westRep") {
			t.Errorf("after withdrawing the rep still sees the whole board")
		}
	})
}

func TestScorecardPages_InEnglish(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := scorecardHarness(t, d)
		en := i18n.English
		rep := id(h.People["eastRep"].ID)
		b := h.browse("eastMgr")
		b.get("/settings")
		b.post("/settings/lang", url.Values{"lang": {"en"}})
		for path, want := range map[string][]string{
			"/scorecards?subject=p" + rep: {`<html lang="en">`, msg(t, en, "sc.title"), msg(t, en, "sc.manual.title"), msg(t, en, "kpi.m_teamwork"),
				msg(t, en, "sc.download"), msg(t, en, "nav.scorecards"), msg(t, en, "nav.leaderboards")},
			"/leaderboards": {msg(t, en, "lb.title"), msg(t, en, "lb.publish"), msg(t, en, "kpi.won_revenue")},
		} {
			res, body := b.get(path)
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s: %d", path, res.StatusCode)
			}
			for _, s := range want {
				if !strings.Contains(body, s) {
					t.Errorf("%s in English lacks %q", path, s)
				}
			}
		}
		b.get("/scorecards?subject=p" + rep)
		res, body := b.post("/scorecards/manual", url.Values{"person_id": {rep}, "period": {"2026-05"}, "code": {"m_teamwork"}, "score": {"80"}, "comment": {" "}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, en, "scorecard.manual_comment_required")) {
			t.Errorf("no reason: %d, want 422 in English", res.StatusCode)
		}
		m := h.browse("mkt")
		m.get("/settings")
		m.post("/settings/lang", url.Values{"lang": {"en"}})
		if res, body := m.get("/scorecards"); res.StatusCode != http.StatusOK || !strings.Contains(body, msg(t, en, "scorecard.no_template", msg(t, en, "role.marketing"))) {
			t.Errorf("mkt in English: %d, want the no-template message", res.StatusCode)
		}
	})
}
