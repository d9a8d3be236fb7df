package review_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/review"
	"github.com/echelonhq/echelon/internal/testorg"
)

func TestService_Templates(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		in := review.TemplateInput{Name: "Monthly check", Kind: review.Monthly}
		_, err := f.svc.CreateTemplate(testorg.As(f.EastMgr), in)
		wantErr(t, err, echelon.EFORBIDDEN, "review.template_forbidden")
		_, err = f.svc.CreateTemplate(testorg.As(f.EastRep), in)
		wantErr(t, err, echelon.EFORBIDDEN, "review.template_forbidden")
		_, err = f.svc.CreateTemplate(testorg.As(f.Admin), review.TemplateInput{Name: "x", Kind: "weekly"})
		wantErr(t, err, echelon.EINVALID, "review.kind_invalid")
		_, err = f.svc.CreateTemplate(testorg.As(f.Admin), review.TemplateInput{Name: "x", Kind: review.Annual, Competencies: []string{"charm"}})
		wantErr(t, err, echelon.EINVALID, "review.competency_invalid")
		_, err = f.svc.CreateTemplate(testorg.As(f.Admin), review.TemplateInput{Name: "x", Kind: review.Annual, SelfDays: 91})
		wantErr(t, err, echelon.EINVALID, "review.days_range")

		tpl, err := f.svc.CreateTemplate(testorg.As(f.Admin), in)
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if len(tpl.Competencies) != 5 || len(tpl.Scale) != 5 || tpl.SelfDays != 7 || tpl.Scale[2].En != "Meets expectations" {
			t.Fatalf("defaults not applied: %+v", tpl)
		}
		in.Name, in.Version, in.Competencies = "Monthly coaching", tpl.Version, []string{review.SalesSkills, review.Leadership}
		upd, err := f.svc.UpdateTemplate(testorg.As(f.Senior), tpl.ID, in)
		if err != nil || upd.Name != "Monthly coaching" || len(upd.Competencies) != 2 || upd.Version != 2 {
			t.Fatalf("update: %+v %v", upd, err)
		}
		_, err = f.svc.UpdateTemplate(testorg.As(f.Senior), tpl.ID, in) // version 1 again
		wantErr(t, err, echelon.ECONFLICT, "record.changed")
		all, err := f.svc.FindTemplates(testorg.As(f.EastRep))
		if err != nil || len(all) != 2 {
			t.Fatalf("templates as a rep: %d %v", len(all), err)
		}
	})
}

