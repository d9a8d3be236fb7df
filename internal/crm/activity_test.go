package crm_test

import (
	"fmt"
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
			{"ErrMarketingMayNotLog", f.marketing, crm.ActivityInput{}, echelon.EFORBIDDEN, "activity.sellers_only"},
			{"ErrAdminSellsNothing", f.admin, crm.ActivityInput{AccountID: acct.ID}, echelon.EFORBIDDEN, "activity.sellers_only"},
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

		t.Run("ErrTheProgramItselfSellsNothing", func(t *testing.T) {
			before := f.rows(t)
			_, err := f.crm.CreateActivity(system(), crm.ActivityInput{Kind: "note", Subject: "System note", At: f.clock.Now(), AccountID: acct.ID})
			wantErr(t, err, echelon.EFORBIDDEN, "activity.sellers_only")
			f.unchanged(t, before)
		})
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

func TestService_UpdateActivity_LastFollowUp(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		alpha := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Alpha Customer"})
		beta := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Beta Customer"})
		now := f.clock.Now()
		early := f.mustActivity(t, f.eastRep, crm.ActivityInput{Subject: "Early call", AccountID: alpha.ID, At: now.Add(-days(2))})
		late := f.mustActivity(t, f.eastRep, crm.ActivityInput{Subject: "Late call", AccountID: alpha.ID, At: now.Add(-time.Hour)})
		betaCall := f.mustActivity(t, f.eastRep, crm.ActivityInput{Subject: "Beta call", AccountID: beta.ID, At: now.Add(-days(3))})

		// move files x under an account at a time, as its owner.
		move := func(t *testing.T, x *crm.Activity, a *crm.Account, at time.Time) *crm.Activity {
			t.Helper()
			got, err := f.crm.UpdateActivity(as(f.eastRep), x.ID, crm.ActivityInput{Kind: x.Kind, Subject: x.Subject, At: at,
				AccountID: a.ID, Version: x.Version})
			if err != nil {
				t.Fatalf("move %q to %q at %v: %v", x.Subject, a.Name, at, err)
			}
			return got
		}
		// wantLast checks an account's last follow-up; nil means none.
		wantLast := func(t *testing.T, a *crm.Account, want *time.Time) {
			t.Helper()
			got := f.account(t, a.ID).LastActivityAt
			if (got == nil) != (want == nil) || got != nil && !got.Equal(*want) {
				t.Errorf("%q: last activity %v, want %v", a.Name, got, want)
			}
		}

		t.Run("MovingAnActivityRecountsTheAccountItLeavesAndTheOneItJoins", func(t *testing.T) {
			late = move(t, late, beta, late.At)
			wantLast(t, alpha, &early.At)
			wantLast(t, beta, &late.At)
		})

		t.Run("MovingItBackInTimeRecountsItsAccount", func(t *testing.T) {
			late = move(t, late, beta, now.Add(-days(5)))
			wantLast(t, beta, &betaCall.At)
		})

		t.Run("AnActivityMovedIntoTheFutureNoLongerCounts", func(t *testing.T) {
			early = move(t, early, alpha, now.Add(days(2)))
			wantLast(t, alpha, nil)
		})

		t.Run("APlannedActivityCountsOnceItHappened", func(t *testing.T) {
			f.clock.advance(days(3))
			early = move(t, early, alpha, early.At)
			wantLast(t, alpha, &early.At)
		})

		t.Run("SimultaneousMovesAndNewCallsLeaveEveryAccountRight", func(t *testing.T) {
			pine := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Pine Customer"})
			quay := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Quay Customer"})
			accounts := []*crm.Account{pine, quay}
			now := f.clock.Now()
			var calls []*crm.Activity
			for i := range 8 {
				calls = append(calls, f.mustActivity(t, f.eastRep, crm.ActivityInput{Subject: fmt.Sprintf("Call %d", i),
					AccountID: accounts[i%2].ID, At: now.Add(-time.Duration(i+1) * time.Hour)}))
			}
			// Every call moves to the other account while new calls are logged on both.
			errs := make([]error, 2*len(calls))
			atOnce(len(errs), func(i int) {
				if i < len(calls) {
					x := calls[i]
					_, errs[i] = f.crm.UpdateActivity(as(f.eastRep), x.ID, crm.ActivityInput{Kind: x.Kind, Subject: x.Subject, At: x.At,
						AccountID: accounts[(i+1)%2].ID, Version: x.Version})
					return
				}
				_, errs[i] = f.crm.CreateActivity(as(f.eastRep), crm.ActivityInput{Kind: "call", Subject: fmt.Sprintf("New call %d", i),
					AccountID: accounts[i%2].ID, At: now.Add(-time.Duration(i) * time.Minute)})
			})
			for i, err := range errs {
				if err != nil {
					t.Fatalf("writer %d: %v", i, err)
				}
			}
			for _, a := range accounts {
				xs, _, err := f.crm.FindActivities(system(), crm.ActivityFilter{AccountID: a.ID, Page: crm.Page{Limit: 1}})
				if err != nil || len(xs) != 1 {
					t.Fatalf("latest activity of %q: %v %v", a.Name, xs, err)
				}
				wantLast(t, a, &xs[0].At)
			}
		})

		t.Run("AnActivityFiledUnderTheWrongAccountNoLongerKeepsItFromThePool", func(t *testing.T) {
			// The company rule returns an account after 30 days without an activity.
			wrong := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Wrong Customer"})
			right := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Right Customer"})
			f.clock.advance(days(25))
			x := f.mustActivity(t, f.eastRep, crm.ActivityInput{Subject: "Visit", Kind: "visit", AccountID: wrong.ID})
			move(t, x, right, x.At)
			f.clock.advance(days(6))
			if _, err := f.crm.ReturnStaleAccounts(t.Context()); err != nil {
				t.Fatalf("return stale accounts: %v", err)
			}
			if !f.account(t, wrong.ID).InPool() {
				t.Errorf("%q, followed up only by the moved visit 31 days after it was created, is still owned", wrong.Name)
			}
			if f.account(t, right.ID).InPool() {
				t.Errorf("%q, visited 6 days ago, went back to the pool", right.Name)
			}
		})
	})
}
