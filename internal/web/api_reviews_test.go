package web_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/echelonhq/echelon/internal/review"
)

func init() {
	scenarioTables = append(scenarioTables, reviewAPIScenarios)
	for name, s := range map[string]structSchema{
		"ReviewTemplate":         {review.Template{}, true},
		"ReviewTemplateInput":    {review.TemplateInput{}, false},
		"ReviewScaleLabel":       {review.Label{}, true},
		"ReviewCycle":            {review.Cycle{}, true},
		"ReviewCycleInput":       {review.CycleInput{}, false},
		"Review":                 {review.Review{}, true},
		"ReviewCalibration":      {review.Calibration{}, true},
		"ReviewSelfInput":        {review.SelfInput{}, false},
		"ReviewManagerInput":     {review.ManagerInput{}, false},
		"ReviewCalibrateInput":   {review.CalibrateInput{}, false},
		"ReviewAcknowledgeInput": {review.AcknowledgeInput{}, false},
		"ReviewDistribution":     {review.Distribution{}, true},
		"ReviewRegionSpread":     {review.RegionSpread{}, true},
		"Feedback":               {review.Feedback{}, true},
		"FeedbackInput":          {review.FeedbackInput{}, false},
		"ImprovementPlan":        {review.Plan{}, true},
		"ImprovementPlanNote":    {review.PlanNote{}, true},
		"ImprovementPlanInput":   {review.PlanInput{}, false},
		"ImprovementPlanCheckin": {review.PlanNoteInput{}, false},
		"ImprovementPlanClose":   {review.PlanCloseInput{}, false},
	} {
		structSchemas[name] = s
	}
}

// The company's quarterly cycle of the review scenarios, created by the
// senior manager and opened: it reviews eastMgr, westMgr (by senior),
// eastRep (by eastMgr) and westRep (by westMgr).
const companyCycle = "Company Q3"

// reviewsAt is a setup in which the company's cycle is open and the reviews
// of eastRep and westRep have reached state (eastMgr's stays in self
// review). It gives {cycle}, {rEast}, {rWest} and {rEastMgr}.
func reviewsAt(state string) func(t *testing.T, h *harness, as string) map[string]string {
	return func(t *testing.T, h *harness, _ string) map[string]string {
		t.Helper()
		var cycles struct{ Items []review.Cycle }
		h.callJSON(t, "admin", "GET", "/api/v1/review-cycles", "", 200, &cycles)
		i := slices.IndexFunc(cycles.Items, func(c review.Cycle) bool { return c.Name == companyCycle })
		var c review.Cycle
		if i < 0 {
			h.callJSON(t, "senior", "POST", "/api/v1/review-cycles", `{"template_id":1,"name":"`+companyCycle+`","period":"2026-Q3","org_unit_id":1}`, 201, &c)
			h.callJSON(t, "senior", "POST", "/api/v1/review-cycles/"+itoa(c.ID)+"/open", "", 200, &c)
		} else {
			c = cycles.Items[i]
		}
		var list struct{ Items []review.Review }
		h.callJSON(t, "admin", "GET", "/api/v1/reviews?cycle_id="+itoa(c.ID), "", 200, &list)
		ids := map[int64]int64{}
		for _, r := range list.Items {
			ids[r.PersonID] = r.ID
			rep, mgr := "eastRep", "eastMgr"
			switch r.PersonID {
			case h.People["westRep"].ID:
				rep, mgr = "westRep", "westMgr"
			case h.People["eastRep"].ID:
			default:
				continue
			}
			at := "/api/v1/reviews/" + itoa(r.ID)
			for slices.Index(review.States, r.State) < slices.Index(review.States, state) {
				switch r.State {
				case review.StateSelf:
					h.callJSON(t, rep, "PUT", at+"/self", `{"text":"A good quarter","ratings":`+ratingsJSON+`,"submit":true}`, 200, &r)
				case review.StateManager:
					h.callJSON(t, mgr, "PUT", at+"/manager", `{"text":"Solid","ratings":`+ratingsJSON+`,"proposed_rating":3,"potential":2,"submit":true}`, 200, &r)
				case review.StateCalibration:
					h.callJSON(t, "senior", "POST", at+"/release", "", 200, &r)
				default:
					t.Fatalf("setup: cannot move review %d on from %s", r.ID, r.State)
				}
			}
		}
		return map[string]string{"{cycle}": itoa(c.ID), "{rEast}": itoa(ids[h.People["eastRep"].ID]),
			"{rWest}": itoa(ids[h.People["westRep"].ID]), "{rEastMgr}": itoa(ids[h.People["eastMgr"].ID])}
	}
}

