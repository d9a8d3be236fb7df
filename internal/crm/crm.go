// Package crm is the built-in CRM whose records feed every number in
// Echelon: accounts and their public pool (公海), contacts, leads, products,
// opportunities moving through pipeline stages, and activities. Every
// method checks the actor's data scope (org.RecordScope) before it reads or
// writes, and every write is audited in its own transaction.
package crm

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
)

// Service is the CRM service.
type Service struct {
	db  *db.DB
	now func() time.Time
}

// NewService returns a CRM service over d; now is the clock (time.Now in production).
func NewService(d *db.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, now: func() time.Time { return now().UTC() }}
}

func actor(ctx context.Context) (*echelon.Actor, error) {
	a := echelon.ActorFrom(ctx)
	if a == nil {
		return nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	return a, nil
}

// mayWriteCRM reports whether the actor's role works with CRM records at all.
func mayWriteCRM(a *echelon.Actor) bool {
	return a.IsAdmin() || a.Role.IsManager() || a.Role == echelon.RoleRep
}

func forbidden() error { return echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden") }

// Field limits, in characters.
const (
	maxName  = 200
	maxShort = 100
	maxText  = 4000
)

// text trims s and bounds its length; required refuses empty.
func text(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" && required {
		return "", echelon.FieldError(field, "field.required")
	}
	if utf8.RuneCountInString(s) > max {
		return "", echelon.FieldError(field, "field.too_long", max)
	}
	return s, nil
}

// nullID stores 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullStr stores "" as NULL (for unique columns that may be absent).
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Page asks for one page of a list. Lists never count every row of a large
// table: they fetch Limit+1 rows and report whether there is more.
type Page struct {
	Limit  int
	Offset int
}

func (p Page) clamp() Page {
	if p.Limit <= 0 || p.Limit > 200 {
		p.Limit = 50
	}
	if p.Offset < 0 {
		p.Offset = 0
	}
	return p
}

// parseDate parses an optional YYYY-MM-DD date.
func parseDate(field, s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil, echelon.FieldError(field, "date.invalid")
	}
	return &d, nil
}

func formatDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// Locks that make checks followed by writes safe across app instances.
const (
	lockDuplicates int32 = 1 // the duplicate check of accounts, for everyone
	lockOwner      int32 = 2 // one person's account count, by person id
)

// serialize makes transactions that take the same lock run one after the
// other from here to their end, so that what one checks (no duplicate, room
// under the limit) still holds when it writes. SQLite already runs one
// writer at a time; PostgreSQL takes a transaction-scoped advisory lock.
func serialize(ctx context.Context, tx *db.Tx, kind int32, id int64) error {
	if tx.Dialect() != db.Postgres {
		return nil
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(CAST(? AS INTEGER), CAST(? AS INTEGER))`, kind, int32(id)); err != nil {
		return fmt.Errorf("crm: lock %d/%d: %w", kind, id, err)
	}
	return nil
}

// scanner is what database rows offer.
type scanner interface{ Scan(...any) error }

// collect scans every row of a query with scan.
func collect[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// listQuery is one page of a scoped list: the columns with their FROM, the
// conditions (joined by AND) with their arguments, and the order.
type listQuery struct {
	what    string // for errors: "accounts"
	columns string
	where   []string
	args    []any
	order   string
	// planEach: PostgreSQL plans the query for its actual values each
	// time. A name search is a few hundred accounts for one piece and
	// most of them for another; a generic plan made for the average
	// walked every account by date (a second per search at 100,000).
	planEach bool
}

// findPage reads one page of a list, one row more than asked to tell
// whether more follow (lists never count every row of a large table).
func findPage[T any](ctx context.Context, s *Service, q listQuery, p Page, scan func(scanner) (T, error)) ([]T, bool, error) {
	pg := p.clamp()
	var out []T
	err := s.db.View(ctx, func(tx *db.Tx) error {
		if q.planEach {
			if err := tx.PlanEachQuery(ctx); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `SELECT `+q.columns+` WHERE `+strings.Join(q.where, " AND ")+` ORDER BY `+q.order+` LIMIT ? OFFSET ?`,
			append(q.args, pg.Limit+1, pg.Offset)...)
		if out, err = collect(rows, err, scan); err != nil {
			return fmt.Errorf("crm: find %s: %w", q.what, err)
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	out, more := page(out, pg)
	return out, more, nil
}

// page trims a Limit+1 result to the page and reports whether more follow.
func page[T any](items []T, p Page) ([]T, bool) {
	if len(items) > p.Limit {
		return items[:p.Limit], true
	}
	return items, false
}

// view runs find in a read-only transaction as the signed-in actor: the
// shape of every "find one record the actor may see" method.
func view[T any](ctx context.Context, s *Service, find func(*db.Tx, *echelon.Actor) (T, error)) (T, error) {
	var out T
	act, err := actor(ctx)
	if err != nil {
		return out, err
	}
	err = s.db.View(ctx, func(tx *db.Tx) error {
		out, err = find(tx, act)
		return err
	})
	return out, err
}
