package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/i18n"
	"github.com/echelonhq/echelon/internal/importer"
	"github.com/echelonhq/echelon/internal/sheet"
)

// The CRM and import/export part of the API contract: every route of
// crmAPIRoutes and ioAPIRoutes tried as every role on a seeded CRM, the
// refusals in both languages, the duplicate check, the pool rules, version
// conflicts, exports and imports.

func init() {
	scenarioTables = append(scenarioTables, crmAPIScenarios, crmTerritoryScenarios, ioAPIScenarios)
	// What the admin sees of the CRM joins the fingerprint, so a refused
	// CRM request that changed a record anyway is caught.
	fingerprintPaths = append(fingerprintPaths,
		"/api/v1/accounts?limit=200&sort=id",
		"/api/v1/contacts?limit=200",
		"/api/v1/leads?limit=200",
		"/api/v1/opportunities?limit=200&sort=id",
		"/api/v1/activities?limit=200",
		"/api/v1/products?inactive=true",
		"/api/v1/stages",
		"/api/v1/pools",
		"/api/v1/territories",
	)
	for name, s := range map[string]structSchema{
		"Account":           {crm.Account{}, true},
		"AccountInput":      {crm.AccountInput{}, false},
		"AccountUpdate":     {crm.AccountUpdate{}, false},
		"OwnershipEvent":    {crm.OwnershipEvent{}, true},
		"MergeResult":       {crm.MergeResult{}, true},
		"PoolRule":          {crm.PoolRule{}, true},
		"PoolRuleInput":     {crm.PoolRule{}, false},
		"Contact":           {crm.Contact{}, true},
		"ContactInput":      {crm.ContactInput{}, false},
		"Lead":              {crm.Lead{}, true},
		"LeadInput":         {crm.LeadInput{}, false},
		"LeadConversion":    {crm.LeadConversion{}, false},
		"Product":           {crm.Product{}, true},
		"ProductInput":      {crm.ProductInput{}, false},
		"Stage":             {crm.Stage{}, true},
		"StageInput":        {crm.StageInput{}, false},
		"Opportunity":       {crm.Opportunity{}, true},
		"OpportunityInput":  {crm.OpportunityInput{}, false},
		"OpportunityUpdate": {crm.OpportunityUpdate{}, false},
		"LineItem":          {crm.LineItem{}, true},
		"StageChange":       {crm.StageChange{}, true},
		"Activity":          {crm.Activity{}, true},
		"ActivityInput":     {crm.ActivityInput{}, false},
		"ImportReport":      {importer.Report{}, true},
		"DatasetReport":     {importer.DatasetReport{}, true},
		"RowResult":         {echelon.RowResult{}, true},
		"Notice":            {echelon.Error{}, true},
		"Territory":         {crm.Territory{}, true},
		"StageTotal":        {crm.StageTotal{}, true},
		"ReturningAccount":  {crm.ReturningAccount{}, true},
		"TerritoryInput":    {crm.TerritoryInput{}, false},
	} {
		structSchemas[name] = s
	}
}

// The seeded CRM, the same in every harness: for each of eastRep and
// westRep an account with a contact, an opportunity (with a product line),
// an activity whose next step was due yesterday and a lead; an unowned
// account in the East's pool and one in the West's. Names are distinct enough to be looked for in answers.
const (
	eastAccountName = "East Precision 东方精密"
	westAccountName = "West Energy 西部能源"
	westPhone       = "020-6666-0202"
	westEmail       = "info@west-energy.example.com"
)

var (
	crmWorldsMu sync.Mutex
	crmWorlds   = map[*harness]map[string]string{}
	uniq        atomic.Int64
)

// crmSeed seeds the CRM of h once, through the API, and returns the
// placeholders of what it made: {eastAccount}, {eastContact}, {eastOpp},
// {eastActivity}, {eastLead} and the same for west, {eastPool},
// {westPool}, {product}, {eastTerritory} (industry Semiconductors, the East's
// pool), {westTerritory} (industry Wind power, westRep's) and a placeholder
// per stage code ({prospecting}, …).
func crmSeed(t *testing.T, h *harness) map[string]string {
	t.Helper()
	crmWorldsMu.Lock()
	defer crmWorldsMu.Unlock()
	if w, ok := crmWorlds[h]; ok {
		return copyVars(w)
	}
	w := map[string]string{}
	id := func(v string) int64 { n, _ := strconv.ParseInt(v, 10, 64); return n }
	var stages struct{ Items []crm.Stage }
	h.callJSON(t, "admin", "GET", "/api/v1/stages", "", 200, &stages)
	for _, st := range stages.Items {
		w["{"+st.Code+"}"] = strconv.FormatInt(st.ID, 10)
	}
	w["{product}"] = h.create(t, "admin", "/api/v1/products", `{"code":"EP-1","name":"Echelon Pro","series":"EP","list_price":1200000}`)
	for _, s := range []struct{ side, rep, account, phone, email, contact, mobile, opp, call, lead string }{
		{"east", "eastRep", eastAccountName, "021-5555-0101", "info@east-precision.example.com", "Zhang East", "13800000101",
			"East Precision line", "Intro call East", "East Lead Works"},
		{"west", "westRep", westAccountName, westPhone, westEmail, "Wang West", "13800000202",
			"West Energy turbine", "Intro call West", "West Lead Works"},
	} {
		acc := h.create(t, s.rep, "/api/v1/accounts", jsonOf(map[string]any{"name": s.account, "phone": s.phone, "email": s.email,
			"industry": "Manufacturing", "province": "上海"}))
		con := h.create(t, s.rep, "/api/v1/contacts", jsonOf(map[string]any{"account_id": id(acc), "name": s.contact, "title": "CTO",
			"mobile": s.mobile}))
		opp := h.create(t, s.rep, "/api/v1/opportunities", jsonOf(map[string]any{"name": s.opp, "account_id": id(acc),
			"stage_id": id(w["{prospecting}"]), "amount": 2400000, "expected_close": "2031-06-30",
			"lines": []map[string]any{{"product_id": id(w["{product}"]), "quantity": 2, "unit_price": 1200000}}}))
		act := h.create(t, s.rep, "/api/v1/activities", jsonOf(map[string]any{"kind": "call", "subject": s.call,
			"at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "account_id": id(acc), "contact_id": id(con),
			"opportunity_id": id(opp), "outcome": "Interested", "next_step": "Send a quote",
			"next_step_at": time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339)}))
		lead := h.create(t, s.rep, "/api/v1/leads", jsonOf(map[string]any{"company": s.lead, "contact_name": "Li " + s.side, "source": "Trade fair"}))
		for k, v := range map[string]string{"Account": acc, "Contact": con, "Opp": opp, "Activity": act, "Lead": lead} {
			w["{"+s.side+k+"}"] = v
		}
	}
	fx := h.vars(t)
	w["{eastPool}"] = h.create(t, "eastMgr", "/api/v1/accounts", `{"name":"East Pool Trading","org_unit_id":`+fx["{east}"]+`}`)
	w["{westPool}"] = h.create(t, "westMgr", "/api/v1/accounts", `{"name":"West Pool Trading","org_unit_id":`+fx["{west}"]+`}`)
	// Territories on industries no other record has, so they place only the accounts a case makes for them.
	w["{eastTerritory}"] = h.create(t, "eastMgr", "/api/v1/territories", `{"name":"East chips","industry":"Semiconductors","org_unit_id":`+fx["{east}"]+`}`)
	w["{westTerritory}"] = h.create(t, "westMgr", "/api/v1/territories", `{"name":"West wind","industry":"Wind power","person_id":`+fx["{westRep}"]+`}`)
	crmWorlds[h] = w
	h.t.Cleanup(func() {
		crmWorldsMu.Lock()
		delete(crmWorlds, h)
		crmWorldsMu.Unlock()
	})
	return copyVars(w)
}

