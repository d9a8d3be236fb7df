package crm_test

import (
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
)

func TestService_CreateActivity(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		acct := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Zhao Customer"})
		other := f.mustAccount(t, f.eastRep2, crm.AccountInput{Name: "Qian Customer"})
		pool := f.mustPoolAccount(t, f.eastMgr, f.east, "Pool Customer")
		opp := f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "Zhao deal", AccountID: acct.ID, Amount: 1_00})
		otherOpp := f.mustOpportunity(t, f.eastRep2, crm.OpportunityInput{Name: "Qian deal", AccountID: other.ID, Amount: 1_00})

		t.Run("ACallSetsTheAccountsLastActivity", func(t *testing.T) {
			f.clock.advance(time.Hour)
			at := f.clock.Now().Add(-10 * time.Minute)
			x := f.mustActivity(t, f.eastRep, crm.ActivityInput{Kind: "call", Subject: "Intro call", At: at, AccountID: acct.ID,
				Outcome: "Interested in ERP", NextStep: "Send proposal", NextStepAt: ptr(at.Add(days(3)))})
			if x.OwnerID != f.eastRep.ID || x.UnitID != f.eastA.ID || x.AccountName != acct.Name || x.NextStep != "Send proposal" {
				t.Errorf("stored %+v", x)
			}
			if got := f.account(t, acct.ID); got.LastActivityAt == nil || !got.LastActivityAt.Equal(at) {
				t.Errorf("last activity %v, want %v", got.LastActivityAt, at)
			}
			if len(f.entries(t, "activity", x.ID, "create")) != 1 {
				t.Error("the activity is not in the audit log")
			}
		})

		t.Run("AnOlderActivityDoesNotMoveItBack", func(t *testing.T) {
			last := f.account(t, acct.ID).LastActivityAt
			f.mustActivity(t, f.eastRep, crm.ActivityInput{Kind: "note", Subject: "Notes from last week", At: f.clock.Now().Add(-days(7)), AccountID: acct.ID})
			if got := f.account(t, acct.ID).LastActivityAt; got == nil || !got.Equal(*last) {
				t.Errorf("last activity %v, want it kept at %v", got, last)
			}
		})

		t.Run("APlannedActivityDoesNotCountUntilItHappens", func(t *testing.T) {
			planned := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Planned Customer"})
			f.mustActivity(t, f.eastRep, crm.ActivityInput{Kind: "visit", Subject: "Site visit", At: f.clock.Now().Add(days(3)), AccountID: planned.ID})
			if got := f.account(t, planned.ID).LastActivityAt; got != nil {
				t.Errorf("a planned visit set the last activity to %v", got)
			}
		})

		t.Run("AnActivityOnADealFollowsUpItsAccount", func(t *testing.T) {
			f.clock.advance(time.Hour)
			x := f.mustActivity(t, f.eastRep, crm.ActivityInput{Kind: "meeting", Subject: "Demo", OpportunityID: opp.ID})
			if x.AccountID != acct.ID || x.OpportunityName != opp.Name {
				t.Errorf("activity on account %d deal %q", x.AccountID, x.OpportunityName)
			}
			if got := f.account(t, acct.ID).LastActivityAt; got == nil || !got.Equal(f.clock.Now()) {
				t.Errorf("last activity %v, want %v", got, f.clock.Now())
			}
		})

		for _, tc := range []struct {
			name      string
			who       *org.Person
			in        crm.ActivityInput
			code, key string
		}{
			{"ErrOtherRepsAccount", f.eastRep, crm.ActivityInput{AccountID: other.ID}, echelon.EINVALID, "account.not_found"},
			{"ErrOtherRepsDeal", f.eastRep, crm.ActivityInput{OpportunityID: otherOpp.ID}, echelon.EINVALID, "opportunity.not_found"},
			{"ErrPoolAccountMustBeClaimedFirst", f.eastRep, crm.ActivityInput{AccountID: pool.ID}, echelon.EINVALID, "account.not_found"},
			{"ErrOtherRegionsManager", f.westMgr, crm.ActivityInput{AccountID: acct.ID}, echelon.EINVALID, "account.not_found"},
			{"ErrUnknownKind", f.eastRep, crm.ActivityInput{Kind: "fax", AccountID: acct.ID}, echelon.EINVALID, "activity.kind_invalid"},
			{"ErrSubjectRequired", f.eastRep, crm.ActivityInput{Subject: " ", AccountID: acct.ID}, echelon.EINVALID, "field.required"},
			{"ErrMarketingMayNotLog", f.marketing, crm.ActivityInput{}, echelon.EFORBIDDEN, "perm.forbidden"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := tc.in
				if in.Kind == "" {
					in.Kind = "call"
				}
				if in.Subject == "" {
					in.Subject = "Refused call"
				}
				in.At = f.clock.Now()
				before := f.rows(t)
				_, err := f.crm.CreateActivity(as(tc.who), in)
				wantErr(t, err, tc.code, tc.key)
				f.unchanged(t, before)
			})
		}
	})
}

