package org_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
)

func TestService_CreatePerson(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)

		t.Run("OK", func(t *testing.T) {
			p, err := c.org.CreatePerson(as(c.admin), org.PersonInput{
				Email: "  Sun.Li@Example.COM ", Name: " 孙丽 ", Phone: "+86 138-0000-0000", Role: echelon.RoleRep,
				UnitID: c.eastTeam.ID, ManagerID: c.eastMgr.ID, LevelID: c.levels["mid_rep"], HireDate: "2024-02-29", Lang: "zh-CN",
			})
			if err != nil {
				t.Fatal(err)
			}
			want := org.Person{
				ID: p.ID, Email: "sun.li@example.com", Name: "孙丽", Phone: "+86 138-0000-0000", Role: echelon.RoleRep,
				UnitID: c.eastTeam.ID, UnitName: "East Team", UnitPath: c.eastTeam.Path, ManagerID: c.eastMgr.ID, ManagerName: c.eastMgr.Name,
				LevelID: c.levels["mid_rep"], LevelCode: "mid_rep", LevelNameZh: "中级销售代表", LevelNameEn: "Sales rep",
				HireDate: "2024-02-29", Active: true, Lang: "zh-CN", Version: 1, CreatedAt: p.CreatedAt,
			}
			if *p != want {
				t.Errorf("got  %+v\nwant %+v", *p, want)
			}
			if p.CreatedAt.IsZero() {
				t.Error("no creation time")
			}
			es := c.entries(t, "person", p.ID)
			if len(es) != 1 || es[0].Action != "create" || es[0].Before != nil || es[0].ActorID != c.admin.ID {
				t.Fatalf("audit entries %+v", es)
			}
			var after org.Person
			if err := json.Unmarshal(es[0].After, &after); err != nil || after.Email != "sun.li@example.com" || after.Name != "孙丽" {
				t.Errorf("audit after %s (%v)", es[0].After, err)
			}
			if strings.Contains(string(es[0].After), "argon2") {
				t.Error("audit entry holds the password hash")
			}
		})

		t.Run("OKNameOfHundredChineseCharacters", func(t *testing.T) {
			name := strings.Repeat("梯", 100)
			p, err := c.org.CreatePerson(as(c.admin), org.PersonInput{Email: "long@example.com", Name: name, Role: echelon.RoleMarketing, UnitID: c.root.ID})
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != name {
				t.Errorf("name %q", p.Name)
			}
		})

		t.Run("OKAdminWithoutUnit", func(t *testing.T) {
			p, err := c.org.CreatePerson(as(c.admin), org.PersonInput{Email: "ops@example.com", Name: "Ops", Role: echelon.RoleAdmin})
			if err != nil {
				t.Fatal(err)
			}
			if p.UnitID != 0 || p.Role != echelon.RoleAdmin {
				t.Errorf("got %+v", p)
			}
		})

		inactive := c.mustPerson(t, "gone", echelon.RoleRegionalManager, c.east, c.senior, "")
		if _, err := c.org.UpdatePerson(system(), inactive.ID, org.PersonUpdate{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		closed := c.mustUnit(t, org.UnitInput{ParentID: c.east.ID, Kind: org.KindTeam, Name: "Closed team"})
		if _, err := c.org.CloseUnit(system(), closed.ID); err != nil {
			t.Fatal(err)
		}
		valid := func() org.PersonInput {
			return org.PersonInput{Email: "new@example.com", Name: "New", Role: echelon.RoleRep, UnitID: c.eastTeam.ID,
				ManagerID: c.eastMgr.ID, LevelID: c.levels["junior_rep"], HireDate: "2024-01-02", Password: testPassword}
		}
		for _, tt := range []struct {
			name   string
			change func(*org.PersonInput)
			code   string
			key    string
			field  string
		}{
			{"ErrNameEmpty", func(in *org.PersonInput) { in.Name = "" }, echelon.EINVALID, "field.required", "name"},
			{"ErrNameBlank", func(in *org.PersonInput) { in.Name = " \t " }, echelon.EINVALID, "field.required", "name"},
			{"ErrNameTooLong", func(in *org.PersonInput) { in.Name = strings.Repeat("a", 101) }, echelon.EINVALID, "field.too_long", "name"},
			{"ErrNameTooLongInChinese", func(in *org.PersonInput) { in.Name = strings.Repeat("梯", 101) }, echelon.EINVALID, "field.too_long", "name"},
			{"ErrEmailEmpty", func(in *org.PersonInput) { in.Email = "  " }, echelon.EINVALID, "field.required", "email"},
			{"ErrEmailWithoutAt", func(in *org.PersonInput) { in.Email = "new.example.com" }, echelon.EINVALID, "email.invalid", "email"},
			{"ErrEmailWithoutDomainDot", func(in *org.PersonInput) { in.Email = "new@example" }, echelon.EINVALID, "email.invalid", "email"},
			{"ErrEmailWithoutLocalPart", func(in *org.PersonInput) { in.Email = "@example.com" }, echelon.EINVALID, "email.invalid", "email"},
			{"ErrEmailTwoAts", func(in *org.PersonInput) { in.Email = "new@@example.com" }, echelon.EINVALID, "email.invalid", "email"},
			{"ErrEmailWithDisplayName", func(in *org.PersonInput) { in.Email = "New <new@example.com>" }, echelon.EINVALID, "email.invalid", "email"},
			{"ErrEmailWithSpace", func(in *org.PersonInput) { in.Email = "new person@example.com" }, echelon.EINVALID, "email.invalid", "email"},
			{"ErrEmailTwoAddresses", func(in *org.PersonInput) { in.Email = "a@example.com, b@example.com" }, echelon.EINVALID, "email.invalid", "email"},
			{"ErrEmailTooLong", func(in *org.PersonInput) {
				in.Email = strings.Repeat("a", 60) + "@" + strings.Repeat("b", 200) + ".com"
			}, echelon.EINVALID, "email.invalid", "email"},
			{"ErrDuplicateEmail", func(in *org.PersonInput) { in.Email = "ZHAO@Example.com" }, echelon.ECONFLICT, "person.email_taken", ""},
			{"ErrDuplicateEmailOfInactivePerson", func(in *org.PersonInput) { in.Email = "gone@example.com" }, echelon.ECONFLICT, "person.email_taken", ""},
			{"ErrManagerOutsideUnitChain", func(in *org.PersonInput) { in.ManagerID = c.westMgr.ID }, echelon.EINVALID, "person.manager_outside", "manager_id"},
			{"ErrManagerBelowPerson", func(in *org.PersonInput) { in.UnitID, in.ManagerID = c.east.ID, c.eastRep.ID }, echelon.EINVALID, "person.manager_outside", "manager_id"},
			{"ErrManagerWithoutUnit", func(in *org.PersonInput) { in.ManagerID = c.admin.ID }, echelon.EINVALID, "person.manager_outside", "manager_id"},
			{"ErrManagerUnknown", func(in *org.PersonInput) { in.ManagerID = 9999 }, echelon.EINVALID, "person.not_found", "manager_id"},
			{"ErrManagerInactive", func(in *org.PersonInput) { in.ManagerID = inactive.ID }, echelon.EINVALID, "person.inactive", "manager_id"},
			{"ErrRoleUnknown", func(in *org.PersonInput) { in.Role = "director" }, echelon.EINVALID, "role.invalid", "role"},
			{"ErrRoleEmpty", func(in *org.PersonInput) { in.Role = "" }, echelon.EINVALID, "role.invalid", "role"},
			{"ErrLevelUnknown", func(in *org.PersonInput) { in.LevelID = 9999 }, echelon.EINVALID, "level.not_found", "level_id"},
			{"ErrUnitClosed", func(in *org.PersonInput) { in.UnitID, in.ManagerID = closed.ID, c.eastMgr.ID }, echelon.EINVALID, "unit.closed", "org_unit_id"},
			{"ErrUnitMissing", func(in *org.PersonInput) { in.UnitID, in.ManagerID = 0, 0 }, echelon.EINVALID, "field.required", "org_unit_id"},
			{"ErrUnitUnknown", func(in *org.PersonInput) { in.UnitID = 9999 }, echelon.EINVALID, "unit.not_found", "org_unit_id"},
			{"ErrPhoneMalformed", func(in *org.PersonInput) { in.Phone = "call me" }, echelon.EINVALID, "phone.invalid", "phone"},
			{"ErrPhoneTooLong", func(in *org.PersonInput) { in.Phone = strings.Repeat("1", 33) }, echelon.EINVALID, "phone.invalid", "phone"},
			{"ErrHireDateMalformed", func(in *org.PersonInput) { in.HireDate = "01/02/2024" }, echelon.EINVALID, "date.invalid", "hire_date"},
			{"ErrHireDateImpossible", func(in *org.PersonInput) { in.HireDate = "2023-02-29" }, echelon.EINVALID, "date.invalid", "hire_date"},
			{"ErrLangUnknown", func(in *org.PersonInput) { in.Lang = "fr" }, echelon.EINVALID, "lang.invalid", "lang"},
			{"ErrPasswordTooShort", func(in *org.PersonInput) { in.Password = "short" }, echelon.EINVALID, "password.length", "password"},
			{"ErrPasswordTooLong", func(in *org.PersonInput) { in.Password = strings.Repeat("p", 129) }, echelon.EINVALID, "password.length", "password"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				in := valid()
				tt.change(&in)
				before := c.state(t)
				_, err := c.org.CreatePerson(as(c.admin), in)
				if tt.field != "" {
					wantFieldErr(t, err, tt.field, tt.key)
				} else {
					wantErr(t, err, tt.code, tt.key)
				}
				c.unchanged(t, before)
			})
		}

		t.Run("ErrNobodySignedIn", func(t *testing.T) {
			before := c.state(t)
			_, err := c.org.CreatePerson(context.Background(), valid())
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required")
			c.unchanged(t, before)
		})

		t.Run("OKValidInputAfterRefusals", func(t *testing.T) {
			if _, err := c.org.CreatePerson(as(c.admin), valid()); err != nil {
				t.Fatalf("the input every refusal started from is refused: %v", err)
			}
		})
	})
}

