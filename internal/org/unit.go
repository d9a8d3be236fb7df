package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
)

// Unit kinds.
const (
	KindCompany = "company"
	KindRegion  = "region"
	KindTeam    = "team"
)

func validKind(k string) bool { return k == KindCompany || k == KindRegion || k == KindTeam }

// Unit is a node of the organisation tree.
type Unit struct {
	ID          int64      `json:"id"`
	ParentID    int64      `json:"parent_id,omitempty"`
	Kind        string     `json:"kind"`
	Name        string     `json:"name"`
	Path        string     `json:"path"`
	ManagerID   int64      `json:"manager_id,omitempty"`
	ManagerName string     `json:"manager_name,omitempty"`
	People      int        `json:"people"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
	Version     int        `json:"version"`
}

// Depth is the number of ancestors of the unit (0 for the company).
func (u *Unit) Depth() int { return strings.Count(u.Path, "/") - 2 }

// UnitInput creates a unit.
type UnitInput struct {
	ParentID  int64  `json:"parent_id"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	ManagerID int64  `json:"manager_id,omitempty"`
}

// UnitUpdate changes a unit; nil fields stay as they are. A non-zero
// Version must match the stored one (optimistic locking).
type UnitUpdate struct {
	Name      *string `json:"name,omitempty"`
	Kind      *string `json:"kind,omitempty"`
	ParentID  *int64  `json:"parent_id,omitempty"`
	ManagerID *int64  `json:"manager_id,omitempty"`
	Version   int     `json:"version,omitempty"`
}

const unitColumns = `u.id, COALESCE(u.parent_id, 0), u.kind, u.name, u.path, COALESCE(u.manager_id, 0),
	COALESCE(m.name, ''), (SELECT COUNT(*) FROM people x WHERE x.org_unit_id = u.id AND x.active), u.closed_at, u.version
	FROM org_units u LEFT JOIN people m ON m.id = u.manager_id`

func scanUnit(row interface{ Scan(...any) error }) (*Unit, error) {
	var u Unit
	var closed sql.NullTime
	if err := row.Scan(&u.ID, &u.ParentID, &u.Kind, &u.Name, &u.Path, &u.ManagerID, &u.ManagerName, &u.People, &closed, &u.Version); err != nil {
		return nil, err
	}
	if closed.Valid {
		u.ClosedAt = &closed.Time
	}
	return &u, nil
}

// FindUnits returns the units the actor may see, ordered as a tree (by path).
// Closed units are included only when includeClosed is set.
func (s *Service) FindUnits(ctx context.Context, includeClosed bool) ([]*Unit, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := unitScope(a)
	if !includeClosed {
		cond += " AND u.closed_at IS NULL"
	}
	var out []*Unit
	err = s.db.View(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+unitColumns+` WHERE `+cond+` ORDER BY u.path`, args...)
		if err != nil {
			return fmt.Errorf("org: find units: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUnit(rows)
			if err != nil {
				return fmt.Errorf("org: scan unit: %w", err)
			}
			out = append(out, u)
		}
		return rows.Err()
	})
	sortTree(out)
	return out, err
}

// sortTree orders units depth-first with numeric path comparison, so unit
// /1/10/ follows /1/9/ rather than /1/1/.
func sortTree(units []*Unit) {
	key := func(u *Unit) []int64 {
		var k []int64
		for _, p := range strings.Split(strings.Trim(u.Path, "/"), "/") {
			n, _ := strconv.ParseInt(p, 10, 64)
			k = append(k, n)
		}
		return k
	}
	less := func(a, b []int64) bool {
		for i := 0; i < len(a) && i < len(b); i++ {
			if a[i] != b[i] {
				return a[i] < b[i]
			}
		}
		return len(a) < len(b)
	}
	keys := make(map[*Unit][]int64, len(units))
	for _, u := range units {
		keys[u] = key(u)
	}
	for i := 1; i < len(units); i++ { // insertion sort: input is nearly sorted already
		for j := i; j > 0 && less(keys[units[j]], keys[units[j-1]]); j-- {
			units[j], units[j-1] = units[j-1], units[j]
		}
	}
}

