package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/i18n"
	"github.com/echelonhq/echelon/internal/org"
)

// apiCase is one HTTP scenario of the JSON API: who calls what, with what,
// and what must come back.
type apiCase struct {
	name   string // reads as a sentence
	as     string // fixture person whose API token is sent; "" is anonymous
	method string
	path   string // may name fixture records in braces ({westRep}, {east}, {company}, {level}) and what setup made
	body   string // raw JSON with the same placeholders; "" sends no body
	status int
	want   string // a substring of the answer
	// setup runs before the call (as the system, or as the caller) and
	// returns more placeholders, such as {new} for a unit it created.
	setup  func(t *testing.T, h *harness, as string) map[string]string
	fresh  bool   // sign in anew and send that token (logout revokes the token it is sent with)
	bearer string // send this token instead of the caller's
	quiet  bool   // a success that writes nothing to the audit log
	// contentType replaces application/json, e.g. for a multipart upload built into body.
	contentType string
	// absent are substrings the answer must not contain: records outside the caller's scope.
	absent []string
}

// endpoint groups the scenarios of one route of the route table.
type endpoint struct {
	route string // "METHOD /path" exactly as in the route table
	cases []apiCase
}

// matrixRoles are the callers every endpoint is tried as ("" is anonymous).
var matrixRoles = []string{"admin", "senior", "eastMgr", "eastRep", "mkt", ""}

func creds(who string) string {
	return fmt.Sprintf(`{"email":%q,"password":%q}`, who+"@example.com", testPassword)
}

// emptyUnit is a setup that opens a team with nobody in it below parent, as {new}.
func emptyUnit(parent string) func(t *testing.T, h *harness, as string) map[string]string {
	return func(t *testing.T, h *harness, _ string) map[string]string {
		t.Helper()
		u, err := h.Org.CreateUnit(systemCtx(), org.UnitInput{ParentID: h.unitID(parent), Kind: org.KindTeam, Name: "Empty team"})
		if err != nil {
			t.Fatalf("setup: empty unit below %s: %v", parent, err)
		}
		return map[string]string{"{new}": strconv.FormatInt(u.ID, 10)}
	}
}

// tokenOf is a setup that creates a personal API token of who (the caller when who is ""), as {token}.
func tokenOf(who string) func(t *testing.T, h *harness, as string) map[string]string {
	return func(t *testing.T, h *harness, as string) map[string]string {
		t.Helper()
		owner := who
		if owner == "" {
			owner = as
		}
		res, body := h.send(t, "POST", "/api/v1/me/tokens", h.token(owner), "", `{"name":"setup"}`)
		var tok struct{ ID int64 }
		if res.StatusCode != http.StatusCreated || json.Unmarshal(body, &tok) != nil {
			t.Fatalf("setup: token of %s: %d %s", owner, res.StatusCode, body)
		}
		return map[string]string{"{token}": strconv.FormatInt(tok.ID, 10)}
	}
}

// everyone repeats a case for each signed-in role with the given answer.
func everyone(name, method, path, body string, status int, want func(who string) string) []apiCase {
	var out []apiCase
	for _, who := range matrixRoles[:5] {
		out = append(out, apiCase{name: who + " " + name, as: who, method: method, path: path, body: body, status: status, want: want(who)})
	}
	return out
}

func same(s string) func(string) string { return func(string) string { return s } }

func anonymous(method, path, body string) apiCase {
	return apiCase{name: "anonymous is asked to sign in", method: method, path: path, body: body, status: 401, want: `"code":"unauthorized"`}
}

// scenarioTables are the endpoint tables of every domain. A domain's own
// test file adds its table in an init function; together they must cover
// every API route as every role (TestAPI_TheScenarioMatrixCoversEveryRouteAsEveryRole).
var scenarioTables = []func() []endpoint{orgAPIScenarios}

// apiMatrix joins the scenario tables of every domain.
func apiMatrix() []endpoint {
	var out []endpoint
	for _, table := range scenarioTables {
		out = append(out, table()...)
	}
	return out
}