func TestService_CreatePerson_Permissions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)
		for i, tt := range []struct {
			name    string
			as      *org.Person
			role    echelon.Role
			unit    *org.Unit
			manager *org.Person
			code    string // "" when allowed
			key     string
		}{
			{"AdminCreatesSeniorManager", c.admin, echelon.RoleSeniorManager, c.root, nil, "", ""},
			{"AdminCreatesPartner", c.admin, echelon.RoleCustomerService, c.root, nil, "", ""},
			{"SeniorManagerCreatesRegionalManager", c.senior, echelon.RoleRegionalManager, c.west, c.senior, "", ""},
			{"SeniorManagerCreatesRep", c.senior, echelon.RoleRep, c.westTeam, c.westMgr, "", ""},
			{"ErrSeniorManagerCreatesSeniorManager", c.senior, echelon.RoleSeniorManager, c.root, nil, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrSeniorManagerCreatesAdmin", c.senior, echelon.RoleAdmin, c.root, nil, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrSeniorManagerCreatesMarketing", c.senior, echelon.RoleMarketing, c.root, nil, echelon.EFORBIDDEN, "perm.forbidden"},
			{"RegionalManagerCreatesRepInOwnTeam", c.eastMgr, echelon.RoleRep, c.eastTeam, c.eastMgr, "", ""},
			{"RegionalManagerCreatesRepInOwnRegion", c.eastMgr, echelon.RoleRep, c.east, c.eastMgr, "", ""},
			{"ErrRegionalManagerCreatesRegionalManager", c.eastMgr, echelon.RoleRegionalManager, c.east, c.eastMgr, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrRegionalManagerCreatesSeniorManager", c.eastMgr, echelon.RoleSeniorManager, c.east, nil, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrRegionalManagerCreatesProduct", c.eastMgr, echelon.RoleProduct, c.east, nil, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrRegionalManagerCreatesRepInOtherRegion", c.eastMgr, echelon.RoleRep, c.westTeam, nil, echelon.EINVALID, "unit.not_found"},
			{"ErrRegionalManagerCreatesRepAboveOwnRegion", c.eastMgr, echelon.RoleRep, c.root, nil, echelon.EFORBIDDEN, "perm.forbidden"},
			// Someone in another region is as unknown as an unused id, not "outside the chain".
			{"ErrRegionalManagerNamesManagerInOtherRegion", c.eastMgr, echelon.RoleRep, c.eastTeam, c.westMgr, echelon.EINVALID, "person.not_found"},
			{"ErrRegionalManagerNamesUnknownManager", c.eastMgr, echelon.RoleRep, c.eastTeam, &org.Person{ID: 9999}, echelon.EINVALID, "person.not_found"},
			{"RegionalManagerNamesOwnManagerAbove", c.eastMgr, echelon.RoleRep, c.east, c.senior, "", ""},
			{"ErrRepCreatesRep", c.eastRep, echelon.RoleRep, c.eastTeam, nil, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrMarketingCreatesRep", c.marketing, echelon.RoleRep, c.eastTeam, nil, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrMarketingCreatesMarketing", c.marketing, echelon.RoleMarketing, c.root, nil, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrProductCreatesRep", c.product, echelon.RoleRep, c.eastTeam, nil, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrCustomerServiceCreatesRep", c.service, echelon.RoleRep, c.eastTeam, nil, echelon.EFORBIDDEN, "perm.forbidden"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				in := org.PersonInput{Email: "p" + strings.Repeat("x", i) + "@example.com", Name: "Newcomer", Role: tt.role, UnitID: tt.unit.ID}
				if tt.manager != nil {
					in.ManagerID = tt.manager.ID
				}
				before := c.state(t)
				p, err := c.org.CreatePerson(as(tt.as), in)
				if tt.code != "" {
					wantErr(t, err, tt.code, tt.key)
					c.unchanged(t, before)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if p.Role != tt.role || p.UnitID != tt.unit.ID {
					t.Errorf("got %+v", p)
				}
				// The creator can see whom they created.
				if _, err := c.org.FindPersonByID(as(tt.as), p.ID); err != nil {
					t.Errorf("creator cannot read the new person: %v", err)
				}
				if es := c.entries(t, "person", p.ID); len(es) != 1 || es[0].ActorID != tt.as.ID {
					t.Errorf("audit entries %+v", es)
				}
			})
		}
	})
}

