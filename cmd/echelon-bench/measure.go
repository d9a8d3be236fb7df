package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/demo"
	"github.com/echelonhq/echelon/internal/loadtest"
)

// measure runs the whole benchmark for o and returns its report.
func measure(ctx context.Context, o options, progress io.Writer) (rep *loadtest.Report, err error) {
	host, herr := loadtest.Machine()
	rep = &loadtest.Report{Started: time.Now().UTC(), Size: o.size.Name, Database: o.database, Machine: host}
	if herr != nil {
		rep.Notes = append(rep.Notes, herr.Error())
	}
	say(progress, "building the echelon binary")
	bin, err := buildServer(ctx, o.dir)
	if err != nil {
		return nil, err
	}
	dsn, err := o.dsn(ctx)
	if err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	if err := d.Migrate(ctx); err != nil {
		return nil, err
	}
	took, err := generate(ctx, bin, dsn, o, d, progress)
	if err != nil {
		return nil, err
	}
	b := &bench{opt: o, d: d, ceil: map[string]float64{}, report: rep}
	if o.only == nil || took > 0 { // a partial run on reused data has nothing to say of G
		b.generated(took)
	}
	if err := b.describe(ctx); err != nil {
		return nil, err
	}
	say(progress, "measuring the ceilings")
	if err := b.ceilings(ctx); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(o.dir, "server-"+o.size.Name+"-"+o.database+".log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	b.srv = &server{bin: bin, dsn: dsn, log: logf, debug: o.profile}
	if _, err := b.srv.start(ctx); err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, b.srv.stop()) }()
	if err := b.signIn(ctx); err != nil {
		return nil, err
	}
	pool := db.Readers // SQLite's readers (writes go through one more connection)
	if d.Dialect == db.Postgres {
		pool = db.PostgresConns() // the server's, on the same machine
	}
	steps := []struct {
		id, name string
		fn       func(context.Context) error
	}{
		{"W1", "import", b.w1Import}, {"W2", "writes", b.w2Writes}, {"W3", "lists (and W7 memory)", b.w3Lists}, {"W4", "rollups", b.w4Rollups},
		{"W5", "commission run", b.w5Commissions}, {"W6", "cascade", b.w6Cascade}, {"W8", "start-up", b.w8Startup}, {"W9", "overload", func(ctx context.Context) error { return b.w9Overload(ctx, pool) }},
	}
	for _, s := range steps {
		if o.only != nil && !o.only[s.id] {
			continue
		}
		say(progress, "%s %s", s.id, s.name)
		if err := s.fn(ctx); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(rep.Workloads, func(i, j int) bool { return rep.Workloads[i].ID < rep.Workloads[j].ID })
	return rep, nil
}

// w5Commissions records W5 as not measured: there is no commission run to measure.
func (b *bench) w5Commissions(context.Context) error {
	b.report.Workloads = append(b.report.Workloads, loadtest.Workload{ID: "W5", Name: "commission run", Measure: "one quarter, 500 reps, tiered plans",
		Target: "≤ 3 × the raw aggregate; settled periods never change", Verdict: loadtest.VerdictNotMeasured,
		Reason: "commissions are not built yet (no issue has asked for them so far)"})
	return nil
}

// generated records how long the demo company took to generate; 0 means
// an earlier run's company was reused, so there is nothing to measure.
func (b *bench) generated(took time.Duration) {
	s := took.Seconds()
	wl := loadtest.Workload{ID: "G", Name: "generate the demo company", Measure: fmt.Sprintf("%s size, seed %d", b.opt.size.Name, b.opt.seed), Value: s, Unit: "s"}
	if took == 0 {
		wl.Verdict, wl.Target = loadtest.VerdictNotMeasured, "—"
		wl.Reason = "an earlier run's company was reused: delete it to measure the generation"
		b.report.Workloads = append(b.report.Workloads, wl)
		return
	}
	if b.opt.size.Name == demo.Standard.Name && b.opt.database == "sqlite" {
		b.add(wl, "≤ 120 s", s <= 120, fmt.Sprintf("%.0f s", s))
		return
	}
	wl.Verdict = loadtest.VerdictMet
	wl.Target = "—"
	b.report.Workloads = append(b.report.Workloads, wl)
}

