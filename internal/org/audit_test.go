package org_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
)

// TestService_AuditTrail checks that every write of the org service leaves
// exactly one entry saying who did what to which record, before and after.
func TestService_AuditTrail(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)
		var north *org.Unit
		var hired *org.Person
		var level *org.Level
		for _, tt := range []struct {
			name          string
			as            *org.Person
			write         func(ctx context.Context) (entityID string, err error)
			action        string
			entity        string
			before, after bool
		}{
			{"CreateUnit", c.admin, func(ctx context.Context) (string, error) {
				u, err := c.org.CreateUnit(ctx, org.UnitInput{ParentID: c.root.ID, Kind: org.KindRegion, Name: "North"})
				north = u
				return id(u, err)
			}, "create", "org_unit", false, true},
			{"UpdateUnit", c.senior, func(ctx context.Context) (string, error) {
				return id(c.org.UpdateUnit(ctx, north.ID, org.UnitUpdate{Name: ptr("North 华北")}))
			}, "update", "org_unit", true, true},
			{"CloseUnit", c.senior, func(ctx context.Context) (string, error) {
				return id(c.org.CloseUnit(ctx, north.ID))
			}, "close", "org_unit", true, true},
			{"CreatePerson", c.eastMgr, func(ctx context.Context) (string, error) {
				p, err := c.org.CreatePerson(ctx, org.PersonInput{Email: "new@example.com", Name: "New", Role: echelon.RoleRep, UnitID: c.eastTeam.ID, ManagerID: c.eastMgr.ID})
				hired = p
				return id(p, err)
			}, "create", "person", false, true},
			{"UpdatePerson", c.eastMgr, func(ctx context.Context) (string, error) {
				return id(c.org.UpdatePerson(ctx, hired.ID, org.PersonUpdate{LevelID: ptr(c.levels["junior_rep"])}))
			}, "update", "person", true, true},
			{"SetPassword", c.eastRep, func(ctx context.Context) (string, error) {
				return fmt.Sprint(c.eastRep.ID), c.org.SetPassword(ctx, c.eastRep.ID, testPassword, "another pass phrase")
			}, "set_password", "person", false, false},
			{"CreateLevel", c.admin, func(ctx context.Context) (string, error) {
				l, err := c.org.CreateLevel(ctx, org.LevelInput{Code: "trainee", NameZh: "见习", NameEn: "Trainee", Rank: 5})
				level = l
				return id(l, err)
			}, "create", "level", false, true},
			{"UpdateLevel", c.admin, func(ctx context.Context) (string, error) {
				return id(c.org.UpdateLevel(ctx, level.ID, org.LevelInput{Code: "trainee", NameZh: "见习销售", NameEn: "Trainee", Rank: 5}))
			}, "update", "level", true, true},
			{"UpdateRoleStatement", c.admin, func(ctx context.Context) (string, error) {
				_, err := c.org.UpdateRoleStatement(ctx, echelon.RoleMarketing, org.RoleStatementInput{BodyZh: "市场", BodyEn: "Marketing"})
				return "marketing", err
			}, "update", "role_statement", true, true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, total, err := c.audit.FindEntries(as(c.admin), audit.Filter{})
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now().Add(-time.Second)
				key, err := tt.write(as(tt.as))
				if err != nil {
					t.Fatal(err)
				}
				es, after, err := c.audit.FindEntries(as(c.admin), audit.Filter{Limit: 1})
				if err != nil {
					t.Fatal(err)
				}
				if after != total+1 {
					t.Fatalf("%d entries written, want 1", after-total)
				}
				e := es[0]
				if e.ActorID != tt.as.ID || e.ActorName != tt.as.Name || e.Action != tt.action || e.Entity != tt.entity || e.EntityID != key {
					t.Errorf("entry %d: actor %d %q, %s %s %s; want actor %d %q, %s %s %s",
						e.ID, e.ActorID, e.ActorName, e.Action, e.Entity, e.EntityID, tt.as.ID, tt.as.Name, tt.action, tt.entity, key)
				}
				if e.At.Before(start) || e.At.After(time.Now().Add(time.Second)) {
					t.Errorf("entry time %v, want about now", e.At)
				}
				for _, side := range []struct {
					name string
					raw  json.RawMessage
					want bool
				}{{"before", e.Before, tt.before}, {"after", e.After, tt.after}} {
					if (side.raw != nil) != side.want {
						t.Errorf("%s = %s, want present %v", side.name, side.raw, side.want)
					}
					if side.raw != nil && !json.Valid(side.raw) {
						t.Errorf("%s is not JSON: %s", side.name, side.raw)
					}
				}
			})
		}
	})
}

// id turns a created or updated record into its audit key.
func id(v any, err error) (string, error) {
	if err != nil {
		return "", err
	}
	switch r := v.(type) {
	case *org.Unit:
		return fmt.Sprint(r.ID), nil
	case *org.Person:
		return fmt.Sprint(r.ID), nil
	case *org.Level:
		return fmt.Sprint(r.ID), nil
	}
	return "", fmt.Errorf("no id in %T", v)
}

func TestAuditService_FindEntries_AdminOnly(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)
		for _, p := range c.everyone() {
			t.Run(string(p.Role), func(t *testing.T) {
				es, total, err := c.audit.FindEntries(as(p), audit.Filter{})
				if p.Role == echelon.RoleAdmin {
					if err != nil || total == 0 || len(es) == 0 {
						t.Fatalf("admin reads %d of %d entries: %v", len(es), total, err)
					}
					return
				}
				wantErr(t, err, echelon.EFORBIDDEN, "audit.forbidden")
				if len(es) != 0 {
					t.Errorf("refused reader got %d entries", len(es))
				}
			})
		}
	})
}
