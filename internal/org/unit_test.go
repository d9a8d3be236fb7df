package org_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
)

func TestService_CreateUnit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)

		t.Run("OKAdminAddsRegionWithManager", func(t *testing.T) {
			u, err := c.org.CreateUnit(as(c.admin), org.UnitInput{ParentID: c.root.ID, Kind: org.KindRegion, Name: "  North 华北  ", ManagerID: c.senior.ID})
			if err != nil {
				t.Fatal(err)
			}
			if u.Name != "North 华北" || u.Kind != org.KindRegion || u.ParentID != c.root.ID || u.ManagerID != c.senior.ID || u.ManagerName != c.senior.Name {
				t.Errorf("got %+v", u)
			}
			if want := fmt.Sprintf("/1/%d/", u.ID); u.Path != want {
				t.Errorf("path %q, want %q", u.Path, want)
			}
			if u.Depth() != 1 || u.Version != 1 || u.ClosedAt != nil {
				t.Errorf("depth %d version %d closed %v", u.Depth(), u.Version, u.ClosedAt)
			}
			es := c.entries(t, "org_unit", u.ID)
			if len(es) != 1 || es[0].Action != "create" || es[0].Before != nil || es[0].ActorID != c.admin.ID || es[0].ActorName != c.admin.Name {
				t.Fatalf("audit entries %+v", es)
			}
			var after org.Unit
			if err := json.Unmarshal(es[0].After, &after); err != nil || after.Name != "North 华北" {
				t.Errorf("audit after %s (%v)", es[0].After, err)
			}
		})

		t.Run("OKRegionalManagerAddsTeamInOwnRegion", func(t *testing.T) {
			u, err := c.org.CreateUnit(as(c.eastMgr), org.UnitInput{ParentID: c.east.ID, Kind: org.KindTeam, Name: "East Team B", ManagerID: c.eastMgr.ID})
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("%s%d/", c.east.Path, u.ID); u.Path != want || u.Depth() != 2 {
				t.Errorf("path %q depth %d, want %q", u.Path, u.Depth(), want)
			}
		})

		closed := c.mustUnit(t, org.UnitInput{ParentID: c.root.ID, Kind: org.KindRegion, Name: "Closed"})
		if _, err := c.org.CloseUnit(system(), closed.ID); err != nil {
			t.Fatal(err)
		}
		long := strings.Repeat("区", 101)
		for _, tt := range []struct {
			name  string
			as    *org.Person
			in    org.UnitInput
			code  string
			key   string
			field string
		}{
			{"ErrNameEmpty", c.admin, org.UnitInput{ParentID: 1, Kind: org.KindRegion, Name: "   "}, echelon.EINVALID, "field.required", "name"},
			{"ErrNameTooLong", c.admin, org.UnitInput{ParentID: 1, Kind: org.KindRegion, Name: long}, echelon.EINVALID, "field.too_long", "name"},
			{"ErrKindCompany", c.admin, org.UnitInput{ParentID: 1, Kind: org.KindCompany, Name: "Second company"}, echelon.EINVALID, "unit.kind_invalid", "kind"},
			{"ErrKindUnknown", c.admin, org.UnitInput{ParentID: 1, Kind: "division", Name: "Division"}, echelon.EINVALID, "unit.kind_invalid", "kind"},
			{"ErrParentMissing", c.admin, org.UnitInput{Kind: org.KindRegion, Name: "Orphan"}, echelon.EINVALID, "field.required", "parent_id"},
			{"ErrParentUnknown", c.admin, org.UnitInput{ParentID: 9999, Kind: org.KindRegion, Name: "Orphan"}, echelon.EINVALID, "unit.not_found", "parent_id"},
			{"ErrParentClosed", c.admin, org.UnitInput{ParentID: closed.ID, Kind: org.KindTeam, Name: "Late team"}, echelon.EINVALID, "unit.parent_closed", "parent_id"},
			{"ErrManagerOutsideChain", c.admin, org.UnitInput{ParentID: c.east.ID, Kind: org.KindTeam, Name: "East C", ManagerID: c.westMgr.ID}, echelon.EINVALID, "unit.manager_outside", "manager_id"},
			{"ErrManagerUnknown", c.admin, org.UnitInput{ParentID: c.east.ID, Kind: org.KindTeam, Name: "East C", ManagerID: 9999}, echelon.EINVALID, "person.not_found", "manager_id"},
			{"ErrManagerWithoutUnit", c.admin, org.UnitInput{ParentID: c.east.ID, Kind: org.KindTeam, Name: "East C", ManagerID: c.admin.ID}, echelon.EINVALID, "unit.manager_outside", "manager_id"},
			{"ErrRegionalManagerInOtherRegion", c.eastMgr, org.UnitInput{ParentID: c.west.ID, Kind: org.KindTeam, Name: "Raid"}, echelon.EINVALID, "unit.not_found", "parent_id"},
			{"ErrRegionalManagerAboveOwnUnit", c.eastMgr, org.UnitInput{ParentID: c.root.ID, Kind: org.KindRegion, Name: "Own region"}, echelon.EFORBIDDEN, "perm.forbidden", ""},
			{"ErrRepAddsTeam", c.eastRep, org.UnitInput{ParentID: c.eastTeam.ID, Kind: org.KindTeam, Name: "My team"}, echelon.EFORBIDDEN, "perm.forbidden", ""},
			{"ErrMarketingAddsRegion", c.marketing, org.UnitInput{ParentID: c.root.ID, Kind: org.KindRegion, Name: "Campaigns"}, echelon.EFORBIDDEN, "perm.forbidden", ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := c.state(t)
				_, err := c.org.CreateUnit(as(tt.as), tt.in)
				if tt.field != "" {
					wantFieldErr(t, err, tt.field, tt.key)
				} else {
					wantErr(t, err, tt.code, tt.key)
				}
				c.unchanged(t, before)
			})
		}

		t.Run("ErrNobodySignedIn", func(t *testing.T) {
			_, err := c.org.CreateUnit(context.Background(), org.UnitInput{ParentID: 1, Kind: org.KindRegion, Name: "Ghost"})
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required")
		})
	})
}

