package market_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/importer"
	"github.com/echelonhq/echelon/internal/market"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/sheet"
	"github.com/echelonhq/echelon/internal/testorg"
)

// importSizes imports a table of market sizes through the real import path as who.
func importSizes(t *testing.T, f *fixture, d *db.DB, who *org.Person, name string, tbl *sheet.Table, dry bool) (*importer.Report, error) {
	t.Helper()
	imp := importer.NewService(d, f.Org.Org, f.crm)
	return imp.Import(testorg.As(who), importer.Request{Entity: importer.MarketSizes, File: name, Table: tbl, DryRun: dry})
}

func csvTable(t *testing.T, text string) *sheet.Table {
	t.Helper()
	tbl, err := sheet.Read(strings.NewReader(text), "sizes.csv")
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// outcome writes a report as its counts and each row's action or error key.
func outcome(rep *importer.Report) string {
	s := fmt.Sprintf("rows %d: %d created, %d updated, %d skipped, %d failed; committed %v;", rep.Rows, rep.Created, rep.Updated,
		rep.Skipped, rep.Failed, rep.Committed)
	for _, r := range rep.Results {
		if r.Error != nil {
			s += fmt.Sprintf(" %d:%s", r.Line, r.Error.Key)
		} else {
			s += fmt.Sprintf(" %d:%s", r.Line, r.Action)
		}
	}
	return s
}

func TestImport_CSVIsAllOrNothingWithAReportPerRow(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		good := "期间,区域,市场规模,币种,来源\n2025-Q2,shanghai,\"1,000,000.00\",CNY,IDC\n2025-Q2," + fmt.Sprint(f.zhejiang.ID) + ",500000,,\n"
		t.Run("ADryRunChecksEveryRowAndWritesNothing", func(t *testing.T) {
			rep, err := importSizes(t, f, d, f.EastMgr, "sizes.csv", csvTable(t, good), true)
			if err != nil {
				t.Fatal(err)
			}
			if got := outcome(rep); got != "rows 2: 2 created, 0 updated, 0 skipped, 0 failed; committed false; 2:created 3:created" {
				t.Fatalf("dry run: %s", got)
			}
			if snapshot(t, f) != "null" {
				t.Fatalf("a dry run wrote %s", snapshot(t, f))
			}
		})
		t.Run("OneBadRowKeepsEveryRowOut", func(t *testing.T) {
			bad := good + strings.Join([]string{
				"2025-Q2,Guangdong,100,CNY,",    // the West: unknown to the East's manager
				"2025-Q2,Shanghai,0,CNY,",       // a second Shanghai CNY row, and zero
				"2025-Q2,Shanghai,12,CNY,",      // named twice in the file
				"2025-Q5,Shanghai,12,USD,",      // no fifth quarter
				"2025-Q2,Atlantis,12,CNY,",      // no such territory
				"2025-Q2,Shanghai,twelve,CNY,",  // not an amount
				"2025-Q2,Shanghai,-12,EUR,",     // negative
				"2025-Q2,,12,CNY,",              // no market
				"2025-Q2,Shanghai,12,renminbi,", // not a currency code
			}, "\n") + "\n"
			before := snapshot(t, f)
			rep, err := importSizes(t, f, d, f.EastMgr, "sizes.csv", csvTable(t, bad), false)
			if err != nil {
				t.Fatal(err)
			}
			want := "rows 11: 2 created, 0 updated, 0 skipped, 9 failed; committed false; 2:created 3:created 4:market.territory_unknown " +
				"5:market.amount_invalid 6:market.duplicate_row 7:period.invalid 8:market.territory_unknown 9:import.amount_invalid " +
				"10:market.amount_invalid 11:market.one_market 12:currency.invalid"
			if got := outcome(rep); got != want {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
			if rep.Created+rep.Updated+rep.Skipped+rep.Failed != rep.Rows {
				t.Fatalf("counts do not add up to the rows: %s", outcome(rep))
			}
			if after := snapshot(t, f); after != before {
				t.Fatalf("a failed import wrote %s", after)
			}
		})
		t.Run("ACommittedImportThenUpdatesAndSkips", func(t *testing.T) {
			rep, err := importSizes(t, f, d, f.EastMgr, "sizes.csv", csvTable(t, good), false)
			if err != nil || !rep.Committed || rep.Created != 2 {
				t.Fatalf("first import: %v %s", err, outcome(rep))
			}
			again := strings.Replace(good, "500000", "600000", 1)
			rep, err = importSizes(t, f, d, f.EastMgr, "sizes.csv", csvTable(t, again), false)
			if err != nil || outcome(rep) != "rows 2: 0 created, 1 updated, 1 skipped, 0 failed; committed true; 2:skipped 3:updated" {
				t.Fatalf("second import: %v %s", err, outcome(rep))
			}
			sizes, err := f.svc.Find(testorg.As(f.EastMgr), market.Filter{Period: "2025-Q2", TerritoryID: f.zhejiang.ID})
			if err != nil || len(sizes) != 1 || sizes[0].Amount != 600_000_00 || sizes[0].Version != 2 || sizes[0].UpdatedBy != f.EastMgr.Name {
				t.Fatalf("Zhejiang after the second import: %+v %v", sizes, err)
			}
		})
		t.Run("ErrARepMayNotImport", func(t *testing.T) {
			_, err := importSizes(t, f, d, f.EastRep, "sizes.csv", csvTable(t, good), true)
			wantErr(t, err, echelon.EFORBIDDEN, "perm.forbidden")
		})
	})
}

