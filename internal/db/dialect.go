package db

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// This file holds every difference between the two dialects that is not
// expressed in the migrations themselves.

// Rebind rewrites '?' placeholders to PostgreSQL's $1, $2 … Question marks
// inside single-quoted literals are left alone.
func Rebind(d Dialect, query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n, quoted := 0, false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			quoted = !quoted
			b.WriteByte(c)
		case c == '?' && !quoted:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// IsUniqueViolation reports whether err comes from a UNIQUE constraint.
func IsUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// PlanEachQuery makes PostgreSQL plan every statement of the rest of the
// transaction for its actual parameters. A bulk import runs the same
// lookups thousands of times while the table grows under it; after a few
// runs PostgreSQL would switch to one generic plan made when the table
// looked empty (a sequential scan) and keep it, and the import would slow
// quadratically. SQLite needs nothing.
func (t *Tx) PlanEachQuery(ctx context.Context) error {
	if t.dialect != Postgres {
		return nil
	}
	if _, err := t.tx.ExecContext(ctx, "SET LOCAL plan_cache_mode = force_custom_plan"); err != nil {
		return fmt.Errorf("db: plan each query: %w", err)
	}
	return nil
}

// ContainsPattern returns a LIKE pattern matching the values that contain
// s as typed: a % or _ in s matches only itself, not any text or any one
// character. Compare with it only in a condition from ContainsAny, which
// names the escape character (SQLite has no default one).
func ContainsPattern(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 4)
	b.WriteByte('%')
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('%')
	return b.String()
}

// ContainsAny returns a condition true when any of columns matches its
// pattern from ContainsPattern, with one placeholder per column in order:
// "(a LIKE ? ESCAPE '\' OR b LIKE ? ESCAPE '\')". The ESCAPE clause means
// the same on SQLite and PostgreSQL.
func ContainsAny(columns ...string) string {
	conds := make([]string, len(columns))
	for i, c := range columns {
		conds[i] = c + ` LIKE ? ESCAPE '\'`
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}
