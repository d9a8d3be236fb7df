package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// bulkCacheKiB is the page cache the SQLite writer gets while a bulk load
// runs: with the default 2 MB, a transaction of millions of rows spills
// pages to the WAL and reads them back for every index it updates.
const bulkCacheKiB = 256 * 1024

// BulkLoad runs load, which writes millions of rows into tables, the way
// a database is best loaded: the tables' secondary indexes that enforce
// nothing (not unique) are dropped first and built again afterwards from
// the sorted rows — also when load fails — and on SQLite the writer gets a
// large page cache and keeps temporary data in memory meanwhile. The
// indexes are the same before and after; only their building is batched.
// Nothing else should write to tables while load runs.
func (d *DB) BulkLoad(ctx context.Context, tables []string, load func() error) (err error) {
	if d.Dialect == SQLite {
		restore, err := d.sqliteBulkPragmas(ctx)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, restore(ctx)) }()
	}
	var indexes []string
	err = d.Tx(ctx, func(tx *Tx) error {
		var err error
		indexes, err = tx.dropPlainIndexes(ctx, tables)
		return err
	})
	if err != nil {
		return fmt.Errorf("db: bulk load: %w", err)
	}
	defer func() {
		rerr := d.Tx(ctx, func(tx *Tx) error {
			for _, create := range indexes {
				if _, err := tx.Exec(ctx, create); err != nil {
					return fmt.Errorf("db: rebuild index: %s: %w", create, err)
				}
			}
			return nil
		})
		err = errors.Join(err, rerr)
	}()
	return load()
}

// dropPlainIndexes drops the non-unique secondary indexes of tables and
// returns the statements that create them again.
func (t *Tx) dropPlainIndexes(ctx context.Context, tables []string) ([]string, error) {
	marks := Marks(len(tables))
	args := make([]any, len(tables))
	for i, name := range tables {
		args[i] = name
	}
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (` + marks + `) ORDER BY name`
	if t.dialect == Postgres {
		q = `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN (` + marks + `)
			AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY indexname`
	}
	rows, err := t.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list indexes: %w", err)
	}
	var names, creates []string
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list indexes: %w", err)
		}
		if strings.Contains(strings.ToUpper(create), "UNIQUE") {
			continue // it enforces a rule the load must keep
		}
		names, creates = append(names, name), append(creates, create)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list indexes: %w", err)
	}
	for _, name := range names {
		if _, err := t.Exec(ctx, `DROP INDEX `+name); err != nil {
			return nil, fmt.Errorf("drop index %s: %w", name, err)
		}
	}
	return creates, nil
}

// sqliteBulkPragmas gives the writer a large page cache and in-memory
// temporary data, and returns the function that puts them back. The
// writer pool holds one connection, so the settings reach the connection
// every later transaction uses (temp_store cannot change inside one).
func (d *DB) sqliteBulkPragmas(ctx context.Context) (func(context.Context) error, error) {
	var cache, temp int
	if err := d.write.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
		return nil, fmt.Errorf("db: bulk load: %w", err)
	}
	if err := d.write.QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&temp); err != nil {
		return nil, fmt.Errorf("db: bulk load: %w", err)
	}
	if err := d.setPragmas(ctx, -bulkCacheKiB, 2); err != nil {
		return nil, fmt.Errorf("db: bulk load: %w", err)
	}
	return func(ctx context.Context) error {
		if err := d.setPragmas(ctx, cache, temp); err != nil {
			return fmt.Errorf("db: end bulk load: %w", err)
		}
		return nil
	}, nil
}

func (d *DB) setPragmas(ctx context.Context, cache, temp int) error {
	if _, err := d.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, cache)); err != nil {
		return err
	}
	_, err := d.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA temp_store = %d`, temp))
	return err
}
