package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/i18n"
	"github.com/echelonhq/echelon/internal/org"
)

// msg returns a catalogue message as html/template writes it into a page.
func msg(t *testing.T, lang, key string, args ...any) string {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !cat.Has(lang, key) {
		t.Fatalf("catalogue has no %q in %s", key, lang)
	}
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;")
	return r.Replace(cat.T(lang, key, args...))
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// system is a context with the system actor, for checking what the forms changed.
func system() context.Context {
	return echelon.NewContext(context.Background(), echelon.SystemActor("test"))
}

// pageCase is one request of a table-driven page scenario.
type pageCase struct {
	who, path string
	status    int
	has, not  []string
}

func (h *harness) runPages(t *testing.T, cases []pageCase) {
	t.Helper()
	browsers := map[string]*browser{}
	for _, c := range cases {
		b, ok := browsers[c.who]
		if !ok {
			b = h.browse(c.who)
			browsers[c.who] = b
		}
		res, body := b.get(c.path)
		if res.StatusCode != c.status {
			t.Errorf("%s GET %s: status %d, want %d", c.who, c.path, res.StatusCode, c.status)
			continue
		}
		if !strings.Contains(body, `<main id="main"`) {
			t.Errorf("%s GET %s: not a page:\n%.400s", c.who, c.path, body)
		}
		for _, s := range c.has {
			if !strings.Contains(body, s) {
				t.Errorf("%s GET %s: page lacks %q", c.who, c.path, s)
			}
		}
		for _, s := range c.not {
			if strings.Contains(body, s) {
				t.Errorf("%s GET %s: page shows %q, which it must not", c.who, c.path, s)
			}
		}
	}
}

func TestPages_EachRoleSeesWhatItMayAndNoMore(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		p, u := h.People, h.Units
		everyone := []string{"admin", "senior", "mkt", "eastMgr", "eastRep", "westMgr", "westRep"}
		var cases []pageCase
		for _, who := range everyone {
			cases = append(cases,
				pageCase{who: who, path: "/", status: 200, has: []string{msg(t, "zh-CN", "home.greeting", who)}},
				pageCase{who: who, path: "/org", status: 200, has: []string{msg(t, "zh-CN", "org.title")}},
				pageCase{who: who, path: "/people", status: 200},
				pageCase{who: who, path: "/settings", status: 200, has: []string{strings.ToLower(who) + "@example.com"}},
				pageCase{who: who, path: "/people/" + id(p[who].ID), status: 200, has: []string{msg(t, "zh-CN", "person.responsibility")}},
				pageCase{who: who, path: "/people/" + id(p[who].ID) + "/edit", status: 200},
			)
			admin := who == "admin"
			status := map[bool]int{true: 200, false: 403}[admin]
			for _, path := range []string{"/admin/levels", "/admin/roles", "/admin/audit"} {
				cases = append(cases, pageCase{who: who, path: path, status: status})
			}
		}
		forbidden := msg(t, "zh-CN", "perm.forbidden")
		cases = append(cases,
			// The home page follows the role.
			pageCase{who: "admin", path: "/", status: 200, has: []string{`href="/admin/audit"`, msg(t, "zh-CN", "home.stat_people")}},
			pageCase{who: "eastMgr", path: "/", status: 200, has: []string{msg(t, "zh-CN", "home.reports"), ">eastRep<", "East team A"}, not: []string{"westRep", `href="/admin/audit"`}},
			pageCase{who: "senior", path: "/", status: 200, has: []string{">eastMgr<", ">westMgr<"}},
			pageCase{who: "eastRep", path: "/", status: 200, has: []string{"开发新客户", ">eastMgr<"}, not: []string{msg(t, "zh-CN", "home.reports"), `href="/admin/audit"`}},
			pageCase{who: "mkt", path: "/", status: 200, has: []string{"市场支持"}},
			// People lists stay inside each viewer's scope.
			pageCase{who: "eastRep", path: "/people", status: 200, has: []string{">eastRep<"}, not: []string{"westRep", `href="/people/` + id(p["eastMgr"].ID) + `"`}},
			pageCase{who: "eastMgr", path: "/people", status: 200, has: []string{">eastRep<"}, not: []string{"westRep", "westMgr"}},
			pageCase{who: "westMgr", path: "/people", status: 200, has: []string{">westRep<"}, not: []string{"eastRep"}},
			pageCase{who: "admin", path: "/people", status: 200, has: []string{">eastRep<", ">westRep<", `href="/people/new"`}},
			pageCase{who: "eastRep", path: "/people", status: 200, not: []string{`href="/people/new"`}},
			// A person or unit outside the viewer's scope does not exist for them.
			pageCase{who: "westMgr", path: "/people/" + id(p["eastRep"].ID), status: 404},
			pageCase{who: "westRep", path: "/people/" + id(p["eastRep"].ID), status: 404},
			pageCase{who: "eastRep", path: "/people/" + id(p["westRep"].ID), status: 404},
			pageCase{who: "eastMgr", path: "/people/" + id(p["eastRep"].ID), status: 200, has: []string{"开发新客户", `href="/people/` + id(p["eastRep"].ID) + `/edit"`}},
			pageCase{who: "westMgr", path: "/people/" + id(p["eastRep"].ID) + "/edit", status: 404},
			pageCase{who: "eastRep", path: "/people/" + id(p["eastMgr"].ID), status: 404},
			pageCase{who: "westMgr", path: "/org/" + id(u["east"].ID), status: 404},
			pageCase{who: "westRep", path: "/org/" + id(u["eastA"].ID), status: 404},
			pageCase{who: "eastRep", path: "/org/" + id(u["eastA"].ID), status: 200, not: []string{`action="/org/` + id(u["eastA"].ID) + `"`, msg(t, "zh-CN", "unit.people")}},
			pageCase{who: "eastMgr", path: "/org/" + id(u["east"].ID), status: 200, has: []string{"East team A"}, not: []string{`action="/org/` + id(u["east"].ID) + `/close"`}},
			pageCase{who: "eastMgr", path: "/org/" + id(u["eastA"].ID), status: 200, has: []string{`action="/org/` + id(u["eastA"].ID) + `"`, `action="/org/` + id(u["eastA"].ID) + `/close"`}},
			pageCase{who: "admin", path: "/org/1", status: 200, has: []string{"华东大区 East", "华南大区 West"}},
			// The org tree shows each viewer only their part, and the create form only to those who may use it.
			pageCase{who: "eastMgr", path: "/org", status: 200, has: []string{"East team A", `action="/org"`}, not: []string{"华南大区 West"}},
			pageCase{who: "eastRep", path: "/org", status: 200, has: []string{"East team A"}, not: []string{"华南大区 West", `action="/org"`}},
			pageCase{who: "admin", path: "/org", status: 200, has: []string{"East team A", "华南大区 West", `action="/org"`}},
			// Forms for adding people only for those who may add someone.
			pageCase{who: "admin", path: "/people/new", status: 200, has: []string{`name="role"`, `value="admin"`}},
			pageCase{who: "eastMgr", path: "/people/new", status: 200, has: []string{`value="rep"`}, not: []string{`value="regional_manager"`}},
			pageCase{who: "eastRep", path: "/people/new", status: 403, has: []string{forbidden}},
			pageCase{who: "mkt", path: "/people/new", status: 403},
			// A rep edits their own name and phone, nothing else.
			pageCase{who: "eastRep", path: "/people/" + id(p["eastRep"].ID) + "/edit", status: 200, has: []string{`name="name"`}, not: []string{`name="role"`, `name="manager_id"`, `name="active"`}},
			// Only an administrator sees the role select when editing.
			pageCase{who: "eastMgr", path: "/people/" + id(p["eastRep"].ID) + "/edit", status: 200, has: []string{`name="manager_id"`, `name="active"`}, not: []string{`name="role"`}},
			pageCase{who: "admin", path: "/people/" + id(p["eastRep"].ID) + "/edit", status: 200, has: []string{`name="role"`, `action="/people/` + id(p["eastRep"].ID) + `/password"`}},
			pageCase{who: "eastRep", path: "/admin/audit", status: 403, has: []string{msg(t, "zh-CN", "audit.forbidden")}},
			pageCase{who: "admin", path: "/admin/levels/1", status: 200, has: []string{`action="/admin/levels/1"`}},
			pageCase{who: "admin", path: "/admin/levels/999", status: 404},
			pageCase{who: "admin", path: "/people/999999", status: 404},
			pageCase{who: "admin", path: "/people?role=nobody", status: 400},
		)
		h.runPages(t, cases)
	})
}

