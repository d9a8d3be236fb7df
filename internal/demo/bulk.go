package demo

import (
	"context"
	"fmt"

	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
)

// table writes generated rows into one table with multi-row INSERTs of a
// fixed number of rows, so SQLite compiles the statement once per
// transaction. Ids are drawn by the generator (see nextID), which is how
// the deals, lines and activities of a chunk refer to each other without
// reading ids back.
type table struct {
	tx    *db.Tx
	query string // the full-batch statement
	head  string
	cols  int
	per   int // rows per statement
	args  []any
	rows  int      // written so far
	refs  []*table // tables whose rows these rows refer to, written first
}

// maxParams stays under SQLite's limit of 32,766 parameters per statement.
const maxParams = 16_000

// newTable writes rows of cols values with head (INSERT INTO t (columns));
// the rows may refer to rows queued in refs.
func newTable(tx *db.Tx, head string, cols int, refs ...*table) *table {
	per := min(500, maxParams/cols)
	return &table{tx: tx, head: head, cols: cols, per: per, query: insertQuery(head, cols, per), args: make([]any, 0, per*cols), refs: refs}
}

func insertQuery(head string, cols, rows int) string {
	return head + " VALUES " + db.RowMarks(cols, rows)
}

// add queues one row, writing a full batch.
func (t *table) add(ctx context.Context, vals ...any) error {
	if len(vals) != t.cols {
		return fmt.Errorf("demo: %s: %d values for %d columns", t.head, len(vals), t.cols)
	}
	t.args = append(t.args, vals...)
	if len(t.args) == t.per*t.cols {
		return t.flush(ctx)
	}
	return nil
}

// flush writes the queued rows, after those they refer to.
func (t *table) flush(ctx context.Context) error {
	for _, r := range t.refs {
		if err := r.flush(ctx); err != nil {
			return err
		}
	}
	n := len(t.args) / t.cols
	if n == 0 {
		return nil
	}
	q := t.query
	if n != t.per {
		q = insertQuery(t.head, t.cols, n)
	}
	if _, err := t.tx.Exec(ctx, q, t.args...); err != nil {
		return fmt.Errorf("demo: %s: %w", t.head, err)
	}
	t.rows += n
	t.args = t.args[:0]
	return nil
}

// auditLog queues the audit entries of bulk-written records (creations,
// or another action) and writes them in batches, as the services write
// one entry per change.
type auditLog struct {
	tx     *db.Tx
	action string // "create" when empty
	entity string
	items  []audit.Item
}

func (l *auditLog) add(ctx context.Context, id int64, after any) error {
	l.items = append(l.items, audit.Item{ID: id, After: after})
	if len(l.items) == 5000 {
		return l.flush(ctx)
	}
	return nil
}

func (l *auditLog) flush(ctx context.Context) error {
	action := l.action
	if action == "" {
		action = "create"
	}
	if err := audit.RecordBatch(ctx, l.tx, action, l.entity, l.items); err != nil {
		return err
	}
	l.items = l.items[:0]
	return nil
}

// nextID is the first id the generator may give a new row of a table.
func nextID(ctx context.Context, tx *db.Tx, name string) (int64, error) {
	var last int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+name).Scan(&last); err != nil {
		return 0, fmt.Errorf("demo: last id of %s: %w", name, err)
	}
	return last + 1, nil
}

// syncIDs moves PostgreSQL's identity sequence of each table past the ids
// the generator gave, so the services' next insert gets a fresh one.
// (SQLite takes the next id from the table itself.)
func syncIDs(ctx context.Context, tx *db.Tx, tables ...string) error {
	if tx.Dialect() != db.Postgres {
		return nil
	}
	for _, name := range tables {
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+name+`', 'id'), (SELECT COALESCE(MAX(id), 1) FROM `+name+`))`); err != nil {
			return fmt.Errorf("demo: id sequence of %s: %w", name, err)
		}
	}
	return nil
}
