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

// wantHistory checks an account's ownership history, newest first, as
// action:from→to lines with people's names ("-" for the pool).
func wantHistory(t *testing.T, h []*crm.OwnershipEvent, want ...string) {
	t.Helper()
	var got []string
	for _, e := range h {
		from, to := e.FromName, e.ToName
		if from == "" {
			from = "-"
		}
		if to == "" {
			to = "-"
		}
		got = append(got, e.Action+":"+from+"→"+to)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ownership history %v, want %v", got, want)
	}
}

// wantAudited checks that action on the account is in the audit log once per want, by whom.
func (f *fixture) wantAudited(t *testing.T, id int64, action string, by ...*org.Person) {
	t.Helper()
	es := f.entries(t, "account", id, action)
	if len(es) != len(by) {
		t.Fatalf("%d %q entries in the audit log of account %d, want %d", len(es), action, id, len(by))
	}
	for i, p := range by {
		want := int64(0)
		if p != nil {
			want = p.ID
		}
		if es[len(es)-1-i].ActorID != want {
			t.Errorf("%q entry %d by actor %d, want %d", action, i, es[len(es)-1-i].ActorID, want)
		}
	}
}

func TestService_ClaimAccount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)

		t.Run("ErrOverLimit", func(t *testing.T) {
			f.setAccountLimit(t, "junior_rep", 2)
			defer f.setAccountLimit(t, "junior_rep", 50)
			own1 := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Limit Own One"})
			f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Limit Own Two"})
			p := f.mustPoolAccount(t, f.eastMgr, f.east, "Limit Pool One")

			before := f.rows(t)
			_, err := f.crm.ClaimAccount(as(f.eastRep), p.ID)
			wantArgs(t, wantErr(t, err, echelon.ECONFLICT, "pool.limit_reached"), 2, 2)
			_, err = f.crm.CreateAccount(as(f.eastRep), crm.AccountInput{Name: "Limit Own Three"})
			wantErr(t, err, echelon.ECONFLICT, "pool.limit_reached")
			_, err = f.crm.TransferAccount(as(f.eastMgr), p.ID, f.eastRep.ID, "covers the account")
			wantErr(t, err, echelon.ECONFLICT, "pool.limit_reached")
			f.unchanged(t, before)
			if got := f.account(t, p.ID); !got.InPool() {
				t.Fatalf("refused claim left owner %d", got.OwnerID)
			}

			// The limit is per level: a mid-level rep still claims.
			if _, err := f.crm.ClaimAccount(as(f.eastRep2), p.ID); err != nil {
				t.Fatalf("mid-level rep claims: %v", err)
			}
			// Returning one account makes room for another.
			if _, err := f.crm.ReleaseAccount(as(f.eastRep), own1.ID, "not a fit"); err != nil {
				t.Fatalf("release: %v", err)
			}
			p2 := f.mustPoolAccount(t, f.eastMgr, f.east, "Limit Pool Two")
			if _, err := f.crm.ClaimAccount(as(f.eastRep), p2.ID); err != nil {
				t.Fatalf("claim after making room: %v", err)
			}

			// With room for one more, two claims at once cannot both land.
			if _, err := f.crm.ReleaseAccount(as(f.eastRep), p2.ID, "not a fit"); err != nil {
				t.Fatalf("release: %v", err)
			}
			for round := range 5 {
				ps := []*crm.Account{
					f.mustPoolAccount(t, f.eastMgr, f.east, fmt.Sprintf("Limit Race %d A", round)),
					f.mustPoolAccount(t, f.eastMgr, f.east, fmt.Sprintf("Limit Race %d B", round)),
				}
				errs := make([]error, len(ps))
				atOnce(len(ps), func(i int) { _, errs[i] = f.crm.ClaimAccount(as(f.eastRep), ps[i].ID) })
				won := -1
				for i, err := range errs {
					if err == nil {
						if won >= 0 {
							t.Fatalf("round %d: both claims landed over the limit of 2", round)
						}
						won = i
						continue
					}
					wantErr(t, err, echelon.ECONFLICT, "pool.limit_reached")
				}
				if won < 0 {
					t.Fatalf("round %d: neither claim landed: %v", round, errs)
				}
				if _, err := f.crm.ReleaseAccount(as(f.eastRep), ps[won].ID, ""); err != nil {
					t.Fatalf("release: %v", err)
				}
			}
		})

		t.Run("RepInTheUnitSubtreeSeesAndClaimsAPoolAccount", func(t *testing.T) {
			p := f.mustPoolAccount(t, f.eastMgr, f.east, "Pool East One")
			company := f.mustPoolAccount(t, f.admin, f.company, "Pool Company One")

			for _, tc := range []struct {
				who  *org.Person
				sees []int64
			}{
				{f.eastRep, []int64{p.ID, company.ID}},
				{f.eastRep2, []int64{p.ID, company.ID}},
				{f.eastMgr, []int64{p.ID, company.ID}},
				{f.westRep, []int64{company.ID}},
				{f.westMgr, []int64{company.ID}},
				{f.marketing, nil},
			} {
				pool, _, err := f.crm.FindAccounts(as(tc.who), crm.AccountFilter{Pool: true})
				if err != nil {
					t.Fatalf("%s lists the pool: %v", tc.who.Name, err)
				}
				for _, id := range []int64{p.ID, company.ID} {
					want := contains(tc.sees, id)
					if got := contains(accountIDs(pool), id); got != want {
						t.Errorf("%s's pool lists account %d: %v, want %v", tc.who.Name, id, got, want)
					}
					a, err := f.crm.FindAccountByID(as(tc.who), id)
					if want && (err != nil || !a.InPool()) {
						t.Errorf("%s reads pool account %d: %v", tc.who.Name, id, err)
					}
					if !want {
						wantErr(t, err, echelon.ENOTFOUND, "account.not_found")
					}
				}
			}
			owned, _, _ := f.crm.FindAccounts(as(f.eastRep), crm.AccountFilter{})
			if contains(accountIDs(owned), p.ID) {
				t.Error("a pool account is listed among the rep's own accounts")
			}

			f.clock.advance(time.Hour)
			got, err := f.crm.ClaimAccount(as(f.eastRep), p.ID)
			if err != nil {
				t.Fatalf("claim: %v", err)
			}
			if got.OwnerID != f.eastRep.ID || got.OwnerName != f.eastRep.Name || got.UnitID != f.eastA.ID ||
				got.OwnedSince == nil || !got.OwnedSince.Equal(f.clock.Now()) || got.Version != p.Version+1 {
				t.Errorf("after claim: owner %d %q unit %d since %v version %d", got.OwnerID, got.OwnerName, got.UnitID, got.OwnedSince, got.Version)
			}
			owned, _, _ = f.crm.FindAccounts(as(f.eastRep), crm.AccountFilter{})
			pool, _, _ := f.crm.FindAccounts(as(f.eastRep2), crm.AccountFilter{Pool: true})
			if !contains(accountIDs(owned), p.ID) || contains(accountIDs(pool), p.ID) {
				t.Error("a claimed account must leave the pool and join the rep's own list")
			}
			wantHistory(t, f.ownership(t, p.ID), "claim:-→Zhao", "create:-→-")
			f.wantAudited(t, p.ID, "claim", f.eastRep)

			// A rep from another region claims from the company pool into their own unit.
			got, err = f.crm.ClaimAccount(as(f.westRep), company.ID)
			if err != nil || got.UnitID != f.west.ID {
				t.Fatalf("west rep claims a company pool account: %v", err)
			}
		})

		t.Run("ErrAlreadyOwned", func(t *testing.T) {
			p := f.mustPoolAccount(t, f.eastMgr, f.east, "Pool East Two")
			if _, err := f.crm.ClaimAccount(as(f.eastRep), p.ID); err != nil {
				t.Fatalf("first claim: %v", err)
			}
			before := f.rows(t)
			_, err := f.crm.ClaimAccount(as(f.eastRep2), p.ID)
			wantErr(t, err, echelon.ECONFLICT, "pool.already_owned")
			_, err = f.crm.ClaimAccount(as(f.eastMgr), p.ID)
			wantErr(t, err, echelon.ECONFLICT, "pool.already_owned")
			_, err = f.crm.ClaimAccount(as(f.eastRep), p.ID)
			wantErr(t, err, echelon.ECONFLICT, "pool.already_owned")
			f.unchanged(t, before)
			if got := f.account(t, p.ID); got.OwnerID != f.eastRep.ID {
				t.Errorf("owner %d after refused claims, want %d", got.OwnerID, f.eastRep.ID)
			}
		})

		t.Run("ErrOtherRepsAccountIsNotInThePool", func(t *testing.T) {
			a := f.mustAccount(t, f.westRep, crm.AccountInput{Name: "Zhou Private"})
			before := f.rows(t)
			_, err := f.crm.ClaimAccount(as(f.eastRep), a.ID)
			wantErr(t, err, echelon.ENOTFOUND, "account.not_found")
			f.unchanged(t, before)
		})

		t.Run("ErrOutsideThePool", func(t *testing.T) {
			p := f.mustPoolAccount(t, f.eastMgr, f.east, "Pool East Three")
			before := f.rows(t)
			_, err := f.crm.ClaimAccount(as(f.westRep), p.ID)
			wantErr(t, err, echelon.ENOTFOUND, "account.not_found")
			_, err = f.crm.ClaimAccount(as(f.westMgr), p.ID)
			wantErr(t, err, echelon.ENOTFOUND, "account.not_found")
			f.unchanged(t, before)
		})

		t.Run("ErrNotASeller", func(t *testing.T) {
			p := f.mustPoolAccount(t, f.admin, f.company, "Pool Company Two")
			before := f.rows(t)
			for _, who := range []*org.Person{f.marketing, f.admin} {
				_, err := f.crm.ClaimAccount(as(who), p.ID)
				wantErr(t, err, echelon.EFORBIDDEN, "perm.forbidden")
			}
			f.unchanged(t, before)
		})

		t.Run("ErrLockedOut", func(t *testing.T) {
			p := f.mustPoolAccount(t, f.eastMgr, f.east, "Pool Lockout")
			if _, err := f.crm.ClaimAccount(as(f.eastRep), p.ID); err != nil {
				t.Fatalf("claim: %v", err)
			}
			f.clock.advance(2 * time.Hour)
			released := f.clock.Now()
			got, err := f.crm.ReleaseAccount(as(f.eastRep), p.ID, "客户暂无需求")
			if err != nil || !got.InPool() || got.OwnedSince != nil {
				t.Fatalf("release: %v %+v", err, got)
			}

			until := released.AddDate(0, 0, 15).Format(time.DateOnly)
			for _, wait := range []time.Duration{0, days(1), days(13)} {
				f.clock.advance(wait)
				before := f.rows(t)
				_, err := f.crm.ClaimAccount(as(f.eastRep), p.ID)
				wantArgs(t, wantErr(t, err, echelon.ECONFLICT, "pool.locked_out"), until)
				f.unchanged(t, before)
			}
			f.clock.advance(days(1)) // 15 days after the release
			if _, err := f.crm.ClaimAccount(as(f.eastRep), p.ID); err != nil {
				t.Fatalf("claim after the lockout: %v", err)
			}
			h := f.ownership(t, p.ID)
			wantHistory(t, h, "claim:-→Zhao", "return:Zhao→-", "claim:-→Zhao", "create:-→-")
			if h[1].Reason != "客户暂无需求" || !h[1].At.Equal(released) {
				t.Errorf("return kept reason %q at %v, want 客户暂无需求 at %v", h[1].Reason, h[1].At, released)
			}
			f.wantAudited(t, p.ID, "claim", f.eastRep, f.eastRep)
			f.wantAudited(t, p.ID, "return", f.eastRep)
		})

		t.Run("OtherRepsAreNotLockedOut", func(t *testing.T) {
			p := f.mustPoolAccount(t, f.eastMgr, f.east, "Pool Passed On")
			if _, err := f.crm.ClaimAccount(as(f.eastRep), p.ID); err != nil {
				t.Fatalf("claim: %v", err)
			}
			if _, err := f.crm.ReleaseAccount(as(f.eastRep), p.ID, ""); err != nil {
				t.Fatalf("release: %v", err)
			}
			if _, err := f.crm.ClaimAccount(as(f.eastRep2), p.ID); err != nil {
				t.Fatalf("another rep claims right after the release: %v", err)
			}
		})

		t.Run("OnlyOneOfTwoSimultaneousClaimsWins", func(t *testing.T) {
			for round := range 5 {
				p := f.mustPoolAccount(t, f.eastMgr, f.east, fmt.Sprintf("Pool Race %d", round))
				claimers := []*org.Person{f.eastRep, f.eastRep2}
				errs := make([]error, len(claimers))
				atOnce(len(claimers), func(i int) { _, errs[i] = f.crm.ClaimAccount(as(claimers[i]), p.ID) })

				var winner *org.Person
				for i, err := range errs {
					switch {
					case err == nil && winner != nil:
						t.Fatalf("round %d: both claims succeeded", round)
					case err == nil:
						winner = claimers[i]
					default:
						wantErr(t, err, echelon.ECONFLICT, "pool.already_owned")
					}
				}
				if winner == nil {
					t.Fatalf("round %d: no claim succeeded: %v", round, errs)
				}
				if got := f.account(t, p.ID); got.OwnerID != winner.ID {
					t.Errorf("round %d: owner %d, want the winner %d", round, got.OwnerID, winner.ID)
				}
				wantHistory(t, f.ownership(t, p.ID), "claim:-→"+winner.Name, "create:-→-")
				f.wantAudited(t, p.ID, "claim", winner)
			}
		})
	})
}