const ratingsJSON = `{"product_knowledge":3,"sales_skills":4,"customer_service":3,"market_analysis":3,"leadership":2}`

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// draftCycle is a setup with a new draft cycle: of the company by senior
// as {draft}, and of the East by eastMgr as {eastDraft}.
func draftCycle(t *testing.T, h *harness, _ string) map[string]string {
	t.Helper()
	var c, e review.Cycle
	h.callJSON(t, "senior", "POST", "/api/v1/review-cycles", `{"template_id":1,"period":"2026-Q4","org_unit_id":1}`, 201, &c)
	h.callJSON(t, "eastMgr", "POST", "/api/v1/review-cycles", `{"template_id":1,"period":"2026-Q4","org_unit_id":`+itoa(h.Units["east"].ID)+`}`, 201, &e)
	return map[string]string{"{draft}": itoa(c.ID), "{eastDraft}": itoa(e.ID)}
}

// withNotes is a setup with eastMgr's private note about eastRep (once per harness).
func withNotes(t *testing.T, h *harness, _ string) map[string]string {
	t.Helper()
	var list struct{ Items []review.Feedback }
	h.callJSON(t, "admin", "GET", "/api/v1/feedback", "", 200, &list)
	if len(list.Items) == 0 {
		h.callJSON(t, "eastMgr", "POST", "/api/v1/feedback", `{"person_id":`+itoa(h.People["eastRep"].ID)+`,"kind":"development","body":"Prepare demos earlier"}`, 201, nil)
	}
	return nil
}

// withImprovementPlan is a setup with eastRep's open improvement plan, opened by eastMgr from their review, as {plan}.
func withImprovementPlan(t *testing.T, h *harness, as string) map[string]string {
	t.Helper()
	vars := reviewsAt(review.StateSelf)(t, h, as)
	var list struct{ Items []review.Plan }
	h.callJSON(t, "admin", "GET", "/api/v1/improvement-plans", "", 200, &list)
	if len(list.Items) == 0 {
		var p review.Plan
		h.callJSON(t, "eastMgr", "POST", "/api/v1/improvement-plans", `{"person_id":`+itoa(h.People["eastRep"].ID)+`,"review_id":`+vars["{rEast}"]+
			`,"goals":["Ten qualified visits a month"],"checkins":["2026-11-15"]}`, 201, &p)
		list.Items = append(list.Items, p)
	}
	vars["{plan}"] = itoa(list.Items[0].ID)
	return vars
}

