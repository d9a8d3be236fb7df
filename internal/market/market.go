// Package market holds market sizes and market share (PRODUCT.md 2.4 and
// 2.10): the size of a market — a territory, or a customer segment across
// the company — in a fiscal period, entered or imported, and the share of
// it that the company's own won revenue takes, by territory, by region
// (the territories that belong to a region's subtree, summed) or by
// segment.
//
// Who may see and set what (docs/permissions.md):
//   - admin and senior managers see and set every market;
//   - a regional manager sees and sets the markets of the territories that
//     belong to their subtree (by the territory's unit, or its person's
//     unit); segments span the company and are not theirs;
//   - a rep sees the markets of the territories assigned to them or holding
//     an account they own, and sets none;
//   - partner departments see and set none.
//
// Revenue is read inside the reader's record scope (org.RecordScope), so a
// share never counts a deal its reader could not open.
package market

import (
	"context"
	"fmt"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
)

// What a market is drawn by.
const (
	ByTerritory = "territory"
	BySegment   = "segment"
	ByRegion    = "region" // the territories of a region's subtree, summed (shares only)
)

// entity names market sizes in the audit log.
const entity = "market_size"

// Service keeps market sizes and computes market shares.
type Service struct {
	db  *db.DB
	now func() time.Time
}

// NewService returns the market service.
func NewService(d *db.DB) *Service { return &Service{db: d, now: time.Now} }

// WithClock returns a copy of the service that reads the time from now (for tests).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// fmtErr wraps an internal error with what was being done; nil stays nil.
func fmtErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("market: %s: %w", what, err)
}

func actor(ctx context.Context) (*echelon.Actor, error) {
	if a := echelon.ActorFrom(ctx); a != nil {
		return a, nil
	}
	return nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
}

// writer is the actor when their role may set market sizes at all: admin
// and managers; reps and partner departments are refused.
func writer(ctx context.Context) (*echelon.Actor, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() && !a.Role.IsManager() {
		return nil, echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden")
	}
	return a, nil
}

// scope is what one reader may see of the markets.
type scope struct {
	act   *echelon.Actor
	owned map[int64]bool // a rep's territories: assigned to them or holding an account of theirs
}

func loadScope(ctx context.Context, tx *db.Tx, act *echelon.Actor) (*scope, error) {
	sc := &scope{act: act, owned: map[int64]bool{}}
	if act.Role != echelon.RoleRep {
		return sc, nil
	}
	rows, err := tx.Query(ctx, `SELECT id FROM territories WHERE person_id = ?
		UNION SELECT territory_id FROM accounts WHERE owner_id = ? AND territory_id IS NOT NULL`, act.PersonID, act.PersonID)
	if err != nil {
		return nil, fmtErr("territories of rep", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmtErr("scan territory of rep", err)
		}
		sc.owned[id] = true
	}
	return sc, fmtErr("territories of rep", rows.Err())
}

// everything reports whether the reader sees every market (admin, senior manager).
func (sc *scope) everything() bool {
	return sc.act.IsAdmin() || sc.act.Role == echelon.RoleSeniorManager
}

// below reports whether a regional manager reader has the unit at path in their subtree.
func (sc *scope) below(path string) bool {
	return sc.act.Role == echelon.RoleRegionalManager && org.InSubtree(path, sc.act.UnitPath)
}

func (sc *scope) seesTerritory(t *territory) bool {
	return sc.everything() || sc.below(t.path) || sc.owned[t.id]
}

func (sc *scope) seesSegments() bool { return sc.everything() }

func (sc *scope) seesRegion(path string) bool { return sc.everything() || sc.below(path) }
