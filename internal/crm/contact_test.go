package crm_test

import (
	"fmt"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
)

func TestService_FindContactByID(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		var all []*crm.Contact
		byRep := map[*org.Person]*crm.Contact{}
		for i, rep := range []*org.Person{f.eastRep, f.eastRep2, f.westRep} {
			a := f.mustAccount(t, rep, crm.AccountInput{Name: rep.Name + " Customer"})
			c := f.mustContact(t, rep, crm.ContactInput{AccountID: a.ID, Name: rep.Name + "'s buyer", Mobile: fmt.Sprintf("+86 139-0000-000%d", i)})
			byRep[rep] = c
			all = append(all, c)
		}
		zhao, qian, zhou := byRep[f.eastRep], byRep[f.eastRep2], byRep[f.westRep]

		for _, tc := range []struct {
			name string
			who  *org.Person
			sees []*crm.Contact
		}{
			{"RepSeesOnlyTheirOwn", f.eastRep, []*crm.Contact{zhao}},
			{"RepInTheSameTeamSeesOnlyTheirOwn", f.eastRep2, []*crm.Contact{qian}},
			{"RegionalManagerSeesTheRegion", f.eastMgr, []*crm.Contact{zhao, qian}},
			{"OtherRegionalManagerSeesOnlyTheirRegion", f.westMgr, []*crm.Contact{zhou}},
			{"SeniorManagerSeesAll", f.senior, all},
			{"AdminSeesAll", f.admin, all},
			{"MarketingSeesNothing", f.marketing, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ctx := as(tc.who)
				listed, _, err := f.crm.FindContacts(ctx, crm.ContactFilter{})
				if err != nil {
					t.Fatalf("list: %v", err)
				}
				for _, c := range all {
					visible, inList := false, false
					for _, s := range tc.sees {
						visible = visible || s.ID == c.ID
					}
					for _, x := range listed {
						inList = inList || x.ID == c.ID
					}
					if inList != visible {
						t.Errorf("%s's list has %q: %v, want %v", tc.who.Name, c.Name, inList, visible)
					}
					byAccount, _, _ := f.crm.FindContacts(ctx, crm.ContactFilter{AccountID: c.AccountID})
					if (len(byAccount) > 0) != visible {
						t.Errorf("%s's list filtered to account %d has %d rows", tc.who.Name, c.AccountID, len(byAccount))
					}
					_, err := f.crm.FindContactByID(ctx, c.ID)
					if visible {
						if err != nil {
							t.Errorf("%s cannot read %q: %v", tc.who.Name, c.Name, err)
						}
						continue
					}
					wantErr(t, err, echelon.ENOTFOUND, "contact.not_found")
					before := f.rows(t)
					_, err = f.crm.UpdateContact(ctx, c.ID, crm.ContactInput{Name: "Hijacked", Version: c.Version})
					wantErr(t, err, echelon.ENOTFOUND, "contact.not_found")
					f.unchanged(t, before)
				}
			})
		}
	})
}

func TestService_CreateContact(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		own := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Zhao Customer"})
		other := f.mustAccount(t, f.eastRep2, crm.AccountInput{Name: "Qian Customer"})
		pool := f.mustPoolAccount(t, f.eastMgr, f.east, "Pool Customer")

		t.Run("RepAddsAContactToTheirAccount", func(t *testing.T) {
			c := f.mustContact(t, f.eastRep, crm.ContactInput{AccountID: own.ID, Name: " 王采购 ", Title: "采购经理",
				Mobile: "+86 138 1234 5678", Email: " Wang@Customer.Example ", WeChat: "wang_cg"})
			if c.Name != "王采购" || c.Mobile != "13812345678" || c.Email != "wang@customer.example" || c.AccountName != own.Name {
				t.Errorf("stored %+v", c)
			}
			if len(f.entries(t, "contact", c.ID, "create")) != 1 {
				t.Error("the creation is not in the audit log")
			}
		})

		for _, tc := range []struct {
			name      string
			who       *org.Person
			in        crm.ContactInput
			code, key string
		}{
			{"ErrOtherRepsAccount", f.eastRep, crm.ContactInput{AccountID: other.ID, Name: "Spy"}, echelon.EINVALID, "account.not_found"},
			{"ErrPoolAccountMustBeClaimedFirst", f.eastRep, crm.ContactInput{AccountID: pool.ID, Name: "Early bird"}, echelon.EINVALID, "account.not_found"},
			{"ErrOtherRegionsManager", f.westMgr, crm.ContactInput{AccountID: own.ID, Name: "Spy"}, echelon.EINVALID, "account.not_found"},
			{"ErrMarketingMayNotCreate", f.marketing, crm.ContactInput{AccountID: own.ID, Name: "Newsletter"}, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrNameRequired", f.eastRep, crm.ContactInput{AccountID: own.ID, Name: ""}, echelon.EINVALID, "field.required"},
			{"ErrInvalidMobile", f.eastRep, crm.ContactInput{AccountID: own.ID, Name: "Short", Mobile: "1234"}, echelon.EINVALID, "phone.invalid"},
			{"ErrInvalidEmail", f.eastRep, crm.ContactInput{AccountID: own.ID, Name: "Mail", Email: "at.nowhere"}, echelon.EINVALID, "email.invalid"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := f.rows(t)
				_, err := f.crm.CreateContact(as(tc.who), tc.in)
				wantErr(t, err, tc.code, tc.key)
				f.unchanged(t, before)
			})
		}

		t.Run("ErrMovingAContactToAnotherRepsAccount", func(t *testing.T) {
			c := f.mustContact(t, f.eastRep, crm.ContactInput{AccountID: own.ID, Name: "Mover"})
			before := f.rows(t)
			_, err := f.crm.UpdateContact(as(f.eastRep), c.ID, crm.ContactInput{AccountID: other.ID, Name: "Mover", Version: c.Version})
			wantErr(t, err, echelon.EINVALID, "account.not_found")
			f.unchanged(t, before)
		})

		t.Run("ErrStaleVersion", func(t *testing.T) {
			c := f.mustContact(t, f.eastRep, crm.ContactInput{AccountID: own.ID, Name: "Busy Buyer"})
			if _, err := f.crm.UpdateContact(as(f.eastMgr), c.ID, crm.ContactInput{Name: "Busy Buyer", Title: "CFO", Version: c.Version}); err != nil {
				t.Fatalf("manager's update: %v", err)
			}
			before := f.rows(t)
			_, err := f.crm.UpdateContact(as(f.eastRep), c.ID, crm.ContactInput{Name: "Busy Buyer", Title: "CEO", Version: c.Version})
			e := wantErr(t, err, echelon.ECONFLICT, "record.changed")
			if e.Args[0] != f.eastMgr.Name || e.Args[2] != "title" {
				t.Errorf("stale error args %v", e.Args)
			}
			f.unchanged(t, before)
		})
	})
}
