package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/i18n"
)

// The CRM pages as each role uses them: lists, the account 360 page, the
// pipeline board's no-JavaScript move form, leads, my day and imports.
// CRM records are made through the API, as a person would.

// crmPageWorld is what crmPages seeds: ids by name.
type crmPageWorld map[string]int64

func (w crmPageWorld) s(key string) string { return strconv.FormatInt(w[key], 10) }

// Distinct names to look for on pages.
const (
	pgEastAccount = "Eastwind Precision 东风精密"
	pgWestAccount = "Westbrook Energy 西溪能源"
	pgEastOpp     = "Eastwind line automation"
	pgWestOpp     = "Westbrook turbine retrofit"
	pgEastPool    = "Eastern Pool Logistics"
	pgWestPool    = "Western Pool Mining"
	pgEastLead    = "Eastgate Lead Works"
	pgWestLead    = "Westgate Lead Works"
	pgWestPhone   = "020-7777-0303"
)

// apiCreate POSTs body as who through the API, requires 201 and returns the new id.
func (h *harness) apiCreate(t *testing.T, who, path string, body any) int64 {
	t.Helper()
	res, out := h.do("POST", path, h.token(who), body)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s as %s: %d %s", path, who, res.StatusCode, out)
	}
	var rec struct{ ID int64 }
	if err := json.Unmarshal(out, &rec); err != nil || rec.ID == 0 {
		t.Fatalf("POST %s: no id in %s", path, out)
	}
	return rec.ID
}

// apiGet reads a record through the API as who into out and returns the status.
func (h *harness) apiGet(t *testing.T, who, path string, out any) int {
	t.Helper()
	res, body := h.do("GET", path, h.token(who), nil)
	if res.StatusCode == http.StatusOK && out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	return res.StatusCode
}

// crmPages seeds an account, a contact, a deal, an activity and a lead for
// eastRep and for westRep, and an unowned account in each region's pool.
func crmPages(t *testing.T, h *harness) crmPageWorld {
	t.Helper()
	w := crmPageWorld{}
	var stages struct {
		Items []struct {
			ID   int64
			Code string
		}
	}
	h.apiGet(t, "admin", "/api/v1/stages", &stages)
	for _, st := range stages.Items {
		w[st.Code] = st.ID
	}
	w["product"] = h.apiCreate(t, "admin", "/api/v1/products", map[string]any{"code": "PG-1", "name": "Page Pro", "list_price": 500000})
	for _, s := range []struct{ side, rep, account, phone, opp, lead string }{
		{"east", "eastRep", pgEastAccount, "021-7777-0101", pgEastOpp, pgEastLead},
		{"west", "westRep", pgWestAccount, pgWestPhone, pgWestOpp, pgWestLead},
	} {
		acc := h.apiCreate(t, s.rep, "/api/v1/accounts", map[string]any{"name": s.account, "phone": s.phone, "industry": "Manufacturing",
			"province": "上海", "status": "customer"})
		w[s.side+"Account"] = acc
		w[s.side+"Contact"] = h.apiCreate(t, s.rep, "/api/v1/contacts", map[string]any{"account_id": acc, "name": "Contact " + s.side, "title": "CTO"})
		w[s.side+"Opp"] = h.apiCreate(t, s.rep, "/api/v1/opportunities", map[string]any{"name": s.opp, "account_id": acc,
			"stage_id": w["prospecting"], "amount": 12345600, "expected_close": time.Now().Format("2006-01-02")})
		w[s.side+"Activity"] = h.apiCreate(t, s.rep, "/api/v1/activities", map[string]any{"kind": "call", "subject": "Intro call " + s.side,
			"at": time.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339), "account_id": acc, "opportunity_id": w[s.side+"Opp"],
			"outcome": "Interested", "next_step": "Send the quote " + s.side, "next_step_at": time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339)})
		w[s.side+"Lead"] = h.apiCreate(t, s.rep, "/api/v1/leads", map[string]any{"company": s.lead, "contact_name": "Li " + s.side, "source": "Fair"})
	}
	w["eastPool"] = h.apiCreate(t, "eastMgr", "/api/v1/accounts", map[string]any{"name": pgEastPool, "org_unit_id": h.Units["east"].ID})
	w["westPool"] = h.apiCreate(t, "westMgr", "/api/v1/accounts", map[string]any{"name": pgWestPool, "org_unit_id": h.Units["west"].ID})
	return w
}

// msgParts returns the literal pieces of a catalogue message around its
// placeholders, as a page writes them, for messages whose arguments a
// test cannot know (a time of day).
func msgParts(t *testing.T, lang, key string) []string {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;")
	var out []string
	for _, p := range regexp.MustCompile(`%[sd]`).Split(cat.T(lang, key), -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, r.Replace(p))
		}
	}
	return out
}

