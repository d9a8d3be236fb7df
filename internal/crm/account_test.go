package crm_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
)

// A valid unified social credit code and the same code with a wrong check character.
const (
	creditCode    = "91350100M000100Y43"
	badCreditCode = "91350100M000100Y44"
)

func TestService_FindAccountByID(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		zhao := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Zhao Customer"})
		qian := f.mustAccount(t, f.eastRep2, crm.AccountInput{Name: "Qian Customer"})
		zhou := f.mustAccount(t, f.westRep, crm.AccountInput{Name: "Zhou Customer"})
		all := []*crm.Account{zhao, qian, zhou}

		for _, tc := range []struct {
			name string
			who  *org.Person
			sees []*crm.Account
		}{
			{"RepSeesOnlyTheirOwn", f.eastRep, []*crm.Account{zhao}},
			{"RepInTheSameTeamSeesOnlyTheirOwn", f.eastRep2, []*crm.Account{qian}},
			{"RepInAnotherRegionSeesOnlyTheirOwn", f.westRep, []*crm.Account{zhou}},
			{"RegionalManagerSeesTheRegion", f.eastMgr, []*crm.Account{zhao, qian}},
			{"OtherRegionalManagerSeesOnlyTheirRegion", f.westMgr, []*crm.Account{zhou}},
			{"SeniorManagerSeesAll", f.senior, all},
			{"AdminSeesAll", f.admin, all},
			{"MarketingSeesNothing", f.marketing, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ctx := as(tc.who)
				listed, _, err := f.crm.FindAccounts(ctx, crm.AccountFilter{})
				if err != nil {
					t.Fatalf("list accounts: %v", err)
				}
				ids := accountIDs(listed)
				for _, a := range all {
					visible := contains(accountIDs(tc.sees), a.ID)
					got, err := f.crm.FindAccountByID(ctx, a.ID)
					switch {
					case visible && err != nil:
						t.Errorf("%s cannot read %q: %v", tc.who.Name, a.Name, err)
					case visible && got.Name != a.Name:
						t.Errorf("%s read account %d as %q, want %q", tc.who.Name, a.ID, got.Name, a.Name)
					case !visible:
						wantErr(t, err, echelon.ENOTFOUND, "account.not_found")
					}
					if contains(ids, a.ID) != visible {
						t.Errorf("%s's account list has %q: %v, want %v", tc.who.Name, a.Name, contains(ids, a.ID), visible)
					}
					// Filtering by the owner does not widen the scope.
					byOwner, _, err := f.crm.FindAccounts(ctx, crm.AccountFilter{OwnerID: a.OwnerID})
					if err != nil {
						t.Fatalf("list accounts by owner: %v", err)
					}
					if contains(accountIDs(byOwner), a.ID) != visible {
						t.Errorf("%s's list filtered by owner %d has %q: %v, want %v", tc.who.Name, a.OwnerID, a.Name, !visible, visible)
					}
					if _, err := f.crm.FindOwnership(ctx, a.ID); visible != (err == nil) {
						t.Errorf("%s reads the ownership history of %q: %v, want visible=%v", tc.who.Name, a.Name, err, visible)
					}
				}
			})
		}

		t.Run("AnIdThatDoesNotExistIsNotFound", func(t *testing.T) {
			_, err := f.crm.FindAccountByID(as(f.admin), zhou.ID+1000)
			wantErr(t, err, echelon.ENOTFOUND, "account.not_found")
		})
		t.Run("ErrSignedOut", func(t *testing.T) {
			_, err := f.crm.FindAccountByID(t.Context(), zhao.ID)
			wantCode(t, err, echelon.EUNAUTHORIZED)
		})
	})
}

