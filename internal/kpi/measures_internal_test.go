package kpi

import (
	"slices"
	"testing"

	"github.com/echelonhq/echelon/internal/totals"
)

// TestLibraryReadsOnlyLibraryMeasures: cards and scorecards load only
// libraryMeasures, so every KPI of the library must come out the same
// from those as from every measure the totals keep. A KPI that starts
// reading another measure fails here until the list names it.
func TestLibraryReadsOnlyLibraryMeasures(t *testing.T) {
	every := []string{totals.Won, totals.WonSeries, totals.WonArea, totals.Lost, totals.Open, totals.NewCustomer, totals.Activity, totals.Entered}
	var all, loaded Figures
	for i, m := range every {
		for _, dim := range []string{"", "proposal", "call"} {
			row := totals.Total{Key: totals.Key{Measure: m, Dim: dim, Currency: "CNY"},
				Value: totals.Value{N: int64(3 + i), Amount: int64(1000 * (i + 1)), Extra: int64(500 * (i + 1))}}
			all = append(all, row)
			if slices.Contains(libraryMeasures, m) {
				loaded = append(loaded, row)
			}
		}
	}
	csat := totals.Total{Key: totals.Key{Measure: measureCSAT}, Value: totals.Value{N: 4, Amount: 17}} // surveys are loaded beside the totals
	all, loaded = append(all, csat), append(loaded, csat)
	for _, code := range Codes() {
		d, _ := Find(code)
		if got, want := d.Value(loaded, "CNY"), d.Value(all, "CNY"); got != want {
			t.Errorf("%s: %+v from the library's measures, %+v from all of them", code, got, want)
		}
	}
}