var personPath = regexp.MustCompile(`^/(people|org)/(\d+)$`)

// createdID returns the id in the path a form redirected to.
func createdID(t *testing.T, res *http.Response, body string) int64 {
	t.Helper()
	m := personPath.FindStringSubmatch(res.Request.URL.Path)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("form did not lead to the new record: %d %s\n%.2000s", res.StatusCode, res.Request.URL, body)
	}
	n, _ := strconv.ParseInt(m[2], 10, 64)
	return n
}

func TestPages_AdminCreatesARegionATeamAndAPersonThroughTheForms(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		b := h.browse("admin")
		b.get("/org")
		res, body := b.post("/org", url.Values{"parent_id": {"1"}, "kind": {"region"}, "name": {"华北大区"}, "manager_id": {id(h.People["senior"].ID)}})
		region := createdID(t, res, body)
		if !strings.Contains(body, msg(t, "zh-CN", "unit.created")) || !strings.Contains(body, "华北大区") {
			t.Errorf("region page lacks its name or the flash:\n%.1500s", body)
		}
		res, body = b.post("/org", url.Values{"parent_id": {id(region)}, "kind": {"team"}, "name": {"北京一组"}, "manager_id": {""}})
		team := createdID(t, res, body)
		u, err := h.Org.FindUnitByID(system(), team)
		if err != nil || u.ParentID != region || u.Kind != org.KindTeam || u.Name != "北京一组" {
			t.Fatalf("team: %+v %v", u, err)
		}
		res, body = b.post("/people", url.Values{
			"email": {"bj1@example.com"}, "name": {"赵北京"}, "phone": {"+86 138 0000 0001"}, "role": {"rep"},
			"org_unit_id": {id(team)}, "manager_id": {id(h.People["senior"].ID)}, "level_id": {"1"},
			"hire_date": {"2024-05-06"}, "lang": {""}, "password": {testPassword},
		})
		pid := createdID(t, res, body)
		for _, want := range []string{msg(t, "zh-CN", "person.created"), "赵北京", "北京一组", "2024年5月6日", "初级销售代表"} {
			if !strings.Contains(body, want) {
				t.Errorf("person page lacks %q", want)
			}
		}
		p, err := h.Org.FindPersonByID(system(), pid)
		if err != nil || p.UnitID != team || p.ManagerID != h.People["senior"].ID || p.Role != echelon.RoleRep {
			t.Fatalf("person: %+v %v", p, err)
		}
		// The new person signs in with the password given on the form.
		nb := h.browse("bj1")
		if _, body := nb.get("/"); !strings.Contains(body, "赵北京") {
			t.Errorf("new person's home page lacks their name")
		}
	})
}

