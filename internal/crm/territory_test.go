package crm_test

import (
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

func noteKeys(a *crm.Account) []string {
	var keys []string
	for _, n := range a.Notes {
		keys = append(keys, n.Key)
	}
	return keys
}

func TestService_Territories(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		mustTerritory := func(in crm.TerritoryInput) *crm.Territory {
			t.Helper()
			tr, err := f.crm.CreateTerritory(system(), in)
			if err != nil {
				t.Fatalf("create territory %s: %v", in.Name, err)
			}
			return tr
		}
		shanghai := mustTerritory(crm.TerritoryInput{Name: "上海", Province: "上海", PersonID: f.eastRep.ID})
		mustTerritory(crm.TerritoryInput{Name: "浙江", Province: "浙江", UnitID: f.east.ID})
		mustTerritory(crm.TerritoryInput{Name: "上海金融", Province: "上海", Industry: "金融", PersonID: f.eastRep2.ID})
		mustTerritory(crm.TerritoryInput{Name: "广东制造 A", Province: "广东", Industry: "制造", PersonID: f.westRep.ID})
		mustTerritory(crm.TerritoryInput{Name: "广东制造 B", Province: "广东", Industry: "制造", UnitID: f.west.ID})

		t.Run("AnUnownedAccountGoesToTheTerritorysPerson", func(t *testing.T) {
			in := crm.AccountInput{Name: "上海一百", Province: "上海", UnitID: f.company.ID}
			got, err := f.crm.CreateAccount(as(f.senior), in)
			if err != nil {
				t.Fatal(err)
			}
			if got.OwnerID != f.eastRep.ID || got.TerritoryID != shanghai.ID {
				t.Fatalf("owner %d territory %d; want %d and %d (notes %v)", got.OwnerID, got.TerritoryID, f.eastRep.ID, shanghai.ID, noteKeys(got))
			}
		})
		t.Run("TheMostSpecificTerritoryWins", func(t *testing.T) {
			got, err := f.crm.CreateAccount(as(f.senior), crm.AccountInput{Name: "上海银行某支行", Province: "上海", Industry: "金融", UnitID: f.company.ID})
			if err != nil {
				t.Fatal(err)
			}
			if got.OwnerID != f.eastRep2.ID {
				t.Fatalf("owner %d, want %d (上海金融 is more specific than 上海)", got.OwnerID, f.eastRep2.ID)
			}
		})
		t.Run("AUnitTerritoryPutsTheAccountInThatPool", func(t *testing.T) {
			got, err := f.crm.CreateAccount(as(f.senior), crm.AccountInput{Name: "杭州某公司", Province: "浙江", UnitID: f.company.ID})
			if err != nil {
				t.Fatal(err)
			}
			if !got.InPool() || got.UnitID != f.east.ID {
				t.Fatalf("owner %d unit %d, want the pool of East (%d)", got.OwnerID, got.UnitID, f.east.ID)
			}
		})
		t.Run("AConflictIsReportedNotGuessed", func(t *testing.T) {
			got, err := f.crm.CreateAccount(as(f.senior), crm.AccountInput{Name: "东莞某工厂", Province: "广东", Industry: "制造", UnitID: f.company.ID})
			if err != nil {
				t.Fatal(err)
			}
			if got.TerritoryID != 0 || !got.InPool() || got.UnitID != f.company.ID {
				t.Fatalf("conflicting territories applied one: territory %d owner %d unit %d", got.TerritoryID, got.OwnerID, got.UnitID)
			}
			if keys := noteKeys(got); len(keys) != 1 || keys[0] != "territory.conflict" {
				t.Fatalf("notes %v, want territory.conflict", keys)
			}
		})
		t.Run("ARepKeepsTheirAccountOutsideTheirTerritoryWithANote", func(t *testing.T) {
			got, err := f.crm.CreateAccount(as(f.westRep), crm.AccountInput{Name: "上海二百", Province: "上海"})
			if err != nil {
				t.Fatal(err)
			}
			if got.OwnerID != f.westRep.ID {
				t.Fatalf("owner %d, want the rep who created it", got.OwnerID)
			}
			if keys := noteKeys(got); len(keys) != 1 || keys[0] != "territory.owner_differs" {
				t.Fatalf("notes %v, want territory.owner_differs", keys)
			}
		})
		t.Run("ScopeAndRights", func(t *testing.T) {
			_, err := f.crm.CreateTerritory(as(f.eastRep), crm.TerritoryInput{Name: "x", Province: "x", PersonID: f.eastRep.ID})
			wantErr(t, err, echelon.EFORBIDDEN, "perm.forbidden")
			_, err = f.crm.CreateTerritory(as(f.eastMgr), crm.TerritoryInput{Name: "x", Province: "x", PersonID: f.westRep.ID})
			wantErr(t, err, echelon.EINVALID, "account.owner_outside")
			_, err = f.crm.CreateTerritory(as(f.eastMgr), crm.TerritoryInput{Name: "x", PersonID: f.eastRep.ID})
			wantErr(t, err, echelon.EINVALID, "territory.no_criteria")
			_, err = f.crm.CreateTerritory(as(f.eastMgr), crm.TerritoryInput{Name: "x", City: "苏州", PersonID: f.eastRep.ID, UnitID: f.east.ID})
			wantErr(t, err, echelon.EINVALID, "territory.assignee")
			mine, err := f.crm.FindTerritories(as(f.eastRep))
			if err != nil {
				t.Fatal(err)
			}
			names := map[string]bool{}
			for _, tr := range mine {
				names[tr.Name] = true
			}
			if !names["上海"] || !names["浙江"] || names["上海金融"] || names["广东制造 A"] {
				t.Fatalf("eastRep sees territories %v; want their own and their units' only", names)
			}
			west, err := f.crm.FindTerritories(as(f.westMgr))
			if err != nil {
				t.Fatal(err)
			}
			for _, tr := range west {
				if tr.Name == "上海" || tr.Name == "浙江" {
					t.Fatalf("westMgr sees East's territory %s", tr.Name)
				}
			}
		})
	})
}
