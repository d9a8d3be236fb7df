package market_test

import (
	"encoding/json"
	"sort"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/market"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/testorg"
)

func TestService_SetFollowsTheRoleAndTheSubtree(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		size := func(tr int64, seg string) market.SizeInput {
			return market.SizeInput{Period: "2025-Q2", TerritoryID: tr, Segment: seg, Amount: 1_000_000_00}
		}
		for _, c := range []struct {
			name      string
			who       *org.Person
			in        market.SizeInput
			code, key string
		}{
			{"AdminSetsATerritory", f.Admin, size(f.guangdong.ID, ""), "", ""},
			{"AdminSetsASegment", f.Admin, size(0, "SMB"), "", ""},
			{"SeniorSetsATerritoryOfAnyRegion", f.Senior, size(f.beijing.ID, ""), "", ""},
			{"SeniorSetsASegment", f.Senior, size(0, "Enterprise"), "", ""},
			{"EastManagerSetsATerritoryOfTheirSubtree", f.EastMgr, size(f.shanghai.ID, ""), "", ""},
			{"EastManagerSetsTheirRegionsTerritory", f.EastMgr, size(f.zhejiang.ID, ""), "", ""},
			{"ErrEastManagerMeetsTheWestAsUnknown", f.EastMgr, size(f.guangdong.ID, ""), echelon.EINVALID, "market.territory_unknown"},
			{"ErrEastManagerMeetsTheCompanysTerritoryAsUnknown", f.EastMgr, size(f.beijing.ID, ""), echelon.EINVALID, "market.territory_unknown"},
			{"ErrWestManagerMeetsTheEastAsUnknown", f.WestMgr, size(f.shanghai.ID, ""), echelon.EINVALID, "market.territory_unknown"},
			{"ErrRegionalManagerMayNotSetASegment", f.WestMgr, size(0, "SMB"), echelon.EFORBIDDEN, "market.segment_forbidden"},
			{"ErrRepMayNotSetEvenTheirOwnTerritory", f.EastRep, size(f.shanghai.ID, ""), echelon.EFORBIDDEN, "perm.forbidden"},
			{"ErrMarketingMayNotSet", f.Marketing, size(0, "SMB"), echelon.EFORBIDDEN, "perm.forbidden"},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, created, err := f.svc.Set(testorg.As(c.who), c.in)
				if c.code != "" {
					wantErr(t, err, c.code, c.key)
					return
				}
				if err != nil || !created || got.Amount != c.in.Amount || got.Currency != "CNY" || got.Version != 1 || got.UpdatedBy != c.who.Name {
					t.Fatalf("got %+v created %v err %v", got, created, err)
				}
			})
		}
	})
}

