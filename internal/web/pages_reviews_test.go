package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/review"
)

// TestPages_AReviewCycleFromOpeningToAcknowledgement walks the review pages
// as each person does it: senior creates and opens a cycle, eastRep
// reviews themselves, eastMgr writes the manager review, senior calibrates
// and releases, eastRep acknowledges; in Chinese and in English.
func TestPages_AReviewCycleFromOpeningToAcknowledgement(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		senior, mgr, rep, west := h.browse("senior"), h.browse("eastMgr"), h.browse("eastRep"), h.browse("westRep")
		rep.post("/settings/lang", url.Values{"lang": {"en"}})
		ok := func(b *browser, path string, want ...string) string {
			t.Helper()
			res, body := b.get(path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d", path, res.StatusCode)
			}
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s lacks %q", path, w)
				}
			}
			return body
		}

		ok(senior, "/review-cycles", msg(t, "zh-CN", "rv.cycles.new"))
		res, body := senior.post("/review-cycles", url.Values{"template_id": {"1"}, "period": {"2026-09"}, "org_unit_id": {"1"}, "roles": {"regional_manager", "rep"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, "zh-CN", "review.period_kind.quarterly")) {
			t.Fatalf("a month for a quarterly cycle: %d", res.StatusCode)
		}
		res, body = senior.post("/review-cycles", url.Values{"template_id": {"1"}, "period": {"2026-Q3"}, "org_unit_id": {"1"}, "roles": {"regional_manager", "rep"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, msg(t, "zh-CN", "rv.draft_hint")) {
			t.Fatalf("create the cycle: %d", res.StatusCode)
		}
		cyclePath := res.Request.URL.Path
		if _, body = senior.post(cyclePath+"/open", url.Values{}); !strings.Contains(body, msg(t, "zh-CN", "rv.flash.cycle_opened")) {
			t.Fatal("open: no confirmation")
		}

		var list struct{ Items []review.Review }
		h.callJSON(t, "admin", "GET", "/api/v1/reviews?person_id="+itoa(h.People["eastRep"].ID), "", 200, &list)
		reviewPath := "/reviews/" + itoa(list.Items[0].ID)

		ok(rep, "/reviews", msg(t, "en", "rv.task.self"), msg(t, "en", "rv.todo"))
		if res, _ := west.get(reviewPath); res.StatusCode != http.StatusNotFound {
			t.Errorf("westRep opens eastRep's review: %d", res.StatusCode)
		}
		self := url.Values{"text": {"Two new key accounts"}, "submit": {"1"}}
		res, body = rep.post(reviewPath+"/self", self)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Rate every competency") {
			t.Fatalf("self review without ratings: %d", res.StatusCode)
		}
		for _, c := range review.Competencies {
			self.Set("r_"+c, "4")
		}
		if _, body = rep.post(reviewPath+"/self", self); !strings.Contains(body, msg(t, "en", "rv.state.manager_review")) {
			t.Fatal("self review not submitted")
		}

		ok(mgr, "/reviews", msg(t, "zh-CN", "rv.task.manager"))
		ok(mgr, reviewPath, "Two new key accounts")
		manager := url.Values{"text": {"稳步提升"}, "proposed_rating": {"3"}, "potential": {"3"}, "submit": {"1"}}
		for _, c := range review.Competencies {
			manager.Set("r_"+c, "3")
		}
		if _, body = mgr.post(reviewPath+"/manager", manager); !strings.Contains(body, msg(t, "zh-CN", "rv.state.calibration")) {
			t.Fatal("manager review not submitted")
		}
		body = ok(rep, reviewPath)
		if strings.Contains(body, "稳步提升") {
			t.Error("eastRep reads the manager's assessment before release")
		}

		ok(senior, cyclePath, msg(t, "zh-CN", "rv.distribution"), "<svg")
		if _, body = senior.post(reviewPath+"/calibrate", url.Values{"rating": {"4"}, "reason": {"华东最佳"}}); !strings.Contains(body, "华东最佳") {
			t.Fatal("calibration not shown in the history")
		}
		if _, body = senior.post(reviewPath+"/release", url.Values{}); !strings.Contains(body, msg(t, "zh-CN", "rv.flash.released")) {
			t.Fatal("release: no confirmation")
		}
		res, body = mgr.post(reviewPath+"/manager", manager)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, msg(t, "zh-CN", "review.released")) {
			t.Errorf("editing a released review: %d", res.StatusCode)
		}

		body = ok(rep, reviewPath, "稳步提升", msg(t, "en", "rv.acknowledge_form"))
		if strings.Contains(body, "华东最佳") || strings.Contains(body, msg(t, "en", "rv.field.potential")) {
			t.Error("eastRep sees the calibration history or the potential")
		}
		if _, body = rep.post(reviewPath+"/acknowledge", url.Values{"response": {"Thank you"}}); !strings.Contains(body, msg(t, "en", "rv.flash.acknowledged")) {
			t.Fatal("acknowledge: no confirmation")
		}

		// Feedback and an improvement plan from the person's page.
		person := "/people/" + itoa(h.People["eastRep"].ID)
		ok(mgr, person+"/feedback", msg(t, "zh-CN", "rv.notes.new"))
		if _, body = mgr.post(person+"/feedback", url.Values{"kind": {"praise"}, "visibility": {"private"}, "body": {"拿下杭州项目"}}); !strings.Contains(body, "拿下杭州项目") {
			t.Fatal("note not shown")
		}
		res, body = mgr.post(person+"/plans", url.Values{"goals": {"Ten visits a month\nTwo demos"}, "checkins": {"2026-11-15, 2026-12-15"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Two demos") || !strings.Contains(body, "2026-12-15") {
			t.Fatalf("plan not opened: %d", res.StatusCode)
		}
		planPath := res.Request.URL.Path
		if _, body = mgr.post(planPath+"/checkins", url.Values{"body": {"八次拜访"}}); !strings.Contains(body, "八次拜访") {
			t.Fatal("check-in not shown")
		}
		ok(rep, planPath, "Ten visits a month")
		if _, body = rep.get(person + "/feedback"); !strings.Contains(body, "拿下杭州项目") || strings.Contains(body, msg(t, "en", "rv.notes.new")) {
			t.Error("eastRep reads the note but gets no form")
		}
		if _, body = mgr.post(planPath+"/close", url.Values{"outcome": {"successful"}}); !strings.Contains(body, msg(t, "zh-CN", "rv.outcome.successful")) {
			t.Fatal("plan not closed")
		}
		if res, _ := west.get(planPath); res.StatusCode != http.StatusNotFound {
			t.Errorf("westRep opens eastRep's plan: %d", res.StatusCode)
		}
	})
}

