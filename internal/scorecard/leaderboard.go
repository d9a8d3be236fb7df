package scorecard

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/org"
)

// Rank is a person's place on a leaderboard; people with equal values share a rank.
type Rank struct {
	Rank     int       `json:"rank"`
	PersonID int64     `json:"person_id"`
	Name     string    `json:"name"`
	Value    kpi.Value `json:"value"`
}

// Leaderboard ranks the reps of a unit's subtree by one KPI in a period.
// A rep sees the whole board only when a manager has published it for
// their unit or one above it; otherwise only their own place.
type Leaderboard struct {
	UnitID    int64  `json:"org_unit_id"`
	Unit      string `json:"org_unit_name"`
	KPI       string `json:"kpi"`
	Period    string `json:"period"`
	Currency  string `json:"currency"`
	Published bool   `json:"published"`
	People    int    `json:"people"` // how many are ranked
	Ranks     []Rank `json:"ranks"`
	Own       *Rank  `json:"own,omitempty"` // the reader's place, when they are on it
}

// Leaderboard ranks the reps of unit (0: the reader's own unit, the company for an admin).
func (s *Service) Leaderboard(ctx context.Context, unitID int64, code, at, currency string) (*Leaderboard, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	d, ok := kpi.Find(code)
	if !ok {
		return nil, echelon.FieldError("kpi", "kpi.unknown", code)
	}
	var out *Leaderboard
	err = s.db.View(ctx, func(tx *db.Tx) error {
		u, err := boardUnit(ctx, tx, a, unitID)
		if err != nil {
			return err
		}
		sc, err := s.kpis.Open(ctx, tx, kpi.Ref{UnitID: u.id}, at, currency)
		if echelon.ErrorCode(err) == echelon.ENOTFOUND && a.Role == echelon.RoleRep {
			sc, err = s.kpis.Open(ctx, tx, kpi.Ref{PersonID: a.PersonID}, at, currency) // a rep reads their own place
			if err == nil {
				sc.Subject = kpi.Named{Subject: kpi.Subject{UnitID: u.id, UnitPath: u.path}, Name: u.name}
			}
		}
		if err != nil {
			return err
		}
		out = &Leaderboard{UnitID: u.id, Unit: u.name, KPI: d.Code, Period: sc.Period.String(), Currency: sc.Currency, Ranks: []Rank{}}
		if out.Published, err = published(ctx, tx, u.path, d.Code); err != nil {
			return err
		}
		ranks, err := rank(ctx, tx, d, sc)
		if err != nil {
			return err
		}
		out.People = len(ranks)
		for i := range ranks {
			if ranks[i].PersonID == a.PersonID {
				out.Own = &ranks[i]
			}
		}
		if a.IsAdmin() || a.Role.IsManager() || out.Published {
			out.Ranks = ranks
		}
		return nil
	})
	return out, err
}

type unitRef struct {
	id         int64
	name, path string
}

// boardUnit is the unit a board is asked for, if the reader may look at
// it: a manager their subtree, a rep their own unit or one above it.
func boardUnit(ctx context.Context, tx *db.Tx, a *echelon.Actor, id int64) (unitRef, error) {
	if id == 0 {
		id = a.UnitID
	}
	var u unitRef
	q := `SELECT id, name, path FROM org_units WHERE id = ?`
	args := []any{id}
	if id == 0 { // an admin without a unit: the company
		q, args = `SELECT id, name, path FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1`, nil
	}
	err := tx.QueryRow(ctx, q, args...).Scan(&u.id, &u.name, &u.path)
	notFound := echelon.Errorf(echelon.ENOTFOUND, "kpi.subject_not_found")
	if err == sql.ErrNoRows {
		return u, notFound
	}
	if err != nil {
		return u, fmt.Errorf("scorecard: board unit: %w", err)
	}
	switch {
	case a.IsAdmin(), a.Role.IsManager() && org.InSubtree(u.path, a.UnitPath):
		return u, nil
	case a.Role == echelon.RoleRep && a.UnitPath != "" && strings.HasPrefix(a.UnitPath, u.path):
		return u, nil
	}
	return u, notFound
}