func TestService_UpdateUnit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)

		t.Run("OKRename", func(t *testing.T) {
			u, err := c.org.UpdateUnit(as(c.admin), c.east.ID, org.UnitUpdate{Name: ptr(" East 华东 "), Version: c.east.Version})
			if err != nil {
				t.Fatal(err)
			}
			if u.Name != "East 华东" || u.Version != c.east.Version+1 || u.Path != c.east.Path {
				t.Errorf("got %+v", u)
			}
			es := c.entries(t, "org_unit", c.east.ID)
			if len(es) != 2 || es[0].Action != "update" {
				t.Fatalf("audit entries %+v", es)
			}
			var before, after org.Unit
			if err := json.Unmarshal(es[0].Before, &before); err != nil || before.Name != "East" {
				t.Errorf("audit before %s (%v)", es[0].Before, err)
			}
			if err := json.Unmarshal(es[0].After, &after); err != nil || after.Name != "East 华东" {
				t.Errorf("audit after %s (%v)", es[0].After, err)
			}
			c.east = u
		})

		t.Run("OKRegionalManagerRenamesOwnTeam", func(t *testing.T) {
			u, err := c.org.UpdateUnit(as(c.eastMgr), c.eastTeam.ID, org.UnitUpdate{Name: ptr("East Team A")})
			if err != nil {
				t.Fatal(err)
			}
			c.eastTeam = u
		})

		t.Run("OKMoveRewritesSubtreeAndScope", func(t *testing.T) {
			// A project group under East with a sub-team; its rep reports to the
			// senior manager, who sits on every chain, so the move strands nobody.
			group := c.mustUnit(t, org.UnitInput{ParentID: c.east.ID, Kind: org.KindTeam, Name: "Key accounts"})
			sub := c.mustUnit(t, org.UnitInput{ParentID: group.ID, Kind: org.KindTeam, Name: "Key accounts north"})
			rep := c.mustPerson(t, "feng", echelon.RoleRep, sub, c.senior, "")
			if _, err := c.org.FindPersonByID(as(c.eastMgr), rep.ID); err != nil {
				t.Fatalf("east manager cannot see rep before the move: %v", err)
			}

			moved, err := c.org.UpdateUnit(as(c.senior), group.ID, org.UnitUpdate{ParentID: ptr(c.west.ID)})
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("%s%d/", c.west.Path, group.ID); moved.Path != want || moved.ParentID != c.west.ID {
				t.Errorf("moved unit path %q parent %d, want %q under %d", moved.Path, moved.ParentID, want, c.west.ID)
			}
			if want := fmt.Sprintf("%s%d/%d/", c.west.Path, group.ID, sub.ID); c.reloadUnit(t, sub).Path != want {
				t.Errorf("sub-team path %q, want %q", c.reloadUnit(t, sub).Path, want)
			}
			if _, err := c.org.FindPersonByID(as(c.eastMgr), rep.ID); echelon.ErrorCode(err) != echelon.ENOTFOUND {
				t.Errorf("east manager still sees the moved rep: %v", err)
			}
			if _, err := c.org.FindPersonByID(as(c.westMgr), rep.ID); err != nil {
				t.Errorf("west manager does not see the moved rep: %v", err)
			}
		})

		t.Run("OKChangeManager", func(t *testing.T) {
			u, err := c.org.UpdateUnit(as(c.admin), c.west.ID, org.UnitUpdate{ManagerID: ptr(c.westMgr.ID)})
			if err != nil {
				t.Fatal(err)
			}
			if u.ManagerID != c.westMgr.ID || u.ManagerName != c.westMgr.Name {
				t.Errorf("manager %d %q", u.ManagerID, u.ManagerName)
			}
			c.west = u
		})

		closed := c.mustUnit(t, org.UnitInput{ParentID: c.root.ID, Kind: org.KindRegion, Name: "Closed"})
		if _, err := c.org.CloseUnit(system(), closed.ID); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name  string
			as    *org.Person
			id    int64
			up    func() org.UnitUpdate
			code  string
			key   string
			field string
		}{
			{"ErrMoveIntoOwnChild", c.admin, c.east.ID, func() org.UnitUpdate { return org.UnitUpdate{ParentID: ptr(c.eastTeam.ID)} }, echelon.EINVALID, "unit.cycle", "parent_id"},
			{"ErrMoveUnderItself", c.admin, c.east.ID, func() org.UnitUpdate { return org.UnitUpdate{ParentID: ptr(c.east.ID)} }, echelon.EINVALID, "unit.cycle", "parent_id"},
			{"ErrMoveCompany", c.admin, c.root.ID, func() org.UnitUpdate { return org.UnitUpdate{ParentID: ptr(c.east.ID)} }, echelon.EINVALID, "unit.root_fixed", "parent_id"},
			{"ErrMoveUnderUnknown", c.admin, c.eastTeam.ID, func() org.UnitUpdate { return org.UnitUpdate{ParentID: ptr(int64(9999))} }, echelon.EINVALID, "unit.not_found", "parent_id"},
			{"ErrMoveUnderClosed", c.admin, c.eastTeam.ID, func() org.UnitUpdate { return org.UnitUpdate{ParentID: ptr(closed.ID)} }, echelon.EINVALID, "unit.parent_closed", "parent_id"},
			// East Team's reps report to Li in East; under West, Li is off their chain.
			{"ErrMoveStrandsManagers", c.admin, c.eastTeam.ID, func() org.UnitUpdate { return org.UnitUpdate{ParentID: ptr(c.west.ID)} }, echelon.ECONFLICT, "unit.move_strands_managers", ""},
			{"ErrNameEmpty", c.admin, c.east.ID, func() org.UnitUpdate { return org.UnitUpdate{Name: ptr("")} }, echelon.EINVALID, "field.required", "name"},
			{"ErrKindCompanyBelowRoot", c.admin, c.east.ID, func() org.UnitUpdate { return org.UnitUpdate{Kind: ptr(org.KindCompany)} }, echelon.EINVALID, "unit.kind_invalid", "kind"},
			{"ErrRootKindChanged", c.admin, c.root.ID, func() org.UnitUpdate { return org.UnitUpdate{Kind: ptr(org.KindRegion)} }, echelon.EINVALID, "unit.kind_invalid", "kind"},
			{"ErrManagerOutsideChain", c.admin, c.eastTeam.ID, func() org.UnitUpdate { return org.UnitUpdate{ManagerID: ptr(c.westMgr.ID)} }, echelon.EINVALID, "unit.manager_outside", "manager_id"},
			{"ErrStaleVersion", c.admin, c.east.ID, func() org.UnitUpdate { return org.UnitUpdate{Name: ptr("Stale"), Version: c.east.Version - 1} }, echelon.ECONFLICT, "record.stale", ""},
			{"ErrClosed", c.admin, closed.ID, func() org.UnitUpdate { return org.UnitUpdate{Name: ptr("Reopened?")} }, echelon.ECONFLICT, "unit.closed", ""},
			{"ErrRegionalManagerRenamesOwnRegion", c.eastMgr, c.east.ID, func() org.UnitUpdate { return org.UnitUpdate{Name: ptr("Mine")} }, echelon.EFORBIDDEN, "perm.forbidden", ""},
			{"ErrRegionalManagerMovesOwnTeamOutOfRegion", c.eastMgr, c.eastTeam.ID, func() org.UnitUpdate { return org.UnitUpdate{ParentID: ptr(c.root.ID)} }, echelon.EFORBIDDEN, "perm.forbidden", ""},
			{"ErrRegionalManagerRenamesOtherRegionsTeam", c.eastMgr, c.westTeam.ID, func() org.UnitUpdate { return org.UnitUpdate{Name: ptr("Taken")} }, echelon.ENOTFOUND, "unit.not_found", ""},
			{"ErrSeniorManagerRenamesCompany", c.senior, c.root.ID, func() org.UnitUpdate { return org.UnitUpdate{Name: ptr("Sun Ltd")} }, echelon.EFORBIDDEN, "perm.forbidden", ""},
			{"ErrRepRenamesOwnTeam", c.eastRep, c.eastTeam.ID, func() org.UnitUpdate { return org.UnitUpdate{Name: ptr("Zhao's")} }, echelon.EFORBIDDEN, "perm.forbidden", ""},
			{"ErrRepRenamesOtherTeam", c.eastRep, c.westTeam.ID, func() org.UnitUpdate { return org.UnitUpdate{Name: ptr("Zhao's")} }, echelon.ENOTFOUND, "unit.not_found", ""},
			{"ErrMarketingRenamesRegion", c.marketing, c.east.ID, func() org.UnitUpdate { return org.UnitUpdate{Name: ptr("Promo")} }, echelon.ENOTFOUND, "unit.not_found", ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := c.state(t)
				_, err := c.org.UpdateUnit(as(tt.as), tt.id, tt.up())
				if tt.field != "" {
					wantFieldErr(t, err, tt.field, tt.key)
				} else {
					wantErr(t, err, tt.code, tt.key)
				}
				c.unchanged(t, before)
			})
		}

		t.Run("ErrMoveStrandsUnitManager", func(t *testing.T) {
			// A team under East managed by Li; moved under West, Li is no longer on its chain.
			team := c.mustUnit(t, org.UnitInput{ParentID: c.east.ID, Kind: org.KindTeam, Name: "East projects", ManagerID: c.eastMgr.ID})
			before := c.state(t)
			_, err := c.org.UpdateUnit(as(c.admin), team.ID, org.UnitUpdate{ParentID: ptr(c.west.ID)})
			wantErr(t, err, echelon.ECONFLICT, "unit.move_strands_managers")
			c.unchanged(t, before)
			if got := c.reloadUnit(t, team); got.Path != team.Path || got.ParentID != c.east.ID {
				t.Errorf("refused move left path %q parent %d", got.Path, got.ParentID)
			}
		})
	})
}