func TestPages_RegionalManagerBuildsATeamBelowTheirRegion(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		b := h.browse("eastMgr")
		_, body := b.get("/org")
		if strings.Contains(body, `<option value="1"`) {
			t.Errorf("a regional manager is offered the company as a parent")
		}
		res, body := b.post("/org", url.Values{"parent_id": {id(h.Units["east"].ID)}, "kind": {"team"}, "name": {"East team B"}, "manager_id": {id(h.People["eastMgr"].ID)}})
		team := createdID(t, res, body)
		_, body = b.get("/people/new")
		res, body = b.post("/people", url.Values{
			"email": {"newrep@example.com"}, "name": {"New Rep"}, "role": {"rep"}, "org_unit_id": {id(team)},
			"manager_id": {id(h.People["eastMgr"].ID)}, "hire_date": {""},
		})
		pid := createdID(t, res, body)
		_, body = b.get("/")
		if !strings.Contains(body, `href="/people/`+id(pid)+`"`) {
			t.Errorf("the new rep is not among the manager's direct reports")
		}
		// Renaming the team through its edit form.
		_, body = b.get("/org/" + id(team))
		u, _ := h.Org.FindUnitByID(system(), team)
		res, _ = b.post("/org/"+id(team), url.Values{"name": {"East team Beta"}, "kind": {"team"}, "parent_id": {id(h.Units["east"].ID)},
			"manager_id": {id(h.People["eastMgr"].ID)}, "version": {strconv.Itoa(u.Version)}})
		if res.StatusCode != 200 || res.Request.URL.Query().Get("flash") != "unit.saved" {
			t.Fatalf("rename: %d %s", res.StatusCode, res.Request.URL)
		}
		// Their own region is above what they may change: the service refuses.
		east := h.Units["east"]
		res, _ = b.post("/org/"+id(east.ID), url.Values{"name": {"Mine now"}, "kind": {"region"}, "parent_id": {"1"}, "manager_id": {""}, "version": {strconv.Itoa(east.Version)}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("regional manager renaming their own region: %d, want 403", res.StatusCode)
		}
		if u, _ := h.Org.FindUnitByID(system(), east.ID); u.Name != east.Name {
			t.Errorf("region renamed to %q", u.Name)
		}
	})
}