// hasAll reports the first of wants that body lacks.
func hasAll(body string, wants ...string) (string, bool) {
	for _, w := range wants {
		if !strings.Contains(body, w) {
			return w, false
		}
	}
	return "", true
}

// versionIn returns the version a page's form at action carries.
func versionIn(t *testing.T, body, action string) string {
	t.Helper()
	i := strings.Index(body, `action="`+action+`"`)
	if i < 0 {
		t.Fatalf("no form posting to %s", action)
	}
	m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body[i:])
	if m == nil {
		t.Fatalf("form %s has no version", action)
	}
	return m[1]
}

func TestCRMPages_EachRoleSeesItsScopeAndMarketingIsRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		w := crmPages(t, h)
		pages := []string{"/accounts", "/accounts?pool=true", "/accounts/new", "/opportunities", "/opportunities/new",
			"/pipeline", "/my-day", "/leads", "/import"}
		forbidden := msg(t, "zh-CN", "perm.forbidden")
		var cases []pageCase
		for _, who := range []string{"admin", "senior", "eastMgr", "eastRep", "westMgr", "westRep"} {
			for _, p := range pages {
				cases = append(cases, pageCase{who: who, path: p, status: 200, has: []string{`href="/pipeline"`}})
			}
		}
		for _, p := range append(pages, "/accounts/"+w.s("eastAccount"), "/opportunities/"+w.s("eastOpp"), "/leads/"+w.s("eastLead")+"/convert") {
			cases = append(cases, pageCase{who: "mkt", path: p, status: 403, has: []string{forbidden}})
		}
		eastOnly := []string{pgWestAccount, pgWestOpp, pgWestLead, pgWestPool, "Send the quote west"}
		westOnly := []string{pgEastAccount, pgEastOpp, pgEastLead, pgEastPool, "Send the quote east"}
		cases = append(cases,
			pageCase{who: "mkt", path: "/", status: 200, not: []string{`href="/pipeline"`, `href="/accounts"`}},
			// Every list and board stays in the viewer's scope.
			pageCase{who: "eastRep", path: "/accounts", status: 200, has: []string{pgEastAccount}, not: eastOnly},
			pageCase{who: "eastRep", path: "/accounts?pool=true", status: 200, has: []string{pgEastPool, `action="/accounts/` + w.s("eastPool") + `/claim"`}, not: eastOnly},
			pageCase{who: "eastRep", path: "/opportunities", status: 200, has: []string{pgEastOpp, "123,456.00 CNY"}, not: eastOnly},
			pageCase{who: "eastRep", path: "/pipeline", status: 200, has: []string{pgEastOpp, `action="/opportunities/` + w.s("eastOpp") + `/stage"`}, not: eastOnly},
			pageCase{who: "eastRep", path: "/my-day", status: 200, has: []string{"Send the quote east", pgEastOpp}, not: eastOnly},
			pageCase{who: "eastRep", path: "/leads", status: 200, has: []string{pgEastLead}, not: eastOnly},
			pageCase{who: "eastRep", path: "/opportunities/new", status: 200, has: []string{pgEastAccount}, not: eastOnly},
			pageCase{who: "eastMgr", path: "/accounts", status: 200, has: []string{pgEastAccount, pgEastPool}, not: eastOnly},
			pageCase{who: "eastMgr", path: "/pipeline", status: 200, has: []string{pgEastOpp}, not: eastOnly},
			pageCase{who: "westRep", path: "/accounts", status: 200, has: []string{pgWestAccount}, not: westOnly},
			pageCase{who: "westRep", path: "/accounts?pool=true", status: 200, has: []string{pgWestPool}, not: westOnly},
			pageCase{who: "westRep", path: "/pipeline", status: 200, has: []string{pgWestOpp}, not: westOnly},
			pageCase{who: "westMgr", path: "/my-day", status: 200, has: []string{"Send the quote west"}, not: westOnly},
			pageCase{who: "admin", path: "/accounts", status: 200, has: []string{pgEastAccount, pgWestAccount}},
			pageCase{who: "senior", path: "/pipeline", status: 200, has: []string{pgEastOpp, pgWestOpp}},
			// A column counts and sums the viewer's deals (each rep has one of 123,456.00 CNY).
			pageCase{who: "eastRep", path: "/pipeline", status: 200, has: []string{`data-count="1"`, `data-currency="CNY" data-total="12345600"`}, not: []string{`data-count="2"`}},
			pageCase{who: "senior", path: "/pipeline", status: 200, has: []string{`data-count="2"`, `data-currency="CNY" data-total="24691200"`}},
			pageCase{who: "senior", path: "/pipeline?owner_id=" + id(h.People["westRep"].ID), status: 200, has: []string{`data-count="1"`, `data-total="12345600"`}, not: []string{pgEastOpp}},
			// A deep link outside the scope is not found, on every page of a record.
			pageCase{who: "eastRep", path: "/accounts/" + w.s("westAccount"), status: 404},
			pageCase{who: "eastRep", path: "/accounts/" + w.s("westPool"), status: 404},
			pageCase{who: "eastRep", path: "/opportunities/" + w.s("westOpp"), status: 404},
			pageCase{who: "eastRep", path: "/leads/" + w.s("westLead") + "/convert", status: 404},
			pageCase{who: "eastMgr", path: "/accounts/" + w.s("westAccount"), status: 404},
			pageCase{who: "westRep", path: "/accounts/" + w.s("eastAccount"), status: 404},
			// The 360 page: details, contacts, deals, activities, history and the forms the viewer may use.
			pageCase{who: "eastRep", path: "/accounts/" + w.s("eastAccount"), status: 200,
				has: []string{pgEastAccount, "Contact east", pgEastOpp, "Intro call east", msg(t, "zh-CN", "crm.own.create"),
					`action="/accounts/` + w.s("eastAccount") + `/activities"`, `action="/accounts/` + w.s("eastAccount") + `/release"`,
					`name="version"`}, not: []string{`action="/accounts/` + w.s("eastAccount") + `/transfer"`}},
			pageCase{who: "eastMgr", path: "/accounts/" + w.s("eastAccount"), status: 200,
				has: []string{`action="/accounts/` + w.s("eastAccount") + `/transfer"`, ">eastMgr · 华东大区 East<"}},
			pageCase{who: "eastRep", path: "/accounts/" + w.s("eastPool"), status: 200,
				has: []string{`action="/accounts/` + w.s("eastPool") + `/claim"`, msg(t, "zh-CN", "crm.account.pool_heading")},
				not: []string{`action="/accounts/` + w.s("eastPool") + `"`}},
			pageCase{who: "admin", path: "/accounts/" + w.s("westPool"), status: 200, not: []string{`/claim"`, `action="/accounts/` + w.s("westPool") + `/activities"`}},
			pageCase{who: "eastRep", path: "/opportunities/" + w.s("eastOpp"), status: 200,
				has: []string{pgEastOpp, pgEastAccount, "123,456.00 CNY", msg(t, "zh-CN", "crm.opportunity.stage_history"), "Intro call east"}},
			// Imports offer only what the viewer may import; the data set only to an administrator.
			pageCase{who: "eastRep", path: "/import", status: 200, has: []string{`value="accounts"`}, not: []string{`value="people"`, `value="products"`, `action="/import/maven"`}},
			pageCase{who: "admin", path: "/import", status: 200, has: []string{`value="people"`, `value="products"`, `action="/import/maven"`}},
			pageCase{who: "admin", path: "/accounts/999999", status: 404},
			pageCase{who: "admin", path: "/opportunities?stage_id=x", status: 400},
		)
		h.runPages(t, cases)
	})
}

