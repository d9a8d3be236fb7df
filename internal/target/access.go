package target

import (
	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/org"
)

// Who may read and set targets (docs/permissions.md):
//   - admin: every target;
//   - a manager reads the targets in their unit's subtree and sets those
//     strictly below their own unit; the senior manager also sets the
//     company's target (the year's goal);
//   - a rep reads their own target;
//   - nobody sets their own target, nor their own unit's.

func canSee(a *echelon.Actor, n *Node) bool {
	switch {
	case n == nil:
		return false
	case a.IsAdmin():
		return true
	case a.Role.IsManager():
		return org.InSubtree(n.UnitPath, a.UnitPath)
	}
	return a.PersonID != 0 && n.PersonID == a.PersonID
}

// canEdit is nil when a may set n's target, or the error saying why not.
func canEdit(a *echelon.Actor, n *Node) error {
	own := echelon.Errorf(echelon.EFORBIDDEN, "target.own")
	switch {
	case a.IsAdmin():
		return nil
	case n.PersonID != 0 && n.PersonID == a.PersonID:
		return own
	case n.PersonID == 0 && n.parent == nil:
		if a.Role == echelon.RoleSeniorManager && org.InSubtree(n.UnitPath, a.UnitPath) {
			return nil // the year's goal
		}
	case n.PersonID == 0 && n.UnitPath == a.UnitPath:
		return own
	case a.Role.IsManager() && org.InSubtree(n.UnitPath, a.UnitPath):
		return nil
	}
	return echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden")
}

// canDecide reports whether a may approve, lock or revise plans and create them.
func canDecide(a *echelon.Actor) bool {
	return a.IsAdmin() || a.Role == echelon.RoleSeniorManager
}