func TestPages_BadInputIsShownBesideTheFieldAndChangesNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		b := h.browse("admin")
		b.get("/people/new")
		count := func() int {
			_, n, err := h.Org.FindPeople(system(), org.PersonFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		units := func() int {
			u, err := h.Org.FindUnits(system(), true)
			if err != nil {
				t.Fatal(err)
			}
			return len(u)
		}
		people, nunits := count(), units()

		t.Run("ErrEmailInvalid", func(t *testing.T) {
			res, body := b.post("/people", url.Values{"email": {"not-an-email"}, "name": {"张三"}, "role": {"rep"}, "org_unit_id": {id(h.Units["west"].ID)}})
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			for _, want := range []string{msg(t, "zh-CN", "email.invalid"), `id="e-email"`, `value="张三"`, `value="not-an-email"`, msg(t, "zh-CN", "form.invalid")} {
				if !strings.Contains(body, want) {
					t.Errorf("re-rendered form lacks %q", want)
				}
			}
			if !regexp.MustCompile(`<option value="` + id(h.Units["west"].ID) + `" selected>`).MatchString(body) {
				t.Errorf("the chosen unit is not kept")
			}
		})
		t.Run("ErrManagerOutsideChain", func(t *testing.T) {
			res, body := b.post("/people", url.Values{"email": {"x@example.com"}, "name": {"X"}, "role": {"rep"},
				"org_unit_id": {id(h.Units["west"].ID)}, "manager_id": {id(h.People["eastMgr"].ID)}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, "zh-CN", "person.manager_outside")) {
				t.Errorf("status %d, message missing", res.StatusCode)
			}
		})
		t.Run("ErrEmailTaken", func(t *testing.T) {
			res, body := b.post("/people", url.Values{"email": {"eastRep@example.com"}, "name": {"Dup"}, "role": {"rep"}, "org_unit_id": {id(h.Units["west"].ID)}})
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, msg(t, "zh-CN", "person.email_taken", "eastrep@example.com")) {
				t.Errorf("status %d, message missing", res.StatusCode)
			}
		})
		t.Run("ErrUnitNameMissing", func(t *testing.T) {
			b.get("/org")
			res, body := b.post("/org", url.Values{"parent_id": {"1"}, "kind": {"region"}, "name": {"  "}, "manager_id": {""}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, "zh-CN", "field.required")) || !strings.Contains(body, `id="e-name"`) {
				t.Errorf("status %d, message missing", res.StatusCode)
			}
		})
		t.Run("ErrUnitMovedIntoItself", func(t *testing.T) {
			east := h.Units["east"]
			res, body := b.post("/org/"+id(east.ID), url.Values{"name": {"Renamed"}, "kind": {"region"}, "parent_id": {id(h.Units["eastA"].ID)}, "manager_id": {""}, "version": {"0"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, "zh-CN", "unit.cycle")) || !strings.Contains(body, `value="Renamed"`) {
				t.Errorf("status %d, message or input missing", res.StatusCode)
			}
			if u, _ := h.Org.FindUnitByID(system(), east.ID); u.Name != east.Name || u.ParentID != 1 {
				t.Errorf("unit changed: %+v", u)
			}
		})
		t.Run("ErrStaleVersion", func(t *testing.T) {
			west := h.Units["west"]
			res, body := b.post("/org/"+id(west.ID), url.Values{"name": {"Late"}, "kind": {"region"}, "parent_id": {"1"}, "manager_id": {""}, "version": {"99"}})
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, msg(t, "zh-CN", "record.stale")) {
				t.Errorf("status %d, message missing", res.StatusCode)
			}
		})
		t.Run("ErrCloseUnitWithPeople", func(t *testing.T) {
			res, body := b.post("/org/"+id(h.Units["west"].ID)+"/close", url.Values{})
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, msg(t, "zh-CN", "unit.close_has_people", 2)) {
				t.Errorf("status %d, message missing", res.StatusCode)
			}
		})
		t.Run("ErrLevelCode", func(t *testing.T) {
			b.get("/admin/levels")
			res, body := b.post("/admin/levels", url.Values{"code": {"Bad Code"}, "name_zh": {"试用"}, "name_en": {"Trial"}, "rank": {"5"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, "zh-CN", "level.code_invalid")) || !strings.Contains(body, `value="试用"`) {
				t.Errorf("status %d, message or input missing", res.StatusCode)
			}
			levels, _ := h.Org.FindLevels(system())
			if len(levels) != 5 {
				t.Errorf("%d levels, want the 5 seeded", len(levels))
			}
		})
		t.Run("ErrRoleStatementEmpty", func(t *testing.T) {
			b.get("/admin/roles")
			res, body := b.post("/admin/roles/rep", url.Values{"body_zh": {""}, "body_en": {"Sells."}, "version": {"0"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, "zh-CN", "field.required")) || !strings.Contains(body, ">Sells.</textarea>") {
				t.Errorf("status %d, message or input missing", res.StatusCode)
			}
		})
		t.Run("ErrPasswordsDiffer", func(t *testing.T) {
			b.get("/settings")
			res, body := b.post("/settings/password", url.Values{"password": {"a long new one"}, "confirm": {"another one"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, "zh-CN", "password.mismatch")) {
				t.Errorf("status %d, message missing", res.StatusCode)
			}
			if strings.Contains(body, "a long new one") {
				t.Errorf("a password was sent back to the browser")
			}
		})
		if count() != people || units() != nunits {
			t.Errorf("bad input changed something: people %d→%d, units %d→%d", people, count(), nunits, units())
		}
	})
}

