package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

//go:embed migrations
var migrations embed.FS

// Migrations lists the embedded migration file names for a dialect, in order.
func Migrations(d Dialect) ([]string, error) {
	entries, err := fs.ReadDir(migrations, path.Join("migrations", string(d)))
	if err != nil {
		return nil, fmt.Errorf("db: read migrations: %w", err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// Migrate applies every embedded migration not yet applied, each in its own
// transaction. On PostgreSQL an advisory lock keeps two instances starting
// at once from applying the same migration twice.
func (d *DB) Migrate(ctx context.Context) error {
	names, err := Migrations(d.Dialect)
	if err != nil {
		return err
	}
	create := `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMP NOT NULL)`
	if d.Dialect == Postgres {
		create = strings.Replace(create, "TIMESTAMP", "TIMESTAMPTZ", 1)
	}
	if _, err := d.write.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("db: create schema_migrations: %w", err)
	}
	for _, name := range names {
		if err := d.apply(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func (d *DB) apply(ctx context.Context, name string) error {
	body, err := migrations.ReadFile(path.Join("migrations", string(d.Dialect), name))
	if err != nil {
		return fmt.Errorf("db: read migration %s: %w", name, err)
	}
	return d.Tx(ctx, func(tx *Tx) error {
		if d.Dialect == Postgres {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7254001)`); err != nil {
				return fmt.Errorf("db: lock migrations: %w", err)
			}
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
			return fmt.Errorf("db: check migration %s: %w", name, err)
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("db: apply migration %s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, time.Now().UTC()); err != nil {
			return fmt.Errorf("db: record migration %s: %w", name, err)
		}
		return nil
	})
}

// Pending reports how many embedded migrations have not been applied; readiness needs zero.
func (d *DB) Pending(ctx context.Context) (int, error) {
	names, err := Migrations(d.Dialect)
	if err != nil {
		return 0, err
	}
	var applied int
	err = d.View(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&applied)
	})
	if err != nil {
		return 0, fmt.Errorf("db: count applied migrations: %w", err)
	}
	return len(names) - applied, nil
}
