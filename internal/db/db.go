// Package db opens Echelon's database (SQLite by file path, PostgreSQL by
// postgres:// URL), runs its migrations and hands out transactions in which
// SQL is written once with '?' placeholders for both dialects.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a database handle. On SQLite writes go through a single connection
// (SQLite allows one writer at a time) while reads use a pool; on
// PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	DSN     string
	write   *sql.DB
	read    *sql.DB
}

// Open connects to dsn: a postgres:// URL selects PostgreSQL, anything else is an SQLite file path.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, errors.New("db: empty data source name")
	}
	d := &DB{DSN: dsn}
	var err error
	if isPostgres(dsn) {
		d.Dialect = Postgres
		if d.write, err = sql.Open("pgx", dsn); err != nil {
			return nil, fmt.Errorf("db: open postgres: %w", err)
		}
		d.write.SetMaxOpenConns(PostgresConns())
		d.write.SetMaxIdleConns(PostgresConns())
		d.write.SetConnMaxIdleTime(5 * time.Minute)
		d.read = d.write
	} else {
		d.Dialect = SQLite
		w, err := newSQLiteConnector(sqliteDSN(dsn, true))
		if err != nil {
			return nil, err
		}
		r, err := newSQLiteConnector(sqliteDSN(dsn, false))
		if err != nil {
			return nil, err
		}
		d.write, d.read = sql.OpenDB(w), sql.OpenDB(r)
		d.write.SetMaxOpenConns(1)
		// Keep every reader open: a new SQLite connection reads the schema
		// and the planner's statistics again, which costs more than most
		// queries (with database/sql's default of 2 idle connections,
		// concurrent readers reopened connections all the time).
		d.read.SetMaxOpenConns(Readers)
		d.read.SetMaxIdleConns(Readers)
	}
	if err := d.write.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("db: connect to %s: %w", d.Dialect, err)
	}
	return d, nil
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqliteDSN adds the pragmas Echelon relies on: WAL so readers never block
// the writer, a busy timeout instead of immediate "database is locked"
// errors, enforced foreign keys, and IMMEDIATE write transactions so two
// writers queue instead of deadlocking on lock upgrade.
func sqliteDSN(path string, writer bool) string {
	p := "file:" + strings.TrimPrefix(path, "file:")
	sep := "?"
	if strings.Contains(p, "?") {
		sep = "&"
	}
	p += sep + "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	if writer {
		p += "&_txlock=immediate"
	}
	return p
}

// Readers is the number of SQLite connections that read at once (writes
// go through one more).
const Readers = 8

// PostgresConns is the size of the PostgreSQL pool: four connections per
// core, at least eight. More only crowds the database's cores: with 20 on
// 2 cores, 80 clients waited 1.6 s at p99; requests beyond the pool wait
// for a connection in Go, in turn.
func PostgresConns() int { return max(8, 4*runtime.GOMAXPROCS(0)) }

// Close closes every connection.
func (d *DB) Close() error {
	err := d.write.Close()
	if d.read != d.write {
		err = errors.Join(err, d.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.read.PingContext(ctx) }

// Stats reports the connection pool of the writer (the only pool on PostgreSQL).
func (d *DB) Stats() sql.DBStats { return d.write.Stats() }

// Tx runs fn in a read-write transaction, committing when fn returns nil
// and rolling back otherwise, so a business operation is all or nothing.
func (d *DB) Tx(ctx context.Context, fn func(*Tx) error) error {
	return d.run(ctx, d.write, nil, fn)
}

// View runs fn in a read-only transaction.
func (d *DB) View(ctx context.Context, fn func(*Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: d.Dialect == Postgres}
	return d.run(ctx, d.read, opts, fn)
}

func (d *DB) run(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(*Tx) error) error {
	stx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	tx := &Tx{tx: stx, dialect: d.Dialect}
	if d.Dialect == SQLite {
		tx.stmts = map[string]*sql.Stmt{}
	}
	if err := fn(tx); err != nil {
		_ = stx.Rollback()
		return err
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	return nil
}

// Tx is a transaction whose statements use '?' placeholders in either dialect.
type Tx struct {
	tx      *sql.Tx
	dialect Dialect
	// SQLite compiles a statement on every call unless it is prepared, so
	// a transaction keeps one prepared statement per query text: an import
	// that runs the same few statements for every row compiles each once.
	// (pgx keeps its own cache of prepared statements per connection.)
	stmts    map[string]*sql.Stmt
	planEach bool // see PlanEachQuery
}

// prepared returns the transaction's prepared statement for query, or nil
// when statements are not cached.
func (t *Tx) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if t.stmts == nil {
		return nil, nil
	}
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	st, err := t.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	t.stmts[query] = st
	return st, nil
}

// Dialect reports the engine the transaction runs on.
func (t *Tx) Dialect() Dialect { return t.dialect }

// Exec runs a statement that returns no rows.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = Rebind(t.dialect, query)
	st, err := t.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, t.args(args)...)
}

// Query runs a statement that returns rows.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = Rebind(t.dialect, query)
	st, err := t.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, t.args(args)...)
}

// QueryRow runs a statement that returns at most one row.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = Rebind(t.dialect, query)
	if st, err := t.prepared(ctx, query); err == nil && st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, t.args(args)...)
}

// InsertID runs an INSERT … RETURNING id and returns the new id.
func (t *Tx) InsertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := t.QueryRow(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// Backup writes a consistent copy of an SQLite database to path while it
// stays online (VACUUM INTO). PostgreSQL has its own tools for this.
func (d *DB) Backup(ctx context.Context, path string) error {
	if d.Dialect == Postgres {
		return errors.New("db: backup of PostgreSQL is done with pg_dump, e.g. pg_dump -Fc -f echelon.dump \"$ECHELON_DB\"")
	}
	if _, err := d.write.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("db: backup to %s: %w", path, err)
	}
	return nil
}

// ErrRollback, returned from a Tx function, rolls the transaction back
// on purpose; the caller treats it as success (dry runs of imports).
var ErrRollback = errors.New("db: rolled back on purpose")

// Analyze refreshes the planner's statistics of the tables named (names
// from the code, never from input), or of every table when none is, so
// that queries after a bulk load (a large import, demo data) are planned
// for the data as it now is.
func (d *DB) Analyze(ctx context.Context, tables ...string) error {
	stmts := []string{"ANALYZE"}
	if len(tables) > 0 {
		stmts = stmts[:0]
		for _, t := range tables {
			stmts = append(stmts, "ANALYZE "+t)
		}
	}
	for _, q := range stmts {
		if _, err := d.write.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("db: %s: %w", strings.ToLower(q), err)
		}
	}
	return nil
}