func reviewAPIScenarios() []endpoint {
	const (
		forbidden  = `"code":"forbidden"`
		notFound   = `"code":"not_found"`
		conflict   = `"code":"conflict"`
		invalid    = `"code":"invalid"`
		tplIn      = `{"name":"Monthly check","kind":"monthly"}`
		cycleIn    = `{"template_id":1,"period":"2026-Q3","org_unit_id":{east}}`
		selfIn     = `{"text":"Opened two key accounts","ratings":{"sales_skills":4}}`
		managerIn  = `{"text":"Good progress","ratings":{"leadership":2},"proposed_rating":3}`
		calibrate  = `{"rating":4,"reason":"Best deal of the region"}`
		noteIn     = `{"person_id":{eastRep},"kind":"praise","visibility":"shared","body":"Won the tender"}`
		planGoals  = `,"goals":["Ten visits a month"],"checkins":["2026-11-15"]}`
		checkinIn  = `{"body":"Eight visits so far"}`
		outsideIn  = `{"person_id":{westRep},"kind":"praise","body":"Not mine to write"}`
		westPlanIn = `{"person_id":{westRep}` + planGoals
	)
	cat := func(parts ...[]apiCase) []apiCase { return slices.Concat(parts...) }
	one := func(c ...apiCase) []apiCase { return c }
	at := func(state string, c apiCase) apiCase { c.setup = reviewsAt(state); return c }
	self := func(c apiCase) apiCase { return at(review.StateSelf, c) }
	mgr := func(c apiCase) apiCase { return at(review.StateManager, c) }
	cal := func(c apiCase) apiCase { return at(review.StateCalibration, c) }
	rel := func(c apiCase) apiCase { return at(review.StateReleased, c) }
	draft := func(c apiCase) apiCase { c.setup = draftCycle; return c }
	notes := func(c apiCase) apiCase { c.setup = withNotes; return c }
	plan := func(c apiCase) apiCase { c.setup = withImprovementPlan; return c }
	return []endpoint{
		{"GET /api/v1/review-templates", cat(
			everyone("reads the review templates", "GET", "/api/v1/review-templates", "", 200, same(`"kind":"quarterly"`)),
			one(anonymous("GET", "/api/v1/review-templates", "")),
		)},
		{"POST /api/v1/review-templates", one(
			apiCase{name: "admin creates a monthly template with the five competencies", as: "admin", method: "POST", path: "/api/v1/review-templates", body: tplIn, status: 201, want: `"leadership"`},
			apiCase{name: "senior creates one too", as: "senior", method: "POST", path: "/api/v1/review-templates", body: tplIn, status: 201, want: `"self_days":7`},
			apiCase{name: "admin cannot create a weekly template", as: "admin", method: "POST", path: "/api/v1/review-templates", body: `{"name":"x","kind":"weekly"}`, status: 422, want: `"field":"kind"`},
			apiCase{name: "eastMgr may not create templates", as: "eastMgr", method: "POST", path: "/api/v1/review-templates", body: tplIn, status: 403, want: forbidden},
			apiCase{name: "eastRep may not create templates", as: "eastRep", method: "POST", path: "/api/v1/review-templates", body: tplIn, status: 403, want: forbidden},
			apiCase{name: "mkt may not create templates", as: "mkt", method: "POST", path: "/api/v1/review-templates", body: tplIn, status: 403, want: forbidden},
			anonymous("POST", "/api/v1/review-templates", tplIn),
		)},
		{"GET /api/v1/review-templates/{id}", cat(
			everyone("reads the quarterly template", "GET", "/api/v1/review-templates/1", "", 200, same(`"scale":[`)),
			one(
				apiCase{name: "an unknown template is not found", as: "admin", method: "GET", path: "/api/v1/review-templates/999", status: 404, want: notFound},
				anonymous("GET", "/api/v1/review-templates/1", ""),
			),
		)},
		{"PUT /api/v1/review-templates/{id}", one(
			apiCase{name: "admin renames the quarterly template", as: "admin", method: "PUT", path: "/api/v1/review-templates/1", body: `{"name":"Quarterly","kind":"quarterly","version":1}`, status: 200, want: `"version":2`},
			apiCase{name: "senior shortens the self review", as: "senior", method: "PUT", path: "/api/v1/review-templates/1", body: `{"name":"Quarterly","kind":"quarterly","self_days":5}`, status: 200, want: `"self_days":5`},
			apiCase{name: "a stale version is a conflict", as: "admin", method: "PUT", path: "/api/v1/review-templates/1", body: `{"name":"Q","kind":"quarterly","version":1}`, status: 409, want: conflict},
			apiCase{name: "eastMgr may not change templates", as: "eastMgr", method: "PUT", path: "/api/v1/review-templates/1", body: tplIn, status: 403, want: forbidden},
			apiCase{name: "eastRep may not change templates", as: "eastRep", method: "PUT", path: "/api/v1/review-templates/1", body: tplIn, status: 403, want: forbidden},
			apiCase{name: "mkt may not change templates", as: "mkt", method: "PUT", path: "/api/v1/review-templates/1", body: tplIn, status: 403, want: forbidden},
			anonymous("PUT", "/api/v1/review-templates/1", tplIn),
		)},
		{"GET /api/v1/review-cycles", one(
			self(apiCase{name: "admin sees the company's cycle", as: "admin", method: "GET", path: "/api/v1/review-cycles", status: 200, want: `"self_review":4`}),
			self(apiCase{name: "senior sees it with every review", as: "senior", method: "GET", path: "/api/v1/review-cycles", status: 200, want: `"self_review":4`}),
			self(apiCase{name: "eastMgr sees it with the East's reviews only", as: "eastMgr", method: "GET", path: "/api/v1/review-cycles", status: 200, want: `"self_review":2`}),
			self(apiCase{name: "eastRep sees it with their own review only", as: "eastRep", method: "GET", path: "/api/v1/review-cycles", status: 200, want: `"self_review":1`}),
			self(apiCase{name: "mkt is not reviewed and sees none", as: "mkt", method: "GET", path: "/api/v1/review-cycles", status: 200, want: `"items":[]`}),
			anonymous("GET", "/api/v1/review-cycles", ""),
		)},
		{"POST /api/v1/review-cycles", one(
			apiCase{name: "senior opens a draft for the company's sales people", as: "senior", method: "POST", path: "/api/v1/review-cycles", body: `{"template_id":1,"period":"2026-Q3","org_unit_id":{company}}`, status: 201, want: `"draft":4`},
			apiCase{name: "eastMgr creates one for their region", as: "eastMgr", method: "POST", path: "/api/v1/review-cycles", body: cycleIn, status: 201, want: `"draft":1`},
			apiCase{name: "eastMgr cannot choose the West", as: "eastMgr", method: "POST", path: "/api/v1/review-cycles", body: `{"template_id":1,"period":"2026-Q3","org_unit_id":{west}}`, status: 422, want: `"field":"org_unit_id"`},
			apiCase{name: "admin cannot include senior, who has nobody to review them", as: "admin", method: "POST", path: "/api/v1/review-cycles", body: `{"template_id":1,"period":"2026-Q3","org_unit_id":{company}}`, status: 422, want: `senior`},
			apiCase{name: "admin creates one for the company's reps", as: "admin", method: "POST", path: "/api/v1/review-cycles", body: `{"template_id":1,"period":"2026-Q3","org_unit_id":{company},"roles":["rep"]}`, status: 201, want: `"draft":2`},
			apiCase{name: "a month for a quarterly template is refused", as: "senior", method: "POST", path: "/api/v1/review-cycles", body: `{"template_id":1,"period":"2026-09","org_unit_id":{east}}`, status: 422, want: `"field":"period"`},
			apiCase{name: "eastRep may not run cycles", as: "eastRep", method: "POST", path: "/api/v1/review-cycles", body: cycleIn, status: 403, want: forbidden},
			apiCase{name: "mkt may not run cycles", as: "mkt", method: "POST", path: "/api/v1/review-cycles", body: cycleIn, status: 403, want: forbidden},
			anonymous("POST", "/api/v1/review-cycles", cycleIn),
		)},
		{"GET /api/v1/review-cycles/{id}", one(
			self(apiCase{name: "admin reads the cycle", as: "admin", method: "GET", path: "/api/v1/review-cycles/{cycle}", status: 200, want: `"period":"2026-Q3"`}),
			self(apiCase{name: "senior reads it", as: "senior", method: "GET", path: "/api/v1/review-cycles/{cycle}", status: 200, want: `"self_due":"`}),
			self(apiCase{name: "eastMgr reads it", as: "eastMgr", method: "GET", path: "/api/v1/review-cycles/{cycle}", status: 200, want: `"self_review":2`}),
			self(apiCase{name: "eastRep reads it", as: "eastRep", method: "GET", path: "/api/v1/review-cycles/{cycle}", status: 200, want: `"self_review":1`}),
			self(apiCase{name: "mkt cannot", as: "mkt", method: "GET", path: "/api/v1/review-cycles/{cycle}", status: 404, want: notFound}),
			draft(apiCase{name: "westMgr cannot read the East's draft", as: "westMgr", method: "GET", path: "/api/v1/review-cycles/{eastDraft}", status: 404, want: notFound}),
			self(anonymous("GET", "/api/v1/review-cycles/{cycle}", "")),
		)},
		{"POST /api/v1/review-cycles/{id}/open", one(
			draft(apiCase{name: "admin opens a draft", as: "admin", method: "POST", path: "/api/v1/review-cycles/{draft}/open", status: 200, want: `"state":"open"`}),
			draft(apiCase{name: "senior opens a draft", as: "senior", method: "POST", path: "/api/v1/review-cycles/{draft}/open", body: `{"version":1}`, status: 200, want: `"self_review":4`}),
			draft(apiCase{name: "eastMgr opens their region's draft", as: "eastMgr", method: "POST", path: "/api/v1/review-cycles/{eastDraft}/open", status: 200, want: `"self_review":1`}),
			draft(apiCase{name: "eastMgr cannot open the company's", as: "eastMgr", method: "POST", path: "/api/v1/review-cycles/{draft}/open", status: 403, want: forbidden}),
			draft(apiCase{name: "eastRep cannot open a cycle they are in", as: "eastRep", method: "POST", path: "/api/v1/review-cycles/{draft}/open", status: 403, want: forbidden}),
			draft(apiCase{name: "mkt cannot see it", as: "mkt", method: "POST", path: "/api/v1/review-cycles/{draft}/open", status: 404, want: notFound}),
			self(apiCase{name: "an open cycle is not opened twice", as: "senior", method: "POST", path: "/api/v1/review-cycles/{cycle}/open", status: 409, want: conflict}),
			draft(anonymous("POST", "/api/v1/review-cycles/{draft}/open", "")),
		)},
		{"GET /api/v1/review-cycles/{id}/distribution", one(
			cal(apiCase{name: "admin sees both regions", as: "admin", method: "GET", path: "/api/v1/review-cycles/{cycle}/distribution", status: 200, want: `"reviews":2`}),
			cal(apiCase{name: "senior sees the proposed ratings", as: "senior", method: "GET", path: "/api/v1/review-cycles/{cycle}/distribution", status: 200, want: `"proposed":[0,0,2,0,0]`}),
			cal(apiCase{name: "eastMgr sees the East only", as: "eastMgr", method: "GET", path: "/api/v1/review-cycles/{cycle}/distribution", status: 200, want: `"proposed":[0,0,1,0,0]`, absent: []string{"West"}}),
			cal(apiCase{name: "eastRep may not", as: "eastRep", method: "GET", path: "/api/v1/review-cycles/{cycle}/distribution", status: 403, want: forbidden}),
			cal(apiCase{name: "mkt cannot see the cycle", as: "mkt", method: "GET", path: "/api/v1/review-cycles/{cycle}/distribution", status: 404, want: notFound}),
			cal(anonymous("GET", "/api/v1/review-cycles/{cycle}/distribution", "")),
		)},
		{"GET /api/v1/reviews", one(
			self(apiCase{name: "admin sees every review", as: "admin", method: "GET", path: "/api/v1/reviews", status: 200, want: `"total":4`}),
			self(apiCase{name: "senior's tasks are none yet", as: "senior", method: "GET", path: "/api/v1/reviews?mine=todo", status: 200, want: `"total":0`}),
			self(apiCase{name: "eastMgr sees the East's", as: "eastMgr", method: "GET", path: "/api/v1/reviews", status: 200, want: `"total":2`, absent: []string{`"person_name":"westRep"`}}),
			self(apiCase{name: "eastRep's task is their self review", as: "eastRep", method: "GET", path: "/api/v1/reviews?mine=todo", status: 200, want: `"task":"self"`}),
			self(apiCase{name: "mkt sees none", as: "mkt", method: "GET", path: "/api/v1/reviews", status: 200, want: `"items":[]`}),
			self(apiCase{name: "an unknown filter is refused", as: "eastRep", method: "GET", path: "/api/v1/reviews?mine=all", status: 422, want: `"field":"mine"`}),
			anonymous("GET", "/api/v1/reviews", ""),
		)},
		{"GET /api/v1/reviews/{id}", one(
			self(apiCase{name: "admin reads eastRep's review", as: "admin", method: "GET", path: "/api/v1/reviews/{rEast}", status: 200, want: `"reviewer_name":"eastMgr"`}),
			self(apiCase{name: "senior reads it", as: "senior", method: "GET", path: "/api/v1/reviews/{rEast}", status: 200, want: `"state":"self_review"`}),
			self(apiCase{name: "eastMgr reads it", as: "eastMgr", method: "GET", path: "/api/v1/reviews/{rEast}", status: 200, want: `"scorecard":{"total":0`}),
			self(apiCase{name: "eastMgr cannot read the West's", as: "eastMgr", method: "GET", path: "/api/v1/reviews/{rWest}", status: 404, want: notFound}),
			self(apiCase{name: "eastRep reads their own with its deadline", as: "eastRep", method: "GET", path: "/api/v1/reviews/{rEast}", status: 200, want: `"due":"`}),
			self(apiCase{name: "eastRep cannot read westRep's", as: "eastRep", method: "GET", path: "/api/v1/reviews/{rWest}", status: 404, want: notFound}),
			self(apiCase{name: "mkt cannot read any", as: "mkt", method: "GET", path: "/api/v1/reviews/{rEast}", status: 404, want: notFound}),
			self(anonymous("GET", "/api/v1/reviews/{rEast}", "")),
		)},
		{"PUT /api/v1/reviews/{id}/self", one(
			self(apiCase{name: "eastRep saves their self review", as: "eastRep", method: "PUT", path: "/api/v1/reviews/{rEast}/self", body: selfIn, status: 200, want: `"self_text":"Opened two key accounts"`}),
			self(apiCase{name: "eastRep cannot submit with competencies unrated", as: "eastRep", method: "PUT", path: "/api/v1/reviews/{rEast}/self", body: `{"text":"x","ratings":{},"submit":true}`, status: 422, want: `"field":"ratings"`}),
			self(apiCase{name: "eastRep cannot write westRep's", as: "eastRep", method: "PUT", path: "/api/v1/reviews/{rWest}/self", body: selfIn, status: 404, want: notFound}),
			self(apiCase{name: "eastMgr cannot write it for them", as: "eastMgr", method: "PUT", path: "/api/v1/reviews/{rEast}/self", body: selfIn, status: 403, want: forbidden}),
			self(apiCase{name: "senior cannot either", as: "senior", method: "PUT", path: "/api/v1/reviews/{rEast}/self", body: selfIn, status: 403, want: forbidden}),
			self(apiCase{name: "admin cannot either", as: "admin", method: "PUT", path: "/api/v1/reviews/{rEast}/self", body: selfIn, status: 403, want: forbidden}),
			self(apiCase{name: "mkt cannot see it", as: "mkt", method: "PUT", path: "/api/v1/reviews/{rEast}/self", body: selfIn, status: 404, want: notFound}),
			rel(apiCase{name: "a released review is not edited", as: "eastRep", method: "PUT", path: "/api/v1/reviews/{rEast}/self", body: selfIn, status: 409, want: conflict}),
			self(anonymous("PUT", "/api/v1/reviews/{rEast}/self", selfIn)),
		)},
		{"PUT /api/v1/reviews/{id}/manager", one(
			mgr(apiCase{name: "eastMgr writes eastRep's assessment", as: "eastMgr", method: "PUT", path: "/api/v1/reviews/{rEast}/manager", body: managerIn, status: 200, want: `"manager_text":"Good progress"`}),
			mgr(apiCase{name: "eastMgr cannot review the West", as: "eastMgr", method: "PUT", path: "/api/v1/reviews/{rWest}/manager", body: managerIn, status: 404, want: notFound}),
			mgr(apiCase{name: "eastMgr's own review waits for their self review", as: "senior", method: "PUT", path: "/api/v1/reviews/{rEastMgr}/manager", body: managerIn, status: 409, want: conflict}),
			mgr(apiCase{name: "senior is not eastRep's reviewer", as: "senior", method: "PUT", path: "/api/v1/reviews/{rEast}/manager", body: managerIn, status: 403, want: forbidden}),
			mgr(apiCase{name: "admin is not the reviewer either", as: "admin", method: "PUT", path: "/api/v1/reviews/{rEast}/manager", body: managerIn, status: 403, want: forbidden}),
			mgr(apiCase{name: "eastRep cannot review themselves", as: "eastRep", method: "PUT", path: "/api/v1/reviews/{rEast}/manager", body: managerIn, status: 403, want: forbidden}),
			mgr(apiCase{name: "mkt cannot see it", as: "mkt", method: "PUT", path: "/api/v1/reviews/{rEast}/manager", body: managerIn, status: 404, want: notFound}),
			mgr(apiCase{name: "a potential of 4 is refused", as: "eastMgr", method: "PUT", path: "/api/v1/reviews/{rEast}/manager", body: `{"text":"x","ratings":{},"potential":4}`, status: 422, want: `"field":"potential"`}),
			mgr(anonymous("PUT", "/api/v1/reviews/{rEast}/manager", managerIn)),
		)},
		{"POST /api/v1/reviews/{id}/calibrate", one(
			cal(apiCase{name: "senior raises eastRep's rating with a reason", as: "senior", method: "POST", path: "/api/v1/reviews/{rEast}/calibrate", body: calibrate, status: 200, want: `"reason":"Best deal of the region"`}),
			cal(apiCase{name: "admin calibrates westRep's", as: "admin", method: "POST", path: "/api/v1/reviews/{rWest}/calibrate", body: `{"rating":2,"reason":"Behind plan"}`, status: 200, want: `"final_rating":2`}),
			cal(apiCase{name: "a change without a reason is refused", as: "senior", method: "POST", path: "/api/v1/reviews/{rWest}/calibrate", body: `{"rating":5}`, status: 422, want: `"field":"reason"`}),
			cal(apiCase{name: "eastMgr may not calibrate", as: "eastMgr", method: "POST", path: "/api/v1/reviews/{rEast}/calibrate", body: calibrate, status: 403, want: forbidden}),
			cal(apiCase{name: "eastRep may not calibrate their own", as: "eastRep", method: "POST", path: "/api/v1/reviews/{rEast}/calibrate", body: calibrate, status: 403, want: forbidden}),
			cal(apiCase{name: "mkt cannot see it", as: "mkt", method: "POST", path: "/api/v1/reviews/{rEast}/calibrate", body: calibrate, status: 404, want: notFound}),
			cal(apiCase{name: "a review still in self review is not calibrated", as: "senior", method: "POST", path: "/api/v1/reviews/{rEastMgr}/calibrate", body: calibrate, status: 409, want: conflict}),
			cal(anonymous("POST", "/api/v1/reviews/{rEast}/calibrate", calibrate)),
		)},
		{"POST /api/v1/reviews/{id}/release", one(
			cal(apiCase{name: "senior cannot release before calibration", as: "senior", method: "POST", path: "/api/v1/reviews/{rEastMgr}/release", status: 409, want: conflict}),
			cal(apiCase{name: "eastMgr may not release", as: "eastMgr", method: "POST", path: "/api/v1/reviews/{rEast}/release", status: 403, want: forbidden}),
			cal(apiCase{name: "eastRep may not release their own", as: "eastRep", method: "POST", path: "/api/v1/reviews/{rEast}/release", status: 403, want: forbidden}),
			cal(apiCase{name: "mkt cannot see it", as: "mkt", method: "POST", path: "/api/v1/reviews/{rEast}/release", status: 404, want: notFound}),
			cal(apiCase{name: "senior releases eastRep's", as: "senior", method: "POST", path: "/api/v1/reviews/{rEast}/release", status: 200, want: `"state":"released"`}),
			cal(apiCase{name: "admin releases westRep's", as: "admin", method: "POST", path: "/api/v1/reviews/{rWest}/release", body: `{"version":0}`, status: 200, want: `"released_at"`}),
			cal(apiCase{name: "a released review is not released twice", as: "senior", method: "POST", path: "/api/v1/reviews/{rEast}/release", status: 409, want: conflict}),
			cal(anonymous("POST", "/api/v1/reviews/{rEast}/release", "")),
		)},
		{"POST /api/v1/reviews/{id}/acknowledge", one(
			rel(apiCase{name: "eastMgr cannot acknowledge eastRep's review", as: "eastMgr", method: "POST", path: "/api/v1/reviews/{rEast}/acknowledge", status: 403, want: forbidden}),
			rel(apiCase{name: "senior cannot either", as: "senior", method: "POST", path: "/api/v1/reviews/{rEast}/acknowledge", status: 403, want: forbidden}),
			rel(apiCase{name: "admin cannot either", as: "admin", method: "POST", path: "/api/v1/reviews/{rEast}/acknowledge", status: 403, want: forbidden}),
			rel(apiCase{name: "mkt cannot see it", as: "mkt", method: "POST", path: "/api/v1/reviews/{rEast}/acknowledge", status: 404, want: notFound}),
			rel(apiCase{name: "eastRep cannot acknowledge westRep's", as: "eastRep", method: "POST", path: "/api/v1/reviews/{rWest}/acknowledge", status: 404, want: notFound}),
			rel(apiCase{name: "eastRep acknowledges their own with a response", as: "eastRep", method: "POST", path: "/api/v1/reviews/{rEast}/acknowledge", body: `{"response":"Thank you"}`, status: 200, want: `"state":"acknowledged"`}),
			rel(apiCase{name: "eastRep acknowledges only once", as: "eastRep", method: "POST", path: "/api/v1/reviews/{rEast}/acknowledge", status: 409, want: conflict}),
			rel(anonymous("POST", "/api/v1/reviews/{rEast}/acknowledge", "")),
		)},
		{"GET /api/v1/feedback", one(
			notes(apiCase{name: "admin reads the note", as: "admin", method: "GET", path: "/api/v1/feedback", status: 200, want: `"total":1`}),
			notes(apiCase{name: "senior reads it", as: "senior", method: "GET", path: "/api/v1/feedback?person_id={eastRep}", status: 200, want: `"kind":"development"`}),
			notes(apiCase{name: "eastMgr reads what they wrote", as: "eastMgr", method: "GET", path: "/api/v1/feedback", status: 200, want: `"author_name":"eastMgr"`}),
			notes(apiCase{name: "eastRep reads the note about them", as: "eastRep", method: "GET", path: "/api/v1/feedback", status: 200, want: `"total":1`}),
			notes(apiCase{name: "westRep reads none", as: "westRep", method: "GET", path: "/api/v1/feedback", status: 200, want: `"total":0`}),
			notes(apiCase{name: "mkt reads none", as: "mkt", method: "GET", path: "/api/v1/feedback", status: 200, want: `"total":0`}),
			anonymous("GET", "/api/v1/feedback", ""),
		)},
		{"POST /api/v1/feedback", one(
			apiCase{name: "admin praises eastRep", as: "admin", method: "POST", path: "/api/v1/feedback", body: noteIn, status: 201, want: `"visibility":"shared"`},
			apiCase{name: "senior praises eastRep", as: "senior", method: "POST", path: "/api/v1/feedback", body: noteIn, status: 201, want: `"author_name":"senior"`},
			apiCase{name: "eastMgr praises eastRep", as: "eastMgr", method: "POST", path: "/api/v1/feedback", body: noteIn, status: 201, want: `"kind":"praise"`},
			apiCase{name: "eastMgr cannot write about westRep", as: "eastMgr", method: "POST", path: "/api/v1/feedback", body: outsideIn, status: 422, want: `"field":"person_id"`},
			apiCase{name: "eastRep may not write feedback", as: "eastRep", method: "POST", path: "/api/v1/feedback", body: noteIn, status: 403, want: forbidden},
			apiCase{name: "mkt may not write feedback", as: "mkt", method: "POST", path: "/api/v1/feedback", body: noteIn, status: 403, want: forbidden},
			anonymous("POST", "/api/v1/feedback", noteIn),
		)},
		{"GET /api/v1/improvement-plans", one(
			plan(apiCase{name: "admin reads the plan", as: "admin", method: "GET", path: "/api/v1/improvement-plans", status: 200, want: `"total":1`}),
			plan(apiCase{name: "senior reads it", as: "senior", method: "GET", path: "/api/v1/improvement-plans?person_id={eastRep}", status: 200, want: `"state":"open"`}),
			plan(apiCase{name: "eastMgr reads it", as: "eastMgr", method: "GET", path: "/api/v1/improvement-plans", status: 200, want: `"opened_by":"eastMgr"`}),
			plan(apiCase{name: "eastRep reads their own", as: "eastRep", method: "GET", path: "/api/v1/improvement-plans", status: 200, want: `"total":1`}),
			plan(apiCase{name: "westMgr reads none", as: "westMgr", method: "GET", path: "/api/v1/improvement-plans", status: 200, want: `"total":0`}),
			plan(apiCase{name: "mkt reads none", as: "mkt", method: "GET", path: "/api/v1/improvement-plans", status: 200, want: `"total":0`}),
			anonymous("GET", "/api/v1/improvement-plans", ""),
		)},
		{"POST /api/v1/improvement-plans", one(
			self(apiCase{name: "eastMgr opens a plan for eastRep from their review", as: "eastMgr", method: "POST", path: "/api/v1/improvement-plans", body: `{"person_id":{eastRep},"review_id":{rEast}` + planGoals, status: 201, want: `"state":"open"`}),
			self(apiCase{name: "a second open plan is a conflict", as: "senior", method: "POST", path: "/api/v1/improvement-plans", body: `{"person_id":{eastRep}` + planGoals, status: 409, want: conflict}),
			self(apiCase{name: "senior opens one for westRep", as: "senior", method: "POST", path: "/api/v1/improvement-plans", body: westPlanIn, status: 201, want: `"goals":["Ten visits a month"]`}),
			self(apiCase{name: "admin opens one for eastMgr", as: "admin", method: "POST", path: "/api/v1/improvement-plans", body: `{"person_id":{eastMgr}` + planGoals, status: 201, want: `"checkins":["2026-11-15"]`}),
			self(apiCase{name: "eastMgr cannot open one for westRep", as: "eastMgr", method: "POST", path: "/api/v1/improvement-plans", body: westPlanIn, status: 422, want: invalid}),
			self(apiCase{name: "eastRep may not open plans", as: "eastRep", method: "POST", path: "/api/v1/improvement-plans", body: westPlanIn, status: 403, want: forbidden}),
			self(apiCase{name: "mkt may not open plans", as: "mkt", method: "POST", path: "/api/v1/improvement-plans", body: westPlanIn, status: 403, want: forbidden}),
			anonymous("POST", "/api/v1/improvement-plans", westPlanIn),
		)},
		{"GET /api/v1/improvement-plans/{id}", one(
			plan(apiCase{name: "admin reads it", as: "admin", method: "GET", path: "/api/v1/improvement-plans/{plan}", status: 200, want: `"review_id":`}),
			plan(apiCase{name: "senior reads it", as: "senior", method: "GET", path: "/api/v1/improvement-plans/{plan}", status: 200, want: `"notes":[]`}),
			plan(apiCase{name: "eastMgr reads it", as: "eastMgr", method: "GET", path: "/api/v1/improvement-plans/{plan}", status: 200, want: `"person_name":"eastRep"`}),
			plan(apiCase{name: "eastRep reads their own", as: "eastRep", method: "GET", path: "/api/v1/improvement-plans/{plan}", status: 200, want: `"goals":[`}),
			plan(apiCase{name: "westMgr cannot", as: "westMgr", method: "GET", path: "/api/v1/improvement-plans/{plan}", status: 404, want: notFound}),
			plan(apiCase{name: "mkt cannot", as: "mkt", method: "GET", path: "/api/v1/improvement-plans/{plan}", status: 404, want: notFound}),
			plan(anonymous("GET", "/api/v1/improvement-plans/{plan}", "")),
		)},
		{"POST /api/v1/improvement-plans/{id}/checkins", one(
			plan(apiCase{name: "eastMgr adds a check-in", as: "eastMgr", method: "POST", path: "/api/v1/improvement-plans/{plan}/checkins", body: checkinIn, status: 200, want: `"body":"Eight visits so far"`}),
			plan(apiCase{name: "senior adds one", as: "senior", method: "POST", path: "/api/v1/improvement-plans/{plan}/checkins", body: checkinIn, status: 200, want: `"author":"senior"`}),
			plan(apiCase{name: "admin adds one", as: "admin", method: "POST", path: "/api/v1/improvement-plans/{plan}/checkins", body: checkinIn, status: 200, want: `"author":"admin"`}),
			plan(apiCase{name: "eastRep reads but does not write their plan", as: "eastRep", method: "POST", path: "/api/v1/improvement-plans/{plan}/checkins", body: checkinIn, status: 403, want: forbidden}),
			plan(apiCase{name: "mkt cannot see it", as: "mkt", method: "POST", path: "/api/v1/improvement-plans/{plan}/checkins", body: checkinIn, status: 404, want: notFound}),
			plan(anonymous("POST", "/api/v1/improvement-plans/{plan}/checkins", checkinIn)),
		)},
		{"POST /api/v1/improvement-plans/{id}/close", one(
			plan(apiCase{name: "eastRep may not close their plan", as: "eastRep", method: "POST", path: "/api/v1/improvement-plans/{plan}/close", body: `{"outcome":"successful"}`, status: 403, want: forbidden}),
			plan(apiCase{name: "mkt cannot see it", as: "mkt", method: "POST", path: "/api/v1/improvement-plans/{plan}/close", body: `{"outcome":"successful"}`, status: 404, want: notFound}),
			plan(apiCase{name: "an unknown outcome is refused", as: "eastMgr", method: "POST", path: "/api/v1/improvement-plans/{plan}/close", body: `{"outcome":"fine"}`, status: 422, want: `"field":"outcome"`}),
			plan(apiCase{name: "senior closes it as successful", as: "senior", method: "POST", path: "/api/v1/improvement-plans/{plan}/close", body: `{"outcome":"successful","note":"Target met"}`, status: 200, want: `"outcome":"successful"`}),
			plan(apiCase{name: "a closed plan is not closed again", as: "admin", method: "POST", path: "/api/v1/improvement-plans/{plan}/close", body: `{"outcome":"extended"}`, status: 409, want: conflict}),
			plan(anonymous("POST", "/api/v1/improvement-plans/{plan}/close", `{"outcome":"successful"}`)),
		)},
	}
}