func copyVars(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// callJSON makes an API call as who ("" anonymous), requires the status and decodes the answer into out (when not nil).
func (h *harness) callJSON(t *testing.T, who, method, path, body string, status int, out any) []byte {
	t.Helper()
	token := ""
	if who != "" {
		token = h.token(who)
	}
	res, b := h.send(t, method, path, token, "", body)
	if res.StatusCode != status {
		t.Fatalf("%s %s as %s: status %d, want %d\n%s", method, path, who, res.StatusCode, status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
	return b
}

// create POSTs body as who, requires 201 and returns the new record's id.
func (h *harness) create(t *testing.T, who, path, body string) string {
	t.Helper()
	var rec struct{ ID int64 }
	h.callJSON(t, who, "POST", path, body, http.StatusCreated, &rec)
	return strconv.FormatInt(rec.ID, 10)
}

// inCRM makes every case start from the seeded CRM, then run its own setup.
func inCRM(eps []endpoint) []endpoint {
	for _, ep := range eps {
		for i := range ep.cases {
			own := ep.cases[i].setup
			ep.cases[i].setup = func(t *testing.T, h *harness, as string) map[string]string {
				t.Helper()
				vars := crmSeed(t, h)
				if own != nil {
					for k, v := range own(t, h, as) {
						vars[k] = v
					}
				}
				return vars
			}
		}
	}
	return eps
}

// allVars is the fixture's placeholders with the seeded CRM's.
func allVars(t *testing.T, h *harness) map[string]string {
	t.Helper()
	vars := h.vars(t)
	for k, v := range crmSeed(t, h) {
		vars[k] = v
	}
	return vars
}

// versionOf is a setup that reads the record at path (with placeholders) as admin and gives its version as {v}.
func versionOf(path string) func(*testing.T, *harness, string) map[string]string {
	return func(t *testing.T, h *harness, _ string) map[string]string {
		t.Helper()
		var rec struct{ Version int }
		h.callJSON(t, "admin", "GET", fill(t, path, allVars(t, h)), "", 200, &rec)
		return map[string]string{"{v}": strconv.Itoa(rec.Version)}
	}
}

// newAccountOf is a setup in which who creates a fresh account of their own, as {new} with its version {v}.
func newAccountOf(who string) func(*testing.T, *harness, string) map[string]string {
	return func(t *testing.T, h *harness, _ string) map[string]string {
		t.Helper()
		var a crm.Account
		h.callJSON(t, who, "POST", "/api/v1/accounts", fmt.Sprintf(`{"name":"Fresh account %d"}`, uniq.Add(1)), 201, &a)
		return map[string]string{"{new}": strconv.FormatInt(a.ID, 10), "{v}": strconv.Itoa(a.Version)}
	}
}

// newPoolAccount is a setup in which admin puts a fresh account into the pool of unit, as {new}.
func newPoolAccount(unit string) func(*testing.T, *harness, string) map[string]string {
	return func(t *testing.T, h *harness, _ string) map[string]string {
		t.Helper()
		id := h.create(t, "admin", "/api/v1/accounts", fmt.Sprintf(`{"name":"Pool account %d","org_unit_id":%d}`, uniq.Add(1), h.unitID(unit)))
		return map[string]string{"{new}": id}
	}
}

// newLeadOf is a setup in which who creates a fresh lead for company ("" for a made-up one), as {new} with {v}.
func newLeadOf(who, company string) func(*testing.T, *harness, string) map[string]string {
	return func(t *testing.T, h *harness, _ string) map[string]string {
		t.Helper()
		if company == "" {
			company = fmt.Sprintf("Fresh lead %d", uniq.Add(1))
		}
		var l crm.Lead
		h.callJSON(t, who, "POST", "/api/v1/leads", jsonOf(map[string]any{"company": company, "contact_name": "Zhao Lead"}), 201, &l)
		return map[string]string{"{new}": strconv.FormatInt(l.ID, 10), "{v}": strconv.Itoa(l.Version)}
	}
}

// releasedByEastRep is a setup in which eastRep creates an account and returns it to the pool at once, as {new}.
func releasedByEastRep(t *testing.T, h *harness, as string) map[string]string {
	t.Helper()
	m := newAccountOf("eastRep")(t, h, as)
	h.callJSON(t, "eastRep", "POST", "/api/v1/accounts/"+m["{new}"]+"/release", `{"reason":"no budget this year"}`, 200, nil)
	return m
}

// accountLimitOfOne is a setup that puts eastRep on the junior level and lets that level own one account.
func accountLimitOfOne(t *testing.T, h *harness, _ string) map[string]string {
	t.Helper()
	ctx := context.Background()
	if err := h.DB.Tx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE levels SET account_limit = 1 WHERE code = 'junior_rep'`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	vars := h.vars(t)
	h.callJSON(t, "admin", "PATCH", "/api/v1/people/"+vars["{eastRep}"], `{"level_id":`+vars["{level}"]+`}`, 200, nil)
	return nil
}

// mergePair is a setup in which admin opens two accounts of eastRep, {keep} and {drop}, and eastRep adds a contact and an activity to {drop}.
func mergePair(t *testing.T, h *harness, _ string) map[string]string {
	t.Helper()
	vars := h.vars(t)
	n := uniq.Add(1)
	keep := h.create(t, "admin", "/api/v1/accounts", fmt.Sprintf(`{"name":"Keep %d","owner_id":%s}`, n, vars["{eastRep}"]))
	drop := h.create(t, "admin", "/api/v1/accounts", fmt.Sprintf(`{"name":"Drop %d","owner_id":%s}`, n, vars["{eastRep}"]))
	h.create(t, "eastRep", "/api/v1/contacts", `{"account_id":`+drop+`,"name":"Moved contact"}`)
	h.create(t, "eastRep", "/api/v1/activities", `{"kind":"visit","subject":"Visit before merge","at":"2026-01-05T10:00:00+08:00","account_id":`+drop+`}`)
	return map[string]string{"{keep}": keep, "{drop}": drop}
}

// crmAPIScenarios tries every CRM route as every role. Reps see their own
// records and the pools they may claim from; a regional manager their
// region; the senior manager and admin everything; marketing nothing, and
// marketing writes nothing. Outside scope is 404 or absent from the list.
func crmAPIScenarios() []endpoint {
	const (
		forbidden  = `"code":"forbidden"`
		notFound   = `"code":"not_found"`
		conflict   = `"code":"conflict"`
		empty      = `"items":[]`
		release    = `{"reason":"no budget this year"}`
		transferTo = `{"owner_id":{westRep},"reason":"moves to the West"}`
	)
	cat := func(parts ...[]apiCase) []apiCase { return slices.Concat(parts...) }
	one := func(c ...apiCase) []apiCase { return c }
	westOnly := []string{"West Energy", "westRep", "West Pool"}
	return inCRM([]endpoint{
		{"GET /api/v1/accounts", one(
			apiCase{name: "admin sees both reps' accounts", as: "admin", method: "GET", path: "/api/v1/accounts", status: 200, want: "West Energy"},
			apiCase{name: "admin pages with has_more", as: "admin", method: "GET", path: "/api/v1/accounts?limit=1&sort=id", status: 200, want: `"has_more":true,"limit":1,"offset":0`},
			apiCase{name: "admin asking for 500 a page is told the 50 used", as: "admin", method: "GET", path: "/api/v1/accounts?limit=500", status: 200, want: `"limit":50`},
			apiCase{name: "admin with a non-numeric owner filter is a bad request", as: "admin", method: "GET", path: "/api/v1/accounts?owner_id=abc", status: 400, want: `"field":"owner_id"`},
			apiCase{name: "senior sees the West's accounts", as: "senior", method: "GET", path: "/api/v1/accounts", status: 200, want: "West Energy"},
			apiCase{name: "eastMgr sees the East and nothing of the West", as: "eastMgr", method: "GET", path: "/api/v1/accounts", status: 200, want: "East Precision", absent: westOnly},
			apiCase{name: "eastMgr filtering by the West finds nothing", as: "eastMgr", method: "GET", path: "/api/v1/accounts?org_unit_id={west}", status: 200, want: empty},
			apiCase{name: "eastRep sees their own accounts only", as: "eastRep", method: "GET", path: "/api/v1/accounts", status: 200, want: "East Precision", absent: append(westOnly, "East Pool")},
			apiCase{name: "eastRep searching for West's customer finds nothing", as: "eastRep", method: "GET", path: "/api/v1/accounts?q=West%20Energy", status: 200, want: empty},
			apiCase{name: "eastRep filtering by westRep finds nothing", as: "eastRep", method: "GET", path: "/api/v1/accounts?owner_id={westRep}", status: 200, want: empty},
			apiCase{name: "eastRep sees the East's pool, not the West's", as: "eastRep", method: "GET", path: "/api/v1/accounts?pool=true", status: 200, want: "East Pool", absent: westOnly},
			apiCase{name: "mkt sees no account", as: "mkt", method: "GET", path: "/api/v1/accounts", status: 200, want: empty},
			apiCase{name: "mkt sees no pool", as: "mkt", method: "GET", path: "/api/v1/accounts?pool=true", status: 200, want: empty},
			anonymous("GET", "/api/v1/accounts", ""),
		)},
		{"POST /api/v1/accounts", one(
			apiCase{name: "admin puts an account into the West's pool", as: "admin", method: "POST", path: "/api/v1/accounts", body: `{"name":"Admin Pool Co","org_unit_id":{west}}`, status: 201, want: `"org_unit_name":"华南大区 West"`, absent: []string{`"owner_id"`}},
			apiCase{name: "admin opens an account for westRep", as: "admin", method: "POST", path: "/api/v1/accounts", body: `{"name":"Admin Owned Co","owner_id":{westRep}}`, status: 201, want: `"owner_name":"westRep"`},
			apiCase{name: "admin must name an owner or a pool", as: "admin", method: "POST", path: "/api/v1/accounts", body: `{"name":"Nowhere Co"}`, status: 422, want: `"field":"org_unit_id"`},
			apiCase{name: "senior opens an account for eastRep", as: "senior", method: "POST", path: "/api/v1/accounts", body: `{"name":"Senior Co","owner_id":{eastRep}}`, status: 201, want: `"owner_name":"eastRep"`},
			apiCase{name: "eastMgr puts an account into their team's pool", as: "eastMgr", method: "POST", path: "/api/v1/accounts", body: `{"name":"Mgr Pool Co","org_unit_id":{eastA}}`, status: 201, want: `"org_unit_name":"East team A"`},
			apiCase{name: "eastMgr cannot give an account to westRep", as: "eastMgr", method: "POST", path: "/api/v1/accounts", body: `{"name":"Mgr Co","owner_id":{westRep}}`, status: 422, want: `"field":"owner_id"`},
			apiCase{name: "eastMgr cannot fill the West's pool", as: "eastMgr", method: "POST", path: "/api/v1/accounts", body: `{"name":"Mgr Co","org_unit_id":{west}}`, status: 422, want: `"field":"org_unit_id"`},
			apiCase{name: "eastRep opens an account of their own", as: "eastRep", method: "POST", path: "/api/v1/accounts", body: `{"name":"Rep Own Co","status":"customer"}`, status: 201, want: `"owner_name":"eastRep"`},
			apiCase{name: "eastRep cannot open an account for westRep", as: "eastRep", method: "POST", path: "/api/v1/accounts", body: `{"name":"Rep Co","owner_id":{westRep}}`, status: 422, want: `"field":"owner_id"`},
			apiCase{name: "eastRep re-entering West's customer by name is told westRep owns it", as: "eastRep", method: "POST", path: "/api/v1/accounts", body: `{"name":"west-energy 西部能源有限公司"}`, status: 409, want: "westRep"},
			apiCase{name: "eastRep re-entering West's customer by phone is told westRep owns it", as: "eastRep", method: "POST", path: "/api/v1/accounts", body: `{"name":"Other name","phone":"+86 20 6666 0202"}`, status: 409, want: "westRep"},
			apiCase{name: "eastRep re-entering West's customer by e-mail is told westRep owns it", as: "eastRep", method: "POST", path: "/api/v1/accounts", body: `{"name":"Third name","email":"INFO@West-Energy.example.com"}`, status: 409, want: "westRep"},
			apiCase{name: "eastRep re-entering a pool account is told it is in the pool", as: "eastRep", method: "POST", path: "/api/v1/accounts", body: `{"name":"east pool trading co., ltd."}`, status: 409, want: "East Pool Trading"},
			apiCase{name: "eastRep with an unknown field is a bad request", as: "eastRep", method: "POST", path: "/api/v1/accounts", body: `{"name":"Colour Co","colour":"red"}`, status: 400, want: `"field":"colour"`},
			apiCase{name: "mkt cannot open an account", as: "mkt", method: "POST", path: "/api/v1/accounts", body: `{"name":"Marketing Co","org_unit_id":{company}}`, status: 403, want: forbidden},
			anonymous("POST", "/api/v1/accounts", `{"name":"Anon Co"}`),
		)},
		// The company's pool rule returns an account 30 days after its last
		// follow-up: the seeded accounts return within 31 days, not within 7.
		{"GET /api/v1/accounts/returning", one(
			apiCase{name: "admin sees both reps' accounts returning within 31 days", as: "admin", method: "GET", path: "/api/v1/accounts/returning?within=31", status: 200, want: "West Energy", absent: []string{"Pool Trading"}},
			apiCase{name: "admin sees none returning within the default week", as: "admin", method: "GET", path: "/api/v1/accounts/returning", status: 200, want: empty},
			apiCase{name: "admin asking for more than a year is a bad request", as: "admin", method: "GET", path: "/api/v1/accounts/returning?within=400", status: 400, want: `"field":"within"`},
			apiCase{name: "admin with a non-numeric horizon is a bad request", as: "admin", method: "GET", path: "/api/v1/accounts/returning?within=soon", status: 400, want: `"field":"within"`},
			apiCase{name: "senior sees the West's account returning", as: "senior", method: "GET", path: "/api/v1/accounts/returning?within=31", status: 200, want: `"returns_on"`, absent: []string{"Pool Trading"}},
			apiCase{name: "eastMgr sees the East's account returning and nothing of the West", as: "eastMgr", method: "GET", path: "/api/v1/accounts/returning?within=31", status: 200, want: "East Precision", absent: westOnly},
			apiCase{name: "eastRep sees their own account returning only", as: "eastRep", method: "GET", path: "/api/v1/accounts/returning?within=31", status: 200, want: `"since"`, absent: append(westOnly, "East Pool")},
			apiCase{name: "mkt sees no account returning", as: "mkt", method: "GET", path: "/api/v1/accounts/returning?within=31", status: 200, want: empty},
			anonymous("GET", "/api/v1/accounts/returning", ""),
		)},
		{"GET /api/v1/accounts/{id}", one(
			apiCase{name: "admin reads West's account", as: "admin", method: "GET", path: "/api/v1/accounts/{westAccount}", status: 200, want: "West Energy"},
			apiCase{name: "admin reads a made-up id as not found", as: "admin", method: "GET", path: "/api/v1/accounts/999999", status: 404, want: notFound},
			apiCase{name: "senior reads West's account", as: "senior", method: "GET", path: "/api/v1/accounts/{westAccount}", status: 200, want: `"owner_name":"westRep"`},
			apiCase{name: "eastMgr reads their rep's account", as: "eastMgr", method: "GET", path: "/api/v1/accounts/{eastAccount}", status: 200, want: "East Precision"},
			apiCase{name: "eastMgr reads West's account as not found", as: "eastMgr", method: "GET", path: "/api/v1/accounts/{westAccount}", status: 404, want: notFound},
			apiCase{name: "eastMgr reads West's pool account as not found", as: "eastMgr", method: "GET", path: "/api/v1/accounts/{westPool}", status: 404, want: notFound},
			apiCase{name: "eastRep reads their own account", as: "eastRep", method: "GET", path: "/api/v1/accounts/{eastAccount}", status: 200, want: `"owner_name":"eastRep"`},
			apiCase{name: "eastRep deep-linking westRep's account finds it not found", as: "eastRep", method: "GET", path: "/api/v1/accounts/{westAccount}", status: 404, want: notFound, absent: []string{"West Energy"}},
			apiCase{name: "eastRep reads a pool account they may claim", as: "eastRep", method: "GET", path: "/api/v1/accounts/{eastPool}", status: 200, want: "East Pool"},
			apiCase{name: "eastRep reads the West's pool account as not found", as: "eastRep", method: "GET", path: "/api/v1/accounts/{westPool}", status: 404, want: notFound},
			apiCase{name: "mkt reads East's account as not found", as: "mkt", method: "GET", path: "/api/v1/accounts/{eastAccount}", status: 404, want: notFound},
			apiCase{name: "mkt reads East's pool account as not found", as: "mkt", method: "GET", path: "/api/v1/accounts/{eastPool}", status: 404, want: notFound},
			anonymous("GET", "/api/v1/accounts/{eastAccount}", ""),
		)},
		{"PATCH /api/v1/accounts/{id}", one(
			apiCase{name: "admin changes West's account", as: "admin", method: "PATCH", path: "/api/v1/accounts/{westAccount}", body: `{"industry":"Energy","version":{v}}`, setup: versionOf("/api/v1/accounts/{westAccount}"), status: 200, want: `"industry":"Energy"`},
			apiCase{name: "senior changes East's account", as: "senior", method: "PATCH", path: "/api/v1/accounts/{eastAccount}", body: `{"city":"Suzhou","version":{v}}`, setup: versionOf("/api/v1/accounts/{eastAccount}"), status: 200, want: `"city":"Suzhou"`},
			apiCase{name: "eastMgr changes their rep's account", as: "eastMgr", method: "PATCH", path: "/api/v1/accounts/{eastAccount}", body: `{"city":"Wuxi","version":{v}}`, setup: versionOf("/api/v1/accounts/{eastAccount}"), status: 200, want: `"city":"Wuxi"`},
			apiCase{name: "eastMgr changing West's account finds it not found", as: "eastMgr", method: "PATCH", path: "/api/v1/accounts/{westAccount}", body: `{"city":"X","version":{v}}`, setup: versionOf("/api/v1/accounts/{westAccount}"), status: 404, want: notFound},
			apiCase{name: "eastRep's stale write is told eastMgr changed the account", as: "eastRep", method: "PATCH", path: "/api/v1/accounts/{eastAccount}", body: `{"city":"Stale","version":1}`, status: 409, want: "eastMgr"},
			apiCase{name: "eastRep changes their own account", as: "eastRep", method: "PATCH", path: "/api/v1/accounts/{eastAccount}", body: `{"city":"Hangzhou","version":{v}}`, setup: versionOf("/api/v1/accounts/{eastAccount}"), status: 200, want: `"city":"Hangzhou"`},
			apiCase{name: "eastRep renaming into West's customer is told westRep owns it", as: "eastRep", method: "PATCH", path: "/api/v1/accounts/{eastAccount}", body: `{"name":"WEST ENERGY 西部能源","version":{v}}`, setup: versionOf("/api/v1/accounts/{eastAccount}"), status: 409, want: "westRep"},
			apiCase{name: "eastRep changing westRep's account finds it not found", as: "eastRep", method: "PATCH", path: "/api/v1/accounts/{westAccount}", body: `{"city":"X","version":{v}}`, setup: versionOf("/api/v1/accounts/{westAccount}"), status: 404, want: notFound},
			apiCase{name: "eastRep must claim a pool account before changing it", as: "eastRep", method: "PATCH", path: "/api/v1/accounts/{eastPool}", body: `{"city":"X","version":{v}}`, setup: versionOf("/api/v1/accounts/{eastPool}"), status: 403, want: forbidden},
			apiCase{name: "mkt changing East's account finds it not found", as: "mkt", method: "PATCH", path: "/api/v1/accounts/{eastAccount}", body: `{"city":"X","version":{v}}`, setup: versionOf("/api/v1/accounts/{eastAccount}"), status: 404, want: notFound},
			anonymous("PATCH", "/api/v1/accounts/{eastAccount}", `{"city":"X","version":1}`),
		)},
		{"GET /api/v1/accounts/{id}/ownership", one(
			apiCase{name: "admin reads West's account history", as: "admin", method: "GET", path: "/api/v1/accounts/{westAccount}/ownership", status: 200, want: `"action":"create"`},
			apiCase{name: "senior reads West's account history", as: "senior", method: "GET", path: "/api/v1/accounts/{westAccount}/ownership", status: 200, want: `"to_owner_name":"westRep"`},
			apiCase{name: "eastMgr reads their rep's account history", as: "eastMgr", method: "GET", path: "/api/v1/accounts/{eastAccount}/ownership", status: 200, want: `"to_owner_name":"eastRep"`},
			apiCase{name: "eastMgr reads West's account history as not found", as: "eastMgr", method: "GET", path: "/api/v1/accounts/{westAccount}/ownership", status: 404, want: notFound},
			apiCase{name: "eastRep reads their own account's history", as: "eastRep", method: "GET", path: "/api/v1/accounts/{eastAccount}/ownership", status: 200, want: `"to_owner_name":"eastRep"`},
			apiCase{name: "eastRep reads the history of a pool account they may claim", as: "eastRep", method: "GET", path: "/api/v1/accounts/{eastPool}/ownership", status: 200, want: `"action":"create"`},
			apiCase{name: "eastRep reads westRep's account history as not found", as: "eastRep", method: "GET", path: "/api/v1/accounts/{westAccount}/ownership", status: 404, want: notFound},
			apiCase{name: "mkt reads East's account history as not found", as: "mkt", method: "GET", path: "/api/v1/accounts/{eastAccount}/ownership", status: 404, want: notFound},
			anonymous("GET", "/api/v1/accounts/{eastAccount}/ownership", ""),
		)},
		{"POST /api/v1/accounts/{id}/claim", one(
			apiCase{name: "admin, who sells nothing, cannot claim", as: "admin", method: "POST", path: "/api/v1/accounts/{new}/claim", setup: newPoolAccount("east"), status: 403, want: forbidden},
			apiCase{name: "senior claims from a pool below them", as: "senior", method: "POST", path: "/api/v1/accounts/{new}/claim", setup: newPoolAccount("east"), status: 200, want: `"owner_name":"senior"`},
			apiCase{name: "eastMgr claims from the East's pool", as: "eastMgr", method: "POST", path: "/api/v1/accounts/{new}/claim", setup: newPoolAccount("east"), status: 200, want: `"owner_name":"eastMgr"`},
			apiCase{name: "eastMgr claiming from the West's pool finds it not found", as: "eastMgr", method: "POST", path: "/api/v1/accounts/{westPool}/claim", status: 404, want: notFound},
			apiCase{name: "eastRep claims from the East's pool", as: "eastRep", method: "POST", path: "/api/v1/accounts/{new}/claim", setup: newPoolAccount("east"), status: 200, want: `"owner_name":"eastRep"`},
			apiCase{name: "eastRep claims from the company's pool above them", as: "eastRep", method: "POST", path: "/api/v1/accounts/{new}/claim", setup: newPoolAccount("company"), status: 200, want: `"owner_name":"eastRep"`},
			apiCase{name: "eastRep claiming from the West's pool finds it not found", as: "eastRep", method: "POST", path: "/api/v1/accounts/{westPool}/claim", status: 404, want: notFound},
			apiCase{name: "eastRep claiming westRep's account finds it not found", as: "eastRep", method: "POST", path: "/api/v1/accounts/{westAccount}/claim", status: 404, want: notFound},
			apiCase{name: "eastRep claiming their own account is told it is not in the pool", as: "eastRep", method: "POST", path: "/api/v1/accounts/{eastAccount}/claim", status: 409, want: conflict},
			apiCase{name: "eastRep re-claiming an account they just returned is locked out", as: "eastRep", method: "POST", path: "/api/v1/accounts/{new}/claim", setup: releasedByEastRep, status: 409, want: conflict},
			apiCase{name: "eastRep over their level's account limit cannot claim", as: "eastRep", method: "POST", path: "/api/v1/accounts/{eastPool}/claim", setup: accountLimitOfOne, status: 409, want: conflict},
			apiCase{name: "mkt cannot claim", as: "mkt", method: "POST", path: "/api/v1/accounts/{new}/claim", setup: newPoolAccount("company"), status: 403, want: forbidden},
			anonymous("POST", "/api/v1/accounts/{eastPool}/claim", ""),
		)},
		{"POST /api/v1/accounts/{id}/release", one(
			apiCase{name: "admin returns westRep's account to the pool", as: "admin", method: "POST", path: "/api/v1/accounts/{new}/release", body: release, setup: newAccountOf("westRep"), status: 200, want: `"org_unit_name":"华南大区 West"`, absent: []string{`"owner_id"`}},
			apiCase{name: "senior returns westRep's account to the pool", as: "senior", method: "POST", path: "/api/v1/accounts/{new}/release", body: `{}`, setup: newAccountOf("westRep"), status: 200, want: `"version":2`, absent: []string{`"owner_id"`}},
			apiCase{name: "eastMgr returns their rep's account to the pool", as: "eastMgr", method: "POST", path: "/api/v1/accounts/{new}/release", body: release, setup: newAccountOf("eastRep"), status: 200, want: `"org_unit_name":"East team A"`, absent: []string{`"owner_id"`}},
			apiCase{name: "eastMgr returning westRep's account finds it not found", as: "eastMgr", method: "POST", path: "/api/v1/accounts/{westAccount}/release", body: release, status: 404, want: notFound},
			apiCase{name: "eastRep returns their own account to the pool", as: "eastRep", method: "POST", path: "/api/v1/accounts/{new}/release", body: release, setup: newAccountOf("eastRep"), status: 200, want: `"org_unit_name":"East team A"`, absent: []string{`"owner_id"`}},
			apiCase{name: "eastRep returning westRep's account finds it not found", as: "eastRep", method: "POST", path: "/api/v1/accounts/{westAccount}/release", body: release, status: 404, want: notFound},
			apiCase{name: "eastRep returning a pool account is told it is in the pool", as: "eastRep", method: "POST", path: "/api/v1/accounts/{eastPool}/release", body: release, status: 409, want: conflict},
			apiCase{name: "eastRep without a body is a bad request", as: "eastRep", method: "POST", path: "/api/v1/accounts/{eastAccount}/release", status: 400, want: `"code":"invalid"`},
			apiCase{name: "mkt returning East's account finds it not found", as: "mkt", method: "POST", path: "/api/v1/accounts/{eastAccount}/release", body: release, status: 404, want: notFound},
			anonymous("POST", "/api/v1/accounts/{eastAccount}/release", release),
		)},
		{"POST /api/v1/accounts/{id}/transfer", one(
			apiCase{name: "admin moves eastRep's account to westRep", as: "admin", method: "POST", path: "/api/v1/accounts/{new}/transfer", body: transferTo, setup: newAccountOf("eastRep"), status: 200, want: `"owner_name":"westRep"`},
			apiCase{name: "senior moves eastRep's account to westRep", as: "senior", method: "POST", path: "/api/v1/accounts/{new}/transfer", body: transferTo, setup: newAccountOf("eastRep"), status: 200, want: `"owner_name":"westRep"`},
			apiCase{name: "eastMgr takes their rep's account over", as: "eastMgr", method: "POST", path: "/api/v1/accounts/{new}/transfer", body: `{"owner_id":{eastMgr},"reason":"rep on leave"}`, setup: newAccountOf("eastRep"), status: 200, want: `"owner_name":"eastMgr"`},
			apiCase{name: "eastMgr cannot hand an account to westRep", as: "eastMgr", method: "POST", path: "/api/v1/accounts/{eastAccount}/transfer", body: transferTo, status: 422, want: `"field":"owner_id"`},
			apiCase{name: "eastMgr must give a reason", as: "eastMgr", method: "POST", path: "/api/v1/accounts/{eastAccount}/transfer", body: `{"owner_id":{eastMgr}}`, status: 422, want: `"field":"reason"`},
			apiCase{name: "eastMgr moving westRep's account finds it not found", as: "eastMgr", method: "POST", path: "/api/v1/accounts/{westAccount}/transfer", body: `{"owner_id":{eastMgr},"reason":"mine now"}`, status: 404, want: notFound},
			apiCase{name: "eastRep cannot transfer, that needs a manager", as: "eastRep", method: "POST", path: "/api/v1/accounts/{eastAccount}/transfer", body: `{"owner_id":{eastMgr},"reason":"too busy"}`, status: 403, want: forbidden},
			apiCase{name: "mkt cannot transfer", as: "mkt", method: "POST", path: "/api/v1/accounts/{eastAccount}/transfer", body: transferTo, status: 403, want: forbidden},
			anonymous("POST", "/api/v1/accounts/{eastAccount}/transfer", transferTo),
		)},
		{"POST /api/v1/accounts/{id}/merge", one(
			apiCase{name: "admin folds a duplicate into the kept account", as: "admin", method: "POST", path: "/api/v1/accounts/{keep}/merge", body: `{"drop_id":{drop}}`, setup: mergePair, status: 200, want: `"contacts":1,"opportunities":0,"activities":1`},
			apiCase{name: "admin cannot merge an account into itself", as: "admin", method: "POST", path: "/api/v1/accounts/{eastAccount}/merge", body: `{"drop_id":{eastAccount}}`, status: 422, want: `"field":"drop_id"`},
			apiCase{name: "admin merging a made-up duplicate is refused on drop_id", as: "admin", method: "POST", path: "/api/v1/accounts/{eastAccount}/merge", body: `{"drop_id":999999}`, status: 422, want: `"field":"drop_id"`},
			apiCase{name: "senior cannot merge", as: "senior", method: "POST", path: "/api/v1/accounts/{keep}/merge", body: `{"drop_id":{drop}}`, setup: mergePair, status: 403, want: forbidden},
			apiCase{name: "eastMgr cannot merge their own rep's accounts", as: "eastMgr", method: "POST", path: "/api/v1/accounts/{keep}/merge", body: `{"drop_id":{drop}}`, setup: mergePair, status: 403, want: forbidden},
			apiCase{name: "eastRep cannot merge their own accounts", as: "eastRep", method: "POST", path: "/api/v1/accounts/{keep}/merge", body: `{"drop_id":{drop}}`, setup: mergePair, status: 403, want: forbidden},
			apiCase{name: "mkt cannot merge", as: "mkt", method: "POST", path: "/api/v1/accounts/{eastAccount}/merge", body: `{"drop_id":{westAccount}}`, status: 403, want: forbidden},
			anonymous("POST", "/api/v1/accounts/{eastAccount}/merge", `{"drop_id":{westAccount}}`),
		)},
		{"GET /api/v1/pools", cat(
			everyone("reads the company's pool rule", "GET", "/api/v1/pools", "", 200, same(`"return_days":30,"lockout_days":15`)),
			one(anonymous("GET", "/api/v1/pools", "")),
		)},
		{"PUT /api/v1/pools/{id}", one(
			apiCase{name: "admin sets the West's pool rule", as: "admin", method: "PUT", path: "/api/v1/pools/{west}", body: `{"return_days":20,"lockout_days":10}`, status: 200, want: `"return_days":20`},
			apiCase{name: "admin setting a made-up unit's rule finds it not found", as: "admin", method: "PUT", path: "/api/v1/pools/999999", body: `{"return_days":20,"lockout_days":10}`, status: 404, want: notFound},
			apiCase{name: "admin cannot return accounts after 0 days", as: "admin", method: "PUT", path: "/api/v1/pools/{west}", body: `{"return_days":0,"lockout_days":10}`, status: 422, want: `"field":"return_days"`},
			apiCase{name: "admin's stale version is a conflict naming who set the rule", as: "admin", method: "PUT", path: "/api/v1/pools/{west}", body: `{"return_days":31,"lockout_days":15,"version":7}`, status: 409, want: "admin"},
			apiCase{name: "senior sets the East's pool rule", as: "senior", method: "PUT", path: "/api/v1/pools/{east}", body: `{"return_days":45,"lockout_days":20}`, status: 200, want: `"lockout_days":20`},
			apiCase{name: "eastMgr sets their team's pool rule", as: "eastMgr", method: "PUT", path: "/api/v1/pools/{eastA}", body: `{"return_days":14,"lockout_days":7}`, status: 200, want: `"return_days":14`},
			apiCase{name: "eastMgr cannot set the company's pool rule", as: "eastMgr", method: "PUT", path: "/api/v1/pools/{company}", body: `{"return_days":14,"lockout_days":7}`, status: 403, want: forbidden},
			apiCase{name: "eastRep cannot set their team's pool rule", as: "eastRep", method: "PUT", path: "/api/v1/pools/{eastA}", body: `{"return_days":90,"lockout_days":0}`, status: 403, want: forbidden},
			apiCase{name: "mkt cannot set a pool rule", as: "mkt", method: "PUT", path: "/api/v1/pools/{company}", body: `{"return_days":90,"lockout_days":0}`, status: 403, want: forbidden},
			anonymous("PUT", "/api/v1/pools/{company}", `{"return_days":90,"lockout_days":0}`),
		)},
		{"GET /api/v1/contacts", one(
			apiCase{name: "admin sees West's contact", as: "admin", method: "GET", path: "/api/v1/contacts", status: 200, want: "Wang West"},
			apiCase{name: "senior sees West's contact", as: "senior", method: "GET", path: "/api/v1/contacts", status: 200, want: "Wang West"},
			apiCase{name: "eastMgr sees the East's contacts only", as: "eastMgr", method: "GET", path: "/api/v1/contacts", status: 200, want: "Zhang East", absent: []string{"Wang West", "West Energy"}},
			apiCase{name: "eastRep sees their own contacts only", as: "eastRep", method: "GET", path: "/api/v1/contacts", status: 200, want: "Zhang East", absent: []string{"Wang West", "West Energy"}},
			apiCase{name: "eastRep searching for West's contact finds nothing", as: "eastRep", method: "GET", path: "/api/v1/contacts?q=Wang", status: 200, want: empty},
			apiCase{name: "eastRep listing the contacts of West's account finds nothing", as: "eastRep", method: "GET", path: "/api/v1/contacts?account_id={westAccount}", status: 200, want: empty},
			apiCase{name: "mkt sees no contact", as: "mkt", method: "GET", path: "/api/v1/contacts", status: 200, want: empty},
			anonymous("GET", "/api/v1/contacts", ""),
		)},
		{"POST /api/v1/contacts", one(
			apiCase{name: "admin adds a contact to West's account", as: "admin", method: "POST", path: "/api/v1/contacts", body: `{"account_id":{westAccount},"name":"Admin Contact"}`, status: 201, want: `"account_name":"West Energy 西部能源"`},
			apiCase{name: "senior adds a contact to East's account", as: "senior", method: "POST", path: "/api/v1/contacts", body: `{"account_id":{eastAccount},"name":"Senior Contact"}`, status: 201, want: `"name":"Senior Contact"`},
			apiCase{name: "eastMgr adds a contact to their rep's account", as: "eastMgr", method: "POST", path: "/api/v1/contacts", body: `{"account_id":{eastAccount},"name":"Mgr Contact","email":"MGR@East.example.com"}`, status: 201, want: `"email":"mgr@east.example.com"`},
			apiCase{name: "eastMgr cannot add a contact to West's account", as: "eastMgr", method: "POST", path: "/api/v1/contacts", body: `{"account_id":{westAccount},"name":"Spy"}`, status: 422, want: `"field":"account_id"`},
			apiCase{name: "eastRep adds a contact to their own account", as: "eastRep", method: "POST", path: "/api/v1/contacts", body: `{"account_id":{eastAccount},"name":"Rep Contact","mobile":"+86 138 0000 0303"}`, status: 201, want: `"mobile":"13800000303"`},
			apiCase{name: "eastRep cannot add a contact to westRep's account", as: "eastRep", method: "POST", path: "/api/v1/contacts", body: `{"account_id":{westAccount},"name":"Spy"}`, status: 422, want: `"field":"account_id"`},
			apiCase{name: "eastRep must claim a pool account before adding contacts", as: "eastRep", method: "POST", path: "/api/v1/contacts", body: `{"account_id":{eastPool},"name":"Early bird"}`, status: 422, want: `"field":"account_id"`},
			apiCase{name: "mkt cannot add a contact", as: "mkt", method: "POST", path: "/api/v1/contacts", body: `{"account_id":{eastAccount},"name":"Marketer"}`, status: 403, want: forbidden},
			anonymous("POST", "/api/v1/contacts", `{"account_id":{eastAccount},"name":"Anon"}`),
		)},
		{"GET /api/v1/contacts/{id}", one(
			apiCase{name: "admin reads West's contact", as: "admin", method: "GET", path: "/api/v1/contacts/{westContact}", status: 200, want: "Wang West"},
			apiCase{name: "senior reads West's contact", as: "senior", method: "GET", path: "/api/v1/contacts/{westContact}", status: 200, want: "Wang West"},
			apiCase{name: "eastMgr reads their rep's contact", as: "eastMgr", method: "GET", path: "/api/v1/contacts/{eastContact}", status: 200, want: "Zhang East"},
			apiCase{name: "eastMgr reads West's contact as not found", as: "eastMgr", method: "GET", path: "/api/v1/contacts/{westContact}", status: 404, want: notFound},
			apiCase{name: "eastRep reads their own contact", as: "eastRep", method: "GET", path: "/api/v1/contacts/{eastContact}", status: 200, want: "Zhang East"},
			apiCase{name: "eastRep deep-linking westRep's contact finds it not found", as: "eastRep", method: "GET", path: "/api/v1/contacts/{westContact}", status: 404, want: notFound, absent: []string{"Wang West"}},
			apiCase{name: "mkt reads East's contact as not found", as: "mkt", method: "GET", path: "/api/v1/contacts/{eastContact}", status: 404, want: notFound},
			anonymous("GET", "/api/v1/contacts/{eastContact}", ""),
		)},
		{"PUT /api/v1/contacts/{id}", one(
			apiCase{name: "admin replaces West's contact", as: "admin", method: "PUT", path: "/api/v1/contacts/{westContact}", body: `{"name":"Wang West","title":"CEO","version":{v}}`, setup: versionOf("/api/v1/contacts/{westContact}"), status: 200, want: `"title":"CEO"`},
			apiCase{name: "senior replaces East's contact", as: "senior", method: "PUT", path: "/api/v1/contacts/{eastContact}", body: `{"name":"Zhang East","title":"COO","version":{v}}`, setup: versionOf("/api/v1/contacts/{eastContact}"), status: 200, want: `"title":"COO"`},
			apiCase{name: "eastMgr replaces their rep's contact", as: "eastMgr", method: "PUT", path: "/api/v1/contacts/{eastContact}", body: `{"name":"Zhang East","title":"CFO","version":{v}}`, setup: versionOf("/api/v1/contacts/{eastContact}"), status: 200, want: `"title":"CFO"`},
			apiCase{name: "eastMgr replacing West's contact finds it not found", as: "eastMgr", method: "PUT", path: "/api/v1/contacts/{westContact}", body: `{"name":"X","version":{v}}`, setup: versionOf("/api/v1/contacts/{westContact}"), status: 404, want: notFound},
			apiCase{name: "eastRep's stale write is told eastMgr changed the contact", as: "eastRep", method: "PUT", path: "/api/v1/contacts/{eastContact}", body: `{"name":"Zhang East","version":1}`, status: 409, want: "eastMgr"},
			apiCase{name: "eastRep replaces their own contact", as: "eastRep", method: "PUT", path: "/api/v1/contacts/{eastContact}", body: `{"name":"Zhang East","title":"CTO","version":{v}}`, setup: versionOf("/api/v1/contacts/{eastContact}"), status: 200, want: `"title":"CTO"`},
			apiCase{name: "eastRep cannot move their contact to westRep's account", as: "eastRep", method: "PUT", path: "/api/v1/contacts/{eastContact}", body: `{"account_id":{westAccount},"name":"Zhang East","version":{v}}`, setup: versionOf("/api/v1/contacts/{eastContact}"), status: 422, want: `"field":"account_id"`},
			apiCase{name: "eastRep replacing westRep's contact finds it not found", as: "eastRep", method: "PUT", path: "/api/v1/contacts/{westContact}", body: `{"name":"X","version":{v}}`, setup: versionOf("/api/v1/contacts/{westContact}"), status: 404, want: notFound},
			apiCase{name: "mkt replacing East's contact finds it not found", as: "mkt", method: "PUT", path: "/api/v1/contacts/{eastContact}", body: `{"name":"X","version":{v}}`, setup: versionOf("/api/v1/contacts/{eastContact}"), status: 404, want: notFound},
			anonymous("PUT", "/api/v1/contacts/{eastContact}", `{"name":"X","version":1}`),
		)},
		{"GET /api/v1/leads", one(
			apiCase{name: "admin sees West's lead", as: "admin", method: "GET", path: "/api/v1/leads", status: 200, want: "West Lead Works"},
			apiCase{name: "senior sees West's lead", as: "senior", method: "GET", path: "/api/v1/leads", status: 200, want: "West Lead Works"},
			apiCase{name: "eastMgr sees the East's leads only", as: "eastMgr", method: "GET", path: "/api/v1/leads", status: 200, want: "East Lead Works", absent: []string{"West Lead", "westRep"}},
			apiCase{name: "eastRep sees their own leads only", as: "eastRep", method: "GET", path: "/api/v1/leads", status: 200, want: "East Lead Works", absent: []string{"West Lead", "westRep"}},
			apiCase{name: "eastRep searching for West's lead finds nothing", as: "eastRep", method: "GET", path: "/api/v1/leads?q=West", status: 200, want: empty},
			apiCase{name: "mkt sees no lead", as: "mkt", method: "GET", path: "/api/v1/leads", status: 200, want: empty},
			anonymous("GET", "/api/v1/leads", ""),
		)},
		{"POST /api/v1/leads", one(
			apiCase{name: "admin gives a lead to westRep", as: "admin", method: "POST", path: "/api/v1/leads", body: `{"company":"Admin Lead","owner_id":{westRep}}`, status: 201, want: `"owner_name":"westRep"`},
			apiCase{name: "admin, who sells nothing, must name an owner", as: "admin", method: "POST", path: "/api/v1/leads", body: `{"company":"Ownerless Lead"}`, status: 422, want: `"field":"owner_id"`},
			apiCase{name: "senior takes a lead themselves", as: "senior", method: "POST", path: "/api/v1/leads", body: `{"company":"Senior Lead"}`, status: 201, want: `"owner_name":"senior"`},
			apiCase{name: "eastMgr gives a lead to their rep", as: "eastMgr", method: "POST", path: "/api/v1/leads", body: `{"company":"Mgr Lead","owner_id":{eastRep}}`, status: 201, want: `"owner_name":"eastRep"`},
			apiCase{name: "eastMgr cannot give a lead to westRep", as: "eastMgr", method: "POST", path: "/api/v1/leads", body: `{"company":"Mgr Lead 2","owner_id":{westRep}}`, status: 422, want: `"field":"owner_id"`},
			apiCase{name: "eastRep takes a lead", as: "eastRep", method: "POST", path: "/api/v1/leads", body: `{"company":"Rep Lead","phone":"13900000303"}`, status: 201, want: `"status":"new"`},
			apiCase{name: "eastRep cannot give a lead to westRep", as: "eastRep", method: "POST", path: "/api/v1/leads", body: `{"company":"Rep Lead 2","owner_id":{westRep}}`, status: 422, want: `"field":"owner_id"`},
			apiCase{name: "mkt cannot take a lead", as: "mkt", method: "POST", path: "/api/v1/leads", body: `{"company":"Marketing Lead"}`, status: 403, want: forbidden},
			anonymous("POST", "/api/v1/leads", `{"company":"Anon Lead"}`),
		)},
		{"GET /api/v1/leads/{id}", one(
			apiCase{name: "admin reads West's lead", as: "admin", method: "GET", path: "/api/v1/leads/{westLead}", status: 200, want: "West Lead Works"},
			apiCase{name: "senior reads West's lead", as: "senior", method: "GET", path: "/api/v1/leads/{westLead}", status: 200, want: "West Lead Works"},
			apiCase{name: "eastMgr reads their rep's lead", as: "eastMgr", method: "GET", path: "/api/v1/leads/{eastLead}", status: 200, want: "East Lead Works"},
			apiCase{name: "eastMgr reads West's lead as not found", as: "eastMgr", method: "GET", path: "/api/v1/leads/{westLead}", status: 404, want: notFound},
			apiCase{name: "eastRep reads their own lead", as: "eastRep", method: "GET", path: "/api/v1/leads/{eastLead}", status: 200, want: "East Lead Works"},
			apiCase{name: "eastRep deep-linking westRep's lead finds it not found", as: "eastRep", method: "GET", path: "/api/v1/leads/{westLead}", status: 404, want: notFound},
			apiCase{name: "mkt reads East's lead as not found", as: "mkt", method: "GET", path: "/api/v1/leads/{eastLead}", status: 404, want: notFound},
			anonymous("GET", "/api/v1/leads/{eastLead}", ""),
		)},
		{"PUT /api/v1/leads/{id}", one(
			apiCase{name: "admin works West's lead", as: "admin", method: "PUT", path: "/api/v1/leads/{westLead}", body: `{"company":"West Lead Works","status":"working","version":{v}}`, setup: versionOf("/api/v1/leads/{westLead}"), status: 200, want: `"status":"working"`},
			apiCase{name: "senior works East's lead", as: "senior", method: "PUT", path: "/api/v1/leads/{eastLead}", body: `{"company":"East Lead Works","status":"working","version":{v}}`, setup: versionOf("/api/v1/leads/{eastLead}"), status: 200, want: `"status":"working"`},
			apiCase{name: "eastMgr works their rep's lead", as: "eastMgr", method: "PUT", path: "/api/v1/leads/{eastLead}", body: `{"company":"East Lead Works","source":"Referral","version":{v}}`, setup: versionOf("/api/v1/leads/{eastLead}"), status: 200, want: `"source":"Referral"`},
			apiCase{name: "eastMgr working West's lead finds it not found", as: "eastMgr", method: "PUT", path: "/api/v1/leads/{westLead}", body: `{"company":"X","version":{v}}`, setup: versionOf("/api/v1/leads/{westLead}"), status: 404, want: notFound},
			apiCase{name: "eastRep works their own lead", as: "eastRep", method: "PUT", path: "/api/v1/leads/{eastLead}", body: `{"company":"East Lead Works","status":"disqualified","version":{v}}`, setup: versionOf("/api/v1/leads/{eastLead}"), status: 200, want: `"status":"disqualified"`},
			apiCase{name: "eastRep cannot mark a lead converted by hand", as: "eastRep", method: "PUT", path: "/api/v1/leads/{eastLead}", body: `{"company":"East Lead Works","status":"converted","version":{v}}`, setup: versionOf("/api/v1/leads/{eastLead}"), status: 422, want: `"field":"status"`},
			apiCase{name: "eastRep working westRep's lead finds it not found", as: "eastRep", method: "PUT", path: "/api/v1/leads/{westLead}", body: `{"company":"X","version":{v}}`, setup: versionOf("/api/v1/leads/{westLead}"), status: 404, want: notFound},
			apiCase{name: "mkt working East's lead finds it not found", as: "mkt", method: "PUT", path: "/api/v1/leads/{eastLead}", body: `{"company":"X","version":{v}}`, setup: versionOf("/api/v1/leads/{eastLead}"), status: 404, want: notFound},
			anonymous("PUT", "/api/v1/leads/{eastLead}", `{"company":"X","version":1}`),
		)},
		{"POST /api/v1/leads/{id}/convert", one(
			apiCase{name: "admin converts westRep's lead with an opportunity", as: "admin", method: "POST", path: "/api/v1/leads/{new}/convert", body: `{"version":{v},"opportunity":{"name":"From the lead","stage_id":{qualification},"amount":300000}}`, setup: newLeadOf("westRep", ""), status: 200, want: `"converted_opportunity_id"`},
			apiCase{name: "senior converts westRep's lead", as: "senior", method: "POST", path: "/api/v1/leads/{new}/convert", body: `{"version":{v}}`, setup: newLeadOf("westRep", ""), status: 200, want: `"status":"converted"`},
			apiCase{name: "eastMgr converts their rep's lead", as: "eastMgr", method: "POST", path: "/api/v1/leads/{new}/convert", body: `{"version":{v}}`, setup: newLeadOf("eastRep", ""), status: 200, want: `"converted_contact_id"`},
			apiCase{name: "eastMgr converting West's lead finds it not found", as: "eastMgr", method: "POST", path: "/api/v1/leads/{westLead}/convert", body: `{"version":1}`, status: 404, want: notFound},
			apiCase{name: "eastRep converts their own lead into an account", as: "eastRep", method: "POST", path: "/api/v1/leads/{new}/convert", body: `{"version":{v}}`, setup: newLeadOf("eastRep", ""), status: 200, want: `"converted_account_id"`},
			apiCase{name: "eastRep converting a lead for West's customer is told westRep owns it", as: "eastRep", method: "POST", path: "/api/v1/leads/{new}/convert", body: `{"version":{v}}`, setup: newLeadOf("eastRep", "WEST ENERGY 西部能源"), status: 409, want: "westRep"},
			apiCase{name: "eastRep converting with a stale version is a conflict", as: "eastRep", method: "POST", path: "/api/v1/leads/{new}/convert", body: `{"version":9}`, setup: newLeadOf("eastRep", ""), status: 409, want: conflict},
			apiCase{name: "eastRep converting westRep's lead finds it not found", as: "eastRep", method: "POST", path: "/api/v1/leads/{westLead}/convert", body: `{"version":1}`, status: 404, want: notFound},
			apiCase{name: "mkt converting East's lead finds it not found", as: "mkt", method: "POST", path: "/api/v1/leads/{eastLead}/convert", body: `{"version":1}`, status: 404, want: notFound},
			anonymous("POST", "/api/v1/leads/{eastLead}/convert", `{"version":1}`),
		)},
		{"GET /api/v1/products", cat(
			everyone("reads the catalogue", "GET", "/api/v1/products", "", 200, same(`"code":"EP-1"`)),
			one(anonymous("GET", "/api/v1/products", "")),
		)},
		{"POST /api/v1/products", cat(
			one(
				apiCase{name: "admin adds a product", as: "admin", method: "POST", path: "/api/v1/products", body: `{"code":"EP-2","name":"Echelon Lite","list_price":99900}`, status: 201, want: `"currency":"CNY"`},
				apiCase{name: "admin cannot add a negative price", as: "admin", method: "POST", path: "/api/v1/products", body: `{"code":"EP-3","name":"Refund","list_price":-1}`, status: 422, want: `"field":"list_price"`},
				apiCase{name: "admin cannot reuse a product code", as: "admin", method: "POST", path: "/api/v1/products", body: `{"code":"EP-1","name":"Again","list_price":1}`, status: 422, want: `"field":"code"`},
			),
			nonAdmins("cannot add a product", "POST", "/api/v1/products", `{"code":"EP-9","name":"Mine","list_price":1}`),
			one(anonymous("POST", "/api/v1/products", `{"code":"EP-9","name":"Mine","list_price":1}`)),
		)},
		{"PUT /api/v1/products/{id}", cat(
			one(
				apiCase{name: "admin reprices a product", as: "admin", method: "PUT", path: "/api/v1/products/{product}", body: `{"code":"EP-1","name":"Echelon Pro","list_price":1300000}`, status: 200, want: `"list_price":1300000`},
				apiCase{name: "admin's stale version is a conflict", as: "admin", method: "PUT", path: "/api/v1/products/{product}", body: `{"code":"EP-1","name":"Echelon Pro","list_price":1,"version":99}`, status: 409, want: conflict},
				apiCase{name: "admin replacing a made-up product finds it not found", as: "admin", method: "PUT", path: "/api/v1/products/999999", body: `{"code":"EP-8","name":"Ghost","list_price":1}`, status: 404, want: notFound},
			),
			nonAdmins("cannot change a product", "PUT", "/api/v1/products/{product}", `{"code":"EP-1","name":"Cheap","list_price":1}`),
			one(anonymous("PUT", "/api/v1/products/{product}", `{"code":"EP-1","name":"Cheap","list_price":1}`)),
		)},
		{"GET /api/v1/stages", cat(
			everyone("reads the pipeline", "GET", "/api/v1/stages", "", 200, same(`"code":"prospecting"`)),
			one(anonymous("GET", "/api/v1/stages", "")),
		)},
		{"POST /api/v1/stages", cat(
			one(
				apiCase{name: "admin adds a stage", as: "admin", method: "POST", path: "/api/v1/stages", body: `{"code":"demo","name_zh":"产品演示","name_en":"Demo","probability":40,"position":25}`, status: 201, want: `"outcome":"open"`},
				apiCase{name: "admin cannot set a probability over 100", as: "admin", method: "POST", path: "/api/v1/stages", body: `{"code":"sure","name_zh":"稳了","name_en":"Sure","probability":101,"position":45}`, status: 422, want: `"field":"probability"`},
			),
			nonAdmins("cannot add a stage", "POST", "/api/v1/stages", `{"code":"mine","name_zh":"我的","name_en":"Mine","probability":50,"position":35}`),
			one(anonymous("POST", "/api/v1/stages", `{"code":"mine","name_zh":"我的","name_en":"Mine","probability":50,"position":35}`)),
		)},
		{"PUT /api/v1/stages/{id}", cat(
			one(
				apiCase{name: "admin renames a stage", as: "admin", method: "PUT", path: "/api/v1/stages/{proposal}", body: `{"code":"proposal","name_zh":"方案报价","name_en":"Proposal and quote","probability":55,"position":30}`, status: 200, want: `"name_en":"Proposal and quote"`},
				apiCase{name: "admin cannot change the outcome of a stage in use", as: "admin", method: "PUT", path: "/api/v1/stages/{prospecting}", body: `{"code":"prospecting","name_zh":"初步接洽","name_en":"Prospecting","probability":10,"position":10,"outcome":"won"}`, status: 422, want: `"field":"outcome"`},
				apiCase{name: "admin replacing a made-up stage finds it not found", as: "admin", method: "PUT", path: "/api/v1/stages/999999", body: `{"code":"ghost","name_zh":"无","name_en":"Ghost","probability":1,"position":1}`, status: 404, want: notFound},
			),
			nonAdmins("cannot change a stage", "PUT", "/api/v1/stages/{proposal}", `{"code":"proposal","name_zh":"方案","name_en":"Mine","probability":99,"position":30}`),
			one(anonymous("PUT", "/api/v1/stages/{proposal}", `{"code":"proposal","name_zh":"方案","name_en":"Mine","probability":99,"position":30}`)),
		)},
		{"GET /api/v1/opportunities", one(
			apiCase{name: "admin sees West's opportunity", as: "admin", method: "GET", path: "/api/v1/opportunities", status: 200, want: "West Energy turbine"},
			apiCase{name: "admin with an impossible close date is a bad request", as: "admin", method: "GET", path: "/api/v1/opportunities?closing_from=2026-13-01", status: 400, want: `"field":"closing_from"`},
			apiCase{name: "senior sees West's opportunity", as: "senior", method: "GET", path: "/api/v1/opportunities", status: 200, want: "West Energy turbine"},
			apiCase{name: "eastMgr sees the East's opportunities only", as: "eastMgr", method: "GET", path: "/api/v1/opportunities", status: 200, want: "East Precision line", absent: []string{"West Energy", "westRep"}},
			apiCase{name: "eastRep sees their own opportunities only", as: "eastRep", method: "GET", path: "/api/v1/opportunities", status: 200, want: "East Precision line", absent: []string{"West Energy", "westRep"}},
			apiCase{name: "eastRep searching for West's deal finds nothing", as: "eastRep", method: "GET", path: "/api/v1/opportunities?q=turbine", status: 200, want: empty},
			apiCase{name: "eastRep filtering by West's account finds nothing", as: "eastRep", method: "GET", path: "/api/v1/opportunities?account_id={westAccount}", status: 200, want: empty},
			apiCase{name: "mkt sees no opportunity", as: "mkt", method: "GET", path: "/api/v1/opportunities", status: 200, want: empty},
			anonymous("GET", "/api/v1/opportunities", ""),
		)},
		{"POST /api/v1/opportunities", one(
			apiCase{name: "admin opens a deal for westRep", as: "admin", method: "POST", path: "/api/v1/opportunities", body: `{"name":"Admin deal","owner_id":{westRep},"account_id":{westAccount},"stage_id":{prospecting},"amount":100000}`, status: 201, want: `"owner_name":"westRep"`},
			apiCase{name: "senior opens a deal of their own", as: "senior", method: "POST", path: "/api/v1/opportunities", body: `{"name":"Senior deal","stage_id":{qualification},"amount":500000}`, status: 201, want: `"probability":30`},
			apiCase{name: "eastMgr opens a deal for their rep", as: "eastMgr", method: "POST", path: "/api/v1/opportunities", body: `{"name":"Mgr deal","owner_id":{eastRep},"account_id":{eastAccount},"stage_id":{prospecting}}`, status: 201, want: `"owner_name":"eastRep"`},
			apiCase{name: "eastMgr cannot open a deal on West's account", as: "eastMgr", method: "POST", path: "/api/v1/opportunities", body: `{"name":"Poach","account_id":{westAccount},"stage_id":{prospecting}}`, status: 422, want: `"field":"account_id"`},
			apiCase{name: "eastRep opens a deal with a product line", as: "eastRep", method: "POST", path: "/api/v1/opportunities", body: `{"name":"Rep deal","account_id":{eastAccount},"stage_id":{prospecting},"lines":[{"product_id":{product},"quantity":3,"unit_price":1000000}]}`, status: 201, want: `"amount":3000000`},
			apiCase{name: "eastRep cannot open a deal on westRep's account", as: "eastRep", method: "POST", path: "/api/v1/opportunities", body: `{"name":"Poach","account_id":{westAccount},"stage_id":{prospecting}}`, status: 422, want: `"field":"account_id"`},
			apiCase{name: "eastRep cannot open a deal on an unclaimed pool account", as: "eastRep", method: "POST", path: "/api/v1/opportunities", body: `{"name":"Early","account_id":{eastPool},"stage_id":{prospecting}}`, status: 422, want: `"field":"account_id"`},
			apiCase{name: "eastRep cannot open a deal for westRep", as: "eastRep", method: "POST", path: "/api/v1/opportunities", body: `{"name":"Gift","owner_id":{westRep},"stage_id":{prospecting}}`, status: 422, want: `"field":"owner_id"`},
			apiCase{name: "eastRep cannot enter a negative amount", as: "eastRep", method: "POST", path: "/api/v1/opportunities", body: `{"name":"Refund","stage_id":{prospecting},"amount":-100}`, status: 422, want: `"field":"amount"`},
			apiCase{name: "eastRep cannot use an unknown stage", as: "eastRep", method: "POST", path: "/api/v1/opportunities", body: `{"name":"Limbo","stage_id":999999}`, status: 422, want: `"field":"stage_id"`},
			apiCase{name: "eastRep cannot close a deal before it started", as: "eastRep", method: "POST", path: "/api/v1/opportunities", body: `{"name":"Time travel","stage_id":{won},"amount":1,"engaged_on":"2025-06-01","closed_on":"2025-05-01"}`, status: 422, want: `"field":"closed_on"`},
			apiCase{name: "eastRep with malformed JSON is a bad request", as: "eastRep", method: "POST", path: "/api/v1/opportunities", body: `{"name":`, status: 400, want: `"code":"invalid"`},
			apiCase{name: "mkt cannot open a deal", as: "mkt", method: "POST", path: "/api/v1/opportunities", body: `{"name":"Campaign","stage_id":{prospecting}}`, status: 403, want: forbidden},
			anonymous("POST", "/api/v1/opportunities", `{"name":"Anon","stage_id":1}`),
		)},
		// Each rep has one deal of 24,000.00 CNY in prospecting.
		{"GET /api/v1/opportunities/stage-totals", one(
			apiCase{name: "admin sums both reps' deals", as: "admin", method: "GET", path: "/api/v1/opportunities/stage-totals", status: 200, want: `"currency":"CNY","count":2,"amount":4800000`},
			apiCase{name: "admin sums westRep's deals", as: "admin", method: "GET", path: "/api/v1/opportunities/stage-totals?owner_id={westRep}", status: 200, want: `"count":1,"amount":2400000`},
			apiCase{name: "admin with deals closing after 2032 finds none", as: "admin", method: "GET", path: "/api/v1/opportunities/stage-totals?closing_from=2032-01-01", status: 200, want: empty},
			apiCase{name: "admin with an impossible close date is a bad request", as: "admin", method: "GET", path: "/api/v1/opportunities/stage-totals?closing_to=2026-02-30", status: 400, want: `"field":"closing_to"`},
			apiCase{name: "senior sums both reps' deals", as: "senior", method: "GET", path: "/api/v1/opportunities/stage-totals", status: 200, want: `"count":2,"amount":4800000`},
			apiCase{name: "eastMgr sums the East's deal only", as: "eastMgr", method: "GET", path: "/api/v1/opportunities/stage-totals", status: 200, want: `"count":1,"amount":2400000`, absent: []string{`"count":2`}},
			apiCase{name: "eastRep sums their own deal only", as: "eastRep", method: "GET", path: "/api/v1/opportunities/stage-totals", status: 200, want: `"count":1,"amount":2400000`, absent: []string{`"count":2`}},
			apiCase{name: "eastRep filtering by westRep sums nothing", as: "eastRep", method: "GET", path: "/api/v1/opportunities/stage-totals?owner_id={westRep}", status: 200, want: empty},
			apiCase{name: "mkt sums nothing", as: "mkt", method: "GET", path: "/api/v1/opportunities/stage-totals", status: 200, want: empty},
			anonymous("GET", "/api/v1/opportunities/stage-totals", ""),
		)},
		{"GET /api/v1/opportunities/{id}", one(
			apiCase{name: "admin reads West's opportunity with its lines", as: "admin", method: "GET", path: "/api/v1/opportunities/{westOpp}", status: 200, want: `"product_name":"Echelon Pro"`},
			apiCase{name: "senior reads West's opportunity", as: "senior", method: "GET", path: "/api/v1/opportunities/{westOpp}", status: 200, want: "West Energy turbine"},
			apiCase{name: "eastMgr reads their rep's opportunity", as: "eastMgr", method: "GET", path: "/api/v1/opportunities/{eastOpp}", status: 200, want: "East Precision line"},
			apiCase{name: "eastMgr reads West's opportunity as not found", as: "eastMgr", method: "GET", path: "/api/v1/opportunities/{westOpp}", status: 404, want: notFound},
			apiCase{name: "eastRep reads their own opportunity", as: "eastRep", method: "GET", path: "/api/v1/opportunities/{eastOpp}", status: 200, want: "East Precision line"},
			apiCase{name: "eastRep deep-linking westRep's opportunity finds it not found", as: "eastRep", method: "GET", path: "/api/v1/opportunities/{westOpp}", status: 404, want: notFound, absent: []string{"turbine"}},
			apiCase{name: "mkt reads East's opportunity as not found", as: "mkt", method: "GET", path: "/api/v1/opportunities/{eastOpp}", status: 404, want: notFound},
			anonymous("GET", "/api/v1/opportunities/{eastOpp}", ""),
		)},
		{"PATCH /api/v1/opportunities/{id}", one(
			apiCase{name: "admin moves West's deal on", as: "admin", method: "PATCH", path: "/api/v1/opportunities/{westOpp}", body: `{"stage_id":{qualification},"version":{v}}`, setup: versionOf("/api/v1/opportunities/{westOpp}"), status: 200, want: `"stage_code":"qualification"`},
			apiCase{name: "senior moves East's deal on", as: "senior", method: "PATCH", path: "/api/v1/opportunities/{eastOpp}", body: `{"stage_id":{qualification},"version":{v}}`, setup: versionOf("/api/v1/opportunities/{eastOpp}"), status: 200, want: `"probability":30`},
			apiCase{name: "eastMgr moves their rep's deal on", as: "eastMgr", method: "PATCH", path: "/api/v1/opportunities/{eastOpp}", body: `{"stage_id":{proposal},"version":{v}}`, setup: versionOf("/api/v1/opportunities/{eastOpp}"), status: 200, want: `"stage_code":"proposal"`},
			apiCase{name: "eastMgr moving West's deal finds it not found", as: "eastMgr", method: "PATCH", path: "/api/v1/opportunities/{westOpp}", body: `{"amount":1,"version":{v}}`, setup: versionOf("/api/v1/opportunities/{westOpp}"), status: 404, want: notFound},
			apiCase{name: "eastRep's stale write is told eastMgr changed the deal", as: "eastRep", method: "PATCH", path: "/api/v1/opportunities/{eastOpp}", body: `{"amount":1,"version":1}`, status: 409, want: "eastMgr"},
			apiCase{name: "eastRep raises their own deal's amount", as: "eastRep", method: "PATCH", path: "/api/v1/opportunities/{eastOpp}", body: `{"amount":9900000,"version":{v}}`, setup: versionOf("/api/v1/opportunities/{eastOpp}"), status: 200, want: `"amount":9900000`},
			apiCase{name: "eastRep must say why a deal was lost", as: "eastRep", method: "PATCH", path: "/api/v1/opportunities/{eastOpp}", body: `{"stage_id":{lost},"version":{v}}`, setup: versionOf("/api/v1/opportunities/{eastOpp}"), status: 422, want: `"field":"lost_reason"`},
			apiCase{name: "eastRep moving westRep's deal finds it not found", as: "eastRep", method: "PATCH", path: "/api/v1/opportunities/{westOpp}", body: `{"amount":1,"version":{v}}`, setup: versionOf("/api/v1/opportunities/{westOpp}"), status: 404, want: notFound},
			apiCase{name: "mkt moving East's deal finds it not found", as: "mkt", method: "PATCH", path: "/api/v1/opportunities/{eastOpp}", body: `{"amount":1,"version":{v}}`, setup: versionOf("/api/v1/opportunities/{eastOpp}"), status: 404, want: notFound},
			anonymous("PATCH", "/api/v1/opportunities/{eastOpp}", `{"amount":1,"version":1}`),
		)},
		{"GET /api/v1/opportunities/{id}/stage-history", one(
			apiCase{name: "admin reads West's deal's stages", as: "admin", method: "GET", path: "/api/v1/opportunities/{westOpp}/stage-history", status: 200, want: `"changed_by":"westRep"`},
			apiCase{name: "senior reads West's deal's stages", as: "senior", method: "GET", path: "/api/v1/opportunities/{westOpp}/stage-history", status: 200, want: `"to_stage_id"`},
			apiCase{name: "eastMgr reads their rep's deal's stages", as: "eastMgr", method: "GET", path: "/api/v1/opportunities/{eastOpp}/stage-history", status: 200, want: `"changed_by":"eastRep"`},
			apiCase{name: "eastMgr reads West's deal's stages as not found", as: "eastMgr", method: "GET", path: "/api/v1/opportunities/{westOpp}/stage-history", status: 404, want: notFound},
			apiCase{name: "eastRep reads their own deal's stages", as: "eastRep", method: "GET", path: "/api/v1/opportunities/{eastOpp}/stage-history", status: 200, want: `"to_stage_id"`},
			apiCase{name: "eastRep reads westRep's deal's stages as not found", as: "eastRep", method: "GET", path: "/api/v1/opportunities/{westOpp}/stage-history", status: 404, want: notFound},
			apiCase{name: "mkt reads East's deal's stages as not found", as: "mkt", method: "GET", path: "/api/v1/opportunities/{eastOpp}/stage-history", status: 404, want: notFound},
			anonymous("GET", "/api/v1/opportunities/{eastOpp}/stage-history", ""),
		)},
		{"GET /api/v1/activities", one(
			apiCase{name: "admin sees West's activity", as: "admin", method: "GET", path: "/api/v1/activities", status: 200, want: "Intro call West"},
			apiCase{name: "admin with a malformed time is a bad request", as: "admin", method: "GET", path: "/api/v1/activities?from=yesterday", status: 400, want: `"field":"from"`},
			apiCase{name: "senior sees West's activity", as: "senior", method: "GET", path: "/api/v1/activities", status: 200, want: "Intro call West"},
			apiCase{name: "eastMgr sees the East's activities only", as: "eastMgr", method: "GET", path: "/api/v1/activities", status: 200, want: "Intro call East", absent: []string{"Intro call West", "westRep"}},
			apiCase{name: "eastRep sees their own activities only", as: "eastRep", method: "GET", path: "/api/v1/activities", status: 200, want: "Intro call East", absent: []string{"Intro call West", "westRep"}},
			apiCase{name: "eastRep filtering by West's account finds nothing", as: "eastRep", method: "GET", path: "/api/v1/activities?account_id={westAccount}", status: 200, want: empty},
			apiCase{name: "mkt sees no activity", as: "mkt", method: "GET", path: "/api/v1/activities", status: 200, want: empty},
			anonymous("GET", "/api/v1/activities", ""),
		)},
		{"POST /api/v1/activities", one(
			apiCase{name: "admin, who sells nothing, cannot log an activity", as: "admin", method: "POST", path: "/api/v1/activities", body: `{"kind":"note","subject":"Admin note","at":"2026-01-05T10:00:00+08:00"}`, status: 403, want: forbidden},
			apiCase{name: "senior logs a meeting on West's account", as: "senior", method: "POST", path: "/api/v1/activities", body: `{"kind":"meeting","subject":"Senior review","at":"2026-01-05T10:00:00+08:00","account_id":{westAccount}}`, status: 201, want: `"owner_name":"senior"`},
			apiCase{name: "eastMgr logs a visit with their rep's customer", as: "eastMgr", method: "POST", path: "/api/v1/activities", body: `{"kind":"visit","subject":"Coaching visit","at":"2026-01-05T10:00:00+08:00","account_id":{eastAccount}}`, status: 201, want: `"account_name":"East Precision 东方精密"`},
			apiCase{name: "eastMgr cannot log on West's account", as: "eastMgr", method: "POST", path: "/api/v1/activities", body: `{"kind":"visit","subject":"Spy","at":"2026-01-05T10:00:00+08:00","account_id":{westAccount}}`, status: 422, want: `"field":"account_id"`},
			apiCase{name: "eastRep logs a call on their deal", as: "eastRep", method: "POST", path: "/api/v1/activities", body: `{"kind":"call","subject":"Follow-up","at":"2026-01-05T10:00:00+08:00","opportunity_id":{eastOpp},"next_step":"Demo"}`, status: 201, want: `"opportunity_name":"East Precision line"`},
			apiCase{name: "eastRep cannot log on westRep's deal", as: "eastRep", method: "POST", path: "/api/v1/activities", body: `{"kind":"call","subject":"Spy","at":"2026-01-05T10:00:00+08:00","opportunity_id":{westOpp}}`, status: 422, want: `"field":"opportunity_id"`},
			apiCase{name: "eastRep cannot log with westRep's contact", as: "eastRep", method: "POST", path: "/api/v1/activities", body: `{"kind":"call","subject":"Spy","at":"2026-01-05T10:00:00+08:00","contact_id":{westContact}}`, status: 422, want: `"field":"contact_id"`},
			apiCase{name: "eastRep cannot log a fax", as: "eastRep", method: "POST", path: "/api/v1/activities", body: `{"kind":"fax","subject":"Old school","at":"2026-01-05T10:00:00+08:00"}`, status: 422, want: `"field":"kind"`},
			apiCase{name: "eastRep must say when", as: "eastRep", method: "POST", path: "/api/v1/activities", body: `{"kind":"call","subject":"Whenever"}`, status: 422, want: `"field":"at"`},
			apiCase{name: "mkt cannot log an activity", as: "mkt", method: "POST", path: "/api/v1/activities", body: `{"kind":"email","subject":"Newsletter","at":"2026-01-05T10:00:00+08:00"}`, status: 403, want: forbidden},
			anonymous("POST", "/api/v1/activities", `{"kind":"call","subject":"Anon","at":"2026-01-05T10:00:00+08:00"}`),
		)},
		// Each rep's seeded call has a next step that was due yesterday.
		{"GET /api/v1/activities/due", one(
			apiCase{name: "admin sees West's due next step", as: "admin", method: "GET", path: "/api/v1/activities/due", status: 200, want: "Intro call West"},
			apiCase{name: "admin sees nothing due before 2000", as: "admin", method: "GET", path: "/api/v1/activities/due?before=2000-01-01T00:00:00Z", status: 200, want: empty},
			apiCase{name: "admin with a date instead of a time is a bad request", as: "admin", method: "GET", path: "/api/v1/activities/due?before=2026-01-05", status: 400, want: `"field":"before"`},
			apiCase{name: "senior sees West's due next step", as: "senior", method: "GET", path: "/api/v1/activities/due", status: 200, want: "Intro call West"},
			apiCase{name: "eastMgr sees the East's due next steps only", as: "eastMgr", method: "GET", path: "/api/v1/activities/due", status: 200, want: "Intro call East", absent: []string{"Intro call West", "westRep"}},
			apiCase{name: "eastRep sees their own due next steps only", as: "eastRep", method: "GET", path: "/api/v1/activities/due", status: 200, want: `"next_step":"Send a quote"`, absent: []string{"Intro call West", "westRep"}},
			apiCase{name: "mkt sees nothing due", as: "mkt", method: "GET", path: "/api/v1/activities/due", status: 200, want: empty},
			anonymous("GET", "/api/v1/activities/due", ""),
		)},
		{"PUT /api/v1/activities/{id}", one(
			apiCase{name: "admin corrects West's activity", as: "admin", method: "PUT", path: "/api/v1/activities/{westActivity}", body: `{"kind":"call","subject":"Intro call West (corrected)","at":"2026-01-05T10:00:00+08:00","account_id":{westAccount},"version":{v}}`, setup: activityVersion("west"), status: 200, want: "corrected"},
			apiCase{name: "senior corrects East's activity", as: "senior", method: "PUT", path: "/api/v1/activities/{eastActivity}", body: `{"kind":"call","subject":"Intro call East","at":"2026-01-05T10:00:00+08:00","outcome":"Senior note","account_id":{eastAccount},"version":{v}}`, setup: activityVersion("east"), status: 200, want: `"outcome":"Senior note"`},
			apiCase{name: "eastMgr corrects their rep's activity", as: "eastMgr", method: "PUT", path: "/api/v1/activities/{eastActivity}", body: `{"kind":"visit","subject":"Intro call East","at":"2026-01-05T10:00:00+08:00","account_id":{eastAccount},"version":{v}}`, setup: activityVersion("east"), status: 200, want: `"kind":"visit"`},
			apiCase{name: "eastMgr correcting West's activity finds it not found", as: "eastMgr", method: "PUT", path: "/api/v1/activities/{westActivity}", body: `{"kind":"call","subject":"X","at":"2026-01-05T10:00:00+08:00","version":{v}}`, setup: activityVersion("west"), status: 404, want: notFound},
			apiCase{name: "eastRep's stale write is told eastMgr changed the activity", as: "eastRep", method: "PUT", path: "/api/v1/activities/{eastActivity}", body: `{"kind":"call","subject":"Intro call East","at":"2026-01-05T10:00:00+08:00","version":1}`, status: 409, want: "eastMgr"},
			apiCase{name: "eastRep corrects their own activity", as: "eastRep", method: "PUT", path: "/api/v1/activities/{eastActivity}", body: `{"kind":"call","subject":"Intro call East","at":"2026-01-05T10:00:00+08:00","next_step":"Send the contract","account_id":{eastAccount},"version":{v}}`, setup: activityVersion("east"), status: 200, want: `"next_step":"Send the contract"`},
			apiCase{name: "eastRep cannot move their activity to westRep's account", as: "eastRep", method: "PUT", path: "/api/v1/activities/{eastActivity}", body: `{"kind":"call","subject":"Intro call East","at":"2026-01-05T10:00:00+08:00","account_id":{westAccount},"version":{v}}`, setup: activityVersion("east"), status: 422, want: `"field":"account_id"`},
			apiCase{name: "eastRep correcting westRep's activity finds it not found", as: "eastRep", method: "PUT", path: "/api/v1/activities/{westActivity}", body: `{"kind":"call","subject":"X","at":"2026-01-05T10:00:00+08:00","version":{v}}`, setup: activityVersion("west"), status: 404, want: notFound},
			apiCase{name: "mkt correcting East's activity finds it not found", as: "mkt", method: "PUT", path: "/api/v1/activities/{eastActivity}", body: `{"kind":"call","subject":"X","at":"2026-01-05T10:00:00+08:00","version":{v}}`, setup: activityVersion("east"), status: 404, want: notFound},
			anonymous("PUT", "/api/v1/activities/{eastActivity}", `{"kind":"call","subject":"X","at":"2026-01-05T10:00:00+08:00","version":1}`),
		)},
	})
}

// crmTerritoryScenarios tries the territory routes as every role: admin
// anywhere, managers in their subtree, reps read their own, others nothing.
func crmTerritoryScenarios() []endpoint {
	const (
		forbidden = `"code":"forbidden"`
		notFound  = `"code":"not_found"`
	)
	one := func(c ...apiCase) []apiCase { return c }
	return inCRM([]endpoint{
		{"GET /api/v1/territories", one(
			apiCase{name: "admin sees every territory", as: "admin", method: "GET", path: "/api/v1/territories", status: 200, want: "West wind"},
			apiCase{name: "senior sees every territory below them", as: "senior", method: "GET", path: "/api/v1/territories", status: 200, want: "West wind"},
			apiCase{name: "eastMgr sees the East's territories only", as: "eastMgr", method: "GET", path: "/api/v1/territories", status: 200, want: "East chips", absent: []string{"West wind", "westRep"}},
			apiCase{name: "eastRep sees their units' territories only", as: "eastRep", method: "GET", path: "/api/v1/territories", status: 200, want: "East chips", absent: []string{"West wind", "westRep"}},
			apiCase{name: "mkt sees no territory", as: "mkt", method: "GET", path: "/api/v1/territories", status: 200, want: `"items":[]`},
			anonymous("GET", "/api/v1/territories", ""),
		)},
		{"POST /api/v1/territories", one(
			apiCase{name: "admin gives the West a territory", as: "admin", method: "POST", path: "/api/v1/territories", body: `{"name":"West solar","industry":"Solar","org_unit_id":{west}}`, status: 201, want: `"org_unit_name":"华南大区 West"`},
			apiCase{name: "admin needs a criterion", as: "admin", method: "POST", path: "/api/v1/territories", body: `{"name":"Everything","org_unit_id":{west}}`, status: 422, want: `"field":"province"`},
			apiCase{name: "admin gives a territory to a unit or a person, not both", as: "admin", method: "POST", path: "/api/v1/territories", body: `{"name":"Both","city":"Xi'an","org_unit_id":{west},"person_id":{westRep}}`, status: 422, want: `"field":"org_unit_id"`},
			apiCase{name: "senior gives eastRep a territory", as: "senior", method: "POST", path: "/api/v1/territories", body: `{"name":"Suzhou","city":"Suzhou","person_id":{eastRep}}`, status: 201, want: `"person_name":"eastRep"`},
			apiCase{name: "eastMgr gives their team a territory", as: "eastMgr", method: "POST", path: "/api/v1/territories", body: `{"name":"East retail","industry":"Retail","org_unit_id":{eastA}}`, status: 201, want: `"org_unit_name":"East team A"`},
			apiCase{name: "eastMgr cannot give the West a territory", as: "eastMgr", method: "POST", path: "/api/v1/territories", body: `{"name":"Grab","industry":"Retail","org_unit_id":{west}}`, status: 422, want: `"field":"org_unit_id"`},
			apiCase{name: "eastMgr cannot give westRep a territory", as: "eastMgr", method: "POST", path: "/api/v1/territories", body: `{"name":"Grab","industry":"Retail","person_id":{westRep}}`, status: 422, want: `"field":"person_id"`},
			apiCase{name: "eastRep cannot draw territories", as: "eastRep", method: "POST", path: "/api/v1/territories", body: `{"name":"Mine","industry":"Retail","person_id":{eastRep}}`, status: 403, want: forbidden},
			apiCase{name: "mkt cannot draw territories", as: "mkt", method: "POST", path: "/api/v1/territories", body: `{"name":"Campaign","industry":"Retail","org_unit_id":{company}}`, status: 403, want: forbidden},
			anonymous("POST", "/api/v1/territories", `{"name":"Anon","industry":"Retail","org_unit_id":1}`),
		)},
		{"PUT /api/v1/territories/{id}", one(
			apiCase{name: "admin widens the West's territory", as: "admin", method: "PUT", path: "/api/v1/territories/{westTerritory}", body: `{"name":"West wind","industry":"Wind power","person_id":{westMgr}}`, status: 200, want: `"person_name":"westMgr"`},
			apiCase{name: "admin replacing a made-up territory finds it not found", as: "admin", method: "PUT", path: "/api/v1/territories/999999", body: `{"name":"Ghost","city":"Nowhere","org_unit_id":{west}}`, status: 404, want: notFound},
			apiCase{name: "admin's stale version is a conflict naming who drew it", as: "admin", method: "PUT", path: "/api/v1/territories/{eastTerritory}", body: `{"name":"East chips","industry":"Semiconductors","org_unit_id":{east},"version":9}`, status: 409, want: "eastMgr"},
			apiCase{name: "senior renames the East's territory", as: "senior", method: "PUT", path: "/api/v1/territories/{eastTerritory}", body: `{"name":"East semiconductors","industry":"Semiconductors","org_unit_id":{east}}`, status: 200, want: `"name":"East semiconductors"`},
			apiCase{name: "eastMgr hands the East's territory to their rep", as: "eastMgr", method: "PUT", path: "/api/v1/territories/{eastTerritory}", body: `{"name":"East chips","industry":"Semiconductors","person_id":{eastRep}}`, status: 200, want: `"person_name":"eastRep"`},
			apiCase{name: "eastMgr changing the West's territory finds it not found", as: "eastMgr", method: "PUT", path: "/api/v1/territories/{westTerritory}", body: `{"name":"Mine","industry":"Wind power","person_id":{eastRep}}`, status: 404, want: notFound},
			apiCase{name: "eastRep cannot change a territory", as: "eastRep", method: "PUT", path: "/api/v1/territories/{eastTerritory}", body: `{"name":"Mine","industry":"Semiconductors","person_id":{eastRep}}`, status: 403, want: forbidden},
			apiCase{name: "mkt cannot change a territory", as: "mkt", method: "PUT", path: "/api/v1/territories/{eastTerritory}", body: `{"name":"Mine","industry":"Semiconductors","org_unit_id":{east}}`, status: 403, want: forbidden},
			anonymous("PUT", "/api/v1/territories/{eastTerritory}", `{"name":"Mine","industry":"Semiconductors","org_unit_id":1}`),
		)},
	})
}

// activityVersion is a setup that gives the version of the seeded activity of side ("east" or "west") as {v}.
// Activities have no single read: it is found in the admin's list.
func activityVersion(side string) func(*testing.T, *harness, string) map[string]string {
	return func(t *testing.T, h *harness, _ string) map[string]string {
		t.Helper()
		vars := allVars(t, h)
		var page struct{ Items []crm.Activity }
		h.callJSON(t, "admin", "GET", "/api/v1/activities?limit=200", "", 200, &page)
		for _, x := range page.Items {
			if strconv.FormatInt(x.ID, 10) == vars["{"+side+"Activity}"] {
				return map[string]string{"{v}": strconv.Itoa(x.Version)}
			}
		}
		t.Fatalf("setup: activity of %s not found", side)
		return nil
	}
}

// formPart is one field of a multipart form: a value, or a file when filename is set.
type formPart struct{ name, filename, content string }

// multipartForm builds an upload with a fixed boundary, so a case can carry it as its body.
func multipartForm(parts ...formPart) (contentType, body string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if err := w.SetBoundary("echelon-test-boundary-7f3a"); err != nil {
		panic(err)
	}
	for _, p := range parts {
		if p.filename == "" {
			if err := w.WriteField(p.name, p.content); err != nil {
				panic(err)
			}
			continue
		}
		fw, err := w.CreateFormFile(p.name, p.filename)
		if err != nil {
			panic(err)
		}
		if _, err := fw.Write([]byte(p.content)); err != nil {
			panic(err)
		}
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return w.FormDataContentType(), b.String()
}

// asUpload makes c a multipart request with the given parts.
func asUpload(c apiCase, parts ...formPart) apiCase {
	c.contentType, c.body = multipartForm(parts...)
	return c
}

// accountsFile is a small accounts CSV with rows named after tag, owned by owner ("" for none).
func accountsFile(tag, owner string) formPart {
	return formPart{"file", tag + ".csv", "external_id,name,industry,phone,owner_email\n" +
		tag + "-1," + tag + " Alpha,Retail,," + owner + "\n" +
		tag + "-2," + tag + " Beta 贝塔,Retail,," + owner + "\n"}
}

// tinyMaven is a Maven-shaped data set of one row per file.
func tinyMaven(dryRun string) []formPart {
	return []formPart{
		{"sales_teams", "sales_teams.csv", "sales_agent,manager,regional_office\nAda Tiny,Bob Tiny,Central\n"},
		{"products", "products.csv", "product,series,sales_price\nTiny Widget,TW,100\n"},
		{"accounts", "accounts.csv", "account,sector,year_established,revenue,employees,office_location,subsidiary_of\nTiny Account,technolgy,2001,1.5,10,United States,\n"},
		{"sales_pipeline", "sales_pipeline.csv", "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n" +
			"TINY0001,Ada Tiny,Tiny Widget,Tiny Account,Won,2016-10-20,2017-03-01,100\n"},
		{"dry_run", "", dryRun},
	}
}

// ioAPIScenarios tries the import and export routes as every role.
func ioAPIScenarios() []endpoint {
	const (
		forbidden = `"code":"forbidden"`
		notFound  = `"code":"not_found"`
	)
	one := func(c ...apiCase) []apiCase { return c }
	imp := func(name, as string, status int, want string, parts ...formPart) apiCase {
		return asUpload(apiCase{name: name, as: as, method: "POST", path: "/api/v1/imports", status: status, want: want}, parts...)
	}
	maven := func(name, as string, status int, want string, parts ...formPart) apiCase {
		return asUpload(apiCase{name: name, as: as, method: "POST", path: "/api/v1/imports/maven", status: status, want: want}, parts...)
	}
	accounts := formPart{"entity", "", "accounts"}
	dry := func(c apiCase) apiCase { c.quiet = true; return c }
	return inCRM([]endpoint{
		{"POST /api/v1/imports", one(
			dry(imp("admin's dry run reports the rows and writes nothing", "admin", 200, `"dry_run":true,"committed":false,"rows":2,"created":2`,
				accounts, accountsFile("AdminDry", ""), formPart{"dry_run", "", "true"})),
			imp("admin imports accounts into the company pool", "admin", 200, `"committed":true,"rows":2,"created":2`, accounts, accountsFile("AdminPool", "")),
			imp("admin with an unknown entity is refused", "admin", 422, `"field":"entity"`, formPart{"entity", "", "widgets"}, accountsFile("AdminWidgets", "")),
			imp("admin mapping to an unknown field is refused", "admin", 422, `"field":"mapping"`, accounts, formPart{"mapping", "", `{"name":"nickname"}`}, accountsFile("AdminMap", "")),
			imp("senior imports accounts for eastRep", "senior", 200, `"created":2`, accounts, accountsFile("Senior", "eastRep@example.com")),
			imp("eastMgr imports accounts for their rep", "eastMgr", 200, `"created":2`, accounts, accountsFile("Mgr", "eastrep@example.com")),
			imp("eastRep imports accounts of their own", "eastRep", 200, `"created":2`, accounts, accountsFile("Rep", "")),
			imp("eastRep without a file is a bad request", "eastRep", 400, `"field":"file"`, accounts),
			imp("eastRep with a malformed mapping is a bad request", "eastRep", 400, `"field":"mapping"`, accounts, formPart{"mapping", "", `{"name":`}, accountsFile("RepMap", "")),
			imp("eastRep cannot import people", "eastRep", 403, forbidden, formPart{"entity", "", "people"},
				formPart{"file", "people.csv", "email,name,role,org_unit\nfriend@example.com,Friend,rep,East team A\n"}),
			apiCase{name: "eastRep sending JSON instead of an upload is a bad request", as: "eastRep", method: "POST", path: "/api/v1/imports", body: `{"entity":"accounts"}`, status: 400, want: `"code":"invalid"`},
			imp("mkt cannot import accounts", "mkt", 403, forbidden, accounts, accountsFile("Mkt", "")),
			asUpload(anonymous("POST", "/api/v1/imports", ""), accounts, accountsFile("Anon", "")),
		)},
		{"POST /api/v1/imports/maven", one(
			dry(maven("admin's dry run of a Maven-shaped set writes nothing", "admin", 200, `"dry_run":true,"committed":false`, tinyMaven("true")...)),
			maven("admin imports a Maven-shaped set", "admin", 200, `"committed":true`, tinyMaven("false")...),
			maven("admin without the pipeline file is a bad request", "admin", 400, `"field":"sales_pipeline"`, tinyMaven("true")[:3]...),
			maven("senior cannot import the data set", "senior", 403, forbidden, tinyMaven("false")...),
			maven("eastMgr cannot import the data set", "eastMgr", 403, forbidden, tinyMaven("false")...),
			maven("eastRep cannot import the data set", "eastRep", 403, forbidden, tinyMaven("false")...),
			maven("mkt cannot import the data set", "mkt", 403, forbidden, tinyMaven("false")...),
			asUpload(anonymous("POST", "/api/v1/imports/maven", ""), tinyMaven("true")...),
		)},
		{"GET /api/v1/exports/{entity}", one(
			apiCase{name: "admin exports every account", as: "admin", method: "GET", path: "/api/v1/exports/accounts", status: 200, want: "West Energy"},
			apiCase{name: "admin exports accounts as XLSX", as: "admin", method: "GET", path: "/api/v1/exports/accounts?format=xlsx", status: 200, want: "PK"},
			apiCase{name: "admin asking for PDF is a bad request", as: "admin", method: "GET", path: "/api/v1/exports/accounts?format=pdf", status: 400, want: `"field":"format"`},
			apiCase{name: "admin exporting an unknown list finds it not found", as: "admin", method: "GET", path: "/api/v1/exports/secrets", status: 404, want: notFound},
			apiCase{name: "senior exports the West's opportunities", as: "senior", method: "GET", path: "/api/v1/exports/opportunities", status: 200, want: "West Energy turbine"},
			apiCase{name: "eastMgr exports the East's accounts only", as: "eastMgr", method: "GET", path: "/api/v1/exports/accounts", status: 200, want: "East Precision", absent: []string{"West Energy", "westRep", "West Pool"}},
			apiCase{name: "eastRep exports their own accounts only", as: "eastRep", method: "GET", path: "/api/v1/exports/accounts", status: 200, want: "eastrep@example.com", absent: []string{"West Energy", "westRep", "West Pool", "East Pool"}},
			apiCase{name: "eastRep exporting a search for West's customer gets only the header", as: "eastRep", method: "GET", path: "/api/v1/exports/accounts?q=West", status: 200, want: "external_id,name", absent: []string{"West Energy", "East Precision"}},
			apiCase{name: "eastRep exports their own contacts only", as: "eastRep", method: "GET", path: "/api/v1/exports/contacts", status: 200, want: "Zhang East", absent: []string{"Wang West", "West Energy"}},
			apiCase{name: "eastRep exports their own opportunities only", as: "eastRep", method: "GET", path: "/api/v1/exports/opportunities", status: 200, want: "East Precision line", absent: []string{"turbine", "westRep"}},
			apiCase{name: "eastRep exports only themselves of the people", as: "eastRep", method: "GET", path: "/api/v1/exports/people", status: 200, want: "eastrep@example.com", absent: []string{"westrep@example.com", "eastmgr@example.com"}},
			apiCase{name: "mkt exports no account", as: "mkt", method: "GET", path: "/api/v1/exports/accounts", status: 200, want: "external_id,name", absent: []string{"East Precision", "West Energy", "Pool"}},
			apiCase{name: "admin exports every lead", as: "admin", method: "GET", path: "/api/v1/exports/leads", status: 200, want: "West Lead Works"},
			apiCase{name: "senior exports the West's activities", as: "senior", method: "GET", path: "/api/v1/exports/activities", status: 200, want: "Intro call West"},
			apiCase{name: "eastMgr exports the East's leads only", as: "eastMgr", method: "GET", path: "/api/v1/exports/leads", status: 200, want: "East Lead Works", absent: []string{"West Lead", "westrep@example.com"}},
			apiCase{name: "eastRep exports their own leads only", as: "eastRep", method: "GET", path: "/api/v1/exports/leads", status: 200, want: "eastrep@example.com", absent: []string{"West Lead", "westrep@example.com"}},
			apiCase{name: "eastRep exports their own activities only", as: "eastRep", method: "GET", path: "/api/v1/exports/activities", status: 200, want: "Intro call East", absent: []string{"Intro call West", "westrep@example.com"}},
			apiCase{name: "eastRep exporting West's account's activities gets only the header", as: "eastRep", method: "GET", path: "/api/v1/exports/activities?account_id={westAccount}", status: 200, want: "at,kind,subject", absent: []string{"Intro call"}},
			apiCase{name: "eastRep exports the product catalogue", as: "eastRep", method: "GET", path: "/api/v1/exports/products", status: 200, want: "EP-1,Echelon Pro"},
			apiCase{name: "mkt exports the product catalogue", as: "mkt", method: "GET", path: "/api/v1/exports/products?format=xlsx", status: 200, want: "PK"},
			apiCase{name: "mkt exports no lead", as: "mkt", method: "GET", path: "/api/v1/exports/leads", status: 200, want: "company,contact_name", absent: []string{"Lead Works"}},
			apiCase{name: "mkt exports no activity", as: "mkt", method: "GET", path: "/api/v1/exports/activities", status: 200, want: "at,kind,subject", absent: []string{"Intro call"}},
			anonymous("GET", "/api/v1/exports/accounts", ""),
		)},
	})
}

func hasHan(s string) bool { return regexp.MustCompile(`\p{Han}`).MatchString(s) }

// expectRefusal checks a refused request in both languages: the status,
// the field, the exact message of key and args, and that nothing changed.
func (h *harness) expectRefusal(t *testing.T, c refusal, vars map[string]string) {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	path, body := fill(t, c.path, vars), fill(t, c.body, vars)
	token := ""
	if c.as != "" {
		token = h.token(c.as)
	}
	route := routeOf(serverOf(t, h).APIRoutes(), c.method, path)
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
		if c.key != "" {
			if want := cat.T(lang, c.key, c.args...); e.Error.Message != want {
				t.Errorf("%s: message %q, want %q", lang, e.Error.Message, want)
			}
		}
		if han := hasHan(e.Error.Message); han != (lang == i18n.Chinese) && !slices.ContainsFunc(c.args, func(a any) bool { s, _ := a.(string); return hasHan(s) }) {
			t.Errorf("%s: message %q is not in the language asked for", lang, e.Error.Message)
		}
		if route != "" {
			m, p, _ := strings.Cut(route, " ")
			for _, problem := range loadDoc(t).checkResponse(m, p, res, out) {
				t.Errorf("does not match openapi.json: %s", problem)
			}
		}
		if after := h.fingerprint(t); after != before {
			t.Errorf("%s: the refused request changed stored data:\n%s", lang, fingerprintDiff(before, after))
		}
	}
}

func TestCRMAPI_RefusalsAnswerInTheCallersLanguageAndChangeNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		vars := allVars(t, h)
		westID, _ := strconv.ParseInt(vars["{westAccount}"], 10, 64)
		poolID, _ := strconv.ParseInt(vars["{eastPool}"], 10, 64)
		opp := func(fields string) string {
			return `{"name":"Bad deal","account_id":{eastAccount},"stage_id":{prospecting}` + fields + `}`
		}
		for _, c := range []refusal{
			{"a duplicate name names the owner and creates nothing", "eastRep", "POST", "/api/v1/accounts", `{"name":"West Energy 西部能源 有限公司"}`, 409, "name", "account.duplicate", []any{westAccountName, westID, "westRep"}},
			{"a duplicate phone names the owner", "eastRep", "POST", "/api/v1/accounts", `{"name":"Unrelated","phone":"+86 20 6666 0202"}`, 409, "phone", "account.duplicate", []any{westAccountName, westID, "westRep"}},
			{"a duplicate e-mail names the owner", "eastMgr", "POST", "/api/v1/accounts", `{"name":"Unrelated","org_unit_id":{east},"email":" Info@West-Energy.example.com "}`, 409, "email", "account.duplicate", []any{westAccountName, westID, "westRep"}},
			{"a duplicate of a pool account says to claim it", "eastRep", "POST", "/api/v1/accounts", `{"name":"EAST POOL TRADING"}`, 409, "name", "account.duplicate_pool", []any{"East Pool Trading", poolID}},
			{"an unknown account status is refused", "eastRep", "POST", "/api/v1/accounts", `{"name":"Status Co","status":"vip"}`, 422, "status", "account.status_invalid", nil},
			{"a negative amount is refused", "eastRep", "POST", "/api/v1/opportunities", opp(`,"amount":-1`), 422, "amount", "amount.invalid", nil},
			{"a negative amount is refused on change", "eastRep", "PATCH", "/api/v1/opportunities/{eastOpp}", `{"amount":-1,"version":1}`, 422, "amount", "amount.invalid", nil},
			{"an unknown stage is refused", "eastRep", "POST", "/api/v1/opportunities", `{"name":"Bad deal","stage_id":999999}`, 422, "stage_id", "stage.not_found", nil},
			{"an unknown stage is refused on change", "eastRep", "PATCH", "/api/v1/opportunities/{eastOpp}", `{"stage_id":999999,"version":1}`, 422, "stage_id", "stage.not_found", nil},
			{"a close date before the start is refused", "eastRep", "POST", "/api/v1/opportunities", opp(`,"stage_id":{won},"engaged_on":"2025-06-01","closed_on":"2025-05-31"`), 422, "closed_on", "opportunity.closed_before_start", []any{"2025-06-01"}},
			{"an expected close before the start is refused", "eastRep", "POST", "/api/v1/opportunities", opp(`,"engaged_on":"2025-06-01","expected_close":"2025-01-01"`), 422, "expected_close", "opportunity.closed_before_start", []any{"2025-06-01"}},
			{"a lost deal needs a reason", "eastRep", "PATCH", "/api/v1/opportunities/{eastOpp}", `{"stage_id":{lost},"version":1}`, 422, "lost_reason", "opportunity.lost_reason_required", nil},
			{"an impossible date is refused", "eastRep", "POST", "/api/v1/opportunities", opp(`,"expected_close":"2026-02-30"`), 422, "expected_close", "date.invalid", nil},
			{"malformed JSON is a bad request", "eastRep", "POST", "/api/v1/opportunities", `{"name":"Bad deal",`, 400, "", "json.malformed", nil},
			{"an unknown field is a bad request", "eastRep", "POST", "/api/v1/opportunities", opp(`,"discount":10`), 400, "discount", "json.unknown_field", []any{"discount"}},
			{"an amount as text is a bad request", "eastRep", "POST", "/api/v1/opportunities", opp(`,"amount":"lots"`), 400, "amount", "json.wrong_type", []any{"amount"}},
			{"an unknown field on an account change is a bad request", "eastRep", "PATCH", "/api/v1/accounts/{eastAccount}", `{"owner_id":{westRep},"version":1}`, 400, "owner_id", "json.unknown_field", []any{"owner_id"}},
			{"an impossible closing filter is a bad request", "eastRep", "GET", "/api/v1/opportunities?closing_to=2026-02-30", "", 400, "closing_to", "date.invalid", nil},
			{"a negative page size is a bad request", "eastRep", "GET", "/api/v1/accounts?limit=-1", "", 400, "limit", "query.invalid_number", []any{"limit"}},
			{"a transfer needs a reason", "eastMgr", "POST", "/api/v1/accounts/{eastAccount}/transfer", `{"owner_id":{eastMgr}}`, 422, "reason", "field.required", nil},
			{"a transfer needs a manager", "eastRep", "POST", "/api/v1/accounts/{eastAccount}/transfer", `{"owner_id":{eastMgr},"reason":"x"}`, 403, "", "perm.forbidden", nil},
			{"marketing creates no CRM record", "mkt", "POST", "/api/v1/leads", `{"company":"Campaign lead"}`, 403, "", "perm.forbidden", nil},
			{"another rep's account is not found", "eastRep", "GET", "/api/v1/accounts/{westAccount}", "", 404, "", "account.not_found", nil},
			{"another region's opportunity is not found", "eastMgr", "PATCH", "/api/v1/opportunities/{westOpp}", `{"amount":1,"version":1}`, 404, "", "opportunity.not_found", nil},
			{"an activity kind outside the list is refused", "eastRep", "POST", "/api/v1/activities", `{"kind":"fax","subject":"x","at":"2026-01-05T10:00:00Z"}`, 422, "kind", "activity.kind_invalid", nil},
			{"a product price below zero is refused", "admin", "PUT", "/api/v1/products/{product}", `{"code":"EP-1","name":"Echelon Pro","list_price":-5}`, 422, "list_price", "amount.invalid", nil},
			{"a merge needs an admin", "eastMgr", "POST", "/api/v1/accounts/{eastAccount}/merge", `{"drop_id":{eastPool}}`, 403, "", "perm.forbidden", nil},
			{"an export in PDF is a bad request", "eastRep", "GET", "/api/v1/exports/accounts?format=pdf", "", 400, "format", "export.format_invalid", nil},
			{"an unknown export is not found", "eastRep", "GET", "/api/v1/exports/leads-and-secrets", "", 404, "", "export.entity_unknown", nil},
		} {
			t.Run(c.name, func(t *testing.T) { h.expectRefusal(t, c, vars) })
		}
	})
}

func TestCRMAPI_ClaimsOverTheLimitOrInsideTheLockoutAreConflicts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		vars := allVars(t, h)

		t.Run("re-claiming an account one returned waits out the lockout", func(t *testing.T) {
			m := releasedByEastRep(t, h, "eastRep")
			var history []crm.OwnershipEvent
			h.callJSON(t, "eastRep", "GET", "/api/v1/accounts/"+m["{new}"]+"/ownership", "", 200, &history)
			if len(history) < 2 || history[0].Action != crm.OwnReturn {
				t.Fatalf("history %+v, want the return first", history)
			}
			until := history[0].At.AddDate(0, 0, 15).Format(time.DateOnly)
			h.expectRefusal(t, refusal{"", "eastRep", "POST", "/api/v1/accounts/{new}/claim", "", 409, "", "pool.locked_out", []any{until}},
				map[string]string{"{new}": m["{new}"]})
			// Someone else may claim it meanwhile.
			h.callJSON(t, "eastMgr", "POST", "/api/v1/accounts/"+m["{new}"]+"/claim", "", 200, nil)
		})

		t.Run("a rep at their level's account limit cannot claim", func(t *testing.T) {
			accountLimitOfOne(t, h, "")
			var mine struct{ Items []crm.Account }
			h.callJSON(t, "eastRep", "GET", "/api/v1/accounts", "", 200, &mine)
			h.expectRefusal(t, refusal{"", "eastRep", "POST", "/api/v1/accounts/{eastPool}/claim", "", 409, "", "pool.limit_reached", []any{1, len(mine.Items)}}, vars)
			h.expectRefusal(t, refusal{"", "eastRep", "POST", "/api/v1/accounts", `{"name":"One too many"}`, 409, "", "pool.limit_reached", []any{1, len(mine.Items)}}, vars)
			// Their manager, with no limit, still may.
			h.callJSON(t, "eastMgr", "POST", "/api/v1/accounts/"+vars["{eastPool}"]+"/claim", "", 200, nil)
		})
	})
}

func TestCRMAPI_AStaleOpportunityWriteNamesWhoChangedIt(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		vars := allVars(t, h)
		path := "/api/v1/opportunities/" + vars["{eastOpp}"]
		var loaded crm.Opportunity
		h.callJSON(t, "eastRep", "GET", path, "", 200, &loaded)
		var changed crm.Opportunity
		h.callJSON(t, "eastMgr", "PATCH", path, fmt.Sprintf(`{"amount":3600000,"version":%d}`, loaded.Version), 200, &changed)
		for _, lang := range []string{i18n.Chinese, i18n.English} {
			before := h.fingerprint(t)
			res, out := h.send(t, "PATCH", path, h.token("eastRep"), lang, fmt.Sprintf(`{"stage_id":%s,"version":%d}`, vars["{proposal}"], loaded.Version))
			if res.StatusCode != http.StatusConflict {
				t.Fatalf("%s: status %d, want 409\n%s", lang, res.StatusCode, out)
			}
			e := checkEnvelope(t, res, out)
			if !strings.Contains(e.Error.Message, "eastMgr") || !strings.Contains(e.Error.Message, "amount") {
				t.Errorf("%s: message %q does not say eastMgr changed the amount", lang, e.Error.Message)
			}
			if han := regexp.MustCompile(`\p{Han}`).MatchString(e.Error.Message); han != (lang == i18n.Chinese) {
				t.Errorf("%s: message %q is not in the language asked for", lang, e.Error.Message)
			}
			for _, p := range loadDoc(t).checkResponse("PATCH", "/api/v1/opportunities/{id}", res, out) {
				t.Errorf("does not match openapi.json: %s", p)
			}
			if after := h.fingerprint(t); after != before {
				t.Errorf("%s: the stale write changed stored data:\n%s", lang, fingerprintDiff(before, after))
			}
		}
		var now crm.Opportunity
		h.callJSON(t, "eastRep", "GET", path, "", 200, &now)
		if now.StageID != loaded.StageID || now.Amount != 3600000 || now.Version != changed.Version {
			t.Errorf("after the refused write: %+v, want eastMgr's change only", now)
		}
	})
}

func TestCRMAPI_AStaleWriteToARecordWithoutHistoryIsAConflict(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		vars := allVars(t, h)
		// The pipeline stages and the company's pool rule come from the
		// migrations: no audit entry names who changed them last.
		for _, c := range []refusal{
			{"a seeded stage", "admin", "PUT", "/api/v1/stages/{proposal}", `{"code":"proposal","name_zh":"方案报价","name_en":"Proposal","probability":60,"position":30,"version":9}`, 409, "", "record.stale", nil},
			{"the seeded pool rule", "admin", "PUT", "/api/v1/pools/{company}", `{"return_days":30,"lockout_days":15,"version":9}`, 409, "", "record.stale", nil},
		} {
			t.Run(c.name, func(t *testing.T) { h.expectRefusal(t, c, vars) })
		}
	})
}

func TestCRMAPI_AnotherRegionsPoolIsNotFoundNotForbidden(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		vars := allVars(t, h)
		t.Run("claiming an account westRep claimed from the West's pool", func(t *testing.T) {
			h.callJSON(t, "westRep", "POST", "/api/v1/accounts/"+vars["{westPool}"]+"/claim", "", 200, nil)
			h.expectRefusal(t, refusal{"", "eastRep", "POST", "/api/v1/accounts/{westPool}/claim", "", 404, "", "account.not_found", nil}, vars)
		})
		t.Run("setting the West's pool rule", func(t *testing.T) {
			h.expectRefusal(t, refusal{"", "eastMgr", "PUT", "/api/v1/pools/{west}", `{"return_days":14,"lockout_days":7}`, 404, "", "unit.not_found", nil}, vars)
		})
	})
}

// crmLists are the CRM lists with the placeholder of each side's seeded record.
var crmLists = []struct{ path, record string }{
	{"/api/v1/accounts?limit=200", "Account"},
	{"/api/v1/contacts?limit=200", "Contact"},
	{"/api/v1/opportunities?limit=200", "Opp"},
	{"/api/v1/activities?limit=200", "Activity"},
	{"/api/v1/leads?limit=200", "Lead"},
}

// listIDs returns the ids of a CRM list page as who.
func (h *harness) listIDs(t *testing.T, who, path string) []string {
	t.Helper()
	var page struct {
		Items []struct{ ID int64 }
	}
	h.callJSON(t, who, "GET", path, "", 200, &page)
	var ids []string
	for _, it := range page.Items {
		ids = append(ids, strconv.FormatInt(it.ID, 10))
	}
	return ids
}

func TestCRMAPI_NobodySeesRecordsOutsideTheirScope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		vars := allVars(t, h)
		searches := map[string]map[string]string{
			"Account": {"east": "/api/v1/accounts?q=Precision", "west": "/api/v1/accounts?q=Energy"},
			"Contact": {"east": "/api/v1/contacts?q=Zhang", "west": "/api/v1/contacts?q=Wang"},
			"Opp":     {"east": "/api/v1/opportunities?q=line", "west": "/api/v1/opportunities?q=turbine"},
			"Lead":    {"east": "/api/v1/leads?q=East%20Lead", "west": "/api/v1/leads?q=West%20Lead"},
		}
		single := map[string]string{"Account": "/api/v1/accounts/", "Contact": "/api/v1/contacts/", "Opp": "/api/v1/opportunities/", "Lead": "/api/v1/leads/"}
		for _, c := range []struct {
			who         string
			sees, blind []string // sides
		}{
			{"admin", []string{"east", "west"}, nil},
			{"senior", []string{"east", "west"}, nil},
			{"eastMgr", []string{"east"}, []string{"west"}},
			{"westMgr", []string{"west"}, []string{"east"}},
			{"eastRep", []string{"east"}, []string{"west"}},
			{"westRep", []string{"west"}, []string{"east"}},
			{"mkt", nil, []string{"east", "west"}},
		} {
			t.Run(c.who, func(t *testing.T) {
				for _, l := range crmLists {
					ids := h.listIDs(t, c.who, l.path)
					for _, side := range c.sees {
						if !slices.Contains(ids, vars["{"+side+l.record+"}"]) {
							t.Errorf("%s: %s's %s is missing", l.path, side, l.record)
						}
					}
					for _, side := range c.blind {
						if slices.Contains(ids, vars["{"+side+l.record+"}"]) {
							t.Errorf("%s: shows %s's %s", l.path, side, l.record)
						}
						if p, ok := single[l.record]; ok {
							if res, out := h.send(t, "GET", p+vars["{"+side+l.record+"}"], h.token(c.who), "", ""); res.StatusCode != http.StatusNotFound {
								t.Errorf("deep link to %s's %s: %d %s, want 404", side, l.record, res.StatusCode, out)
							}
						}
					}
				}
				for record, bySide := range searches {
					for side, q := range bySide {
						found := slices.Contains(h.listIDs(t, c.who, q), vars["{"+side+record+"}"])
						if want := slices.Contains(c.sees, side); found != want {
							t.Errorf("searching %s finds %s's %s: %v, want %v", q, side, record, found, want)
						}
					}
				}
				res, out := h.send(t, "GET", "/api/v1/exports/accounts", h.token(c.who), "", "")
				if res.StatusCode != http.StatusOK {
					t.Fatalf("export: %d %s", res.StatusCode, out)
				}
				for _, side := range c.blind {
					name := map[string]string{"east": eastAccountName, "west": westAccountName}[side]
					if strings.Contains(string(out), name) {
						t.Errorf("the export shows %s's account %s", side, name)
					}
				}
			})
		}
	})
}

// readExportCSV parses an exported CSV (with its BOM) into header and rows.
func readExportCSV(t *testing.T, b []byte) ([]string, [][]string) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
		t.Error("the CSV export has no UTF-8 BOM")
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF}))).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("export is not CSV: %v\n%s", err, b)
	}
	return recs[0], recs[1:]
}

func headerIndex(header []string, name string) int { return slices.Index(header, name) }

func TestCRMAPI_ARepsExportHoldsTheirAccountsOnlyAndDefusesFormulas(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		allVars(t, h)
		h.create(t, "eastRep", "/api/v1/accounts", `{"name":"=HYPERLINK(1)","tags":"+1 guarantee"}`)
		var mine struct{ Items []crm.Account }
		h.callJSON(t, "eastRep", "GET", "/api/v1/accounts?limit=200", "", 200, &mine)

		res, out := h.send(t, "GET", "/api/v1/exports/accounts", h.token("eastRep"), "", "")
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV export: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if cd := res.Header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment; filename="accounts-\d{8}-\d{4}\.csv"$`).MatchString(cd) {
			t.Errorf("Content-Disposition %q", cd)
		}
		for _, p := range loadDoc(t).checkResponse("GET", "/api/v1/exports/{entity}", res, out) {
			t.Errorf("does not match openapi.json: %s", p)
		}
		header, rows := readExportCSV(t, out)
		if !slices.Equal(header, crm.AccountFields) {
			t.Errorf("header %v, want the import fields %v", header, crm.AccountFields)
		}
		if len(rows) != len(mine.Items) {
			t.Errorf("%d rows, want eastRep's %d accounts", len(rows), len(mine.Items))
		}
		name, owner, tags := headerIndex(header, "name"), headerIndex(header, "owner_email"), headerIndex(header, "tags")
		var formula bool
		for _, r := range rows {
			if r[owner] != "eastrep@example.com" {
				t.Errorf("row %v: owner_email %q, want eastRep's e-mail", r, r[owner])
			}
			if strings.Contains(r[name], "HYPERLINK") {
				formula = true
				if r[name] != "'=HYPERLINK(1)" {
					t.Errorf("formula cell exported as %q, want it neutralised with a leading apostrophe", r[name])
				}
				if r[tags] != "'+1 guarantee" {
					t.Errorf("tags %q, want the leading + neutralised", r[tags])
				}
			}
			if strings.Contains(r[name], "West") || strings.Contains(r[name], "Pool") {
				t.Errorf("eastRep's export holds %q", r[name])
			}
		}
		if !formula {
			t.Error("the =HYPERLINK(1) account is not in the export")
		}

		res, out = h.send(t, "GET", "/api/v1/exports/accounts?format=xlsx", h.token("eastRep"), "", "")
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Fatalf("XLSX export: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		for _, p := range loadDoc(t).checkResponse("GET", "/api/v1/exports/{entity}", res, out) {
			t.Errorf("does not match openapi.json: %s", p)
		}
		tab, err := sheet.ReadXLSX(out)
		if err != nil {
			t.Fatalf("the XLSX export does not open: %v", err)
		}
		if !slices.Equal(tab.Header, crm.AccountFields) || len(tab.Rows) != len(mine.Items) {
			t.Errorf("XLSX: header %v with %d rows, want %v with %d", tab.Header, len(tab.Rows), crm.AccountFields, len(mine.Items))
		}
		var text bool
		for _, r := range tab.Rows {
			if sheet.Cell(r, name) == "=HYPERLINK(1)" {
				text = true
			}
			if strings.Contains(sheet.Cell(r, name), "West") {
				t.Errorf("eastRep's XLSX holds %q", sheet.Cell(r, name))
			}
		}
		if !text {
			t.Error("the XLSX export does not hold =HYPERLINK(1) as text")
		}
	})
}

func TestCRMAPI_ARepsLeadAndActivityExportsHoldTheirOwnOnly(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		allVars(t, h)
		for _, c := range []struct {
			entity, list string
			header       []string
		}{
			{"leads", "/api/v1/leads?limit=200", []string{"company", "contact_name", "phone", "email", "source", "status", "owner_email", "created_at"}},
			{"activities", "/api/v1/activities?limit=200", []string{"at", "kind", "subject", "account", "opportunity", "outcome", "next_step", "next_step_at", "owner_email"}},
		} {
			t.Run(c.entity, func(t *testing.T) {
				mine := h.listIDs(t, "eastRep", c.list)
				res, out := h.send(t, "GET", "/api/v1/exports/"+c.entity, h.token("eastRep"), "", "")
				if res.StatusCode != http.StatusOK {
					t.Fatalf("export: %d %s", res.StatusCode, out)
				}
				for _, p := range loadDoc(t).checkResponse("GET", "/api/v1/exports/{entity}", res, out) {
					t.Errorf("does not match openapi.json: %s", p)
				}
				header, rows := readExportCSV(t, out)
				if !slices.Equal(header, c.header) {
					t.Errorf("header %v, want %v", header, c.header)
				}
				if len(rows) != len(mine) || len(rows) == 0 {
					t.Errorf("%d rows, want eastRep's %d", len(rows), len(mine))
				}
				owner := headerIndex(header, "owner_email")
				for _, r := range rows {
					if r[owner] != "eastrep@example.com" {
						t.Errorf("row %v: owner_email %q, want eastRep's", r, r[owner])
					}
				}
			})
		}
		t.Run("activities carry their times in the company's zone", func(t *testing.T) {
			_, out := h.send(t, "GET", "/api/v1/exports/activities", h.token("eastRep"), "", "")
			header, rows := readExportCSV(t, out)
			for _, r := range rows {
				for _, col := range []string{"at", "next_step_at"} {
					if v := r[headerIndex(header, col)]; v != "" && !strings.HasSuffix(v, "+08:00") {
						t.Errorf("%s %q, want RFC 3339 in Asia/Shanghai", col, v)
					}
				}
			}
		})
		t.Run("products: everyone signed in exports the catalogue with the import fields", func(t *testing.T) {
			res, out := h.send(t, "GET", "/api/v1/exports/products", h.token("mkt"), "", "")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("export: %d %s", res.StatusCode, out)
			}
			header, rows := readExportCSV(t, out)
			if !slices.Equal(header, crm.ProductFields) || len(rows) != 1 || !slices.Equal(rows[0], []string{"EP-1", "Echelon Pro", "EP", "12,000.00", "CNY", "true"}) {
				t.Errorf("products export %v %v, want the seeded product under %v", header, rows, crm.ProductFields)
			}
		})
	})
}

