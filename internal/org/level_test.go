package org_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
)

func TestService_FindLevels(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)
		for _, p := range c.everyone() {
			t.Run(string(p.Role), func(t *testing.T) {
				ls, err := c.org.FindLevels(as(p))
				if err != nil {
					t.Fatal(err)
				}
				var codes []string
				for _, l := range ls {
					codes = append(codes, l.Code)
				}
				if got := strings.Join(codes, ","); got != "junior_rep,mid_rep,senior_rep,regional_manager,senior_manager" {
					t.Errorf("ladder %s", got)
				}
				if ls[0].People != 1 || ls[1].People != 1 || ls[3].People != 2 {
					t.Errorf("people per level: %d %d %d", ls[0].People, ls[1].People, ls[3].People)
				}
			})
		}
		t.Run("ErrNobodySignedIn", func(t *testing.T) {
			_, err := c.org.FindLevels(context.Background())
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required")
		})
	})
}

func TestService_CreateLevel(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)

		t.Run("OK", func(t *testing.T) {
			l, err := c.org.CreateLevel(as(c.admin), org.LevelInput{Code: "key_account", NameZh: " 大客户经理 ", NameEn: "Key account manager", Rank: 35})
			if err != nil {
				t.Fatal(err)
			}
			if l.Code != "key_account" || l.NameZh != "大客户经理" || l.Rank != 35 || l.Version != 1 || l.People != 0 {
				t.Errorf("got %+v", l)
			}
			ls, err := c.org.FindLevels(as(c.eastRep))
			if err != nil {
				t.Fatal(err)
			}
			if ls[3].Code != "key_account" {
				t.Errorf("rank 35 sits at %s", ls[3].Code)
			}
			es := c.entries(t, "level", l.ID)
			if len(es) != 1 || es[0].Action != "create" || es[0].Before != nil || es[0].After == nil {
				t.Errorf("audit entries %+v", es)
			}
		})

		valid := func() org.LevelInput {
			return org.LevelInput{Code: "trainee", NameZh: "见习销售", NameEn: "Trainee", Rank: 5}
		}
		for _, tt := range []struct {
			name   string
			as     *org.Person
			change func(*org.LevelInput)
			code   string
			key    string
			field  string
		}{
			{"ErrSeniorManager", c.senior, func(*org.LevelInput) {}, echelon.EFORBIDDEN, "perm.forbidden", ""},
			{"ErrRegionalManager", c.eastMgr, func(*org.LevelInput) {}, echelon.EFORBIDDEN, "perm.forbidden", ""},
			{"ErrRep", c.eastRep, func(*org.LevelInput) {}, echelon.EFORBIDDEN, "perm.forbidden", ""},
			{"ErrMarketing", c.marketing, func(*org.LevelInput) {}, echelon.EFORBIDDEN, "perm.forbidden", ""},
			{"ErrProduct", c.product, func(*org.LevelInput) {}, echelon.EFORBIDDEN, "perm.forbidden", ""},
			{"ErrCustomerService", c.service, func(*org.LevelInput) {}, echelon.EFORBIDDEN, "perm.forbidden", ""},
			{"ErrCodeTaken", c.admin, func(in *org.LevelInput) { in.Code = "mid_rep" }, echelon.ECONFLICT, "level.code_taken", ""},
			{"ErrCodeEmpty", c.admin, func(in *org.LevelInput) { in.Code = "" }, echelon.EINVALID, "level.code_invalid", "code"},
			{"ErrCodeUpperCase", c.admin, func(in *org.LevelInput) { in.Code = "Trainee" }, echelon.EINVALID, "level.code_invalid", "code"},
			{"ErrCodeWithSpace", c.admin, func(in *org.LevelInput) { in.Code = "new hire" }, echelon.EINVALID, "level.code_invalid", "code"},
			{"ErrCodeTooLong", c.admin, func(in *org.LevelInput) { in.Code = strings.Repeat("a", 33) }, echelon.EINVALID, "level.code_invalid", "code"},
			{"ErrNameZhEmpty", c.admin, func(in *org.LevelInput) { in.NameZh = "" }, echelon.EINVALID, "field.required", "name_zh"},
			{"ErrNameEnTooLong", c.admin, func(in *org.LevelInput) { in.NameEn = strings.Repeat("n", 101) }, echelon.EINVALID, "field.too_long", "name_en"},
			{"ErrRankZero", c.admin, func(in *org.LevelInput) { in.Rank = 0 }, echelon.EINVALID, "level.rank_invalid", "rank"},
			{"ErrRankTooHigh", c.admin, func(in *org.LevelInput) { in.Rank = 1001 }, echelon.EINVALID, "level.rank_invalid", "rank"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				in := valid()
				tt.change(&in)
				before := c.state(t)
				_, err := c.org.CreateLevel(as(tt.as), in)
				if tt.field != "" {
					wantFieldErr(t, err, tt.field, tt.key)
				} else {
					wantErr(t, err, tt.code, tt.key)
				}
				c.unchanged(t, before)
			})
		}
		t.Run("ErrNobodySignedIn", func(t *testing.T) {
			_, err := c.org.CreateLevel(context.Background(), valid())
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required")
		})
	})
}

