package org

import (
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
)

// Data scope, in one place (PRODUCT.md section 1):
//   - admin sees every unit and person;
//   - a senior or regional manager sees the subtree of their own unit;
//   - everyone sees the chain of units from the company down to their own;
//   - a rep or a partner-department member sees only themselves among people.

// inSubtree reports whether the unit at path lies in the subtree rooted at root (inclusive).
func inSubtree(path, root string) bool { return root != "" && strings.HasPrefix(path, root) }

// canSeeUnit reports whether a may read the unit at path.
func canSeeUnit(a *echelon.Actor, path string) bool {
	if a.IsAdmin() {
		return true
	}
	if a.Role.IsManager() && inSubtree(path, a.UnitPath) {
		return true
	}
	return a.UnitPath != "" && strings.HasPrefix(a.UnitPath, path) // an ancestor of the actor's unit
}

// canManageUnit reports whether a may create, change or close units at path:
// admin anywhere, a manager strictly below their own unit.
func canManageUnit(a *echelon.Actor, path string) bool {
	if a.IsAdmin() {
		return true
	}
	return a.Role.IsManager() && inSubtree(path, a.UnitPath) && path != a.UnitPath
}

// canPlacePeopleIn reports whether a may put people into the unit at path:
// admin anywhere, a manager anywhere in their subtree including their own unit.
func canPlacePeopleIn(a *echelon.Actor, path string) bool {
	return a.IsAdmin() || (a.Role.IsManager() && inSubtree(path, a.UnitPath))
}

// unitScope returns a SQL condition on alias u limiting units to what a may see.
func unitScope(a *echelon.Actor) (string, []any) {
	switch {
	case a.IsAdmin():
		return "1=1", nil
	case a.Role.IsManager():
		return "(u.path LIKE ? OR ? LIKE u.path || '%')", []any{a.UnitPath + "%", a.UnitPath}
	case a.UnitPath != "":
		return "? LIKE u.path || '%'", []any{a.UnitPath}
	}
	return "1=0", nil
}

// personScope returns a SQL condition on aliases p (people) and u (their
// unit) limiting people to what a may see.
func personScope(a *echelon.Actor) (string, []any) {
	switch {
	case a.IsAdmin():
		return "1=1", nil
	case a.Role.IsManager():
		return "(p.id = ? OR u.path LIKE ?)", []any{a.PersonID, a.UnitPath + "%"}
	}
	return "p.id = ?", []any{a.PersonID}
}

// RecordScope returns a SQL condition limiting owned records (accounts,
// opportunities, activities …) to the actor's data scope: admin all; a
// manager the records whose org unit lies in their subtree (unitCol names
// the record's org-unit id column); a rep their own (ownerCol); a partner
// department none.
func RecordScope(a *echelon.Actor, ownerCol, unitCol string) (string, []any) {
	switch {
	case a.IsAdmin():
		return "1=1", nil
	case a.Role.IsManager() && a.UnitPath != "":
		// The unary + keeps SQLite from driving the query through the
		// org-unit index: a manager's scope spans thousands of records, and
		// reading a page in the order of an index on the sort column while
		// checking the unit is far cheaper than sorting the whole subtree.
		return "+" + unitCol + " IN (SELECT id FROM org_units WHERE path LIKE ?)", []any{a.UnitPath + "%"}
	case a.Role == echelon.RoleRep:
		return ownerCol + " = ?", []any{a.PersonID}
	}
	return "1=0", nil
}

// PageScope is RecordScope for reading a page of records in the order of
// an index on the sort column (the CRM's lists), whose query joins the
// record's org unit: pathCol names that unit's path. On PostgreSQL a
// manager's subtree is then a condition on the joined unit. RecordScope's
// semi-join made PostgreSQL plan twice as long, and together with a name
// search it misjudged the rows and looped over units and territories per
// row: 3.7 ms a search against the administrator's 1.6 ms, where this
// takes 1.5 ms. Reads that aggregate many records keep RecordScope, whose
// semi-join PostgreSQL hashes. SQLite keeps RecordScope's form, which
// keeps it on the sort column's index.
func PageScope(d db.Dialect, a *echelon.Actor, ownerCol, unitCol, pathCol string) (string, []any) {
	if d == db.Postgres && !a.IsAdmin() && a.Role.IsManager() && a.UnitPath != "" {
		return pathCol + " LIKE ?", []any{a.UnitPath + "%"}
	}
	return RecordScope(a, ownerCol, unitCol)
}

// CanSeeRecord reports whether a may see a record owned by ownerID in the
// unit at unitPath (the same rule as RecordScope, for one loaded record).
func CanSeeRecord(a *echelon.Actor, ownerID int64, unitPath string) bool {
	switch {
	case a.IsAdmin():
		return true
	case a.Role.IsManager():
		return inSubtree(unitPath, a.UnitPath)
	case a.Role == echelon.RoleRep:
		return ownerID == a.PersonID
	}
	return false
}

// InSubtree reports whether the unit at path lies in the subtree rooted at root (inclusive).
func InSubtree(path, root string) bool { return inSubtree(path, root) }