// sendUpload posts a multipart form as who with an Accept-Language.
func (h *harness) sendUpload(t *testing.T, who, path, lang string, parts ...formPart) (*http.Response, []byte) {
	t.Helper()
	ct, body := multipartForm(parts...)
	return h.sendType(t, "POST", path, h.token(who), lang, ct, body)
}

func decodeReport(t *testing.T, b []byte) importer.Report {
	t.Helper()
	var rep importer.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("not a report: %v\n%s", err, b)
	}
	if rep.Created+rep.Updated+rep.Skipped+rep.Failed != rep.Rows || len(rep.Results) != rep.Rows {
		t.Errorf("counts %d+%d+%d+%d with %d results do not add up to %d rows", rep.Created, rep.Updated, rep.Skipped, rep.Failed, len(rep.Results), rep.Rows)
	}
	return rep
}

func TestCRMAPI_ImportsDryRunCommitReimportAndAllOrNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		allVars(t, h)
		const file = "external_id,客户名称,行业,电话,状态\n" +
			"IMP-1,Import Alpha 阿尔法,Retail,021-7000-0001,prospect\n" +
			"IMP-2,Import Beta,Logistics,,customer\n" +
			"IMP-3,Import Gamma,Retail,,\n"
		accounts := formPart{"entity", "", "accounts"}
		csvFile := func(content string) formPart { return formPart{"file", "accounts.csv", content} }
		run := func(t *testing.T, lang string, status int, parts ...formPart) importer.Report {
			t.Helper()
			res, out := h.sendUpload(t, "eastRep", "/api/v1/imports", lang, parts...)
			if res.StatusCode != status {
				t.Fatalf("status %d, want %d\n%s", res.StatusCode, status, out)
			}
			for _, p := range loadDoc(t).checkResponse("POST", "/api/v1/imports", res, out) {
				t.Errorf("does not match openapi.json: %s", p)
			}
			return decodeReport(t, out)
		}
		imported := func(t *testing.T) []string {
			var page struct{ Items []crm.Account }
			h.callJSON(t, "eastRep", "GET", "/api/v1/accounts?q=Import&limit=200&sort=name", "", 200, &page)
			var names []string
			for _, a := range page.Items {
				names = append(names, a.Name)
			}
			return names
		}

		t.Run("a dry run reports every row and writes nothing", func(t *testing.T) {
			before := h.fingerprint(t)
			rep := run(t, "", 200, accounts, csvFile(file), formPart{"dry_run", "", "true"})
			if !rep.DryRun || rep.Committed || rep.Rows != 3 || rep.Created != 3 || rep.Encoding != "UTF-8" {
				t.Errorf("report %+v, want a dry run of 3 created rows", rep)
			}
			if rep.Mapping["客户名称"] != "name" || rep.Mapping["电话"] != "phone" {
				t.Errorf("mapping %v, want the Chinese headers mapped", rep.Mapping)
			}
			for i, r := range rep.Results {
				if r.Line != i+2 || r.Action != echelon.RowCreated {
					t.Errorf("result %d: %+v", i, r)
				}
			}
			if after := h.fingerprint(t); after != before {
				t.Errorf("the dry run wrote:\n%s", fingerprintDiff(before, after))
			}
			if names := imported(t); len(names) != 0 {
				t.Errorf("after a dry run the accounts %v exist", names)
			}
		})

		t.Run("the real import creates them for the importing rep", func(t *testing.T) {
			rep := run(t, "", 200, accounts, csvFile(file))
			if rep.DryRun || !rep.Committed || rep.Created != 3 {
				t.Errorf("report %+v, want 3 created and committed", rep)
			}
			if names := imported(t); !slices.Equal(names, []string{"Import Alpha 阿尔法", "Import Beta", "Import Gamma"}) {
				t.Errorf("imported %v", names)
			}
			var page struct{ Items []crm.Account }
			h.callJSON(t, "eastRep", "GET", "/api/v1/accounts?q=Import%20Beta", "", 200, &page)
			if len(page.Items) != 1 || page.Items[0].OwnerName != "eastRep" || page.Items[0].ExternalID != "IMP-2" || page.Items[0].Status != "customer" {
				t.Errorf("Import Beta: %+v", page.Items)
			}
		})

		t.Run("importing the same file again skips every row", func(t *testing.T) {
			before := string(h.callJSON(t, "admin", "GET", "/api/v1/accounts?limit=200&sort=id", "", 200, nil))
			rep := run(t, "", 200, accounts, csvFile(file))
			if rep.Skipped != 3 || rep.Created+rep.Updated+rep.Failed != 0 {
				t.Errorf("report %+v, want 3 skipped", rep)
			}
			for _, r := range rep.Results {
				if r.Action != echelon.RowSkipped || r.ID == 0 {
					t.Errorf("result %+v, want skipped with the matched id", r)
				}
			}
			if after := string(h.callJSON(t, "admin", "GET", "/api/v1/accounts?limit=200&sort=id", "", 200, nil)); after != before {
				t.Errorf("a re-import without changes changed accounts:\n%s", fingerprintDiff(before, after))
			}
		})

		t.Run("a changed row updates its record by external id", func(t *testing.T) {
			changed := strings.Replace(file, "IMP-3,Import Gamma,Retail,,", "IMP-3,Import Gamma,Wholesale,,", 1)
			rep := run(t, "", 200, accounts, csvFile(changed))
			if rep.Updated != 1 || rep.Skipped != 2 || rep.Results[2].Action != echelon.RowUpdated {
				t.Errorf("report %+v, want line 4 updated and 2 skipped", rep)
			}
			var page struct{ Items []crm.Account }
			h.callJSON(t, "eastRep", "GET", "/api/v1/accounts?q=Import%20Gamma", "", 200, &page)
			if len(page.Items) != 1 || page.Items[0].Industry != "Wholesale" {
				t.Errorf("Import Gamma: %+v", page.Items)
			}
		})

		t.Run("one bad row imports nothing and names its line in the caller's language", func(t *testing.T) {
			bad := "external_id,name,phone,status\n" +
				"NEW-1,Fresh Delta,,prospect\n" +
				"NEW-2,Fresh Epsilon,,vip\n" +
				"NEW-3,Fresh Zeta,,prospect\n"
			cat, err := i18n.Load()
			if err != nil {
				t.Fatal(err)
			}
			for _, lang := range []string{i18n.Chinese, i18n.English} {
				before := h.fingerprint(t)
				rep := run(t, lang, 422, accounts, csvFile(bad))
				if rep.Committed || rep.Failed != 1 || rep.Rows != 3 {
					t.Errorf("%s: report %+v, want 1 failed of 3 and nothing committed", lang, rep)
				}
				r := rep.Results[1]
				if r.Line != 3 || r.Action != echelon.RowFailed || r.Error == nil || r.Error.Field != "status" {
					t.Fatalf("%s: line 3 result %+v, want the bad status", lang, r)
				}
				if want := cat.T(lang, "account.status_invalid"); r.Error.Message != want {
					t.Errorf("%s: message %q, want %q", lang, r.Error.Message, want)
				}
				if after := h.fingerprint(t); after != before {
					t.Errorf("%s: a failed import wrote:\n%s", lang, fingerprintDiff(before, after))
				}
			}
			var page struct{ Items []crm.Account }
			h.callJSON(t, "admin", "GET", "/api/v1/accounts?q=Fresh", "", 200, &page)
			if len(page.Items) != 0 {
				t.Errorf("the good rows of a failed file were written: %+v", page.Items)
			}
		})

		t.Run("a duplicate of another rep's customer fails its row naming the owner", func(t *testing.T) {
			rep := run(t, "en", 422, accounts,
				csvFile("name,phone\nHarmless Co,\nSomething else,+86 20 6666 0202\n"))
			r := rep.Results[1]
			if r.Line != 3 || r.Error == nil || r.Error.Code != echelon.ECONFLICT || !strings.Contains(r.Error.Message, "westRep") {
				t.Errorf("line 3 result %+v, want the duplicate named with its owner", r)
			}
		})

		t.Run("an XLSX file imports like a CSV", func(t *testing.T) {
			var b bytes.Buffer
			if err := sheet.WriteXLSX(&b, "accounts", []string{"external_id", "name", "industry"},
				[][]string{{"XLS-1", "Import Xlsx One", "Retail"}, {"XLS-2", "Import Xlsx Two", "Retail"}}); err != nil {
				t.Fatal(err)
			}
			rep := run(t, "", 200, accounts, formPart{"file", "accounts.xlsx", b.String()})
			if !rep.Committed || rep.Created != 2 || rep.Encoding != "XLSX" {
				t.Errorf("report %+v, want 2 created from XLSX", rep)
			}
		})

		t.Run("a rep's export imports again unchanged", func(t *testing.T) {
			res, out := h.send(t, "GET", "/api/v1/exports/accounts?q=Import", h.token("eastRep"), "", "")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("export: %d %s", res.StatusCode, out)
			}
			rep := run(t, "en", 200, accounts, formPart{"file", "export.csv", string(out)}, formPart{"dry_run", "", "true"})
			if rep.Rows != 5 || rep.Skipped != 5 {
				t.Errorf("report %+v, want the 5 exported rows skipped as unchanged", rep)
			}
		})

		t.Run("an explicit mapping leaves columns out", func(t *testing.T) {
			mapping := `{"external_id":"external_id","客户名称":"name","行业":"","电话":"","状态":""}`
			rep := run(t, "", 200, accounts, formPart{"mapping", "", mapping},
				csvFile(strings.ReplaceAll(strings.ReplaceAll(file, "IMP-", "MAP-"), "Import ", "Mapped ")), formPart{"dry_run", "", "true"})
			if !slices.Equal(rep.Ignored, []string{"状态", "电话", "行业"}) || rep.Created != 3 {
				t.Errorf("report %+v, want three columns ignored and 3 rows created", rep)
			}
		})
	})
}

