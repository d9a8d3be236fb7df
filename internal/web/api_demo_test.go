package web_test

import (
	"github.com/echelonhq/echelon/internal/demo"
	"github.com/echelonhq/echelon/internal/web"
)

func init() {
	scenarioTables = append(scenarioTables, demoAPIScenarios)
	structSchemas["DemoJob"] = structSchema{web.DemoJob{}, true}
	structSchemas["DemoResult"] = structSchema{demo.Result{}, true}
}

// demoAPIScenarios try the first run's demo load as every role. The
// harness's installation already holds people, so even the admin is told
// it is no longer empty; the load itself is the first-run journey's.
func demoAPIScenarios() []endpoint {
	forbidden, notFound := `"code":"forbidden"`, `"code":"not_found"`
	refused := func(who string) apiCase {
		return apiCase{name: who + " may not load the demo", as: who, method: "POST", path: "/api/v1/demo", status: 403, want: forbidden}
	}
	unknown := func(who string) apiCase {
		return apiCase{name: who + " asking for an unknown load gets 404", as: who, method: "GET", path: "/api/v1/demo/jobs/nosuchjob", status: 404, want: notFound}
	}
	return []endpoint{
		{"POST /api/v1/demo", []apiCase{
			{name: "admin is told the installation is no longer empty", as: "admin", method: "POST", path: "/api/v1/demo", status: 409, want: `"code":"conflict"`},
			refused("senior"), refused("eastMgr"), refused("eastRep"), refused("mkt"),
			anonymous("POST", "/api/v1/demo", ""),
		}},
		{"GET /api/v1/demo/jobs/{id}", []apiCase{
			unknown("admin"), unknown("senior"), unknown("eastMgr"), unknown("eastRep"), unknown("mkt"),
			anonymous("GET", "/api/v1/demo/jobs/nosuchjob", ""),
		}},
	}
}