// snapshot is every stored market size as JSON, to show that a refusal changed nothing.
func snapshot(t *testing.T, f *fixture) string {
	t.Helper()
	all, err := f.svc.Find(testorg.System(), market.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(all)
	return string(b)
}

func TestService_BadInputIsRefusedClearlyAndChangesNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		kept := f.set(t, market.SizeInput{Period: "2025-Q2", TerritoryID: f.shanghai.ID, Amount: 1_000_000_00, Source: "IDC"})
		f.set(t, market.SizeInput{Period: "2025-Q2", TerritoryID: f.shanghai.ID, Amount: 1_000_000_00})
		// That was an update (the source went), so the version is now 2.
		ok := func(mod func(*market.SizeInput)) market.SizeInput {
			in := market.SizeInput{Period: "2025-Q3", TerritoryID: f.shanghai.ID, Amount: 5_00}
			mod(&in)
			return in
		}
		for _, c := range []struct {
			name        string
			in          market.SizeInput
			code, key   string
			field, args string
		}{
			{"ZeroSize", ok(func(in *market.SizeInput) { in.Amount = 0 }), echelon.EINVALID, "market.amount_invalid", "amount", ""},
			{"NegativeSize", ok(func(in *market.SizeInput) { in.Amount = -1 }), echelon.EINVALID, "market.amount_invalid", "amount", ""},
			{"UnknownTerritory", ok(func(in *market.SizeInput) { in.TerritoryID = 999999 }), echelon.EINVALID, "market.territory_unknown", "territory_id", `["999999"]`},
			{"UnknownSegment", ok(func(in *market.SizeInput) { in.TerritoryID, in.Segment = 0, "Aliens" }), echelon.EINVALID, "market.segment_unknown", "segment", `["Aliens"]`},
			{"BothATerritoryAndASegment", ok(func(in *market.SizeInput) { in.Segment = "SMB" }), echelon.EINVALID, "market.one_market", "territory_id", ""},
			{"NeitherTerritoryNorSegment", ok(func(in *market.SizeInput) { in.TerritoryID = 0 }), echelon.EINVALID, "market.one_market", "territory_id", ""},
			{"QuarterFive", ok(func(in *market.SizeInput) { in.Period = "2025-Q5" }), echelon.EINVALID, "period.invalid", "period", `["2025-Q5"]`},
			{"MonthThirteen", ok(func(in *market.SizeInput) { in.Period = "2025-13" }), echelon.EINVALID, "period.invalid", "period", ""},
			{"NoPeriod", ok(func(in *market.SizeInput) { in.Period = " " }), echelon.EINVALID, "field.required", "period", ""},
			{"BadCurrency", ok(func(in *market.SizeInput) { in.Currency = "yuan" }), echelon.EINVALID, "currency.invalid", "currency", ""},
			{"StaleVersionOfTheDuplicate", market.SizeInput{Period: "2025-Q2", TerritoryID: f.shanghai.ID, Amount: 7_00, Version: kept.Version},
				echelon.ECONFLICT, "", "", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := snapshot(t, f)
				_, _, err := f.svc.Set(testorg.As(f.Admin), c.in)
				wantErr(t, err, c.code, c.key)
				e := err.(*echelon.Error)
				if e.Field != c.field || (c.args != "" && jsonOf(e.Args) != jsonOf(jsonArgs(c.args))) {
					t.Errorf("field %q args %v, want %q %s", e.Field, e.Args, c.field, c.args)
				}
				if after := snapshot(t, f); after != before {
					t.Errorf("a refused size changed the stored ones:\n%s\n%s", before, after)
				}
			})
		}
	})
}

func jsonOf(v any) string { b, _ := json.Marshal(v); return string(b) }

func jsonArgs(s string) []any {
	var out []any
	_ = json.Unmarshal([]byte(s), &out)
	return out
}

func TestService_ADuplicateUpdatesTheSizeUnderOptimisticLocking(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		as := testorg.As(f.EastMgr)
		first, created, err := f.svc.Set(as, market.SizeInput{Period: "2025-q2", TerritoryID: f.shanghai.ID, Amount: 900_000_00})
		if err != nil || !created || first.Period != "2025-Q2" || first.FirstMonth != "2025-04" || first.LastMonth != "2025-06" {
			t.Fatalf("first: %+v created %v err %v", first, created, err)
		}
		same, created, err := f.svc.Set(as, market.SizeInput{Period: "2025-Q2", TerritoryID: f.shanghai.ID, Amount: 900_000_00})
		if err != nil || created || same.ID != first.ID || same.Version != 1 {
			t.Fatalf("the same figure again: %+v created %v err %v; want it left at version 1", same, created, err)
		}
		second, created, err := f.svc.Set(as, market.SizeInput{Period: "2025-Q2", TerritoryID: f.shanghai.ID, Amount: 1_000_000_00,
			Source: "survey", Version: first.Version})
		if err != nil || created || second.ID != first.ID || second.Version != 2 || second.Amount != 1_000_000_00 {
			t.Fatalf("update by duplicate: %+v created %v err %v", second, created, err)
		}
		_, _, err = f.svc.Set(as, market.SizeInput{Period: "2025-Q2", TerritoryID: f.shanghai.ID, Amount: 1, Version: first.Version})
		wantErr(t, err, echelon.ECONFLICT, "record.changed")

		t.Run("AnotherCurrencyIsAnotherSize", func(t *testing.T) {
			usd, created, err := f.svc.Set(as, market.SizeInput{Period: "2025-Q2", TerritoryID: f.shanghai.ID, Amount: 100_00, Currency: "usd"})
			if err != nil || !created || usd.ID == first.ID || usd.Currency != "USD" {
				t.Fatalf("USD size: %+v created %v err %v", usd, created, err)
			}
		})
		t.Run("UpdateByID", func(t *testing.T) {
			in := market.SizeInput{Period: "2025-Q2", TerritoryID: f.shanghai.ID, Amount: 1_100_000_00, Version: second.Version}
			got, err := f.svc.Update(as, first.ID, in)
			if err != nil || got.Version != 3 || got.Amount != 1_100_000_00 {
				t.Fatalf("update: %+v %v", got, err)
			}
			_, err = f.svc.Update(as, first.ID, in)
			wantErr(t, err, echelon.ECONFLICT, "record.changed")
			_, err = f.svc.Update(testorg.As(f.WestMgr), first.ID, market.SizeInput{Period: "2025-Q2", TerritoryID: f.guangdong.ID, Amount: 1})
			wantErr(t, err, echelon.ENOTFOUND, "market.not_found")
			_, err = f.svc.Update(testorg.As(f.EastRep), first.ID, in)
			wantErr(t, err, echelon.EFORBIDDEN, "perm.forbidden")
		})
		t.Run("ErrMovingOntoAnotherSizesMarketIsAConflict", func(t *testing.T) {
			other := f.set(t, market.SizeInput{Period: "2025-Q3", TerritoryID: f.shanghai.ID, Amount: 1})
			_, err := f.svc.Update(as, other.ID, market.SizeInput{Period: "2025-Q2", TerritoryID: f.shanghai.ID, Amount: 2})
			wantErr(t, err, echelon.ECONFLICT, "market.duplicate")
		})
	})
}