// orgAPIScenarios tries every endpoint of sign-in, me, org units, people,
// levels, roles, audit and the OpenAPI document as every role. The
// expected answers are the permission table of docs/permissions.md.
func orgAPIScenarios() []endpoint {
	const (
		pw       = `{"current_password":"password123","password":"password123"}`
		levelIn  = `{"code":"principal_rep","name_zh":"资深销售代表","name_en":"Principal sales rep","rank":35}`
		levelPut = `{"code":"junior_rep","name_zh":"初级销售代表","name_en":"Junior rep","rank":10}`
		roleIn   = `{"body_zh":"开发新客户。","body_en":"Develops new customers."}`
	)
	forbidden := `"code":"forbidden"`
	notFound := `"code":"not_found"`
	cat := func(parts ...[]apiCase) []apiCase { return slices.Concat(parts...) }
	one := func(c ...apiCase) []apiCase { return c }
	return []endpoint{
		{"POST /api/v1/auth/login", cat(
			everyone("signs in with their own password and gets a token", "POST", "/api/v1/auth/login", "", 200, same(`"token"`)),
			one(
				apiCase{name: "anonymous signs in with the right password", method: "POST", path: "/api/v1/auth/login", body: creds("eastRep"), status: 200, want: `"token"`},
				apiCase{name: "anonymous with a wrong password is refused", method: "POST", path: "/api/v1/auth/login", body: `{"email":"eastRep@example.com","password":"wrong-password"}`, status: 401, want: `"code":"unauthorized"`},
				apiCase{name: "an unknown e-mail is refused like a wrong password", method: "POST", path: "/api/v1/auth/login", body: `{"email":"nobody@example.com","password":"password123"}`, status: 401, want: `"code":"unauthorized"`},
			),
		)},
		{"POST /api/v1/auth/logout", cat(
			fresh(everyone("signs out and gets no content", "POST", "/api/v1/auth/logout", "", 204, same(""))),
			one(anonymous("POST", "/api/v1/auth/logout", "")),
		)},
		{"GET /api/v1/me", cat(
			everyone("reads their own record with their role's responsibility", "GET", "/api/v1/me", "", 200,
				func(who string) string { return fmt.Sprintf(`"email":%q`, strings.ToLower(who)+"@example.com") }),
			one(
				apiCase{name: "admin's record carries the responsibility statement", as: "admin", method: "GET", path: "/api/v1/me", status: 200, want: `"responsibility":{"role":"admin"`},
				apiCase{name: "a made-up token is refused", bearer: "not-a-token", method: "GET", path: "/api/v1/me", status: 401, want: `"code":"unauthorized"`},
				anonymous("GET", "/api/v1/me", ""),
			),
		)},
		{"PATCH /api/v1/me", cat(
			everyone("changes their own phone", "PATCH", "/api/v1/me", `{"phone":"+86 10 8888 0000"}`, 200, same(`"phone":"+86 10 8888 0000"`)),
			one(
				apiCase{name: "admin may change their own level", as: "admin", method: "PATCH", path: "/api/v1/me", body: `{"level_id":{level}}`, status: 200, want: `"level_code":"junior_rep"`},
				apiCase{name: "admin cannot change their own role", as: "admin", method: "PATCH", path: "/api/v1/me", body: `{"role":"rep"}`, status: 403, want: forbidden},
				apiCase{name: "admin cannot deactivate themselves", as: "admin", method: "PATCH", path: "/api/v1/me", body: `{"active":false}`, status: 403, want: forbidden},
				apiCase{name: "senior cannot change their own role", as: "senior", method: "PATCH", path: "/api/v1/me", body: `{"role":"admin"}`, status: 403, want: forbidden},
				apiCase{name: "eastMgr cannot drop their own manager", as: "eastMgr", method: "PATCH", path: "/api/v1/me", body: `{"manager_id":0}`, status: 403, want: forbidden},
				apiCase{name: "eastRep cannot change their own level", as: "eastRep", method: "PATCH", path: "/api/v1/me", body: `{"level_id":{level}}`, status: 403, want: forbidden},
				apiCase{name: "mkt cannot move themselves to another unit", as: "mkt", method: "PATCH", path: "/api/v1/me", body: `{"org_unit_id":{east}}`, status: 403, want: forbidden},
				anonymous("PATCH", "/api/v1/me", `{"phone":"1"}`),
			),
		)},
		{"PUT /api/v1/me/password", cat(
			everyone("sets their own password", "PUT", "/api/v1/me/password", pw, 204, same("")),
			one(
				apiCase{name: "eastRep cannot set a too short password", as: "eastRep", method: "PUT", path: "/api/v1/me/password", body: `{"current_password":"password123","password":"short"}`, status: 422, want: `"field":"password"`},
				apiCase{name: "eastRep cannot change their password without the current one", as: "eastRep", method: "PUT", path: "/api/v1/me/password", body: `{"password":"a long new one"}`, status: 422, want: `"field":"current_password"`},
				anonymous("PUT", "/api/v1/me/password", pw),
			),
		)},
		{"GET /api/v1/me/tokens", cat(
			everyone("lists their own tokens", "GET", "/api/v1/me/tokens", "", 200, same(`"items":[`)),
			one(anonymous("GET", "/api/v1/me/tokens", "")),
		)},
		{"POST /api/v1/me/tokens", cat(
			everyone("creates a personal token and sees its secret once", "POST", "/api/v1/me/tokens", `{"name":"ci"}`, 201, same(`"token"`)),
			one(anonymous("POST", "/api/v1/me/tokens", `{"name":"ci"}`)),
		)},
		{"DELETE /api/v1/me/tokens/{id}", cat(
			withSetup(tokenOf(""), everyone("revokes their own token", "DELETE", "/api/v1/me/tokens/{token}", "", 204, same(""))),
			one(
				apiCase{name: "eastRep cannot revoke the admin's token", as: "eastRep", method: "DELETE", path: "/api/v1/me/tokens/{token}", setup: tokenOf("admin"), status: 404, want: notFound},
				apiCase{name: "admin cannot revoke a rep's token either", as: "admin", method: "DELETE", path: "/api/v1/me/tokens/{token}", setup: tokenOf("eastRep"), status: 404, want: notFound},
				apiCase{name: "anonymous is asked to sign in", method: "DELETE", path: "/api/v1/me/tokens/{token}", setup: tokenOf("admin"), status: 401, want: `"code":"unauthorized"`},
			),
		)},
		{"GET /api/v1/org-units", one(
			apiCase{name: "admin sees all four units", as: "admin", method: "GET", path: "/api/v1/org-units", status: 200, want: `"total":4`},
			apiCase{name: "senior sees the whole company below them", as: "senior", method: "GET", path: "/api/v1/org-units", status: 200, want: `"total":4`},
			apiCase{name: "eastMgr sees their region's subtree and the company above", as: "eastMgr", method: "GET", path: "/api/v1/org-units", status: 200, want: `"total":3`},
			apiCase{name: "eastRep sees the chain from the company to their team", as: "eastRep", method: "GET", path: "/api/v1/org-units", status: 200, want: `"total":3`},
			apiCase{name: "mkt sees only the company they belong to", as: "mkt", method: "GET", path: "/api/v1/org-units", status: 200, want: `"total":1`},
			anonymous("GET", "/api/v1/org-units", ""),
		)},
		{"POST /api/v1/org-units", one(
			apiCase{name: "admin opens a team in the West", as: "admin", method: "POST", path: "/api/v1/org-units", body: `{"parent_id":{west},"kind":"team","name":"West team B"}`, status: 201, want: `"name":"West team B"`},
			apiCase{name: "senior opens a team anywhere below them", as: "senior", method: "POST", path: "/api/v1/org-units", body: `{"parent_id":{west},"kind":"team","name":"West team C"}`, status: 201, want: `"name":"West team C"`},
			apiCase{name: "eastMgr opens a team in their region", as: "eastMgr", method: "POST", path: "/api/v1/org-units", body: `{"parent_id":{east},"kind":"team","name":"East team B"}`, status: 201, want: `"name":"East team B"`},
			apiCase{name: "eastMgr cannot open a region under the company", as: "eastMgr", method: "POST", path: "/api/v1/org-units", body: `{"parent_id":{company},"kind":"region","name":"North"}`, status: 403, want: forbidden},
			apiCase{name: "eastMgr cannot open a team in the West, which they cannot see", as: "eastMgr", method: "POST", path: "/api/v1/org-units", body: `{"parent_id":{west},"kind":"team","name":"West team D"}`, status: 422, want: `"field":"parent_id"`},
			apiCase{name: "eastRep cannot open a unit", as: "eastRep", method: "POST", path: "/api/v1/org-units", body: `{"parent_id":{eastA},"kind":"team","name":"Mine"}`, status: 403, want: forbidden},
			apiCase{name: "mkt cannot open a unit", as: "mkt", method: "POST", path: "/api/v1/org-units", body: `{"parent_id":{company},"kind":"region","name":"North"}`, status: 403, want: forbidden},
			anonymous("POST", "/api/v1/org-units", `{"parent_id":1,"kind":"region","name":"North"}`),
		)},
		{"GET /api/v1/org-units/{id}", one(
			apiCase{name: "admin reads the West", as: "admin", method: "GET", path: "/api/v1/org-units/{west}", status: 200, want: `"kind":"region"`},
			apiCase{name: "admin reads a made-up id as not found", as: "admin", method: "GET", path: "/api/v1/org-units/999999", status: 404, want: notFound},
			apiCase{name: "admin reads a non-numeric id as not found", as: "admin", method: "GET", path: "/api/v1/org-units/abc", status: 404, want: notFound},
			apiCase{name: "senior reads the West", as: "senior", method: "GET", path: "/api/v1/org-units/{west}", status: 200, want: `"kind":"region"`},
			apiCase{name: "eastMgr reads their own region", as: "eastMgr", method: "GET", path: "/api/v1/org-units/{east}", status: 200, want: `"kind":"region"`},
			apiCase{name: "eastMgr reads the West as not found", as: "eastMgr", method: "GET", path: "/api/v1/org-units/{west}", status: 404, want: notFound},
			apiCase{name: "eastRep reads the company above them", as: "eastRep", method: "GET", path: "/api/v1/org-units/{company}", status: 200, want: `"kind":"company"`},
			apiCase{name: "eastRep reads the West as not found", as: "eastRep", method: "GET", path: "/api/v1/org-units/{west}", status: 404, want: notFound},
			apiCase{name: "mkt reads the company", as: "mkt", method: "GET", path: "/api/v1/org-units/{company}", status: 200, want: `"kind":"company"`},
			apiCase{name: "mkt reads the East as not found", as: "mkt", method: "GET", path: "/api/v1/org-units/{east}", status: 404, want: notFound},
			anonymous("GET", "/api/v1/org-units/{west}", ""),
		)},
		{"PATCH /api/v1/org-units/{id}", one(
			apiCase{name: "admin renames the West", as: "admin", method: "PATCH", path: "/api/v1/org-units/{west}", body: `{"name":"West by admin"}`, status: 200, want: `"name":"West by admin"`},
			apiCase{name: "senior renames the West", as: "senior", method: "PATCH", path: "/api/v1/org-units/{west}", body: `{"name":"West by senior"}`, status: 200, want: `"name":"West by senior"`},
			apiCase{name: "senior cannot rename their own unit, the company", as: "senior", method: "PATCH", path: "/api/v1/org-units/{company}", body: `{"name":"Mine"}`, status: 403, want: forbidden},
			apiCase{name: "eastMgr renames a team of their region", as: "eastMgr", method: "PATCH", path: "/api/v1/org-units/{eastA}", body: `{"name":"East team A1"}`, status: 200, want: `"name":"East team A1"`},
			apiCase{name: "eastMgr cannot rename their own region", as: "eastMgr", method: "PATCH", path: "/api/v1/org-units/{east}", body: `{"name":"Mine"}`, status: 403, want: forbidden},
			apiCase{name: "eastMgr changing the West finds it not found", as: "eastMgr", method: "PATCH", path: "/api/v1/org-units/{west}", body: `{"name":"Mine"}`, status: 404, want: notFound},
			apiCase{name: "eastRep cannot rename their own team", as: "eastRep", method: "PATCH", path: "/api/v1/org-units/{eastA}", body: `{"name":"Mine"}`, status: 403, want: forbidden},
			apiCase{name: "eastRep changing the West finds it not found", as: "eastRep", method: "PATCH", path: "/api/v1/org-units/{west}", body: `{"name":"Mine"}`, status: 404, want: notFound},
			apiCase{name: "mkt cannot rename the company", as: "mkt", method: "PATCH", path: "/api/v1/org-units/{company}", body: `{"name":"Mine"}`, status: 403, want: forbidden},
			apiCase{name: "mkt changing the East finds it not found", as: "mkt", method: "PATCH", path: "/api/v1/org-units/{east}", body: `{"name":"Mine"}`, status: 404, want: notFound},
			anonymous("PATCH", "/api/v1/org-units/{west}", `{"name":"Mine"}`),
		)},
		{"POST /api/v1/org-units/{id}/close", one(
			apiCase{name: "admin closes an empty team", as: "admin", method: "POST", path: "/api/v1/org-units/{new}/close", setup: emptyUnit("west"), status: 200, want: `"closed_at"`},
			apiCase{name: "admin cannot close the company", as: "admin", method: "POST", path: "/api/v1/org-units/{company}/close", status: 409, want: `"code":"conflict"`},
			apiCase{name: "senior closes an empty team below them", as: "senior", method: "POST", path: "/api/v1/org-units/{new}/close", setup: emptyUnit("west"), status: 200, want: `"closed_at"`},
			apiCase{name: "eastMgr closes an empty team of their region", as: "eastMgr", method: "POST", path: "/api/v1/org-units/{new}/close", setup: emptyUnit("east"), status: 200, want: `"closed_at"`},
			apiCase{name: "eastMgr cannot close their own region", as: "eastMgr", method: "POST", path: "/api/v1/org-units/{east}/close", status: 403, want: forbidden},
			apiCase{name: "eastMgr closing a West team finds it not found", as: "eastMgr", method: "POST", path: "/api/v1/org-units/{new}/close", setup: emptyUnit("west"), status: 404, want: notFound},
			apiCase{name: "eastRep cannot close their own team", as: "eastRep", method: "POST", path: "/api/v1/org-units/{eastA}/close", status: 403, want: forbidden},
			apiCase{name: "eastRep closing an empty team below their own finds it not found", as: "eastRep", method: "POST", path: "/api/v1/org-units/{new}/close", setup: emptyUnit("eastA"), status: 404, want: notFound},
			apiCase{name: "mkt closing a West team finds it not found", as: "mkt", method: "POST", path: "/api/v1/org-units/{new}/close", setup: emptyUnit("west"), status: 404, want: notFound},
			apiCase{name: "mkt cannot close the company", as: "mkt", method: "POST", path: "/api/v1/org-units/{company}/close", status: 403, want: forbidden},
			apiCase{name: "anonymous is asked to sign in", method: "POST", path: "/api/v1/org-units/{new}/close", setup: emptyUnit("west"), status: 401, want: `"code":"unauthorized"`},
		)},
		{"GET /api/v1/people", one(
			apiCase{name: "admin sees all seven people", as: "admin", method: "GET", path: "/api/v1/people", status: 200, want: `"total":7`},
			apiCase{name: "senior sees everyone in the company but the admin, who sits outside the tree", as: "senior", method: "GET", path: "/api/v1/people", status: 200, want: `"total":6`},
			apiCase{name: "eastMgr sees themselves and their rep", as: "eastMgr", method: "GET", path: "/api/v1/people", status: 200, want: `"total":2`},
			apiCase{name: "eastRep sees only themselves", as: "eastRep", method: "GET", path: "/api/v1/people", status: 200, want: `"total":1`},
			apiCase{name: "mkt sees only themselves", as: "mkt", method: "GET", path: "/api/v1/people", status: 200, want: `"total":1`},
			apiCase{name: "admin filters by role", as: "admin", method: "GET", path: "/api/v1/people?role=rep", status: 200, want: `"total":2`},
			apiCase{name: "admin searches names case-insensitively", as: "admin", method: "GET", path: "/api/v1/people?q=WEST", status: 200, want: `"total":2`},
			apiCase{name: "admin filters by a unit and its subtree", as: "admin", method: "GET", path: "/api/v1/people?org_unit_id={east}", status: 200, want: `"total":2`},
			apiCase{name: "admin filters by active", as: "admin", method: "GET", path: "/api/v1/people?active=false", status: 200, want: `"total":0`},
			apiCase{name: "admin sorts by e-mail descending", as: "admin", method: "GET", path: "/api/v1/people?sort=-email&limit=1", status: 200, want: `"email":"westrep@example.com"`},
			apiCase{name: "admin pages with limit and offset", as: "admin", method: "GET", path: "/api/v1/people?limit=2&offset=2", status: 200, want: `"total":7,"limit":2,"offset":2`},
			apiCase{name: "eastMgr filtering by the West still sees nobody there", as: "eastMgr", method: "GET", path: "/api/v1/people?org_unit_id={west}", status: 200, want: `"total":0`},
			anonymous("GET", "/api/v1/people", ""),
		)},
		{"POST /api/v1/people", one(
			apiCase{name: "admin adds a rep to the West under its manager", as: "admin", method: "POST", path: "/api/v1/people",
				body: `{"email":"new.admin@example.com","name":"West rep 2","role":"rep","org_unit_id":{west},"manager_id":{westMgr}}`, status: 201, want: `"manager_name":"westMgr"`},
			apiCase{name: "senior adds a rep anywhere below them", as: "senior", method: "POST", path: "/api/v1/people",
				body: `{"email":"new.senior@example.com","name":"West rep 3","role":"rep","org_unit_id":{west}}`, status: 201, want: `"role":"rep"`},
			apiCase{name: "senior cannot add a marketing person", as: "senior", method: "POST", path: "/api/v1/people",
				body: `{"email":"new.mkt@example.com","name":"Marketer","role":"marketing","org_unit_id":{company}}`, status: 403, want: forbidden},
			apiCase{name: "eastMgr adds a rep to their team", as: "eastMgr", method: "POST", path: "/api/v1/people",
				body: `{"email":"new.eastmgr@example.com","name":"East rep 2","role":"rep","org_unit_id":{eastA},"manager_id":{eastMgr}}`, status: 201, want: `"org_unit_name":"East team A"`},
			apiCase{name: "eastMgr cannot add a rep to the West, which they cannot see", as: "eastMgr", method: "POST", path: "/api/v1/people",
				body: `{"email":"new.west@example.com","name":"West rep 4","role":"rep","org_unit_id":{west}}`, status: 422, want: `"field":"org_unit_id"`},
			apiCase{name: "eastMgr cannot add a regional manager", as: "eastMgr", method: "POST", path: "/api/v1/people",
				body: `{"email":"new.rm@example.com","name":"Peer","role":"regional_manager","org_unit_id":{east}}`, status: 403, want: forbidden},
			apiCase{name: "eastRep cannot add anyone", as: "eastRep", method: "POST", path: "/api/v1/people",
				body: `{"email":"new.eastrep@example.com","name":"Friend","role":"rep","org_unit_id":{eastA}}`, status: 403, want: forbidden},
			apiCase{name: "mkt cannot add anyone", as: "mkt", method: "POST", path: "/api/v1/people",
				body: `{"email":"new.mkt2@example.com","name":"Friend","role":"rep","org_unit_id":{company}}`, status: 403, want: forbidden},
			anonymous("POST", "/api/v1/people", `{"email":"x@example.com","name":"X","role":"rep","org_unit_id":1}`),
		)},
		{"GET /api/v1/people/{id}", one(
			apiCase{name: "admin reads westRep", as: "admin", method: "GET", path: "/api/v1/people/{westRep}", status: 200, want: `"name":"westRep"`},
			apiCase{name: "admin reads a made-up id as not found", as: "admin", method: "GET", path: "/api/v1/people/999999", status: 404, want: notFound},
			apiCase{name: "senior reads westRep", as: "senior", method: "GET", path: "/api/v1/people/{westRep}", status: 200, want: `"name":"westRep"`},
			apiCase{name: "senior reads the admin, who sits outside the tree, as not found", as: "senior", method: "GET", path: "/api/v1/people/{admin}", status: 404, want: notFound},
			apiCase{name: "eastMgr reads their rep", as: "eastMgr", method: "GET", path: "/api/v1/people/{eastRep}", status: 200, want: `"name":"eastRep"`},
			apiCase{name: "eastMgr reads westRep as not found", as: "eastMgr", method: "GET", path: "/api/v1/people/{westRep}", status: 404, want: notFound},
			apiCase{name: "eastMgr reads their own manager as not found", as: "eastMgr", method: "GET", path: "/api/v1/people/{senior}", status: 404, want: notFound},
			apiCase{name: "eastRep reads themselves", as: "eastRep", method: "GET", path: "/api/v1/people/{eastRep}", status: 200, want: `"manager_name":"eastMgr"`},
			apiCase{name: "eastRep reads westRep as not found", as: "eastRep", method: "GET", path: "/api/v1/people/{westRep}", status: 404, want: notFound},
			apiCase{name: "eastRep reads their own manager as not found", as: "eastRep", method: "GET", path: "/api/v1/people/{eastMgr}", status: 404, want: notFound},
			apiCase{name: "mkt reads themselves", as: "mkt", method: "GET", path: "/api/v1/people/{mkt}", status: 200, want: `"role":"marketing"`},
			apiCase{name: "mkt reads westRep as not found", as: "mkt", method: "GET", path: "/api/v1/people/{westRep}", status: 404, want: notFound},
			anonymous("GET", "/api/v1/people/{westRep}", ""),
		)},
		{"PATCH /api/v1/people/{id}", one(
			apiCase{name: "admin changes westRep's phone", as: "admin", method: "PATCH", path: "/api/v1/people/{westRep}", body: `{"phone":"+86 20 1234 0001"}`, status: 200, want: `"phone":"+86 20 1234 0001"`},
			apiCase{name: "admin changes westRep's level", as: "admin", method: "PATCH", path: "/api/v1/people/{westRep}", body: `{"level_id":{level}}`, status: 200, want: `"level_code":"junior_rep"`},
			apiCase{name: "senior changes westRep's phone", as: "senior", method: "PATCH", path: "/api/v1/people/{westRep}", body: `{"phone":"+86 20 1234 0002"}`, status: 200, want: `"phone":"+86 20 1234 0002"`},
			apiCase{name: "senior changes a regional manager's level", as: "senior", method: "PATCH", path: "/api/v1/people/{eastMgr}", body: `{"level_id":{level}}`, status: 200, want: `"level_code":"junior_rep"`},
			apiCase{name: "senior cannot change a role", as: "senior", method: "PATCH", path: "/api/v1/people/{eastRep}", body: `{"role":"regional_manager"}`, status: 403, want: forbidden},
			apiCase{name: "senior cannot change marketing, whose role they do not outrank", as: "senior", method: "PATCH", path: "/api/v1/people/{mkt}", body: `{"phone":"1"}`, status: 403, want: forbidden},
			apiCase{name: "senior changing the admin finds them not found", as: "senior", method: "PATCH", path: "/api/v1/people/{admin}", body: `{"phone":"1"}`, status: 404, want: notFound},
			apiCase{name: "eastMgr changes their rep's hire date", as: "eastMgr", method: "PATCH", path: "/api/v1/people/{eastRep}", body: `{"hire_date":"2024-03-01"}`, status: 200, want: `"hire_date":"2024-03-01"`},
			apiCase{name: "eastMgr cannot change their rep's role", as: "eastMgr", method: "PATCH", path: "/api/v1/people/{eastRep}", body: `{"role":"regional_manager"}`, status: 403, want: forbidden},
			apiCase{name: "eastMgr changing westRep finds them not found", as: "eastMgr", method: "PATCH", path: "/api/v1/people/{westRep}", body: `{"phone":"1"}`, status: 404, want: notFound},
			apiCase{name: "eastMgr changing their own manager finds them not found", as: "eastMgr", method: "PATCH", path: "/api/v1/people/{senior}", body: `{"phone":"1"}`, status: 404, want: notFound},
			apiCase{name: "eastRep changes their own name", as: "eastRep", method: "PATCH", path: "/api/v1/people/{eastRep}", body: `{"name":"东区代表 East rep"}`, status: 200, want: `"name":"东区代表 East rep"`},
			apiCase{name: "eastRep cannot change their own level", as: "eastRep", method: "PATCH", path: "/api/v1/people/{eastRep}", body: `{"level_id":{level}}`, status: 403, want: forbidden},
			apiCase{name: "eastRep changing their manager finds them not found", as: "eastRep", method: "PATCH", path: "/api/v1/people/{eastMgr}", body: `{"phone":"1"}`, status: 404, want: notFound},
			apiCase{name: "mkt changes their own phone", as: "mkt", method: "PATCH", path: "/api/v1/people/{mkt}", body: `{"phone":"+86 10 0000 0005"}`, status: 200, want: `"phone":"+86 10 0000 0005"`},
			apiCase{name: "mkt changing westRep finds them not found", as: "mkt", method: "PATCH", path: "/api/v1/people/{westRep}", body: `{"phone":"1"}`, status: 404, want: notFound},
			anonymous("PATCH", "/api/v1/people/{westRep}", `{"phone":"1"}`),
		)},
		{"PUT /api/v1/people/{id}/password", one(
			apiCase{name: "admin sets westRep's password", as: "admin", method: "PUT", path: "/api/v1/people/{westRep}/password", body: pw, status: 204},
			apiCase{name: "admin setting a made-up person's password finds them not found", as: "admin", method: "PUT", path: "/api/v1/people/999999/password", body: pw, status: 404, want: notFound},
			apiCase{name: "senior cannot set a rep's password", as: "senior", method: "PUT", path: "/api/v1/people/{eastRep}/password", body: pw, status: 403, want: forbidden},
			apiCase{name: "eastMgr cannot set their own rep's password", as: "eastMgr", method: "PUT", path: "/api/v1/people/{eastRep}/password", body: pw, status: 403, want: forbidden},
			apiCase{name: "eastMgr cannot set westRep's password", as: "eastMgr", method: "PUT", path: "/api/v1/people/{westRep}/password", body: pw, status: 403, want: forbidden},
			apiCase{name: "eastRep sets their own password", as: "eastRep", method: "PUT", path: "/api/v1/people/{eastRep}/password", body: pw, status: 204},
			apiCase{name: "eastRep cannot set westRep's password", as: "eastRep", method: "PUT", path: "/api/v1/people/{westRep}/password", body: pw, status: 403, want: forbidden},
			apiCase{name: "mkt sets their own password", as: "mkt", method: "PUT", path: "/api/v1/people/{mkt}/password", body: pw, status: 204},
			anonymous("PUT", "/api/v1/people/{westRep}/password", pw),
		)},
		{"GET /api/v1/levels", cat(
			everyone("reads the five seeded levels", "GET", "/api/v1/levels", "", 200, same(`"total":5`)),
			one(anonymous("GET", "/api/v1/levels", "")),
		)},
		{"POST /api/v1/levels", cat(
			one(apiCase{name: "admin adds a level", as: "admin", method: "POST", path: "/api/v1/levels", body: levelIn, status: 201, want: `"code":"principal_rep"`}),
			nonAdmins("cannot add a level", "POST", "/api/v1/levels", levelIn),
			one(anonymous("POST", "/api/v1/levels", levelIn)),
		)},
		{"PUT /api/v1/levels/{id}", cat(
			one(
				apiCase{name: "admin replaces a level", as: "admin", method: "PUT", path: "/api/v1/levels/{level}", body: levelPut, status: 200, want: `"name_en":"Junior rep"`},
				apiCase{name: "admin replacing a made-up level finds it not found", as: "admin", method: "PUT", path: "/api/v1/levels/999999", body: levelPut, status: 404, want: notFound},
			),
			nonAdmins("cannot change a level", "PUT", "/api/v1/levels/{level}", levelPut),
			one(anonymous("PUT", "/api/v1/levels/{level}", levelPut)),
		)},
		{"GET /api/v1/roles", cat(
			everyone("reads the statement of each of the seven roles", "GET", "/api/v1/roles", "", 200, same(`"total":7`)),
			one(anonymous("GET", "/api/v1/roles", "")),
		)},
		{"PUT /api/v1/roles/{role}", cat(
			one(
				apiCase{name: "admin rewrites the rep's statement", as: "admin", method: "PUT", path: "/api/v1/roles/rep", body: roleIn, status: 200, want: `"version":2`},
				apiCase{name: "admin rewriting an unknown role finds it not found", as: "admin", method: "PUT", path: "/api/v1/roles/boss", body: roleIn, status: 404, want: notFound},
			),
			nonAdmins("cannot rewrite a role's statement", "PUT", "/api/v1/roles/rep", roleIn),
			one(anonymous("PUT", "/api/v1/roles/rep", roleIn)),
		)},
		{"GET /api/v1/audit", cat(
			one(
				apiCase{name: "admin reads the audit log", as: "admin", method: "GET", path: "/api/v1/audit", status: 200, want: `"items":[`},
				apiCase{name: "admin filters the log by entity and action", as: "admin", method: "GET", path: "/api/v1/audit?entity=org_unit&action=create", status: 200, want: `"total":3`},
			),
			nonAdmins("cannot read the audit log", "GET", "/api/v1/audit", ""),
			one(anonymous("GET", "/api/v1/audit", "")),
		)},
		{"GET /api/openapi.json", cat(
			everyone("reads the OpenAPI document", "GET", "/api/openapi.json", "", 200, same(`"openapi": "3.0.3"`)),
			one(apiCase{name: "anonymous reads the OpenAPI document", method: "GET", path: "/api/openapi.json", status: 200, want: `"openapi": "3.0.3"`}),
		)},
	}
}

