package totals

import (
	"context"
	"fmt"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
)

// seriesValue is the value of a deal's order lines of one product series.
type seriesValue struct {
	series string
	value  int64
}

// seriesLines reads the value (quantity × unit price) of the order lines
// that meet where, by deal and by the series each line was saved with.
func seriesLines(ctx context.Context, tx *db.Tx, where string, args []any) (map[int64][]seriesValue, error) {
	rs, err := tx.Query(ctx, `SELECT l.opportunity_id, l.series, SUM(l.quantity * l.unit_price) FROM opportunity_products l
		WHERE `+where+` GROUP BY l.opportunity_id, l.series`, args...)
	if err != nil {
		return nil, fmt.Errorf("totals: read order lines: %w", err)
	}
	defer rs.Close()
	out := map[int64][]seriesValue{}
	for rs.Next() {
		var id int64
		var sv seriesValue
		if err := rs.Scan(&id, &sv.series, &sv.value); err != nil {
			return nil, fmt.Errorf("totals: scan order lines: %w", err)
		}
		out[id] = append(out[id], sv)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("totals: read order lines: %w", err)
	}
	return out, nil
}

// splitBySeries divides a deal's amount over the series of its order lines
// in proportion to their values (echelon.Split: largest remainder, exact).
// A deal without lines of any value is all series "".
func splitBySeries(amount int64, lines []seriesValue) []seriesValue {
	weights := make([]int64, len(lines))
	var total int64
	for i, l := range lines {
		weights[i] = l.value
		total += max(l.value, 0)
	}
	if total == 0 {
		return []seriesValue{{value: amount}}
	}
	out := make([]seriesValue, len(lines))
	for i, part := range echelon.Split(amount, weights) {
		out[i] = seriesValue{series: lines[i].series, value: part}
	}
	return out
}
