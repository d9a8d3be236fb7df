package web_test

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/target"
)

func init() {
	scenarioTables = append(scenarioTables, targetAPIScenarios)
	for name, s := range map[string]structSchema{
		"TargetPlan":       {target.Plan{}, true},
		"TargetPlanInput":  {target.PlanInput{}, false},
		"TargetTransition": {target.Transition{}, false},
		"Target":           {target.Node{}, true},
		"TargetWithPace":   {target.NodePace{}, true},
		"Pace":             {target.Pace{}, true},
		"TargetInput":      {target.TargetInput{}, false},
		"KPIValue":         {kpi.Value{}, true},
		"KPIResult":        {kpi.Result{}, true},
		"KPICard":          {kpi.Card{}, true},
		"KPIEvidence":      {kpi.Evidence{}, true},
		"KPIEvidenceRow":   {kpi.EvidenceRow{}, true},
	} {
		structSchemas[name] = s
	}
}

// withPlan is a setup in which the senior manager opens a revenue plan for
// a fiscal year of its own, splits ¥1,200,000 down the company and moves
// it to state (draft, approved or locked). It gives {plan} and its version
// {pv}, and for each fixture unit and rep the target {teast}, {teastRep}
// … with its version {veast}, {veastRep} ….
func withPlan(state string) func(*testing.T, *harness, string) map[string]string {
	return func(t *testing.T, h *harness, _ string) map[string]string {
		t.Helper()
		var plans struct{ Items []target.Plan }
		h.callJSON(t, "admin", "GET", "/api/v1/targets", "", 200, &plans)
		year := 2030 // a year of its own: one plan per metric and year
		for _, p := range plans.Items {
			year = max(year, p.FiscalYear+1)
		}
		var p target.Plan
		h.callJSON(t, "senior", "POST", "/api/v1/targets", fmt.Sprintf(`{"metric":"won_revenue","fiscal_year":%d}`, year), 201, &p)
		vars := map[string]string{"{plan}": strconv.FormatInt(p.ID, 10)}
		board := func() []target.NodePace {
			var b struct{ Targets []target.NodePace }
			h.callJSON(t, "admin", "GET", fmt.Sprintf("/api/v1/targets/%d", p.ID), "", 200, &b)
			return b.Targets
		}
		company := board()[0]
		h.callJSON(t, "senior", "PATCH", fmt.Sprintf("/api/v1/targets/%d/nodes/%d", p.ID, company.ID),
			fmt.Sprintf(`{"version":%d,"amount":120000000,"cascade":true}`, company.Version), 200, nil)
		for _, n := range board() {
			key := "company"
			for k, u := range h.Units {
				if n.PersonID == 0 && n.UnitID == u.ID {
					key = k
				}
			}
			for k, person := range h.People {
				if n.PersonID == person.ID {
					key = k
				}
			}
			vars["{t"+key+"}"] = strconv.FormatInt(n.ID, 10)
			vars["{v"+key+"}"] = strconv.Itoa(n.Version)
		}
		for _, step := range map[string][]string{"approved": {"approve"}, "locked": {"approve", "lock"}}[state] {
			h.callJSON(t, "senior", "POST", fmt.Sprintf("/api/v1/targets/%d/%s", p.ID, step), fmt.Sprintf(`{"version":%d}`, p.Version), 200, &p)
		}
		vars["{pv}"] = strconv.Itoa(p.Version)
		return vars
	}
}