// describe fills the report's versions, settings and row counts.
func (b *bench) describe(ctx context.Context) error {
	r := b.report
	return b.d.View(ctx, func(tx *db.Tx) error {
		if b.d.Dialect == db.Postgres {
			r.Settings = map[string]string{"pool": fmt.Sprint(db.PostgresConns())}
			if err := tx.QueryRow(ctx, `SHOW server_version`).Scan(&r.DatabaseVersion); err != nil {
				return err
			}
		} else {
			r.Settings = map[string]string{"journal_mode": "WAL", "synchronous": "NORMAL", "busy_timeout": "10 s", "foreign_keys": "on",
				"writers": "1", "readers": fmt.Sprint(db.Readers)}
			if err := tx.QueryRow(ctx, `SELECT sqlite_version()`).Scan(&r.DatabaseVersion); err != nil {
				return err
			}
		}
		r.Data = map[string]int64{}
		for _, t := range []string{"people", "accounts", "contacts", "opportunities", "stage_history", "activities", "sales_totals", "audit_log"} {
			var n int64
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM `+t).Scan(&n); err != nil {
				return fmt.Errorf("count %s: %w", t, err)
			}
			r.Data[t] = n
		}
		return nil
	})
}

// ceilings measures what the same database and HTTP stack do at the bare minimum.
func (b *bench) ceilings(ctx context.Context) error {
	var owner, unit int64
	if err := b.d.View(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT id, org_unit_id FROM people WHERE role = 'rep' ORDER BY id LIMIT 1`).Scan(&owner, &unit)
	}); err != nil {
		return fmt.Errorf("ceilings: a rep: %w", err)
	}
	bulk, err := bulkInsertRate(ctx, b.d, b.opt.importRows, owner, unit)
	if err != nil {
		return err
	}
	commits, err := commitRate(ctx, b.d, min(b.opt.duration, 3*time.Second))
	if err != nil {
		return err
	}
	var runs []time.Duration
	for range 3 {
		t, err := groupBy(ctx, b.d)
		if err != nil {
			return err
		}
		runs = append(runs, t)
	}
	grp := loadtest.Stats(runs).P50
	bare, err := bareHTTP(ctx, 8, min(b.opt.duration, 3*time.Second))
	if err != nil {
		return err
	}
	b.ceil[ceilBulk], b.ceil[ceilCommit], b.ceil[ceilGroupBy], b.ceil[ceilHTTP] = bulk, commits, ms(grp), bare.Throughput
	b.report.Ceilings = []loadtest.Ceiling{
		{Name: ceilBulk, Unit: "rows/s", Value: bulk, Detail: fmt.Sprintf("%d accounts, 500-row INSERTs, one transaction (rolled back)", b.opt.importRows)},
		{Name: ceilCommit, Unit: "commits/s", Value: commits, Detail: "one-row transactions back to back, one client"},
		{Name: ceilGroupBy, Unit: "ms", Value: ms(grp), Detail: "revenue per person, stage and month over every opportunity (median of 3)"},
		{Name: ceilHTTP, Unit: "req/s", Value: bare.Throughput, Detail: fmt.Sprintf("8 clients, p50 %.2f ms, p99 %.2f ms", ms(bare.Latency.P50), ms(bare.Latency.P99))},
	}
	return nil
}

// signIn signs in the administrator, the senior manager and up to 8 reps
// who own accounts, with the demo password.
func (b *bench) signIn(ctx context.Context) error {
	var senior string
	type person struct {
		id    int64
		email string
	}
	var reps []person
	err := b.d.View(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT email FROM people WHERE role = 'senior_manager' AND active ORDER BY id LIMIT 1`).Scan(&senior); err != nil {
			return fmt.Errorf("the senior manager: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT p.id, p.email FROM people p WHERE p.role = 'rep' AND p.active
			AND EXISTS (SELECT 1 FROM accounts a WHERE a.owner_id = p.id) ORDER BY p.id LIMIT 8`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p person
			if err := rows.Scan(&p.id, &p.email); err != nil {
				return err
			}
			reps = append(reps, p)
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	if len(reps) < 4 {
		return fmt.Errorf("sign in: %d reps own accounts, the workloads need 4", len(reps))
	}
	if b.admin, err = signIn(ctx, b.srv, "admin@"+demo.EmailDomain, demo.Password); err != nil {
		return err
	}
	if b.senior, err = signIn(ctx, b.srv, senior, demo.Password); err != nil {
		return err
	}
	for _, p := range reps {
		a, err := signIn(ctx, b.srv, p.email, demo.Password)
		if err != nil {
			return err
		}
		b.reps, b.repIDs = append(b.reps, a), append(b.repIDs, p.id)
	}
	return nil
}