func TestCRMPages_ListsFilterPageWithoutCountingAndExportWhatTheyShow(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		w := crmPages(t, h)
		b := h.browse("admin")
		_, body := b.get("/accounts?limit=1&sort=name")
		if !strings.Contains(body, `rel="next"`) || strings.Contains(body, `rel="prev"`) {
			t.Errorf("first page of one: want only a next link")
		}
		if strings.Contains(body, msg(t, "zh-CN", "pager.range", "1", "1", "4")) {
			t.Errorf("the account list counted its rows")
		}
		_, body = b.get("/accounts?limit=1&sort=name&offset=1")
		if !strings.Contains(body, `rel="prev"`) {
			t.Errorf("second page lacks a previous link")
		}
		_, body = b.get("/accounts?q=Westbrook&status=customer")
		if w, ok := hasAll(body, pgWestAccount, `formaction="/export/accounts?format=csv&amp;q=Westbrook&amp;status=customer"`,
			`formaction="/export/accounts?format=xlsx&amp;q=Westbrook&amp;status=customer"`); !ok {
			t.Errorf("filtered list lacks %q", w)
		}
		if strings.Contains(body, pgEastAccount) {
			t.Errorf("search for Westbrook shows the east account")
		}
		res, csv := b.get("/api/v1/exports/accounts?format=csv&q=Westbrook&status=customer")
		if res.StatusCode != 200 || !strings.Contains(csv, pgWestAccount) || strings.Contains(csv, pgEastAccount) {
			t.Errorf("export of the filtered list: %d\n%s", res.StatusCode, csv)
		}
		_, body = b.get("/accounts?q=nothing-like-this")
		if !strings.Contains(body, msg(t, "zh-CN", "crm.accounts.none_match")) {
			t.Errorf("no empty state for a search without results")
		}
		_, body = b.get("/opportunities?outcome=open&sort=-amount")
		if !strings.Contains(body, `aria-sort="descending"`) || !strings.Contains(body, pgEastOpp) {
			t.Errorf("opportunities sorted by amount")
		}
		rep := h.browse("westRep")
		_, body = rep.get("/leads")
		if !strings.Contains(body, pgWestLead) || !strings.Contains(body, `action="/leads"`) {
			t.Errorf("the rep's leads page lacks their lead or the new-lead form")
		}
		_, body = rep.get("/leads?q=Westgate&status=new")
		if w, ok := hasAll(body, `formaction="/export/leads?format=csv&amp;q=Westgate&amp;status=new"`,
			`formaction="/export/leads?format=xlsx&amp;q=Westgate&amp;status=new"`); !ok {
			t.Errorf("the filtered leads page lacks %q", w)
		}
		res, csv = rep.get("/api/v1/exports/leads?format=csv&q=Westgate&status=new")
		if res.StatusCode != 200 || !strings.Contains(csv, pgWestLead) || strings.Contains(csv, pgEastLead) {
			t.Errorf("export of the rep's filtered leads: %d\n%s", res.StatusCode, csv)
		}
		// The activities of an account or a deal export from its page.
		acc := "/accounts/" + w.s("westAccount")
		_, body = rep.get(acc)
		if !strings.Contains(body, `formaction="/export/activities?account_id=`+w.s("westAccount")+`&amp;format=csv"`) {
			t.Errorf("the account page lacks the export of its activities")
		}
		_, body = rep.get("/opportunities/" + w.s("westOpp"))
		if !strings.Contains(body, `formaction="/export/activities?format=xlsx&amp;opportunity_id=`+w.s("westOpp")+`"`) {
			t.Errorf("the deal page lacks the export of its activities")
		}
		res, csv = rep.get("/api/v1/exports/activities?account_id=" + w.s("westAccount") + "&format=csv")
		if res.StatusCode != 200 || !strings.Contains(csv, "Intro call west") || strings.Contains(csv, "Intro call east") {
			t.Errorf("export of the account's activities: %d\n%s", res.StatusCode, csv)
		}
	})
}