func TestImport_XLSXWithSegmentsAndTerritories(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		var buf bytes.Buffer
		rows := [][]string{
			{"2025", "", "smb", "12500000.50", "cny", "Survey"},
			{"2025-05", "Beijing", "", "1000", "USD", ""},
			{"2025", "", "Retail", "1", "", ""},
		}
		if err := sheet.WriteXLSX(&buf, "markets", []string{"period", "territory", "segment", "amount", "currency", "note"}, rows); err != nil {
			t.Fatal(err)
		}
		tbl, err := sheet.Read(&buf, "sizes.xlsx")
		if err != nil {
			t.Fatal(err)
		}
		rep, err := importSizes(t, f, d, f.Senior, "sizes.xlsx", tbl, false)
		if err != nil || outcome(rep) != "rows 3: 2 created, 0 updated, 0 skipped, 1 failed; committed false; 2:created 3:created 4:market.segment_unknown" {
			t.Fatalf("%v %s", err, outcome(rep))
		}
		tbl.Rows = tbl.Rows[:2]
		if rep, err = importSizes(t, f, d, f.Senior, "sizes.xlsx", tbl, false); err != nil || !rep.Committed {
			t.Fatalf("%v %s", err, outcome(rep))
		}
		sizes, err := f.svc.Find(testorg.As(f.Admin), market.Filter{})
		if err != nil || len(sizes) != 2 {
			t.Fatalf("%d sizes, %v", len(sizes), err)
		}
		smb := sizes[1]
		if sizes[0].Segment == "SMB" {
			smb = sizes[0]
		}
		if smb.Segment != "SMB" || smb.Amount != 12_500_000_50 || smb.Currency != "CNY" || smb.Note != "Survey" || smb.Period != "2025" {
			t.Fatalf("segment size %+v", smb)
		}
		t.Run("ErrARegionalManagersSegmentRowFails", func(t *testing.T) {
			rep, err := importSizes(t, f, d, f.WestMgr, "sizes.xlsx", tbl, true)
			if err != nil || !strings.Contains(outcome(rep), "2:market.segment_forbidden 3:market.territory_unknown") {
				t.Fatalf("%v %s", err, outcome(rep))
			}
		})
	})
}