func personNames(ps []*org.Person) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func names(ps ...*org.Person) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Name)
	}
	sort.Strings(out)
	return out
}

func TestService_FindPeople_Scope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)
		for _, tt := range []struct {
			name    string
			as      *org.Person
			visible []*org.Person
		}{
			{"AdminSeesEveryone", c.admin, c.everyone()},
			{"SeniorManagerSeesEveryoneInTheCompanyTree", c.senior, []*org.Person{c.senior, c.eastMgr, c.westMgr, c.eastRep, c.eastRep2, c.westRep, c.marketing, c.product, c.service}},
			{"RegionalManagerSeesOwnRegion", c.eastMgr, []*org.Person{c.eastMgr, c.eastRep, c.eastRep2}},
			{"OtherRegionalManagerSeesOwnRegion", c.westMgr, []*org.Person{c.westMgr, c.westRep}},
			{"RepSeesOnlyThemselves", c.eastRep, []*org.Person{c.eastRep}},
			{"OtherRepSeesOnlyThemselves", c.westRep, []*org.Person{c.westRep}},
			{"MarketingSeesOnlyThemselves", c.marketing, []*org.Person{c.marketing}},
			{"ProductSeesOnlyThemselves", c.product, []*org.Person{c.product}},
			{"CustomerServiceSeesOnlyThemselves", c.service, []*org.Person{c.service}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				ctx := as(tt.as)
				ps, total, err := c.org.FindPeople(ctx, org.PersonFilter{Limit: 200})
				if err != nil {
					t.Fatal(err)
				}
				got := personNames(ps)
				sort.Strings(got)
				want := names(tt.visible...)
				if strings.Join(got, ",") != strings.Join(want, ",") || total != len(want) {
					t.Errorf("FindPeople lists %v (total %d), want %v", got, total, want)
				}
				visible := map[int64]bool{}
				for _, p := range tt.visible {
					visible[p.ID] = true
				}
				for _, p := range c.everyone() {
					got, err := c.org.FindPersonByID(ctx, p.ID)
					if visible[p.ID] {
						if err != nil || got.ID != p.ID {
							t.Errorf("FindPersonByID(%s): %v", p.Name, err)
						}
						continue
					}
					if code := echelon.ErrorCode(err); code != echelon.ENOTFOUND {
						t.Errorf("FindPersonByID(%s) = %v, want %s", p.Name, err, echelon.ENOTFOUND)
					}
					// Guessing by name or unit does not reveal them either.
					found, _, err := c.org.FindPeople(ctx, org.PersonFilter{Query: p.Name})
					if err != nil || len(found) != 0 {
						t.Errorf("FindPeople(query %q) = %v, %v; want nobody", p.Name, personNames(found), err)
					}
					if p.UnitID != 0 {
						found, _, err := c.org.FindPeople(ctx, org.PersonFilter{UnitID: p.UnitID, Query: p.Email})
						if err != nil || len(found) != 0 {
							t.Errorf("FindPeople(unit %d) = %v, %v; want nobody", p.UnitID, personNames(found), err)
						}
					}
				}
			})
		}

		t.Run("ErrUnknownPerson", func(t *testing.T) {
			_, err := c.org.FindPersonByID(as(c.admin), 9999)
			wantErr(t, err, echelon.ENOTFOUND, "person.not_found")
		})
		t.Run("ErrNobodySignedIn", func(t *testing.T) {
			_, _, err := c.org.FindPeople(context.Background(), org.PersonFilter{})
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required")
			_, err = c.org.FindPersonByID(context.Background(), c.eastRep.ID)
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required")
		})
	})
}