func TestCRMPages_NewAccountFormCreatesOrShowsWhoOwnsTheDuplicate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		w := crmPages(t, h)
		count := func() int {
			var list struct{ Items []any }
			h.apiGet(t, "admin", "/api/v1/accounts?limit=200", &list)
			return len(list.Items)
		}
		before := count()
		b := h.browse("eastRep")
		b.get("/accounts/new")
		res, body := b.post("/accounts", url.Values{"name": {"Nanjing Rivet 南京铆钉"}, "industry": {"Hardware"}, "phone": {"025-1234-5678"},
			"status": {"prospect"}, "province": {"江苏"}, "city": {"南京"}})
		m := regexp.MustCompile(`^/accounts/(\d+)$`).FindStringSubmatch(res.Request.URL.Path)
		if res.StatusCode != 200 || m == nil || !strings.Contains(body, msg(t, "zh-CN", "crm.account.created")) {
			t.Fatalf("create: %d %s", res.StatusCode, res.Request.URL)
		}
		var acc struct {
			OwnerID int64 `json:"owner_id"`
			Name    string
		}
		if h.apiGet(t, "eastRep", "/api/v1/accounts/"+m[1], &acc); acc.OwnerID != h.People["eastRep"].ID || acc.Name != "Nanjing Rivet 南京铆钉" {
			t.Errorf("new account: %+v", acc)
		}
		if count() != before+1 {
			t.Fatalf("accounts %d → %d, want one more", before, count())
		}

		t.Run("ErrDuplicateName", func(t *testing.T) {
			wb := h.browse("westRep")
			wb.get("/accounts/new")
			res, body := wb.post("/accounts", url.Values{"name": {"  EASTWIND precision 东风精密 "}, "industry": {"Other"}})
			if res.StatusCode != http.StatusConflict {
				t.Fatalf("status %d, want 409", res.StatusCode)
			}
			want := msg(t, "zh-CN", "account.duplicate", pgEastAccount, w["eastAccount"], "eastRep")
			if x, ok := hasAll(body, want, `id="e-name"`, `value="  EASTWIND precision 东风精密 "`, `value="Other"`); !ok {
				t.Errorf("re-rendered form lacks %q", x)
			}
		})
		t.Run("ErrDuplicatePhoneInThePool", func(t *testing.T) {
			h.do("PATCH", "/api/v1/accounts/"+w.s("eastPool"), h.token("eastMgr"), map[string]any{"phone": "021-9999-0000", "version": 1})
			res, body := b.post("/accounts", url.Values{"name": {"Another Name Ltd"}, "phone": {"(021) 9999 0000"}})
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, msg(t, "zh-CN", "account.duplicate_pool", pgEastPool, w["eastPool"])) ||
				!strings.Contains(body, `id="e-phone"`) {
				t.Errorf("status %d, message beside the phone missing", res.StatusCode)
			}
		})
		t.Run("ErrNameMissing", func(t *testing.T) {
			res, body := b.post("/accounts", url.Values{"name": {""}, "industry": {"Hardware"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, "zh-CN", "field.required")) {
				t.Errorf("status %d, message missing", res.StatusCode)
			}
		})
		if count() != before+1 {
			t.Errorf("a refused form created an account: %d → %d", before+1, count())
		}
	})
}

