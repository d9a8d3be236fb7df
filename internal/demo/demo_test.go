package demo_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/demo"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/password"
	"github.com/echelonhq/echelon/internal/testorg"
	"github.com/echelonhq/echelon/internal/totals"
)

// tiny is small enough for every test run: 2 regions of one team of 3 reps.
var tiny = demo.Size{Name: "tiny", Regions: 2, TeamsPerRegion: 1, RepsPerTeam: 3, Accounts: 60, ContactsPerAccount: 2,
	Opportunities: 400, ActivitiesPerOpportunity: 2}

var now = time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)

func generate(t *testing.T, d *db.DB, seed uint64) *demo.Result {
	t.Helper()
	var progress strings.Builder
	res, err := demo.Generate(context.Background(), d, org.NewService(d, testorg.Cheap), demo.Config{Size: tiny, Seed: seed, Now: now, Progress: &progress})
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	t.Log(progress.String())
	for _, phase := range []string{"organisation", "accounts", "deals", "totals", "targets"} {
		if !strings.Contains(progress.String(), "demo: "+phase) {
			t.Errorf("progress has no line for %s:\n%s", phase, progress.String())
		}
	}
	return res
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.View(context.Background(), func(tx *db.Tx) error { return tx.QueryRow(context.Background(), q, args...).Scan(&n) }); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// checksum hashes what a person sees of the generated company, independent of row ids.
func checksum(t *testing.T, d *db.DB) string {
	t.Helper()
	ctx := context.Background()
	var lines []string
	err := d.View(ctx, func(tx *db.Tx) error {
		for _, q := range []string{
			`SELECT email || '|' || name || '|' || role FROM people`,
			`SELECT name || '|' || COALESCE(credit_code, '') || '|' || province || '|' || status FROM accounts`,
			`SELECT a.name || '|' || c.name || '|' || c.mobile FROM contacts c JOIN accounts a ON a.id = c.account_id`,
			`SELECT o.name || '|' || CAST(o.amount AS TEXT) || '|' || s.code || '|' || p.email FROM opportunities o
				JOIN stages s ON s.id = o.stage_id JOIN people p ON p.id = o.owner_id`,
			`SELECT kind || '|' || subject || '|' || outcome FROM activities`,
		} {
			rows, err := tx.Query(ctx, q)
			if err != nil {
				return err
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					rows.Close()
					return err
				}
				lines = append(lines, s)
			}
			rows.Close()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("checksum: %v", err)
	}
	sort.Strings(lines)
	return fmt.Sprintf("%x", sha256.Sum256([]byte(strings.Join(lines, "\n"))))
}

func TestGenerate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		before := count(t, d, indexCount(d))
		res := generate(t, d, 42)

		// 1 admin, 1 senior manager, 2 regional managers, 6 reps, marketing, product, customer service.
		// Reviews: the 2 regional managers and 6 reps, released.
		want := demo.Result{People: 13, Units: 4, Territories: 9, Products: 12, Accounts: 60, Contacts: 120, Opportunities: 400, Plans: 2, Reviews: 8}
		got := demo.Result{People: res.People, Units: res.Units, Territories: res.Territories, Products: res.Products,
			Accounts: res.Accounts, Contacts: res.Contacts, Opportunities: res.Opportunities, Plans: res.Plans, Reviews: res.Reviews}
		if n := count(t, d, `SELECT COUNT(*) FROM reviews WHERE state IN ('released', 'acknowledged') AND final_rating BETWEEN 1 AND 5 AND potential BETWEEN 1 AND 3`); n != 8 {
			t.Errorf("%d reviews released with a rating and potential, want 8", n)
		}
		if got != want {
			t.Errorf("result %+v, want %+v", got, want)
		}
		for email, who := range map[string]string{res.Admin: "admin/", res.Senior: "senior_manager/senior_manager", res.Regional: "regional_manager/regional_manager",
			res.SeniorRep: "rep/senior_rep", res.MidRep: "rep/mid_rep", res.JuniorRep: "rep/junior_rep"} {
			if n := count(t, d, `SELECT COUNT(*) FROM people p LEFT JOIN levels l ON l.id = p.level_id WHERE p.email = ? AND p.role || '/' || COALESCE(l.code, '') = ?`, email, who); n != 1 {
				t.Errorf("sign-in hint %q is not a %s", email, who)
			}
		}
		for table, n := range map[string]int{"people": 13, "accounts": 60, "contacts": 120, "opportunities": 400,
			"stage_history": res.StageChanges, "activities": res.Activities} {
			if c := count(t, d, `SELECT COUNT(*) FROM `+table); c != n {
				t.Errorf("%s: %d rows, want %d", table, c, n)
			}
		}
		if res.StageChanges < 2*res.Opportunities || res.Activities < res.Opportunities {
			t.Errorf("%d stage changes and %d activities for %d opportunities: too few", res.StageChanges, res.Activities, res.Opportunities)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM people WHERE lang = 'zh-CN' AND password_hash <> '' AND email LIKE ?`, "%@"+demo.EmailDomain); n != 13 {
			t.Errorf("%d people with zh-CN, a password and a demo e-mail, want 13", n)
		}
		var hash string
		if err := d.View(ctx, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, `SELECT password_hash FROM people WHERE role = 'rep' ORDER BY id LIMIT 1`).Scan(&hash)
		}); err != nil {
			t.Fatal(err)
		}
		if ok, err := password.Verify(demo.Password, hash); err != nil || !ok {
			t.Errorf("a rep's password is not %q: %v %v", demo.Password, ok, err)
		}
		levels := count(t, d, `SELECT COUNT(DISTINCT l.code) FROM people p JOIN levels l ON l.id = p.level_id WHERE p.role = 'rep'`)
		if levels != 3 {
			t.Errorf("reps on %d levels, want junior, mid and senior", levels)
		}

		// Every account name is a company with a valid credit code when it has one.
		err := d.View(ctx, func(tx *db.Tx) error {
			rows, err := tx.Query(ctx, `SELECT name, COALESCE(credit_code, '') FROM accounts`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var name, code string
				if err := rows.Scan(&name, &code); err != nil {
					return err
				}
				if !strings.HasSuffix(name, "公司") && !strings.HasSuffix(name, " Co., Ltd.") {
					t.Errorf("account %q is not a company name", name)
				}
				if _, ok := crm.CreditCode(code); code != "" && !ok {
					t.Errorf("account %q: invalid credit code %q", name, code)
				}
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}

		// What the CRM writes with every record is there for every bulk-written one:
		// a creation entry in the audit log, and an account's first ownership row.
		for entity, table := range map[string]string{"account": "accounts", "contact": "contacts", "opportunity": "opportunities", "activity": "activities"} {
			if n := count(t, d, `SELECT COUNT(*) FROM `+table+` x WHERE NOT EXISTS (SELECT 1 FROM audit_log l
				WHERE l.entity = ? AND l.action = 'create' AND l.entity_id = CAST(x.id AS TEXT))`, entity); n != 0 {
				t.Errorf("%d %s without a creation entry in the audit log", n, table)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM accounts a WHERE (SELECT COUNT(*) FROM account_ownership o WHERE o.account_id = a.id AND o.action = 'create') <> 1`); n != 0 {
			t.Errorf("%d accounts without exactly one creation in their ownership history", n)
		}
		// The bulk load built the indexes again, and a record made through
		// the services afterwards gets a fresh id.
		if n := count(t, d, indexCount(d)); n != before {
			t.Errorf("%d indexes after the demo, %d before", n, before)
		}

		// Every deal's stage is the last one its history entered.
		if n := count(t, d, `SELECT COUNT(*) FROM opportunities o WHERE o.stage_id <> (SELECT h.to_stage_id FROM stage_history h
			WHERE h.opportunity_id = o.id ORDER BY h.changed_at DESC, h.id DESC LIMIT 1)`); n != 0 {
			t.Errorf("%d opportunities whose stage is not the last in their history", n)
		}
		// Nothing happens after now: the latest stage change, activity and close.
		for _, q := range []string{`SELECT changed_at FROM stage_history ORDER BY changed_at DESC LIMIT 1`,
			`SELECT at FROM activities ORDER BY at DESC LIMIT 1`, `SELECT closed_on FROM opportunities WHERE closed_on IS NOT NULL ORDER BY closed_on DESC LIMIT 1`} {
			var last time.Time
			if err := d.View(ctx, func(tx *db.Tx) error { return tx.QueryRow(ctx, q).Scan(&last) }); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if last.After(now) || last.Before(now.AddDate(0, -1, 0)) {
				t.Errorf("%s: %v, want within the month before %v", q, last, now)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM org_units WHERE id = 1 AND name = ?`, demo.CompanyName); n != 1 {
			t.Error("the company unit is not named after the demo company")
		}
		won := count(t, d, `SELECT COUNT(*) FROM opportunities o JOIN stages s ON s.id = o.stage_id WHERE s.outcome = 'won'`)
		lost := count(t, d, `SELECT COUNT(*) FROM opportunities o JOIN stages s ON s.id = o.stage_id WHERE s.outcome = 'lost'`)
		if won < 40 || lost < 2*won/3 || won+lost > 400 {
			t.Errorf("%d won and %d lost of 400 deals: not a plausible pipeline", won, lost)
		}
		// Skewed sizes: the largest deal is many times the median.
		var amounts []int
		_ = d.View(ctx, func(tx *db.Tx) error {
			rows, err := tx.Query(ctx, `SELECT amount FROM opportunities ORDER BY amount`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var a int
				_ = rows.Scan(&a)
				amounts = append(amounts, a)
			}
			return nil
		})
		if len(amounts) != 400 || amounts[399] < 5*amounts[200] {
			t.Errorf("deal sizes not skewed: median %d, largest %d", amounts[200], amounts[399])
		}
		// Seasonality: with a fiscal year from January, more than a third of closes fall in a quarter's last month.
		closedQ := count(t, d, `SELECT COUNT(*) FROM opportunities WHERE closed_on IS NOT NULL`)
		var ends int
		_ = d.View(ctx, func(tx *db.Tx) error {
			rows, err := tx.Query(ctx, `SELECT closed_on FROM opportunities WHERE closed_on IS NOT NULL`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var c time.Time
				_ = rows.Scan(&c)
				if c.Month()%3 == 0 {
					ends++
				}
			}
			return nil
		})
		if ends*100 < 45*closedQ {
			t.Errorf("%d of %d closes in a quarter's last month: no seasonality", ends, closedQ)
		}

		// The totals equal a recomputation from the records.
		err = d.View(ctx, func(tx *db.Tx) error {
			kept, err := totals.Stored(ctx, tx)
			if err != nil {
				return err
			}
			want, err := totals.Recompute(ctx, tx)
			if err != nil {
				return err
			}
			if len(kept) == 0 || !reflect.DeepEqual(kept, want) {
				t.Errorf("stored totals (%d) differ from a recomputation (%d)", len(kept), len(want))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Every territory's market is sized for the last and this fiscal
		// year; satisfaction surveys followed recent wins, most answered 1–5.
		if n := count(t, d, `SELECT COUNT(*) FROM market_sizes`); n != 2*res.Territories || res.MarketSizes != n {
			t.Errorf("%d market sizes (result %d), want 2 × %d territories", n, res.MarketSizes, res.Territories)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM surveys s JOIN opportunities o ON o.id = s.opportunity_id JOIN stages st ON st.id = o.stage_id
			WHERE st.outcome = 'won'`); n == 0 || n != res.Surveys {
			t.Errorf("%d surveys of won deals, result %d", n, res.Surveys)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM surveys WHERE answered_at IS NOT NULL AND score BETWEEN 1 AND 5`); n != res.Answered || n*2 < res.Surveys {
			t.Errorf("%d surveys answered with a score (result %d) of %d", n, res.Answered, res.Surveys)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM target_plans WHERE state = 'approved' AND metric = 'won_revenue'`); n != 2 {
			t.Errorf("%d approved won-revenue plans, want 2 (last and current fiscal year)", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM targets WHERE person_id IS NOT NULL AND amount > 0`); n != 12 {
			t.Errorf("%d rep targets set, want 6 reps × 2 plans", n)
		}

		// A second run on the same database is refused, and nothing changes.
		sum := checksum(t, d)
		if _, err := demo.Generate(ctx, d, org.NewService(d, testorg.Cheap), demo.Config{Size: tiny, Seed: 42, Now: now}); !errors.Is(err, demo.ErrNotEmpty) {
			t.Errorf("second run: %v, want ErrNotEmpty", err)
		}
		if checksum(t, d) != sum || count(t, d, `SELECT COUNT(*) FROM people`) != 13 {
			t.Error("the refused run changed the database")
		}

		// The same seed gives the same company in another database; another seed another one.
		other := dbtest.SQLite(t)
		if d.Dialect == db.Postgres {
			other = dbtest.Postgres(t)
		}
		again := generate(t, other, 42)
		if *again != *res || checksum(t, other) != sum {
			t.Errorf("same seed, different company: %+v vs %+v", again, res)
		}
		third := dbtest.SQLite(t)
		generate(t, third, 43)
		if checksum(t, third) == sum {
			t.Error("another seed gave the same company")
		}
	})
}

// indexCount counts the database's indexes.
func indexCount(d *db.DB) string {
	if d.Dialect == db.Postgres {
		return `SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema()`
	}
	return `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'`
}

func TestSizes(t *testing.T) {
	s, ok := demo.SizeNamed("small")
	if !ok || s.Regions*s.TeamsPerRegion*s.RepsPerTeam+s.Regions+5 < 45 || s.Accounts != 2000 || s.Opportunities != 20_000 {
		t.Errorf("small: %+v, %v", s, ok)
	}
	// The sizes of shared/BENCHMARKS.md.
	for name, want := range map[string][4]int{"standard": {500, 100_000, 300_000, 1_000_000}, "large": {5_000, 1_000_000, 3_000_000, 10_000_000}} {
		s, ok := demo.SizeNamed(name)
		got := [4]int{s.Regions * s.TeamsPerRegion * s.RepsPerTeam, s.Accounts, s.Accounts * s.ContactsPerAccount, s.Opportunities}
		if !ok || got != want || s.ActivitiesPerOpportunity != 2 {
			t.Errorf("%s: reps, accounts, contacts, opportunities %v, want %v (%+v)", name, got, want, s)
		}
	}
	if s, _ := demo.SizeNamed("standard"); s.Regions != 20 {
		t.Errorf("standard: %d regional managers, want 20", s.Regions)
	}
	if _, ok := demo.SizeNamed("huge"); ok {
		t.Error("an unknown size was accepted")
	}
	d := dbtest.SQLite(t)
	_, err := demo.Generate(context.Background(), d, org.NewService(d, testorg.Cheap), demo.Config{Size: demo.Size{Regions: 99}})
	if err == nil {
		t.Error("an impossible size was accepted")
	}
}
