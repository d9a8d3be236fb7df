package db_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

func TestTx_InListsFindEveryValueWithEachQueryPlanned(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		values := make([]string, 1201) // more than two SQLite lists
		for i := range values {
			values[i] = fmt.Sprintf("/1/%d/", i)
		}
		err := d.Tx(ctx, func(tx *db.Tx) error {
			if err := tx.PlanEachQuery(ctx); err != nil {
				return err
			}
			lists := tx.InLists("path", append(values, "/1/"))
			if want := map[db.Dialect]int{db.SQLite: 3, db.Postgres: 1}[d.Dialect]; len(lists) != want {
				t.Errorf("%s: %d statements for %d values, want %d", d.Dialect, len(lists), len(values)+1, want)
			}
			found := 0
			for _, in := range lists {
				var n int
				if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM org_units WHERE `+in.Cond, in.Args...).Scan(&n); err != nil {
					return err
				}
				found += n
			}
			if found != 1 {
				t.Errorf("found %d units, want the company alone", found)
			}
			if tx.InLists("path", nil) != nil {
				t.Error("no values gave a condition")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