func TestCRMPages_EditFormsRefuseAStaleVersionAndKeepTheInput(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		w := crmPages(t, h)
		b := h.browse("eastRep")
		path := "/accounts/" + w.s("eastAccount")
		_, body := b.get(path)
		version := versionIn(t, body, path)
		// The manager changes the account meanwhile.
		if res, out := h.do("PATCH", "/api/v1/accounts/"+w.s("eastAccount"), h.token("eastMgr"), map[string]any{"industry": "Robotics", "version": 1}); res.StatusCode != 200 {
			t.Fatalf("manager's change: %d %s", res.StatusCode, out)
		}
		res, body := b.post(path, url.Values{"version": {version}, "name": {"Eastwind Renamed"}, "industry": {"Manufacturing"}, "status": {"customer"}})
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("stale save: %d, want 409", res.StatusCode)
		}
		parts := append(msgParts(t, "zh-CN", "record.changed"), "eastMgr", `value="Eastwind Renamed"`)
		if x, ok := hasAll(body, parts...); !ok {
			t.Errorf("stale account form lacks %q", x)
		}
		var acc struct{ Name, Industry string }
		if h.apiGet(t, "eastRep", "/api/v1/accounts/"+w.s("eastAccount"), &acc); acc.Name != pgEastAccount || acc.Industry != "Robotics" {
			t.Errorf("after the refused save: %+v", acc)
		}
		// With the current version the same form saves.
		_, body = b.get(path)
		res, _ = b.post(path, url.Values{"version": {versionIn(t, body, path)}, "name": {"Eastwind Renamed"}, "industry": {"Robotics"}, "status": {"customer"}})
		if res.StatusCode != 200 || res.Request.URL.Query().Get("flash") != "crm.account.saved" {
			t.Errorf("fresh save: %d %s", res.StatusCode, res.Request.URL)
		}

		t.Run("Opportunity", func(t *testing.T) {
			opath := "/opportunities/" + w.s("eastOpp")
			_, body := b.get(opath)
			v := versionIn(t, body, opath)
			h.do("PATCH", "/api/v1/opportunities/"+w.s("eastOpp"), h.token("eastMgr"), map[string]any{"amount": 100, "version": 1})
			res, body := b.post(opath, url.Values{"version": {v}, "name": {"Late rename"}, "stage_id": {w.s("prospecting")}, "amount": {"123456.00"}})
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, "eastMgr") || !strings.Contains(body, `value="Late rename"`) {
				t.Errorf("stale deal form: %d", res.StatusCode)
			}
		})
	})
}

