// Package dbtest gives tests a fresh, migrated database: an SQLite file in
// the test's temporary folder and, when ECHELON_TEST_POSTGRES holds a
// postgres:// URL, a throwaway PostgreSQL schema as well.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/echelonhq/echelon/internal/db"
)

// PostgresEnv names the variable that points the tests at PostgreSQL.
const PostgresEnv = "ECHELON_TEST_POSTGRES"

// Run calls fn once per available database, each as a subtest named after
// its dialect with a freshly migrated database.
func Run(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	if os.Getenv(PostgresEnv) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
	}
}

// SQLite opens a migrated SQLite database in a temporary folder.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "echelon.db"))
}

// SQLiteDSN returns the path of a fresh SQLite file, for tests that start the whole program.
func SQLiteDSN(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "echelon.db")
}

// PostgresDSN creates a throwaway schema and returns a URL whose
// search_path selects it; the schema is dropped when the test ends.
// It skips the test when ECHELON_TEST_POSTGRES is not set.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("%s is not set: PostgreSQL tests skipped", PostgresEnv)
	}
	ctx := context.Background()
	admin, err := db.Open(ctx, base)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if err := admin.Tx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "CREATE SCHEMA "+schema)
		return err
	}); err != nil {
		t.Fatalf("dbtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		d, err := db.Open(context.Background(), base)
		if err != nil {
			return
		}
		defer d.Close()
		_ = d.Tx(context.Background(), func(tx *db.Tx) error {
			_, err := tx.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			return err
		})
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("dbtest: parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres opens a migrated database in a throwaway PostgreSQL schema.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	return open(t, PostgresDSN(t))
}

func open(t testing.TB, dsn string) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("dbtest: migrate: %v", err)
	}
	return d
}
