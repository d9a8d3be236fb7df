package importer_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/importer"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/password"
	"github.com/echelonhq/echelon/internal/sheet"
)

// datasetDir is the shared Maven data set, beside the project.
const datasetDir = "../../../shared/datasets/maven-crm-sales-opportunities"

func loadMaven(t *testing.T) map[string]*sheet.Table {
	t.Helper()
	out := map[string]*sheet.Table{}
	for _, name := range importer.MavenFiles() {
		f, err := os.Open(filepath.Join(datasetDir, name))
		if err != nil {
			t.Skipf("data set not available: %v", err)
		}
		tab, err := sheet.Read(f, name)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[name] = tab
	}
	return out
}

func newService(d *db.DB) (*importer.Service, *crm.Service) {
	o := org.NewService(d, password.Params{Memory: 1024, Time: 1, Threads: 1})
	c := crm.NewService(d, nil)
	return importer.NewService(d, o, c), c
}

func admin() context.Context {
	return echelon.NewContext(context.Background(), echelon.SystemActor("test"))
}

func count(t *testing.T, d *db.DB, q string) int {
	t.Helper()
	var n int
	if err := d.View(context.Background(), func(tx *db.Tx) error { return tx.QueryRow(context.Background(), q).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportMaven_LoadsEveryRowAndReportsEachFlaw(t *testing.T) {
	files := loadMaven(t)
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		svc, _ := newService(d)

		dry, err := svc.ImportMaven(admin(), files, true)
		if err != nil {
			t.Fatal(err)
		}
		if dry.Committed || count(t, d, `SELECT COUNT(*) FROM opportunities`) != 0 {
			t.Fatal("the dry run wrote data")
		}

		rep, err := svc.ImportMaven(admin(), files, false)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Committed {
			for _, p := range rep.Parts {
				for _, r := range p.Results {
					if r.Error != nil {
						t.Errorf("%s line %d: %v", p.File, r.Line, r.Error)
					}
				}
			}
			t.Fatalf("import not committed: %d failed rows", rep.Failed())
		}
		// Expected figures come from the files themselves, read independently
		// (the data set's README says 35 agents, 6 managers and 8,800
		// opportunities; its files hold one more of each on a last line
		// without a trailing newline).
		raw := rawMaven(t)
		want := map[string]int{"sales_teams.csv (manager)": raw.managers, "sales_teams.csv": raw.agents, "products.csv": raw.products,
			"accounts.csv": raw.accounts, "sales_pipeline.csv": raw.opportunities}
		for _, p := range rep.Parts {
			if p.Rows != want[p.File] || p.Created+p.Updated+p.Skipped+p.Failed != p.Rows {
				t.Errorf("%s: rows %d (want %d), created %d updated %d skipped %d failed %d", p.File, p.Rows, want[p.File], p.Created, p.Updated, p.Skipped, p.Failed)
			}
		}
		checks := map[string]int{
			`SELECT COUNT(*) FROM org_units WHERE kind = 'region'`:                                         3,
			`SELECT COUNT(*) FROM org_units WHERE kind = 'team' AND manager_id IS NOT NULL`:                raw.managers,
			`SELECT COUNT(*) FROM people WHERE role = 'rep'`:                                               raw.agents,
			`SELECT COUNT(*) FROM people WHERE role = 'rep' AND manager_id IS NOT NULL`:                    raw.agents,
			`SELECT COUNT(*) FROM products`:                                                                raw.products,
			`SELECT COUNT(*) FROM accounts WHERE industry = 'technology'`:                                  raw.misspeltSector,
			`SELECT COUNT(*) FROM opportunities`:                                                           raw.opportunities,
			`SELECT COUNT(*) FROM opportunities o JOIN stages s ON s.id = o.stage_id WHERE s.code = 'won'`: raw.won,
			`SELECT COUNT(*) FROM opportunities WHERE account_id IS NULL`:                                  raw.noAccount + raw.unknownAccount,
			`SELECT COUNT(*) FROM stage_history`:                                                           raw.opportunities,
		}
		for q, n := range checks {
			if got := count(t, d, q); got != n {
				t.Errorf("%s = %d, want %d", q, got, n)
			}
		}
		// Won revenue is the sum of close_value over Won rows, exactly, in cents.
		if got := count(t, d, `SELECT CAST(COALESCE(SUM(o.amount), 0) AS BIGINT) / 100 FROM opportunities o JOIN stages s ON s.id = o.stage_id WHERE s.code = 'won'`); got != raw.wonRevenue {
			t.Errorf("won revenue = %d USD, want %d", got, raw.wonRevenue)
		}
		notes := map[string]int{}
		for _, p := range rep.Parts {
			for _, r := range p.Results {
				for _, n := range r.Notes {
					notes[n.Key]++
				}
			}
		}
		for key, n := range map[string]int{"import.product_mapped": raw.gtxPro, "import.maven_sector": raw.misspeltSector,
			"import.maven_no_account": raw.noAccount, "import.maven_account_unknown": raw.unknownAccount, "import.maven_lost_reason": raw.lost} {
			if notes[key] != n {
				t.Errorf("note %s on %d rows, want %d", key, notes[key], n)
			}
		}

		again, err := svc.ImportMaven(admin(), files, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range again.Parts {
			if p.Created != 0 || p.Updated != 0 || p.Skipped != p.Rows {
				t.Errorf("re-import of %s: created %d updated %d skipped %d of %d; want all skipped", p.File, p.Created, p.Updated, p.Skipped, p.Rows)
			}
		}
		if got := count(t, d, `SELECT COUNT(*) FROM opportunities`); got != raw.opportunities {
			t.Errorf("re-import duplicated opportunities: %d", got)
		}
	})
}

// mavenFacts are figures read straight from the CSV files with encoding/csv,
// independently of the importer.
type mavenFacts struct {
	agents, managers, products, accounts, opportunities, won, lost int
	noAccount, unknownAccount, gtxPro, misspeltSector, wonRevenue  int
}

func rawMaven(t *testing.T) mavenFacts {
	t.Helper()
	read := func(name string) []map[string]string {
		f, err := os.Open(filepath.Join(datasetDir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]string
		for _, r := range recs[1:] {
			m := map[string]string{}
			for i, h := range recs[0] {
				m[h] = r[i]
			}
			out = append(out, m)
		}
		return out
	}
	var f mavenFacts
	managers := map[string]bool{}
	for _, r := range read("sales_teams.csv") {
		f.agents++
		managers[r["manager"]] = true
	}
	f.managers = len(managers)
	f.products = len(read("products.csv"))
	accounts := map[string]bool{}
	for _, r := range read("accounts.csv") {
		accounts[r["account"]] = true
		if r["sector"] == "technolgy" {
			f.misspeltSector++
		}
	}
	f.accounts = len(accounts)
	for _, r := range read("sales_pipeline.csv") {
		f.opportunities++
		switch {
		case r["account"] == "":
			f.noAccount++
		case !accounts[r["account"]]:
			f.unknownAccount++
		}
		if r["product"] == "GTXPro" {
			f.gtxPro++
		}
		switch r["deal_stage"] {
		case "Won":
			f.won++
			v, err := strconv.Atoi(r["close_value"])
			if err != nil {
				t.Fatal(err)
			}
			f.wonRevenue += v
		case "Lost":
			f.lost++
		}
	}
	return f
}