func TestCRMPages_TheNoJavaScriptMoveFormMovesADealAndRefusesAStaleOne(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		w := crmPages(t, h)
		b := h.browse("eastRep")
		opp := w.s("eastOpp")
		_, body := b.get("/pipeline")
		action := "/opportunities/" + opp + "/stage"
		version := versionIn(t, body, action)
		res, body := b.post(action, url.Values{"stage_id": {w.s("qualification")}, "version": {version}, "next": {"/pipeline"}})
		if res.StatusCode != 200 || res.Request.URL.Path != "/pipeline" || !strings.Contains(body, msg(t, "zh-CN", "crm.opportunity.moved")) {
			t.Fatalf("move: %d %s", res.StatusCode, res.Request.URL)
		}
		var o struct {
			StageID int64 `json:"stage_id"`
			Version int
			Outcome string
		}
		if h.apiGet(t, "eastRep", "/api/v1/opportunities/"+opp, &o); o.StageID != w["qualification"] {
			t.Fatalf("stage after the move: %+v", o)
		}
		// The same form again, with the version it was drawn with: refused, nothing changes.
		res, body = b.post(action, url.Values{"stage_id": {w.s("proposal")}, "version": {version}, "next": {"/pipeline"}})
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("stale move: %d, want 409", res.StatusCode)
		}
		if x, ok := hasAll(body, append(msgParts(t, "zh-CN", "record.changed"), "eastRep", `class="deal deal-failed"`)...); !ok {
			t.Errorf("stale move page lacks %q", x)
		}
		// Lost needs a reason; the refusal keeps the board.
		res, body = b.post(action, url.Values{"stage_id": {w.s("lost")}, "version": {strconv.Itoa(o.Version)}, "next": {"/pipeline"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, "zh-CN", "opportunity.lost_reason_required")) {
			t.Errorf("lost without a reason: %d", res.StatusCode)
		}
		res, _ = b.post(action, url.Values{"stage_id": {w.s("lost")}, "version": {strconv.Itoa(o.Version)}, "lost_reason": {"Budget cut"}, "next": {"/opportunities/" + opp}})
		if res.StatusCode != 200 || res.Request.URL.Path != "/opportunities/"+opp {
			t.Fatalf("lost with a reason: %d %s", res.StatusCode, res.Request.URL)
		}
		if h.apiGet(t, "eastRep", "/api/v1/opportunities/"+opp, &o); o.Outcome != "lost" {
			t.Errorf("after moving to lost: %+v", o)
		}
		_, body = b.get("/opportunities/" + opp)
		if x, ok := hasAll(body, "Budget cut", "初步接洽", "需求确认", "输单", ">eastRep<"); !ok {
			t.Errorf("deal page (stage history) lacks %q", x)
		}
		// Another rep cannot move it, even with the right version.
		wb := h.browse("westRep")
		wb.get("/pipeline")
		if res, _ := wb.post(action, url.Values{"stage_id": {w.s("won")}, "version": {"1"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("westRep moving eastRep's deal: %d, want 404", res.StatusCode)
		}
		// The board's drag calls the API with the page's CSRF token.
		_, body = b.get("/pipeline?closed=all")
		if !regexp.MustCompile(`data-csrf="[A-Za-z0-9_-]{16,}"`).MatchString(body) || !strings.Contains(body, `src="/static/kanban.js"`) {
			t.Errorf("the board lacks its CSRF token or script: %s", regexp.MustCompile(`data-csrf="[^"]*"`).FindString(body))
		}
		if res, js := b.get("/static/kanban.js"); res.StatusCode != 200 || !strings.Contains(js, "X-CSRF-Token") || !strings.Contains(js, `method: "PATCH"`) {
			t.Errorf("kanban.js: %d", res.StatusCode)
		}
	})
}

func TestCRMPages_ClaimReleaseAndTransferKeepTheirHistory(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		w := crmPages(t, h)
		b := h.browse("eastRep")
		pool := w.s("eastPool")
		b.get("/accounts?pool=true")
		res, body := b.post("/accounts/"+pool+"/claim", url.Values{})
		if res.StatusCode != 200 || res.Request.URL.Path != "/accounts/"+pool || !strings.Contains(body, msg(t, "zh-CN", "crm.account.claimed")) {
			t.Fatalf("claim: %d %s", res.StatusCode, res.Request.URL)
		}
		if x, ok := hasAll(body, msg(t, "zh-CN", "crm.account.owned_by", "eastRep"), msg(t, "zh-CN", "crm.own.claim")); !ok {
			t.Errorf("claimed account page lacks %q", x)
		}
		_, body = b.get("/accounts?pool=true")
		if strings.Contains(body, pgEastPool) {
			t.Errorf("a claimed account is still in the pool list")
		}
		// Returned, it cannot be claimed again at once: the pool page says until when.
		b.get("/accounts/" + pool)
		res, _ = b.post("/accounts/"+pool+"/release", url.Values{"reason": {"Not a fit"}})
		if res.StatusCode != 200 || res.Request.URL.Query().Get("flash") != "crm.account.released" {
			t.Fatalf("release: %d %s", res.StatusCode, res.Request.URL)
		}
		res, body = b.post("/accounts/"+pool+"/claim", url.Values{})
		lockout := msgParts(t, "zh-CN", "pool.locked_out")[0]
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, lockout) || !strings.Contains(body, pgEastPool) {
			t.Errorf("claim within the lockout: %d, want 409 on the pool page", res.StatusCode)
		}
		// A rep of another region does not even see it.
		wb := h.browse("westRep")
		wb.get("/accounts")
		if res, _ := wb.post("/accounts/"+pool+"/claim", url.Values{}); res.StatusCode != http.StatusNotFound {
			t.Errorf("westRep claiming an east pool account: %d, want 404", res.StatusCode)
		}
		// The manager gives it to the rep, with a reason kept in the history.
		mb := h.browse("eastMgr")
		mb.get("/accounts/" + pool)
		res, body = mb.post("/accounts/"+pool+"/transfer", url.Values{"owner_id": {id(h.People["eastRep"].ID)}, "reason": {""}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-t-reason"`) {
			t.Errorf("transfer without a reason: %d", res.StatusCode)
		}
		res, body = mb.post("/accounts/"+pool+"/transfer", url.Values{"owner_id": {id(h.People["eastRep"].ID)}, "reason": {"Key account plan"}})
		if res.StatusCode != 200 || !strings.Contains(body, "Key account plan") || !strings.Contains(body, msg(t, "zh-CN", "crm.own.transfer")) {
			t.Errorf("transfer: %d %s", res.StatusCode, res.Request.URL)
		}
		var acc struct {
			OwnerID int64 `json:"owner_id"`
		}
		if h.apiGet(t, "eastRep", "/api/v1/accounts/"+pool, &acc); acc.OwnerID != h.People["eastRep"].ID {
			t.Errorf("after the transfer the owner is %d", acc.OwnerID)
		}
	})
}

