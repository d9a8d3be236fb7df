package crm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
)

// Territory is a market — by province/city, industry or segment — that
// belongs to an org unit or a person, so that each rep owns a clear market.
// Empty criteria match anything; a territory with more criteria is more
// specific and wins over a broader one.
type Territory struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Province   string `json:"province"`
	City       string `json:"city"`
	Industry   string `json:"industry"`
	Segment    string `json:"segment"`
	UnitID     int64  `json:"org_unit_id,omitempty"`
	UnitName   string `json:"org_unit_name,omitempty"`
	PersonID   int64  `json:"person_id,omitempty"`
	PersonName string `json:"person_name,omitempty"`
	Version    int    `json:"version"`
	unitPath   string // of the unit, or of the person's unit
}

// TerritoryInput creates or replaces a territory: at least one criterion,
// and an org unit or a person (not both) it belongs to.
type TerritoryInput struct {
	Name     string `json:"name"`
	Province string `json:"province,omitempty"`
	City     string `json:"city,omitempty"`
	Industry string `json:"industry,omitempty"`
	Segment  string `json:"segment,omitempty"`
	UnitID   int64  `json:"org_unit_id,omitempty"`
	PersonID int64  `json:"person_id,omitempty"`
	Version  int    `json:"version,omitempty"`
}

func (in *TerritoryInput) validate() error {
	var err error
	if in.Name, err = text("name", in.Name, maxShort, true); err != nil {
		return err
	}
	for _, f := range []struct {
		field string
		v     *string
	}{{"province", &in.Province}, {"city", &in.City}, {"industry", &in.Industry}, {"segment", &in.Segment}} {
		if *f.v, err = text(f.field, *f.v, maxShort, false); err != nil {
			return err
		}
	}
	if in.Province+in.City+in.Industry+in.Segment == "" {
		return echelon.FieldError("province", "territory.no_criteria")
	}
	if (in.UnitID == 0) == (in.PersonID == 0) {
		return echelon.FieldError("org_unit_id", "territory.assignee")
	}
	return nil
}

// specificity counts the criteria a territory sets.
func (t *Territory) specificity() int {
	n := 0
	for _, v := range []string{t.Province, t.City, t.Industry, t.Segment} {
		if v != "" {
			n++
		}
	}
	return n
}

// matches reports whether every criterion of t holds for the account fields.
func (t *Territory) matches(f accountFields) bool {
	eq := func(crit, v string) bool { return crit == "" || strings.EqualFold(crit, strings.TrimSpace(v)) }
	return eq(t.Province, f.province) && eq(t.City, f.city) && eq(t.Industry, f.industry) && eq(t.Segment, f.segment)
}

const territoryColumns = `t.id, t.name, t.province, t.city, t.industry, t.segment, COALESCE(t.org_unit_id, 0), COALESCE(u.name, ''),
	COALESCE(t.person_id, 0), COALESCE(p.name, ''), t.version, COALESCE(u.path, pu.path, '')
	FROM territories t LEFT JOIN org_units u ON u.id = t.org_unit_id LEFT JOIN people p ON p.id = t.person_id
	LEFT JOIN org_units pu ON pu.id = p.org_unit_id`

func scanTerritory(row scanner) (*Territory, error) {
	var t Territory
	err := row.Scan(&t.ID, &t.Name, &t.Province, &t.City, &t.Industry, &t.Segment, &t.UnitID, &t.UnitName, &t.PersonID, &t.PersonName,
		&t.Version, &t.unitPath)
	return &t, err
}

func allTerritories(ctx context.Context, tx *db.Tx) ([]*Territory, error) {
	rows, err := tx.Query(ctx, `SELECT `+territoryColumns+` ORDER BY t.name, t.id`)
	out, err := collect(rows, err, scanTerritory)
	if err != nil {
		return nil, fmt.Errorf("crm: territories: %w", err)
	}
	return out, nil
}

// FindTerritories lists the territories in the actor's part of the
// organisation (admin: all; managers: their subtree; reps: their own and
// their units').
func (s *Service) FindTerritories(ctx context.Context) ([]*Territory, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Territory
	err = s.db.View(ctx, func(tx *db.Tx) error {
		all, err := allTerritories(ctx, tx)
		for _, t := range all {
			if canSeeTerritory(act, t) {
				out = append(out, t)
			}
		}
		return err
	})
	return out, err
}

func canSeeTerritory(act *echelon.Actor, t *Territory) bool {
	switch {
	case act.IsAdmin():
		return true
	case act.Role.IsManager():
		return org.InSubtree(t.unitPath, act.UnitPath)
	case act.Role == echelon.RoleRep:
		return t.PersonID == act.PersonID || (t.PersonID == 0 && act.UnitPath != "" && strings.HasPrefix(act.UnitPath, t.unitPath))
	}
	return false
}

// checkAssignee makes sure the actor may give a territory to its unit or person.
func checkAssignee(ctx context.Context, tx *db.Tx, act *echelon.Actor, in TerritoryInput) error {
	if in.PersonID != 0 {
		_, err := findOwner(ctx, tx, act, in.PersonID)
		if err != nil {
			return echelon.FieldError("person_id", "account.owner_outside")
		}
		return nil
	}
	var path string
	err := tx.QueryRow(ctx, `SELECT path FROM org_units WHERE id = ? AND closed_at IS NULL`, in.UnitID).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !act.IsAdmin() && !org.InSubtree(path, act.UnitPath)) {
		return echelon.FieldError("org_unit_id", "unit.not_found")
	}
	return err
}