func TestCRMAPI_ListsReportThePageTheyUsed(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		allVars(t, h)
		for i := 0; i < 5; i++ {
			h.create(t, "eastRep", "/api/v1/accounts", fmt.Sprintf(`{"name":"Paged %d"}`, i))
		}
		for _, c := range []struct {
			path        string
			limit, want int
			more        bool
		}{
			{"/api/v1/accounts?q=Paged", 50, 5, false},
			{"/api/v1/accounts?q=Paged&limit=500", 50, 5, false},
			{"/api/v1/accounts?q=Paged&limit=2", 2, 2, true},
			{"/api/v1/accounts?q=Paged&limit=2&offset=4", 2, 1, false},
			{"/api/v1/contacts?limit=1000", 50, 1, false},
		} {
			var page struct {
				Items   []json.RawMessage
				HasMore bool `json:"has_more"`
				Limit   int
				Offset  int
			}
			h.callJSON(t, "eastRep", "GET", c.path, "", 200, &page)
			if page.Limit != c.limit || len(page.Items) != c.want || page.HasMore != c.more {
				t.Errorf("%s: limit %d, %d items, has_more %v; want %d, %d, %v", c.path, page.Limit, len(page.Items), page.HasMore, c.limit, c.want, c.more)
			}
		}
	})
}