func TestService_CreateCycle(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		refuse := func(name string, ctxOf *echelon.Actor, in review.CycleInput, code, key string) {
			t.Run(name, func(t *testing.T) {
				_, err := f.svc.CreateCycle(echelon.NewContext(t.Context(), ctxOf), in)
				wantErr(t, err, code, key)
			})
		}
		q3 := func(unit int64) review.CycleInput {
			return review.CycleInput{TemplateID: 1, Period: "2026-Q3", UnitID: unit}
		}
		refuse("ErrRep", testorg.ActorOf(f.EastRep), q3(f.EastA.ID), echelon.EFORBIDDEN, "review.cycle_forbidden")
		refuse("ErrMarketing", testorg.ActorOf(f.Marketing), q3(f.Company.ID), echelon.EFORBIDDEN, "review.cycle_forbidden")
		refuse("ErrOtherRegion", testorg.ActorOf(f.EastMgr), q3(f.West.ID), echelon.EINVALID, "unit.not_found")
		refuse("ErrAboveOwnRegion", testorg.ActorOf(f.EastMgr), q3(f.Company.ID), echelon.EINVALID, "unit.not_found")
		refuse("ErrPeriodKind", testorg.ActorOf(f.Senior), review.CycleInput{TemplateID: 1, Period: "2026-09", UnitID: f.East.ID},
			echelon.EINVALID, "review.period_kind.quarterly")
		refuse("ErrTemplate", testorg.ActorOf(f.Senior), review.CycleInput{TemplateID: 99, Period: "2026-Q3", UnitID: f.East.ID},
			echelon.EINVALID, "review.template_not_found")
		refuse("ErrNoReviewer", testorg.ActorOf(f.Admin), review.CycleInput{TemplateID: 1, Period: "2026-Q3", UnitID: f.Company.ID},
			echelon.EINVALID, "review.no_reviewer") // Sun has no manager
		refuse("ErrNobody", testorg.ActorOf(f.EastMgr), review.CycleInput{TemplateID: 1, Period: "2026-Q3", UnitID: f.EastA.ID,
			LevelID: f.Levels["senior_rep"]}, echelon.EINVALID, "review.no_people")
		cycles, _ := f.svc.FindCycles(testorg.As(f.Admin))
		if len(cycles) != 0 {
			t.Fatalf("refused cycles left %d behind", len(cycles))
		}

		t.Run("RegionalManagerOwnRegion", func(t *testing.T) {
			c, err := f.svc.CreateCycle(testorg.As(f.EastMgr), q3(f.East.ID))
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			rs, err := f.svc.FindReviews(testorg.As(f.EastMgr), review.Filter{CycleID: c.ID})
			if err != nil || len(rs) != 2 {
				t.Fatalf("reviews: %d %v, want Zhao and Qian (not Li himself)", len(rs), err)
			}
			for _, r := range rs {
				if r.ReviewerID != f.EastMgr.ID || r.State != review.StateDraft {
					t.Errorf("%s: reviewer %d state %s", r.PersonName, r.ReviewerID, r.State)
				}
			}
			if _, err := f.svc.FindCycleByID(testorg.As(f.WestMgr), c.ID); echelon.ErrorCode(err) != echelon.ENOTFOUND {
				t.Errorf("West's manager reads East's cycle: %v", err)
			}
			_, err = f.svc.OpenCycle(testorg.As(f.WestMgr), c.ID, 0)
			wantErr(t, err, echelon.ENOTFOUND, "review.cycle_not_found")
			_, err = f.svc.SaveSelf(testorg.As(f.EastRep), rs[0].ID, review.SelfInput{Text: "early"})
			if rs[0].PersonID == f.EastRep.ID {
				wantErr(t, err, echelon.ECONFLICT, "review.not_open")
			}
		})
		t.Run("SeniorCompany", func(t *testing.T) {
			c := f.cycle(t)
			if c.State != review.CycleOpen || c.SelfDue != "2026-10-08" || c.ManagerDue != "2026-10-15" || c.CalibrationDue != "2026-10-22" {
				t.Fatalf("opened cycle: %+v", c)
			}
			if c.Progress[review.StateSelf] != 5 {
				t.Fatalf("progress %v, want 5 in self review (Li, Wang, Zhao, Qian, Zhou)", c.Progress)
			}
			li := f.reviewOf(t, c, f.EastMgr.ID)
			if li.ReviewerID != f.Senior.ID {
				t.Errorf("Li's reviewer %d, want Sun", li.ReviewerID)
			}
			_, err := f.svc.OpenCycle(testorg.As(f.Senior), c.ID, 0)
			wantErr(t, err, echelon.ECONFLICT, "review.cycle_opened")
			_, err = f.svc.OpenCycle(testorg.As(f.EastMgr), c.ID, 0) // sees it through East's reviews, may not run it
			wantErr(t, err, echelon.EFORBIDDEN, "review.cycle_forbidden")
			if c2, err := f.svc.FindCycleByID(testorg.As(f.EastRep), c.ID); err != nil || c2.Progress[review.StateSelf] != 1 {
				t.Errorf("Zhao's view of the cycle: %v %v, want only his own review counted", c2, err)
			}
		})
	})
}