func fresh(cs []apiCase) []apiCase {
	for i := range cs {
		cs[i].fresh, cs[i].quiet = true, true
	}
	return cs
}

func withSetup(setup func(*testing.T, *harness, string) map[string]string, cs []apiCase) []apiCase {
	for i := range cs {
		cs[i].setup = setup
	}
	return cs
}

// nonAdmins repeats a refused admin-only call for every other signed-in role.
func nonAdmins(name, method, path, body string) []apiCase {
	var out []apiCase
	for _, who := range matrixRoles[1:5] {
		out = append(out, apiCase{name: who + " " + name, as: who, method: method, path: path, body: body, status: 403, want: `"code":"forbidden"`})
	}
	return out
}

func TestAPI_TheScenarioMatrixCoversEveryRouteAsEveryRole(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		covered := map[string][]apiCase{}
		for _, ep := range apiMatrix() {
			covered[ep.route] = ep.cases
		}
		for _, r := range serverOf(t, h).APIRoutes() {
			cases, ok := covered[r]
			if !ok {
				t.Errorf("route %q has no scenarios", r)
				continue
			}
			for _, who := range matrixRoles {
				if !slices.ContainsFunc(cases, func(c apiCase) bool { return c.as == who && c.bearer == "" }) {
					t.Errorf("route %q is never tried as %q", r, who)
				}
			}
			_, route, _ := strings.Cut(r, " ")
			for _, c := range cases {
				if !routeMatches(route, c.path) {
					t.Errorf("%s: case %q calls %s, another route", r, c.name, c.path)
				}
			}
		}
	})
}