// mavenDir is the shared Maven data set, beside the project.
const mavenDir = "../../../shared/datasets/maven-crm-sales-opportunities"

// TestCRMAPI_TheMavenDataSetImportsThroughTheAPI loads the whole data set
// (~8,800 opportunities) once, on SQLite only: it takes several seconds.
func TestCRMAPI_TheMavenDataSetImportsThroughTheAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: imports the whole Maven data set")
	}
	var parts []formPart
	lines := map[string]int{}
	for _, name := range importer.MavenFiles() {
		b, err := os.ReadFile(filepath.Join(mavenDir, name))
		if err != nil {
			t.Skipf("data set not available: %v", err)
		}
		tab, err := sheet.ReadCSV(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		lines[name] = len(tab.Rows)
		parts = append(parts, formPart{strings.TrimSuffix(name, ".csv"), name, string(b)})
	}
	h := newHarness(t, dbtest.SQLite(t))
	res, out := h.sendUpload(t, "admin", "/api/v1/imports/maven", "en", parts...)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%.2000s", res.StatusCode, out)
	}
	for _, p := range loadDoc(t).checkResponse("POST", "/api/v1/imports/maven", res, out) {
		t.Errorf("does not match openapi.json: %s", p)
	}
	var rep importer.DatasetReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Committed || rep.DryRun || rep.Failed() != 0 {
		t.Fatalf("committed %v, dry run %v, %d failed rows", rep.Committed, rep.DryRun, rep.Failed())
	}
	got := map[string]int{}
	for _, p := range rep.Parts {
		if p.Created+p.Updated+p.Skipped+p.Failed != p.Rows || len(p.Results) != p.Rows {
			t.Errorf("%s: %d+%d+%d+%d do not add up to %d rows", p.File, p.Created, p.Updated, p.Skipped, p.Failed, p.Rows)
		}
		if !p.Committed {
			t.Errorf("%s: not committed", p.File)
		}
		for _, r := range p.Results {
			for _, n := range append(r.Notes, r.Error) {
				if n != nil && (n.Message == "" || n.Message == n.Key) {
					t.Errorf("%s line %d: note %s has no English message", p.File, r.Line, n.Key)
				}
			}
		}
		got[p.File] = p.Rows
	}
	for name, n := range lines {
		if got[name] != n {
			t.Errorf("%s: report has %d rows, the file %d", name, got[name], n)
		}
	}
	var opps struct {
		Items   []crm.Opportunity
		HasMore bool `json:"has_more"`
	}
	h.callJSON(t, "admin", "GET", fmt.Sprintf("/api/v1/opportunities?limit=1&offset=%d", lines["sales_pipeline.csv"]-1), "", 200, &opps)
	if len(opps.Items) != 1 || opps.HasMore {
		t.Errorf("the last of %d imported opportunities: %d items, has_more %v", lines["sales_pipeline.csv"], len(opps.Items), opps.HasMore)
	}
	// Imported people sign in with no password; their records are scoped like any other.
	var people struct{ Total int }
	h.callJSON(t, "admin", "GET", "/api/v1/people?q="+url.QueryEscape("maven.example"), "", 200, &people)
	if people.Total == 0 {
		t.Error("no imported people")
	}
}