func TestService_ReleaseAccount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		zhao := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Zhao Customer"})
		qian := f.mustAccount(t, f.eastRep2, crm.AccountInput{Name: "Qian Customer"})

		t.Run("ErrOtherRepsAccountIsNotFound", func(t *testing.T) {
			before := f.rows(t)
			for _, who := range []*org.Person{f.eastRep2, f.westRep, f.westMgr, f.marketing} {
				_, err := f.crm.ReleaseAccount(as(who), zhao.ID, "")
				wantErr(t, err, echelon.ENOTFOUND, "account.not_found")
			}
			f.unchanged(t, before)
		})

		t.Run("OwnerReturnsTheAccountToThePoolOfItsUnit", func(t *testing.T) {
			got, err := f.crm.ReleaseAccount(as(f.eastRep), zhao.ID, "wrong segment")
			if err != nil {
				t.Fatalf("release: %v", err)
			}
			if !got.InPool() || got.UnitID != f.eastA.ID {
				t.Errorf("released account owner %d unit %d", got.OwnerID, got.UnitID)
			}
			pool, _, _ := f.crm.FindAccounts(as(f.eastRep2), crm.AccountFilter{Pool: true})
			if !contains(accountIDs(pool), zhao.ID) {
				t.Error("the released account is not in the pool of the rep's team")
			}
			wantHistory(t, f.ownership(t, zhao.ID), "return:Zhao→-", "create:-→Zhao")
			f.wantAudited(t, zhao.ID, "return", f.eastRep)
		})

		t.Run("ErrAlreadyInThePool", func(t *testing.T) {
			before := f.rows(t)
			_, err := f.crm.ReleaseAccount(as(f.eastMgr), zhao.ID, "")
			wantErr(t, err, echelon.ECONFLICT, "pool.not_owned")
			_, err = f.crm.ReleaseAccount(as(f.eastRep2), zhao.ID, "")
			wantErr(t, err, echelon.ECONFLICT, "pool.not_owned")
			f.unchanged(t, before)
		})

		t.Run("ManagerReturnsARepsAccount", func(t *testing.T) {
			if _, err := f.crm.ReleaseAccount(as(f.eastMgr), qian.ID, "rep on leave"); err != nil {
				t.Fatalf("manager releases: %v", err)
			}
			wantHistory(t, f.ownership(t, qian.ID), "return:Qian→-", "create:-→Qian")
			f.wantAudited(t, qian.ID, "return", f.eastMgr)
		})
	})
}

