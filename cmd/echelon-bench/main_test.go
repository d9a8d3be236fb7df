package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/loadtest"
)

// TestQuickRun runs the whole harness at the small size for a few seconds
// per workload, on SQLite and (when configured) PostgreSQL, so it cannot
// rot: every workload of BENCHMARKS.md gets a row with a figure and a
// verdict, W1's counts add up, and the record and table are written.
func TestQuickRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	databases := []string{"sqlite"}
	if os.Getenv(dbtest.PostgresEnv) != "" {
		databases = append(databases, "postgres")
	}
	for _, database := range databases {
		t.Run(database, func(t *testing.T) {
			dir := t.TempDir() // a fresh company each time, so G is measured
			args := []string{"--size", "small", "--db", database, "--dir", dir, "--out", dir, "--duration", "1s", "--overload", "2s",
				"--import-rows", "2000", "--cascades", "3", "--seed", "7"}
			if database == "postgres" {
				args = append(args, "--postgres", dbtest.PostgresDSN(t))
			}
			if err := run(context.Background(), args, io.Discard, testWriter{t}); err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(filepath.Join(dir, "small-"+database+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var rep loadtest.Report
			if err := json.Unmarshal(raw, &rep); err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, w := range rep.Workloads {
				seen[w.ID] = true
				if w.Verdict == "" || w.Target == "" {
					t.Errorf("%s %s: no verdict or target", w.ID, w.Measure)
				}
				if w.ID == "W5" {
					if w.Verdict != loadtest.VerdictNotMeasured || w.Reason == "" {
						t.Errorf("W5: %s without a reason", w.Verdict)
					}
					continue
				}
				if w.ID == "G" && w.Verdict == loadtest.VerdictNotMeasured {
					t.Errorf("G: %s, but the company was new", w.Reason)
				}
				if w.Requests == 0 && w.Value == 0 && w.ID != "G" {
					t.Errorf("%s %s: no figure", w.ID, w.Measure)
				}
				if w.Errors > 0 || w.Hung > 0 {
					t.Errorf("%s %s: %d errors, %d hung", w.ID, w.Measure, w.Errors, w.Hung)
				}
				if w.ID == "W1" && !strings.Contains(w.Measure, "2000 rows") || w.ID == "W4" && strings.Contains(w.Measure, "card") && strings.Contains(w.Measure, "raw SQL") && w.Verdict != loadtest.VerdictMet {
					t.Errorf("%s: %s (%s)", w.ID, w.Measure, w.Verdict)
				}
			}
			for _, id := range []string{"G", "W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "W9"} {
				if !seen[id] {
					t.Errorf("no %s in the report", id)
				}
			}
			if len(rep.Ceilings) != 4 || rep.Machine.Cores < 1 || rep.DatabaseVersion == "" || rep.Data["opportunities"] != 20_000 {
				t.Errorf("report: ceilings %d, machine %+v, version %q, data %v", len(rep.Ceilings), rep.Machine, rep.DatabaseVersion, rep.Data)
			}
			md, err := os.ReadFile(filepath.Join(dir, "small-"+database+".md"))
			if err != nil || !strings.Contains(string(md), "| W9 ") {
				t.Errorf("markdown table: %v\n%s", err, md)
			}
		})
	}
}

// testWriter sends the harness's progress to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
