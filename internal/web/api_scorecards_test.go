package web_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/echelonhq/echelon/internal/scorecard"
)

func init() {
	scenarioTables = append(scenarioTables, scorecardAPIScenarios)
	for name, s := range map[string]structSchema{
		"KPITemplate":            {scorecard.Template{}, true},
		"KPITemplateInput":       {scorecard.TemplateInput{}, false},
		"KPITemplateLineInput":   {scorecard.Line{}, false},
		"Scorecard":              {scorecard.Scorecard{}, true},
		"ScoreLine":              {scorecard.ScoreLine{}, true},
		"ManualKPIInput":         {scorecard.ManualInput{}, false},
		"ManualKPIValue":         {scorecard.ManualValue{}, true},
		"Leaderboard":            {scorecard.Leaderboard{}, true},
		"Rank":                   {scorecard.Rank{}, true},
		"LeaderboardPublication": {scorecard.PublishInput{}, false},
	} {
		structSchemas[name] = s
	}
}

const repTemplateJSON = `{"name":"Reps","role":"rep","lines":[{"kpi":"won_revenue","weight":70,"source":"plan"},{"kpi":"win_rate","weight":30,"source":"fixed","fixed":5000}]}`

// withTemplates is a setup in which the admin has set up the reps' and the
// regional managers' templates (once per harness), giving the reps' as
// {tpl} with its version {tv}.
func withTemplates(t *testing.T, h *harness, _ string) map[string]string {
	t.Helper()
	var list struct{ Items []scorecard.Template }
	h.callJSON(t, "admin", "GET", "/api/v1/kpi-templates", "", 200, &list)
	if len(list.Items) == 0 {
		h.callJSON(t, "admin", "POST", "/api/v1/kpi-templates", `{"name":"Managers","role":"regional_manager","lines":[{"kpi":"won_revenue","weight":100,"source":"plan"}]}`, 201, nil)
		var tpl scorecard.Template
		h.callJSON(t, "admin", "POST", "/api/v1/kpi-templates", repTemplateJSON, 201, &tpl)
		list.Items = append(list.Items, tpl)
	}
	for _, tpl := range list.Items {
		if tpl.Role == "rep" {
			return map[string]string{"{tpl}": strconv.FormatInt(tpl.ID, 10), "{tv}": strconv.Itoa(tpl.Version)}
		}
	}
	t.Fatal("setup: no reps' template")
	return nil
}