func TestService_TransferAccount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		zhao := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Zhao Customer"})
		pool := f.mustPoolAccount(t, f.eastMgr, f.east, "Pool Customer")

		for _, tc := range []struct {
			name      string
			who       *org.Person
			account   *crm.Account
			to        *org.Person
			reason    string
			code, key string
		}{
			{"ErrRepMayNotTransfer", f.eastRep, zhao, f.eastRep2, "handing over", echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrMarketingMayNotTransfer", f.marketing, zhao, f.eastRep2, "handing over", echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrReasonRequired", f.eastMgr, zhao, f.eastRep2, "  ", echelon.EINVALID, "field.required"},
			{"ErrOtherRegionsManager", f.westMgr, zhao, f.westRep, "handing over", echelon.ENOTFOUND, "account.not_found"},
			{"ErrOwnerOutsideTheRegion", f.eastMgr, zhao, f.westRep, "handing over", echelon.EINVALID, "account.owner_outside"},
			{"ErrOwnerMustSell", f.admin, zhao, f.marketing, "handing over", echelon.EINVALID, "account.owner_role"},
			{"ErrSameOwner", f.eastMgr, zhao, f.eastRep, "handing over", echelon.EINVALID, "account.same_owner"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := f.rows(t)
				_, err := f.crm.TransferAccount(as(tc.who), tc.account.ID, tc.to.ID, tc.reason)
				wantErr(t, err, tc.code, tc.key)
				f.unchanged(t, before)
			})
		}

		t.Run("ManagerHandsAnAccountToAnotherRepWithTheReason", func(t *testing.T) {
			f.clock.advance(time.Hour)
			got, err := f.crm.TransferAccount(as(f.eastMgr), zhao.ID, f.eastRep2.ID, "Zhao moves to key accounts")
			if err != nil {
				t.Fatalf("transfer: %v", err)
			}
			if got.OwnerID != f.eastRep2.ID || got.OwnedSince == nil || !got.OwnedSince.Equal(f.clock.Now()) {
				t.Errorf("after transfer owner %d since %v", got.OwnerID, got.OwnedSince)
			}
			h := f.ownership(t, zhao.ID)
			wantHistory(t, h, "transfer:Zhao→Qian", "create:-→Zhao")
			if h[0].Reason != "Zhao moves to key accounts" {
				t.Errorf("reason %q", h[0].Reason)
			}
			f.wantAudited(t, zhao.ID, "transfer", f.eastMgr)
			if _, err := f.crm.FindAccountByID(as(f.eastRep), zhao.ID); echelon.ErrorCode(err) != echelon.ENOTFOUND {
				t.Errorf("the former owner still reads the account: %v", err)
			}
			if _, err := f.crm.FindAccountByID(as(f.eastRep2), zhao.ID); err != nil {
				t.Errorf("the new owner cannot read the account: %v", err)
			}
		})

		t.Run("SeniorManagerMovesAnAccountAcrossRegions", func(t *testing.T) {
			got, err := f.crm.TransferAccount(as(f.senior), zhao.ID, f.westRep.ID, "customer relocated to Chengdu")
			if err != nil {
				t.Fatalf("transfer: %v", err)
			}
			if got.OwnerID != f.westRep.ID || got.UnitID != f.west.ID {
				t.Errorf("owner %d unit %d", got.OwnerID, got.UnitID)
			}
			if _, err := f.crm.FindAccountByID(as(f.eastMgr), zhao.ID); echelon.ErrorCode(err) != echelon.ENOTFOUND {
				t.Errorf("the east manager still reads an account now in the west: %v", err)
			}
		})

		t.Run("ManagerAssignsAPoolAccount", func(t *testing.T) {
			if _, err := f.crm.TransferAccount(as(f.eastMgr), pool.ID, f.eastRep.ID, "territory"); err != nil {
				t.Fatalf("transfer from the pool: %v", err)
			}
			wantHistory(t, f.ownership(t, pool.ID), "transfer:-→Zhao", "create:-→-")
		})
	})
}