// CreateTerritory adds a territory (admin, or a manager inside their subtree).
func (s *Service) CreateTerritory(ctx context.Context, in TerritoryInput) (*Territory, error) {
	return s.saveTerritory(ctx, 0, in)
}

// UpdateTerritory replaces a territory; the version must match when given.
func (s *Service) UpdateTerritory(ctx context.Context, id int64, in TerritoryInput) (*Territory, error) {
	return s.saveTerritory(ctx, id, in)
}

func (s *Service) saveTerritory(ctx context.Context, id int64, in TerritoryInput) (*Territory, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !act.IsAdmin() && !act.Role.IsManager() {
		return nil, forbidden()
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out *Territory
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		var before *Territory
		if id != 0 {
			var err error
			before, err = scanTerritory(tx.QueryRow(ctx, `SELECT `+territoryColumns+` WHERE t.id = ?`, id))
			if errors.Is(err, sql.ErrNoRows) || (err == nil && !canSeeTerritory(act, before)) {
				return echelon.Errorf(echelon.ENOTFOUND, "territory.not_found")
			}
			if err != nil {
				return fmt.Errorf("crm: find territory: %w", err)
			}
			if in.Version != 0 && in.Version != before.Version {
				return audit.StaleError(ctx, tx, "territory", id)
			}
		}
		if err := checkAssignee(ctx, tx, act, in); err != nil {
			return err
		}
		now := s.now()
		if before == nil {
			if id, err = tx.InsertID(ctx, `INSERT INTO territories (name, province, city, industry, segment, org_unit_id, person_id, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Name, in.Province, in.City, in.Industry, in.Segment, nullID(in.UnitID), nullID(in.PersonID), now, now); err != nil {
				return fmt.Errorf("crm: insert territory: %w", err)
			}
		} else if _, err := tx.Exec(ctx, `UPDATE territories SET name = ?, province = ?, city = ?, industry = ?, segment = ?, org_unit_id = ?, person_id = ?,
			version = version + 1, updated_at = ? WHERE id = ?`, in.Name, in.Province, in.City, in.Industry, in.Segment, nullID(in.UnitID), nullID(in.PersonID), now, id); err != nil {
			return fmt.Errorf("crm: update territory: %w", err)
		}
		var err error
		if out, err = scanTerritory(tx.QueryRow(ctx, `SELECT `+territoryColumns+` WHERE t.id = ?`, id)); err != nil {
			return fmt.Errorf("crm: reload territory: %w", err)
		}
		action := "update"
		if before == nil {
			action = "create"
		}
		return audit.Record(ctx, tx, action, "territory", id, before, out)
	})
	return out, err
}

// territorySet loads the territories once for the accounts created in one
// transaction (an import creates thousands).
type territorySet struct {
	all    []*Territory
	loaded bool
}

func (ts *territorySet) get(ctx context.Context, tx *db.Tx) ([]*Territory, error) {
	if !ts.loaded {
		all, err := allTerritories(ctx, tx)
		if err != nil {
			return nil, err
		}
		ts.all, ts.loaded = all, true
	}
	return ts.all, nil
}

// placement is where a new account goes: its owner (0 for a pool), its
// unit, its territory, and remarks about how the territory was applied.
type placement struct {
	owner, unit, territory int64
	notes                  []*echelon.Error
}

// applyTerritory matches an account's fields against the territories. The
// most specific matches win; when they disagree on who the market belongs
// to, nothing is guessed — the account gets no territory and a note names
// the conflict. An unowned account follows its territory: to the person it
// belongs to, or into its unit's pool. An owner outside the territory is
// kept and noted, so the manager can decide.
func applyTerritory(ctx context.Context, tx *db.Tx, ts *territorySet, f accountFields, p *placement) error {
	all, err := ts.get(ctx, tx)
	if err != nil {
		return err
	}
	var best []*Territory
	for _, t := range all {
		if !t.matches(f) {
			continue
		}
		switch {
		case len(best) == 0 || t.specificity() > best[0].specificity():
			best = []*Territory{t}
		case t.specificity() == best[0].specificity():
			best = append(best, t)
		}
	}
	if len(best) == 0 {
		return nil
	}
	for _, t := range best[1:] {
		if t.PersonID != best[0].PersonID || t.UnitID != best[0].UnitID {
			names := make([]string, len(best))
			for i, b := range best {
				names[i] = b.Name
			}
			p.notes = append(p.notes, echelon.Errorf("note", "territory.conflict", strings.Join(names, ", ")))
			return nil
		}
	}
	t := best[0]
	p.territory = t.ID
	switch {
	case p.owner == 0 && t.PersonID != 0:
		var unit int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(org_unit_id, 0) FROM people WHERE id = ? AND active`, t.PersonID).Scan(&unit); err == nil && unit != 0 {
			p.owner, p.unit = t.PersonID, unit
			p.notes = append(p.notes, echelon.Errorf("note", "territory.assigned", t.Name, t.PersonName))
		}
	case p.owner == 0:
		p.unit = t.UnitID
		p.notes = append(p.notes, echelon.Errorf("note", "territory.pooled", t.Name, t.UnitName))
	case t.PersonID != 0 && t.PersonID != p.owner:
		p.notes = append(p.notes, echelon.Errorf("note", "territory.owner_differs", t.Name, t.PersonName))
	}
	return nil
}
