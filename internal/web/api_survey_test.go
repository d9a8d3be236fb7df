package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/survey"
)

// The survey part of the API contract: every route of surveyRoutes under
// /api/v1 tried as every role, and the refusals in both languages.

func init() {
	scenarioTables = append(scenarioTables, surveyAPIScenarios)
	// What the admin sees of the surveys joins the fingerprint, so a
	// refused send that stored a survey anyway is caught.
	fingerprintPaths = append(fingerprintPaths, "/api/v1/surveys?limit=200&sort=id")
	structSchemas["Survey"] = structSchema{survey.Survey{}, true}
	structSchemas["SurveyInput"] = structSchema{survey.SendInput{}, false}
}

// surveyWorld is a setup in which eastRep and westRep each win a deal on
// their seeded account ({eastWon}, {westWon}) and admin sends a survey
// about each ({eastSurvey}, {westSurvey}).
func surveyWorld(t *testing.T, h *harness, _ string) map[string]string {
	t.Helper()
	vars := allVars(t, h)
	out := map[string]string{}
	for _, side := range []string{"east", "west"} {
		won := h.create(t, side+"Rep", "/api/v1/opportunities",
			fill(t, `{"name":"Won `+side+` deal","account_id":{`+side+`Account},"stage_id":{won},"amount":500000}`, vars))
		out["{"+side+"Won}"] = won
		out["{"+side+"Survey}"] = h.create(t, "admin", "/api/v1/surveys", `{"opportunity_id":`+won+`}`)
	}
	return out
}

