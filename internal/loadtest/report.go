package loadtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The verdicts a workload can have against its target.
const (
	VerdictMet         = "met"
	VerdictNotMet      = "not met"
	VerdictNotMeasured = "not measured"
)

// Verdict is VerdictMet when ok and VerdictNotMet otherwise.
func Verdict(ok bool) string {
	if ok {
		return VerdictMet
	}
	return VerdictNotMet
}

// Report is one run of the benchmark harness on one database.
type Report struct {
	Started         time.Time         `json:"started"`
	Size            string            `json:"size"`
	Database        string            `json:"database"` // sqlite or postgres
	DatabaseVersion string            `json:"database_version"`
	Settings        map[string]string `json:"settings,omitempty"` // pragmas, pool sizes…
	Machine         Host              `json:"machine"`
	Data            map[string]int64  `json:"data,omitempty"` // rows per table
	Ceilings        []Ceiling         `json:"ceilings,omitempty"`
	Workloads       []Workload        `json:"workloads,omitempty"`
	Notes           []string          `json:"notes,omitempty"`
}

// Ceiling is what the database or server does at the bare minimum in the
// same run, such as {"raw bulk insert", "rows/s", 98000, …}, so a workload
// can be given as a ratio that a noisy machine does not distort.
type Ceiling struct {
	Name   string  `json:"name"`
	Unit   string  `json:"unit"`
	Value  float64 `json:"value"`
	Detail string  `json:"detail,omitempty"`
}

// Workload is one measured line of a workload (W3 has several: list and
// search, as a rep and as the senior manager) and its verdict. Figures
// that do not apply stay zero and are left out of the JSON and Markdown.
type Workload struct {
	ID         string  `json:"id"`                   // "W3"
	Name       string  `json:"name"`                 // the workload
	Measure    string  `json:"measure,omitempty"`    // this line, e.g. "list as rep, 8 clients"
	Latency    Latency `json:"latency,omitzero"`     // of requests or calls
	Throughput float64 `json:"throughput,omitempty"` // requests per second
	Requests   int     `json:"requests,omitempty"`   // requests or calls measured
	Errors     int     `json:"errors,omitempty"`     // of Requests
	Hung       int     `json:"hung,omitempty"`       // of Errors
	Value      float64 `json:"value,omitempty"`      // a figure other than latency, in Unit
	Unit       string  `json:"unit,omitempty"`       // of Value: rows/s, MB, ms…
	Ceiling    string  `json:"ceiling,omitempty"`    // name of the Ceiling Ratio compares with
	Ratio      float64 `json:"ratio,omitempty"`      // Value (or throughput) over the ceiling's
	Target     string  `json:"target,omitempty"`     // e.g. "p95 ≤ 50 ms"
	Verdict    string  `json:"verdict"`              // VerdictMet, VerdictNotMet or VerdictNotMeasured
	Reason     string  `json:"reason,omitempty"`     // why not met or not measured
}

// WriteJSON writes r to path as indented JSON.
func (r *Report) WriteJSON(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("loadtest: encode report: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("loadtest: write report: %w", err)
	}
	return nil
}