// routeMatches reports whether a case's path (with placeholders) fits a route pattern.
func routeMatches(route, path string) bool {
	path, _, _ = strings.Cut(path, "?")
	rs, ps := strings.Split(route, "/"), strings.Split(path, "/")
	if len(rs) != len(ps) {
		return false
	}
	for i := range rs {
		if rs[i] != ps[i] && !strings.HasPrefix(rs[i], "{") {
			return false
		}
	}
	return true
}

func TestAPI_EveryEndpointAnswersEveryRoleAsThePermissionsSay(t *testing.T) {
	for _, ep := range apiMatrix() {
		t.Run(ep.route, func(t *testing.T) {
			dbtest.Run(t, func(t *testing.T, d *db.DB) {
				h := newHarness(t, d)
				for _, c := range ep.cases {
					t.Run(c.name, func(t *testing.T) { h.play(t, ep.route, c) })
				}
			})
		})
	}
}

// play runs one scenario: the status and content it must answer, the
// document it must match, and — when refused — that nothing changed.
func (h *harness) play(t *testing.T, route string, c apiCase) {
	t.Helper()
	vars := h.vars(t)
	if c.setup != nil {
		for k, v := range c.setup(t, h, c.as) {
			vars[k] = v
		}
	}
	path, body := fill(t, c.path, vars), fill(t, c.body, vars)
	if c.as != "" && c.body == "" && route == "POST /api/v1/auth/login" {
		body = creds(c.as)
	}
	token := c.bearer
	switch {
	case c.as != "" && c.fresh:
		token = h.login(t, c.as)
	case c.as != "":
		token = h.token(c.as)
	}
	before := h.fingerprint(t)
	res, out := h.sendType(t, c.method, path, token, "", c.contentType, body)
	if res.StatusCode != c.status {
		t.Fatalf("%s %s as %q: status %d, want %d\n%s", c.method, path, c.as, res.StatusCode, c.status, out)
	}
	if !strings.Contains(string(out), c.want) {
		t.Errorf("%s %s as %q: answer lacks %s\n%s", c.method, path, c.as, c.want, out)
	}
	for _, a := range c.absent {
		if a = fill(t, a, vars); strings.Contains(string(out), a) {
			t.Errorf("%s %s as %q: answer shows %s, which the caller may not see\n%s", c.method, path, c.as, a, out)
		}
	}
	method, pattern, _ := strings.Cut(route, " ")
	for _, p := range loadDoc(t).checkResponse(method, pattern, res, out) {
		t.Errorf("does not match openapi.json: %s", p)
	}
	if c.status >= 400 {
		checkEnvelope(t, res, out)
	}
	after := h.fingerprint(t)
	switch {
	case c.status >= 400 && after != before:
		t.Errorf("a refused request changed stored data:\n%s", fingerprintDiff(before, after))
	case c.status < 400 && c.method != "GET" && !c.quiet && after == before:
		t.Errorf("a successful change left no trace in the audit log")
	}
}

