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

// The ladder, readiness and nomination pages as each role uses them: the
// admin edits a level's criteria, the regional manager nominates from a
// rep's readiness, the senior manager approves, and the rep sees the new
// level in their history — in Chinese, and in English for a rep who chose it.
func TestLadderPages_NominateApproveAndSeeTheNewLevel(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		vars := onLadder(t, h, "")
		zh, en := i18n.Chinese, i18n.English
		eastRep, westRep := id(h.People["eastRep"].ID), id(h.People["westRep"].ID)
		nominateForm := `action="/nominations"`
		h.runPages(t, []pageCase{
			{"admin", "/ladder", 200, []string{msg(t, zh, "ladder.title"), "初级销售代表", msg(t, zh, "ladder.score_rule", 80, 2, 60), `href="/ladder?edit=` + vars["{mid}"]}, nil},
			{"admin", "/ladder?edit=" + vars["{mid}"], 200, []string{`action="/ladder/` + vars["{mid}"] + `"`, `name="competencies.sales_skills"`, `value="product_basics" checked`}, nil},
			{"eastRep", "/ladder", 200, []string{msg(t, zh, "ladder.competency.sales_skills"), "产品知识认证"}, []string{`/ladder?edit=`}},
			{"admin", "/admin/levels", 200, []string{`href="/ladder"`}, nil},
			{"eastMgr", "/readiness", 200, []string{msg(t, zh, "readiness.bucket.not_yet"), `href="/readiness/` + eastRep + `"`, `name="unit"`}, []string{"westRep"}},
			{"senior", "/readiness?unit=" + id(h.Units["west"].ID), 200, []string{`href="/readiness/` + westRep + `"`}, []string{`href="/readiness/` + eastRep + `"`}},
			{"eastMgr", "/readiness?unit=" + id(h.Units["west"].ID), 404, nil, nil},
			{"eastMgr", "/readiness/" + eastRep, 200, []string{nominateForm, msg(t, zh, "readiness.kind.tenure"), msg(t, zh, "readiness.source.hire_date"), `action="/readiness/` + eastRep + `/certifications"`}, nil},
			{"eastMgr", "/readiness/" + westRep, 404, nil, nil},
			{"eastRep", "/readiness/" + eastRep, 200, []string{msg(t, zh, "readiness.person_title"), "产品知识认证"}, []string{nominateForm}},
			{"eastRep", "/readiness/" + westRep, 404, nil, nil},
			{"mkt", "/readiness", 200, []string{msg(t, zh, "readiness.empty")}, nil},
		})

		admin := h.browse("admin")
		admin.get("/ladder?edit=" + vars["{mid}"])
		res, body := admin.post("/ladder/"+vars["{mid}"], url.Values{"version": {"1"}, "min_tenure_months": {"12"}, "score_quarters": {"2"},
			"score_average": {"80"}, "score_floor": {"90"}, "certifications": {"product_basics"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, zh, "ladder.floor_above_average")) {
			t.Fatalf("a floor above the average: %d\n%.600s", res.StatusCode, body)
		}
		res, body = admin.post("/ladder/"+vars["{mid}"], url.Values{"version": {"1"}, "min_tenure_months": {"12"}, "score_quarters": {"2"},
			"score_average": {"80"}, "score_floor": {"60"}, "certifications": {"product_basics", "key_account"}, "competencies.sales_skills": {"3"}, "account_limit": {"30"}})
		if res.StatusCode != 200 || !strings.Contains(body, msg(t, zh, "ladder.flash.saved")) || !strings.Contains(body, "大客户管理认证") {
			t.Fatalf("saving the criteria: %d\n%.600s", res.StatusCode, body)
		}

		li := h.browse("eastMgr")
		li.get("/readiness/" + eastRep)
		res, body = li.post("/nominations", url.Values{"person_id": {eastRep}, "kind": {"promotion"}, "reason": {" "}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, zh, "field.required")) {
			t.Fatalf("a nomination without a reason: %d", res.StatusCode)
		}
		res, body = li.post("/nominations", url.Values{"person_id": {eastRep}, "kind": {"promotion"}, "reason": {"两个季度表现出色"}})
		if res.StatusCode != 200 || !strings.Contains(body, msg(t, zh, "nomination.flash.created")) || !strings.Contains(body, "两个季度表现出色") {
			t.Fatalf("nominating: %d\n%.600s", res.StatusCode, body)
		}
		if strings.Contains(body, `formaction="/nominations/`) {
			t.Fatal("the nominator is offered to decide their own nomination")
		}

		sun := h.browse("senior")
		_, body = sun.get("/nominations")
		if !strings.Contains(body, msg(t, zh, "nomination.to_decide")) || !strings.Contains(body, `/approve"`) {
			t.Fatalf("the senior manager has nothing to decide:\n%.800s", body)
		}
		var list struct{ Items []struct{ ID int64 } }
		h.callJSON(t, "senior", "GET", "/api/v1/nominations?view=to_decide", "", 200, &list)
		nom := id(list.Items[0].ID)
		res, body = sun.post("/nominations/"+nom+"/approve", url.Values{"version": {"1"}, "reason": {"同意"}})
		if res.StatusCode != 200 || !strings.Contains(body, msg(t, zh, "nomination.flash.approve")) {
			t.Fatalf("approving: %d\n%.600s", res.StatusCode, body)
		}

		h.callJSON(t, "eastRep", "PATCH", "/api/v1/me", `{"lang":"en"}`, 200, nil)
		zhao := h.browse("eastRep")
		_, body = zhao.get("/readiness/" + eastRep)
		for _, want := range []string{`<html lang="en">`, msg(t, en, "history.title"), "Junior sales rep → Sales rep", "同意", msg(t, en, "nomination.state.approved")} {
			if !strings.Contains(body, want) {
				t.Errorf("the rep's page lacks %q", want)
			}
		}
	})
}
