package loadtest_test

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/echelonhq/echelon/internal/loadtest"
)

func TestStats(t *testing.T) {
	t.Run("NearestRankOf1To100", func(t *testing.T) {
		lat := make([]time.Duration, 100)
		for i := range lat {
			lat[i] = time.Duration(i+1) * time.Millisecond
		}
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(lat), func(i, j int) { lat[i], lat[j] = lat[j], lat[i] })
		first := lat[0]
		got := loadtest.Stats(lat)
		want := loadtest.Latency{P50: 50 * time.Millisecond, P95: 95 * time.Millisecond, P99: 99 * time.Millisecond,
			Max: 100 * time.Millisecond, Mean: 50500 * time.Microsecond}
		if got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
		if lat[0] != first {
			t.Error("Stats reordered its argument")
		}
	})
	t.Run("NearestRankOf10", func(t *testing.T) {
		lat := []time.Duration{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
		got := loadtest.Stats(lat)
		// p50: rank ⌈5⌉ = 5th; p95: ⌈9.5⌉ = 10th; p99: ⌈9.9⌉ = 10th.
		if got.P50 != 5 || got.P95 != 10 || got.P99 != 10 || got.Max != 10 || got.Mean != 5 {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("OneAndNone", func(t *testing.T) {
		if got := loadtest.Stats([]time.Duration{7}); got != (loadtest.Latency{P50: 7, P95: 7, P99: 7, Max: 7, Mean: 7}) {
			t.Errorf("one sample: %+v", got)
		}
		if got := loadtest.Stats(nil); got != (loadtest.Latency{}) {
			t.Errorf("no samples: %+v", got)
		}
	})
}

func TestLatency_JSON(t *testing.T) {
	l := loadtest.Latency{P50: 1500 * time.Microsecond, P95: 12 * time.Millisecond, P99: 40250 * time.Microsecond,
		Max: time.Second, Mean: 2 * time.Millisecond}
	data, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"p50_ms":1.5,"p95_ms":12,"p99_ms":40.25,"max_ms":1000,"mean_ms":2}`
	if string(data) != want {
		t.Errorf("got %s, want %s", data, want)
	}
	var back loadtest.Latency
	if err := json.Unmarshal(data, &back); err != nil || back != l {
		t.Errorf("read back %+v (%v), want %+v", back, err, l)
	}
}