// codeOfStatus is the error code each status carries.
var codeOfStatus = map[int]string{
	400: echelon.EINVALID, 401: echelon.EUNAUTHORIZED, 403: echelon.EFORBIDDEN, 404: echelon.ENOTFOUND,
	409: echelon.ECONFLICT, 422: echelon.EINVALID, 429: echelon.ELOCKED, 500: echelon.EINTERNAL,
}

type envelope struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// checkEnvelope checks an error answer is the one envelope with the code of its status and a message.
func checkEnvelope(t *testing.T, res *http.Response, body []byte) envelope {
	t.Helper()
	var e envelope
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error answer is not JSON: %v\n%s", err, body)
	}
	if want := codeOfStatus[res.StatusCode]; e.Error.Code != want {
		t.Errorf("status %d carries code %q, want %q", res.StatusCode, e.Error.Code, want)
	}
	if e.Error.Message == "" || strings.Contains(e.Error.Message, "%!") || regexp.MustCompile(`^[a-z_]+\.[a-z_.]+$`).MatchString(e.Error.Message) {
		t.Errorf("message %q is empty, badly formatted or an untranslated key", e.Error.Message)
	}
	return e
}

// send makes an API request with an optional bearer token, Accept-Language and raw JSON body.
func (h *harness) send(t *testing.T, method, path, token, lang, body string) (*http.Response, []byte) {
	t.Helper()
	return h.sendType(t, method, path, token, lang, "", body)
}

