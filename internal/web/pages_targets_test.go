package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/target"
)

// The pages of targets, KPIs and the role dashboards, as each role uses
// them. Plans and deals are made through the API; the forms under test
// are posted as a browser would.

// Names to look for on the pages.
const (
	tpEastDeal = "Eastwind cloud rollout 东风云"
	tpWestDeal = "Westbrook grid upgrade 西溪电网"
)

// thisYear is the current fiscal year (the calendar starts in January by default).
func thisYear() int { return time.Now().In(echelon.CompanyZone()).Year() }

// targetWorld is a revenue plan of this year split ¥1,200,000 down the
// company, with a won deal for each rep: ids by key.
type targetWorld map[string]int64

func (w targetWorld) s(key string) string { return strconv.FormatInt(w[key], 10) }

// node is the path of the target of key in the plan.
func (w targetWorld) node(key string) string { return "/targets/" + w.s("plan") + "/nodes/" + w.s(key) }

// board reads the plan's targets as the admin through the API.
func (h *harness) board(t *testing.T, plan int64) []target.NodePace {
	t.Helper()
	var b struct{ Targets []target.NodePace }
	h.callJSON(t, "admin", "GET", fmt.Sprintf("/api/v1/targets/%d", plan), "", 200, &b)
	return b.Targets
}

// targetKeys names each target of the board by its fixture unit or person
// ("company" for the root).
func (h *harness) targetKeys(nodes []target.NodePace) map[string]target.NodePace {
	keyOf := map[[2]int64]string{{1, 0}: "company"}
	for k, u := range h.Units {
		keyOf[[2]int64{u.ID, 0}] = k
	}
	for k, p := range h.People {
		keyOf[[2]int64{p.UnitID, p.ID}] = k
	}
	out := map[string]target.NodePace{}
	for _, n := range nodes {
		out[keyOf[[2]int64{n.UnitID, n.PersonID}]] = n
	}
	return out
}

// targetPages opens this year's revenue plan as the senior manager, splits
// ¥1,200,000 down through the API and wins a deal for each rep today.
func targetPages(t *testing.T, h *harness, split bool) targetWorld {
	t.Helper()
	w := targetWorld{}
	var p target.Plan
	h.callJSON(t, "senior", "POST", "/api/v1/targets", fmt.Sprintf(`{"metric":"won_revenue","fiscal_year":%d}`, thisYear()), 201, &p)
	w["plan"], w["pv"] = p.ID, int64(p.Version)
	if split {
		company := h.targetKeys(h.board(t, p.ID))["company"]
		h.callJSON(t, "senior", "PATCH", fmt.Sprintf("/api/v1/targets/%d/nodes/%d", p.ID, company.ID),
			fmt.Sprintf(`{"version":%d,"amount":120000000,"cascade":true}`, company.Version), 200, nil)
	}
	for k, n := range h.targetKeys(h.board(t, p.ID)) {
		w[k] = n.ID
	}
	var stages struct{ Items []crm.Stage }
	h.apiGet(t, "admin", "/api/v1/stages", &stages)
	won := slices.IndexFunc(stages.Items, func(st crm.Stage) bool { return st.Outcome == crm.OutcomeWon })
	today := time.Now().In(echelon.CompanyZone()).Format(time.DateOnly)
	for _, d := range []struct{ key, rep, name string }{{"eastDeal", "eastRep", tpEastDeal}, {"westDeal", "westRep", tpWestDeal}} {
		w[d.key] = h.apiCreate(t, d.rep, "/api/v1/opportunities", map[string]any{"name": d.name, "stage_id": stages.Items[won].ID,
			"amount": 4500000, "engaged_on": today, "closed_on": today})
	}
	return w
}