func TestService_FindShowsEachReaderTheirMarkets(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for _, tr := range []int64{f.shanghai.ID, f.zhejiang.ID, f.guangdong.ID, f.beijing.ID} {
			f.set(t, market.SizeInput{Period: "2025-Q2", TerritoryID: tr, Amount: 1_00})
		}
		f.set(t, market.SizeInput{Period: "2025-Q2", Segment: "smb", Amount: 1_00})
		f.set(t, market.SizeInput{Period: "2025", TerritoryID: f.shanghai.ID, Amount: 4_00})
		for _, c := range []struct {
			name string
			who  *org.Person
			f    market.Filter
			want []string
		}{
			{"Admin", f.Admin, market.Filter{Period: "2025-Q2"}, []string{"Beijing", "Guangdong", "SMB", "Shanghai", "Zhejiang"}},
			{"Senior", f.Senior, market.Filter{Period: "2025-Q2"}, []string{"Beijing", "Guangdong", "SMB", "Shanghai", "Zhejiang"}},
			{"SeniorSegmentsOnly", f.Senior, market.Filter{Period: "2025-Q2", By: market.BySegment}, []string{"SMB"}},
			{"EastManager", f.EastMgr, market.Filter{Period: "2025-Q2"}, []string{"Shanghai", "Zhejiang"}},
			{"WestManager", f.WestMgr, market.Filter{Period: "2025-Q2"}, []string{"Guangdong"}},
			{"RepSeesTheTerritoryTheyOwnAccountsIn", f.EastRep, market.Filter{Period: "2025-Q2"}, []string{"Shanghai"}},
			{"RepSeesEveryTerritoryTheyOwnAnAccountIn", f.EastRep2, market.Filter{Period: "2025-Q2"}, []string{"Shanghai", "Zhejiang"}},
			{"WestRep", f.WestRep, market.Filter{}, []string{"Guangdong"}},
			{"MarketingSeesNone", f.Marketing, market.Filter{}, nil},
			{"EveryPeriodOfOneTerritory", f.Admin, market.Filter{TerritoryID: f.shanghai.ID}, []string{"Shanghai", "Shanghai"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, err := f.svc.Find(testorg.As(c.who), c.f)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, s := range got {
					names = append(names, s.TerritoryName+s.Segment)
				}
				sort.Strings(names) // the database's collation orders names its own way
				if jsonOf(names) != jsonOf(c.want) {
					t.Fatalf("sees %v, want %v", names, c.want)
				}
			})
		}
		_, err := f.svc.Find(testorg.As(f.Admin), market.Filter{Period: "Q2"})
		wantErr(t, err, echelon.EINVALID, "period.invalid")
		_, err = f.svc.Find(testorg.As(f.Admin), market.Filter{By: "planet"})
		wantErr(t, err, echelon.EINVALID, "market.by_invalid")
	})
}