func TestService_UpdateAccount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		zhao := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Zhao Customer", Phone: "13800000001"})
		zhou := f.mustAccount(t, f.westRep, crm.AccountInput{Name: "Zhou Customer", CreditCode: creditCode,
			Phone: "021-5555-0000", Email: "buyer@zhou.example"})
		pool := f.mustPoolAccount(t, f.eastMgr, f.east, "Pool Customer")

		t.Run("OwnerChangesTheDetails", func(t *testing.T) {
			a := f.account(t, zhao.ID)
			got, err := f.crm.UpdateAccount(as(f.eastRep), a.ID, crm.AccountUpdate{Industry: ptr("制造业"), Status: ptr(crm.StatusCustomer), Version: a.Version})
			if err != nil {
				t.Fatalf("update own account: %v", err)
			}
			if got.Industry != "制造业" || got.Status != crm.StatusCustomer || got.Version != a.Version+1 || got.Name != a.Name {
				t.Fatalf("after update: %+v", got)
			}
			if len(f.entries(t, "account", a.ID, "update")) != 1 {
				t.Fatal("the update is not in the audit log")
			}
		})

		for _, tc := range []struct {
			name    string
			who     *org.Person
			account *crm.Account
			code    string
		}{
			{"ErrOtherRepsAccountIsNotFound", f.eastRep2, zhao, echelon.ENOTFOUND},
			{"ErrOtherRegionsAccountIsNotFound", f.westMgr, zhao, echelon.ENOTFOUND},
			{"ErrOtherRegionsRepIsNotFound", f.westRep, zhao, echelon.ENOTFOUND},
			{"ErrMarketingIsNotFound", f.marketing, zhao, echelon.ENOTFOUND},
			{"ErrPoolAccountMustBeClaimedFirst", f.eastRep, pool, echelon.EFORBIDDEN},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a := f.account(t, tc.account.ID)
				before := f.rows(t)
				_, err := f.crm.UpdateAccount(as(tc.who), a.ID, crm.AccountUpdate{Name: ptr("Renamed"), Version: a.Version})
				wantCode(t, err, tc.code)
				f.unchanged(t, before)
			})
		}

		t.Run("ManagersEditTheirSubtree", func(t *testing.T) {
			for _, who := range []*org.Person{f.eastMgr, f.senior, f.admin} {
				a := f.account(t, zhao.ID)
				if _, err := f.crm.UpdateAccount(as(who), a.ID, crm.AccountUpdate{Tags: ptr("key," + who.Name), Version: a.Version}); err != nil {
					t.Errorf("%s updates an account in scope: %v", who.Name, err)
				}
			}
		})

		t.Run("ErrDuplicate", func(t *testing.T) {
			for _, tc := range []struct {
				name  string
				up    crm.AccountUpdate
				field string
			}{
				{"SameNameWrittenDifferently", crm.AccountUpdate{Name: ptr("ＺＨＯＵ　Customer Co., Ltd.")}, "name"},
				{"SameCreditCode", crm.AccountUpdate{CreditCode: ptr(strings.ToLower(creditCode))}, "credit_code"},
				{"SamePhone", crm.AccountUpdate{Phone: ptr("+86 21 5555 0000")}, "phone"},
				{"SameEmail", crm.AccountUpdate{Email: ptr("Buyer@Zhou.Example")}, "email"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					a := f.account(t, zhao.ID)
					tc.up.Version = a.Version
					before := f.rows(t)
					_, err := f.crm.UpdateAccount(as(f.eastRep), a.ID, tc.up)
					e := wantErr(t, err, echelon.ECONFLICT, "account.duplicate")
					wantArgs(t, e, zhou.Name, zhou.ID, f.westRep.Name)
					if e.Field != tc.field {
						t.Errorf("duplicate found by %q, want %q", e.Field, tc.field)
					}
					f.unchanged(t, before)
				})
			}
		})

		t.Run("KeepingItsOwnNameIsNoDuplicate", func(t *testing.T) {
			a := f.account(t, zhou.ID)
			if _, err := f.crm.UpdateAccount(as(f.westRep), a.ID, crm.AccountUpdate{Name: ptr(" zhou customer "), Version: a.Version}); err != nil {
				t.Fatalf("re-save own name: %v", err)
			}
		})

		t.Run("ErrInvalidCreditCode", func(t *testing.T) {
			a := f.account(t, zhao.ID)
			before := f.rows(t)
			_, err := f.crm.UpdateAccount(as(f.eastRep), a.ID, crm.AccountUpdate{CreditCode: ptr(badCreditCode), Version: a.Version})
			if e := wantErr(t, err, echelon.EINVALID, "account.credit_code_invalid"); e.Field != "credit_code" {
				t.Errorf("error names field %q", e.Field)
			}
			f.unchanged(t, before)
		})

		t.Run("ErrStaleVersionNamesWhoChangedWhat", func(t *testing.T) {
			loaded := f.account(t, zhao.ID)
			if _, err := f.crm.UpdateAccount(as(f.eastMgr), zhao.ID, crm.AccountUpdate{Phone: ptr("13900000002"), Version: loaded.Version}); err != nil {
				t.Fatalf("manager's update: %v", err)
			}
			before := f.rows(t)
			_, err := f.crm.UpdateAccount(as(f.eastRep), zhao.ID, crm.AccountUpdate{City: ptr("杭州"), Version: loaded.Version})
			e := wantErr(t, err, echelon.ECONFLICT, "record.changed")
			if len(e.Args) != 3 || e.Args[0] != f.eastMgr.Name || e.Args[2] != "phone" {
				t.Errorf("stale error args %v, want [%s <time> phone]", e.Args, f.eastMgr.Name)
			}
			f.unchanged(t, before)
			if got := f.account(t, zhao.ID); got.Phone != "13900000002" || got.City != "" {
				t.Errorf("after the refused update: phone %q city %q", got.Phone, got.City)
			}
		})
	})
}