func TestService_ReviewStates(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.cycle(t)
		zhao := f.reviewOf(t, c, f.EastRep.ID)
		var snap struct{ Total float64 }
		if err := json.Unmarshal(zhao.Scorecard, &snap); err != nil || snap.Total != 87.5 {
			t.Fatalf("frozen scorecard %s: %v", zhao.Scorecard, err)
		}
		f.scorer.total = 40 // the CRM moves on; the review keeps what it froze
		as := testorg.As
		id := zhao.ID

		_, err := f.svc.Release(as(f.Senior), id, 0)
		wantErr(t, err, echelon.ECONFLICT, "review.release_early")
		_, err = f.svc.SaveSelf(as(f.EastRep2), id, review.SelfInput{Text: "not mine"})
		wantErr(t, err, echelon.ENOTFOUND, "review.not_found")
		_, err = f.svc.SaveSelf(as(f.EastMgr), id, review.SelfInput{Text: "for him"})
		wantErr(t, err, echelon.EFORBIDDEN, "review.not_reviewee")
		_, err = f.svc.SaveManager(as(f.EastMgr), id, review.ManagerInput{Text: "too early"})
		wantErr(t, err, echelon.ECONFLICT, "review.awaiting_self")
		_, err = f.svc.SaveSelf(as(f.EastRep), id, review.SelfInput{Text: "Good quarter", Ratings: map[string]int{review.SalesSkills: 4}, Submit: true})
		wantErr(t, err, echelon.EINVALID, "review.rating_missing")
		_, err = f.svc.SaveSelf(as(f.EastRep), id, review.SelfInput{Text: "x", Ratings: map[string]int{review.SalesSkills: 6}})
		wantErr(t, err, echelon.EINVALID, "review.rating_range")
		if r, _ := f.svc.FindReviewByID(as(f.EastRep), id); r.State != review.StateSelf || r.SelfText != "" || r.Version != zhao.Version {
			t.Fatalf("refused saves changed the review: %+v", r)
		}
		r, err := f.svc.SaveSelf(as(f.EastRep), id, review.SelfInput{Text: "Good quarter", Ratings: allRatings(4), Submit: true, Version: zhao.Version})
		if err != nil || r.State != review.StateManager || r.SelfText != "Good quarter" {
			t.Fatalf("submit self: %+v %v", r, err)
		}
		_, err = f.svc.SaveSelf(as(f.EastRep), id, review.SelfInput{Text: "again"})
		wantErr(t, err, echelon.ECONFLICT, "review.awaiting_manager")

		todo, err := f.svc.FindReviews(as(f.EastMgr), review.Filter{Mine: review.MineTodo})
		if err != nil || len(todo) != 2 || todo[0].Task != review.TaskSelf || todo[0].Due != "2026-10-08" ||
			todo[1].Task != review.TaskManager || todo[1].PersonID != f.EastRep.ID || todo[1].Due != "2026-10-15" {
			t.Fatalf("Li's tasks: %v (%d), want his own self review (due first), then Zhao's manager review", err, len(todo))
		}
		_, err = f.svc.SaveManager(as(f.EastRep), id, review.ManagerInput{Text: "me"})
		wantErr(t, err, echelon.EFORBIDDEN, "review.not_reviewer")
		_, err = f.svc.SaveManager(as(f.WestMgr), id, review.ManagerInput{Text: "outside"})
		wantErr(t, err, echelon.ENOTFOUND, "review.not_found")
		_, err = f.svc.SaveManager(as(f.Senior), id, review.ManagerInput{Text: "not assigned"})
		wantErr(t, err, echelon.EFORBIDDEN, "review.not_reviewer")
		_, err = f.svc.SaveManager(as(f.EastMgr), id, review.ManagerInput{Text: "stale", Version: zhao.Version})
		wantErr(t, err, echelon.ECONFLICT, "record.changed")
		_, err = f.svc.SaveManager(as(f.EastMgr), id, review.ManagerInput{Text: "Solid", Ratings: allRatings(3), ProposedRating: 2, Submit: true})
		wantErr(t, err, echelon.EINVALID, "review.potential_range")
		r, err = f.svc.SaveManager(as(f.EastMgr), id, review.ManagerInput{Text: "Solid", Ratings: allRatings(3), Comments: "Keep going",
			ProposedRating: 2, Potential: review.PotentialHigh, Submit: true, Version: r.Version})
		if err != nil || r.State != review.StateCalibration || r.FinalRating != 2 {
			t.Fatalf("submit manager: %+v %v", r, err)
		}
		if own, _ := f.svc.FindReviewByID(as(f.EastRep), id); own.ManagerText != "" || own.FinalRating != 0 || own.Potential != 0 {
			t.Fatalf("Zhao sees the manager's part before release: %+v", own)
		}

		_, err = f.svc.Calibrate(as(f.EastMgr), id, review.CalibrateInput{Rating: 3, Reason: "r"})
		wantErr(t, err, echelon.EFORBIDDEN, "review.calibrate_forbidden")
		_, err = f.svc.Calibrate(as(f.Senior), id, review.CalibrateInput{Rating: 3})
		wantErr(t, err, echelon.EINVALID, "review.text_required")
		_, err = f.svc.Calibrate(as(f.Senior), id, review.CalibrateInput{Rating: 2, Reason: "same"})
		wantErr(t, err, echelon.EINVALID, "review.calibrate_same")
		r, err = f.svc.Calibrate(as(f.Senior), id, review.CalibrateInput{Rating: 3, Reason: "Above the East average"})
		if err != nil || r.FinalRating != 3 || len(r.Calibrations) != 1 || r.Calibrations[0].From != 2 || r.Calibrations[0].ChangedBy != "Sun" {
			t.Fatalf("calibrate: %+v %v", r, err)
		}
		dist, err := f.svc.Distribution(as(f.Senior), c.ID)
		if err != nil || len(dist.Regions) != 1 || dist.Regions[0].UnitID != f.East.ID || dist.Total.Proposed[1] != 1 || dist.Total.Calibrated[2] != 1 || dist.Total.Changed != 1 {
			t.Fatalf("distribution: %+v %v", dist, err)
		}
		_, err = f.svc.Distribution(as(f.EastRep), c.ID)
		wantErr(t, err, echelon.EFORBIDDEN, "review.distribution_forbidden")
		_, err = f.svc.Acknowledge(as(f.EastRep), id, review.AcknowledgeInput{})
		wantErr(t, err, echelon.ECONFLICT, "review.not_released")
		released, err := latestReleased(t, d, []int64{f.EastRep.ID})
		if err != nil || len(released) != 0 {
			t.Fatalf("released before release: %v %v", released, err)
		}

		if _, err = f.svc.Release(as(f.Senior), id, 0); err != nil {
			t.Fatalf("release: %v", err)
		}
		_, err = f.svc.Release(as(f.Senior), id, 0)
		wantErr(t, err, echelon.ECONFLICT, "review.already_released")
		_, err = f.svc.SaveManager(as(f.EastMgr), id, review.ManagerInput{Text: "change"})
		wantErr(t, err, echelon.ECONFLICT, "review.released")
		_, err = f.svc.Calibrate(as(f.Senior), id, review.CalibrateInput{Rating: 4, Reason: "late"})
		wantErr(t, err, echelon.ECONFLICT, "review.released")
		_, err = f.svc.Acknowledge(as(f.EastMgr), id, review.AcknowledgeInput{})
		wantErr(t, err, echelon.EFORBIDDEN, "review.not_reviewee")
		_, err = f.svc.Acknowledge(as(f.EastRep2), id, review.AcknowledgeInput{})
		wantErr(t, err, echelon.ENOTFOUND, "review.not_found")
		own, _ := f.svc.FindReviewByID(as(f.EastRep), id)
		if own.ManagerText != "Solid" || own.FinalRating != 3 || own.Potential != 0 || own.ProposedRating != 0 || own.Calibrations != nil || own.Task != review.TaskAcknowledge {
			t.Fatalf("Zhao's released review: %+v", own)
		}
		r, err = f.svc.Acknowledge(as(f.EastRep), id, review.AcknowledgeInput{Response: "Thanks, I will work on leadership."})
		if err != nil || r.State != review.StateAcknowledged || r.Response == "" {
			t.Fatalf("acknowledge: %+v %v", r, err)
		}
		_, err = f.svc.Acknowledge(as(f.EastRep), id, review.AcknowledgeInput{})
		wantErr(t, err, echelon.ECONFLICT, "review.already_acknowledged")

		released, err = latestReleased(t, d, []int64{f.EastRep.ID, f.EastRep2.ID})
		got := released[f.EastRep.ID]
		if err != nil || len(released) != 1 || got.Rating != 3 || got.Potential != 3 || got.Period != "2026-Q3" ||
			got.Competencies[review.Leadership] != 3 || got.ReviewID != id || !got.ReleasedAt.Equal(now) {
			t.Fatalf("latest released: %+v %v", released, err)
		}
		entries, _, err := audit.NewService(d).FindEntries(testorg.As(f.Admin), audit.Filter{Entity: "review", EntityID: itoa(id)})
		if err != nil || len(entries) != 7 { // create, open, self_submit, manager_submit, calibrate, release, acknowledge
			t.Fatalf("audit of the review: %d entries, %v", len(entries), err)
		}
	})
}