func TestCRMPages_ActivitiesLeadsAndMyDay(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		w := crmPages(t, h)
		b := h.browse("eastRep")
		acc := "/accounts/" + w.s("eastAccount")
		b.get(acc)
		today := time.Now().In(time.FixedZone("CST", 8*3600))
		res, body := b.post(acc+"/activities", url.Values{"kind": {"visit"}, "subject": {"Site visit"}, "at": {today.Format("2006-01-02T15:04")},
			"outcome": {"Met the plant manager"}, "next_step": {"Book the demo"}, "next_step_at": {today.Format("2006-01-02")},
			"contact_id": {w.s("eastContact")}, "opportunity_id": {""}})
		if res.StatusCode != 200 || !strings.Contains(body, "Site visit") || !strings.Contains(body, "Met the plant manager") {
			t.Fatalf("log activity: %d %s", res.StatusCode, res.Request.URL)
		}
		res, body = b.post(acc+"/activities", url.Values{"kind": {"call"}, "subject": {""}, "at": {today.Format("2006-01-02T15:04")}, "outcome": {"kept"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-subject"`) || !strings.Contains(body, ">kept</textarea>") {
			t.Errorf("activity without a subject: %d", res.StatusCode)
		}
		// A pool rule of five days puts every owned account within a week of returning.
		if res, out := h.do("PUT", "/api/v1/pools/1", h.token("admin"), map[string]any{"return_days": 5, "lockout_days": 1}); res.StatusCode != 200 {
			t.Fatalf("pool rule: %d %s", res.StatusCode, out)
		}
		_, body = b.get("/my-day")
		if x, ok := hasAll(body, "Book the demo", "Send the quote east", pgEastOpp, `href="/accounts/`+w.s("eastAccount")+`#log-activity"`); !ok {
			t.Errorf("my day lacks %q", x)
		}
		if strings.Contains(body, pgWestAccount) {
			t.Errorf("eastRep's day shows the west account")
		}
		// A lead for a company someone owns: the conversion names the owner and creates nothing.
		b.get("/leads")
		res, _ = b.post("/leads", url.Values{"company": {pgWestAccount}, "contact_name": {"Zhou"}, "phone": {pgWestPhone}, "source": {"Call"}})
		if res.StatusCode != 200 || res.Request.URL.Query().Get("flash") != "crm.lead.created" {
			t.Fatalf("new lead: %d %s", res.StatusCode, res.Request.URL)
		}
		var leads struct{ Items []struct{ ID int64 } }
		h.apiGet(t, "eastRep", "/api/v1/leads?q="+url.QueryEscape("Westbrook"), &leads)
		if len(leads.Items) != 1 {
			t.Fatalf("leads for Westbrook: %d", len(leads.Items))
		}
		conv := fmt.Sprintf("/leads/%d/convert", leads.Items[0].ID)
		_, body = b.get(conv)
		res, body = b.post(conv, url.Values{"version": {versionIn(t, body, conv)}, "name": {pgWestAccount}, "status": {"prospect"}, "phone": {pgWestPhone},
			"with_opp": {"true"}, "opp_name": {"Westbrook deal"}, "opp_stage_id": {w.s("prospecting")}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, msg(t, "zh-CN", "account.duplicate", pgWestAccount, w["westAccount"], "westRep")) ||
			!strings.Contains(body, `id="e-name"`) {
			t.Errorf("duplicate conversion: %d\n%s", res.StatusCode, body[strings.Index(body, "<main"):])
		}
		// Added to an account of someone else: refused beside the choice; to their own: done.
		res, body = b.post(conv, url.Values{"version": {versionIn(t, body, conv)}, "account_id": {w.s("westAccount")}, "name": {pgWestAccount}, "status": {"prospect"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-account_id"`) {
			t.Errorf("conversion into another rep's account: %d", res.StatusCode)
		}
		res, _ = b.post(conv, url.Values{"version": {versionIn(t, body, conv)}, "account_id": {w.s("eastAccount")}, "name": {pgWestAccount}, "status": {"prospect"}})
		if res.StatusCode != 200 || res.Request.URL.Path != "/accounts/"+w.s("eastAccount") {
			t.Errorf("conversion into the rep's own account: %d %s", res.StatusCode, res.Request.URL)
		}
		// The rep's own lead converts into an account, a contact and a deal.
		conv = "/leads/" + w.s("eastLead") + "/convert"
		_, body = b.get(conv)
		res, body = b.post(conv, url.Values{"version": {versionIn(t, body, conv)}, "name": {pgEastLead}, "status": {"prospect"}, "industry": {"Tools"},
			"with_opp": {"true"}, "opp_name": {"Eastgate first order"}, "opp_stage_id": {w.s("prospecting")}, "opp_amount": {"5000"}})
		if res.StatusCode != 200 || !strings.HasPrefix(res.Request.URL.Path, "/opportunities/") || !strings.Contains(body, "5,000.00 CNY") {
			t.Fatalf("conversion: %d %s", res.StatusCode, res.Request.URL)
		}
		_, body = b.get("/leads")
		if !strings.Contains(body, msg(t, "zh-CN", "crm.lead_status.converted")) {
			t.Errorf("the converted lead is not marked")
		}
	})
}

// upload posts a multipart form with one file as the browser would.
func (b *browser) upload(path string, fields map[string]string, files map[string]string) (*http.Response, string) {
	b.h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", b.csrf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for name, content := range files {
		fw, _ := mw.CreateFormFile(name, name+".csv")
		_, _ = fw.Write([]byte(content))
	}
	_ = mw.Close()
	res, err := b.client.Post(b.h.Server.URL+path, mw.FormDataContentType(), &buf)
	if err != nil {
		b.h.t.Fatal(err)
	}
	return b.read(res)
}

func TestCRMPages_ImportDryRunReportsEveryRowAndSavesNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		crmPages(t, h)
		count := func() int {
			var list struct{ Items []any }
			h.apiGet(t, "admin", "/api/v1/accounts?limit=200", &list)
			return len(list.Items)
		}
		before := count()
		b := h.browse("eastRep")
		b.get("/import")
		file := "客户名称,行业,电话,备注\nNorthstar Tools,Hardware,021-3333-1111,x\n,Hardware,,y\n" + pgEastAccount + ",Hardware,,z\n"
		res, body := b.upload("/import", map[string]string{"entity": "accounts", "dry_run": "true"}, map[string]string{"file": file})
		if res.StatusCode != 200 {
			t.Fatalf("dry run: %d\n%.2000s", res.StatusCode, body)
		}
		if x, ok := hasAll(body, msg(t, "zh-CN", "crm.import.dry_run_done"), msg(t, "zh-CN", "crm.import.sum", "1", "0", "0", "2", "3", "3"),
			msg(t, "zh-CN", "field.required"), `<td class="mono">客户名称</td><td class="mono">name</td>`, `<span class="mono">备注</span>`,
			msg(t, "zh-CN", "crm.row.failed")); !ok {
			t.Errorf("dry-run report lacks %q", x)
		}
		if count() != before {
			t.Errorf("a dry run created accounts: %d → %d", before, count())
		}
		// For real with a bad row: refused whole, in the viewer's language.
		b.post("/lang", url.Values{"lang": {"en"}, "next": {"/import"}})
		res, body = b.upload("/import", map[string]string{"entity": "accounts"}, map[string]string{"file": file})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, "en", "field.required")) ||
			!strings.Contains(body, msg(t, "en", "crm.import.summary_failed", "2", "3")) {
			t.Errorf("failing import: %d", res.StatusCode)
		}
		if count() != before {
			t.Errorf("a failed import created accounts")
		}
		res, body = b.upload("/import", map[string]string{"entity": "accounts"}, map[string]string{"file": "name,industry\nNorthstar Tools,Hardware\n"})
		if res.StatusCode != 200 || !strings.Contains(body, msg(t, "en", "crm.import.summary_committed", "1")) || count() != before+1 {
			t.Errorf("clean import: %d, accounts %d → %d", res.StatusCode, before, count())
		}
		if res, body := b.upload("/import", map[string]string{"entity": "accounts"}, nil); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(body, `id="e-file"`) {
			t.Errorf("import without a file: %d", res.StatusCode)
		}
		if res, _ := b.upload("/import/maven", map[string]string{"dry_run": "true"}, map[string]string{"sales_teams": "x"}); res.StatusCode != http.StatusForbidden {
			t.Errorf("a rep importing the data set: %d, want 403", res.StatusCode)
		}
		mb := h.browse("mkt")
		mb.get("/")
		if res, _ := mb.upload("/import", map[string]string{"entity": "accounts"}, map[string]string{"file": file}); res.StatusCode != http.StatusForbidden {
			t.Errorf("marketing importing: %d, want 403", res.StatusCode)
		}
	})
}