// surveyAPIScenarios tries the survey routes as every role: admin
// anywhere, managers in their subtree, reps their own records, marketing
// nothing.
func surveyAPIScenarios() []endpoint {
	const (
		forbidden = `"code":"forbidden"`
		notFound  = `"code":"not_found"`
		empty     = `"items":[]`
		link      = `"link":"http://127.0.0.1`
	)
	westOnly := []string{"West Energy", "Won west deal", "westRep"}
	one := func(c ...apiCase) []apiCase { return c }
	eps := inCRM([]endpoint{
		{"GET /api/v1/surveys", one(
			apiCase{name: "admin sees every survey", as: "admin", method: "GET", path: "/api/v1/surveys", status: 200, want: "Won west deal"},
			apiCase{name: "admin filters by a status that does not exist", as: "admin", method: "GET", path: "/api/v1/surveys?status=lost", status: 400, want: `"field":"status"`},
			apiCase{name: "admin filters by a score above 5", as: "admin", method: "GET", path: "/api/v1/surveys?score=9", status: 400, want: `"field":"score"`},
			apiCase{name: "admin finds no answered survey yet", as: "admin", method: "GET", path: "/api/v1/surveys?status=answered", status: 200, want: empty},
			apiCase{name: "senior sees the West's surveys", as: "senior", method: "GET", path: "/api/v1/surveys?status=pending", status: 200, want: "Won west deal"},
			apiCase{name: "eastMgr sees the East's and nothing of the West", as: "eastMgr", method: "GET", path: "/api/v1/surveys", status: 200, want: "Won east deal", absent: westOnly},
			apiCase{name: "eastMgr filtering by westRep finds nothing", as: "eastMgr", method: "GET", path: "/api/v1/surveys?person_id={westRep}", status: 200, want: empty},
			apiCase{name: "eastRep sees the surveys that count for them", as: "eastRep", method: "GET", path: "/api/v1/surveys", status: 200, want: `"person_name":"eastRep"`, absent: westOnly},
			apiCase{name: "mkt sees no survey", as: "mkt", method: "GET", path: "/api/v1/surveys", status: 200, want: empty},
			anonymous("GET", "/api/v1/surveys", ""),
		)},
		{"POST /api/v1/surveys", one(
			apiCase{name: "admin sends about westRep's account in English", as: "admin", method: "POST", path: "/api/v1/surveys", body: `{"account_id":{westAccount},"lang":"en"}`, status: 201, want: link},
			apiCase{name: "admin cannot survey a pool account", as: "admin", method: "POST", path: "/api/v1/surveys", body: `{"account_id":{westPool}}`, status: 422, want: `"field":"account_id"`},
			apiCase{name: "admin sends no survey with an unknown field", as: "admin", method: "POST", path: "/api/v1/surveys", body: `{"account_id":{westAccount},"email":"x@example.com"}`, status: 400, want: `"field":"email"`},
			apiCase{name: "senior sends about eastRep's won deal", as: "senior", method: "POST", path: "/api/v1/surveys", body: `{"opportunity_id":{eastWon},"valid_days":30}`, status: 201, want: `"person_name":"eastRep"`},
			apiCase{name: "eastMgr sends about eastRep's account", as: "eastMgr", method: "POST", path: "/api/v1/surveys", body: `{"account_id":{eastAccount}}`, status: 201, want: link},
			apiCase{name: "eastMgr cannot reach westRep's won deal", as: "eastMgr", method: "POST", path: "/api/v1/surveys", body: `{"opportunity_id":{westWon}}`, status: 422, want: `"field":"opportunity_id"`},
			apiCase{name: "eastRep sends about their own won deal", as: "eastRep", method: "POST", path: "/api/v1/surveys", body: `{"opportunity_id":{eastWon},"lang":"zh-CN"}`, status: 201, want: `"status":"pending"`},
			apiCase{name: "eastRep cannot survey a deal still open", as: "eastRep", method: "POST", path: "/api/v1/surveys", body: `{"opportunity_id":{eastOpp}}`, status: 422, want: `"field":"opportunity_id"`},
			apiCase{name: "eastRep cannot reach westRep's account", as: "eastRep", method: "POST", path: "/api/v1/surveys", body: `{"account_id":{westAccount}}`, status: 422, want: `"field":"account_id"`},
			apiCase{name: "mkt sends no survey", as: "mkt", method: "POST", path: "/api/v1/surveys", body: `{"account_id":{eastAccount}}`, status: 403, want: forbidden},
			anonymous("POST", "/api/v1/surveys", `{"account_id":1}`),
		)},
		{"GET /api/v1/surveys/{id}", one(
			apiCase{name: "admin reads the West's survey", as: "admin", method: "GET", path: "/api/v1/surveys/{westSurvey}", status: 200, want: `"person_name":"westRep"`},
			apiCase{name: "admin reading a made-up survey finds it not found", as: "admin", method: "GET", path: "/api/v1/surveys/999999", status: 404, want: notFound},
			apiCase{name: "senior reads the East's survey", as: "senior", method: "GET", path: "/api/v1/surveys/{eastSurvey}", status: 200, want: "Won east deal"},
			apiCase{name: "eastMgr reads the East's survey", as: "eastMgr", method: "GET", path: "/api/v1/surveys/{eastSurvey}", status: 200, want: `"org_unit_name":"East team A"`},
			apiCase{name: "eastMgr finds the West's survey not found", as: "eastMgr", method: "GET", path: "/api/v1/surveys/{westSurvey}", status: 404, want: notFound},
			apiCase{name: "eastRep reads their survey, without its link", as: "eastRep", method: "GET", path: "/api/v1/surveys/{eastSurvey}", status: 200, want: `"status":"pending"`, absent: []string{`"link"`, "/s/"}},
			apiCase{name: "eastRep finds westRep's survey not found", as: "eastRep", method: "GET", path: "/api/v1/surveys/{westSurvey}", status: 404, want: notFound},
			apiCase{name: "mkt finds a survey not found", as: "mkt", method: "GET", path: "/api/v1/surveys/{eastSurvey}", status: 404, want: notFound},
			anonymous("GET", "/api/v1/surveys/{eastSurvey}", ""),
		)},
	})
	for _, ep := range eps {
		for i := range ep.cases {
			ep.cases[i].setup = chain(ep.cases[i].setup, surveyWorld)
		}
	}
	return eps
}