func TestCRMAPI_TerritoriesPlaceNewAccountsAndSaySo(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		vars := allVars(t, h)
		cat, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range []struct {
			name, as, body string
			owner, unit    string
			key            string
			args           []any
		}{
			{"an unowned account in the East's market goes into the East's pool", "eastMgr", `{"name":"Chip Fab %d","industry":"Semiconductors","org_unit_id":{eastA}}`,
				"", "华东大区 East", "territory.pooled", []any{"East chips", "华东大区 East"}},
			{"an unowned account in westRep's market goes to westRep", "admin", `{"name":"Wind Farm %d","industry":"Wind power","org_unit_id":{west}}`,
				"westRep", "华南大区 West", "territory.assigned", []any{"West wind", "westRep"}},
			{"a rep keeps an account in another's market, and is told whose it is", "eastRep", `{"name":"Turbine Parts %d","industry":"Wind power"}`,
				"eastRep", "East team A", "territory.owner_differs", []any{"West wind", "westRep"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				for j, lang := range []string{i18n.Chinese, i18n.English} {
					res, out := h.send(t, "POST", "/api/v1/accounts", h.token(c.as), lang, fill(t, fmt.Sprintf(c.body, 10*i+j), vars))
					if res.StatusCode != http.StatusCreated {
						t.Fatalf("%s: %d %s", lang, res.StatusCode, out)
					}
					for _, p := range loadDoc(t).checkResponse("POST", "/api/v1/accounts", res, out) {
						t.Errorf("does not match openapi.json: %s", p)
					}
					var a crm.Account
					if err := json.Unmarshal(out, &a); err != nil {
						t.Fatal(err)
					}
					if a.OwnerName != c.owner || a.UnitName != c.unit || a.TerritoryName == "" {
						t.Errorf("%s: owner %q in %q, territory %q; want %q in %q", lang, a.OwnerName, a.UnitName, a.TerritoryName, c.owner, c.unit)
					}
					if len(a.Notes) != 1 || a.Notes[0].Key != c.key {
						t.Fatalf("%s: notes %+v, want %s", lang, a.Notes, c.key)
					}
					if want := cat.T(lang, c.key, c.args...); a.Notes[0].Message != want {
						t.Errorf("%s: note %q, want %q", lang, a.Notes[0].Message, want)
					}
				}
			})
		}
	})
}