func TestService_UpdateLevel(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)
		id := c.levels["mid_rep"]

		t.Run("OK", func(t *testing.T) {
			l, err := c.org.UpdateLevel(as(c.admin), id, org.LevelInput{Code: "rep", NameZh: "销售代表", NameEn: "Sales representative", Rank: 20, Version: 1})
			if err != nil {
				t.Fatal(err)
			}
			if l.Code != "rep" || l.NameEn != "Sales representative" || l.Version != 2 || l.People != 1 {
				t.Errorf("got %+v", l)
			}
			if p := c.reload(t, c.eastRep2); p.LevelCode != "rep" || p.LevelNameEn != "Sales representative" {
				t.Errorf("person shows level %q %q", p.LevelCode, p.LevelNameEn)
			}
			es := c.entries(t, "level", id)
			if len(es) != 1 || es[0].Action != "update" {
				t.Fatalf("audit entries %+v", es)
			}
			var before, after org.Level
			if json.Unmarshal(es[0].Before, &before) != nil || before.Code != "mid_rep" || json.Unmarshal(es[0].After, &after) != nil || after.Code != "rep" {
				t.Errorf("audit before %s after %s", es[0].Before, es[0].After)
			}
		})

		valid := org.LevelInput{Code: "rep", NameZh: "销售代表", NameEn: "Rep", Rank: 20}
		for _, tt := range []struct {
			name string
			as   *org.Person
			id   int64
			in   org.LevelInput
			code string
			key  string
		}{
			{"ErrSeniorManager", c.senior, id, valid, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrRegionalManager", c.eastMgr, id, valid, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrRep", c.eastRep, id, valid, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrMarketing", c.marketing, id, valid, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrStaleVersion", c.admin, id, org.LevelInput{Code: "rep", NameZh: "销售代表", NameEn: "Rep", Rank: 20, Version: 1}, echelon.ECONFLICT, "record.stale"},
			{"ErrCodeTaken", c.admin, id, org.LevelInput{Code: "junior_rep", NameZh: "销售代表", NameEn: "Rep", Rank: 20}, echelon.ECONFLICT, "level.code_taken"},
			{"ErrUnknown", c.admin, 9999, valid, echelon.ENOTFOUND, "level.not_found"},
			{"ErrRankNegative", c.admin, id, org.LevelInput{Code: "rep", NameZh: "销售代表", NameEn: "Rep", Rank: -1}, echelon.EINVALID, "level.rank_invalid"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := c.state(t)
				_, err := c.org.UpdateLevel(as(tt.as), tt.id, tt.in)
				wantErr(t, err, tt.code, tt.key)
				c.unchanged(t, before)
			})
		}
	})
}