func targetAPIScenarios() []endpoint {
	const (
		forbidden = `"code":"forbidden"`
		notFound  = `"code":"not_found"`
		conflict  = `"code":"conflict"`
		node      = "/api/v1/targets/{plan}/nodes/"
	)
	cat := func(parts ...[]apiCase) []apiCase { return slices.Concat(parts...) }
	one := func(c ...apiCase) []apiCase { return c }
	draft, approved, locked := withPlan("draft"), withPlan("approved"), withPlan("locked")
	in := func(setup func(*testing.T, *harness, string) map[string]string, c apiCase) apiCase {
		c.setup = setup
		return c
	}
	refusedAll := func(method, path, body string, setup func(*testing.T, *harness, string) map[string]string) []apiCase {
		var out []apiCase
		for _, who := range []string{"eastMgr", "eastRep", "mkt"} {
			out = append(out, in(setup, apiCase{name: who + " may not", as: who, method: method, path: path, body: body, status: 403, want: forbidden}))
		}
		return append(out, in(setup, anonymous(method, path, body)))
	}
	eastOnly := []string{`"person_name":"westRep"`, "华南大区 West"}
	return []endpoint{
		{"GET /api/v1/periods", cat(
			everyone("sees this year, quarter and month", "GET", "/api/v1/periods", "", 200, same(`"fiscal_start_month":1`)),
			one(
				apiCase{name: "admin resolves a quarter into its months", as: "admin", method: "GET", path: "/api/v1/periods?at=2026-Q2", status: 200, want: `"period":"2026-06"`},
				apiCase{name: "admin asking for month 13 is told the formats", as: "admin", method: "GET", path: "/api/v1/periods?at=2026-13", status: 422, want: `"field":"at"`},
				anonymous("GET", "/api/v1/periods", ""),
			))},
		{"PUT /api/v1/periods/calendar", cat(
			one(
				apiCase{name: "admin starts the fiscal year in April", as: "admin", method: "PUT", path: "/api/v1/periods/calendar", body: `{"fiscal_start_month":4}`, status: 200, want: `"fiscal_start_month":4`},
				apiCase{name: "admin cannot start it in month 13", as: "admin", method: "PUT", path: "/api/v1/periods/calendar", body: `{"fiscal_start_month":13}`, status: 422, want: `"field":"fiscal_start_month"`},
				in(draft, apiCase{name: "admin cannot move it under existing plans", as: "admin", method: "PUT", path: "/api/v1/periods/calendar", body: `{"fiscal_start_month":7}`, status: 422, want: `"field":"fiscal_start_month"`}),
				apiCase{name: "senior may not", as: "senior", method: "PUT", path: "/api/v1/periods/calendar", body: `{"fiscal_start_month":4}`, status: 403, want: forbidden},
			),
			refusedAll("PUT", "/api/v1/periods/calendar", `{"fiscal_start_month":4}`, nil),
		)},
		{"GET /api/v1/targets", cat(
			[]apiCase{
				in(draft, apiCase{name: "admin lists the plans", as: "admin", method: "GET", path: "/api/v1/targets", status: 200, want: `"metric":"won_revenue"`}),
				in(draft, apiCase{name: "senior lists the plans", as: "senior", method: "GET", path: "/api/v1/targets", status: 200, want: `"state":"draft"`}),
				in(draft, apiCase{name: "eastMgr lists the plans", as: "eastMgr", method: "GET", path: "/api/v1/targets", status: 200, want: `"metric":"won_revenue"`}),
				in(draft, apiCase{name: "eastRep lists the plans", as: "eastRep", method: "GET", path: "/api/v1/targets", status: 200, want: `"metric":"won_revenue"`}),
				in(draft, apiCase{name: "mkt lists the plans", as: "mkt", method: "GET", path: "/api/v1/targets", status: 200, want: `"metric":"won_revenue"`}),
			},
			one(anonymous("GET", "/api/v1/targets", "")),
		)},
		{"POST /api/v1/targets", cat(
			one(
				apiCase{name: "admin opens a plan of new customers", as: "admin", method: "POST", path: "/api/v1/targets", body: `{"metric":"new_customers","fiscal_year":2026}`, status: 201, want: `"state":"draft"`},
				apiCase{name: "senior opens a revenue plan in CNY", as: "senior", method: "POST", path: "/api/v1/targets", body: `{"metric":"won_revenue","fiscal_year":2026}`, status: 201, want: `"currency":"CNY"`},
				apiCase{name: "senior cannot set a target on profit", as: "senior", method: "POST", path: "/api/v1/targets", body: `{"metric":"profit","fiscal_year":2026}`, status: 422, want: `"field":"metric"`},
				apiCase{name: "senior cannot narrow new customers to a series", as: "senior", method: "POST", path: "/api/v1/targets", body: `{"metric":"new_customers","fiscal_year":2026,"dimension":"series","dim_value":"云"}`, status: 422, want: `"field":"dimension"`},
				apiCase{name: "senior cannot aim at a territory that does not exist", as: "senior", method: "POST", path: "/api/v1/targets", body: `{"metric":"won_deals","fiscal_year":2026,"dimension":"territory","dim_value":"999"}`, status: 422, want: `"field":"dim_value"`},
				apiCase{name: "senior sending a string year is a bad request", as: "senior", method: "POST", path: "/api/v1/targets", body: `{"metric":"won_deals","fiscal_year":"2026"}`, status: 400, want: `"field":"fiscal_year"`},
			),
			refusedAll("POST", "/api/v1/targets", `{"metric":"won_deals","fiscal_year":2026}`, nil),
		)},
		{"GET /api/v1/targets/{id}", one(
			in(draft, apiCase{name: "admin sees every target with its pace", as: "admin", method: "GET", path: "/api/v1/targets/{plan}", status: 200, want: `"person_name":"westRep"`}),
			in(draft, apiCase{name: "senior sees the West's reps", as: "senior", method: "GET", path: "/api/v1/targets/{plan}", status: 200, want: `"person_name":"westRep"`}),
			in(draft, apiCase{name: "eastMgr sees the East only", as: "eastMgr", method: "GET", path: "/api/v1/targets/{plan}", status: 200, want: `"person_name":"eastRep"`, absent: eastOnly}),
			in(draft, apiCase{name: "eastRep sees their own target only", as: "eastRep", method: "GET", path: "/api/v1/targets/{plan}", status: 200, want: `"status":"on_track"`, absent: append(eastOnly, "East team A\",\"amount\"")}),
			in(draft, apiCase{name: "mkt sees no target", as: "mkt", method: "GET", path: "/api/v1/targets/{plan}", status: 200, want: `"targets":[]`}),
			in(draft, apiCase{name: "senior asking for a period outside the plan's year is told so", as: "senior", method: "GET", path: "/api/v1/targets/{plan}?period=2020", status: 422, want: `"field":"period"`}),
			apiCase{name: "admin asking for an unknown plan gets 404", as: "admin", method: "GET", path: "/api/v1/targets/99999", status: 404, want: notFound},
			in(draft, anonymous("GET", "/api/v1/targets/{plan}", "")),
		)},
		{"POST /api/v1/targets/{id}/approve", cat(
			one(
				in(draft, apiCase{name: "senior approves a plan that adds up", as: "senior", method: "POST", path: "/api/v1/targets/{plan}/approve", body: `{"version":{pv}}`, status: 200, want: `"state":"approved"`}),
				in(draft, apiCase{name: "admin approves a plan that adds up", as: "admin", method: "POST", path: "/api/v1/targets/{plan}/approve", body: `{"version":{pv}}`, status: 200, want: `"state":"approved"`}),
				in(draft, apiCase{name: "senior with an old version is told it changed", as: "senior", method: "POST", path: "/api/v1/targets/{plan}/approve", body: `{"version":0}`, status: 409, want: conflict}),
				in(approved, apiCase{name: "senior cannot approve twice", as: "senior", method: "POST", path: "/api/v1/targets/{plan}/approve", body: `{"version":{pv}}`, status: 409, want: conflict}),
			),
			refusedAll("POST", "/api/v1/targets/{plan}/approve", `{"version":{pv}}`, draft),
		)},
		{"POST /api/v1/targets/{id}/reopen", cat(
			one(
				in(approved, apiCase{name: "senior reopens an approved plan", as: "senior", method: "POST", path: "/api/v1/targets/{plan}/reopen", body: `{"version":{pv}}`, status: 200, want: `"state":"draft"`}),
				in(approved, apiCase{name: "admin reopens an approved plan", as: "admin", method: "POST", path: "/api/v1/targets/{plan}/reopen", body: `{"version":{pv}}`, status: 200, want: `"state":"draft"`}),
				in(locked, apiCase{name: "senior cannot reopen a locked plan", as: "senior", method: "POST", path: "/api/v1/targets/{plan}/reopen", body: `{"version":{pv}}`, status: 409, want: conflict}),
			),
			refusedAll("POST", "/api/v1/targets/{plan}/reopen", `{"version":{pv}}`, approved),
		)},
		{"POST /api/v1/targets/{id}/lock", cat(
			one(
				in(approved, apiCase{name: "senior locks an approved plan", as: "senior", method: "POST", path: "/api/v1/targets/{plan}/lock", body: `{"version":{pv}}`, status: 200, want: `"state":"locked"`}),
				in(approved, apiCase{name: "admin locks an approved plan", as: "admin", method: "POST", path: "/api/v1/targets/{plan}/lock", body: `{"version":{pv}}`, status: 200, want: `"state":"locked"`}),
				in(draft, apiCase{name: "senior cannot lock a draft", as: "senior", method: "POST", path: "/api/v1/targets/{plan}/lock", body: `{"version":{pv}}`, status: 409, want: conflict}),
			),
			refusedAll("POST", "/api/v1/targets/{plan}/lock", `{"version":{pv}}`, approved),
		)},
		{"POST /api/v1/targets/{id}/revise", cat(
			one(
				in(locked, apiCase{name: "senior revises a locked plan with a reason", as: "senior", method: "POST", path: "/api/v1/targets/{plan}/revise", body: `{"version":{pv},"reason":"a new region opened"}`, status: 200, want: `"revision":2`}),
				in(locked, apiCase{name: "admin revises a locked plan with a reason", as: "admin", method: "POST", path: "/api/v1/targets/{plan}/revise", body: `{"version":{pv},"reason":"market fell"}`, status: 200, want: `"supersedes_id":`}),
				in(locked, apiCase{name: "senior must say why", as: "senior", method: "POST", path: "/api/v1/targets/{plan}/revise", body: `{"version":{pv}}`, status: 422, want: `"field":"reason"`}),
			),
			refusedAll("POST", "/api/v1/targets/{plan}/revise", `{"version":{pv},"reason":"x"}`, locked),
		)},
		{"GET /api/v1/targets/{id}/nodes/{node}", one(
			in(draft, apiCase{name: "admin reads westRep's target", as: "admin", method: "GET", path: node + "{twestRep}", status: 200, want: `"expected"`}),
			in(draft, apiCase{name: "senior reads eastRep's target", as: "senior", method: "GET", path: node + "{teastRep}", status: 200, want: `"person_name":"eastRep"`}),
			in(draft, apiCase{name: "eastMgr reads eastRep's target", as: "eastMgr", method: "GET", path: node + "{teastRep}", status: 200, want: `"amount":60000000`}),
			in(draft, apiCase{name: "eastMgr cannot read westRep's target", as: "eastMgr", method: "GET", path: node + "{twestRep}", status: 404, want: notFound}),
			in(draft, apiCase{name: "eastRep reads their own target", as: "eastRep", method: "GET", path: node + "{teastRep}", status: 200, want: `"editable":false`}),
			in(draft, apiCase{name: "eastRep cannot read westRep's target", as: "eastRep", method: "GET", path: node + "{twestRep}", status: 404, want: notFound}),
			in(draft, apiCase{name: "mkt cannot read a target", as: "mkt", method: "GET", path: node + "{tcompany}", status: 404, want: notFound}),
			in(draft, apiCase{name: "admin naming the target under another plan gets 404", as: "admin", method: "GET", path: "/api/v1/targets/99999/nodes/{teastRep}", status: 404, want: notFound}),
			in(draft, anonymous("GET", node+"{teastRep}", "")),
		)},
		{"PATCH /api/v1/targets/{id}/nodes/{node}", one(
			in(draft, apiCase{name: "senior re-cascades the company", as: "senior", method: "PATCH", path: node + "{tcompany}", body: `{"version":{vcompany},"amount":240000000,"cascade":true}`, status: 200, want: `"amount":240000000`}),
			in(draft, apiCase{name: "admin sets westRep by hand with seasonal months", as: "admin", method: "PATCH", path: node + "{twestRep}", body: `{"version":{vwestRep},"phasing":"seasonal"}`, status: 200, want: `"phasing":"seasonal"`}),
			in(draft, apiCase{name: "eastMgr sets eastRep's target", as: "eastMgr", method: "PATCH", path: node + "{teastRep}", body: `{"version":{veastRep},"amount":500}`, status: 200, want: `"amount":500`}),
			in(draft, apiCase{name: "eastMgr cannot set their own region's", as: "eastMgr", method: "PATCH", path: node + "{teast}", body: `{"version":{veast},"amount":500}`, status: 403, want: forbidden}),
			in(draft, apiCase{name: "eastMgr cannot set westRep's", as: "eastMgr", method: "PATCH", path: node + "{twestRep}", body: `{"version":{vwestRep},"amount":500}`, status: 404, want: notFound}),
			in(draft, apiCase{name: "eastMgr cannot set a negative target", as: "eastMgr", method: "PATCH", path: node + "{teastRep}", body: `{"version":{veastRep},"amount":-1}`, status: 422, want: `"field":"amount"`}),
			in(draft, apiCase{name: "eastMgr with an old version is told who changed it", as: "eastMgr", method: "PATCH", path: node + "{teastRep}", body: `{"version":0,"amount":5}`, status: 409, want: conflict}),
			in(draft, apiCase{name: "eastRep cannot set their own target", as: "eastRep", method: "PATCH", path: node + "{teastRep}", body: `{"version":{veastRep},"amount":1}`, status: 403, want: forbidden}),
			in(draft, apiCase{name: "mkt cannot set a target", as: "mkt", method: "PATCH", path: node + "{tcompany}", body: `{"version":{vcompany},"amount":1}`, status: 404, want: notFound}),
			in(locked, apiCase{name: "senior cannot edit a locked plan", as: "senior", method: "PATCH", path: node + "{tcompany}", body: `{"version":{vcompany},"amount":1}`, status: 409, want: conflict}),
			in(draft, anonymous("PATCH", node+"{teastRep}", `{"version":1,"amount":1}`)),
		)},
		{"GET /api/v1/kpis", cat(
			everyone("reads the KPI library", "GET", "/api/v1/kpis", "", 200, same(`"code":"win_rate"`)),
			one(anonymous("GET", "/api/v1/kpis", "")),
		)},
		{"GET /api/v1/kpis/card", cat(
			one(
				apiCase{name: "admin sees the company's card", as: "admin", method: "GET", path: "/api/v1/kpis/card?period=2026", status: 200, want: `"org_unit_id":1`},
				apiCase{name: "senior sees westRep's card", as: "senior", method: "GET", path: "/api/v1/kpis/card?person_id={westRep}&period=2026-Q2", status: 200, want: `"period":"2026-Q2"`},
				apiCase{name: "eastMgr sees their region's card", as: "eastMgr", method: "GET", path: "/api/v1/kpis/card?org_unit_id={east}", status: 200, want: `"code":"won_revenue"`},
				apiCase{name: "eastMgr cannot see the West's card", as: "eastMgr", method: "GET", path: "/api/v1/kpis/card?org_unit_id={west}", status: 404, want: notFound},
				apiCase{name: "eastMgr naming a unit and a person is a bad request", as: "eastMgr", method: "GET", path: "/api/v1/kpis/card?org_unit_id={east}&person_id={eastRep}", status: 400, want: `"field":"person_id"`},
				apiCase{name: "eastRep sees their own card", as: "eastRep", method: "GET", path: "/api/v1/kpis/card", status: 200, want: `"name":"eastRep"`},
				apiCase{name: "eastRep cannot see westRep's card", as: "eastRep", method: "GET", path: "/api/v1/kpis/card?person_id={westRep}", status: 404, want: notFound},
				apiCase{name: "eastRep asking for month 13 is told the formats", as: "eastRep", method: "GET", path: "/api/v1/kpis/card?period=2026-13", status: 422, want: `"field":"period"`},
				apiCase{name: "mkt cannot see the company's card", as: "mkt", method: "GET", path: "/api/v1/kpis/card?org_unit_id={company}", status: 404, want: notFound},
				anonymous("GET", "/api/v1/kpis/card", ""),
			),
		)},
		{"GET /api/v1/kpis/{code}/evidence", one(
			apiCase{name: "admin lists the deals behind the company's revenue", as: "admin", method: "GET", path: "/api/v1/kpis/won_revenue/evidence?period=2026", status: 200, want: `"count":0`},
			apiCase{name: "senior lists the calls behind westRep's count", as: "senior", method: "GET", path: "/api/v1/kpis/activities_call/evidence?person_id={westRep}", status: 200, want: `"code":"activities_call"`},
			apiCase{name: "eastMgr lists the East's closed deals", as: "eastMgr", method: "GET", path: "/api/v1/kpis/win_rate/evidence?org_unit_id={east}", status: 200, want: `"rows"`},
			apiCase{name: "eastMgr cannot list the West's", as: "eastMgr", method: "GET", path: "/api/v1/kpis/win_rate/evidence?org_unit_id={west}", status: 404, want: notFound},
			apiCase{name: "eastRep lists their open pipeline", as: "eastRep", method: "GET", path: "/api/v1/kpis/open_pipeline/evidence", status: 200, want: `"code":"open_pipeline"`},
			apiCase{name: "eastRep cannot list westRep's", as: "eastRep", method: "GET", path: "/api/v1/kpis/won_revenue/evidence?person_id={westRep}", status: 404, want: notFound},
			apiCase{name: "eastRep naming an unknown KPI is told so", as: "eastRep", method: "GET", path: "/api/v1/kpis/profit/evidence", status: 422, want: `"field":"kpi"`},
			apiCase{name: "mkt cannot list the company's", as: "mkt", method: "GET", path: "/api/v1/kpis/won_revenue/evidence?org_unit_id={company}", status: 404, want: notFound},
			anonymous("GET", "/api/v1/kpis/won_revenue/evidence", ""),
		)},
	}
}