func TestService_FindActivities(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		var all []*crm.Activity
		byRep := map[*org.Person]*crm.Activity{}
		for _, rep := range []*org.Person{f.eastRep, f.eastRep2, f.westRep} {
			a := f.mustAccount(t, rep, crm.AccountInput{Name: rep.Name + " Customer"})
			x := f.mustActivity(t, rep, crm.ActivityInput{Subject: rep.Name + " call", AccountID: a.ID})
			byRep[rep] = x
			all = append(all, x)
		}
		zhao, qian, zhou := byRep[f.eastRep], byRep[f.eastRep2], byRep[f.westRep]

		for _, tc := range []struct {
			name string
			who  *org.Person
			sees []*crm.Activity
		}{
			{"RepSeesOnlyTheirOwn", f.eastRep, []*crm.Activity{zhao}},
			{"RepInTheSameTeamSeesOnlyTheirOwn", f.eastRep2, []*crm.Activity{qian}},
			{"RegionalManagerSeesTheRegion", f.eastMgr, []*crm.Activity{zhao, qian}},
			{"OtherRegionalManagerSeesOnlyTheirRegion", f.westMgr, []*crm.Activity{zhou}},
			{"SeniorManagerSeesAll", f.senior, all},
			{"AdminSeesAll", f.admin, all},
			{"MarketingSeesNothing", f.marketing, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				listed, _, err := f.crm.FindActivities(as(tc.who), crm.ActivityFilter{})
				if err != nil {
					t.Fatalf("list: %v", err)
				}
				for _, x := range all {
					visible, inList := false, false
					for _, s := range tc.sees {
						visible = visible || s.ID == x.ID
					}
					for _, l := range listed {
						inList = inList || l.ID == x.ID
					}
					if inList != visible {
						t.Errorf("%s's list has %q: %v, want %v", tc.who.Name, x.Subject, inList, visible)
					}
					// Filtering by the owner or the account does not widen the scope.
					byOwner, _, _ := f.crm.FindActivities(as(tc.who), crm.ActivityFilter{OwnerID: x.OwnerID, AccountID: x.AccountID})
					if (len(byOwner) > 0) != visible {
						t.Errorf("%s's list filtered to %q has %d rows", tc.who.Name, x.Subject, len(byOwner))
					}
					if visible {
						continue
					}
					before := f.rows(t)
					_, err := f.crm.UpdateActivity(as(tc.who), x.ID, crm.ActivityInput{Kind: "note", Subject: "Hijacked", At: x.At, Version: x.Version})
					wantErr(t, err, echelon.ENOTFOUND, "activity.not_found")
					f.unchanged(t, before)
				}
			})
		}

		t.Run("OwnerUpdatesTheirActivity", func(t *testing.T) {
			got, err := f.crm.UpdateActivity(as(f.eastRep), zhao.ID, crm.ActivityInput{Kind: "visit", Subject: "Visit instead",
				At: zhao.At, AccountID: zhao.AccountID, Outcome: "Met the CFO", Version: zhao.Version})
			if err != nil {
				t.Fatalf("update: %v", err)
			}
			if got.Kind != "visit" || got.Outcome != "Met the CFO" || got.Version != zhao.Version+1 {
				t.Errorf("after update %+v", got)
			}
			before := f.rows(t)
			_, err = f.crm.UpdateActivity(as(f.eastMgr), zhao.ID, crm.ActivityInput{Kind: "call", Subject: "Stale edit",
				At: zhao.At, AccountID: zhao.AccountID, Version: zhao.Version})
			e := wantErr(t, err, echelon.ECONFLICT, "record.changed")
			if e.Args[0] != f.eastRep.Name {
				t.Errorf("stale error names %v, want %s", e.Args[0], f.eastRep.Name)
			}
			f.unchanged(t, before)
		})
	})
}