func TestService_CreateAccount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)

		t.Run("RepOwnsWhatTheyCreate", func(t *testing.T) {
			a := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: " 杭州云帆科技有限公司 ", CreditCode: " 91110000802100433b ",
				Phone: "+86 (571) 8888-0000", Email: " Info@YunFan.Example "})
			if a.OwnerID != f.eastRep.ID || a.UnitID != f.eastA.ID || a.OwnedSince == nil || !a.OwnedSince.Equal(start) {
				t.Errorf("owner %d unit %d since %v, want %d %d %v", a.OwnerID, a.UnitID, a.OwnedSince, f.eastRep.ID, f.eastA.ID, start)
			}
			if a.Name != "杭州云帆科技有限公司" || a.CreditCode != "91110000802100433B" || a.Phone != "057188880000" || a.Email != "info@yunfan.example" {
				t.Errorf("stored %q %q %q %q", a.Name, a.CreditCode, a.Phone, a.Email)
			}
			if a.Status != crm.StatusProspect {
				t.Errorf("status %q", a.Status)
			}
			h := f.ownership(t, a.ID)
			if len(h) != 1 || h[0].Action != crm.OwnCreate || h[0].ToID != f.eastRep.ID {
				t.Errorf("ownership history %+v", h)
			}
			if len(f.entries(t, "account", a.ID, "create")) != 1 {
				t.Error("the creation is not in the audit log")
			}
		})

		t.Run("ManagerNamesAnOwnerInTheirRegion", func(t *testing.T) {
			a := f.mustAccount(t, f.eastMgr, crm.AccountInput{Name: "Assigned Customer", OwnerID: f.eastRep2.ID})
			if a.OwnerID != f.eastRep2.ID || a.UnitID != f.eastA.ID {
				t.Errorf("owner %d unit %d", a.OwnerID, a.UnitID)
			}
		})

		for _, tc := range []struct {
			name       string
			who        *org.Person
			in         crm.AccountInput
			code, key  string
			fieldInErr string
		}{
			{"ErrMarketingMayNotCreate", f.marketing, crm.AccountInput{Name: "Marketing Co"}, echelon.EFORBIDDEN, "perm.forbidden", ""},
			{"ErrRepNamesAnotherOwner", f.eastRep, crm.AccountInput{Name: "Gift Co", OwnerID: f.eastRep2.ID}, echelon.EINVALID, "account.owner_outside", "owner_id"},
			{"ErrManagerNamesAnOwnerOutsideTheRegion", f.eastMgr, crm.AccountInput{Name: "Far Co", OwnerID: f.westRep.ID}, echelon.EINVALID, "account.owner_outside", "owner_id"},
			{"ErrOwnerMustSell", f.admin, crm.AccountInput{Name: "Ma Co", OwnerID: f.marketing.ID}, echelon.EINVALID, "account.owner_role", "owner_id"},
			{"ErrManagerPoolOutsideTheRegion", f.eastMgr, crm.AccountInput{Name: "West Pool Co", UnitID: f.west.ID}, echelon.EINVALID, "unit.not_found", "org_unit_id"},
			{"ErrPoolAccountNeedsAUnit", f.admin, crm.AccountInput{Name: "Nowhere Co"}, echelon.EINVALID, "account.pool_unit_required", "org_unit_id"},
			{"ErrNameRequired", f.eastRep, crm.AccountInput{Name: "   "}, echelon.EINVALID, "field.required", "name"},
			{"ErrInvalidCreditCode", f.eastRep, crm.AccountInput{Name: "Bad Code Co", CreditCode: badCreditCode}, echelon.EINVALID, "account.credit_code_invalid", "credit_code"},
			{"ErrShortCreditCode", f.eastRep, crm.AccountInput{Name: "Short Code Co", CreditCode: "9135"}, echelon.EINVALID, "account.credit_code_invalid", "credit_code"},
			{"ErrInvalidPhone", f.eastRep, crm.AccountInput{Name: "Bad Phone Co", Phone: "12-34"}, echelon.EINVALID, "phone.invalid", "phone"},
			{"ErrInvalidEmail", f.eastRep, crm.AccountInput{Name: "Bad Mail Co", Email: "nobody"}, echelon.EINVALID, "email.invalid", "email"},
			{"ErrUnknownStatus", f.eastRep, crm.AccountInput{Name: "Odd Co", Status: "vip"}, echelon.EINVALID, "account.status_invalid", "status"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := f.rows(t)
				_, err := f.crm.CreateAccount(as(tc.who), tc.in)
				e := wantErr(t, err, tc.code, tc.key)
				if e.Field != tc.fieldInErr {
					t.Errorf("error names field %q, want %q", e.Field, tc.fieldInErr)
				}
				f.unchanged(t, before)
			})
		}
	})
}

