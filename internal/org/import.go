package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
)

// PersonFields are the importable columns of people and their org units.
// org_unit is a path of unit names below the company, e.g. "华东大区/上海一组";
// missing units along it are created (regions at the first level, teams
// below). unit_manager marks the person as the manager of that unit.
var PersonFields = []string{"email", "name", "phone", "role", "org_unit", "manager_email", "level", "hire_date", "unit_manager"}

// ImportPeopleInTx creates or, by e-mail, updates people inside the
// importer's transaction, creating the org units their paths name. Managers
// are set in a second pass so a file may list a rep before their manager.
// A rejected row is reported, not fatal.
func (s *Service) ImportPeopleInTx(ctx context.Context, tx *db.Tx, rows []echelon.Row) ([]*echelon.RowResult, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() && !a.Role.IsManager() {
		return nil, forbidden()
	}
	im := &peopleImport{s: s, tx: tx, a: a, units: map[string]int64{}}
	out := make([]*echelon.RowResult, len(rows))
	for i, row := range rows {
		out[i] = &echelon.RowResult{Line: row.Line}
		if err := im.run(ctx, out[i], func() error { return im.person(ctx, row, out[i]) }); err != nil {
			return nil, err
		}
	}
	for i, row := range rows {
		if out[i].Error != nil || (row.Get("manager_email") == "" && !parseYes(row.Get("unit_manager"))) {
			continue
		}
		if err := im.run(ctx, out[i], func() error { return im.manager(ctx, row, out[i]) }); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type peopleImport struct {
	s     *Service
	tx    *db.Tx
	a     *echelon.Actor
	units map[string]int64 // unit path of names → id
}

// run executes fn, turning a user error into a failed row. Every check that
// can refuse a row runs before it writes, and any failed row makes the
// importer roll the whole file back.
func (im *peopleImport) run(ctx context.Context, res *echelon.RowResult, fn func() error) error {
	err := fn()
	var e *echelon.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		res.Action, res.Error = echelon.RowFailed, e
		return nil
	}
	return fmt.Errorf("org: import line %d: %w", res.Line, err)
}

func parseYes(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "y", "是", "x":
		return true
	}
	return false
}

// unit returns the id of the unit at a path of names, creating missing ones.
func (im *peopleImport) unit(ctx context.Context, path string) (int64, error) {
	var parent int64
	if err := im.tx.QueryRow(ctx, `SELECT id FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1`).Scan(&parent); err != nil {
		return 0, fmt.Errorf("org: find company: %w", err)
	}
	key := ""
	for depth, name := range strings.Split(path, "/") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		key += "/" + name
		if id, ok := im.units[key]; ok {
			parent = id
			continue
		}
		var id int64
		err := im.tx.QueryRow(ctx, `SELECT id FROM org_units WHERE parent_id = ? AND name = ? AND closed_at IS NULL`, parent, name).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			kind := KindTeam
			if depth == 0 {
				kind = KindRegion
			}
			u, err := createUnit(ctx, im.tx, im.a, UnitInput{ParentID: parent, Kind: kind, Name: name})
			if err != nil {
				return 0, err
			}
			id = u.ID
		} else if err != nil {
			return 0, fmt.Errorf("org: find unit %q: %w", name, err)
		}
		im.units[key], parent = id, id
	}
	return parent, nil
}

func (im *peopleImport) level(ctx context.Context, name string) (int64, error) {
	if name == "" {
		return 0, nil
	}
	var id int64
	err := im.tx.QueryRow(ctx, `SELECT id FROM levels WHERE code = ? OR name_zh = ? OR LOWER(name_en) = LOWER(?)`, name, name, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, echelon.FieldError("level", "level.not_found")
	}
	return id, err
}