// FindUnitByID returns one unit; a unit outside the actor's scope is ENOTFOUND.
func (s *Service) FindUnitByID(ctx context.Context, id int64) (*Unit, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var u *Unit
	err = s.db.View(ctx, func(tx *db.Tx) error {
		u, err = findUnit(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !canSeeUnit(a, u.Path) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "unit.not_found")
	}
	return u, nil
}

func findUnit(ctx context.Context, tx *db.Tx, id int64) (*Unit, error) {
	u, err := scanUnit(tx.QueryRow(ctx, `SELECT `+unitColumns+` WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "unit.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("org: find unit %d: %w", id, err)
	}
	return u, nil
}

// findVisibleUnit loads a unit and hides it (ENOTFOUND) when a may not see it.
func findVisibleUnit(ctx context.Context, tx *db.Tx, a *echelon.Actor, id int64) (*Unit, error) {
	u, err := findUnit(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !canSeeUnit(a, u.Path) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "unit.not_found")
	}
	return u, nil
}

// CreateUnit adds a unit below an open parent the actor manages.
func (s *Service) CreateUnit(ctx context.Context, in UnitInput) (*Unit, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *Unit
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		out, err = createUnit(ctx, tx, a, in)
		return err
	})
	return out, err
}

func createUnit(ctx context.Context, tx *db.Tx, a *echelon.Actor, in UnitInput) (*Unit, error) {
	name, err := cleanName("name", in.Name)
	if err != nil {
		return nil, err
	}
	if !validKind(in.Kind) || in.Kind == KindCompany {
		return nil, echelon.FieldError("kind", "unit.kind_invalid")
	}
	if in.ParentID == 0 {
		return nil, echelon.FieldError("parent_id", "field.required")
	}
	parent, err := findVisibleUnit(ctx, tx, a, in.ParentID)
	if err != nil {
		return nil, echelon.FieldError("parent_id", "unit.not_found")
	}
	if parent.ClosedAt != nil {
		return nil, echelon.FieldError("parent_id", "unit.parent_closed")
	}
	if !canPlacePeopleIn(a, parent.Path) {
		return nil, forbidden()
	}
	now := time.Now().UTC()
	id, err := tx.InsertID(ctx, `INSERT INTO org_units (parent_id, kind, name, path, created_at, updated_at)
		VALUES (?, ?, ?, '', ?, ?)`, parent.ID, in.Kind, name, now, now)
	if err != nil {
		return nil, fmt.Errorf("org: insert unit: %w", err)
	}
	path := parent.Path + strconv.FormatInt(id, 10) + "/"
	if _, err := tx.Exec(ctx, `UPDATE org_units SET path = ? WHERE id = ?`, path, id); err != nil {
		return nil, fmt.Errorf("org: set unit path: %w", err)
	}
	if in.ManagerID != 0 {
		if err := setUnitManager(ctx, tx, a, id, path, in.ManagerID); err != nil {
			return nil, err
		}
	}
	out, err := findUnit(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return out, audit.Record(ctx, tx, "create", "org_unit", id, nil, out)
}

// setUnitManager makes personID the manager of the unit at path: an active
// person the actor may see, belonging to the unit or one of its ancestors.
func setUnitManager(ctx context.Context, tx *db.Tx, a *echelon.Actor, unitID int64, path string, personID int64) error {
	if personID != 0 {
		var mPath string
		var active bool
		var role echelon.Role
		err := tx.QueryRow(ctx, `SELECT COALESCE(u.path, ''), p.active, p.role FROM people p LEFT JOIN org_units u ON u.id = p.org_unit_id WHERE p.id = ?`, personID).Scan(&mPath, &active, &role)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.IsAdmin() && !canSeeUnit(a, mPath)) {
			return echelon.FieldError("manager_id", "person.not_found")
		}
		if err != nil {
			return fmt.Errorf("org: find unit manager: %w", err)
		}
		if !active {
			return echelon.FieldError("manager_id", "person.inactive")
		}
		if mPath == "" || !strings.HasPrefix(path, mPath) {
			return echelon.FieldError("manager_id", "unit.manager_outside")
		}
		if !role.IsManager() {
			return echelon.FieldError("manager_id", "unit.manager_role")
		}
	}
	var mgr any
	if personID != 0 {
		mgr = personID
	}
	if _, err := tx.Exec(ctx, `UPDATE org_units SET manager_id = ? WHERE id = ?`, mgr, unitID); err != nil {
		return fmt.Errorf("org: set unit manager: %w", err)
	}
	return nil
}

// UpdateUnit renames, re-kinds, moves or re-staffs a unit the actor manages.
// A move never goes into the unit's own subtree, and is refused when it would
// leave someone in the moved subtree with a manager outside their unit chain.
func (s *Service) UpdateUnit(ctx context.Context, id int64, up UnitUpdate) (*Unit, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *Unit
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findVisibleUnit(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !canManageUnit(a, before.Path) {
			return forbidden()
		}
		if up.Version != 0 && up.Version != before.Version {
			return conflictVersion()
		}
		if before.ClosedAt != nil {
			return echelon.Errorf(echelon.ECONFLICT, "unit.closed")
		}
		name, kind := before.Name, before.Kind
		if up.Name != nil {
			if name, err = cleanName("name", *up.Name); err != nil {
				return err
			}
		}
		if up.Kind != nil {
			kind = *up.Kind
			if !validKind(kind) || (kind == KindCompany) != (before.ParentID == 0) {
				return echelon.FieldError("kind", "unit.kind_invalid")
			}
		}
		path := before.Path
		if up.ParentID != nil && *up.ParentID != before.ParentID {
			if path, err = moveUnit(ctx, tx, a, before, *up.ParentID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE org_units SET name = ?, kind = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			name, kind, time.Now().UTC(), id); err != nil {
			return fmt.Errorf("org: update unit: %w", err)
		}
		if up.ManagerID != nil && *up.ManagerID != before.ManagerID {
			if err := setUnitManager(ctx, tx, a, id, path, *up.ManagerID); err != nil {
				return err
			}
		}
		if out, err = findUnit(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "update", "org_unit", id, before, out)
	})
	return out, err
}

// moveUnit re-parents u under parentID and rewrites the paths of its subtree.
func moveUnit(ctx context.Context, tx *db.Tx, a *echelon.Actor, u *Unit, parentID int64) (string, error) {
	if u.ParentID == 0 {
		return "", echelon.FieldError("parent_id", "unit.root_fixed")
	}
	parent, err := findVisibleUnit(ctx, tx, a, parentID)
	if err != nil {
		return "", echelon.FieldError("parent_id", "unit.not_found")
	}
	if strings.HasPrefix(parent.Path, u.Path) {
		return "", echelon.FieldError("parent_id", "unit.cycle")
	}
	if parent.ClosedAt != nil {
		return "", echelon.FieldError("parent_id", "unit.parent_closed")
	}
	if !canPlacePeopleIn(a, parent.Path) {
		return "", forbidden()
	}
	newPath := parent.Path + strconv.FormatInt(u.ID, 10) + "/"
	if _, err := tx.Exec(ctx, `UPDATE org_units SET path = ? || substr(path, ?) WHERE path LIKE ?`,
		newPath, len(u.Path)+1, u.Path+"%"); err != nil {
		return "", fmt.Errorf("org: rewrite subtree paths: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE org_units SET parent_id = ? WHERE id = ?`, parent.ID, u.ID); err != nil {
		return "", fmt.Errorf("org: re-parent unit: %w", err)
	}
	// People of the moved subtree whose manager sits outside it must find
	// that manager on their new chain of units; otherwise the move is refused.
	var stranded int
	err = tx.QueryRow(ctx, `SELECT COUNT(*) FROM people p
		JOIN org_units pu ON pu.id = p.org_unit_id
		JOIN people m ON m.id = p.manager_id
		JOIN org_units mu ON mu.id = m.org_unit_id
		WHERE pu.path LIKE ? AND mu.path NOT LIKE ? AND pu.path NOT LIKE mu.path || '%'`,
		newPath+"%", newPath+"%").Scan(&stranded)
	if err == nil {
		var units int
		err = tx.QueryRow(ctx, `SELECT COUNT(*) FROM org_units u
			JOIN people m ON m.id = u.manager_id
			JOIN org_units mu ON mu.id = m.org_unit_id
			WHERE u.path LIKE ? AND u.path NOT LIKE mu.path || '%'`, newPath+"%").Scan(&units)
		stranded += units
	}
	if err != nil {
		return "", fmt.Errorf("org: check managers after move: %w", err)
	}
	if stranded > 0 {
		return "", echelon.Errorf(echelon.ECONFLICT, "unit.move_strands_managers", stranded)
	}
	return newPath, nil
}

// CloseUnit closes a unit the actor manages. It is refused, with the
// reason, while active people or open child units remain in it.
func (s *Service) CloseUnit(ctx context.Context, id int64) (*Unit, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *Unit
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findVisibleUnit(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !canManageUnit(a, before.Path) {
			return forbidden()
		}
		if before.ParentID == 0 {
			return echelon.Errorf(echelon.ECONFLICT, "unit.root_fixed")
		}
		if before.ClosedAt != nil {
			return echelon.Errorf(echelon.ECONFLICT, "unit.closed")
		}
		var people, children int
		if err := tx.QueryRow(ctx, `SELECT
			(SELECT COUNT(*) FROM people p JOIN org_units u ON u.id = p.org_unit_id WHERE u.path LIKE ? AND p.active),
			(SELECT COUNT(*) FROM org_units WHERE parent_id = ? AND closed_at IS NULL)`, before.Path+"%", id).Scan(&people, &children); err != nil {
			return fmt.Errorf("org: check unit before close: %w", err)
		}
		if people > 0 {
			return echelon.Errorf(echelon.ECONFLICT, "unit.close_has_people", people)
		}
		if children > 0 {
			return echelon.Errorf(echelon.ECONFLICT, "unit.close_has_children", children)
		}
		now := time.Now().UTC()
		if _, err := tx.Exec(ctx, `UPDATE org_units SET closed_at = ?, version = version + 1, updated_at = ? WHERE id = ?`, now, now, id); err != nil {
			return fmt.Errorf("org: close unit: %w", err)
		}
		if out, err = findUnit(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "close", "org_unit", id, before, out)
	})
	return out, err
}