func TestService_CreateAccount_DuplicateCheck(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		huawei := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "华为技术有限公司", CreditCode: creditCode,
			Phone: "13800000000", Email: "sales@huawei.example"})
		acme := f.mustAccount(t, f.westRep, crm.AccountInput{Name: "ACME Co., Ltd.", Phone: "021-5555-0000"})
		beta := f.mustPoolAccount(t, f.eastMgr, f.east, "Betasoloin LLC")

		for _, tc := range []struct {
			name     string
			who      *org.Person
			in       crm.AccountInput
			existing *crm.Account
			owner    *org.Person // nil: the existing account is in the pool
			field    string
		}{
			{"NameWithoutTheLegalSuffix", f.eastRep2, crm.AccountInput{Name: "华为技术"}, huawei, f.eastRep, "name"},
			{"NameWithAnotherLegalSuffixAndSpaces", f.eastRep2, crm.AccountInput{Name: "  华为技术 股份有限公司 "}, huawei, f.eastRep, "name"},
			{"NameInFullWidth", f.eastRep2, crm.AccountInput{Name: "ＡＣＭＥ"}, acme, f.westRep, "name"},
			{"NameWithCoLtdInAnotherCase", f.eastRep2, crm.AccountInput{Name: "Acme Co Ltd"}, acme, f.westRep, "name"},
			{"NameWithInc", f.eastMgr, crm.AccountInput{Name: "acme, inc.", OwnerID: f.eastRep2.ID}, acme, f.westRep, "name"},
			{"SameCreditCodeUnderAnotherName", f.westRep, crm.AccountInput{Name: "HW Shenzhen", CreditCode: " 91350100m000100y43 "}, huawei, f.eastRep, "credit_code"},
			{"SamePhoneWithCountryCode", f.eastRep2, crm.AccountInput{Name: "Phone Twin", Phone: "+86 138-0000-0000"}, huawei, f.eastRep, "phone"},
			{"SamePhoneInFullWidth", f.eastRep2, crm.AccountInput{Name: "Phone Twin", Phone: "１３８００００００００"}, huawei, f.eastRep, "phone"},
			{"SameLandlineWithCountryCode", f.eastRep2, crm.AccountInput{Name: "Landline Twin", Phone: "+86 21 5555 0000"}, acme, f.westRep, "phone"},
			{"SameLandlineWith0086", f.eastRep2, crm.AccountInput{Name: "Landline Twin", Phone: "0086-21-55550000"}, acme, f.westRep, "phone"},
			{"SameEmailInAnotherCase", f.westRep, crm.AccountInput{Name: "Mail Twin", Email: " SALES@Huawei.Example "}, huawei, f.eastRep, "email"},
			{"ExistingOneInThePool", f.eastRep, crm.AccountInput{Name: "BETASOLOIN"}, beta, nil, "name"},
			{"EvenTheOwnerCannotCreateItTwice", f.eastRep, crm.AccountInput{Name: "华为技术有限公司"}, huawei, f.eastRep, "name"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := f.rows(t)
				_, err := f.crm.CreateAccount(as(tc.who), tc.in)
				var e *echelon.Error
				if tc.owner != nil {
					e = wantErr(t, err, echelon.ECONFLICT, "account.duplicate")
					wantArgs(t, e, tc.existing.Name, tc.existing.ID, tc.owner.Name)
				} else {
					e = wantErr(t, err, echelon.ECONFLICT, "account.duplicate_pool")
					wantArgs(t, e, tc.existing.Name, tc.existing.ID)
				}
				if e.Field != tc.field {
					t.Errorf("duplicate found by %q, want %q", e.Field, tc.field)
				}
				f.unchanged(t, before)
			})
		}

		t.Run("OnlyOneOfTwoSimultaneousCreatesWins", func(t *testing.T) {
			for round := range 5 {
				creators := []*org.Person{f.eastRep2, f.westRep}
				names := []string{fmt.Sprintf("Race Trading %d", round), fmt.Sprintf("RACE TRADING %d Co., Ltd.", round)}
				made := make([]*crm.Account, len(creators))
				errs := make([]error, len(creators))
				atOnce(len(creators), func(i int) {
					made[i], errs[i] = f.crm.CreateAccount(as(creators[i]), crm.AccountInput{Name: names[i]})
				})
				won := -1
				for i, err := range errs {
					if err == nil {
						if won >= 0 {
							t.Fatalf("round %d: both created the same company", round)
						}
						won = i
					}
				}
				if won < 0 {
					t.Fatalf("round %d: neither was created: %v", round, errs)
				}
				e := wantErr(t, errs[1-won], echelon.ECONFLICT, "account.duplicate")
				wantArgs(t, e, made[won].Name, made[won].ID, creators[won].Name)
			}
		})

		t.Run("DifferentCompaniesAreNoDuplicates", func(t *testing.T) {
			for _, name := range []string{"华为终端有限公司", "Acme Group", "Betasoloin Trading"} {
				f.mustAccount(t, f.eastRep2, crm.AccountInput{Name: name})
			}
		})

		t.Run("AMergedAccountIsNoDuplicate", func(t *testing.T) {
			drop := f.mustAccount(t, f.eastRep2, crm.AccountInput{Name: "Gamma Old Name", Email: "gamma@old.example"})
			keep := f.mustAccount(t, f.eastRep2, crm.AccountInput{Name: "Gamma New Name"})
			if _, err := f.crm.MergeAccounts(as(f.admin), keep.ID, drop.ID); err != nil {
				t.Fatalf("merge: %v", err)
			}
			f.mustAccount(t, f.westRep, crm.AccountInput{Name: "Gamma Old Name", Email: "gamma@old.example"})
		})
	})
}