func TestService_CloseUnit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)

		for _, tt := range []struct {
			name string
			as   *org.Person
			id   int64
			code string
			key  string
		}{
			{"ErrHasPeople", c.admin, c.eastTeam.ID, echelon.ECONFLICT, "unit.close_has_people"},
			{"ErrSubtreeHasPeople", c.admin, c.east.ID, echelon.ECONFLICT, "unit.close_has_people"},
			{"ErrCompany", c.admin, c.root.ID, echelon.ECONFLICT, "unit.root_fixed"},
			{"ErrUnknown", c.admin, 9999, echelon.ENOTFOUND, "unit.not_found"},
			{"ErrRegionalManagerClosesOwnRegion", c.eastMgr, c.east.ID, echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrRegionalManagerClosesOtherRegion", c.eastMgr, c.west.ID, echelon.ENOTFOUND, "unit.not_found"},
			{"ErrRepClosesOwnTeam", c.eastRep, c.eastTeam.ID, echelon.EFORBIDDEN, "perm.forbidden"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := c.state(t)
				_, err := c.org.CloseUnit(as(tt.as), tt.id)
				wantErr(t, err, tt.code, tt.key)
				c.unchanged(t, before)
			})
		}

		t.Run("ErrHasOpenChildren", func(t *testing.T) {
			north := c.mustUnit(t, org.UnitInput{ParentID: c.root.ID, Kind: org.KindRegion, Name: "North"})
			c.mustUnit(t, org.UnitInput{ParentID: north.ID, Kind: org.KindTeam, Name: "North Team"})
			before := c.state(t)
			_, err := c.org.CloseUnit(as(c.admin), north.ID)
			wantErr(t, err, echelon.ECONFLICT, "unit.close_has_children")
			c.unchanged(t, before)
		})

		t.Run("OKAfterPeopleLeave", func(t *testing.T) {
			// The East Team empties: one rep moves to West Team under Wang, the other leaves.
			_, err := c.org.UpdatePerson(as(c.admin), c.eastRep.ID, org.PersonUpdate{UnitID: ptr(c.westTeam.ID), ManagerID: ptr(c.westMgr.ID)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.org.UpdatePerson(as(c.admin), c.eastRep2.ID, org.PersonUpdate{Active: ptr(false)}); err != nil {
				t.Fatal(err)
			}
			u, err := c.org.CloseUnit(as(c.eastMgr), c.eastTeam.ID)
			if err != nil {
				t.Fatal(err)
			}
			if u.ClosedAt == nil || u.Version != c.eastTeam.Version+1 {
				t.Errorf("closed %v version %d", u.ClosedAt, u.Version)
			}
			es := c.entries(t, "org_unit", c.eastTeam.ID)
			if len(es) == 0 || es[0].Action != "close" || es[0].Before == nil || es[0].After == nil || es[0].ActorID != c.eastMgr.ID {
				t.Fatalf("audit entries %+v", es)
			}

			open, err := c.org.FindUnits(as(c.admin), false)
			if err != nil {
				t.Fatal(err)
			}
			if hasUnit(open, c.eastTeam.ID) {
				t.Error("closed unit listed among open units")
			}
			all, err := c.org.FindUnits(as(c.admin), true)
			if err != nil {
				t.Fatal(err)
			}
			if !hasUnit(all, c.eastTeam.ID) {
				t.Error("closed unit missing when closed units are asked for")
			}

			before := c.state(t)
			_, err = c.org.CloseUnit(as(c.admin), c.eastTeam.ID)
			wantErr(t, err, echelon.ECONFLICT, "unit.closed")
			_, err = c.org.CreatePerson(as(c.admin), org.PersonInput{Email: "late@example.com", Name: "Late", Role: echelon.RoleRep, UnitID: c.eastTeam.ID})
			wantFieldErr(t, err, "org_unit_id", "unit.closed")
			_, err = c.org.CreateUnit(as(c.admin), org.UnitInput{ParentID: c.eastTeam.ID, Kind: org.KindTeam, Name: "Late"})
			wantFieldErr(t, err, "parent_id", "unit.parent_closed")
			c.unchanged(t, before)

			// With its only child closed, East could close too once Li leaves.
			_, err = c.org.CloseUnit(as(c.admin), c.east.ID)
			wantCode(t, err, echelon.ECONFLICT)
		})
	})
}

