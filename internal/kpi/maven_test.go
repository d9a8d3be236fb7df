package kpi_test

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/importer"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/settings"
	"github.com/echelonhq/echelon/internal/sheet"
	"github.com/echelonhq/echelon/internal/testorg"
)

// mavenDir is the shared Maven data set, beside the project.
const mavenDir = "../../../shared/datasets/maven-crm-sales-opportunities"

// The levels a Maven figure is kept at: a sales agent (a rep), a manager's
// team ("<office>/<manager>"), a regional office, and the whole company.
const (
	levelRep     = "rep"
	levelTeam    = "team"
	levelOffice  = "office"
	levelCompany = "company"
)

// mavenKey names one raw figure: a subject at a level, in a period address.
type mavenKey struct{ level, name, period string }

// mavenFig is what the raw files say about a subject in a period.
type mavenFig struct{ won, revenue, lost int64 } // revenue in US cents

// mavenRaw is the answer of plain SQL over the raw CSV files.
type mavenRaw struct {
	figs    map[mavenKey]mavenFig
	agents  []string // every sales agent of sales_teams.csv
	teams   []string // "<office>/<manager>"
	offices []string
	periods []string // every month, quarter and year with a closed deal
	empty   []string // months, quarters and years without one
}

// TestMavenKPIsMatchRawSQL imports the Maven data set and checks, for every
// rep, manager's team, regional office and the company, in every month,
// quarter and year with a closed deal, that the won revenue, won deals, lost
// deals and win rate of kpi.Service.Card equal what plain SQL over the raw
// CSV files gives; that periods without closed deals are zero; that reps,
// teams and offices add up to the company; and that the evidence behind one
// rep's quarter matches the card.
func TestMavenKPIsMatchRawSQL(t *testing.T) {
	raw := mavenRawFigures(t)
	files := mavenSheets(t)
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := testorg.System()
		o := org.NewService(d, testorg.Cheap)
		imp := importer.NewService(d, o, crm.NewService(d, nil))

		start := time.Now()
		rep, err := imp.ImportMaven(ctx, files, false)
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
		t.Logf("import: %v", time.Since(start).Round(time.Millisecond))

		// The raw quarters are calendar quarters: the fiscal year must start in January.
		if cal, err := settings.NewService(d).Calendar(ctx); err != nil || cal.StartMonth != time.January {
			t.Fatalf("fiscal calendar %+v (%v): the test needs the default start in January", cal, err)
		}
		refs := mavenRefs(t, ctx, o, raw)
		svc := kpi.NewService(d)
		start = time.Now()
		compared := 0
		bad := 0
		fail := func(format string, args ...any) {
			t.Helper()
			t.Errorf(format, args...)
			if bad++; bad >= 40 {
				t.Fatal("too many mismatches; stopping")
			}
		}
		periods := append(append([]string{}, raw.periods...), raw.empty...)
		for _, at := range periods {
			sums := map[string]mavenFig{} // level → sum of the cards at that level
			for _, k := range refs.keys {
				k.period = at
				card, err := svc.Card(ctx, refs.ref[k.level+":"+k.name], at, "USD")
				if err != nil {
					t.Fatalf("card of %s %q in %s: %v", k.level, k.name, at, err)
				}
				got := cardFig(t, card)
				want := raw.figs[k] // zero when the raw files have no closed deal
				if card.Period != at || card.Currency != "USD" {
					fail("card of %s %q in %s: period %q currency %q", k.level, k.name, at, card.Period, card.Currency)
				}
				if got != want {
					fail("%s %q in %s: won_deals/won_revenue/lost_deals = %d/%d/%d, raw SQL %d/%d/%d",
						k.level, k.name, at, got.won, got.revenue, got.lost, want.won, want.revenue, want.lost)
				}
				checked := 0
				for _, r := range card.Results {
					var w kpi.Value
					switch r.Code {
					case kpi.WonRevenue:
						w = kpi.Value{Num: want.revenue, Den: 1}
					case kpi.WonDeals:
						w = kpi.Value{Num: want.won, Den: 1}
					case kpi.LostDeals:
						w = kpi.Value{Num: want.lost, Den: 1}
					case kpi.WinRate:
						w = kpi.Value{Num: want.won, Den: want.won + want.lost}
					default:
						continue
					}
					checked++
					if r.Value != w {
						fail("%s %q in %s: %s = %d/%d, raw SQL %d/%d", k.level, k.name, at, r.Code, r.Value.Num, r.Value.Den, w.Num, w.Den)
					}
				}
				if checked != 4 {
					t.Fatalf("card of %s %q in %s lacks one of won_revenue, won_deals, lost_deals, win_rate: %+v", k.level, k.name, at, card.Results)
				}
				compared++
				s := sums[k.level]
				sums[k.level] = mavenFig{s.won + got.won, s.revenue + got.revenue, s.lost + got.lost}
			}
			company := sums[levelCompany]
			if want := raw.figs[mavenKey{levelCompany, "", at}]; company != want {
				fail("company in %s: %+v, raw SQL %+v", at, company, want)
			}
			for _, l := range []string{levelRep, levelTeam, levelOffice} {
				if sums[l] != company {
					fail("in %s the %ss add up to %+v, the company card says %+v", at, l, sums[l], company)
				}
			}
		}
		elapsed := time.Since(start)
		t.Logf("%d subjects × %d periods (%d with closed deals, %d without) = %d cards compared in %v (%v a card)",
			len(refs.keys), len(periods), len(raw.periods), len(raw.empty), compared, elapsed.Round(time.Millisecond),
			(elapsed / time.Duration(max(compared, 1))).Round(time.Microsecond))

		// Drill-down: the deals behind one rep's won revenue in a quarter
		// are the card's deals and revenue, all won, in the quarter, theirs.
		at := "2017-Q2"
		agent := mavenBusiest(raw, at)
		ref := refs.ref[levelRep+":"+agent]
		card, err := svc.Card(ctx, ref, at, "USD")
		if err != nil {
			t.Fatal(err)
		}
		got := cardFig(t, card)
		if want := raw.figs[mavenKey{levelRep, agent, at}]; got != want || want.won == 0 {
			t.Fatalf("%s in %s: card %+v, raw SQL %+v", agent, at, got, want)
		}
		var rows int
		for offset := 0; ; offset += 200 {
			ev, err := svc.Evidence(ctx, ref, kpi.WonRevenue, at, "USD", offset, 200)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Count != got.won || ev.Amount != got.revenue || ev.Period != at {
				t.Errorf("evidence of won_revenue for %s in %s: count %d amount %d period %s; card: won_deals %d won_revenue %d",
					agent, at, ev.Count, ev.Amount, ev.Period, got.won, got.revenue)
			}
			for _, r := range ev.Rows {
				if r.Kind != "opportunity" || r.Stage != "won" || r.Owner != agent || r.Currency != "USD" ||
					r.Date < "2017-04-01" || r.Date > "2017-06-30" {
					t.Errorf("evidence row of %s in %s: %+v", agent, at, r)
				}
			}
			rows += len(ev.Rows)
			if !ev.More {
				break
			}
		}
		if int64(rows) != got.won {
			t.Errorf("evidence of won_revenue for %s in %s lists %d deals, card says %d", agent, at, rows, got.won)
		}
		closed, err := svc.Evidence(ctx, ref, kpi.WinRate, at, "USD", 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if closed.Count != got.won+got.lost {
			t.Errorf("evidence of win_rate for %s in %s: %d closed deals, card says %d won + %d lost", agent, at, closed.Count, got.won, got.lost)
		}
	})
}