func TestService_FindPeople_Filter(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)
		if _, err := c.org.UpdatePerson(as(c.admin), c.eastRep2.ID, org.PersonUpdate{Active: ptr(false), Phone: ptr("021-5555"), HireDate: ptr("2020-05-01")}); err != nil {
			t.Fatal(err)
		}
		// An administrator placed in a unit, and a rep with no hire date yet.
		if _, err := c.org.CreatePerson(as(c.admin), org.PersonInput{Email: "ops@example.com", Name: "Ops", Role: echelon.RoleAdmin, UnitID: c.root.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.org.CreatePerson(as(c.admin), org.PersonInput{Email: "xu@example.com", Name: "Xu", Role: echelon.RoleRep, UnitID: c.eastTeam.ID}); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name  string
			as    *org.Person
			f     org.PersonFilter
			want  []string // in order
			total int
		}{
			{"QueryMatchesNameIgnoringCase", c.admin, org.PersonFilter{Query: "ZHA"}, []string{"Zhao"}, 1},
			{"QueryMatchesEmail", c.admin, org.PersonFilter{Query: "wang@"}, []string{"Wang"}, 1},
			{"QueryMatchesPhone", c.admin, org.PersonFilter{Query: "5555"}, []string{"Qian"}, 1},
			{"UnitIncludesSubtree", c.admin, org.PersonFilter{UnitID: c.east.ID}, []string{"Li", "Qian", "Xu", "Zhao"}, 4},
			{"Role", c.admin, org.PersonFilter{Role: echelon.RoleRep}, []string{"Qian", "Xu", "Zhao", "Zhou"}, 4},
			{"Inactive", c.admin, org.PersonFilter{Active: ptr(false)}, []string{"Qian"}, 1},
			{"ActiveReps", c.admin, org.PersonFilter{Role: echelon.RoleRep, Active: ptr(true)}, []string{"Xu", "Zhao", "Zhou"}, 3},
			{"SortDescending", c.admin, org.PersonFilter{Role: echelon.RoleRep, Sort: "-name"}, []string{"Zhou", "Zhao", "Xu", "Qian"}, 4},
			{"SortByEmail", c.admin, org.PersonFilter{UnitID: c.east.ID, Sort: "email"}, []string{"Li", "Qian", "Xu", "Zhao"}, 4},
			{"UnknownSortFallsBackToName", c.admin, org.PersonFilter{Role: echelon.RoleRep, Sort: "password_hash"}, []string{"Qian", "Xu", "Zhao", "Zhou"}, 4},
			{"SortByUnitPutsPeopleWithoutUnitLast", c.admin, org.PersonFilter{Role: echelon.RoleAdmin, Sort: "unit"}, []string{"Ops", "Ada"}, 2},
			{"SortByUnitDescendingPutsPeopleWithoutUnitLast", c.admin, org.PersonFilter{Role: echelon.RoleAdmin, Sort: "-unit"}, []string{"Ops", "Ada"}, 2},
			{"SortByHireDate", c.admin, org.PersonFilter{UnitID: c.eastTeam.ID, Sort: "hire_date"}, []string{"Qian", "Zhao", "Xu"}, 3},
			{"SortByHireDateDescending", c.admin, org.PersonFilter{UnitID: c.eastTeam.ID, Sort: "-hire_date"}, []string{"Zhao", "Qian", "Xu"}, 3},
			{"PageCountsAll", c.admin, org.PersonFilter{Sort: "name", Limit: 3, Offset: 3}, []string{"Ma", "Ops", "Pan"}, 12},
			{"ScopeStillApplies", c.eastMgr, org.PersonFilter{Role: echelon.RoleRep}, []string{"Qian", "Xu", "Zhao"}, 3},
			{"ScopeAppliesToUnitFilter", c.eastMgr, org.PersonFilter{UnitID: c.root.ID}, []string{"Li", "Qian", "Xu", "Zhao"}, 4},
			{"ScopeHidesOtherRegionByUnit", c.eastMgr, org.PersonFilter{UnitID: c.west.ID}, []string{}, 0},
		} {
			t.Run(tt.name, func(t *testing.T) {
				ps, total, err := c.org.FindPeople(as(tt.as), tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := personNames(ps); strings.Join(got, ",") != strings.Join(tt.want, ",") || total != tt.total {
					t.Errorf("got %v (total %d), want %v (total %d)", got, total, tt.want, tt.total)
				}
			})
		}
	})
}

