package loadtest

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"
)

// Latency summarises a set of timings; its JSON gives each figure in
// milliseconds (p50_ms, p95_ms, p99_ms, max_ms, mean_ms).
type Latency struct {
	P50, P95, P99, Max, Mean time.Duration
}

// latencyJSON is Latency as it is written in a report.
type latencyJSON struct {
	P50  float64 `json:"p50_ms"`
	P95  float64 `json:"p95_ms"`
	P99  float64 `json:"p99_ms"`
	Max  float64 `json:"max_ms"`
	Mean float64 `json:"mean_ms"`
}

// Stats summarises lat with exact nearest-rank percentiles (the p-th
// percentile is the smallest value with at least p % of the values at or
// below it), sorting a copy so lat is left as it is. An empty lat gives
// the zero Latency.
func Stats(lat []time.Duration) Latency {
	if len(lat) == 0 {
		return Latency{}
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return Latency{
		P50:  nearestRank(s, 50),
		P95:  nearestRank(s, 95),
		P99:  nearestRank(s, 99),
		Max:  s[len(s)-1],
		Mean: sum / time.Duration(len(s)),
	}
}

// nearestRank is the p-th percentile of sorted: its ⌈p/100 × n⌉-th value.
func nearestRank(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100
	return sorted[max(rank, 1)-1]
}

// MarshalJSON writes l in milliseconds, to the microsecond.
func (l Latency) MarshalJSON() ([]byte, error) {
	return json.Marshal(latencyJSON{P50: ms(l.P50), P95: ms(l.P95), P99: ms(l.P99), Max: ms(l.Max), Mean: ms(l.Mean)})
}

// UnmarshalJSON reads l back from the milliseconds MarshalJSON writes, so a
// stored report can be loaded and compared with a new one.
func (l *Latency) UnmarshalJSON(data []byte) error {
	var j latencyJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return fmt.Errorf("loadtest: read latency: %w", err)
	}
	*l = Latency{P50: fromMs(j.P50), P95: fromMs(j.P95), P99: fromMs(j.P99), Max: fromMs(j.Max), Mean: fromMs(j.Mean)}
	return nil
}

// ms is d in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// fromMs is the duration of m milliseconds.
func fromMs(m float64) time.Duration { return time.Duration(math.Round(m * float64(time.Millisecond))) }
