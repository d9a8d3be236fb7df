package market

import (
	"context"
	"errors"
	"fmt"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
)

// SizeFields are the importable columns of market sizes: territory is a
// territory's name (or its id), segment a known segment; amount is in major
// units ("1,250,000.00").
var SizeFields = []string{"period", "territory", "segment", "amount", "currency", "source", "note"}

// ImportSizesInTx sets market sizes from rows inside the importer's
// transaction (see internal/importer): a new market and period is
// created, a known one updated, or skipped when nothing changes. Every row
// is checked before it writes, so a refused row leaves nothing behind; a
// market, period and currency named twice in one file fails the second
// time. It returns an error only for internal failures and for a reader
// who may not set market sizes at all.
func (s *Service) ImportSizesInTx(ctx context.Context, tx *db.Tx, rows []echelon.Row) ([]*echelon.RowResult, error) {
	act, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*echelon.RowResult, 0, len(rows))
	err = withLookup(ctx, act, func(tx *db.Tx, lk *lookup) error {
		seen := map[string]int{} // key → the line that set it
		for _, row := range rows {
			res := &echelon.RowResult{Line: row.Line}
			var e *echelon.Error
			switch err := s.importRow(ctx, tx, lk, row, seen, res); {
			case errors.As(err, &e):
				res.Action, res.Error = echelon.RowFailed, e
			case err != nil:
				return fmt.Errorf("market: import line %d: %w", row.Line, err)
			}
			out = append(out, res)
		}
		return nil
	})(tx)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) importRow(ctx context.Context, tx *db.Tx, lk *lookup, row echelon.Row, seen map[string]int, res *echelon.RowResult) error {
	in, err := lk.rowInput(row)
	if err != nil {
		return err
	}
	e, err := lk.check(ctx, tx, in)
	if err != nil {
		return err
	}
	if line, dup := seen[e.key()]; dup {
		return echelon.FieldError("period", "market.duplicate_row", line)
	}
	seen[e.key()] = row.Line
	before, err := findByKey(ctx, tx, lk, e)
	if err != nil {
		return err
	}
	sz, action, err := s.save(ctx, tx, e, before)
	if err != nil {
		return err
	}
	res.Action, res.ID = action, sz.ID
	return nil
}

// rowInput reads a row as a SizeInput, finding its territory by name or id.
func (lk *lookup) rowInput(row echelon.Row) (SizeInput, error) {
	in := SizeInput{Period: row.Get("period"), Segment: row.Get("segment"), Currency: row.Get("currency"),
		Source: row.Get("source"), Note: row.Get("note")}
	var err error
	if ref := row.Get("territory"); ref != "" {
		if in.TerritoryID, err = lk.territoryRef(ref); err != nil {
			return in, err
		}
	}
	if in.Amount, err = echelon.ParseAmount(row.Get("amount")); err != nil {
		return in, echelon.FieldError("amount", "import.amount_invalid", row.Get("amount"))
	}
	return in, nil
}