// rank orders the active reps of the scope's unit by the KPI, best first.
func rank(ctx context.Context, tx *db.Tx, d kpi.Def, sc *kpi.Scope) ([]Rank, error) {
	p := sc.Period
	path := sc.Subject.UnitPath
	figures, err := kpi.LoadPeopleFigures(ctx, tx, path, p.First, p.Last())
	if err != nil {
		return nil, err
	}
	rs, err := tx.Query(ctx, `SELECT p.id, p.name FROM people p JOIN org_units u ON u.id = p.org_unit_id
		WHERE p.active AND p.role = ? AND u.path LIKE ?`, string(echelon.RoleRep), path+"%")
	if err != nil {
		return nil, fmt.Errorf("scorecard: ranked people: %w", err)
	}
	defer rs.Close()
	out := []Rank{}
	for rs.Next() {
		var r Rank
		if err := rs.Scan(&r.PersonID, &r.Name); err != nil {
			return nil, fmt.Errorf("scorecard: scan ranked person: %w", err)
		}
		r.Value = d.Value(figures[r.PersonID], sc.Currency)
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("scorecard: ranked people: %w", err)
	}
	better := func(x, y kpi.Value) bool { return x.Float() > y.Float() }
	if d.Unit == kpi.UnitDays { // a shorter cycle ranks higher; no cycle at all ranks last
		better = func(x, y kpi.Value) bool { return x.Defined() && (!y.Defined() || x.Float() < y.Float()) }
	}
	sort.SliceStable(out, func(i, j int) bool {
		if better(out[i].Value, out[j].Value) != better(out[j].Value, out[i].Value) {
			return better(out[i].Value, out[j].Value)
		}
		return out[i].Name < out[j].Name
	})
	for i := range out {
		out[i].Rank = i + 1
		if i > 0 && out[i].Value.Float() == out[i-1].Value.Float() && out[i].Value.Defined() == out[i-1].Value.Defined() {
			out[i].Rank = out[i-1].Rank
		}
	}
	return out, nil
}

// published reports whether a board for the KPI is published on the unit at path or one above it.
func published(ctx context.Context, tx *db.Tx, path, code string) (bool, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM leaderboards l JOIN org_units u ON u.id = l.org_unit_id
		WHERE l.kpi = ? AND ? LIKE u.path || '%'`, code, path).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("scorecard: published boards: %w", err)
	}
	return n > 0, nil
}

// PublishInput shows (or withdraws) a leaderboard to the people of a unit.
type PublishInput struct {
	UnitID    int64  `json:"org_unit_id"`
	KPI       string `json:"kpi"`
	Published bool   `json:"published"`
}

// Publish shows a unit's board for a KPI to its reps, or withdraws it: a
// manager for a unit of their subtree (their own included), an admin for any.
func (s *Service) Publish(ctx context.Context, in PublishInput) (*PublishInput, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if _, ok := kpi.Find(in.KPI); !ok {
		return nil, echelon.FieldError("kpi", "kpi.unknown", in.KPI)
	}
	if !a.IsAdmin() && !a.Role.IsManager() {
		return nil, echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden")
	}
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		u, err := boardUnit(ctx, tx, a, in.UnitID)
		if err != nil {
			return err
		}
		in.UnitID = u.id
		var was int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM leaderboards WHERE org_unit_id = ? AND kpi = ?`, u.id, in.KPI).Scan(&was); err != nil {
			return fmt.Errorf("scorecard: board of unit %d: %w", u.id, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM leaderboards WHERE org_unit_id = ? AND kpi = ?`, u.id, in.KPI); err != nil {
			return fmt.Errorf("scorecard: withdraw board: %w", err)
		}
		if in.Published {
			if _, err := tx.Exec(ctx, `INSERT INTO leaderboards (org_unit_id, kpi, published_by, published_at) VALUES (?, ?, ?, ?)`,
				u.id, in.KPI, nullID(a.PersonID), s.now().UTC()); err != nil {
				return fmt.Errorf("scorecard: publish board: %w", err)
			}
		}
		return audit.RecordKey(ctx, tx, "publish", "leaderboard", fmt.Sprintf("%d/%s", u.id, in.KPI), map[string]bool{"published": was > 0}, in)
	})
	if err != nil {
		return nil, err
	}
	return &in, nil
}
