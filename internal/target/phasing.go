package target

import "github.com/echelonhq/echelon"

// phase spreads a year's amount over its months: evenly, like the weights
// (last year's actuals), or by scaling the months it had (manual).
func phase(amount int64, phasing string, current, lastYear []int64) []int64 {
	switch phasing {
	case PhasingSeasonal:
		return echelon.Split(amount, lastYear)
	case PhasingManual:
		return echelon.Split(amount, current)
	}
	return echelon.Split(amount, make([]int64, 12))
}

func sum(v []int64) int64 {
	var s int64
	for _, x := range v {
		s += x
	}
	return s
}