func hasUnit(us []*org.Unit, id int64) bool {
	for _, u := range us {
		if u.ID == id {
			return true
		}
	}
	return false
}

func unitNames(us []*org.Unit) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Name)
	}
	return out
}

func TestService_FindUnits(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)
		company := c.root.Name
		for _, tt := range []struct {
			name string
			as   *org.Person
			want []string
		}{
			{"AdminSeesEverything", c.admin, []string{company, "East", "East Team", "West", "West Team"}},
			{"SeniorManagerSeesSubtree", c.senior, []string{company, "East", "East Team", "West", "West Team"}},
			{"RegionalManagerSeesOwnRegionAndChainAbove", c.eastMgr, []string{company, "East", "East Team"}},
			{"OtherRegionalManagerSeesOnlyTheirs", c.westMgr, []string{company, "West", "West Team"}},
			{"RepSeesOwnChain", c.westRep, []string{company, "West", "West Team"}},
			{"MarketingSeesCompany", c.marketing, []string{company}},
			{"ProductSeesCompany", c.product, []string{company}},
			{"CustomerServiceSeesCompany", c.service, []string{company}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				us, err := c.org.FindUnits(as(tt.as), false)
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.Join(unitNames(us), ", "); got != strings.Join(tt.want, ", ") {
					t.Errorf("got %s\nwant %s", got, strings.Join(tt.want, ", "))
				}
			})
		}

		t.Run("OrderedAsTreeWithNumericPaths", func(t *testing.T) {
			// Enough units that ids reach two digits: /1/10/ must follow /1/9/'s subtree, not /1/1/.
			var last *org.Unit
			for i := 0; i < 6; i++ {
				last = c.mustUnit(t, org.UnitInput{ParentID: c.root.ID, Kind: org.KindRegion, Name: fmt.Sprintf("R%d", i)})
			}
			us, err := c.org.FindUnits(as(c.admin), false)
			if err != nil {
				t.Fatal(err)
			}
			if us[0].ID != c.root.ID || us[len(us)-1].ID != last.ID {
				t.Errorf("tree order %v", unitNames(us))
			}
			for i := 1; i < len(us); i++ {
				if us[i].ParentID != 0 && !hasUnit(us[:i], us[i].ParentID) {
					t.Errorf("%s listed before its parent", us[i].Name)
				}
			}
		})

		t.Run("PeopleCountsActiveMembers", func(t *testing.T) {
			u, err := c.org.FindUnitByID(as(c.admin), c.eastTeam.ID)
			if err != nil {
				t.Fatal(err)
			}
			if u.People != 2 {
				t.Errorf("East Team counts %d people, want 2", u.People)
			}
		})
	})
}

