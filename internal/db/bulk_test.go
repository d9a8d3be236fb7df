package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

// indexes lists the indexes of the activities table by name.
func indexes(t *testing.T, d *db.DB) map[string]bool {
	t.Helper()
	ctx := context.Background()
	q := `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'activities'`
	if d.Dialect == db.Postgres {
		q = `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'activities'`
	}
	out := map[string]bool{}
	err := d.View(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return err
			}
			out[name] = true
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBulkLoad_BuildsTheSameIndexesAgain(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		before := indexes(t, d)
		if !before["activities_account"] || !before["activities_external_id"] {
			t.Fatalf("the fixture lacks the indexes the test looks at: %v", before)
		}
		var during map[string]bool
		if err := d.BulkLoad(ctx, []string{"activities"}, func() error {
			during = indexes(t, d)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if during["activities_account"] || !during["activities_external_id"] {
			t.Errorf("during the load: %v; want the plain indexes dropped and the unique one kept", during)
		}
		if after := indexes(t, d); len(after) != len(before) {
			t.Errorf("after the load %v, before %v", after, before)
		}

		// A failed load still gets its indexes back, and says why it failed.
		boom := errors.New("boom")
		if err := d.BulkLoad(ctx, []string{"activities"}, func() error { return boom }); !errors.Is(err, boom) {
			t.Errorf("failed load: %v, want boom", err)
		}
		if after := indexes(t, d); len(after) != len(before) {
			t.Errorf("after a failed load %v, before %v", after, before)
		}
	})
}