func TestPages_ServicesRefuseWhatTheFormsDoNotOffer(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		mgr := h.browse("eastMgr")
		mgr.get("/")
		cases := []struct {
			b      *browser
			path   string
			form   url.Values
			status int
		}{
			{mgr, "/admin/levels", url.Values{"code": {"x"}, "name_zh": {"x"}, "name_en": {"x"}, "rank": {"1"}}, 403},
			{mgr, "/admin/levels/1", url.Values{"code": {"x"}, "name_zh": {"x"}, "name_en": {"x"}, "rank": {"1"}}, 403},
			{mgr, "/admin/roles/rep", url.Values{"body_zh": {"x"}, "body_en": {"x"}}, 403},
			{mgr, "/people", url.Values{"email": {"boss@example.com"}, "name": {"Boss"}, "role": {"senior_manager"}, "org_unit_id": {id(h.Units["east"].ID)}}, 403},
			{mgr, "/people/" + id(h.People["westRep"].ID), url.Values{"name": {"Stolen"}}, 404},
			{mgr, "/people/" + id(h.People["eastRep"].ID) + "/password", url.Values{"password": {"password999"}, "confirm": {"password999"}}, 403},
			{mgr, "/org/" + id(h.Units["west"].ID) + "/close", url.Values{}, 404},
		}
		for _, c := range cases {
			res, _ := c.b.post(c.path, c.form)
			if res.StatusCode != c.status {
				t.Errorf("POST %s: %d, want %d", c.path, res.StatusCode, c.status)
			}
		}
		rep := h.browse("eastRep")
		rep.get("/")
		if res, _ := rep.post("/people", url.Values{"email": {"a@example.com"}, "name": {"A"}, "role": {"rep"}, "org_unit_id": {id(h.Units["eastA"].ID)}}); res.StatusCode != 403 {
			t.Errorf("rep creating a person: %d, want 403", res.StatusCode)
		}
		levels, _ := h.Org.FindLevels(system())
		if len(levels) != 5 || levels[0].Code != "junior_rep" {
			t.Errorf("levels changed")
		}
		if p, _ := h.Org.FindPersonByID(system(), h.People["westRep"].ID); p.Name != "westRep" {
			t.Errorf("westRep renamed to %q", p.Name)
		}
		if _, n, _ := h.Org.FindPeople(system(), org.PersonFilter{}); n != 7 {
			t.Errorf("%d people, want 7", n)
		}
	})
}

