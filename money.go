package echelon

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an exact amount in minor units (fen for CNY) with its currency.
// Amounts are never floating point.
type Money struct {
	Amount   int64  `json:"amount"`   // minor units
	Currency string `json:"currency"` // ISO 4217, CNY by default
}

// DefaultCurrency is the currency of amounts given without one.
const DefaultCurrency = "CNY"

// MaxAmount bounds a single amount (one trillion in major units) so sums of
// millions of rows stay far inside int64.
const MaxAmount int64 = 1_000_000_000_000 * 100

// ParseAmount reads a decimal amount in major units ("12,345.60", "1054")
// into minor units, exactly. More than two decimals is an error rather than a
// silent rounding.
func ParseAmount(s string) (int64, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, ",", ""))
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || (hasFrac && (len(frac) == 0 || len(frac) > 2)) {
		return 0, fmt.Errorf("amount %q: want digits with at most two decimals", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > MaxAmount/100 {
		return 0, fmt.Errorf("amount %q: out of range", s)
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q: bad decimals", s)
	}
	n := w*100 + f
	if neg {
		n = -n
	}
	return n, nil
}

// FormatAmount writes minor units as a major-unit decimal with thousands
// separators: 123456789 → "1,234,567.89".
func FormatAmount(minor int64) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	whole := strconv.FormatInt(minor/100, 10)
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s%s.%02d", sign, b.String(), minor%100)
}
