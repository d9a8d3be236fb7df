// Package ladder is the echelon ladder (PRODUCT.md 2.6): the entry
// criteria and rules of each level, certifications, the level history of
// every person, promotion readiness computed from real evidence (tenure,
// scorecards, certifications, released competency ratings), and
// nominations that change a level once the next manager up approves.
// Levels themselves stay in internal/org.
package ladder

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
)

// Service runs the ladder.
type Service struct {
	db  *db.DB
	now func() time.Time
}

// NewService returns the ladder service; now tells the time (time.Now in production).
func NewService(d *db.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, now: now}
}

func actor(ctx context.Context) (*echelon.Actor, error) {
	if a := echelon.ActorFrom(ctx); a != nil {
		return a, nil
	}
	return nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
}

func forbidden() error { return echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden") }

// today is the date in the company's zone, as midnight UTC of that date
// (the form DATE columns are written in).
func (s *Service) today() time.Time { return dateOf(s.now()) }

func dateOf(t time.Time) time.Time {
	y, m, d := t.In(echelon.CompanyZone()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dayOf is the date of a DATE column as read back (midnight UTC).
func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Date is a calendar date written YYYY-MM-DD in JSON.
type Date struct{ time.Time }

// MarshalJSON writes the date as "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.Format(time.DateOnly) + `"`), nil }

// UnmarshalJSON reads "YYYY-MM-DD" (evidence kept as JSON is read back).
func (d *Date) UnmarshalJSON(b []byte) error {
	t, err := time.Parse(`"`+time.DateOnly+`"`, string(b))
	if err != nil {
		return fmt.Errorf("ladder: date %s: %w", b, err)
	}
	d.Time = t
	return nil
}

// String is YYYY-MM-DD.
func (d Date) String() string { return d.Format(time.DateOnly) }

// parseDate reads an optional YYYY-MM-DD field.
func parseDate(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, echelon.FieldError(field, "date.invalid")
	}
	return t, nil
}

// canSeePerson is the person scope of org for one loaded person: admin
// anyone, a manager their subtree, anyone themselves.
func canSeePerson(a *echelon.Actor, id int64, unitPath string) bool {
	return id == a.PersonID || org.CanSeeRecord(a, id, unitPath)
}

// personScope limits people (alias p, joined with their unit as u) to
// those a may see.
func personScope(a *echelon.Actor) (string, []any) {
	cond, args := org.RecordScope(a, "p.id", "p.org_unit_id")
	return "(" + cond + " OR p.id = ?)", append(args, a.PersonID)
}

// marks is n comma-separated placeholders.

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