// The search takes % and _ as the characters typed, not as LIKE wildcards.
func TestService_FindPeople_QueryIsLiteral(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)
		for i, name := range []string{"Sales 50%", "Sales 500", "Li_Wei", "LiXWei"} {
			in := org.PersonInput{Email: fmt.Sprintf("literal%d@example.com", i), Name: name, Role: echelon.RoleMarketing, UnitID: c.root.ID}
			if _, err := c.org.CreatePerson(as(c.admin), in); err != nil {
				t.Fatalf("create %s: %v", name, err)
			}
		}
		for _, tt := range []struct {
			q    string
			want []string
		}{
			{"50%", []string{"Sales 50%"}},
			{"%", []string{"Sales 50%"}},
			{"li_w", []string{"Li_Wei"}},
			{"_", []string{"Li_Wei"}},
			{`\`, []string{}},
			{"sales 50", []string{"Sales 50%", "Sales 500"}},
		} {
			t.Run(tt.q, func(t *testing.T) {
				ps, total, err := c.org.FindPeople(as(c.admin), org.PersonFilter{Query: tt.q})
				if err != nil {
					t.Fatal(err)
				}
				if got := personNames(ps); strings.Join(got, ",") != strings.Join(tt.want, ",") || total != len(tt.want) {
					t.Errorf("got %v (total %d), want %v", got, total, tt.want)
				}
			})
		}
	})
}

func TestService_UpdatePerson(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)

		t.Run("OKManagerEditsRepInSubtree", func(t *testing.T) {
			p, err := c.org.UpdatePerson(as(c.eastMgr), c.eastRep.ID, org.PersonUpdate{
				Name: ptr("Zhao Wei"), Phone: ptr("13800000000"), LevelID: ptr(c.levels["mid_rep"]), HireDate: ptr("2022-07-01"),
				Version: c.eastRep.Version,
			})
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != "Zhao Wei" || p.Phone != "13800000000" || p.LevelCode != "mid_rep" || p.HireDate != "2022-07-01" || p.Version != c.eastRep.Version+1 {
				t.Errorf("got %+v", p)
			}
			if p.Role != echelon.RoleRep || p.UnitID != c.eastTeam.ID || p.ManagerID != c.eastMgr.ID || p.Email != c.eastRep.Email {
				t.Errorf("fields not asked for changed: %+v", p)
			}
			es := c.entries(t, "person", c.eastRep.ID)
			if len(es) != 2 || es[0].Action != "update" || es[0].ActorID != c.eastMgr.ID || es[0].ActorName != c.eastMgr.Name {
				t.Fatalf("audit entries %+v", es)
			}
			var before, after org.Person
			if err := json.Unmarshal(es[0].Before, &before); err != nil || before.Name != "Zhao" || before.LevelCode != "junior_rep" {
				t.Errorf("audit before %s (%v)", es[0].Before, err)
			}
			if err := json.Unmarshal(es[0].After, &after); err != nil || after.Name != "Zhao Wei" || after.LevelCode != "mid_rep" {
				t.Errorf("audit after %s (%v)", es[0].After, err)
			}
			c.eastRep = p
		})

		t.Run("OKSeniorManagerEditsRegionalManager", func(t *testing.T) {
			p, err := c.org.UpdatePerson(as(c.senior), c.westMgr.ID, org.PersonUpdate{LevelID: ptr(c.levels["senior_manager"])})
			if err != nil {
				t.Fatal(err)
			}
			if p.LevelCode != "senior_manager" {
				t.Errorf("level %q", p.LevelCode)
			}
		})

		t.Run("OKManagerMovesRepWithinRegion", func(t *testing.T) {
			p, err := c.org.UpdatePerson(as(c.eastMgr), c.eastRep2.ID, org.PersonUpdate{UnitID: ptr(c.east.ID)})
			if err != nil {
				t.Fatal(err)
			}
			if p.UnitID != c.east.ID {
				t.Errorf("unit %d", p.UnitID)
			}
			c.eastRep2 = p
		})

		t.Run("OKEveryoneEditsOwnNamePhoneLanguage", func(t *testing.T) {
			for _, p := range []*org.Person{c.westRep, c.marketing, c.westMgr, c.admin} {
				got, err := c.org.UpdatePerson(as(p), p.ID, org.PersonUpdate{Name: ptr(p.Name + " (me)"), Phone: ptr("010-1234"), Lang: ptr("en")})
				if err != nil {
					t.Fatalf("%s: %v", p.Name, err)
				}
				if got.Name != p.Name+" (me)" || got.Lang != "en" {
					t.Errorf("got %+v", got)
				}
				if _, err := c.org.UpdatePerson(as(p), p.ID, org.PersonUpdate{Name: ptr(p.Name)}); err != nil {
					t.Fatal(err)
				}
			}
		})

		t.Run("OKAdminChangesRole", func(t *testing.T) {
			p, err := c.org.UpdatePerson(as(c.admin), c.westRep.ID, org.PersonUpdate{Role: ptr(echelon.RoleRegionalManager)})
			if err != nil {
				t.Fatal(err)
			}
			if p.Role != echelon.RoleRegionalManager {
				t.Errorf("role %q", p.Role)
			}
			if _, err := c.org.UpdatePerson(as(c.admin), c.westRep.ID, org.PersonUpdate{Role: ptr(echelon.RoleRep)}); err != nil {
				t.Fatal(err)
			}
		})

		deputy := c.mustPerson(t, "deng", echelon.RoleRegionalManager, c.east, c.eastMgr, "")
		inactive := c.mustPerson(t, "gone", echelon.RoleRep, c.east, c.eastMgr, "")
		if _, err := c.org.UpdatePerson(system(), inactive.ID, org.PersonUpdate{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		closed := c.mustUnit(t, org.UnitInput{ParentID: c.east.ID, Kind: org.KindTeam, Name: "Closed team"})
		if _, err := c.org.CloseUnit(system(), closed.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.org.UpdateUnit(system(), c.eastTeam.ID, org.UnitUpdate{ManagerID: ptr(deputy.ID)}); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name   string
			as     *org.Person
			person func() *org.Person
			up     org.PersonUpdate
			code   string
			key    string
			field  string
		}{
			// Who may change what.
			{"ErrRegionalManagerChangesRole", c.eastMgr, func() *org.Person { return c.eastRep }, org.PersonUpdate{Role: ptr(echelon.RoleRegionalManager)}, echelon.EFORBIDDEN, "person.role_admin_only", ""},
			{"ErrSeniorManagerChangesRole", c.senior, func() *org.Person { return c.eastRep }, org.PersonUpdate{Role: ptr(echelon.RoleRegionalManager)}, echelon.EFORBIDDEN, "person.role_admin_only", ""},
			{"ErrManagerChangesOwnRole", c.eastMgr, func() *org.Person { return c.eastMgr }, org.PersonUpdate{Role: ptr(echelon.RoleSeniorManager)}, echelon.EFORBIDDEN, "person.self_restricted", ""},
			{"ErrManagerChangesOwnLevel", c.eastMgr, func() *org.Person { return c.eastMgr }, org.PersonUpdate{LevelID: ptr(c.levels["senior_manager"])}, echelon.EFORBIDDEN, "person.self_restricted", ""},
			{"ErrManagerChangesOwnManager", c.eastMgr, func() *org.Person { return c.eastMgr }, org.PersonUpdate{ManagerID: ptr(int64(0))}, echelon.EFORBIDDEN, "person.self_restricted", ""},
			{"ErrManagerMovesThemselves", c.eastMgr, func() *org.Person { return c.eastMgr }, org.PersonUpdate{UnitID: ptr(c.eastTeam.ID)}, echelon.EFORBIDDEN, "person.self_restricted", ""},
			{"ErrSeniorManagerChangesOwnLevel", c.senior, func() *org.Person { return c.senior }, org.PersonUpdate{LevelID: ptr(c.levels["junior_rep"])}, echelon.EFORBIDDEN, "person.self_restricted", ""},
			{"ErrAdminChangesOwnManager", c.admin, func() *org.Person { return c.admin }, org.PersonUpdate{ManagerID: ptr(c.senior.ID)}, echelon.EFORBIDDEN, "person.self_restricted", ""},
			{"ErrAdminChangesOwnRole", c.admin, func() *org.Person { return c.admin }, org.PersonUpdate{Role: ptr(echelon.RoleRep)}, echelon.EFORBIDDEN, "person.self_restricted", ""},
			{"ErrAdminDeactivatesThemselves", c.admin, func() *org.Person { return c.admin }, org.PersonUpdate{Active: ptr(false)}, echelon.EFORBIDDEN, "person.self_restricted", ""},
			{"ErrRepChangesOwnManager", c.eastRep, func() *org.Person { return c.eastRep }, org.PersonUpdate{ManagerID: ptr(c.senior.ID)}, echelon.EFORBIDDEN, "person.self_restricted", ""},
			{"ErrRepChangesOwnLevel", c.eastRep, func() *org.Person { return c.eastRep }, org.PersonUpdate{LevelID: ptr(c.levels["senior_rep"])}, echelon.EFORBIDDEN, "person.self_restricted", ""},
			{"ErrRepChangesOwnHireDate", c.eastRep, func() *org.Person { return c.eastRep }, org.PersonUpdate{HireDate: ptr("2010-01-01")}, echelon.EFORBIDDEN, "person.self_restricted", ""},
			{"ErrRepChangesOwnUnit", c.eastRep, func() *org.Person { return c.eastRep }, org.PersonUpdate{UnitID: ptr(c.east.ID)}, echelon.EFORBIDDEN, "person.self_restricted", ""},
			{"ErrRepChangesOwnRole", c.eastRep, func() *org.Person { return c.eastRep }, org.PersonUpdate{Role: ptr(echelon.RoleAdmin)}, echelon.EFORBIDDEN, "person.self_restricted", ""},
			{"ErrMarketingChangesOwnRole", c.marketing, func() *org.Person { return c.marketing }, org.PersonUpdate{Role: ptr(echelon.RoleAdmin)}, echelon.EFORBIDDEN, "person.self_restricted", ""},
			{"ErrRepEditsOtherRep", c.eastRep, func() *org.Person { return c.eastRep2 }, org.PersonUpdate{Name: ptr("Lazy")}, echelon.ENOTFOUND, "person.not_found", ""},
			{"ErrRepEditsOwnManager", c.eastRep, func() *org.Person { return c.eastMgr }, org.PersonUpdate{Name: ptr("Boss")}, echelon.ENOTFOUND, "person.not_found", ""},
			{"ErrRegionalManagerEditsOtherRegionsRep", c.eastMgr, func() *org.Person { return c.westRep }, org.PersonUpdate{Name: ptr("Poached")}, echelon.ENOTFOUND, "person.not_found", ""},
			{"ErrRegionalManagerEditsOwnManager", c.eastMgr, func() *org.Person { return c.senior }, org.PersonUpdate{Name: ptr("Boss")}, echelon.ENOTFOUND, "person.not_found", ""},
			{"ErrRegionalManagerEditsPeerInRegion", c.eastMgr, func() *org.Person { return deputy }, org.PersonUpdate{Name: ptr("Deputy")}, echelon.EFORBIDDEN, "perm.forbidden", ""},
			{"ErrRegionalManagerMovesRepToOtherRegion", c.eastMgr, func() *org.Person { return c.eastRep }, org.PersonUpdate{UnitID: ptr(c.westTeam.ID), ManagerID: ptr(c.westMgr.ID)}, echelon.EINVALID, "unit.not_found", "org_unit_id"},
			{"ErrRegionalManagerMovesRepAboveRegion", c.eastMgr, func() *org.Person { return c.eastRep }, org.PersonUpdate{UnitID: ptr(c.root.ID), ManagerID: ptr(c.senior.ID)}, echelon.EFORBIDDEN, "perm.forbidden", ""},
			{"ErrSeniorManagerEditsAdmin", c.senior, func() *org.Person { return c.admin }, org.PersonUpdate{Name: ptr("Root")}, echelon.ENOTFOUND, "person.not_found", ""},
			{"ErrSeniorManagerEditsMarketing", c.senior, func() *org.Person { return c.marketing }, org.PersonUpdate{Name: ptr("Promo")}, echelon.EFORBIDDEN, "perm.forbidden", ""},
			{"ErrMarketingEditsRep", c.marketing, func() *org.Person { return c.eastRep }, org.PersonUpdate{Name: ptr("Lead")}, echelon.ENOTFOUND, "person.not_found", ""},
			{"ErrUnknownPerson", c.admin, func() *org.Person { return &org.Person{ID: 9999} }, org.PersonUpdate{Name: ptr("Nobody")}, echelon.ENOTFOUND, "person.not_found", ""},
			// Bad input.
			{"ErrManagerCycle", c.admin, func() *org.Person { return c.eastMgr }, org.PersonUpdate{ManagerID: ptr(deputy.ID)}, echelon.EINVALID, "person.manager_cycle", "manager_id"},
			{"ErrManagerSelf", c.admin, func() *org.Person { return c.eastRep }, org.PersonUpdate{ManagerID: ptr(c.eastRep.ID)}, echelon.EINVALID, "person.manager_self", "manager_id"},
			{"ErrManagerOutsideUnitChain", c.admin, func() *org.Person { return c.eastRep }, org.PersonUpdate{ManagerID: ptr(c.westMgr.ID)}, echelon.EINVALID, "person.manager_outside", "manager_id"},
			{"ErrManagerLeftBehindByMove", c.admin, func() *org.Person { return c.eastRep }, org.PersonUpdate{UnitID: ptr(c.westTeam.ID)}, echelon.EINVALID, "person.manager_outside", "manager_id"},
			{"ErrManagerInactive", c.admin, func() *org.Person { return c.eastRep }, org.PersonUpdate{ManagerID: ptr(inactive.ID)}, echelon.EINVALID, "person.inactive", "manager_id"},
			{"ErrManagerUnknown", c.admin, func() *org.Person { return c.eastRep }, org.PersonUpdate{ManagerID: ptr(int64(9999))}, echelon.EINVALID, "person.not_found", "manager_id"},
			{"ErrMoveStrandsReports", c.admin, func() *org.Person { return c.eastMgr }, org.PersonUpdate{UnitID: ptr(c.west.ID)}, echelon.ECONFLICT, "person.move_strands_reports", ""},
			{"ErrLeavingUnitStrandsReports", c.admin, func() *org.Person { return c.eastMgr }, org.PersonUpdate{Role: ptr(echelon.RoleAdmin), UnitID: ptr(int64(0)), ManagerID: ptr(int64(0))}, echelon.ECONFLICT, "person.move_strands_reports", ""},
			// Deng manages East Team; from West he would manage a unit outside his chain.
			{"ErrMoveStrandsManagedUnit", c.admin, func() *org.Person { return deputy }, org.PersonUpdate{UnitID: ptr(c.west.ID), ManagerID: ptr(c.senior.ID)}, echelon.ECONFLICT, "person.move_strands_units", ""},
			{"ErrStaleVersion", c.eastMgr, func() *org.Person { return c.eastRep }, org.PersonUpdate{Name: ptr("Stale"), Version: 1}, echelon.ECONFLICT, "record.stale", ""},
			{"ErrNameEmpty", c.admin, func() *org.Person { return c.eastRep }, org.PersonUpdate{Name: ptr(" ")}, echelon.EINVALID, "field.required", "name"},
			{"ErrNameTooLong", c.admin, func() *org.Person { return c.eastRep }, org.PersonUpdate{Name: ptr(strings.Repeat("x", 101))}, echelon.EINVALID, "field.too_long", "name"},
			{"ErrPhoneMalformed", c.eastRep, func() *org.Person { return c.eastRep }, org.PersonUpdate{Phone: ptr("ring ring")}, echelon.EINVALID, "phone.invalid", "phone"},
			{"ErrLangUnknown", c.eastRep, func() *org.Person { return c.eastRep }, org.PersonUpdate{Lang: ptr("de")}, echelon.EINVALID, "lang.invalid", "lang"},
			{"ErrHireDateMalformed", c.admin, func() *org.Person { return c.eastRep }, org.PersonUpdate{HireDate: ptr("last spring")}, echelon.EINVALID, "date.invalid", "hire_date"},
			{"ErrRoleUnknown", c.admin, func() *org.Person { return c.eastRep }, org.PersonUpdate{Role: ptr(echelon.Role("boss"))}, echelon.EINVALID, "role.invalid", "role"},
			{"ErrLevelUnknown", c.admin, func() *org.Person { return c.eastRep }, org.PersonUpdate{LevelID: ptr(int64(9999))}, echelon.EINVALID, "level.not_found", "level_id"},
			{"ErrUnitClosed", c.admin, func() *org.Person { return c.eastRep }, org.PersonUpdate{UnitID: ptr(closed.ID)}, echelon.EINVALID, "unit.closed", "org_unit_id"},
			{"ErrUnitUnknown", c.admin, func() *org.Person { return c.eastRep }, org.PersonUpdate{UnitID: ptr(int64(9999))}, echelon.EINVALID, "unit.not_found", "org_unit_id"},
			{"ErrUnitRemovedFromRep", c.admin, func() *org.Person { return c.eastRep }, org.PersonUpdate{UnitID: ptr(int64(0)), ManagerID: ptr(int64(0))}, echelon.EINVALID, "field.required", "org_unit_id"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := c.state(t)
				_, err := c.org.UpdatePerson(as(tt.as), tt.person().ID, tt.up)
				if tt.field != "" {
					wantFieldErr(t, err, tt.field, tt.key)
				} else {
					wantErr(t, err, tt.code, tt.key)
				}
				c.unchanged(t, before)
			})
		}

		t.Run("ErrNobodySignedIn", func(t *testing.T) {
			_, err := c.org.UpdatePerson(context.Background(), c.eastRep.ID, org.PersonUpdate{Name: ptr("Anon")})
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required")
		})
	})
}

func TestService_UpdatePerson_ManagerLeft(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)
		// Li leaves before his reps are given a new manager.
		if _, err := c.org.UpdatePerson(as(c.senior), c.eastMgr.ID, org.PersonUpdate{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}

		t.Run("OKLevelOfReportChanges", func(t *testing.T) {
			p, err := c.org.UpdatePerson(as(c.senior), c.eastRep.ID, org.PersonUpdate{LevelID: ptr(c.levels["mid_rep"])})
			if err != nil {
				t.Fatal(err)
			}
			if p.LevelCode != "mid_rep" || p.ManagerID != c.eastMgr.ID {
				t.Errorf("level %q manager %d", p.LevelCode, p.ManagerID)
			}
		})

		t.Run("OKRoleOfReportChanges", func(t *testing.T) {
			if _, err := c.org.UpdatePerson(as(c.admin), c.eastRep2.ID, org.PersonUpdate{Role: ptr(echelon.RoleRegionalManager)}); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("ErrInactiveManagerChosenAgain", func(t *testing.T) {
			before := c.state(t)
			_, err := c.org.UpdatePerson(as(c.senior), c.eastRep.ID, org.PersonUpdate{ManagerID: ptr(c.eastMgr.ID), LevelID: ptr(c.levels["junior_rep"])})
			wantFieldErr(t, err, "manager_id", "person.inactive")
			c.unchanged(t, before)
		})

		t.Run("OKNewManager", func(t *testing.T) {
			p, err := c.org.UpdatePerson(as(c.senior), c.eastRep.ID, org.PersonUpdate{ManagerID: ptr(c.senior.ID)})
			if err != nil {
				t.Fatal(err)
			}
			if p.ManagerName != c.senior.Name {
				t.Errorf("manager %q", p.ManagerName)
			}
		})
	})
}

func TestService_UpdatePerson_Deactivate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)
		a := c.newAuth(t)
		ctx := context.Background()

		session, err := a.Login(ctx, c.eastRep.Email, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		bearer, err := a.LoginToken(ctx, c.eastRep.Email, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		personal, _, err := a.CreateToken(as(c.eastRep), "laptop")
		if err != nil {
			t.Fatal(err)
		}
		other, err := a.Login(ctx, c.eastRep2.Email, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.Authenticate(ctx, session.Token); err != nil {
			t.Fatalf("session before deactivation: %v", err)
		}

		p, err := c.org.UpdatePerson(as(c.eastMgr), c.eastRep.ID, org.PersonUpdate{Active: ptr(false)})
		if err != nil {
			t.Fatal(err)
		}
		if p.Active {
			t.Fatal("still active")
		}
		check := func(t *testing.T) {
			t.Helper()
			if _, _, err := a.Authenticate(ctx, session.Token); echelon.ErrorCode(err) != echelon.EUNAUTHORIZED {
				t.Errorf("session: %v, want %s", err, echelon.EUNAUTHORIZED)
			}
			for _, tok := range []string{bearer, personal} {
				if _, err := a.AuthenticateToken(ctx, tok); echelon.ErrorCode(err) != echelon.EUNAUTHORIZED {
					t.Errorf("token: %v, want %s", err, echelon.EUNAUTHORIZED)
				}
			}
		}
		t.Run("SessionAndTokensStopWorking", check)

		t.Run("SignInRefused", func(t *testing.T) {
			_, err := a.Login(ctx, c.eastRep.Email, testPassword)
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.bad_credentials")
		})

		t.Run("OthersKeepTheirSession", func(t *testing.T) {
			if _, _, err := a.Authenticate(ctx, other.Token); err != nil {
				t.Errorf("colleague's session: %v", err)
			}
		})

		t.Run("ReactivationDoesNotRevive", func(t *testing.T) {
			if _, err := c.org.UpdatePerson(as(c.eastMgr), c.eastRep.ID, org.PersonUpdate{Active: ptr(true)}); err != nil {
				t.Fatal(err)
			}
			check(t)
			if _, err := a.Login(ctx, c.eastRep.Email, testPassword); err != nil {
				t.Errorf("sign-in after reactivation: %v", err)
			}
		})

		t.Run("Audited", func(t *testing.T) {
			es, _, err := c.audit.FindEntries(as(c.admin), auditFilter("person", c.eastRep.ID, "update"))
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != 2 {
				t.Fatalf("got %d update entries, want 2 (deactivate, reactivate)", len(es))
			}
			var before, after org.Person
			if err := json.Unmarshal(es[1].Before, &before); err != nil || !before.Active {
				t.Errorf("before %s", es[1].Before)
			}
			if err := json.Unmarshal(es[1].After, &after); err != nil || after.Active {
				t.Errorf("after %s", es[1].After)
			}
		})
	})
}

func TestService_SetPassword(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)
		a := c.newAuth(t)
		ctx := context.Background()
		for _, tt := range []struct {
			name    string
			as      *org.Person
			person  *org.Person
			current string
			pw      string
			code    string
			key     string
		}{
			{"OKOwnPassword", c.eastRep, c.eastRep, testPassword, "a new pass phrase", "", ""},
			{"ErrOwnPasswordWithoutTheCurrentOne", c.eastRep2, c.eastRep2, "not my password", "a new pass phrase", echelon.EINVALID, "password.current_wrong"},
			{"OKAdminResetsAnyone", c.admin, c.westRep, "", "reset by admin 1", "", ""},
			{"ErrManagerSetsRepsPassword", c.eastMgr, c.eastRep2, "", "manager knows it", echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrRepSetsOthersPassword", c.eastRep, c.eastRep2, "", "i know it now", echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrTooShort", c.eastRep2, c.eastRep2, testPassword, "short", echelon.EINVALID, "password.length"},
			{"ErrUnknownPerson", c.admin, &org.Person{ID: 9999}, "", "whatever pass", echelon.ENOTFOUND, "person.not_found"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := c.state(t)
				err := c.org.SetPassword(as(tt.as), tt.person.ID, tt.current, tt.pw)
				if tt.code != "" {
					wantErr(t, err, tt.code, tt.key)
					c.unchanged(t, before)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if _, err := a.Login(ctx, tt.person.Email, tt.pw); err != nil {
					t.Errorf("sign-in with the new password: %v", err)
				}
				_, err = a.Login(ctx, tt.person.Email, testPassword)
				wantErr(t, err, echelon.EUNAUTHORIZED, "auth.bad_credentials")
				es, _, err := c.audit.FindEntries(system(), auditFilter("person", tt.person.ID, "set_password"))
				if err != nil || len(es) != 1 || es[0].ActorID != tt.as.ID {
					t.Fatalf("audit entries %+v (%v)", es, err)
				}
				if es[0].Before != nil || es[0].After != nil {
					t.Errorf("a password change records its hash: before %s after %s", es[0].Before, es[0].After)
				}
			})
		}
	})
}
