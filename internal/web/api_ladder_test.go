package web_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/echelonhq/echelon/internal/ladder"
	"github.com/echelonhq/echelon/internal/org"
)

func init() {
	scenarioTables = append(scenarioTables, ladderAPIScenarios)
	for name, s := range map[string]structSchema{
		"LevelRef":               {ladder.LevelRef{}, true},
		"LevelCriteria":          {ladder.Criteria{}, true},
		"LevelCriteriaInput":     {ladder.CriteriaInput{}, false},
		"CertificationType":      {ladder.CertificationType{}, true},
		"CertificationTypeInput": {ladder.CertificationType{}, false},
		"Certification":          {ladder.Certification{}, true},
		"CertificationInput":     {ladder.CertificationInput{}, false},
		"Readiness":              {ladder.Readiness{}, true},
		"ReadinessCriterion":     {ladder.Criterion{}, true},
		"TenureEvidence":         {ladder.TenureEvidence{}, true},
		"QuarterScore":           {ladder.QuarterScore{}, true},
		"ScoreEvidence":          {ladder.ScoreEvidence{}, true},
		"HeldCertification":      {ladder.HeldCertification{}, true},
		"CertEvidence":           {ladder.CertEvidence{}, true},
		"CompetencyRating":       {ladder.CompetencyRating{}, true},
		"CompetencyEvidence":     {ladder.CompetencyEvidence{}, true},
		"ReadinessBoard":         {ladder.Board{}, true},
		"Nomination":             {ladder.Nomination{}, true},
		"NominationInput":        {ladder.NominationInput{}, false},
		"NominationDecision":     {ladder.DecisionInput{}, false},
		"LevelChange":            {ladder.LevelChange{}, true},
	} {
		structSchemas[name] = s
	}
}

// onLadder is a setup that puts the harness's people on the ladder (once):
// eastRep junior rep, westRep mid rep, the regional managers and the
// senior manager at their levels, hired in 2023; eastRep holds a product
// certificate. It names the mid_rep level {mid}.
func onLadder(t *testing.T, h *harness, _ string) map[string]string {
	t.Helper()
	ctx := systemCtx()
	levels, err := h.Org.FindLevels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, l := range levels {
		ids[l.Code] = l.ID
	}
	vars := map[string]string{"{mid}": strconv.FormatInt(ids["mid_rep"], 10)}
	if h.People["eastRep"].LevelID != 0 {
		return vars
	}
	hired := "2023-03-01"
	for who, code := range map[string]string{"eastRep": "junior_rep", "westRep": "mid_rep", "eastMgr": "regional_manager", "westMgr": "regional_manager", "senior": "senior_manager"} {
		level := ids[code]
		p, err := h.Org.UpdatePerson(ctx, h.People[who].ID, org.PersonUpdate{LevelID: &level, HireDate: &hired})
		if err != nil {
			t.Fatalf("setup: level of %s: %v", who, err)
		}
		h.People[who] = p
	}
	if _, err := ladder.NewService(h.DB, nil).RecordCertification(ctx, ladder.CertificationInput{PersonID: h.People["eastRep"].ID, Code: "product_basics", IssuedOn: "2025-01-01"}); err != nil {
		t.Fatalf("setup: certification: %v", err)
	}
	return vars
}

// pendingNomination is a setup that makes sure eastMgr's nomination of
// eastRep waits for a decision, as {nom} with its version {nv}.
func pendingNomination(t *testing.T, h *harness, as string) map[string]string {
	t.Helper()
	vars := onLadder(t, h, as)
	var list struct{ Items []ladder.Nomination }
	h.callJSON(t, "eastMgr", "GET", "/api/v1/nominations?state=pending&view=mine", "", 200, &list)
	var n ladder.Nomination
	if len(list.Items) > 0 {
		n = list.Items[0]
	} else {
		h.callJSON(t, "eastMgr", "POST", "/api/v1/nominations", `{"person_id":`+id(h.People["eastRep"].ID)+`,"kind":"promotion","reason":"Strong quarters"}`, 201, &n)
	}
	vars["{nom}"], vars["{nv}"] = id(n.ID), strconv.Itoa(n.Version)
	return vars
}

