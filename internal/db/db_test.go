package db_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

func TestMigrations_SameNamesInBothDialects(t *testing.T) {
	lite, err := db.Migrations(db.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := db.Migrations(db.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(lite, pg) {
		t.Fatalf("migration files differ:\nsqlite   %v\npostgres %v", lite, pg)
	}
}

// columns returns table → ordered column names as the database reports them.
func columns(t *testing.T, d *db.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
	      WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`
	if d.Dialect == db.Postgres {
		q = `SELECT table_name, column_name FROM information_schema.columns
		     WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`
	}
	out := map[string][]string{}
	err := d.View(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var table, col string
			if err := rows.Scan(&table, &col); err != nil {
				return err
			}
			out[table] = append(out[table], col)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMigrations_ProduceSameTablesAndColumns(t *testing.T) {
	lite := columns(t, dbtest.SQLite(t))
	pg := columns(t, dbtest.Postgres(t))
	if !reflect.DeepEqual(lite, pg) {
		t.Fatalf("schemas differ:\nsqlite   %v\npostgres %v", lite, pg)
	}
}

func TestMigrate_IsIdempotentAndReady(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		n, err := d.Pending(ctx)
		if err != nil || n != 0 {
			t.Fatalf("pending = %d, %v; want 0", n, err)
		}
	})
}

func TestRebind(t *testing.T) {
	got := db.Rebind(db.Postgres, `SELECT * FROM t WHERE a = ? AND b = '?' AND c = ?`)
	want := `SELECT * FROM t WHERE a = $1 AND b = '?' AND c = $2`
	if got != want {
		t.Fatalf("Rebind = %q, want %q", got, want)
	}
	if s := db.Rebind(db.SQLite, "a = ?"); s != "a = ?" {
		t.Fatalf("sqlite rebind changed query: %q", s)
	}
}

func TestIsUniqueViolation(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		err := d.Tx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO levels (code, name_zh, name_en, rank, created_at, updated_at)
				VALUES ('junior_rep', 'x', 'x', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`)
			return err
		})
		if !db.IsUniqueViolation(err) {
			t.Fatalf("duplicate level code: got %v, want a unique violation", err)
		}
	})
}