func TestPages_ManagerEditsAndDeactivatesARep(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		b := h.browse("eastMgr")
		rep := h.People["eastRep"]
		_, body := b.get("/people/" + id(rep.ID) + "/edit")
		if !strings.Contains(body, `name="active" value="true" checked`) {
			t.Fatalf("active box not checked")
		}
		form := url.Values{"name": {"Zhao Yi"}, "phone": {""}, "org_unit_id": {id(h.Units["eastA"].ID)}, "manager_id": {id(h.People["eastMgr"].ID)},
			"level_id": {"2"}, "hire_date": {"2023-01-09"}, "version": {strconv.Itoa(rep.Version)}}
		res, body := b.post("/people/"+id(rep.ID), form)
		if res.StatusCode != 200 || res.Request.URL.Query().Get("flash") != "person.saved" {
			t.Fatalf("save: %d %s", res.StatusCode, res.Request.URL)
		}
		for _, want := range []string{"Zhao Yi", "中级销售代表", "2023年1月9日", msg(t, "zh-CN", "person.status_inactive")} {
			if !strings.Contains(body, want) {
				t.Errorf("person page lacks %q", want)
			}
		}
		p, _ := h.Org.FindPersonByID(system(), rep.ID)
		if p.Active || p.LevelID != 2 || p.Name != "Zhao Yi" || p.HireDate != "2023-01-09" {
			t.Errorf("after edit: %+v", p)
		}
		// Saving the same values again changes nothing and says so.
		form.Set("version", strconv.Itoa(p.Version))
		res, _ = b.post("/people/"+id(rep.ID), form)
		if res.Request.URL.Query().Get("flash") != "form.no_changes" {
			t.Errorf("unchanged save: %s", res.Request.URL)
		}
	})
}

func TestPages_PeopleListSearchesSortsAndPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		b := h.browse("admin")
		_, body := b.get("/people?limit=3")
		if !strings.Contains(body, msg(t, "zh-CN", "pager.range", "1", "3", "7")) || !strings.Contains(body, `href="/people?limit=3&amp;offset=3"`) {
			t.Errorf("first page lacks its range or next link")
		}
		_, body = b.get("/people?limit=3&offset=6")
		if !strings.Contains(body, msg(t, "zh-CN", "pager.range", "7", "7", "7")) {
			t.Errorf("last page lacks its range")
		}
		_, body = b.get("/people?q=west")
		if !strings.Contains(body, ">westMgr<") || !strings.Contains(body, ">westRep<") || strings.Contains(body, ">eastRep<") {
			t.Errorf("search for west")
		}
		link := func(who string) string { return `href="/people/` + id(h.People[who].ID) + `">` + who + "<" }
		_, body = b.get("/people?sort=-name")
		if strings.Index(body, link("westRep")) > strings.Index(body, link("admin")) {
			t.Errorf("descending sort by name: westRep should come before admin")
		}
		if !strings.Contains(body, `aria-sort="descending"`) || !strings.Contains(body, `href="/people"`) {
			t.Errorf("sorted header not marked or does not toggle back")
		}
		_, body = b.get("/people?org_unit_id=" + id(h.Units["east"].ID) + "&role=rep&active=true")
		if !strings.Contains(body, link("eastRep")) || strings.Contains(body, link("eastMgr")) || strings.Contains(body, link("westRep")) {
			t.Errorf("filter by unit and role")
		}
		_, body = b.get("/people?q=nobody-at-all")
		if !strings.Contains(body, msg(t, "zh-CN", "people.none_match")) {
			t.Errorf("no empty state for a search without results")
		}
	})
}

