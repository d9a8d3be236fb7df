package echelon

import (
	"slices"
	"testing"
)

func TestSplitAddsUpExactlyByLargestRemainder(t *testing.T) {
	cases := []struct {
		name    string
		whole   int64
		weights []int64
		want    []int64
	}{
		{"proportional", 100_00, []int64{1, 3}, []int64{25_00, 75_00}},
		{"remainder to the largest fraction", 10, []int64{1, 1, 1}, []int64{4, 3, 3}},
		{"ties to the earlier part", 1, []int64{5, 5}, []int64{1, 0}},
		{"largest remainder wins over order", 10, []int64{2, 7}, []int64{2, 8}},
		{"no positive weight: evenly", 7, []int64{0, -3, 0}, []int64{3, 2, 2}},
		{"negative weight counts as zero", 9, []int64{-1, 1, 2}, []int64{0, 3, 6}},
		{"huge amounts stay exact", MaxAmount, []int64{MaxAmount, MaxAmount, MaxAmount}, []int64{MaxAmount/3 + 1, MaxAmount / 3, MaxAmount / 3}},
		{"nothing to split into", 5, nil, []int64{}},
	}
	for _, c := range cases {
		got := Split(c.whole, c.weights)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: Split(%d, %v) = %v, want %v", c.name, c.whole, c.weights, got, c.want)
		}
	}
}