func TestPages_AdminEditsAReviewTemplate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin, rep := h.browse("admin"), h.browse("eastRep")
		_, body := admin.get("/review-templates/1")
		if !strings.Contains(body, `name="scale_en_3" value="Meets expectations"`) {
			t.Fatal("the edit form does not show the scale")
		}
		form := url.Values{"name": {"季度评估"}, "kind": {"quarterly"}, "self_days": {"5"}, "manager_days": {"7"}, "calibration_days": {"3"}, "version": {"1"}}
		for n := 1; n <= 5; n++ {
			form.Set("scale_zh_"+itoa(int64(n)), "级"+itoa(int64(n)))
			form.Set("scale_en_"+itoa(int64(n)), "Level "+itoa(int64(n)))
		}
		res, body := admin.post("/review-templates/1", form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, "zh-CN", "rv.tpl.competencies_required")) {
			t.Fatalf("no competency ticked: %d", res.StatusCode)
		}
		form["competencies"] = []string{"sales_skills", "leadership"}
		if _, body = admin.post("/review-templates/1", form); !strings.Contains(body, msg(t, "zh-CN", "rv.flash.template_saved")) || !strings.Contains(body, "5 / 7 / 3") {
			t.Fatal("template not saved")
		}
		if _, body = rep.get("/review-templates"); strings.Contains(body, `action="/review-templates`) || !strings.Contains(body, "季度评估") {
			t.Error("a rep reads the templates without a form")
		}
		if res, _ := rep.post("/review-templates/1", form); res.StatusCode != http.StatusForbidden {
			t.Errorf("a rep posting the form: %d", res.StatusCode)
		}
	})
}
