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

func TestService_MergeAccounts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		// The same customer entered twice under names the duplicate check cannot tell apart.
		keep := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "上海明远贸易有限公司"})
		drop := f.mustAccount(t, f.eastRep2, crm.AccountInput{Name: "Mingyuan Trading Shanghai", CreditCode: creditCode})
		c1 := f.mustContact(t, f.eastRep2, crm.ContactInput{AccountID: drop.ID, Name: "Ms Mu"})
		c2 := f.mustContact(t, f.eastRep2, crm.ContactInput{AccountID: drop.ID, Name: "Mr Ye"})
		o := f.mustOpportunity(t, f.eastRep2, crm.OpportunityInput{Name: "Mingyuan WMS", AccountID: drop.ID, Amount: 80_000_00})
		f.clock.advance(time.Hour)
		x := f.mustActivity(t, f.eastRep2, crm.ActivityInput{AccountID: drop.ID, Subject: "Call with Ms Mu"})

		for _, who := range []*org.Person{f.senior, f.eastMgr, f.eastRep, f.eastRep2, f.marketing} {
			t.Run("ErrOnlyAdminMerges/"+who.Name, func(t *testing.T) {
				before := f.rows(t)
				_, err := f.crm.MergeAccounts(as(who), keep.ID, drop.ID)
				wantErr(t, err, echelon.EFORBIDDEN, "perm.forbidden")
				f.unchanged(t, before)
			})
		}

		t.Run("ErrMergeIntoItself", func(t *testing.T) {
			before := f.rows(t)
			_, err := f.crm.MergeAccounts(as(f.admin), keep.ID, keep.ID)
			wantErr(t, err, echelon.EINVALID, "account.merge_self")
			f.unchanged(t, before)
		})

		t.Run("AdminMovesEverythingOntoTheKeptAccount", func(t *testing.T) {
			res, err := f.crm.MergeAccounts(as(f.admin), keep.ID, drop.ID)
			if err != nil {
				t.Fatalf("merge: %v", err)
			}
			if res.Contacts != 2 || res.Opportunities != 1 || res.Activities != 1 {
				t.Errorf("moved %d contacts, %d opportunities, %d activities; want 2, 1, 1", res.Contacts, res.Opportunities, res.Activities)
			}
			if res.Account.LastActivityAt == nil || !res.Account.LastActivityAt.Equal(x.At) {
				t.Errorf("kept account's last activity %v, want the moved call's %v", res.Account.LastActivityAt, x.At)
			}

			admin := as(f.admin)
			_, err = f.crm.FindAccountByID(admin, drop.ID)
			wantErr(t, err, echelon.ENOTFOUND, "account.not_found")
			listed, _, _ := f.crm.FindAccounts(admin, crm.AccountFilter{})
			if contains(accountIDs(listed), drop.ID) || !contains(accountIDs(listed), keep.ID) {
				t.Errorf("account list after the merge: %v", accountIDs(listed))
			}
			for _, c := range []*crm.Contact{c1, c2} {
				if got, err := f.crm.FindContactByID(admin, c.ID); err != nil || got.AccountID != keep.ID {
					t.Errorf("contact %q: %+v %v", c.Name, got, err)
				}
			}
			if got := f.opportunity(t, o.ID); got.AccountID != keep.ID || got.OwnerID != f.eastRep2.ID {
				t.Errorf("opportunity on account %d owned by %d", got.AccountID, got.OwnerID)
			}
			acts, _, _ := f.crm.FindActivities(admin, crm.ActivityFilter{AccountID: keep.ID})
			if len(acts) != 1 || acts[0].ID != x.ID {
				t.Errorf("activities of the kept account: %v", acts)
			}
			// The kept account's owner now sees the moved contacts.
			contacts, _, _ := f.crm.FindContacts(as(f.eastRep), crm.ContactFilter{AccountID: keep.ID})
			if len(contacts) != 2 {
				t.Errorf("the owner of the kept account sees %d contacts, want 2", len(contacts))
			}

			h := f.ownership(t, keep.ID)
			if h[0].Action != crm.OwnMerge || h[0].FromID != f.eastRep2.ID || h[0].ToID != f.eastRep.ID {
				t.Errorf("latest ownership event %+v", h[0])
			}
			if len(f.entries(t, "account", keep.ID, "merge_into")) != 1 || len(f.entries(t, "account", drop.ID, "merged")) != 1 {
				t.Error("the merge is not in the audit log of both accounts")
			}

			// The credit code is free for the kept account.
			k := f.account(t, keep.ID)
			if _, err := f.crm.UpdateAccount(as(f.eastRep), keep.ID, crm.AccountUpdate{CreditCode: ptr(creditCode), Version: k.Version}); err != nil {
				t.Errorf("kept account takes over the credit code: %v", err)
			}
		})

		t.Run("ErrMergedAccountCannotBeMergedAgain", func(t *testing.T) {
			before := f.rows(t)
			_, err := f.crm.MergeAccounts(as(f.admin), keep.ID, drop.ID)
			wantErr(t, err, echelon.EINVALID, "account.not_found")
			f.unchanged(t, before)
		})
	})
}