// sendType is send with another Content-Type than application/json ("" keeps JSON).
func (h *harness) sendType(t *testing.T, method, path, token, lang, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	if contentType == "" {
		contentType = "application/json"
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.Server.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	req.Header.Set("Content-Type", contentType)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	h.forgetTokensAfter(path, res.StatusCode)
	return res, out
}

// login signs who in afresh and returns a new token (not the cached one).
func (h *harness) login(t *testing.T, who string) string {
	t.Helper()
	res, body := h.send(t, "POST", "/api/v1/auth/login", "", "", creds(who))
	var out struct{ Token string }
	if res.StatusCode != http.StatusOK || json.Unmarshal(body, &out) != nil || out.Token == "" {
		t.Fatalf("login %s: %d %s", who, res.StatusCode, body)
	}
	return out.Token
}

func systemCtx() context.Context {
	return echelon.NewContext(context.Background(), echelon.SystemActor("test"))
}

// unitID returns the id of a fixture unit; "company" is the seeded root.
func (h *harness) unitID(key string) int64 {
	if key == "company" {
		return 1
	}
	return h.Units[key].ID
}

// vars maps the placeholders of the scenarios to the fixture's ids.
func (h *harness) vars(t *testing.T) map[string]string {
	t.Helper()
	m := map[string]string{"{company}": "1"}
	for k, p := range h.People {
		m["{"+k+"}"] = strconv.FormatInt(p.ID, 10)
	}
	for k, u := range h.Units {
		m["{"+k+"}"] = strconv.FormatInt(u.ID, 10)
	}
	levels, err := h.Org.FindLevels(systemCtx())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range levels {
		if l.Code == "junior_rep" {
			m["{level}"] = strconv.FormatInt(l.ID, 10)
		}
	}
	return m
}

var placeholder = regexp.MustCompile(`\{[A-Za-z][A-Za-z0-9]*\}`)

func fill(t *testing.T, s string, vars map[string]string) string {
	t.Helper()
	s = placeholder.ReplaceAllStringFunc(s, func(p string) string {
		if v, ok := vars[p]; ok {
			return v
		}
		t.Fatalf("unknown placeholder %s", p)
		return p
	})
	return s
}

// fingerprintPaths are read as admin before and after a call; together
// they hold every stored field the API shows, and the newest audit entry.
var fingerprintPaths = []string{
	"/api/v1/people?limit=200&sort=id",
	"/api/v1/org-units?closed=true",
	"/api/v1/levels",
	"/api/v1/roles",
	"/api/v1/audit?limit=1",
}

// fingerprint returns what the admin sees of the stored data.
func (h *harness) fingerprint(t *testing.T) string {
	t.Helper()
	tok := h.token("admin")
	var b strings.Builder
	for _, p := range fingerprintPaths {
		res, body := h.send(t, "GET", p, tok, "", "")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("fingerprint %s: %d %s", p, res.StatusCode, body)
		}
		fmt.Fprintf(&b, "%s\n%s", p, body)
	}
	return b.String()
}

func fingerprintDiff(before, after string) string {
	bl, al := strings.Split(before, "\n"), strings.Split(after, "\n")
	var out []string
	for i := range bl {
		if i < len(al) && bl[i] != al[i] {
			out = append(out, "before: "+bl[i], "after:  "+al[i])
		}
	}
	return strings.Join(out, "\n")
}

// refusal is a request the API must refuse, with the message it answers in each language.
type refusal struct {
	name   string
	as     string
	method string
	path   string
	body   string
	status int
	field  string
	key    string // catalogue key of the message
	args   []any
}

