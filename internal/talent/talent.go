// Package talent is the talent review of PRODUCT.md 2.6 built on the
// reviews and the ladder: the performance × potential grid, the succession
// bench of every manager seat, the list of people at risk, and each
// person's development timeline. It reads; the records it shows are written
// by internal/review, internal/ladder, internal/target and the CRM.
//
// Scope: the grid, the benches and the at-risk list are managers' views —
// an admin or the senior manager sees the company, a regional manager their
// subtree, anyone else is refused. A development timeline is shown to whoever
// may see the person, each part as its own service allows.
package talent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/ladder"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/review"
)

// Service reads the talent views.
type Service struct {
	db      *db.DB
	ladder  *ladder.Service
	reviews *review.Service
	now     func() time.Time
}

// NewService returns the talent service; now tells the time (time.Now in production).
func NewService(d *db.DB, l *ladder.Service, r *review.Service, now func() time.Time) *Service {
	return &Service{db: d, ladder: l, reviews: r, now: now}
}

// Unit is the org unit a view is drawn for.
type Unit struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Path string `json:"-"`
}

// Person is someone shown in a view.
type Person struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	UnitID    int64  `json:"org_unit_id"`
	UnitName  string `json:"org_unit_name"`
	LevelID   int64  `json:"level_id,omitempty"`
	LevelCode string `json:"level_code,omitempty"`
	LevelZh   string `json:"level_name_zh,omitempty"`
	LevelEn   string `json:"level_name_en,omitempty"`
}

// fields are the scan destinations of personFields, then extra ones.
func (p *Person) fields(extra ...any) []any {
	return append([]any{&p.ID, &p.Name, &p.Role, &p.UnitID, &p.UnitName, &p.LevelID, &p.LevelCode, &p.LevelZh, &p.LevelEn}, extra...)
}

// viewUnit resolves the unit a manager's view is drawn for: the one asked
// for (0: the reader's own unit, the company for an admin), which must lie
// in the reader's subtree.
func viewUnit(ctx context.Context, tx *db.Tx, id int64) (*echelon.Actor, Unit, error) {
	a := echelon.ActorFrom(ctx)
	if a == nil {
		return nil, Unit{}, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	if !a.IsAdmin() && !a.Role.IsManager() {
		return nil, Unit{}, echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden")
	}
	q, arg := `SELECT id, name, path FROM org_units WHERE id = ?`, any(id)
	if id == 0 {
		q, arg = `SELECT id, name, path FROM org_units WHERE path = ?`, a.UnitPath
		if a.IsAdmin() || a.UnitPath == "" {
			arg = "/1/"
		}
	}
	var u Unit
	err := tx.QueryRow(ctx, q, arg).Scan(&u.ID, &u.Name, &u.Path)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.IsAdmin() && !org.InSubtree(u.Path, a.UnitPath)) {
		return nil, Unit{}, echelon.Errorf(echelon.ENOTFOUND, "unit.not_found")
	}
	if err != nil {
		return nil, Unit{}, fmt.Errorf("talent: unit %d: %w", id, err)
	}
	return a, u, nil
}

// personFields are a Person's columns, read from people p with personFrom.
const (
	personFields = `p.id, p.name, p.role, COALESCE(p.org_unit_id, 0), COALESCE(u.name, ''), COALESCE(p.level_id, 0), COALESCE(l.code, ''),
		COALESCE(l.name_zh, ''), COALESCE(l.name_en, '')`
	personFrom = ` FROM people p LEFT JOIN org_units u ON u.id = p.org_unit_id LEFT JOIN levels l ON l.id = p.level_id`
)

// peopleIn lists the active people booked in the unit's subtree, other
// than the reader, by name.
func peopleIn(ctx context.Context, tx *db.Tx, a *echelon.Actor, u Unit) ([]Person, error) {
	rs, err := tx.Query(ctx, `SELECT `+personFields+personFrom+` WHERE p.active AND u.path LIKE ? AND p.id <> ? ORDER BY p.name, p.id`, u.Path+"%", a.PersonID)
	if err != nil {
		return nil, fmt.Errorf("talent: people of %s: %w", u.Name, err)
	}
	defer rs.Close()
	var out []Person
	for rs.Next() {
		var p Person
		if err := rs.Scan(p.fields()...); err != nil {
			return nil, fmt.Errorf("talent: scan person: %w", err)
		}
		out = append(out, p)
	}
	return out, rs.Err()
}

func ids(people []Person) []int64 {
	out := make([]int64, len(people))
	for i, p := range people {
		out[i] = p.ID
	}
	return out
}
