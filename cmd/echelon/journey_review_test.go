package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/review"
)

// TestJourney_AQuarterlyReviewEndsInAPromotion is the echelon's browser
// journey: the senior manager opens a quarterly review cycle for a region;
// the rep reviews themselves; their manager reviews them and nominates
// them for the next level; the senior manager calibrates the rating,
// releases the review and approves the promotion; the rep acknowledges the
// review and finds the new level on their development page, in Chinese and
// in English.
func TestJourney_AQuarterlyReviewEndsInAPromotion(t *testing.T) {
	j := startJourney(t)
	m, b, sys, zh, en := j.m, j.browser, j.sys, j.zh, j.en

	// The organisation: the senior manager over the East, its manager and a junior rep.
	levels, err := m.Org.FindLevels(sys)
	if err != nil {
		t.Fatal(err)
	}
	level := map[string]int64{}
	for _, l := range levels {
		level[l.Code] = l.ID
	}
	company, err := m.Org.FindUnitByID(sys, 1)
	if err != nil {
		t.Fatal(err)
	}
	east, err := m.Org.CreateUnit(sys, org.UnitInput{ParentID: 1, Kind: org.KindRegion, Name: "华东大区"})
	if err != nil {
		t.Fatal(err)
	}
	person := func(name, email string, role echelon.Role, u *org.Unit, manager int64, lvl string) *org.Person {
		p, err := m.Org.CreatePerson(sys, org.PersonInput{Email: email, Name: name, Role: role, UnitID: u.ID, ManagerID: manager,
			LevelID: level[lvl], HireDate: "2023-03-01", Lang: "zh-CN", Password: "journey-pass-1"})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	boss := person("陈总", "chen@example.com", echelon.RoleSeniorManager, company, 0, "senior_manager")
	mgr := person("王经理", "wang@example.com", echelon.RoleRegionalManager, east, boss.ID, "regional_manager")
	rep := person("李销售", "li@example.com", echelon.RoleRep, east, mgr.ID, "junior_rep")

	signIn, signOut := func(email string) { j.signIn(email, "journey-pass-1") }, j.signOut
	// The quarter that ended last: the one the cycle reviews.
	now := time.Now().In(echelon.CompanyZone())
	q := (int(now.Month())-1)/3 - 1
	year := now.Year()
	if q < 0 {
		q, year = 3, year-1
	}
	quarter := fmt.Sprintf("%d-Q%d", year, q+1)

	// The senior manager opens a quarterly cycle for the East.
	signIn("chen@example.com")
	b.open("/review-cycles")
	b.fill("f-period", quarter)
	b.choose("f-unit", "华东大区")
	b.submit(`form[action="/review-cycles"] button[type=submit]`, `/^\/review-cycles\/\d+$/.test(location.pathname)`)
	b.has("cycle draft", zh("rv.flash.cycle_created"), "李销售", "王经理")
	b.submit(`form[action$="/open"] button`, `document.querySelector(".flash") !== null`)
	b.has("cycle opened", zh("rv.flash.cycle_opened"))
	b.shot("journey-review-cycle-senior-zh")
	signOut()
	reviews, err := m.Server.Reviews.FindReviews(sys, review.Filter{PersonID: rep.ID})
	if err != nil || len(reviews) != 1 {
		t.Fatalf("the rep's review: %v (%d)", err, len(reviews))
	}
	page := fmt.Sprintf("/reviews/%d", reviews[0].ID)
	rate := func(prefix string, n string) {
		for _, c := range review.Competencies {
			b.choose("f-"+prefix+c, n)
		}
	}

	// The rep finds the self-review waiting on their home page, writes it and hands it to their manager.
	signIn("li@example.com")
	b.has("rep's to-do", zh("home.todo"), zh("rv.task.self"))
	b.open(page)
	b.fill("f-text", "本季度签下两个新客户，产品演示还需要加强。")
	rate("r_", "4")
	b.shot("journey-review-self-rep-zh")
	b.submit(`form[action$="/self"] button[name=submit]`, `document.querySelector(".flash") !== null`)
	b.has("self review sent", zh("rv.state.manager_review"))
	signOut()

	// The manager reviews the rep, proposes a rating, then nominates them for the next level.
	signIn("wang@example.com")
	b.open(page)
	b.has("manager sees the self review", "本季度签下两个新客户")
	b.fill("f-text", "客户开发能力突出，超额完成季度目标。")
	b.fill("f-comments", "下季度带一名新人。")
	rate("r_", "4")
	b.choose("f-proposed_rating", "4")
	b.choose("f-potential", "3")
	b.submit(`form[action$="/manager"] button[name=submit]`, `document.querySelector(".flash") !== null`)
	b.has("manager review sent", zh("rv.state.calibration"))
	b.open(fmt.Sprintf("/readiness/%d", rep.ID))
	b.choose("f-kind", "promotion")
	b.fill("f-reason", "连续两个季度超额完成目标，客户评价好。")
	b.shot("journey-review-nominate-manager-zh")
	b.submit(`form[action="/nominations"] button[type=submit]`, `document.querySelector(".flash") !== null`)
	b.has("nominated", zh("nomination.flash.created"))
	signOut()

	// The senior manager calibrates the rating up, releases the review and approves the promotion.
	signIn("chen@example.com")
	b.has("senior's to-do", zh("home.todo"), zh("rv.task.calibrate"), "李销售")
	b.shot("journey-review-home-senior-zh")
	b.open(page)
	b.choose("f-rating", "5")
	b.fill("f-reason", "全区第一，校准为 5。")
	b.submit(`form[action$="/calibrate"] button`, `document.querySelector(".flash") !== null`)
	b.has("calibrated", zh("rv.flash.calibrated"), "全区第一，校准为 5。")
	b.submit(`form[action$="/release"] button`, `document.querySelector(".flash") !== null`)
	b.has("released", zh("rv.flash.released"))
	b.open("/nominations")
	b.has("nomination to decide", "李销售", "连续两个季度超额完成目标")
	b.fill("f-reason", "同意晋升。")
	b.shot("journey-review-approve-senior-zh")
	b.submit(`button[formaction$="/approve"]`, `document.querySelector(".flash") !== null`)
	b.has("approved", zh("nomination.flash.approve"))
	b.open("/talent")
	b.has("talent grid", zh("talent.cell.33"), "李销售")
	b.shot("journey-review-talent-grid-senior-zh")
	signOut()

	// The rep acknowledges the released review and sees their new level.
	signIn("li@example.com")
	b.open(page)
	b.has("released to the rep", "客户开发能力突出", "5")
	b.fill("f-response", "谢谢，下季度继续努力。")
	b.submit(`form[action$="/acknowledge"] button`, `document.querySelector(".flash") !== null`)
	b.has("acknowledged", zh("rv.flash.acknowledged"))
	b.open(fmt.Sprintf("/people/%d/development", rep.ID))
	b.has("development page", zh("talent.dev.timeline"), "中级销售代表", zh("talent.event.level"), zh("talent.event.review"), zh("talent.event.nomination"))
	b.shot("journey-review-development-rep-zh")
	b.submit(`button[name=lang][value=en]`, `document.documentElement.lang === "en"`)
	b.has("development page in English", en("talent.dev.timeline"), "Sales rep", en("talent.event.level"))
	b.shot("journey-review-development-rep-en")
}