func TestAPI_RefusalsAnswerInTheCallersLanguageAndChangeNothing(t *testing.T) {
	long := strings.Repeat("名", 101)
	person := func(fields string) string {
		return `{"email":"new@example.com","name":"New rep","role":"rep","org_unit_id":{eastA}` + fields + `}`
	}
	cases := []refusal{
		{"an empty name is required", "admin", "POST", "/api/v1/people", `{"email":"new@example.com","name":"  ","role":"rep","org_unit_id":{eastA}}`, 422, "name", "field.required", nil},
		{"a name of 101 Chinese characters is too long", "admin", "POST", "/api/v1/people", `{"email":"new@example.com","name":"` + long + `","role":"rep","org_unit_id":{eastA}}`, 422, "name", "field.too_long", []any{100}},
		{"a malformed e-mail is refused", "admin", "POST", "/api/v1/people", `{"email":"not-an-email","name":"X","role":"rep","org_unit_id":{eastA}}`, 422, "email", "email.invalid", nil},
		{"an e-mail without a domain dot is refused", "admin", "POST", "/api/v1/people", `{"email":"x@localhost","name":"X","role":"rep","org_unit_id":{eastA}}`, 422, "email", "email.invalid", nil},
		{"a taken e-mail in other letter case is a conflict", "admin", "POST", "/api/v1/people", `{"email":"EastRep@Example.com","name":"X","role":"rep","org_unit_id":{eastA}}`, 409, "", "person.email_taken", []any{"eastrep@example.com"}},
		{"an unknown role is refused", "admin", "POST", "/api/v1/people", `{"email":"new@example.com","name":"X","role":"boss","org_unit_id":{eastA}}`, 422, "role", "role.invalid", nil},
		{"an unknown level is refused", "admin", "POST", "/api/v1/people", person(`,"level_id":999999`), 422, "level_id", "level.not_found", nil},
		{"a manager outside the person's unit chain is refused on create", "admin", "POST", "/api/v1/people", person(`,"manager_id":{westMgr}`), 422, "manager_id", "person.manager_outside", nil},
		{"a manager outside the person's unit chain is refused on change", "admin", "PATCH", "/api/v1/people/{eastRep}", `{"manager_id":{westMgr}}`, 422, "manager_id", "person.manager_outside", nil},
		{"a manager who reports to the person is a cycle", "admin", "PATCH", "/api/v1/people/{senior}", `{"manager_id":{senior2}}`, 422, "manager_id", "person.manager_cycle", nil},
		{"a marketing person cannot be a manager", "admin", "PATCH", "/api/v1/people/{senior}", `{"manager_id":{mkt}}`, 422, "manager_id", "person.manager_role", nil},
		{"a manager out of sight is as unknown as a made-up id", "eastMgr", "PATCH", "/api/v1/people/{eastRep}", `{"manager_id":{westMgr}}`, 422, "manager_id", "person.not_found", nil},
		{"nobody is their own manager", "admin", "PATCH", "/api/v1/people/{eastRep}", `{"manager_id":{eastRep}}`, 422, "manager_id", "person.manager_self", nil},
		{"an unknown level is refused on change", "admin", "PATCH", "/api/v1/people/{eastRep}", `{"level_id":999999}`, 422, "level_id", "level.not_found", nil},
		{"a person without a unit is refused", "admin", "POST", "/api/v1/people", `{"email":"new@example.com","name":"X","role":"rep"}`, 422, "org_unit_id", "field.required", nil},
		{"an impossible hire date is refused", "admin", "PATCH", "/api/v1/people/{eastRep}", `{"hire_date":"2026-13-01"}`, 422, "hire_date", "date.invalid", nil},
		{"a phone with letters is refused", "admin", "PATCH", "/api/v1/people/{eastRep}", `{"phone":"call me"}`, 422, "phone", "phone.invalid", nil},
		{"an unknown language is refused", "eastRep", "PATCH", "/api/v1/me", `{"lang":"fr"}`, 422, "lang", "lang.invalid", nil},
		{"a stale version is a conflict", "admin", "PATCH", "/api/v1/people/{eastRep}", `{"name":"X","version":999}`, 409, "", "record.stale", nil},
		{"moving a unit below itself is a cycle", "admin", "PATCH", "/api/v1/org-units/{east}", `{"parent_id":{eastA}}`, 422, "parent_id", "unit.cycle", nil},
		{"moving a unit into itself is a cycle", "admin", "PATCH", "/api/v1/org-units/{east}", `{"parent_id":{east}}`, 422, "parent_id", "unit.cycle", nil},
		{"a move that strands a rep away from their manager is a conflict", "admin", "PATCH", "/api/v1/org-units/{eastA}", `{"parent_id":{west}}`, 409, "", "unit.move_strands_managers", []any{1}},
		{"a unit manager from below the unit is refused", "admin", "PATCH", "/api/v1/org-units/{east}", `{"manager_id":{eastRep}}`, 422, "manager_id", "unit.manager_outside", nil},
		{"an empty unit name is required", "admin", "PATCH", "/api/v1/org-units/{west}", `{"name":""}`, 422, "name", "field.required", nil},
		{"a second company is refused", "admin", "POST", "/api/v1/org-units", `{"parent_id":{company},"kind":"company","name":"Other"}`, 422, "kind", "unit.kind_invalid", nil},
		{"closing a unit that still has people is a conflict", "admin", "POST", "/api/v1/org-units/{eastA}/close", "", 409, "", "unit.close_has_people", []any{1}},
		{"a level code with capitals is refused", "admin", "POST", "/api/v1/levels", `{"code":"Senior","name_zh":"高级","name_en":"Senior","rank":60}`, 422, "code", "level.code_invalid", nil},
		{"a level rank of 0 is refused", "admin", "POST", "/api/v1/levels", `{"code":"zero","name_zh":"零","name_en":"Zero","rank":0}`, 422, "rank", "level.rank_invalid", nil},
		{"a taken level code is a conflict", "admin", "POST", "/api/v1/levels", `{"code":"junior_rep","name_zh":"初级","name_en":"Junior","rank":60}`, 409, "", "level.code_taken", []any{"junior_rep"}},
		{"an unknown level is not found", "admin", "PUT", "/api/v1/levels/999999", `{"code":"x","name_zh":"甲","name_en":"X","rank":1}`, 404, "", "level.not_found", nil},
		{"an unknown role is not found", "admin", "PUT", "/api/v1/roles/boss", `{"body_zh":"甲","body_en":"X"}`, 404, "", "role.invalid", nil},
		{"an empty role statement is required", "admin", "PUT", "/api/v1/roles/rep", `{"body_zh":"","body_en":"X"}`, 422, "body_zh", "field.required", nil},
		{"a too short password is refused", "eastRep", "PUT", "/api/v1/me/password", `{"current_password":"password123","password":"short"}`, 422, "password", "password.length", []any{8, 128}},
		{"a token without a name is refused", "eastRep", "POST", "/api/v1/me/tokens", `{"name":""}`, 422, "name", "field.required", nil},
		{"malformed JSON is a bad request", "admin", "POST", "/api/v1/people", `{"email":`, 400, "", "json.malformed", nil},
		{"an empty body is a bad request", "admin", "POST", "/api/v1/org-units", "", 400, "", "json.malformed", nil},
		{"trailing data after the object is a bad request", "admin", "PATCH", "/api/v1/people/{eastRep}", `{"name":"X"} {"name":"Y"}`, 400, "", "json.malformed", nil},
		{"a JSON array instead of an object is a bad request", "admin", "PATCH", "/api/v1/people/{eastRep}", `["name"]`, 400, "", "json.malformed", nil},
		{"a number where a string belongs is a bad request", "admin", "POST", "/api/v1/people", `{"email":5,"name":"X","role":"rep"}`, 400, "email", "json.wrong_type", []any{"email"}},
		{"a string where a boolean belongs is a bad request", "admin", "PATCH", "/api/v1/people/{eastRep}", `{"active":"no"}`, 400, "active", "json.wrong_type", []any{"active"}},
		{"an unknown field is a bad request", "admin", "POST", "/api/v1/org-units", `{"parent_id":{east},"kind":"team","name":"X","colour":"red"}`, 400, "colour", "json.unknown_field", []any{"colour"}},
		{"an unknown field at sign-in is a bad request", "", "POST", "/api/v1/auth/login", `{"email":"eastrep@example.com","password":"password123","remember":true}`, 400, "remember", "json.unknown_field", []any{"remember"}},
		{"an unknown role filter is a bad request", "admin", "GET", "/api/v1/people?role=boss", "", 400, "role", "role.invalid", nil},
		{"a negative limit is a bad request", "admin", "GET", "/api/v1/people?limit=-1", "", 400, "limit", "query.invalid_number", []any{"limit"}},
		{"a non-numeric unit filter is a bad request", "admin", "GET", "/api/v1/people?org_unit_id=east", "", 400, "org_unit_id", "query.invalid_number", []any{"org_unit_id"}},
		{"an impossible audit date is a bad request", "admin", "GET", "/api/v1/audit?to=2026-02-30", "", 400, "to", "date.invalid", nil},
		{"a wrong password is refused", "", "POST", "/api/v1/auth/login", `{"email":"westrep@example.com","password":"wrong-password"}`, 401, "", "auth.bad_credentials", nil},
		{"anonymous is asked to sign in", "", "GET", "/api/v1/people", "", 401, "", "auth.required", nil},
		{"a person outside scope is not found", "eastMgr", "GET", "/api/v1/people/{westRep}", "", 404, "", "person.not_found", nil},
		{"a unit outside scope is not found", "eastMgr", "PATCH", "/api/v1/org-units/{west}", `{"name":"Mine"}`, 404, "", "unit.not_found", nil},
		{"a rep may not add people", "eastRep", "POST", "/api/v1/people", person(""), 403, "", "perm.forbidden", nil},
		{"only admin changes a role", "eastMgr", "PATCH", "/api/v1/people/{eastRep}", `{"role":"regional_manager"}`, 403, "", "person.role_admin_only", nil},
		{"nobody changes their own role", "eastRep", "PATCH", "/api/v1/me", `{"role":"admin"}`, 403, "", "person.self_restricted", nil},
		{"only admin reads the audit log", "senior", "GET", "/api/v1/audit", "", 403, "", "audit.forbidden", nil},
	}
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		cat, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		// senior2 reports to senior in the same unit, so making senior2
		// senior's manager would close a loop.
		senior2, err := h.Org.CreatePerson(systemCtx(), org.PersonInput{Email: "senior2@example.com", Name: "senior2",
			Role: echelon.RoleSeniorManager, UnitID: 1, ManagerID: h.People["senior"].ID})
		if err != nil {
			t.Fatal(err)
		}
		routes := serverOf(t, h).APIRoutes()
		vars := h.vars(t)
		vars["{senior2}"] = strconv.FormatInt(senior2.ID, 10)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				path, body := fill(t, c.path, vars), fill(t, c.body, vars)
				token := ""
				if c.as != "" {
					token = h.token(c.as)
				}
				for _, lang := range []string{i18n.Chinese, i18n.English} {
					before := h.fingerprint(t)
					res, out := h.send(t, c.method, path, token, lang, body)
					if res.StatusCode != c.status {
						t.Fatalf("%s: status %d, want %d\n%s", lang, res.StatusCode, c.status, out)
					}
					e := checkEnvelope(t, res, out)
					if e.Error.Field != c.field {
						t.Errorf("%s: field %q, want %q", lang, e.Error.Field, c.field)
					}
					if want := cat.T(lang, c.key, c.args...); e.Error.Message != want {
						t.Errorf("%s: message %q, want %q", lang, e.Error.Message, want)
					}
					if han := regexp.MustCompile(`\p{Han}`).MatchString(e.Error.Message); han != (lang == i18n.Chinese) {
						t.Errorf("%s: message %q is not in the language asked for", lang, e.Error.Message)
					}
					if r := routeOf(routes, c.method, path); r != "" {
						m, p, _ := strings.Cut(r, " ")
						for _, problem := range loadDoc(t).checkResponse(m, p, res, out) {
							t.Errorf("does not match openapi.json: %s", problem)
						}
					}
					if after := h.fingerprint(t); after != before {
						t.Errorf("%s: the refused request changed stored data:\n%s", lang, fingerprintDiff(before, after))
					}
				}
			})
		}

		t.Run("a name of exactly 100 Chinese characters is accepted after all those refusals", func(t *testing.T) {
			res, out := h.send(t, "POST", "/api/v1/people", h.token("admin"), "", fill(t, `{"email":"new@example.com","name":"`+strings.Repeat("名", 100)+`","role":"rep","org_unit_id":{eastA}}`, vars))
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("status %d\n%s", res.StatusCode, out)
			}
		})
	})
}

// routeOf finds the route pattern of the table that a concrete request matches.
func routeOf(routes []string, method, path string) string {
	for _, r := range routes {
		m, p, _ := strings.Cut(r, " ")
		if m == method && routeMatches(p, path) {
			return r
		}
	}
	return ""
}