// person creates or updates the row's person, without their manager.
func (im *peopleImport) person(ctx context.Context, row echelon.Row, res *echelon.RowResult) error {
	email, err := cleanEmail(row.Get("email"))
	if err != nil {
		return err
	}
	var unitID int64
	if p := row.Get("org_unit"); p != "" {
		if unitID, err = im.unit(ctx, p); err != nil {
			return err
		}
	}
	levelID, err := im.level(ctx, row.Get("level"))
	if err != nil {
		return err
	}
	var id int64
	err = im.tx.QueryRow(ctx, `SELECT id FROM people WHERE email = ?`, email).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		p, err := im.s.createPerson(ctx, im.tx, im.a, PersonInput{Email: email, Name: row.Get("name"), Phone: row.Get("phone"),
			Role: echelon.Role(row.Get("role")), UnitID: unitID, LevelID: levelID, HireDate: row.Get("hire_date")})
		if err != nil {
			return err
		}
		res.Action, res.ID = echelon.RowCreated, p.ID
		return nil
	}
	if err != nil {
		return fmt.Errorf("org: find person %s: %w", email, err)
	}
	before, err := findVisiblePerson(ctx, im.tx, im.a, id)
	if err != nil {
		return echelon.FieldError("email", "person.email_taken", email)
	}
	up := PersonUpdate{}
	changed := false
	str := func(field string, cur string, dst **string) {
		if v := row.Get(field); row.Has(field) && v != cur {
			*dst, changed = &v, true
		}
	}
	str("name", before.Name, &up.Name)
	str("phone", before.Phone, &up.Phone)
	str("hire_date", before.HireDate, &up.HireDate)
	if r := echelon.Role(row.Get("role")); row.Has("role") && r != before.Role {
		up.Role, changed = &r, true
	}
	if row.Has("org_unit") && unitID != before.UnitID {
		up.UnitID, changed = &unitID, true
	}
	if row.Has("level") && levelID != before.LevelID {
		up.LevelID, changed = &levelID, true
	}
	res.ID, res.Action = id, echelon.RowSkipped
	if !changed {
		return nil
	}
	if _, err := updatePerson(ctx, im.tx, im.a, before, up); err != nil {
		return err
	}
	res.Action = echelon.RowUpdated
	return nil
}

// manager sets the row's manager and, with unit_manager, makes the person
// the manager of their unit.
func (im *peopleImport) manager(ctx context.Context, row echelon.Row, res *echelon.RowResult) error {
	p, err := findPerson(ctx, im.tx, res.ID)
	if err != nil {
		return err
	}
	if e := row.Get("manager_email"); e != "" {
		email, err := cleanEmail(e)
		if err != nil {
			return echelon.FieldError("manager_email", "email.invalid")
		}
		var mid int64
		if err := im.tx.QueryRow(ctx, `SELECT id FROM people WHERE email = ?`, email).Scan(&mid); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return echelon.FieldError("manager_email", "person.not_found")
			}
			return fmt.Errorf("org: find manager %s: %w", email, err)
		}
		if mid != p.ManagerID {
			if p, err = updatePerson(ctx, im.tx, im.a, p, PersonUpdate{ManagerID: &mid}); err != nil {
				return err
			}
			if res.Action == echelon.RowSkipped {
				res.Action = echelon.RowUpdated
			}
		}
	}
	if parseYes(row.Get("unit_manager")) && p.UnitID != 0 {
		u, err := findUnit(ctx, im.tx, p.UnitID)
		if err != nil {
			return err
		}
		if u.ManagerID != p.ID {
			if err := setUnitManager(ctx, im.tx, im.a, u.ID, u.Path, p.ID); err != nil {
				return err
			}
			after, err := findUnit(ctx, im.tx, u.ID)
			if err != nil {
				return err
			}
			if err := audit.Record(ctx, im.tx, "update", "org_unit", u.ID, u, after); err != nil {
				return err
			}
			if res.Action == echelon.RowSkipped {
				res.Action = echelon.RowUpdated
			}
		}
	}
	return nil
}
