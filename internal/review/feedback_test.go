package review_test

import (
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/review"
	"github.com/echelonhq/echelon/internal/testorg"
)

func TestService_Feedback(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		as := testorg.As
		note := func(kind, vis, body string) review.FeedbackInput {
			return review.FeedbackInput{PersonID: f.EastRep.ID, Kind: kind, Visibility: vis, Body: body}
		}
		_, err := f.svc.CreateFeedback(as(f.EastRep2), note(review.Praise, review.Shared, "peer praise"))
		wantErr(t, err, echelon.EFORBIDDEN, "feedback.forbidden")
		_, err = f.svc.CreateFeedback(as(f.WestMgr), note(review.Praise, review.Shared, "outside"))
		wantErr(t, err, echelon.EINVALID, "person.not_found")
		_, err = f.svc.CreateFeedback(as(f.EastMgr), review.FeedbackInput{PersonID: f.EastMgr.ID, Kind: review.Praise, Body: "me"})
		wantErr(t, err, echelon.EINVALID, "review.about_self")
		_, err = f.svc.CreateFeedback(as(f.EastMgr), note("blame", review.Shared, "x"))
		wantErr(t, err, echelon.EINVALID, "feedback.kind_invalid")
		_, err = f.svc.CreateFeedback(as(f.EastMgr), note(review.Praise, review.Shared, "  "))
		wantErr(t, err, echelon.EINVALID, "review.text_required")

		if _, err := f.svc.CreateFeedback(as(f.EastMgr), note(review.Development, "", "Prepare the demo earlier")); err != nil {
			t.Fatalf("private note: %v", err)
		}
		shared, err := f.svc.CreateFeedback(as(f.Senior), note(review.Praise, review.Shared, "Won the Hangzhou tender"))
		if err != nil || shared.AuthorName != "Sun" {
			t.Fatalf("shared note: %+v %v", shared, err)
		}
		for _, c := range []struct {
			name    string
			as      *echelon.Actor
			visible int
		}{
			{"Person", testorg.ActorOf(f.EastRep), 2},
			{"Manager", testorg.ActorOf(f.EastMgr), 2},
			{"Senior", testorg.ActorOf(f.Senior), 2},
			{"Admin", testorg.ActorOf(f.Admin), 2},
			{"TeamMateSharedOnly", testorg.ActorOf(f.EastRep2), 1},
			{"OtherRegionManager", testorg.ActorOf(f.WestMgr), 0},
			{"OtherRegionRep", testorg.ActorOf(f.WestRep), 0},
			{"Marketing", testorg.ActorOf(f.Marketing), 0},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, err := f.svc.FindFeedback(echelon.NewContext(t.Context(), c.as), f.EastRep.ID)
				if err != nil || len(got) != c.visible {
					t.Fatalf("%d notes (%v), want %d", len(got), err, c.visible)
				}
			})
		}
	})
}

func TestService_Plans(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		as := testorg.As
		c := f.cycle(t)
		zhao := f.reviewOf(t, c, f.EastRep.ID)
		west := f.reviewOf(t, c, f.WestRep.ID)
		in := review.PlanInput{PersonID: f.EastRep.ID, ReviewID: zhao.ID, Goals: []string{"Ten qualified visits a month", " "},
			Checkins: []string{"2026-11-15", "2026-10-31"}}

		_, err := f.svc.OpenPlan(as(f.EastRep), in)
		wantErr(t, err, echelon.EFORBIDDEN, "plan.forbidden")
		_, err = f.svc.OpenPlan(as(f.WestMgr), in)
		wantErr(t, err, echelon.EINVALID, "person.not_found")
		bad := in
		bad.ReviewID = west.ID
		_, err = f.svc.OpenPlan(as(f.Senior), bad)
		wantErr(t, err, echelon.EINVALID, "review.not_found")
		bad = in
		bad.Checkins = []string{"31/10/2026"}
		_, err = f.svc.OpenPlan(as(f.EastMgr), bad)
		wantErr(t, err, echelon.EINVALID, "plan.checkin_invalid")
		bad = in
		bad.Goals = nil
		_, err = f.svc.OpenPlan(as(f.EastMgr), bad)
		wantErr(t, err, echelon.EINVALID, "plan.goals_required")

		p, err := f.svc.OpenPlan(as(f.EastMgr), in)
		if err != nil || len(p.Goals) != 1 || p.Checkins[0] != "2026-10-31" || p.State != review.PlanOpen || p.OpenedBy != "Li" {
			t.Fatalf("open: %+v %v", p, err)
		}
		_, err = f.svc.OpenPlan(as(f.Senior), in)
		wantErr(t, err, echelon.ECONFLICT, "plan.already_open")
		var open map[int64]bool
		err = d.View(t.Context(), func(tx *db.Tx) (err error) {
			open, err = review.OpenPlans(t.Context(), tx, []int64{f.EastRep.ID, f.EastRep2.ID})
			return err
		})
		if err != nil || !open[f.EastRep.ID] || open[f.EastRep2.ID] {
			t.Fatalf("open plans: %v %v", open, err)
		}

		if own, err := f.svc.FindPlans(as(f.EastRep), 0); err != nil || len(own) != 1 {
			t.Fatalf("Zhao's plans: %d %v", len(own), err)
		}
		if other, err := f.svc.FindPlans(as(f.EastRep2), 0); err != nil || len(other) != 0 {
			t.Fatalf("Qian sees %d plans (%v)", len(other), err)
		}
		_, err = f.svc.AddCheckin(as(f.EastRep), p.ID, review.PlanNoteInput{Body: "I did it"})
		wantErr(t, err, echelon.EFORBIDDEN, "plan.forbidden")
		_, err = f.svc.AddCheckin(as(f.WestMgr), p.ID, review.PlanNoteInput{Body: "x"})
		wantErr(t, err, echelon.ENOTFOUND, "plan.not_found")
		p, err = f.svc.AddCheckin(as(f.EastMgr), p.ID, review.PlanNoteInput{Body: "Eight visits so far", Version: p.Version})
		if err != nil || len(p.Notes) != 1 {
			t.Fatalf("check-in: %+v %v", p, err)
		}
		_, err = f.svc.ClosePlan(as(f.EastMgr), p.ID, review.PlanCloseInput{Outcome: "fine"})
		wantErr(t, err, echelon.EINVALID, "plan.outcome_invalid")
		_, err = f.svc.ClosePlan(as(f.EastMgr), p.ID, review.PlanCloseInput{Outcome: review.Successful, Version: 1})
		wantErr(t, err, echelon.ECONFLICT, "record.changed")
		p, err = f.svc.ClosePlan(as(f.Senior), p.ID, review.PlanCloseInput{Outcome: review.Successful, Note: "Target met"})
		if err != nil || p.State != review.PlanClosed || p.Outcome != review.Successful || len(p.Notes) != 2 || p.ClosedAt == nil {
			t.Fatalf("close: %+v %v", p, err)
		}
		_, err = f.svc.AddCheckin(as(f.EastMgr), p.ID, review.PlanNoteInput{Body: "after"})
		wantErr(t, err, echelon.ECONFLICT, "plan.closed")
	})
}