func TestTargetPages_EachRoleSeesItsOwnPartAndNoMore(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		w := targetPages(t, h, true)
		u, p := h.Units, h.People
		plan := "/targets/" + w.s("plan")
		createForm, approveForm := `action="/targets"`, `action="`+plan+`/approve"`
		amountField := `name="amount"`
		cases := []pageCase{
			// The list of plans; the form that opens one only for admin and senior.
			{who: "admin", path: "/targets", status: 200, has: []string{`href="` + plan + `"`, createForm}},
			{who: "senior", path: "/targets", status: 200, has: []string{createForm, msg(t, "zh-CN", "tgt.state.draft")}},
			{who: "eastMgr", path: "/targets", status: 200, has: []string{`href="` + plan + `"`}, not: []string{createForm}},
			{who: "eastRep", path: "/targets", status: 200, not: []string{createForm}},
			{who: "mkt", path: "/targets", status: 200, not: []string{createForm}},
			// The tree: everyone sees their own part of it.
			{who: "admin", path: plan, status: 200, has: []string{">westRep<", ">eastRep<", ">华南大区 West<", "1,200,000.00 CNY", approveForm}},
			{who: "senior", path: plan, status: 200, has: []string{">westRep<", approveForm, `href="` + w.node("east") + `?period=` + strconv.Itoa(thisYear()) + `#edit"`}},
			{who: "eastMgr", path: plan, status: 200, has: []string{">eastRep<", ">East team A<", "600,000.00 CNY"}, not: []string{"westRep", "华南大区 West", approveForm, `href="` + w.node("east") + `?period=` + strconv.Itoa(thisYear()) + `#edit"`}},
			{who: "eastRep", path: plan, status: 200, has: []string{">eastRep<", "45,000.00 CNY"}, not: []string{"westRep", `href="` + w.node("eastA"), "华东大区 East", approveForm}},
			{who: "mkt", path: plan, status: 200, has: []string{msg(t, "zh-CN", "tgt.plan.none_visible")}, not: []string{"eastRep", "westRep"}},
			{who: "admin", path: plan + "?period=2001", status: 422},
			{who: "admin", path: plan + "?period=soon", status: 400},
			{who: "admin", path: "/targets/99999", status: 404},
			// One target: a rep reads their own, never another's.
			{who: "eastRep", path: w.node("eastRep"), status: 200, has: []string{msg(t, "zh-CN", "tgt.node.not_yours"), "600,000.00 CNY"}, not: []string{amountField}},
			{who: "eastRep", path: w.node("westRep"), status: 404},
			{who: "westRep", path: w.node("eastRep"), status: 404},
			{who: "eastRep", path: w.node("east"), status: 404},
			{who: "eastMgr", path: w.node("westRep"), status: 404},
			{who: "mkt", path: w.node("company"), status: 404},
			{who: "admin", path: "/targets/99999/nodes/" + w.s("eastRep"), status: 404},
			{who: "eastMgr", path: w.node("eastRep"), status: 200, has: []string{amountField, `value="600000.00"`}},
			{who: "eastMgr", path: w.node("east"), status: 200, has: []string{msg(t, "zh-CN", "tgt.node.not_yours"), ">East team A<"}, not: []string{amountField}},
			{who: "senior", path: w.node("company"), status: 200, has: []string{amountField, `name="cascade"`, `name="m12"`}},
			// KPI cards and their evidence stay inside each viewer's scope.
			{who: "eastRep", path: "/kpis", status: 200, has: []string{"eastRep", msg(t, "zh-CN", "kpi.won_revenue"), "45,000.00 CNY", `href="/kpis/won_revenue/evidence?period=` + strconv.Itoa(thisYear()) + `&amp;person_id=` + id(p["eastRep"].ID) + `"`}, not: []string{`<select id="f-subject"`}},
			{who: "eastRep", path: "/kpis?person_id=" + id(p["westRep"].ID), status: 404},
			{who: "eastMgr", path: "/kpis?org_unit_id=" + id(u["west"].ID), status: 404},
			{who: "eastMgr", path: "/kpis?person_id=" + id(p["eastRep"].ID), status: 200, has: []string{`<select id="f-subject"`, "45,000.00 CNY"}, not: []string{"westRep"}},
			{who: "eastMgr", path: "/kpis?subject=u" + id(u["east"].ID), status: 200, has: []string{`value="u` + id(u["east"].ID) + `" selected`}},
			{who: "admin", path: "/kpis?org_unit_id=1&period=" + strconv.Itoa(thisYear()), status: 200, has: []string{"90,000.00 CNY", "100.0%", "westRep</option>"}},
			{who: "admin", path: "/kpis?subject=x1", status: 400},
			{who: "eastRep", path: "/kpis?period=2026-13", status: 422},
			{who: "eastRep", path: "/kpis/won_revenue/evidence", status: 200, has: []string{`href="/opportunities/` + w.s("eastDeal") + `"`, tpEastDeal, "45,000.00 CNY"}, not: []string{tpWestDeal}},
			{who: "eastRep", path: "/kpis/won_revenue/evidence?person_id=" + id(p["westRep"].ID), status: 404},
			{who: "eastMgr", path: "/kpis/win_rate/evidence?org_unit_id=" + id(u["west"].ID), status: 404},
			{who: "admin", path: "/kpis/won_revenue/evidence?org_unit_id=1", status: 200, has: []string{tpEastDeal, tpWestDeal, "90,000.00 CNY"}},
			{who: "admin", path: "/kpis/profit/evidence", status: 422},
			// The home dashboards follow the role.
			{who: "senior", path: "/", status: 200, has: []string{msg(t, "zh-CN", "dash.title"), `href="/?org_unit_id=` + id(u["east"].ID), "华南大区 West", `role="img"`, msg(t, "zh-CN", "dash.funnel.title"), msg(t, "zh-CN", "dash.bins.title")}},
			{who: "admin", path: "/", status: 200, has: []string{msg(t, "zh-CN", "dash.title"), `href="/?org_unit_id=` + id(u["west"].ID), msg(t, "zh-CN", "home.stat_people")}},
			{who: "senior", path: "/?org_unit_id=" + id(u["east"].ID), status: 200, has: []string{`href="/?org_unit_id=` + id(u["eastA"].ID), "East team A"}, not: []string{`href="/?org_unit_id=` + id(u["west"].ID)}},
			{who: "eastMgr", path: "/", status: 200, has: []string{`href="/?org_unit_id=` + id(u["eastA"].ID), msg(t, "zh-CN", "home.reports")}, not: []string{"华南大区 West", "westRep"}},
			{who: "eastMgr", path: "/?org_unit_id=" + id(u["west"].ID), status: 404},
			{who: "eastRep", path: "/", status: 200, has: []string{msg(t, "zh-CN", "dash.own.title", msg(t, "zh-CN", "kpi.won_revenue")), "45,000.00 CNY", "600,000.00 CNY", msg(t, "zh-CN", "dash.trend.title"), "开发新客户"}, not: []string{"westRep", msg(t, "zh-CN", "dash.bins.title")}},
			{who: "mkt", path: "/", status: 200, has: []string{"市场支持"}, not: []string{msg(t, "zh-CN", "dash.title")}},
		}
		h.runPages(t, cases)
	})
}