// cardFig reads won deals, won revenue and lost deals off a card.
func cardFig(t *testing.T, c *kpi.Card) mavenFig {
	t.Helper()
	var f mavenFig
	seen := 0
	for _, r := range c.Results {
		switch r.Code {
		case kpi.WonRevenue:
			f.revenue, seen = r.Value.Num, seen+1
		case kpi.WonDeals:
			f.won, seen = r.Value.Num, seen+1
		case kpi.LostDeals:
			f.lost, seen = r.Value.Num, seen+1
		}
	}
	if seen != 3 {
		t.Fatalf("card of %q in %s lacks won_revenue, won_deals or lost_deals: %+v", c.Subject.Name, c.Period, c.Results)
	}
	return f
}

// mavenBusiest is the agent with the most won deals in the period.
func mavenBusiest(raw *mavenRaw, at string) string {
	best, n := "", int64(-1)
	for _, a := range raw.agents {
		if f := raw.figs[mavenKey{levelRep, a, at}]; f.won > n {
			best, n = a, f.won
		}
	}
	return best
}

// mavenSubjects are the product's subjects for the raw names: keys in a
// stable order and the Ref of each "level:name".
type mavenSubjects struct {
	keys []mavenKey
	ref  map[string]kpi.Ref
}

// mavenRefs finds, through the org service, the person of every agent, the
// team unit of every manager, the unit of every office and the company.
func mavenRefs(t *testing.T, ctx context.Context, o *org.Service, raw *mavenRaw) mavenSubjects {
	t.Helper()
	units, err := o.FindUnits(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]*org.Unit{}
	for _, u := range units {
		byID[u.ID] = u
	}
	s := mavenSubjects{ref: map[string]kpi.Ref{}}
	add := func(level, name string, r kpi.Ref) {
		key := level + ":" + name
		if _, dup := s.ref[key]; dup {
			t.Fatalf("two subjects for %s %q", level, name)
		}
		s.ref[key] = r
	}
	for _, u := range units {
		switch {
		case u.ParentID == 0:
			add(levelCompany, "", kpi.Ref{UnitID: u.ID})
		case byID[u.ParentID] != nil && byID[u.ParentID].ParentID == 0:
			add(levelOffice, u.Name, kpi.Ref{UnitID: u.ID})
		case byID[u.ParentID] != nil:
			add(levelTeam, byID[u.ParentID].Name+"/"+u.Name, kpi.Ref{UnitID: u.ID})
		}
	}
	people, total, err := o.FindPeople(ctx, org.PersonFilter{Role: echelon.RoleRep, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(people) || total != len(raw.agents) {
		t.Fatalf("%d reps in the product (%d listed), %d agents in sales_teams.csv", total, len(people), len(raw.agents))
	}
	for _, p := range people {
		add(levelRep, p.Name, kpi.Ref{PersonID: p.ID})
	}
	s.keys = append(s.keys, mavenKey{level: levelCompany})
	for _, l := range []struct {
		level string
		names []string
	}{{levelOffice, raw.offices}, {levelTeam, raw.teams}, {levelRep, raw.agents}} {
		for _, n := range l.names {
			if _, ok := s.ref[l.level+":"+n]; !ok {
				t.Fatalf("no %s %q in the product after the import", l.level, n)
			}
			s.keys = append(s.keys, mavenKey{level: l.level, name: n})
		}
	}
	if len(s.keys) != len(s.ref) {
		t.Fatalf("the product has %d subjects, the raw files %d: %v", len(s.ref), len(s.keys), s.ref)
	}
	return s
}

// mavenSheets reads the files the way the importer takes them.
func mavenSheets(t *testing.T) map[string]*sheet.Table {
	t.Helper()
	out := map[string]*sheet.Table{}
	for _, name := range importer.MavenFiles() {
		f, err := os.Open(filepath.Join(mavenDir, name))
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

// mavenCSV reads a raw file with encoding/csv, independently of the
// project's readers: the header and the records.
func mavenCSV(t *testing.T, name string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(filepath.Join(mavenDir, name))
	if err != nil {
		t.Skipf("data set not available: %v", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s is empty", name)
	}
	return recs[0], recs[1:]
}

// mavenRawFigures loads the four raw files into an in-memory SQLite database
// and answers with plain GROUP BY queries.
func mavenRawFigures(t *testing.T) *mavenRaw {
	t.Helper()
	sdb, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	sdb.SetMaxOpenConns(1) // one connection: one in-memory database
	t.Cleanup(func() { sdb.Close() })
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := sdb.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	one := func(q string) int64 {
		t.Helper()
		var n int64
		if err := sdb.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	load := func(name, table string, cols []string, value func(col string, v string) (any, error)) {
		t.Helper()
		header, recs := mavenCSV(t, name)
		if strings.Join(header, ",") != strings.Join(cols, ",") {
			t.Fatalf("%s: header %v, want %v", name, header, cols)
		}
		exec(`CREATE TABLE ` + table + ` (` + strings.Join(cols, ", ") + `)`)
		ins := `INSERT INTO ` + table + ` VALUES (?` + strings.Repeat(", ?", len(cols)-1) + `)`
		tx, err := sdb.Begin()
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range recs {
			args := make([]any, len(cols))
			for j, c := range cols {
				if args[j], err = value(c, r[j]); err != nil {
					t.Fatalf("%s line %d: %s: %v", name, i+2, c, err)
				}
			}
			if _, err := tx.Exec(ins, args...); err != nil {
				t.Fatalf("%s line %d: %v", name, i+2, err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	text := func(_, v string) (any, error) { return v, nil }
	load("sales_teams.csv", "teams", []string{"sales_agent", "manager", "regional_office"}, text)
	load("accounts.csv", "accounts", []string{"account", "sector", "year_established", "revenue", "employees", "office_location", "subsidiary_of"}, text)
	load("products.csv", "products", []string{"product", "series", "sales_price"}, text)
	load("sales_pipeline.csv", "pipeline", []string{"opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date", "close_date", "close_value"},
		func(col, v string) (any, error) {
			if col != "close_value" {
				return v, nil
			}
			if v == "" {
				return nil, nil
			}
			// The values are whole dollars; the product keeps cents.
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("close value %q is not a whole number of dollars", v)
			}
			return n, nil
		})

	// The known flaws of the files. The data set's README says 35 agents,
	// 6 managers and 8,800 opportunities; each of sales_teams.csv and
	// sales_pipeline.csv holds one more row, on a last line without a
	// trailing newline (agent Lucas de Paula under manager João Vitor).
	for _, c := range []struct {
		q    string
		want int64
	}{
		{`SELECT COUNT(*) FROM teams`, 35 + 1},
		{`SELECT COUNT(DISTINCT manager) FROM teams`, 6 + 1},
		{`SELECT COUNT(*) FROM pipeline`, 8800 + 1},
		{`SELECT COUNT(DISTINCT opportunity_id) FROM pipeline`, 8800 + 1},
		// 1,425 deals have no account (they still count for their agent),
		// and one names the account "Teste", which accounts.csv lacks.
		{`SELECT COUNT(*) FROM pipeline WHERE account = ''`, 1425},
		{`SELECT COUNT(*) FROM pipeline WHERE account <> '' AND account NOT IN (SELECT account FROM accounts)`, 1},
		{`SELECT COUNT(*) FROM pipeline WHERE account = 'Teste'`, 1},
		// Every deal's agent is in sales_teams.csv; six agents have no deal.
		{`SELECT COUNT(*) FROM pipeline WHERE sales_agent NOT IN (SELECT sales_agent FROM teams)`, 0},
		{`SELECT COUNT(*) FROM teams WHERE sales_agent NOT IN (SELECT sales_agent FROM pipeline)`, 6},
		// A deal without a close date is open (Prospecting, Engaging), and
		// every open deal lacks one; every won deal has a close value.
		{`SELECT COUNT(*) FROM pipeline WHERE (close_date = '') <> (deal_stage IN ('Prospecting', 'Engaging'))`, 0},
		{`SELECT COUNT(*) FROM pipeline WHERE deal_stage NOT IN ('Won', 'Lost', 'Prospecting', 'Engaging')`, 0},
		{`SELECT COUNT(*) FROM pipeline WHERE deal_stage = 'Won' AND close_value IS NULL`, 0},
	} {
		if got := one(c.q); got != c.want {
			t.Errorf("raw files: %s = %d, want %d", c.q, got, c.want)
		}
	}
	if n := one(`SELECT COUNT(*) FROM pipeline WHERE account = '' AND deal_stage IN ('Won', 'Lost')`); n > 0 {
		t.Logf("raw files: %d closed deals without an account (counted for their agent)", n)
	}

	exec(`CREATE VIEW closed AS
		SELECT t.sales_agent AS rep, t.regional_office || '/' || t.manager AS team, t.regional_office AS office, '' AS company,
			substr(p.close_date, 1, 7) AS month,
			substr(p.close_date, 1, 4) || '-Q' || ((CAST(substr(p.close_date, 6, 2) AS INTEGER) + 2) / 3) AS quarter,
			substr(p.close_date, 1, 4) AS year,
			p.deal_stage AS stage, p.close_value AS dollars
		FROM pipeline p JOIN teams t ON t.sales_agent = p.sales_agent
		WHERE p.deal_stage IN ('Won', 'Lost')`)
	raw := &mavenRaw{figs: map[mavenKey]mavenFig{}}
	for _, level := range []string{levelRep, levelTeam, levelOffice, levelCompany} {
		for _, per := range []string{"month", "quarter", "year"} {
			q := `SELECT ` + level + `, ` + per + `, SUM(stage = 'Won'), SUM(CASE WHEN stage = 'Won' THEN dollars * 100 ELSE 0 END), SUM(stage = 'Lost')
				FROM closed GROUP BY ` + level + `, ` + per
			rs, err := sdb.Query(q)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			for rs.Next() {
				var k mavenKey
				var f mavenFig
				if err := rs.Scan(&k.name, &k.period, &f.won, &f.revenue, &f.lost); err != nil {
					t.Fatal(err)
				}
				k.level = level
				raw.figs[k] = f
			}
			if err := rs.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	strs := func(q string) []string {
		t.Helper()
		rs, err := sdb.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rs.Close()
		var out []string
		for rs.Next() {
			var s string
			if err := rs.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	raw.agents = strs(`SELECT sales_agent FROM teams ORDER BY sales_agent`)
	raw.teams = strs(`SELECT DISTINCT regional_office || '/' || manager FROM teams ORDER BY 1`)
	raw.offices = strs(`SELECT DISTINCT regional_office FROM teams ORDER BY 1`)
	raw.periods = strs(`SELECT month FROM closed UNION SELECT quarter FROM closed UNION SELECT year FROM closed ORDER BY 1`)

	// Periods without a closed deal: the months and quarters of the years
	// with closed deals that have none, the month and quarter just before
	// the first and just after the last, and the years either side.
	have := map[string]bool{}
	for _, p := range raw.periods {
		have[p] = true
	}
	var lo, hi string
	if err := sdb.QueryRow(`SELECT MIN(month), MAX(month) FROM closed`).Scan(&lo, &hi); err != nil {
		t.Fatal(err)
	}
	first, err := time.Parse("2006-01", lo)
	if err != nil {
		t.Fatal(err)
	}
	last, err := time.Parse("2006-01", hi)
	if err != nil {
		t.Fatal(err)
	}
	quarter := func(m time.Time) string { return fmt.Sprintf("%d-Q%d", m.Year(), (int(m.Month())+2)/3) }
	candidates := []string{
		first.AddDate(0, -1, 0).Format("2006-01"), last.AddDate(0, 1, 0).Format("2006-01"),
		quarter(first.AddDate(0, -3, 0)), quarter(last.AddDate(0, 3, 0)),
		strconv.Itoa(first.Year() - 1), strconv.Itoa(last.Year() + 1),
	}
	for y := first.Year(); y <= last.Year(); y++ {
		for m := time.January; m <= time.December; m++ {
			month := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
			candidates = append(candidates, month.Format("2006-01"), quarter(month))
		}
	}
	for _, c := range candidates {
		if !have[c] {
			have[c] = true
			raw.empty = append(raw.empty, c)
		}
	}
	sort.Strings(raw.empty)
	if len(raw.periods) == 0 || len(raw.empty) == 0 {
		t.Fatalf("raw files: periods %v, empty periods %v", raw.periods, raw.empty)
	}
	return raw
}
