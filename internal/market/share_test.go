package market_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/market"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/settings"
	"github.com/echelonhq/echelon/internal/testorg"
)

// sizeShares sets the sizes of 2025-Q2 the share tests read: Shanghai
// 1,000,000.00 CNY, Zhejiang 500,000.00 USD (its revenue is in CNY),
// Guangdong 800,000.00 CNY, Beijing 10.00 CNY, segment SMB 5,000,000.00 CNY.
func sizeShares(t *testing.T, f *fixture) {
	t.Helper()
	for _, in := range []market.SizeInput{
		{TerritoryID: f.shanghai.ID, Amount: 1_000_000_00},
		{TerritoryID: f.zhejiang.ID, Amount: 500_000_00, Currency: "USD"},
		{TerritoryID: f.guangdong.ID, Amount: 800_000_00},
		{TerritoryID: f.beijing.ID, Amount: 10_00},
		{Segment: "SMB", Amount: 5_000_000_00},
	} {
		in.Period = "2025-Q2"
		f.set(t, in)
	}
}

// line writes a share as "name currency size revenue deals num/den [other]".
func line(sh *market.Share) string {
	s := fmt.Sprintf("%s %s %d %d %d %d/%d", sh.Name, sh.Currency, sh.Size, sh.Revenue, sh.Deals, sh.Share.Num, sh.Share.Den)
	for _, o := range sh.OtherRevenue {
		s += fmt.Sprintf(" +%s %d (%d)", o.Currency, o.Amount, o.Deals)
	}
	return s
}

func lines(t *testing.T, f *fixture, who *org.Person, at, by string) []string {
	t.Helper()
	rep, err := f.svc.Shares(testorg.As(who), at, by)
	if err != nil {
		t.Fatalf("%s shares %s by %s: %v", who.Name, at, by, err)
	}
	var out []string
	for _, sh := range rep.Shares {
		out = append(out, line(sh))
	}
	sort.Strings(out)
	return out
}

func TestService_SharesAreRevenueOverSizeInEachReadersScope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		sizeShares(t, f)
		var (
			// Shanghai: 300,000 on 30 Jun (the quarter's last day) and 50,000 on 1 Apr (its first); not 100,000 on 1 Jul;
			// the 20,000 USD deal is reported apart, not added; the lost deal counts for nothing.
			shanghai = "Shanghai CNY 100000000 35000000 2 35000000/100000000 +USD 2000000 (1)"
			// Zhejiang's size is in USD and its revenue in CNY: share 0, the CNY revenue reported apart (not 31 Mar's).
			zhejiang  = "Zhejiang USD 50000000 0 0 0/50000000 +CNY 4000000 (1)"
			guangdong = "Guangdong CNY 80000000 20000000 1 20000000/80000000"
			beijing   = "Beijing CNY 1000 0 0 0/1000"
			// SMB, smb and SMB accounts: 300,000 + 50,000 + 200,000.
			smb = "SMB CNY 500000000 55000000 3 55000000/500000000 +USD 2000000 (1)"
		)
		for _, c := range []struct {
			name string
			who  *org.Person
			by   string
			want []string
		}{
			{"AdminByTerritory", f.Admin, market.ByTerritory, []string{beijing, guangdong, shanghai, zhejiang}},
			{"SeniorByTerritory", f.Senior, "", []string{beijing, guangdong, shanghai, zhejiang}},
			{"AdminBySegment", f.Admin, market.BySegment, []string{smb}},
			{"AdminByRegion", f.Admin, market.ByRegion, []string{
				"East CNY 100000000 35000000 2 35000000/100000000 +USD 2000000 (1)",
				"East USD 50000000 0 0 0/50000000 +CNY 4000000 (1)",
				"West CNY 80000000 20000000 1 20000000/80000000",
			}},
			{"EastManagerSeesTheirSubtreesTerritories", f.EastMgr, market.ByTerritory, []string{shanghai, zhejiang}},
			{"EastManagerSeesTheirRegion", f.EastMgr, market.ByRegion, []string{
				"East CNY 100000000 35000000 2 35000000/100000000 +USD 2000000 (1)",
				"East USD 50000000 0 0 0/50000000 +CNY 4000000 (1)",
			}},
			{"RegionalManagerSeesNoSegment", f.EastMgr, market.BySegment, nil},
			{"WestManager", f.WestMgr, market.ByTerritory, []string{guangdong}},
			// A rep's revenue is their own deals: Zhao's 300,000, not Qian's 50,000 in the same territory.
			{"RepSeesTheirTerritoryWithTheirOwnDeals", f.EastRep, market.ByTerritory, []string{
				"Shanghai CNY 100000000 30000000 1 30000000/100000000 +USD 2000000 (1)"}},
			{"AnotherRepInTheSameTerritory", f.EastRep2, market.ByTerritory, []string{
				"Shanghai CNY 100000000 5000000 1 5000000/100000000", zhejiang}},
			{"RepSeesNoRegion", f.EastRep, market.ByRegion, nil},
			{"RepSeesNoSegment", f.WestRep, market.BySegment, nil},
			{"MarketingSeesNothing", f.Marketing, market.ByTerritory, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				if got := lines(t, f, c.who, "2025-Q2", c.by); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
					t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
				}
			})
		}
		t.Run("APeriodWithoutSizesHasNoShares", func(t *testing.T) {
			if got := lines(t, f, f.Admin, "2025-07", market.ByTerritory); got != nil {
				t.Fatalf("July 2025 has no sizes, got %v", got)
			}
		})
		t.Run("ErrBadPeriodOrBy", func(t *testing.T) {
			_, err := f.svc.Shares(testorg.As(f.Admin), "2025-Q0", market.ByTerritory)
			wantErr(t, err, echelon.EINVALID, "period.invalid")
			_, err = f.svc.Shares(testorg.As(f.Admin), "2025-Q2", "province")
			wantErr(t, err, echelon.EINVALID, "market.by_invalid")
		})
	})
}

