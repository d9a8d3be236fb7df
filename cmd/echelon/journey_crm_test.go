package main

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/org"
)

// TestJourney_RepWorksADealAndTheManagerSeesIt is the CRM's browser journey:
// a rep signs in, creates an account, runs into the duplicate check on a
// colleague's customer, drags a deal across the pipeline board, and their
// manager sees the deal where the rep left it.
func TestJourney_RepWorksADealAndTheManagerSeesIt(t *testing.T) {
	j := startJourney(t)
	m, b, sys, zh, en := j.m, j.browser, j.sys, j.zh, j.en

	// The organisation: a region with its manager and two reps.
	region, err := m.Org.CreateUnit(sys, org.UnitInput{ParentID: 1, Kind: org.KindRegion, Name: "华东大区"})
	if err != nil {
		t.Fatal(err)
	}
	person := func(name, email string, role echelon.Role, manager int64) *org.Person {
		p, err := m.Org.CreatePerson(sys, org.PersonInput{Email: email, Name: name, Role: role, UnitID: region.ID, ManagerID: manager, Lang: "zh-CN", Password: "journey-pass-1"})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	mgr := person("王经理", "wang@example.com", echelon.RoleRegionalManager, 0)
	person("李销售", "li@example.com", echelon.RoleRep, mgr.ID)
	other := person("赵销售", "zhao@example.com", echelon.RoleRep, mgr.ID)
	if _, err := m.CRM.CreateAccount(echelon.NewContext(sys, &echelon.Actor{PersonID: other.ID, Name: other.Name, Role: other.Role, UnitID: region.ID, UnitPath: region.Path}),
		crm.AccountInput{Name: "华为技术有限公司", City: "深圳"}); err != nil {
		t.Fatal(err)
	}
	stages, err := m.CRM.FindStages(sys)
	if err != nil {
		t.Fatal(err)
	}
	stageID := map[string]int64{}
	for _, s := range stages {
		stageID[s.Code] = s.ID
	}

	signIn := func(email string) { j.signIn(email, "journey-pass-1") }
	signIn("li@example.com")

	// The duplicate check names the colleague who owns the customer and creates nothing.
	b.open("/accounts/new")
	b.fill("f-name", "华为技术 股份有限公司")
	b.submit(`form[action="/accounts"] button[type=submit]`, `document.querySelector(".field-error, .form-error") !== null`)
	b.has("duplicate check", "华为技术有限公司", "赵销售")
	b.shot("journey-crm-duplicate-zh")

	b.open("/accounts/new")
	b.fill("f-name", "上海云杉科技有限公司")
	b.fill("f-city", "上海")
	b.submit(`form[action="/accounts"] button[type=submit]`, `/^\/accounts\/\d+$/.test(location.pathname)`)
	b.has("new account", "上海云杉科技有限公司")

	b.open("/opportunities/new")
	b.fill("f-name", "云杉 CRM 项目")
	b.choose("f-account_id", "云杉")
	b.choose("f-stage_id", strconv.FormatInt(stageID["prospecting"], 10))
	b.fill("f-amount", "120000")
	b.submit(`form[action="/opportunities"] button[type=submit]`, `/^\/opportunities\/\d+$/.test(location.pathname)`)
	b.has("new opportunity", "云杉 CRM 项目", "120,000.00")

	// Drag the card from 初步接洽 to 方案报价 on the board.
	b.open("/pipeline")
	target := stageID["proposal"]
	drag := fmt.Sprintf(`(() => {
		const card = document.querySelector("li.deal");
		const col = document.querySelector('section[data-stage-id="%d"]');
		const dt = new DataTransfer();
		card.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
		col.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
		col.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
		card.dispatchEvent(new DragEvent("dragend", {bubbles: true, dataTransfer: dt}));
		return true; })()`, target)
	b.eval(drag)
	b.wait(fmt.Sprintf(`(() => { const c = document.querySelector("li.deal"); return c && c.closest("section").dataset.stageId === "%d" && c.dataset.version === "2"; })()`, target))
	b.shot("journey-crm-pipeline-rep-zh")

	// The manager sees the deal in 方案报价, moved by the rep.
	b.submit(`form[action="/logout"] button`, `location.pathname === "/login"`)
	signIn("wang@example.com")
	b.open("/pipeline")
	b.wait(fmt.Sprintf(`(() => { const c = document.querySelector("li.deal"); return c !== null && c.closest("section").dataset.stageId === "%d"; })()`, target))
	b.has("manager's board", "云杉 CRM 项目", "李销售")
	b.shot("journey-crm-pipeline-manager-zh")
	b.open("/opportunities")
	b.submit(`a[href^="/opportunities/"]:not([href="/opportunities/new"])`, `/^\/opportunities\/\d+$/.test(location.pathname)`)
	b.has("stage history", zh("crm.opportunity.stage_history"), "李销售")
	b.shot("journey-crm-opportunity-manager-zh")

	// The same board in English.
	b.submit(`button[name=lang][value=en]`, `document.documentElement.lang === "en"`)
	b.open("/pipeline")
	b.has("board in English", "Proposal", "云杉 CRM 项目", "120,000.00")
	b.shot("journey-crm-pipeline-manager-en")
	b.open("/accounts")
	b.has("accounts in English", en("crm.entity.accounts"), "上海云杉科技有限公司")
	b.shot("journey-crm-accounts-manager-en")

}
