// Command echelon-bench measures the workloads of shared/BENCHMARKS.md
// (W1–W9) against the real server over HTTP on 127.0.0.1, on SQLite or
// PostgreSQL, beside the ceilings of the same machine measured in the same
// run, and writes the results as JSON and a markdown table.
//
//	go run ./cmd/echelon-bench --size standard --db sqlite
//	go run ./cmd/echelon-bench --size standard --db postgres --postgres postgres://…
//
// It generates the demo company of the size into its own database (or
// reuses it), builds and starts the echelon binary on a free port, signs
// people in, loads each workload with concurrent clients for a bounded
// time, and stops everything by itself.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/demo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "echelon-bench:", err)
		}
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	size       demo.Size
	database   string // sqlite or postgres
	postgres   string
	dir, out   string
	seed       uint64
	duration   time.Duration // each loaded workload
	overload   time.Duration // W9
	importRows int           // W1
	cascades   int           // W6
	only       map[string]bool
	profile    bool // CPU profiles of the server per workload, into dir/profiles
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("echelon-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	size := fs.String("size", "standard", "demo company size: small, standard or large")
	fs.StringVar(&o.database, "db", "sqlite", "database: sqlite or postgres")
	fs.StringVar(&o.postgres, "postgres", envOr("ECHELON_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"),
		"PostgreSQL URL; the data goes into a schema bench_<size>_seed<N> unless the URL sets search_path [ECHELON_TEST_POSTGRES]")
	fs.StringVar(&o.dir, "dir", "bench-data", "where the SQLite databases, the built binary and the server log go")
	fs.StringVar(&o.out, "out", "docs/bench", "where the JSON record and the markdown table are written")
	fs.Uint64Var(&o.seed, "seed", 1, "demo company seed")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each loaded workload runs")
	fs.DurationVar(&o.overload, "overload", 30*time.Second, "how long W9 runs")
	fs.IntVar(&o.importRows, "import-rows", 100_000, "rows W1 imports")
	fs.IntVar(&o.cascades, "cascades", 20, "how many times W6 re-cascades")
	only := fs.String("only", "", "run only these workloads, e.g. W3,W4 (W7 comes with W3)")
	fs.BoolVar(&o.profile, "profile", false, "take a CPU profile of the server during each workload into <dir>/profiles")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if *only != "" {
		o.only = map[string]bool{}
		for _, id := range strings.Split(*only, ",") {
			o.only[strings.ToUpper(strings.TrimSpace(id))] = true
		}
	}
	s, ok := demo.SizeNamed(*size)
	if !ok {
		return o, fmt.Errorf("unknown size %q: use small, standard or large", *size)
	}
	o.size = s
	if o.database != "sqlite" && o.database != "postgres" {
		return o, fmt.Errorf("unknown database %q: use sqlite or postgres", o.database)
	}
	if o.duration <= 0 || o.overload <= 0 || o.importRows < 100 || o.cascades < 1 {
		return o, errors.New("durations must be positive, import-rows at least 100, cascades at least 1")
	}
	return o, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// dsn is where the size's demo company lives: an SQLite file in dir, or a
// schema of its own on PostgreSQL (created when missing) unless the
// PostgreSQL URL already chooses one with search_path.
func (o options) dsn(ctx context.Context) (string, error) {
	name := fmt.Sprintf("%s_seed%d", o.size.Name, o.seed)
	if o.database == "sqlite" {
		return filepath.Abs(filepath.Join(o.dir, "bench_"+name+".db"))
	}
	u, err := url.Parse(o.postgres)
	if err != nil {
		return "", fmt.Errorf("postgres URL: %w", err)
	}
	if u.Query().Get("search_path") != "" {
		return o.postgres, nil
	}
	base, err := db.Open(ctx, o.postgres)
	if err != nil {
		return "", err
	}
	defer base.Close()
	schema := "bench_" + name
	if err := base.Tx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+schema)
		return err
	}); err != nil {
		return "", fmt.Errorf("create schema %s: %w", schema, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return err
	}
	rep, err := measure(ctx, o, stderr)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	base := filepath.Join(o.out, o.size.Name+"-"+o.database)
	if o.only != nil { // a partial run keeps the full run's record
		base += "-only-" + strings.Join(slices.Sorted(maps.Keys(o.only)), "-")
	}
	if err := rep.WriteJSON(base + ".json"); err != nil {
		return err
	}
	md := rep.Markdown()
	if err := os.WriteFile(base+".md", []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Fprint(stdout, md)
	return nil
}

// say tells the terminal what the harness is doing.
func say(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "echelon-bench: "+format+"\n", args...)
}

// generate fills dsn with the size's demo company through the echelon
// binary, unless it already holds one; it returns how long that took (0
// when reused).
func generate(ctx context.Context, bin, dsn string, o options, d *db.DB, progress io.Writer) (time.Duration, error) {
	var opps int
	if err := d.View(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT id FROM opportunities LIMIT ?) o`, o.size.Opportunities).Scan(&opps)
	}); err != nil {
		return 0, err
	}
	if opps == o.size.Opportunities {
		say(progress, "reusing the %s company in %s", o.size.Name, redact(dsn))
		return 0, nil
	}
	say(progress, "generating the %s company (seed %d) into %s", o.size.Name, o.seed, redact(dsn))
	cmd := exec.CommandContext(ctx, bin, "demo", "--db", dsn, "--size", o.size.Name, "--seed", fmt.Sprint(o.seed))
	cmd.Stdout, cmd.Stderr = progress, progress
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("generate the demo company (an interrupted run leaves a partial one: delete it): %w", err)
	}
	return time.Since(start), nil
}

// redact hides a URL's password.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return strings.Replace(dsn, u.User.String()+"@", u.User.Username()+"@", 1)
	}
	return dsn
}