func TestService_ReturnStaleAccounts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		// The company rule: back to the pool after 30 days without an activity, 15 days' lockout.
		stale := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Stale Customer"})
		followed := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Followed Customer"})
		westStale := f.mustAccount(t, f.westRep, crm.AccountInput{Name: "West Stale Customer"})
		f.clock.advance(days(20))
		f.mustActivity(t, f.eastRep, crm.ActivityInput{AccountID: followed.ID, Subject: "Quarterly visit", Kind: "visit"})
		f.clock.advance(days(5))
		recent := f.mustAccount(t, f.eastRep2, crm.AccountInput{Name: "Recent Customer"})

		t.Run("NothingIsReturnedBeforeItsTime", func(t *testing.T) {
			f.clock.advance(days(4)) // day 29
			n, err := f.crm.ReturnStaleAccounts(t.Context())
			if err != nil || n != 0 {
				t.Fatalf("returned %d: %v", n, err)
			}
		})

		t.Run("AccountsWithoutAnActivityForReturnDaysGoBack", func(t *testing.T) {
			f.clock.advance(days(1) + time.Minute) // day 30 and a minute
			n, err := f.crm.ReturnStaleAccounts(t.Context())
			if err != nil {
				t.Fatalf("return stale accounts: %v", err)
			}
			if n != 2 {
				t.Errorf("returned %d accounts, want 2", n)
			}
			for _, a := range []*crm.Account{stale, westStale} {
				got := f.account(t, a.ID)
				if !got.InPool() {
					t.Errorf("%q is still owned by %d", a.Name, got.OwnerID)
				}
				h := f.ownership(t, a.ID)
				if h[0].Action != crm.OwnAutoReturn || h[0].FromID != a.OwnerID || h[0].Reason != "30" {
					t.Errorf("%q: latest ownership event %+v", a.Name, h[0])
				}
				es := f.entries(t, "account", a.ID, "auto_return")
				if len(es) != 1 || es[0].ActorName != "pool-return job" {
					t.Errorf("%q: auto_return audit entries %+v", a.Name, es)
				}
			}
			for _, a := range []*crm.Account{followed, recent} {
				if got := f.account(t, a.ID); got.OwnerID != a.OwnerID {
					t.Errorf("%q with a recent follow-up went back to the pool", a.Name)
				}
			}
		})

		t.Run("TheFormerOwnerIsLockedOut", func(t *testing.T) {
			_, err := f.crm.ClaimAccount(as(f.eastRep), stale.ID)
			wantErr(t, err, echelon.ECONFLICT, "pool.locked_out")
			if _, err := f.crm.ClaimAccount(as(f.eastRep2), stale.ID); err != nil {
				t.Fatalf("another rep claims the returned account: %v", err)
			}
		})

		t.Run("ARunTwiceReturnsNothingMore", func(t *testing.T) {
			n, err := f.crm.ReturnStaleAccounts(t.Context())
			if err != nil || n != 0 {
				t.Fatalf("second run returned %d: %v", n, err)
			}
		})

		t.Run("AUnitRuleOverridesTheCompanyRule", func(t *testing.T) {
			if _, err := f.crm.SetPoolRule(as(f.eastMgr), crm.PoolRule{UnitID: f.east.ID, ReturnDays: 5, LockoutDays: 3}); err != nil {
				t.Fatalf("set east rule: %v", err)
			}
			_, err := f.crm.SetPoolRule(as(f.eastMgr), crm.PoolRule{UnitID: f.west.ID, ReturnDays: 5, LockoutDays: 3})
			wantErr(t, err, echelon.ENOTFOUND, "unit.not_found")
			_, err = f.crm.SetPoolRule(as(f.eastRep), crm.PoolRule{UnitID: f.eastA.ID, ReturnDays: 5, LockoutDays: 3})
			wantErr(t, err, echelon.EFORBIDDEN, "perm.forbidden")

			east := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "East Quick Return"})
			west := f.mustAccount(t, f.westRep, crm.AccountInput{Name: "West Slow Return"})
			f.clock.advance(days(6))
			if _, err := f.crm.ReturnStaleAccounts(t.Context()); err != nil {
				t.Fatalf("return stale accounts: %v", err)
			}
			if !f.account(t, east.ID).InPool() {
				t.Error("an east account idle for 6 days stays owned under a 5-day rule")
			}
			if f.account(t, west.ID).InPool() {
				t.Error("a west account idle for 6 days went back under the 30-day company rule")
			}
			// The east lockout is 3 days.
			_, err = f.crm.ClaimAccount(as(f.eastRep), east.ID)
			wantErr(t, err, echelon.ECONFLICT, "pool.locked_out")
			f.clock.advance(days(3))
			if _, err := f.crm.ClaimAccount(as(f.eastRep), east.ID); err != nil {
				t.Fatalf("claim after the east lockout: %v", err)
			}
		})
	})
}