func TestService_ReviewerIsTheManagerOrTheNextManagerUp(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		sys := testorg.System()
		setUnitManager := func(u int64, p int64) {
			t.Helper()
			if _, err := f.Org.Org.UpdateUnit(sys, u, org.UnitUpdate{ManagerID: &p}); err != nil {
				t.Fatalf("unit manager: %v", err)
			}
		}
		none := int64(0)
		if _, err := f.Org.Org.UpdatePerson(sys, f.EastMgr.ID, org.PersonUpdate{ManagerID: &none}); err != nil {
			t.Fatalf("clear Li's manager: %v", err)
		}
		newRep := f.Person(t, "sun2", echelon.RoleRep, f.EastA, nil, "junior_rep") // no manager of their own
		setUnitManager(f.East.ID, f.EastMgr.ID)                                    // Li manages East, his own unit

		in := review.CycleInput{TemplateID: 1, Period: "2026-Q3", UnitID: f.East.ID, Roles: []echelon.Role{echelon.RoleRegionalManager, echelon.RoleRep}}
		_, err := f.svc.CreateCycle(testorg.As(f.Admin), in)
		wantErr(t, err, echelon.EINVALID, "review.no_reviewer") // Li: manager of his own unit, nobody above
		setUnitManager(f.Company.ID, f.Senior.ID)
		c, err := f.svc.CreateCycle(testorg.As(f.Admin), in)
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		for person, want := range map[int64]int64{newRep.ID: f.EastMgr.ID, f.EastMgr.ID: f.Senior.ID, f.EastRep.ID: f.EastMgr.ID} {
			if r := f.reviewOf(t, c, person); r.ReviewerID != want {
				t.Errorf("%s is reviewed by %d, want %d", r.PersonName, r.ReviewerID, want)
			}
		}
	})
}