func TestService_RoleStatements(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)

		t.Run("EveryoneReadsEveryRole", func(t *testing.T) {
			for _, p := range c.everyone() {
				rs, err := c.org.FindRoleStatements(as(p))
				if err != nil {
					t.Fatal(err)
				}
				if len(rs) != len(echelon.Roles) {
					t.Fatalf("%s reads %d statements, want %d", p.Name, len(rs), len(echelon.Roles))
				}
				for i, r := range rs {
					if r.Role != echelon.Roles[i] || r.BodyZh == "" || r.BodyEn == "" || r.Version != 1 {
						t.Errorf("statement %d: %+v", i, r)
					}
				}
			}
			_, err := c.org.FindRoleStatements(context.Background())
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required")
		})

		t.Run("OKAdminUpdates", func(t *testing.T) {
			r, err := c.org.UpdateRoleStatement(as(c.admin), echelon.RoleRep, org.RoleStatementInput{BodyZh: " 开发并维护客户。 ", BodyEn: "Wins and keeps customers.", Version: 1})
			if err != nil {
				t.Fatal(err)
			}
			if r.BodyZh != "开发并维护客户。" || r.Version != 2 {
				t.Errorf("got %+v", r)
			}
			rs, err := c.org.FindRoleStatements(as(c.eastRep))
			if err != nil {
				t.Fatal(err)
			}
			if rs[3].Role != echelon.RoleRep || rs[3].BodyEn != "Wins and keeps customers." || rs[3].Version != 2 {
				t.Errorf("rep reads %+v", rs[3])
			}
			es, _, err := c.audit.FindEntries(as(c.admin), auditKey("role_statement", "rep"))
			if err != nil || len(es) != 1 {
				t.Fatalf("audit entries %+v (%v)", es, err)
			}
			var before, after org.RoleStatement
			if json.Unmarshal(es[0].Before, &before) != nil || before.Version != 1 || !strings.HasPrefix(before.BodyEn, "Develops") ||
				json.Unmarshal(es[0].After, &after) != nil || after.BodyEn != "Wins and keeps customers." {
				t.Errorf("audit before %s after %s", es[0].Before, es[0].After)
			}
		})

		in := org.RoleStatementInput{BodyZh: "新的职责", BodyEn: "New duties"}
		for _, tt := range []struct {
			name string
			as   *org.Person
			role echelon.Role
			in   org.RoleStatementInput
			code string
			key  string
		}{
			{"ErrSeniorManager", c.senior, echelon.RoleRep, in, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrRegionalManager", c.eastMgr, echelon.RoleRep, in, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrRepOwnRole", c.eastRep, echelon.RoleRep, in, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrMarketingOwnRole", c.marketing, echelon.RoleMarketing, in, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrProduct", c.product, echelon.RoleProduct, in, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrCustomerService", c.service, echelon.RoleCustomerService, in, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrUnknownRole", c.admin, "director", in, echelon.ENOTFOUND, "role.invalid"},
			{"ErrBodyZhEmpty", c.admin, echelon.RoleRep, org.RoleStatementInput{BodyZh: " ", BodyEn: "x"}, echelon.EINVALID, "field.required"},
			{"ErrBodyEnTooLong", c.admin, echelon.RoleRep, org.RoleStatementInput{BodyZh: "x", BodyEn: strings.Repeat("y", 4001)}, echelon.EINVALID, "field.too_long"},
			{"ErrStaleVersion", c.admin, echelon.RoleRep, org.RoleStatementInput{BodyZh: "x", BodyEn: "y", Version: 1}, echelon.ECONFLICT, "record.stale"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := c.state(t)
				_, err := c.org.UpdateRoleStatement(as(tt.as), tt.role, tt.in)
				wantErr(t, err, tt.code, tt.key)
				c.unchanged(t, before)
			})
		}
	})
}