// chain runs two setups one after the other, merging their placeholders.
func chain(first, then func(*testing.T, *harness, string) map[string]string) func(*testing.T, *harness, string) map[string]string {
	return func(t *testing.T, h *harness, as string) map[string]string {
		t.Helper()
		vars := first(t, h, as)
		for k, v := range then(t, h, as) {
			vars[k] = v
		}
		return vars
	}
}

func TestSurveyAPI_RefusalsAnswerInTheCallersLanguageAndChangeNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		vars := allVars(t, h)
		for k, v := range surveyWorld(t, h, "") {
			vars[k] = v
		}
		for _, c := range []refusal{
			{"an open deal is not surveyed", "eastRep", "POST", "/api/v1/surveys", `{"opportunity_id":{eastOpp}}`, 422, "opportunity_id", "survey.deal_not_won", nil},
			{"a pool account has nobody to count for", "eastMgr", "POST", "/api/v1/surveys", `{"account_id":{eastPool}}`, 422, "account_id", "survey.account_unowned", nil},
			{"another rep's account is out of reach", "eastRep", "POST", "/api/v1/surveys", `{"account_id":{westAccount}}`, 422, "account_id", "account.not_found", nil},
			{"another region's deal is out of reach", "eastMgr", "POST", "/api/v1/surveys", `{"opportunity_id":{westWon}}`, 422, "opportunity_id", "opportunity.not_found", nil},
			{"an account and a deal at once", "eastRep", "POST", "/api/v1/surveys", `{"account_id":{eastAccount},"opportunity_id":{eastWon}}`, 422, "account_id", "survey.subject", nil},
			{"a language the customer page does not speak", "eastRep", "POST", "/api/v1/surveys", `{"account_id":{eastAccount},"lang":"fr"}`, 422, "lang", "survey.lang_invalid", nil},
			{"a link for a year", "eastRep", "POST", "/api/v1/surveys", `{"account_id":{eastAccount},"valid_days":365}`, 422, "valid_days", "survey.valid_days", []any{1, survey.MaxValidDays}},
			{"marketing sends no survey", "mkt", "POST", "/api/v1/surveys", `{"account_id":{eastAccount}}`, 403, "", "perm.forbidden", nil},
			{"a score filter above 5", "eastRep", "GET", "/api/v1/surveys?score=6", "", 400, "score", "survey.score_range", []any{1, 5}},
			{"another rep's survey is not found", "westRep", "GET", "/api/v1/surveys/{eastSurvey}", "", 404, "", "survey.not_found", nil},
		} {
			t.Run(c.name, func(t *testing.T) { h.expectRefusal(t, c, vars) })
		}
	})
}

func TestSurveyAPI_TheLinkIsShownOnceAndOnlyItsHashIsStored(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		vars := allVars(t, h)
		var sent struct {
			ID   int64
			Link string
		}
		h.callJSON(t, "eastRep", "POST", "/api/v1/surveys", fill(t, `{"account_id":{eastAccount}}`, vars), 201, &sent)
		_, token, ok := strings.Cut(sent.Link, "/s/")
		if !ok || len(token) < 40 {
			t.Fatalf("link %q, want http://host/s/<long token>", sent.Link)
		}
		for _, who := range []string{"eastRep", "admin"} {
			for _, path := range []string{"/api/v1/surveys", "/api/v1/surveys/" + id(sent.ID), "/api/v1/audit?limit=50"} {
				if res, body := h.send(t, "GET", path, h.token(who), "", ""); res.StatusCode == 200 && strings.Contains(string(body), token) {
					t.Errorf("%s GET %s shows the link's token", who, path)
				}
			}
		}
		var stored string
		ctx := context.Background()
		if err := h.DB.View(ctx, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, `SELECT token_hash FROM surveys WHERE id = ?`, sent.ID).Scan(&stored)
		}); err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256([]byte(token)); stored != hex.EncodeToString(sum[:]) {
			t.Fatalf("stored %q, want the SHA-256 of the token", stored)
		}
	})
}