// Markdown renders r for docs/benchmarks.md as a level-2 section: what ran
// where, the ceilings, one table of workloads, then the reason of every
// workload that did not meet its target or was not measured. The same
// Report always renders the same text.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s size, %s\n\n", r.Size, strings.TrimSpace(r.Database+" "+r.DatabaseVersion))
	fmt.Fprintf(&b, "Run %s on %s.\n", r.Started.UTC().Format("2006-01-02 15:04 UTC"), r.Machine.line())
	if len(r.Settings) > 0 {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(r.Settings)) {
			kv = append(kv, k+"="+r.Settings[k])
		}
		fmt.Fprintf(&b, "Settings: %s.\n", cell(strings.Join(kv, ", ")))
	}
	if len(r.Data) > 0 {
		var rows []string
		for _, k := range slices.Sorted(maps.Keys(r.Data)) {
			rows = append(rows, k+" "+group(strconv.FormatInt(r.Data[k], 10)))
		}
		fmt.Fprintf(&b, "Rows: %s.\n", strings.Join(rows, ", "))
	}
	if len(r.Ceilings) > 0 {
		b.WriteString("\n### Ceilings\n\n| ceiling | value | detail |\n| --- | ---: | --- |\n")
		for _, c := range r.Ceilings {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", cell(c.Name), cell(number(c.Value)+" "+c.Unit), cell(c.Detail))
		}
	}
	if len(r.Workloads) > 0 {
		b.WriteString("\n### Workloads\n\n")
		b.WriteString("| # | measure | p50 (ms) | p95 (ms) | p99 (ms) | req/s | value | ratio to ceiling | target | verdict |\n")
		b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |\n")
		for _, w := range r.Workloads {
			b.WriteString(w.row())
		}
		var reasons []string
		for _, w := range r.Workloads {
			if w.Verdict == VerdictNotMet || w.Verdict == VerdictNotMeasured {
				reasons = append(reasons, fmt.Sprintf("- %s %s, %s: %s\n", w.ID, cell(w.measure()), w.Verdict, cell(orNone(w.Reason))))
			}
		}
		if len(reasons) > 0 {
			b.WriteString("\n" + strings.Join(reasons, ""))
		}
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n### Notes\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	return b.String()
}

// row is w as a line of the workloads table, empty where a figure does not apply.
func (w Workload) row() string {
	var p50, p95, p99, rps, value, ratio string
	if w.Latency != (Latency{}) {
		p50, p95, p99 = millis(w.Latency.P50), millis(w.Latency.P95), millis(w.Latency.P99)
	}
	if w.Throughput != 0 {
		rps = number(w.Throughput)
	}
	if w.Value != 0 || w.Unit != "" {
		value = strings.TrimSpace(number(w.Value) + " " + w.Unit)
	}
	if w.Ratio != 0 {
		ratio = strings.TrimSpace(number(w.Ratio) + "× " + w.Ceiling)
	}
	cells := []string{w.ID, w.measure(), p50, p95, p99, rps, value, ratio, w.Target, w.Verdict}
	for i, c := range cells {
		cells[i] = cell(c)
	}
	return "| " + strings.Join(cells, " | ") + " |\n"
}

// measure names the line: its Measure, or the workload's Name when it has one line.
func (w Workload) measure() string {
	if w.Measure != "" {
		return w.Measure
	}
	return w.Name
}

// line is h in one sentence for a report's heading.
func (h Host) line() string {
	parts := []string{orElse(h.CPU, "unknown CPU"), fmt.Sprintf("%d cores", h.Cores)}
	if h.MemTotal > 0 {
		parts = append(parts, fmt.Sprintf("%.1f GiB RAM", float64(h.MemTotal)/(1<<30)))
	}
	parts = append(parts, h.OS+"/"+h.Arch, h.GoVersion)
	return strings.Join(parts, ", ")
}

// orElse is s, or alt when s is empty.
func orElse(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// orNone is a reason, or says there was none.
func orNone(reason string) string { return orElse(reason, "no reason recorded") }

// cell makes s safe inside a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\r\n", " ", "\n", " ").Replace(s)
}

// millis formats d in milliseconds: one decimal, two below 10 ms.
func millis(d time.Duration) string {
	m := ms(d)
	if m < 9.995 {
		return group(strconv.FormatFloat(m, 'f', 2, 64))
	}
	return group(strconv.FormatFloat(m, 'f', 1, 64))
}

// number formats v with thousands separators: whole from 100 up, one
// decimal from 10, two below.
func number(v float64) string {
	prec := 2
	switch a := math.Abs(v); {
	case a >= 99.5:
		prec = 0
	case a >= 9.995:
		prec = 1
	}
	return group(strconv.FormatFloat(v, 'f', prec, 64))
}

// group puts a comma between every three digits of the whole part of a formatted number.
func group(s string) string {
	sign := ""
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		sign, s = "-", rest
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}
