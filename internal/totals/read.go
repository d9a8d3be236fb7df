package totals

import (
	"context"
	"fmt"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/period"
)

// Filter selects totals. Zero fields select everything.
type Filter struct {
	UnitPath string       // the subtree of this unit (inclusive)
	PersonID int64        // one person's totals
	From, To period.Month // months, inclusive
	Measures []string
}

// Group says which parts of the key the sums keep apart; the others are
// added together (and zero in the result). Measure, dim and currency are
// always kept apart.
type Group struct{ Unit, Person, Month bool }

// Total is one summed total.
type Total struct {
	Key
	Value
}

// Sum adds up the stored totals the filter selects, grouped as asked.
func Sum(ctx context.Context, tx *db.Tx, f Filter, g Group) ([]Total, error) {
	cols := []string{"measure", "dim", "currency"}
	pick := func(on bool, col string) string {
		if on {
			cols = append(cols, col)
			return col
		}
		return "0"
	}
	sel := []string{pick(g.Unit, "org_unit_id"), pick(g.Person, "person_id"), pick(g.Month, "month"), "measure", "dim", "currency"}
	var where []string
	var args []any
	if f.UnitPath != "" {
		where = append(where, "org_unit_id IN (SELECT id FROM org_units WHERE path LIKE ?)")
		args = append(args, f.UnitPath+"%")
	}
	switch {
	case f.PersonID != 0:
		where = append(where, "person_id = ?")
		args = append(args, f.PersonID)
	case g.Person:
		where = append(where, "person_id <> 0")
	default:
		where = append(where, "person_id = 0") // the units' own rows
	}
	if f.From != 0 {
		where = append(where, "month >= ?")
		args = append(args, int(f.From))
	}
	if f.To != 0 {
		where = append(where, "month <= ?")
		args = append(args, int(f.To))
	}
	if len(f.Measures) > 0 {
		where = append(where, "measure IN ("+db.Marks(len(f.Measures))+")")
		for _, m := range f.Measures {
			args = append(args, m)
		}
	}
	q := `SELECT ` + strings.Join(sel, ", ") + `, SUM(n), SUM(amount), SUM(extra) FROM sales_totals`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` GROUP BY ` + strings.Join(cols, ", ")
	rs, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("totals: sum: %w", err)
	}
	defer rs.Close()
	var out []Total
	for rs.Next() {
		var t Total
		var m int
		if err := rs.Scan(&t.UnitID, &t.PersonID, &m, &t.Measure, &t.Dim, &t.Currency, &t.N, &t.Amount, &t.Extra); err != nil {
			return nil, fmt.Errorf("totals: scan sum: %w", err)
		}
		t.Month = period.Month(m)
		if !t.Value.zero() {
			out = append(out, t)
		}
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("totals: sum: %w", err)
	}
	return out, nil
}

// Rebuild recomputes every total from the records, replacing what is
// stored: for data loaded in bulk, and to check the maintained totals.
func Rebuild(ctx context.Context, tx *db.Tx) error {
	all, err := recompute(ctx, tx)
	if err != nil {
		return err
	}
	return replace(ctx, tx, all)
}

// replace stores s, with the units' rows, in place of every stored total.
func replace(ctx context.Context, tx *db.Tx, s sums) error {
	if _, err := tx.Exec(ctx, `DELETE FROM sales_totals`); err != nil {
		return fmt.Errorf("totals: clear: %w", err)
	}
	return upsert(ctx, tx, s)
}

// Recompute sums what every record contributes, from scratch, with the
// units' own rows (person 0) as they are stored.
func Recompute(ctx context.Context, tx *db.Tx) (map[Key]Value, error) {
	s, err := recompute(ctx, tx)
	return withUnitRows(s), err
}

// recompute sums what every record contributes, per person.
func recompute(ctx context.Context, tx *db.Tx) (sums, error) {
	zone, out := echelon.CompanyZone(), sums{}
	lines, err := seriesLines(ctx, tx, "1=1", nil)
	if err != nil {
		return nil, err
	}
	if err := eachDeal(ctx, tx, "1=1", nil, func(d deal) { d.contribute(zone, lines[d.id], out) }); err != nil {
		return nil, err
	}
	var last int64
	err = eachDeal(ctx, tx, `st.outcome = 'won' AND o.closed_on IS NOT NULL AND o.account_id IS NOT NULL ORDER BY o.account_id, o.closed_on, o.id`, nil,
		func(d deal) {
			if d.account != last {
				out.add(d.newCustomerKey(), Value{N: 1}, 1)
				last = d.account
			}
		})
	if err != nil {
		return nil, err
	}
	if err := eachActivity(ctx, tx, "1=1", nil, func(a activity) { a.contribute(zone, out) }); err != nil {
		return nil, err
	}
	if err := eachStageChange(ctx, tx, "1=1", nil, func(e entry) { e.contribute(zone, out) }); err != nil {
		return nil, err
	}
	return out, nil
}

// Stored reads every stored total that is not zero, the units' own rows included.
func Stored(ctx context.Context, tx *db.Tx) (map[Key]Value, error) {
	rs, err := tx.Query(ctx, `SELECT org_unit_id, person_id, month, measure, dim, currency, n, amount, extra FROM sales_totals`)
	if err != nil {
		return nil, fmt.Errorf("totals: read stored: %w", err)
	}
	defer rs.Close()
	out := map[Key]Value{}
	for rs.Next() {
		var t Total
		var m int
		if err := rs.Scan(&t.UnitID, &t.PersonID, &m, &t.Measure, &t.Dim, &t.Currency, &t.N, &t.Amount, &t.Extra); err != nil {
			return nil, fmt.Errorf("totals: scan stored: %w", err)
		}
		t.Month = period.Month(m)
		if !t.Value.zero() {
			out[t.Key] = t.Value
		}
	}
	return out, rs.Err()
}