func TestDB_TryLease(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		now := time.Date(2025, 3, 3, 2, 0, 0, 0, time.UTC)

		t.Run("OnlyOneOfTwoSimultaneousHoldersGetsTheLease", func(t *testing.T) {
			for round := range 5 {
				name := fmt.Sprintf("pool-return-%d", round)
				holders := []string{"instance-a", "instance-b"}
				got := make([]bool, len(holders))
				errs := make([]error, len(holders))
				atOnce(len(holders), func(i int) { got[i], errs[i] = d.TryLease(t.Context(), name, holders[i], now, time.Minute) })
				for _, err := range errs {
					if err != nil {
						t.Fatalf("round %d: %v", round, err)
					}
				}
				if got[0] == got[1] {
					t.Fatalf("round %d: leases taken %v, want exactly one", round, got)
				}
			}
		})

		t.Run("AnExpiredLeaseGoesToTheNextHolder", func(t *testing.T) {
			ok, err := d.TryLease(t.Context(), "nightly", "instance-a", now, time.Minute)
			if err != nil || !ok {
				t.Fatalf("first lease: %v %v", ok, err)
			}
			if ok, _ := d.TryLease(t.Context(), "nightly", "instance-b", now.Add(59*time.Second), time.Minute); ok {
				t.Fatal("a lease was taken while another holder had it")
			}
			if ok, err := d.TryLease(t.Context(), "nightly", "instance-b", now.Add(61*time.Second), time.Minute); err != nil || !ok {
				t.Fatalf("lease after expiry: %v %v", ok, err)
			}
			if ok, _ := d.TryLease(t.Context(), "nightly", "instance-a", now.Add(90*time.Second), time.Minute); ok {
				t.Fatal("the old holder took back a lease the new holder has")
			}
		})
	})
}
