package web_test

import (
	"slices"

	"github.com/echelonhq/echelon/internal/talent"
)

func init() {
	scenarioTables = append(scenarioTables, talentAPIScenarios)
	for name, s := range map[string]structSchema{
		"TalentUnit":          {talent.Unit{}, true},
		"TalentPerson":        {talent.Person{}, true},
		"TalentPlaced":        {talent.Placed{}, true},
		"TalentCell":          {talent.Cell{}, true},
		"TalentGrid":          {talent.Grid{}, true},
		"SuccessionCandidate": {talent.Candidate{}, true},
		"SuccessionSeat":      {talent.Seat{}, true},
		"Succession":          {talent.Succession{}, true},
		"ReadinessRefresh":    {talent.Refreshed{}, true},
		"RiskMonth":           {talent.MonthResult{}, true},
		"AtRiskPerson":        {talent.Risk{}, true},
		"AtRisk":              {talent.AtRisk{}, true},
		"TimelineEvent":       {talent.Event{}, true},
		"Development":         {talent.Development{}, true},
	} {
		structSchemas[name] = s
	}
}

// talentAPIScenarios tries the talent grid, succession, at-risk and
// development endpoints as every role: managers' views for the admin, the
// senior manager and a regional manager in their subtree; a person's
// development for themselves and the managers above them.
func talentAPIScenarios() []endpoint {
	forbidden, notFound := `"code":"forbidden"`, `"code":"not_found"`
	cat := func(parts ...[]apiCase) []apiCase { return slices.Concat(parts...) }
	managersView := func(method, path, want string) []apiCase {
		return []apiCase{
			{name: "admin sees the company", as: "admin", method: method, path: path, status: 200, want: want},
			{name: "senior sees the company", as: "senior", method: method, path: path, status: 200, want: want},
			{name: "eastMgr sees the East", as: "eastMgr", method: method, path: path, status: 200, want: `"name":"华东大区 East"`},
			{name: "eastMgr asking for the West is told it does not exist", as: "eastMgr", method: method, path: path + "?org_unit_id={west}", status: 404, want: notFound},
			{name: "senior asking for a malformed unit gets a bad request", as: "senior", method: method, path: path + "?org_unit_id=abc", status: 400, want: `"field":"org_unit_id"`},
			{name: "eastRep is refused", as: "eastRep", method: method, path: path, status: 403, want: forbidden},
			{name: "mkt is refused", as: "mkt", method: method, path: path, status: 403, want: forbidden},
			anonymous(method, path, ""),
		}
	}
	// recompute marks a refresh's cases: it keeps computed figures, not a
	// change anyone made, so it writes no audit entry.
	recompute := func(cs []apiCase) []apiCase {
		for i := range cs {
			cs[i].quiet = true
			if cs[i].as == "eastMgr" && cs[i].status == 200 {
				cs[i].want = `"people":`
			}
		}
		return cs
	}
	return []endpoint{
		{"GET /api/v1/talent-grid", managersView("GET", "/api/v1/talent-grid", `"cells":[`)},
		{"GET /api/v1/succession", managersView("GET", "/api/v1/succession", `"seats":[`)},
		{"POST /api/v1/succession/refresh", recompute(managersView("POST", "/api/v1/succession/refresh", `"computed_at"`))},
		{"GET /api/v1/at-risk", managersView("GET", "/api/v1/at-risk", `"months":[`)},
		{"GET /api/v1/people/{id}/development", cat([]apiCase{
			{name: "admin reads a rep's development", as: "admin", method: "GET", path: "/api/v1/people/{eastRep}/development", status: 200, want: `"timeline":[`},
			{name: "senior reads a rep's development", as: "senior", method: "GET", path: "/api/v1/people/{eastRep}/development", status: 200, want: `"name":"eastRep"`},
			{name: "eastMgr reads their rep's development", as: "eastMgr", method: "GET", path: "/api/v1/people/{eastRep}/development", status: 200, want: `"name":"eastRep"`},
			{name: "eastMgr cannot read the West's rep", as: "eastMgr", method: "GET", path: "/api/v1/people/{westRep}/development", status: 404, want: notFound},
			{name: "eastRep reads their own development", as: "eastRep", method: "GET", path: "/api/v1/people/{eastRep}/development", status: 200, want: `"name":"eastRep"`},
			{name: "eastRep cannot read a colleague's", as: "eastRep", method: "GET", path: "/api/v1/people/{westRep}/development", status: 404, want: notFound},
			{name: "mkt cannot read a rep's", as: "mkt", method: "GET", path: "/api/v1/people/{eastRep}/development", status: 404, want: notFound},
			{name: "admin asking for nobody gets 404", as: "admin", method: "GET", path: "/api/v1/people/99999/development", status: 404, want: notFound},
			anonymous("GET", "/api/v1/people/{eastRep}/development", ""),
		})},
	}
}