func TestAPI_FiveWrongPasswordsLockTheAccountEvenAgainstTheRightOne(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		cat, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		wrong := `{"email":"eastrep@example.com","password":"not-the-password"}`
		for i := 1; i <= 5; i++ {
			res, out := h.send(t, "POST", "/api/v1/auth/login", "", "en", wrong)
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("wrong password #%d: status %d, want 401\n%s", i, res.StatusCode, out)
			}
		}
		for _, lang := range []string{i18n.English, i18n.Chinese} {
			res, out := h.send(t, "POST", "/api/v1/auth/login", "", lang, creds("eastRep"))
			if res.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("right password while locked: status %d, want 429\n%s", res.StatusCode, out)
			}
			e := checkEnvelope(t, res, out)
			if e.Error.Code != echelon.ELOCKED {
				t.Errorf("code %q, want locked", e.Error.Code)
			}
			if want := cat.T(lang, "auth.locked", 15); e.Error.Message != want {
				t.Errorf("%s: message %q, want %q", lang, e.Error.Message, want)
			}
			for _, p := range loadDoc(t).checkResponse("POST", "/api/v1/auth/login", res, out) {
				t.Errorf("does not match openapi.json: %s", p)
			}
		}
		if res, _ := h.send(t, "POST", "/api/v1/auth/login", "", "", creds("westRep")); res.StatusCode != http.StatusOK {
			t.Errorf("another person's sign-in: status %d, want 200", res.StatusCode)
		}
	})
}

func TestAPI_DeactivatingAPersonEndsTheirTokenAtOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		repToken := h.token("eastRep")
		_, body := h.send(t, "POST", "/api/v1/me/tokens", repToken, "", `{"name":"script"}`)
		var tok struct{ Token string }
		if err := json.Unmarshal(body, &tok); err != nil || tok.Token == "" {
			t.Fatalf("personal token: %s", body)
		}
		b := h.browse("eastRep")
		for _, tk := range []string{repToken, tok.Token} {
			if res, out := h.send(t, "GET", "/api/v1/me", tk, "", ""); res.StatusCode != http.StatusOK {
				t.Fatalf("before: %d %s", res.StatusCode, out)
			}
		}
		res, out := h.send(t, "PATCH", fill(t, "/api/v1/people/{eastRep}", h.vars(t)), h.token("admin"), "", `{"active":false}`)
		if res.StatusCode != http.StatusOK || !strings.Contains(string(out), `"active":false`) {
			t.Fatalf("deactivate: %d %s", res.StatusCode, out)
		}
		for name, tk := range map[string]string{"sign-in token": repToken, "personal token": tok.Token} {
			res, out := h.send(t, "GET", "/api/v1/me", tk, "", "")
			if res.StatusCode != http.StatusUnauthorized || !strings.Contains(string(out), `"code":"unauthorized"`) {
				t.Errorf("%s after deactivation: %d %s, want 401 unauthorized", name, res.StatusCode, out)
			}
		}
		if res, _ := b.get("/"); res.Request.URL.Path != "/login" {
			t.Errorf("browser session after deactivation ended on %s, want the sign-in page", res.Request.URL.Path)
		}
		if res, _ := h.send(t, "POST", "/api/v1/auth/login", "", "", creds("eastRep")); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("sign-in after deactivation: %d, want 401", res.StatusCode)
		}
	})
}

func TestAPI_LogoutRevokesTheTokenItWasCalledWith(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		other := h.token("eastMgr")
		tok := h.login(t, "eastMgr")
		if res, out := h.send(t, "POST", "/api/v1/auth/logout", tok, "", ""); res.StatusCode != http.StatusNoContent {
			t.Fatalf("logout: %d %s", res.StatusCode, out)
		}
		res, out := h.send(t, "GET", "/api/v1/me", tok, "", "")
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(string(out), `"code":"unauthorized"`) {
			t.Errorf("the logged-out token: %d %s, want 401", res.StatusCode, out)
		}
		if res, _ := h.send(t, "POST", "/api/v1/auth/logout", tok, "", ""); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("logging out twice: %d, want 401", res.StatusCode)
		}
		if res, _ := h.send(t, "GET", "/api/v1/me", other, "", ""); res.StatusCode != http.StatusOK {
			t.Errorf("the person's other token: %d, want it to keep working", res.StatusCode)
		}
	})
}

func TestAPI_AuditShowsBeforeAndAfterOfAChangeToAdminsOnly(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		id := h.People["eastRep"].ID
		res, out := h.send(t, "PATCH", fmt.Sprintf("/api/v1/people/%d", id), h.token("eastMgr"), "", `{"phone":"+86 21 5555 0101"}`)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("patch: %d %s", res.StatusCode, out)
		}
		path := fmt.Sprintf("/api/v1/audit?entity=person&entity_id=%d", id)
		res, out = h.send(t, "GET", path, h.token("admin"), "", "")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("audit: %d %s", res.StatusCode, out)
		}
		for _, p := range loadDoc(t).checkResponse("GET", "/api/v1/audit", res, out) {
			t.Errorf("does not match openapi.json: %s", p)
		}
		var page struct {
			Items []struct {
				ActorID   int64  `json:"actor_id"`
				ActorName string `json:"actor_name"`
				Action    string `json:"action"`
				Entity    string `json:"entity"`
				EntityID  string `json:"entity_id"`
				Before    *org.Person
				After     *org.Person
			}
			Total int
		}
		if err := json.Unmarshal(out, &page); err != nil || len(page.Items) == 0 {
			t.Fatalf("audit page: %v %s", err, out)
		}
		e := page.Items[0] // newest first
		if e.Action != "update" || e.Entity != "person" || e.EntityID != strconv.FormatInt(id, 10) || e.ActorID != h.People["eastMgr"].ID || e.ActorName != "eastMgr" {
			t.Errorf("newest entry %+v, want eastMgr's update of person %d", e, id)
		}
		if e.Before == nil || e.After == nil || e.Before.Phone != "" || e.After.Phone != "+86 21 5555 0101" || e.After.Version != e.Before.Version+1 {
			t.Errorf("before %+v / after %+v, want the phone and version change", e.Before, e.After)
		}
		for _, who := range []string{"senior", "eastMgr", "eastRep", "mkt"} {
			res, out := h.send(t, "GET", path, h.token(who), "", "")
			if res.StatusCode != http.StatusForbidden || !strings.Contains(string(out), `"code":"forbidden"`) {
				t.Errorf("%s reading the audit log: %d %s, want 403", who, res.StatusCode, out)
			}
		}
	})
}

func TestAPI_APersonsOwnLanguageBeatsTheBrowsers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		tok := h.token("eastRep")
		if res, out := h.send(t, "PATCH", "/api/v1/me", tok, "", `{"lang":"en"}`); res.StatusCode != http.StatusOK {
			t.Fatalf("set lang: %d %s", res.StatusCode, out)
		}
		res, out := h.send(t, "GET", fill(t, "/api/v1/people/{westRep}", h.vars(t)), tok, "zh-CN,zh;q=0.9", "")
		if res.StatusCode != http.StatusNotFound || !strings.Contains(string(out), "This person does not exist") {
			t.Errorf("answer %d %s, want the English not-found message", res.StatusCode, out)
		}
	})
}

func TestAPI_ListEnvelopeReportsThePageSizeActuallyUsed(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		for path, want := range map[string]int{
			"/api/v1/people":            50,
			"/api/v1/people?limit=500":  50,
			"/api/v1/people?limit=3":    3,
			"/api/v1/audit":             50,
			"/api/v1/audit?limit=1000":  50,
			"/api/v1/audit?limit=200":   200,
			"/api/v1/people?limit=0":    50,
			"/api/v1/people?limit=200":  200,
			"/api/v1/people?offset=100": 50,
		} {
			res, out := h.send(t, "GET", path, h.token("admin"), "", "")
			var page struct {
				Items []json.RawMessage
				Limit int
			}
			if res.StatusCode != http.StatusOK || json.Unmarshal(out, &page) != nil {
				t.Fatalf("%s: %d %s", path, res.StatusCode, out)
			}
			if page.Limit != want || len(page.Items) > want {
				t.Errorf("%s: limit %d with %d items, want limit %d", path, page.Limit, len(page.Items), want)
			}
		}
	})
}