func TestPages_LanguageSwitchBringsThePageBackInEnglish(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		b := h.browse("eastRep")
		_, body := b.get("/settings")
		if !strings.Contains(body, `<html lang="zh-CN">`) {
			t.Fatalf("not Chinese before the switch")
		}
		res, body := b.post("/settings/lang", url.Values{"lang": {"en"}})
		if res.StatusCode != 200 || !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, msg(t, "en", "settings.lang_saved")) {
			t.Fatalf("after the switch: %d\n%.600s", res.StatusCode, body)
		}
		_, body = b.get("/people/" + id(h.People["eastRep"].ID))
		for _, want := range []string{msg(t, "en", "nav.people"), "Develops new customers", msg(t, "en", "role.rep")} {
			if !strings.Contains(body, want) {
				t.Errorf("English person page lacks %q", want)
			}
		}
		if p, _ := h.Org.FindPersonByID(system(), h.People["eastRep"].ID); p.Lang != "en" {
			t.Errorf("language stored as %q", p.Lang)
		}
		if res, body := b.post("/settings/lang", url.Values{"lang": {"fr"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, "en", "lang.invalid")) {
			t.Errorf("unknown language: %d, want 422 with the message", res.StatusCode)
		}
	})
}

func TestPages_APITokenSecretIsShownOnceAndCanBeRevoked(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		b := h.browse("westRep")
		b.get("/settings")
		res, body := b.post("/settings/tokens", url.Values{"name": {"weekly export"}})
		m := regexp.MustCompile(`<code id="new-secret">([^<]+)</code>`).FindStringSubmatch(body)
		if res.StatusCode != 200 || m == nil {
			t.Fatalf("no secret shown: %d", res.StatusCode)
		}
		if r, _ := h.do("GET", "/api/v1/me", m[1], nil); r.StatusCode != 200 {
			t.Fatalf("the shown secret does not work: %d", r.StatusCode)
		}
		_, body = b.get("/settings")
		if strings.Contains(body, m[1]) || !strings.Contains(body, "weekly export") {
			t.Errorf("secret shown again, or token not listed")
		}
		action := regexp.MustCompile(`action="(/settings/tokens/\d+/revoke)"`).FindStringSubmatch(body)
		if action == nil {
			t.Fatal("no revoke form")
		}
		res, body = b.post(action[1], url.Values{})
		if res.StatusCode != 200 || !strings.Contains(body, msg(t, "zh-CN", "token.revoked")) || strings.Contains(body, "weekly export") {
			t.Errorf("revoke: %d", res.StatusCode)
		}
		if r, _ := h.do("GET", "/api/v1/me", m[1], nil); r.StatusCode != 401 {
			t.Errorf("revoked token still works: %d", r.StatusCode)
		}
		if res, _ := b.post("/settings/tokens", url.Values{"name": {""}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("token without a name: %d, want 422", res.StatusCode)
		}
	})
}

func TestPages_AuditLogShowsWhoWhenAndBeforeAfter(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		b := h.browse("admin")
		west := h.Units["west"]
		b.get("/org/" + id(west.ID))
		b.post("/org/"+id(west.ID), url.Values{"name": {"华南大区 South"}, "kind": {"region"}, "parent_id": {"1"}, "manager_id": {""}, "version": {strconv.Itoa(west.Version)}})
		_, body := b.get(fmt.Sprintf("/admin/audit?entity=org_unit&entity_id=%d&action=update", west.ID))
		for _, want := range []string{">admin</a>", "华南大区 West", "华南大区 South", `class="changed"`, msg(t, "zh-CN", "audit.action.update")} {
			if !strings.Contains(body, want) {
				t.Errorf("audit page lacks %q", want)
			}
		}
		_, body = b.get("/admin/audit?entity=level")
		if !strings.Contains(body, msg(t, "zh-CN", "audit.empty_filtered")) {
			t.Errorf("no empty state for a filter without entries")
		}
		if res, _ := b.get("/admin/audit?from=yesterday"); res.StatusCode != 400 {
			t.Errorf("bad date: %d, want 400", res.StatusCode)
		}
	})
}