func scorecardAPIScenarios() []endpoint {
	const (
		forbidden = `"code":"forbidden"`
		notFound  = `"code":"not_found"`
		xlsx      = "PK" // a zip
	)
	cat := func(parts ...[]apiCase) []apiCase { return slices.Concat(parts...) }
	one := func(c ...apiCase) []apiCase { return c }
	in := func(c apiCase) apiCase { c.setup = withTemplates; return c }
	manualIn := func(person, period string) string {
		return `{"code":"m_teamwork","person_id":{` + person + `},"period":"` + period + `","score":90,"comment":"helped the team"}`
	}
	manual := func(person string) string { return manualIn(person, "2026-05") }
	return []endpoint{
		{"GET /api/v1/scorecards", one(
			in(apiCase{name: "admin reads the company's card with its reps", as: "admin", method: "GET", path: "/api/v1/scorecards?org_unit_id={company}&period=2026-05", status: 200, want: `"members":[`}),
			in(apiCase{name: "admin downloads it as a spreadsheet", as: "admin", method: "GET", path: "/api/v1/scorecards?person_id={westRep}&format=xlsx", status: 200, want: xlsx}),
			in(apiCase{name: "senior reads westRep's card", as: "senior", method: "GET", path: "/api/v1/scorecards?person_id={westRep}", status: 200, want: `"template":"Reps"`}),
			in(apiCase{name: "eastMgr reads their region's card", as: "eastMgr", method: "GET", path: "/api/v1/scorecards?org_unit_id={east}", status: 200, want: `"template":"Managers"`, absent: []string{"westRep"}}),
			in(apiCase{name: "eastMgr cannot read westRep's card", as: "eastMgr", method: "GET", path: "/api/v1/scorecards?person_id={westRep}", status: 404, want: notFound}),
			in(apiCase{name: "eastRep reads their own card with its evidence", as: "eastRep", method: "GET", path: "/api/v1/scorecards?period=2026-Q2", status: 200, want: `"evidence":"/api/v1/kpis/won_revenue/evidence?`}),
			in(apiCase{name: "eastRep cannot read westRep's card", as: "eastRep", method: "GET", path: "/api/v1/scorecards?person_id={westRep}", status: 404, want: notFound}),
			in(apiCase{name: "eastRep asking for a PDF is a bad request", as: "eastRep", method: "GET", path: "/api/v1/scorecards?format=pdf", status: 400, want: `"field":"format"`}),
			in(apiCase{name: "mkt has no template to be scored by", as: "mkt", method: "GET", path: "/api/v1/scorecards", status: 404, want: notFound}),
			anonymous("GET", "/api/v1/scorecards", ""),
		)},
		{"GET /api/v1/kpi-templates", cat(
			[]apiCase{
				in(apiCase{name: "admin lists the templates", as: "admin", method: "GET", path: "/api/v1/kpi-templates", status: 200, want: `"name":"Reps"`}),
				in(apiCase{name: "senior lists the templates", as: "senior", method: "GET", path: "/api/v1/kpi-templates", status: 200, want: `"name":"Managers"`}),
				in(apiCase{name: "eastMgr lists the templates", as: "eastMgr", method: "GET", path: "/api/v1/kpi-templates", status: 200, want: `"weight":70`}),
				in(apiCase{name: "eastRep sees what they are scored on", as: "eastRep", method: "GET", path: "/api/v1/kpi-templates", status: 200, want: `"kpi":"win_rate"`}),
				in(apiCase{name: "mkt lists the templates", as: "mkt", method: "GET", path: "/api/v1/kpi-templates", status: 200, want: `"total":2`}),
			},
			one(anonymous("GET", "/api/v1/kpi-templates", "")),
		)},
		{"POST /api/v1/kpi-templates", one(
			apiCase{name: "admin creates the reps' template", as: "admin", method: "POST", path: "/api/v1/kpi-templates", body: repTemplateJSON, status: 201, want: `"cap":120`},
			apiCase{name: "admin whose weights add up to 70 is told so", as: "admin", method: "POST", path: "/api/v1/kpi-templates", body: `{"name":"Bad","role":"rep","lines":[{"kpi":"won_revenue","weight":70,"source":"plan"}]}`, status: 422, want: `"field":"lines"`},
			apiCase{name: "admin naming an unknown KPI is told which", as: "admin", method: "POST", path: "/api/v1/kpi-templates", body: `{"name":"Bad","role":"rep","lines":[{"kpi":"profit","weight":100,"source":"fixed","fixed":1}]}`, status: 422, want: `"field":"lines[0].kpi"`},
			apiCase{name: "senior may not", as: "senior", method: "POST", path: "/api/v1/kpi-templates", body: repTemplateJSON, status: 403, want: forbidden},
			apiCase{name: "eastMgr may not", as: "eastMgr", method: "POST", path: "/api/v1/kpi-templates", body: repTemplateJSON, status: 403, want: forbidden},
			apiCase{name: "eastRep may not", as: "eastRep", method: "POST", path: "/api/v1/kpi-templates", body: repTemplateJSON, status: 403, want: forbidden},
			apiCase{name: "mkt may not", as: "mkt", method: "POST", path: "/api/v1/kpi-templates", body: repTemplateJSON, status: 403, want: forbidden},
			anonymous("POST", "/api/v1/kpi-templates", repTemplateJSON),
		)},
		{"PUT /api/v1/kpi-templates/{id}", one(
			in(apiCase{name: "admin reweights the reps' template", as: "admin", method: "PUT", path: "/api/v1/kpi-templates/{tpl}", body: `{"version":{tv},"name":"Reps","role":"rep","lines":[{"kpi":"won_revenue","weight":100,"source":"plan"}]}`, status: 200, want: `"weight":100`}),
			in(apiCase{name: "admin with an old version is told it changed", as: "admin", method: "PUT", path: "/api/v1/kpi-templates/{tpl}", body: `{"version":0,"name":"Reps","role":"rep","lines":[{"kpi":"won_revenue","weight":100,"source":"plan"}]}`, status: 409, want: `"code":"conflict"`}),
			in(apiCase{name: "senior may not", as: "senior", method: "PUT", path: "/api/v1/kpi-templates/{tpl}", body: repTemplateJSON, status: 403, want: forbidden}),
			in(apiCase{name: "eastMgr may not", as: "eastMgr", method: "PUT", path: "/api/v1/kpi-templates/{tpl}", body: repTemplateJSON, status: 403, want: forbidden}),
			in(apiCase{name: "eastRep may not", as: "eastRep", method: "PUT", path: "/api/v1/kpi-templates/{tpl}", body: repTemplateJSON, status: 403, want: forbidden}),
			in(apiCase{name: "mkt may not", as: "mkt", method: "PUT", path: "/api/v1/kpi-templates/{tpl}", body: repTemplateJSON, status: 403, want: forbidden}),
			in(anonymous("PUT", "/api/v1/kpi-templates/{tpl}", repTemplateJSON)),
		)},
		{"POST /api/v1/kpis/manual", one(
			apiCase{name: "admin rates westRep's teamwork", as: "admin", method: "POST", path: "/api/v1/kpis/manual", body: manual("westRep"), status: 201, want: `"score":90`},
			apiCase{name: "senior rates eastRep's teamwork", as: "senior", method: "POST", path: "/api/v1/kpis/manual", body: manual("eastRep"), status: 201, want: `"comment":"helped the team"`},
			apiCase{name: "eastMgr rates eastRep's teamwork", as: "eastMgr", method: "POST", path: "/api/v1/kpis/manual", body: manualIn("eastRep", "2026-Q2"), status: 201, want: `"period":"2026-Q2"`},
			apiCase{name: "eastMgr rating it again without the version is told who changed it", as: "eastMgr", method: "POST", path: "/api/v1/kpis/manual", body: manual("eastRep"), status: 409, want: `"code":"conflict"`},
			apiCase{name: "eastMgr cannot rate westRep", as: "eastMgr", method: "POST", path: "/api/v1/kpis/manual", body: manual("westRep"), status: 422, want: `"field":"person_id"`},
			apiCase{name: "eastMgr cannot rate themselves", as: "eastMgr", method: "POST", path: "/api/v1/kpis/manual", body: manual("eastMgr"), status: 403, want: forbidden},
			apiCase{name: "eastMgr must give a reason", as: "eastMgr", method: "POST", path: "/api/v1/kpis/manual", body: `{"code":"m_teamwork","person_id":{eastRep},"period":"2026-05","score":90,"comment":" "}`, status: 422, want: `"field":"comment"`},
			apiCase{name: "eastRep cannot rate themselves", as: "eastRep", method: "POST", path: "/api/v1/kpis/manual", body: manual("eastRep"), status: 422, want: `"field":"person_id"`},
			apiCase{name: "mkt cannot rate anyone", as: "mkt", method: "POST", path: "/api/v1/kpis/manual", body: manual("eastRep"), status: 422, want: `"field":"person_id"`},
			anonymous("POST", "/api/v1/kpis/manual", manual("eastRep")),
		)},
		{"GET /api/v1/leaderboards", one(
			apiCase{name: "admin ranks the company's reps", as: "admin", method: "GET", path: "/api/v1/leaderboards?period=2026", status: 200, want: `"people":2`},
			apiCase{name: "admin downloads the board", as: "admin", method: "GET", path: "/api/v1/leaderboards?kpi=win_rate&format=xlsx", status: 200, want: xlsx},
			apiCase{name: "senior ranks the West", as: "senior", method: "GET", path: "/api/v1/leaderboards?org_unit_id={west}", status: 200, want: `"name":"westRep"`},
			apiCase{name: "eastMgr ranks their region", as: "eastMgr", method: "GET", path: "/api/v1/leaderboards", status: 200, want: `"name":"eastRep"`, absent: []string{"westRep"}},
			apiCase{name: "eastMgr cannot rank the West", as: "eastMgr", method: "GET", path: "/api/v1/leaderboards?org_unit_id={west}", status: 404, want: notFound},
			apiCase{name: "eastRep sees only their own place while unpublished", as: "eastRep", method: "GET", path: "/api/v1/leaderboards?org_unit_id={company}", status: 200, want: `"ranks":[]`, absent: []string{"westRep"}},
			apiCase{name: "eastRep cannot rank the West", as: "eastRep", method: "GET", path: "/api/v1/leaderboards?org_unit_id={west}", status: 404, want: notFound},
			apiCase{name: "eastRep naming an unknown KPI is told so", as: "eastRep", method: "GET", path: "/api/v1/leaderboards?kpi=profit", status: 422, want: `"field":"kpi"`},
			apiCase{name: "mkt ranks nobody", as: "mkt", method: "GET", path: "/api/v1/leaderboards", status: 404, want: notFound},
			anonymous("GET", "/api/v1/leaderboards", ""),
		)},
		{"PUT /api/v1/leaderboards/publication", one(
			apiCase{name: "admin publishes the company's revenue board", as: "admin", method: "PUT", path: "/api/v1/leaderboards/publication", body: `{"org_unit_id":{company},"kpi":"won_revenue","published":true}`, status: 200, want: `"published":true`},
			apiCase{name: "senior publishes the West's", as: "senior", method: "PUT", path: "/api/v1/leaderboards/publication", body: `{"org_unit_id":{west},"kpi":"win_rate","published":true}`, status: 200, want: `"kpi":"win_rate"`},
			apiCase{name: "eastMgr publishes their region's", as: "eastMgr", method: "PUT", path: "/api/v1/leaderboards/publication", body: `{"org_unit_id":0,"kpi":"won_revenue","published":true}`, status: 200, want: `"published":true`},
			apiCase{name: "eastMgr cannot publish the West's", as: "eastMgr", method: "PUT", path: "/api/v1/leaderboards/publication", body: `{"org_unit_id":{west},"kpi":"won_revenue","published":true}`, status: 404, want: notFound},
			apiCase{name: "eastRep may not publish", as: "eastRep", method: "PUT", path: "/api/v1/leaderboards/publication", body: `{"org_unit_id":0,"kpi":"won_revenue","published":true}`, status: 403, want: forbidden},
			apiCase{name: "mkt may not publish", as: "mkt", method: "PUT", path: "/api/v1/leaderboards/publication", body: `{"org_unit_id":0,"kpi":"won_revenue","published":true}`, status: 403, want: forbidden},
			anonymous("PUT", "/api/v1/leaderboards/publication", `{"org_unit_id":0,"kpi":"won_revenue","published":true}`),
		)},
	}
}