func TestTargetPages_DashboardWithoutAPlanSaysSo(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		h.runPages(t, []pageCase{
			{who: "senior", path: "/", status: 200, has: []string{msg(t, "zh-CN", "dash.no_plan"), `href="/targets#new-plan"`, msg(t, "zh-CN", "dash.funnel.title")}},
			{who: "eastMgr", path: "/", status: 200, has: []string{msg(t, "zh-CN", "dash.no_plan_wait")}, not: []string{`href="/targets#new-plan"`}},
			{who: "eastRep", path: "/", status: 200, has: []string{msg(t, "zh-CN", "dash.no_plan_wait"), msg(t, "zh-CN", "dash.own.kpis", msg(t, "zh-CN", "tgt.period.year", thisYear()))}},
			{who: "admin", path: "/targets", status: 200, has: []string{msg(t, "zh-CN", "tgt.plans.empty")}},
		})
	})
}

// posted submits a form and returns the status, the final path and the page.
func (b *browser) posted(path string, form url.Values) (int, string, string) {
	b.h.t.Helper()
	res, body := b.post(path, form)
	return res.StatusCode, res.Request.URL.RequestURI(), body
}

func TestTargetPages_FormsSetSplitAndDecide(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		year := strconv.Itoa(thisYear())
		senior := h.browse("senior")
		senior.get("/targets")

		// Opening the plan of the year, then again: the second is refused and the form kept.
		status, where, body := senior.posted("/targets", url.Values{"metric": {"won_revenue"}, "fiscal_year": {year}, "currency": {""}, "rule": {"exact"}})
		m := regexp.MustCompile(`^/targets/(\d+)\?flash=tgt.flash.created$`).FindStringSubmatch(where)
		if status != 200 || m == nil || !strings.Contains(body, msg(t, "zh-CN", "tgt.flash.created")) {
			t.Fatalf("create plan: %d %s", status, where)
		}
		plan, _ := strconv.ParseInt(m[1], 10, 64)
		status, _, body = senior.posted("/targets", url.Values{"metric": {"won_revenue"}, "fiscal_year": {year}, "currency": {"CNY"}, "rule": {"exact"}})
		if status != http.StatusConflict || !strings.Contains(body, msg(t, "zh-CN", "target.plan_exists", "won_revenue", thisYear())) || !strings.Contains(body, `value="`+year+`"`) {
			t.Errorf("second plan of the year: %d, want 409 with the message and the form kept", status)
		}
		if status, _, body = senior.posted("/targets", url.Values{"metric": {"profit"}, "fiscal_year": {year}}); status != 422 || !strings.Contains(body, msg(t, "zh-CN", "target.metric_invalid")) {
			t.Errorf("unknown metric: %d", status)
		}
		// A plan narrowed to a series no product has is refused next to the field.
		if status, _, body = senior.posted("/targets", url.Values{"metric": {"won_revenue"}, "fiscal_year": {year}, "slice": {"series|无此系列"}}); status != 422 ||
			!strings.Contains(body, msg(t, "zh-CN", "target.dim_value_unknown", "无此系列")) || !strings.Contains(body, `id="e-slice"`) {
			t.Errorf("plan for an unknown series: %d", status)
		}
		// The won revenue plan of the year shows its pipeline coverage, linked to the open deals.
		if _, body = senior.get(fmt.Sprintf("/targets/%d", plan)); !strings.Contains(body, msg(t, "zh-CN", "tgt.field.coverage")) || !strings.Contains(body, "/kpis/weighted_pipeline/evidence?") {
			t.Errorf("the plan's page shows no pipeline coverage")
		}
		rep := h.browse("eastRep")
		rep.get("/targets")
		if status, _, body = rep.posted("/targets", url.Values{"metric": {"won_deals"}, "fiscal_year": {year}}); status != 403 || !strings.Contains(body, msg(t, "zh-CN", "perm.forbidden")) {
			t.Errorf("rep opening a plan: %d, want 403", status)
		}

		// The company's target, split down to everyone below.
		n := h.targetKeys(h.board(t, plan))
		path := func(key string) string { return fmt.Sprintf("/targets/%d/nodes/%d", plan, n[key].ID) }
		version := func(key string) string { return strconv.Itoa(n[key].Version) }
		senior.get(path("company"))
		status, where, body = senior.posted(path("company"), url.Values{"version": {version("company")}, "amount": {"1,200,000"}, "phasing": {"even"}, "cascade": {"true"}})
		if status != 200 || !strings.HasSuffix(where, "flash=tgt.flash.saved") || !strings.Contains(body, "1,200,000.00 CNY") {
			t.Fatalf("set the company's target: %d %s", status, where)
		}
		after := h.targetKeys(h.board(t, plan))
		for key, want := range map[string]int64{"company": 120000000, "east": 60000000, "eastA": 60000000, "eastRep": 60000000, "west": 60000000, "westRep": 60000000} {
			if after[key].Amount != want {
				t.Errorf("%s after the split: %d, want %d", key, after[key].Amount, want)
			}
		}

		// The same form again with the version it was drawn with: told who changed it, the form kept.
		status, _, body = senior.posted(path("company"), url.Values{"version": {version("company")}, "amount": {"1300000"}, "phasing": {"even"}, "cascade": {"true"}})
		if status != http.StatusConflict || !strings.Contains(body, `value="1300000"`) || !strings.Contains(body, `name="cascade" value="true" checked`) {
			t.Errorf("stale version: %d, want 409 with the form kept", status)
		}
		for _, part := range msgParts(t, "zh-CN", "record.changed_at") {
			if !strings.Contains(body, part) {
				t.Errorf("stale version: page lacks %q", part)
			}
		}
		if got := h.targetKeys(h.board(t, plan))["company"].Amount; got != 120000000 {
			t.Errorf("a stale form changed the target to %d", got)
		}

		// The regional manager splits their region by hand: twelve months for their rep.
		mgr := h.browse("eastMgr")
		n = after
		mgr.get(path("eastRep"))
		months := url.Values{"version": {version("eastRep")}, "amount": {"600000.00"}, "phasing": {"manual"}}
		for i := 1; i <= 12; i++ {
			months.Set("m"+strconv.Itoa(i), map[bool]string{true: "80000", false: "40000"}[i <= 6])
		}
		if status, where, _ = mgr.posted(path("eastRep"), months); status != 200 || !strings.Contains(where, "flash=tgt.flash.saved") {
			t.Fatalf("manual months: %d %s", status, where)
		}
		got := h.targetKeys(h.board(t, plan))["eastRep"]
		if got.Phasing != target.PhasingManual || got.Amount != 72000000 || got.Months[0] != 8000000 || got.Months[11] != 4000000 {
			t.Errorf("manual months kept as %s %d %v", got.Phasing, got.Amount, got.Months)
		}
		// Months that do not add up to a changed year are refused beside nothing, with all the months kept.
		months.Set("version", strconv.Itoa(got.Version))
		months.Set("amount", "500000")
		if status, _, body = mgr.posted(path("eastRep"), months); status != 422 || !strings.Contains(body, msg(t, "zh-CN", "target.months_sum", "72000000", "50000000")) || !strings.Contains(body, `name="m1" type="text" inputmode="decimal" value="80000"`) {
			t.Errorf("months not adding up: %d", status)
		}
		if status, _, body = mgr.posted(path("eastRep"), url.Values{"version": {strconv.Itoa(got.Version)}, "amount": {"-5"}, "phasing": {"even"}}); status != 422 || !strings.Contains(body, msg(t, "zh-CN", "target.negative")) || !strings.Contains(body, `id="e-amount"`) {
			t.Errorf("negative target: %d", status)
		}
		// Nobody sets their own target, nor their own unit's.
		if status, _, body = rep.posted(path("eastRep"), url.Values{"version": {strconv.Itoa(got.Version)}, "amount": {"1"}, "phasing": {"even"}}); status != 403 || !strings.Contains(body, msg(t, "zh-CN", "target.own")) {
			t.Errorf("rep setting their own target: %d, want 403 with the reason", status)
		}
		if status, _, _ = mgr.posted(path("east"), url.Values{"version": {version("east")}, "amount": {"1"}, "phasing": {"even"}}); status != 403 {
			t.Errorf("manager setting their own region: %d, want 403", status)
		}
		if status, _, _ = mgr.posted(path("westRep"), url.Values{"version": {version("westRep")}, "amount": {"1"}, "phasing": {"even"}}); status != 404 {
			t.Errorf("manager setting another region's rep: %d, want 404", status)
		}
		if got := h.targetKeys(h.board(t, plan))["eastRep"]; got.Amount != 72000000 {
			t.Errorf("refused forms changed eastRep's target to %d", got.Amount)
		}

		// The East no longer adds up: marked in the tree, and the plan cannot be approved.
		planPath := fmt.Sprintf("/targets/%d", plan)
		_, body = senior.get(planPath)
		if !strings.Contains(body, "is-unbalanced") || !strings.Contains(body, msg(t, "zh-CN", "tgt.plan.unbalanced", 1)) {
			t.Errorf("plan page does not mark the targets that do not add up")
		}
		pv := func() string {
			var p target.Plan
			h.callJSON(t, "admin", "GET", "/api/v1/targets/"+strconv.FormatInt(plan, 10), "", 200, &struct{ Plan *target.Plan }{&p})
			return strconv.Itoa(p.Version)
		}
		if status, _, body = senior.posted(planPath+"/approve", url.Values{"version": {pv()}}); status != 422 || !strings.Contains(body, "East team A") {
			t.Errorf("approving a plan that does not add up: %d", status)
		}
		if status, _, _ = mgr.posted(planPath+"/approve", url.Values{"version": {pv()}}); status != 403 {
			t.Errorf("regional manager approving: %d, want 403", status)
		}
		// Split the company again, then approve, lock and revise.
		n = h.targetKeys(h.board(t, plan))
		senior.posted(path("company"), url.Values{"version": {version("company")}, "amount": {"1200000"}, "phasing": {"even"}, "cascade": {"true"}})
		if status, _, body = senior.posted(planPath+"/approve", url.Values{"version": {"0"}}); status != 409 || !strings.Contains(body, `role="alert"`) {
			t.Errorf("approving with an old version: %d, want 409", status)
		}
		for _, step := range []string{"approve", "lock"} {
			if status, where, _ = senior.posted(planPath+"/"+step, url.Values{"version": {pv()}}); status != 200 || !strings.Contains(where, "flash=tgt.flash.") {
				t.Fatalf("%s: %d %s", step, status, where)
			}
		}
		if status, _, body = senior.posted(planPath+"/revise", url.Values{"version": {pv()}, "reason": {" "}}); status != 422 || !strings.Contains(body, msg(t, "zh-CN", "target.reason_required")) {
			t.Errorf("revision without a reason: %d", status)
		}
		status, where, body = senior.posted(planPath+"/revise", url.Values{"version": {pv()}, "reason": {"新区域开业"}})
		if status != 200 || where == planPath || !strings.Contains(body, msg(t, "zh-CN", "tgt.plan.reason", "新区域开业")) || !strings.Contains(body, `href="`+planPath+`"`) {
			t.Errorf("revise: %d %s", status, where)
		}
	})
}

func TestTargetPages_InEnglish(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		w := targetPages(t, h, true)
		for _, who := range []string{"senior", "eastRep"} {
			b := h.browse(who)
			b.get("/settings")
			b.post("/settings/lang", url.Values{"lang": {"en"}})
			pages := map[string][]string{
				"/":                       {msg(t, "en", "dash.title"), msg(t, "en", "dash.trend.title")},
				"/targets/" + w.s("plan"): {msg(t, "en", "tgt.plan.tree"), msg(t, "en", "tgt.state.draft"), "FY" + strconv.Itoa(thisYear())},
				"/kpis":                   {msg(t, "en", "kpi.win_rate"), msg(t, "en", "nav.kpis")},
				w.node(map[string]string{"senior": "company", "eastRep": "eastRep"}[who]): {msg(t, "en", "tgt.node.months")},
			}
			for path, want := range pages {
				_, body := b.get(path)
				for _, s := range want {
					if !strings.Contains(body, s) {
						t.Errorf("%s %s in English lacks %q", who, path, s)
					}
				}
			}
		}
	})
}
