package echelon

import (
	"math/big"
	"sort"
)

// Split divides whole by weights with the largest-remainder method: each
// part is the floor of its exact share, and the units left over go one each
// to the parts with the largest remainders (ties to the earlier part), so
// the parts always add up to the whole, exactly. Negative weights count as
// zero; with no positive weight the whole is split evenly. This is the
// rounding rule wherever an amount is divided (target cascades and phasing,
// revenue by product series).
func Split(whole int64, weights []int64) []int64 {
	out := make([]int64, len(weights))
	if len(weights) == 0 {
		return out
	}
	var total big.Int
	for _, w := range weights {
		if w > 0 {
			total.Add(&total, big.NewInt(w))
		}
	}
	if total.Sign() == 0 {
		weights = make([]int64, len(out))
		for i := range weights {
			weights[i] = 1
		}
		total.SetInt64(int64(len(out)))
	}
	type rest struct {
		i int
		r *big.Int
	}
	rests := make([]rest, len(out))
	var given int64
	w := big.NewInt(whole)
	for i, x := range weights {
		q, r := new(big.Int), new(big.Int)
		q.QuoRem(new(big.Int).Mul(w, big.NewInt(max(x, 0))), &total, r)
		out[i] = q.Int64()
		given += out[i]
		rests[i] = rest{i, r}
	}
	sort.SliceStable(rests, func(a, b int) bool { return rests[a].r.Cmp(rests[b].r) > 0 })
	for k := 0; given < whole; k++ {
		out[rests[k%len(rests)].i]++
		given++
	}
	return out
}
