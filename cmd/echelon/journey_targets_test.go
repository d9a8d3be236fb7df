package main

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/org"
)

// TestJourney_TargetsFromTheYearsGoalToTheRepsPace is the targets'
// browser journey: the senior manager opens the year's revenue plan and
// splits the company's target down; the regional manager splits their
// region's target among their reps by hand; the rep opens the home page
// and sees their pace, in Chinese and in English.
func TestJourney_TargetsFromTheYearsGoalToTheRepsPace(t *testing.T) {
	j := startJourney(t)
	m, b, sys, zh, en := j.m, j.browser, j.sys, j.zh, j.en

	// The organisation: two regions, the East with its manager and two reps,
	// and deals the reps have won this month.
	unit := func(name string) *org.Unit {
		u, err := m.Org.CreateUnit(sys, org.UnitInput{ParentID: 1, Kind: org.KindRegion, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	east, west := unit("华东大区"), unit("华南大区")
	person := func(name, email string, role echelon.Role, u *org.Unit, manager int64) *org.Person {
		p, err := m.Org.CreatePerson(sys, org.PersonInput{Email: email, Name: name, Role: role, UnitID: u.ID, ManagerID: manager, Lang: "zh-CN", Password: "journey-pass-1"})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	company, err := m.Org.FindUnitByID(sys, 1)
	if err != nil {
		t.Fatal(err)
	}
	boss := person("陈总", "chen@example.com", echelon.RoleSeniorManager, company, 0)
	mgr := person("王经理", "wang@example.com", echelon.RoleRegionalManager, east, boss.ID)
	li := person("李销售", "li@example.com", echelon.RoleRep, east, mgr.ID)
	zhao := person("赵销售", "zhao@example.com", echelon.RoleRep, east, mgr.ID)
	person("周销售", "zhou@example.com", echelon.RoleRep, west, boss.ID)
	stages, err := m.CRM.FindStages(sys)
	if err != nil {
		t.Fatal(err)
	}
	var won int64
	for _, s := range stages {
		if s.Code == "won" {
			won = s.ID
		}
	}
	today := time.Now().In(echelon.CompanyZone()).Format(time.DateOnly)
	for _, d := range []struct {
		rep    *org.Person
		name   string
		amount int64
	}{{li, "云杉 CRM 项目", 18000000}, {li, "松江工厂自动化", 9000000}, {zhao, "杭州仓储系统", 4000000}} {
		ctx := echelon.NewContext(sys, &echelon.Actor{PersonID: d.rep.ID, Name: d.rep.Name, Role: d.rep.Role, UnitID: east.ID, UnitPath: east.Path})
		if _, err := m.CRM.CreateOpportunity(ctx, crm.OpportunityInput{Name: d.name, StageID: won, Amount: d.amount, EngagedOn: today, ClosedOn: today}); err != nil {
			t.Fatal(err)
		}
	}

	signIn, signOut := func(email string) { j.signIn(email, "journey-pass-1") }, j.signOut
	year := strconv.Itoa(time.Now().In(echelon.CompanyZone()).Year())

	// The senior manager opens the year's revenue plan and sets the company's target, split down.
	signIn("chen@example.com")
	b.has("empty dashboard", zh("dash.no_plan"))
	b.shot("journey-targets-home-empty-senior-zh")
	b.open("/targets")
	b.choose("f-metric", "won_revenue")
	b.fill("f-fiscal_year", year)
	b.submit(`form[action="/targets"] button[type=submit]`, `/^\/targets\/\d+$/.test(location.pathname)`)
	b.has("new plan", zh("tgt.flash.created"), zh("tgt.state.draft"), "华东大区", "李销售", "周销售")
	b.submit(`tr:first-child a.btn-sm`, `/^\/targets\/\d+\/nodes\/\d+$/.test(location.pathname)`)
	b.fill("f-amount", "3000000")
	b.eval(`document.getElementById("f-cascade").checked = true; window.scrollTo(0, 0)`)
	b.shot("journey-targets-company-form-senior-zh")
	b.submit(`#edit form button[type=submit]`, `document.querySelector(".flash") !== null`)
	b.has("company target", zh("tgt.flash.saved"), "3,000,000.00 CNY", "1,500,000")
	b.submit(`.breadcrumbs li:nth-child(2) a`, `/^\/targets\/\d+$/.test(location.pathname)`)
	b.has("plan split down", "750,000")
	b.shot("journey-targets-plan-senior-zh")
	signOut()

	// The regional manager splits the East's 1,500,000 among their reps by hand.
	signIn("wang@example.com")
	b.open("/targets")
	b.submit(`td.primary a`, `/^\/targets\/\d+$/.test(location.pathname)`)
	b.shot("journey-targets-plan-manager-before-zh")
	for _, s := range []struct{ rep, amount string }{{"李销售", "900000"}, {"赵销售", "600000"}} {
		b.eval(fmt.Sprintf(`location.href = [...document.querySelectorAll("tbody tr")].find(r => r.textContent.includes(%q)).querySelector("a.btn-sm").href`, s.rep))
		b.wait(`/^\/targets\/\d+\/nodes\/\d+$/.test(location.pathname) && document.getElementById("f-amount") !== null && document.readyState === "complete"`)
		b.fill("f-amount", s.amount)
		b.submit(`#edit form button[type=submit]`, `document.querySelector(".flash") !== null`)
		b.has("rep target "+s.rep, zh("tgt.flash.saved"), s.rep)
		b.submit(`.breadcrumbs li:nth-child(2) a`, `/^\/targets\/\d+$/.test(location.pathname)`)
	}
	b.has("region split by hand", "900,000", "600,000")
	b.shot("journey-targets-plan-manager-zh")
	b.viewport(390, 844, true)
	b.shot("journey-targets-plan-manager-phone-zh")
	b.viewport(1280, 900, false)
	b.open("/")
	b.has("manager's dashboard", zh("dash.title"), "李销售", "赵销售", zh("dash.bins.title"))
	b.shot("journey-targets-home-manager-zh")
	signOut()

	// The rep sees their pace on the home page, then in English and on a phone.
	signIn("li@example.com")
	b.has("rep's pace", zh("dash.own.title", zh("kpi.won_revenue")), "900,000.00 CNY", "270,000.00 CNY", zh("tgt.field.expected"))
	b.shot("journey-targets-home-rep-zh")
	b.open("/kpis")
	b.has("rep's KPIs", zh("kpi.won_revenue"), "270,000.00 CNY")
	b.shot("journey-targets-kpis-rep-zh")
	b.submit(`a[href^="/kpis/won_revenue/evidence"]`, `location.pathname === "/kpis/won_revenue/evidence"`)
	b.has("evidence", "云杉 CRM 项目", "松江工厂自动化")
	b.shot("journey-targets-evidence-rep-zh")
	b.open("/")
	b.submit(`button[name=lang][value=en]`, `document.documentElement.lang === "en"`)
	b.has("rep's pace in English", en("dash.own.title", en("kpi.won_revenue")), en("dash.own.open"), "900,000.00 CNY")
	b.shot("journey-targets-home-rep-en")
	b.viewport(390, 844, true)
	b.open("/")
	b.shot("journey-targets-home-rep-phone-en")
	b.viewport(1280, 900, false)
	signOut()

	// The senior manager's dashboard, in English: down to the East.
	signIn("chen@example.com")
	b.submit(`button[name=lang][value=en]`, `document.documentElement.lang === "en"`)
	b.open("/")
	b.has("senior's dashboard", en("dash.title"), "华东大区", "华南大区")
	b.shot("journey-targets-home-senior-en")
	b.submit(fmt.Sprintf(`a[href^="/?org_unit_id=%d"]`, east.ID), `location.search.includes("org_unit_id=`+strconv.FormatInt(east.ID, 10)+`")`)
	b.has("down to the East", "李销售", "赵销售")
	b.shot("journey-targets-home-senior-east-en")
}