func TestService_FindUnitByID(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newCompany(t, d)
		for _, tt := range []struct {
			name string
			as   *org.Person
			unit *org.Unit
			ok   bool
		}{
			{"AdminReadsAnyUnit", c.admin, c.westTeam, true},
			{"SeniorManagerReadsRegion", c.senior, c.west, true},
			{"RegionalManagerReadsOwnTeam", c.eastMgr, c.eastTeam, true},
			{"RegionalManagerReadsCompany", c.eastMgr, c.root, true},
			{"ErrRegionalManagerReadsOtherRegion", c.eastMgr, c.west, false},
			{"ErrRegionalManagerReadsOtherRegionsTeam", c.eastMgr, c.westTeam, false},
			{"RepReadsOwnTeam", c.eastRep, c.eastTeam, true},
			{"ErrRepReadsOtherTeam", c.eastRep, c.westTeam, false},
			{"ErrMarketingReadsRegion", c.marketing, c.east, false},
		} {
			t.Run(tt.name, func(t *testing.T) {
				u, err := c.org.FindUnitByID(as(tt.as), tt.unit.ID)
				if !tt.ok {
					wantErr(t, err, echelon.ENOTFOUND, "unit.not_found")
					return
				}
				if err != nil || u.ID != tt.unit.ID {
					t.Fatalf("got %v, %v", u, err)
				}
			})
		}
		t.Run("ErrUnknown", func(t *testing.T) {
			_, err := c.org.FindUnitByID(as(c.admin), 9999)
			wantErr(t, err, echelon.ENOTFOUND, "unit.not_found")
		})
	})
}