func ladderAPIScenarios() []endpoint {
	const (
		forbidden = `"code":"forbidden"`
		notFound  = `"code":"not_found"`
		critIn    = `{"min_tenure_months":6,"score_quarters":2,"score_average":85,"score_floor":70,"certifications":["key_account"],"competencies":{"sales_skills":3},"account_limit":40,"commission_plan":"mid-2026","learning_path":"mid","target_band_min":10,"target_band_max":25}`
		certType  = `{"code":"negotiation","name_zh":"谈判认证","name_en":"Negotiation"}`
	)
	cat := func(parts ...[]apiCase) []apiCase { return slices.Concat(parts...) }
	one := func(c ...apiCase) []apiCase { return c }
	on := func(c apiCase) apiCase { c.setup = onLadder; return c }
	cert := func(person string) string {
		return `{"person_id":{` + person + `},"code":"key_account","issued_on":"2026-01-05","expires_on":"2028-01-05","note":"course passed"}`
	}
	nominate := func(person string) string {
		return `{"person_id":{` + person + `},"kind":"promotion","reason":"Ready"}`
	}
	decide := `{"reason":"Agreed","version":{nv}}`
	onAll := func(cs []apiCase) []apiCase { return withSetup(onLadder, cs) }
	pendAll := func(cs []apiCase) []apiCase { return withSetup(pendingNomination, cs) }
	return []endpoint{
		{"GET /api/v1/levels/{id}/criteria", cat(
			onAll(everyone("reads the mid rep level's entry criteria", "GET", "/api/v1/levels/{mid}/criteria", "", 200, same(`"min_tenure_months":12`))),
			one(
				apiCase{name: "admin reading a made-up level finds it not found", as: "admin", method: "GET", path: "/api/v1/levels/999999/criteria", status: 404, want: notFound},
				on(anonymous("GET", "/api/v1/levels/{mid}/criteria", "")),
			),
		)},
		{"PUT /api/v1/levels/{id}/criteria", cat(
			one(
				on(apiCase{name: "admin naming an unknown certification changes nothing", as: "admin", method: "PUT", path: "/api/v1/levels/{mid}/criteria", body: `{"certifications":["astrology"],"min_tenure_months":0,"score_quarters":0,"score_average":0,"score_floor":0,"competencies":{},"account_limit":0,"commission_plan":"","learning_path":"","target_band_min":0,"target_band_max":0}`, status: 422, want: `"field":"certifications[0]"`}),
				on(apiCase{name: "admin naming an unknown competency changes nothing", as: "admin", method: "PUT", path: "/api/v1/levels/{mid}/criteria", body: `{"competencies":{"charm":3}}`, status: 422, want: `"field":"competencies.charm"`}),
				on(apiCase{name: "admin naming an unknown KPI template changes nothing", as: "admin", method: "PUT", path: "/api/v1/levels/{mid}/criteria", body: `{"kpi_template_id":999}`, status: 422, want: `"field":"kpi_template_id"`}),
				on(apiCase{name: "admin with an old version is told it changed", as: "admin", method: "PUT", path: "/api/v1/levels/{mid}/criteria", body: `{"version":7}`, status: 409, want: `"code":"conflict"`}),
				on(apiCase{name: "admin replaces the criteria and the account limit", as: "admin", method: "PUT", path: "/api/v1/levels/{mid}/criteria", body: critIn, status: 200, want: `"account_limit":40`}),
			),
			onAll(nonAdmins("cannot change a level's criteria", "PUT", "/api/v1/levels/{mid}/criteria", critIn)),
			one(on(anonymous("PUT", "/api/v1/levels/{mid}/criteria", critIn))),
		)},
		{"GET /api/v1/certification-types", cat(
			everyone("reads the certification catalogue", "GET", "/api/v1/certification-types", "", 200, same(`"code":"key_account"`)),
			one(anonymous("GET", "/api/v1/certification-types", "")),
		)},
		{"POST /api/v1/certification-types", cat(
			one(
				apiCase{name: "admin adds a certification", as: "admin", method: "POST", path: "/api/v1/certification-types", body: certType, status: 201, want: `"code":"negotiation"`},
				apiCase{name: "admin adding it twice is told it exists", as: "admin", method: "POST", path: "/api/v1/certification-types", body: certType, status: 409, want: `"code":"conflict"`},
				apiCase{name: "admin without an English name is told so", as: "admin", method: "POST", path: "/api/v1/certification-types", body: `{"code":"x_cert","name_zh":"某认证","name_en":" "}`, status: 422, want: `"field":"name_en"`},
			),
			nonAdmins("cannot add a certification", "POST", "/api/v1/certification-types", certType),
			one(anonymous("POST", "/api/v1/certification-types", certType)),
		)},
		{"GET /api/v1/certifications", one(
			on(apiCase{name: "admin reads everyone's", as: "admin", method: "GET", path: "/api/v1/certifications", status: 200, want: `"person_name":"eastRep"`}),
			on(apiCase{name: "senior reads eastRep's", as: "senior", method: "GET", path: "/api/v1/certifications?person_id={eastRep}", status: 200, want: `"code":"product_basics"`}),
			on(apiCase{name: "eastMgr reads their subtree's", as: "eastMgr", method: "GET", path: "/api/v1/certifications", status: 200, want: `"total":1`}),
			on(apiCase{name: "eastMgr cannot read westRep's", as: "eastMgr", method: "GET", path: "/api/v1/certifications?person_id={westRep}", status: 404, want: notFound}),
			on(apiCase{name: "eastRep reads their own", as: "eastRep", method: "GET", path: "/api/v1/certifications", status: 200, want: `"person_name":"eastRep"`}),
			on(apiCase{name: "eastRep cannot read westRep's", as: "eastRep", method: "GET", path: "/api/v1/certifications?person_id={westRep}", status: 404, want: notFound}),
			on(apiCase{name: "eastRep giving a bad id is a bad request", as: "eastRep", method: "GET", path: "/api/v1/certifications?person_id=x", status: 400, want: `"field":"person_id"`}),
			on(apiCase{name: "mkt holds none", as: "mkt", method: "GET", path: "/api/v1/certifications", status: 200, want: `"total":0`}),
			on(anonymous("GET", "/api/v1/certifications", "")),
		)},
		{"POST /api/v1/certifications", one(
			on(apiCase{name: "admin records westRep's", as: "admin", method: "POST", path: "/api/v1/certifications", body: cert("westRep"), status: 201, want: `"expires_on":"2028-01-05"`}),
			on(apiCase{name: "senior records eastRep's", as: "senior", method: "POST", path: "/api/v1/certifications", body: cert("eastRep"), status: 201, want: `"person_name":"eastRep"`}),
			on(apiCase{name: "eastMgr records eastRep's", as: "eastMgr", method: "POST", path: "/api/v1/certifications", body: cert("eastRep"), status: 201, want: `"note":"course passed"`}),
			on(apiCase{name: "eastMgr cannot record westRep's", as: "eastMgr", method: "POST", path: "/api/v1/certifications", body: cert("westRep"), status: 422, want: `"field":"person_id"`}),
			on(apiCase{name: "eastMgr cannot record their own", as: "eastMgr", method: "POST", path: "/api/v1/certifications", body: cert("eastMgr"), status: 403, want: forbidden}),
			on(apiCase{name: "eastMgr naming an unknown certification is told so", as: "eastMgr", method: "POST", path: "/api/v1/certifications", body: `{"person_id":{eastRep},"code":"astrology","issued_on":"2026-01-05"}`, status: 422, want: `"field":"code"`}),
			on(apiCase{name: "eastRep may not record", as: "eastRep", method: "POST", path: "/api/v1/certifications", body: cert("eastRep"), status: 403, want: forbidden}),
			on(apiCase{name: "mkt may not record", as: "mkt", method: "POST", path: "/api/v1/certifications", body: cert("eastRep"), status: 403, want: forbidden}),
			on(anonymous("POST", "/api/v1/certifications", cert("eastRep"))),
		)},
		{"GET /api/v1/readiness", one(
			on(apiCase{name: "admin reads everyone's readiness by bucket", as: "admin", method: "GET", path: "/api/v1/readiness", status: 200, want: `"name":"westRep"`}),
			on(apiCase{name: "senior narrows to the East", as: "senior", method: "GET", path: "/api/v1/readiness?unit={east}", status: 200, want: `"name":"eastRep"`, absent: []string{`"name":"westRep"`}}),
			on(apiCase{name: "eastMgr reads their subtree", as: "eastMgr", method: "GET", path: "/api/v1/readiness", status: 200, want: `"next_level":{`, absent: []string{`"name":"westRep"`}}),
			on(apiCase{name: "eastMgr cannot read the West", as: "eastMgr", method: "GET", path: "/api/v1/readiness?unit={west}", status: 404, want: notFound}),
			on(apiCase{name: "eastRep reads only themselves", as: "eastRep", method: "GET", path: "/api/v1/readiness", status: 200, want: `"name":"eastRep"`, absent: []string{`"name":"westRep"`, `"name":"eastMgr"`}}),
			on(apiCase{name: "eastRep cannot read westRep", as: "eastRep", method: "GET", path: "/api/v1/readiness?person={westRep}", status: 404, want: notFound}),
			on(apiCase{name: "mkt, not on the ladder, has an empty board", as: "mkt", method: "GET", path: "/api/v1/readiness", status: 200, want: `"ready_now":[]`}),
			on(anonymous("GET", "/api/v1/readiness", "")),
		)},
		{"GET /api/v1/readiness/{person}", one(
			on(apiCase{name: "admin reads eastRep's evidence", as: "admin", method: "GET", path: "/api/v1/readiness/{eastRep}", status: 200, want: `"kind":"certifications"`}),
			on(apiCase{name: "senior reads eastRep's", as: "senior", method: "GET", path: "/api/v1/readiness/{eastRep}", status: 200, want: `"source":"hire_date"`}),
			on(apiCase{name: "eastMgr reads eastRep's", as: "eastMgr", method: "GET", path: "/api/v1/readiness/{eastRep}", status: 200, want: `"code":"mid_rep"`}),
			on(apiCase{name: "eastMgr cannot read westRep's", as: "eastMgr", method: "GET", path: "/api/v1/readiness/{westRep}", status: 404, want: notFound}),
			on(apiCase{name: "eastRep reads their own", as: "eastRep", method: "GET", path: "/api/v1/readiness/{eastRep}", status: 200, want: `"explanation":"`}),
			on(apiCase{name: "eastRep cannot read westRep's", as: "eastRep", method: "GET", path: "/api/v1/readiness/{westRep}", status: 404, want: notFound}),
			on(apiCase{name: "mkt cannot read eastRep's", as: "mkt", method: "GET", path: "/api/v1/readiness/{eastRep}", status: 404, want: notFound}),
			on(apiCase{name: "mkt is not on the ladder", as: "mkt", method: "GET", path: "/api/v1/readiness/{mkt}", status: 200, want: `"bucket":"no_level"`}),
			on(anonymous("GET", "/api/v1/readiness/{eastRep}", "")),
		)},
		{"GET /api/v1/nominations", pendAll(one(
			apiCase{name: "admin reads every nomination", as: "admin", method: "GET", path: "/api/v1/nominations", status: 200, want: `"state":"pending"`},
			apiCase{name: "senior sees what waits for them", as: "senior", method: "GET", path: "/api/v1/nominations?view=to_decide", status: 200, want: `"can_decide":true`},
			apiCase{name: "eastMgr reads their own", as: "eastMgr", method: "GET", path: "/api/v1/nominations?view=mine", status: 200, want: `"can_decide":false`},
			apiCase{name: "eastMgr naming an unknown view is told so", as: "eastMgr", method: "GET", path: "/api/v1/nominations?view=all", status: 422, want: `"field":"view"`},
			apiCase{name: "eastRep does not see a pending nomination of theirs", as: "eastRep", method: "GET", path: "/api/v1/nominations", status: 200, want: `"total":0`},
			apiCase{name: "mkt sees none", as: "mkt", method: "GET", path: "/api/v1/nominations", status: 200, want: `"total":0`},
			anonymous("GET", "/api/v1/nominations", ""),
		))},
		{"POST /api/v1/nominations", onAll(one(
			apiCase{name: "eastMgr nominates eastRep with the evidence attached", as: "eastMgr", method: "POST", path: "/api/v1/nominations", body: nominate("eastRep"), status: 201, want: `"evidence":{`},
			apiCase{name: "senior nominating eastRep again is told one waits", as: "senior", method: "POST", path: "/api/v1/nominations", body: nominate("eastRep"), status: 409, want: `"code":"conflict"`},
			apiCase{name: "senior nominates westRep", as: "senior", method: "POST", path: "/api/v1/nominations", body: nominate("westRep"), status: 201, want: `"kind":"promotion"`},
			apiCase{name: "admin puts westMgr on hold", as: "admin", method: "POST", path: "/api/v1/nominations", body: `{"person_id":{westMgr},"kind":"hold","reason":"Steady"}`, status: 201, want: `"kind":"hold"`},
			apiCase{name: "eastMgr cannot nominate westRep", as: "eastMgr", method: "POST", path: "/api/v1/nominations", body: nominate("westRep"), status: 422, want: `"field":"person_id"`},
			apiCase{name: "eastMgr cannot nominate themselves", as: "eastMgr", method: "POST", path: "/api/v1/nominations", body: nominate("eastMgr"), status: 403, want: forbidden},
			apiCase{name: "eastRep may not nominate", as: "eastRep", method: "POST", path: "/api/v1/nominations", body: nominate("eastRep"), status: 403, want: forbidden},
			apiCase{name: "mkt may not nominate", as: "mkt", method: "POST", path: "/api/v1/nominations", body: nominate("eastRep"), status: 403, want: forbidden},
			anonymous("POST", "/api/v1/nominations", nominate("eastRep")),
		))},
		{"GET /api/v1/nominations/{id}", pendAll(one(
			apiCase{name: "admin reads it", as: "admin", method: "GET", path: "/api/v1/nominations/{nom}", status: 200, want: `"person_name":"eastRep"`},
			apiCase{name: "senior reads it", as: "senior", method: "GET", path: "/api/v1/nominations/{nom}", status: 200, want: `"approver_name":"senior"`},
			apiCase{name: "eastMgr reads theirs", as: "eastMgr", method: "GET", path: "/api/v1/nominations/{nom}", status: 200, want: `"nominator_name":"eastMgr"`},
			apiCase{name: "eastRep does not see it while pending", as: "eastRep", method: "GET", path: "/api/v1/nominations/{nom}", status: 404, want: notFound},
			apiCase{name: "mkt does not see it", as: "mkt", method: "GET", path: "/api/v1/nominations/{nom}", status: 404, want: notFound},
			anonymous("GET", "/api/v1/nominations/{nom}", ""),
		))},
		{"POST /api/v1/nominations/{id}/approve", pendAll(one(
			apiCase{name: "eastMgr cannot approve their own nomination", as: "eastMgr", method: "POST", path: "/api/v1/nominations/{nom}/approve", body: decide, status: 403, want: forbidden},
			apiCase{name: "eastRep cannot see it", as: "eastRep", method: "POST", path: "/api/v1/nominations/{nom}/approve", body: decide, status: 404, want: notFound},
			apiCase{name: "mkt cannot see it", as: "mkt", method: "POST", path: "/api/v1/nominations/{nom}/approve", body: decide, status: 404, want: notFound},
			apiCase{name: "senior must give a reason", as: "senior", method: "POST", path: "/api/v1/nominations/{nom}/approve", body: `{"reason":" "}`, status: 422, want: `"field":"reason"`},
			apiCase{name: "senior with an old version is told it changed", as: "senior", method: "POST", path: "/api/v1/nominations/{nom}/approve", body: `{"reason":"ok","version":99}`, status: 409, want: `"code":"conflict"`},
			apiCase{name: "senior approves and the level changes", as: "senior", method: "POST", path: "/api/v1/nominations/{nom}/approve", body: decide, status: 200, want: `"state":"approved"`},
			apiCase{name: "admin approves the next one", as: "admin", method: "POST", path: "/api/v1/nominations/{nom}/approve", body: decide, status: 200, want: `"decision_reason":"Agreed"`},
			anonymous("POST", "/api/v1/nominations/{nom}/approve", decide),
		))},
		{"POST /api/v1/nominations/{id}/reject", pendAll(one(
			apiCase{name: "eastMgr cannot reject their own nomination", as: "eastMgr", method: "POST", path: "/api/v1/nominations/{nom}/reject", body: decide, status: 403, want: forbidden},
			apiCase{name: "eastRep cannot see it", as: "eastRep", method: "POST", path: "/api/v1/nominations/{nom}/reject", body: decide, status: 404, want: notFound},
			apiCase{name: "mkt cannot see it", as: "mkt", method: "POST", path: "/api/v1/nominations/{nom}/reject", body: decide, status: 404, want: notFound},
			apiCase{name: "senior rejects with a reason", as: "senior", method: "POST", path: "/api/v1/nominations/{nom}/reject", body: decide, status: 200, want: `"state":"rejected"`},
			apiCase{name: "admin rejects the next one", as: "admin", method: "POST", path: "/api/v1/nominations/{nom}/reject", body: decide, status: 200, want: `"state":"rejected"`},
			anonymous("POST", "/api/v1/nominations/{nom}/reject", decide),
		))},
		{"POST /api/v1/nominations/{id}/withdraw", pendAll(one(
			apiCase{name: "senior cannot withdraw eastMgr's nomination", as: "senior", method: "POST", path: "/api/v1/nominations/{nom}/withdraw", body: `{}`, status: 403, want: forbidden},
			apiCase{name: "eastRep cannot see it", as: "eastRep", method: "POST", path: "/api/v1/nominations/{nom}/withdraw", body: `{}`, status: 404, want: notFound},
			apiCase{name: "mkt cannot see it", as: "mkt", method: "POST", path: "/api/v1/nominations/{nom}/withdraw", body: `{}`, status: 404, want: notFound},
			apiCase{name: "eastMgr withdraws their nomination", as: "eastMgr", method: "POST", path: "/api/v1/nominations/{nom}/withdraw", body: `{}`, status: 200, want: `"state":"withdrawn"`},
			apiCase{name: "admin withdraws the next one", as: "admin", method: "POST", path: "/api/v1/nominations/{nom}/withdraw", body: `{"reason":"duplicate"}`, status: 200, want: `"state":"withdrawn"`},
			anonymous("POST", "/api/v1/nominations/{nom}/withdraw", `{}`),
		))},
		{"GET /api/v1/people/{id}/levels", one(
			on(apiCase{name: "admin reads eastRep's history", as: "admin", method: "GET", path: "/api/v1/people/{eastRep}/levels", status: 200, want: `"items":[`}),
			on(apiCase{name: "senior reads eastRep's history", as: "senior", method: "GET", path: "/api/v1/people/{eastRep}/levels", status: 200, want: `"total":0`}),
			on(apiCase{name: "eastMgr reads eastRep's history", as: "eastMgr", method: "GET", path: "/api/v1/people/{eastRep}/levels", status: 200, want: `"items":[`}),
			on(apiCase{name: "eastMgr cannot read westRep's", as: "eastMgr", method: "GET", path: "/api/v1/people/{westRep}/levels", status: 404, want: notFound}),
			on(apiCase{name: "eastRep reads their own", as: "eastRep", method: "GET", path: "/api/v1/people/{eastRep}/levels", status: 200, want: `"items":[`}),
			on(apiCase{name: "mkt cannot read eastRep's", as: "mkt", method: "GET", path: "/api/v1/people/{eastRep}/levels", status: 404, want: notFound}),
			on(anonymous("GET", "/api/v1/people/{eastRep}/levels", "")),
		)},
	}
}