func TestService_DealsAreTheRecordsBehindAShare(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		sizeShares(t, f)
		ids := func(who *org.Person, filter market.DealFilter) (string, *market.Evidence) {
			t.Helper()
			ev, err := f.svc.Deals(testorg.As(who), filter)
			if err != nil {
				t.Fatalf("%s deals %+v: %v", who.Name, filter, err)
			}
			var days []string
			for _, d := range ev.Deals {
				days = append(days, d.ClosedOn+" "+d.Currency)
			}
			return strings.Join(days, ", "), ev
		}
		key := fmt.Sprint(f.shanghai.ID)
		got, ev := ids(f.Admin, market.DealFilter{Period: "2025-Q2", By: market.ByTerritory, Key: key, Currency: "CNY"})
		if got != "2025-06-30 CNY, 2025-04-01 CNY" || ev.Share.Deals != 2 || ev.More {
			t.Fatalf("Shanghai's CNY deals: %s (share counts %d, more %v)", got, ev.Share.Deals, ev.More)
		}
		if got, ev = ids(f.Admin, market.DealFilter{Period: "2025-Q2", By: market.ByTerritory, Key: key, Currency: "CNY", Limit: 1}); got != "2025-06-30 CNY" || !ev.More {
			t.Fatalf("first page of one: %s more %v", got, ev.More)
		}
		if got, _ = ids(f.EastRep, market.DealFilter{Period: "2025-Q2", By: market.ByTerritory, Key: key}); got != "2025-06-30 CNY" {
			t.Fatalf("Zhao sees %s, want only their own deal", got)
		}
		if got, _ = ids(f.Senior, market.DealFilter{Period: "2025-Q2", By: market.BySegment, Key: "SMB"}); got != "2025-06-30 CNY, 2025-05-01 CNY, 2025-04-01 CNY" {
			t.Fatalf("SMB deals: %s", got)
		}
		if got, _ = ids(f.Admin, market.DealFilter{Period: "2025-Q2", By: market.ByRegion, Key: fmt.Sprint(f.East.ID), Currency: "CNY"}); got != "2025-06-30 CNY, 2025-04-01 CNY" {
			t.Fatalf("East's CNY deals: %s", got)
		}
		if got, _ = ids(f.Admin, market.DealFilter{Period: "2025-Q2", By: market.ByTerritory, Key: fmt.Sprint(f.zhejiang.ID)}); got != "" {
			t.Fatalf("Zhejiang has no USD deal, got %s", got)
		}
		for _, who := range []*org.Person{f.WestMgr, f.WestRep, f.Marketing} {
			_, err := f.svc.Deals(testorg.As(who), market.DealFilter{Period: "2025-Q2", By: market.ByTerritory, Key: key})
			wantErr(t, err, echelon.ENOTFOUND, "market.not_found")
		}
	})
}

func TestService_SharesFollowTheCompanysFiscalCalendar(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		if _, err := settings.NewService(d).SetFiscalStart(testorg.As(f.Admin), 4); err != nil {
			t.Fatal(err)
		}
		// With a fiscal year from April, 2025-Q1 is April to June 2025 and 2025 runs to March 2026.
		q1 := f.set(t, market.SizeInput{Period: "2025-Q1", TerritoryID: f.guangdong.ID, Amount: 400_000_00})
		if q1.FirstMonth != "2025-04" || q1.LastMonth != "2025-06" {
			t.Fatalf("2025-Q1 spans %s–%s", q1.FirstMonth, q1.LastMonth)
		}
		if got := lines(t, f, f.Admin, "2025-Q1", ""); len(got) != 1 || got[0] != "Guangdong CNY 40000000 20000000 1 20000000/40000000" {
			t.Fatalf("got %v", got)
		}
		rep, err := f.svc.Shares(testorg.As(f.Admin), "", "")
		if err != nil || rep.Period != "2025" || rep.FirstMonth != "2025-04" || rep.LastMonth != "2026-03" {
			t.Fatalf("the default period on 10 Jan 2026 is %+v (%v), want fiscal 2025", rep, err)
		}
	})
}
