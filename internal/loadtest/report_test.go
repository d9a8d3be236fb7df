package loadtest_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/echelonhq/echelon/internal/loadtest"
)

func sampleReport() *loadtest.Report {
	return &loadtest.Report{
		Started:         time.Date(2026, 3, 2, 9, 30, 0, 0, time.FixedZone("CST", 8*3600)),
		Size:            "standard",
		Database:        "sqlite",
		DatabaseVersion: "3.50.4",
		Settings:        map[string]string{"synchronous": "NORMAL", "journal_mode": "WAL"},
		Machine: loadtest.Host{CPU: "AMD EPYC 7B13", Cores: 2, MemTotal: 8 << 30, OS: "linux", Arch: "amd64",
			GoVersion: "go1.26.8", Hostname: "bench-1"},
		Data: map[string]int64{"opportunities": 1000000, "accounts": 100000},
		Ceilings: []loadtest.Ceiling{
			{Name: "raw bulk insert", Unit: "rows/s", Value: 98000, Detail: "INSERT … VALUES in 1,000-row batches"},
			{Name: "bare net/http handler", Unit: "req/s", Value: 21456.7},
		},
		Workloads: []loadtest.Workload{
			{ID: "W1", Name: "import 100,000 accounts", Value: 31234.4, Unit: "rows/s", Ceiling: "raw bulk insert",
				Ratio: 0.3187, Target: "≥ 0.2 × raw bulk insert", Verdict: loadtest.Verdict(true)},
			{ID: "W3", Name: "list and search", Measure: "list as rep, 8 clients",
				Latency:    loadtest.Latency{P50: 4213 * time.Microsecond, P95: 12345 * time.Microsecond, P99: 1234567 * time.Microsecond, Max: 2 * time.Second},
				Throughput: 1234.56, Requests: 37000, Target: "p95 ≤ 50 ms", Verdict: loadtest.Verdict(true)},
			{ID: "W4", Name: "dashboard", Measure: "senior manager | quarter",
				Latency:    loadtest.Latency{P50: 80 * time.Millisecond, P95: 130 * time.Millisecond, P99: 150 * time.Millisecond, Max: 151 * time.Millisecond},
				Throughput: 9.87, Target: "p95 ≤ 100 ms", Verdict: loadtest.Verdict(false), Reason: "the roll-up still scans stage history"},
			{ID: "W7", Name: "server memory under W3 load", Target: "resident ≤ 250 MB", Verdict: loadtest.VerdictNotMeasured,
				Reason: "the server ran in another container"},
		},
		Notes: []string{"Reproduce with `go run ./cmd/echelon-bench -size standard`."},
	}
}

func TestReport_Markdown(t *testing.T) {
	const want = "## standard size, sqlite 3.50.4\n" +
		"\n" +
		"Run 2026-03-02 01:30 UTC on AMD EPYC 7B13, 2 cores, 8.0 GiB RAM, linux/amd64, go1.26.8.\n" +
		"Settings: journal_mode=WAL, synchronous=NORMAL.\n" +
		"Rows: accounts 100,000, opportunities 1,000,000.\n" +
		"\n" +
		"### Ceilings\n" +
		"\n" +
		"| ceiling | value | detail |\n" +
		"| --- | ---: | --- |\n" +
		"| raw bulk insert | 98,000 rows/s | INSERT … VALUES in 1,000-row batches |\n" +
		"| bare net/http handler | 21,457 req/s |  |\n" +
		"\n" +
		"### Workloads\n" +
		"\n" +
		"| # | measure | p50 (ms) | p95 (ms) | p99 (ms) | req/s | value | ratio to ceiling | target | verdict |\n" +
		"| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |\n" +
		"| W1 | import 100,000 accounts |  |  |  |  | 31,234 rows/s | 0.32× raw bulk insert | ≥ 0.2 × raw bulk insert | met |\n" +
		"| W3 | list as rep, 8 clients | 4.21 | 12.3 | 1,234.6 | 1,235 |  |  | p95 ≤ 50 ms | met |\n" +
		"| W4 | senior manager \\| quarter | 80.0 | 130.0 | 150.0 | 9.87 |  |  | p95 ≤ 100 ms | not met |\n" +
		"| W7 | server memory under W3 load |  |  |  |  |  |  | resident ≤ 250 MB | not measured |\n" +
		"\n" +
		"- W4 senior manager \\| quarter, not met: the roll-up still scans stage history\n" +
		"- W7 server memory under W3 load, not measured: the server ran in another container\n" +
		"\n" +
		"### Notes\n" +
		"\n" +
		"- Reproduce with `go run ./cmd/echelon-bench -size standard`.\n"
	r := sampleReport()
	got := r.Markdown()
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if again := r.Markdown(); again != got {
		t.Error("two renderings differ")
	}
}

func TestReport_WriteJSON(t *testing.T) {
	r := sampleReport()
	path := filepath.Join(t.TempDir(), "sqlite.json")
	if err := r.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back loadtest.Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Started.Equal(r.Started) {
		t.Errorf("started %v, want %v", back.Started, r.Started)
	}
	back.Started = r.Started
	if !reflect.DeepEqual(&back, r) {
		t.Errorf("read back\n%+v\nwant\n%+v", back, *r)
	}
	var raw struct {
		Workloads []map[string]any `json:"workloads"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw.Workloads[0]["latency"]; ok {
		t.Error("W1 has no latency but the JSON carries one")
	}
	if lat, _ := raw.Workloads[1]["latency"].(map[string]any); lat["p95_ms"] != 12.345 {
		t.Errorf("W3 latency %v, want p95_ms 12.345", raw.Workloads[1]["latency"])
	}
	if err := r.WriteJSON(filepath.Join(t.TempDir(), "missing", "x.json")); err == nil {
		t.Error("write into a missing directory: no error")
	}
}

func TestVerdict(t *testing.T) {
	if loadtest.Verdict(true) != "met" || loadtest.Verdict(false) != "not met" {
		t.Error("verdict words changed")
	}
}
