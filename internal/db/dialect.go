package db

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
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
// runs PostgreSQL would switch a named prepared statement to one generic
// plan made when the table looked empty (a sequential scan) and keep it,
// and the import would slow quadratically. So the statements go as unnamed
// ones (pgx's describe-cached mode, still one round trip), which are
// planned anew each time. The server's own foreign-key checks keep their
// cached plans — a lookup by key, right for any value — which a SET of
// plan_cache_mode would make it replan for every row written. SQLite
// needs nothing.
func (t *Tx) PlanEachQuery(context.Context) error {
	t.planEach = t.dialect == Postgres
	return nil
}

// args puts pgx's mode for unnamed statements ahead of a statement's
// arguments when the transaction plans each query.
func (t *Tx) args(args []any) []any {
	if !t.planEach {
		return args
	}
	return append([]any{pgx.QueryExecModeCacheDescribe}, args...)
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

// InSubquery is the condition that column is among the values sub
// selects. PostgreSQL gets the values first (= ANY(ARRAY(sub))): asked
// "IN (sub)" with an ORDER BY … LIMIT, it may walk the whole table in the
// order's index hoping to meet the few values early, and a name search
// then read every account (0.3 s at 100,000). SQLite plans IN well.
func InSubquery(d Dialect, column, sub string) string {
	if d == Postgres {
		return column + " = ANY(ARRAY(" + sub + "))"
	}
	return column + " IN (" + sub + ")"
}

// Marks returns n placeholders separated by commas, "?, ?, ?", for an IN
// list or a VALUES row of n values.
func Marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// RowMarks returns the placeholders of a multi-row VALUES list: n rows
// of width values, "(?, ?), (?, ?)".
func RowMarks(width, n int) string {
	return strings.TrimSuffix(strings.Repeat("("+Marks(width)+"), ", n), ", ")
}