func TestService_ReviewerGoesAheadOnceTheSelfReviewIsLate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.cycle(t)
		zhao := f.reviewOf(t, c, f.EastRep.ID)
		in := review.ManagerInput{Text: "Steady", Ratings: allRatings(3), ProposedRating: 3, Potential: review.PotentialMedium, Submit: true}
		_, err := f.svc.SaveManager(testorg.As(f.EastMgr), zhao.ID, in)
		wantErr(t, err, echelon.ECONFLICT, "review.awaiting_self")

		f.at = now.AddDate(0, 0, 8) // the self review was due on 2026-10-08
		todo, err := f.svc.FindReviews(testorg.As(f.EastMgr), review.Filter{Mine: review.MineTodo})
		if err != nil || !slices.ContainsFunc(todo, func(r *review.Review) bool { return r.ID == zhao.ID && r.Task == review.TaskManager }) {
			t.Fatalf("Li's tasks after the deadline: %v, want Zhao's review", err)
		}
		own, _ := f.svc.FindReviewByID(testorg.As(f.EastRep), zhao.ID)
		if !own.Overdue || own.Task != review.TaskSelf {
			t.Fatalf("Zhao's late self review: overdue %v task %q", own.Overdue, own.Task)
		}
		r, err := f.svc.SaveManager(testorg.As(f.EastMgr), zhao.ID, in)
		if err != nil || r.State != review.StateCalibration || r.SelfText != "" {
			t.Fatalf("manager review without the self review: %+v %v", r, err)
		}
		_, err = f.svc.SaveSelf(testorg.As(f.EastRep), zhao.ID, review.SelfInput{Text: "late"})
		wantErr(t, err, echelon.ECONFLICT, "review.in_calibration")
	})
}
