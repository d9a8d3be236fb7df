package crm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
)

// Ownership actions kept in account_ownership.
const (
	OwnCreate     = "create"
	OwnClaim      = "claim"
	OwnReturn     = "return"
	OwnAutoReturn = "auto_return"
	OwnTransfer   = "transfer"
	OwnMerge      = "merge"
)

// OwnershipEvent is one line of an account's ownership history.
type OwnershipEvent struct {
	Action   string    `json:"action"`
	FromID   int64     `json:"from_owner_id,omitempty"`
	FromName string    `json:"from_owner_name,omitempty"`
	ToID     int64     `json:"to_owner_id,omitempty"`
	ToName   string    `json:"to_owner_name,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	At       time.Time `json:"at"`
}

// PoolRule sets, for an org unit's pool and the units below it without a
// rule of their own, after how many days without an activity an owned
// account returns to the pool, and how many days its former owner must
// wait before claiming it again.
type PoolRule struct {
	UnitID      int64 `json:"org_unit_id"`
	ReturnDays  int   `json:"return_days"`
	LockoutDays int   `json:"lockout_days"`
	Version     int   `json:"version"`
}

// ownership is one change of an account's owner; pool is the org unit
// whose pool the account left (claim) or entered (return).
type ownership struct {
	action         string
	from, to, pool int64
	reason         string
}

func recordOwnership(ctx context.Context, tx *db.Tx, accountID int64, o ownership, at time.Time) error {
	var actorID any
	if a := echelon.ActorFrom(ctx); a != nil && a.PersonID != 0 {
		actorID = a.PersonID
	}
	_, err := tx.Exec(ctx, `INSERT INTO account_ownership (account_id, action, from_owner, to_owner, pool_unit_id, reason, actor_id, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, accountID, o.action, nullID(o.from), nullID(o.to), nullID(o.pool), o.reason, actorID, at)
	if err != nil {
		return fmt.Errorf("crm: record ownership: %w", err)
	}
	return nil
}

// checkAccountLimit refuses when the owner would hold more accounts than
// their echelon level allows (0 means no limit).
func checkAccountLimit(ctx context.Context, tx *db.Tx, ownerID int64, adding int) error {
	if err := serialize(ctx, tx, lockOwner, ownerID); err != nil {
		return err
	}
	var limit, owned int
	err := tx.QueryRow(ctx, `SELECT COALESCE(l.account_limit, 0),
		(SELECT COUNT(*) FROM accounts a WHERE a.owner_id = p.id AND a.merged_into_id IS NULL)
		FROM people p LEFT JOIN levels l ON l.id = p.level_id WHERE p.id = ?`, ownerID).Scan(&limit, &owned)
	if err != nil {
		return fmt.Errorf("crm: account limit of %d: %w", ownerID, err)
	}
	if limit > 0 && owned+adding > limit {
		return echelon.Errorf(echelon.ECONFLICT, "pool.limit_reached", limit, owned)
	}
	return nil
}

// ruleFor returns the pool rule of the unit at path: its own or the nearest ancestor's.
func ruleFor(ctx context.Context, tx *db.Tx, path string) (*PoolRule, error) {
	var r PoolRule
	err := tx.QueryRow(ctx, `SELECT r.org_unit_id, r.return_days, r.lockout_days, r.version FROM pool_rules r
		JOIN org_units u ON u.id = r.org_unit_id WHERE ? LIKE u.path || '%' ORDER BY LENGTH(u.path) DESC LIMIT 1`, path).
		Scan(&r.UnitID, &r.ReturnDays, &r.LockoutDays, &r.Version)
	if err != nil {
		return nil, fmt.Errorf("crm: pool rule for %s: %w", path, err)
	}
	return &r, nil
}

// ClaimAccount takes an account from the pool for the signed-in rep or
// manager, within their level's limit and outside the lockout after they
// returned or lost it. Two people claiming at once: one wins, the other is told.
func (s *Service) ClaimAccount(ctx context.Context, id int64) (*Account, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if act.Role != echelon.RoleRep && !act.Role.IsManager() {
		return nil, forbidden()
	}
	var out *Account
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findVisibleAccount(ctx, tx, act, id)
		if echelon.ErrorCode(err) == echelon.ENOTFOUND {
			return claimedMeanwhile(ctx, tx, act, id, err)
		}
		if err != nil {
			return err
		}
		if !before.InPool() {
			return echelon.Errorf(echelon.ECONFLICT, "pool.already_owned")
		}
		rule, err := ruleFor(ctx, tx, before.UnitPath)
		if err != nil {
			return err
		}
		now := s.now()
		// The column itself, not MAX(at): SQLite gives an aggregate no
		// declared type, so it would come back as text instead of a time.
		var last sql.NullTime
		if err := tx.QueryRow(ctx, `SELECT at FROM account_ownership WHERE account_id = ? AND from_owner = ? AND action IN (?, ?, ?)
			ORDER BY at DESC LIMIT 1`, id, act.PersonID, OwnReturn, OwnAutoReturn, OwnTransfer).Scan(&last); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("crm: lockout check: %w", err)
		}
		if last.Valid {
			if until := last.Time.AddDate(0, 0, rule.LockoutDays); now.Before(until) {
				return echelon.Errorf(echelon.ECONFLICT, "pool.locked_out", until.Format(time.DateOnly))
			}
		}
		if err := checkAccountLimit(ctx, tx, act.PersonID, 1); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE accounts SET owner_id = ?, org_unit_id = ?, owned_since = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND owner_id IS NULL`, act.PersonID, act.UnitID, now, now, id)
		if err != nil {
			return fmt.Errorf("crm: claim account: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return echelon.Errorf(echelon.ECONFLICT, "pool.already_owned")
		}
		if err := recordOwnership(ctx, tx, id, ownership{action: OwnClaim, to: act.PersonID, pool: before.UnitID}, now); err != nil {
			return err
		}
		if out, err = findAccount(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "claim", "account", id, before, out)
	})
	return out, err
}

// claimedMeanwhile tells the loser of a claim, who no longer sees the
// account now that it left their pool, that someone claimed it, without
// naming who. Only an account last claimed from a pool the actor could
// claim from gets that answer; any other stays notFound, so a guessed id
// learns nothing.
func claimedMeanwhile(ctx context.Context, tx *db.Tx, act *echelon.Actor, id int64, notFound error) error {
	var action, poolPath string
	err := tx.QueryRow(ctx, `SELECT h.action, COALESCE(pu.path, '') FROM account_ownership h JOIN accounts a ON a.id = h.account_id
		LEFT JOIN org_units pu ON pu.id = h.pool_unit_id
		WHERE h.account_id = ? AND a.owner_id IS NOT NULL AND a.merged_into_id IS NULL ORDER BY h.at DESC, h.id DESC LIMIT 1`, id).Scan(&action, &poolPath)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (action != OwnClaim || poolPath == "" || !strings.HasPrefix(act.UnitPath, poolPath))) {
		return notFound
	}
	if err != nil {
		return fmt.Errorf("crm: claim history of %d: %w", id, err)
	}
	return echelon.Errorf(echelon.ECONFLICT, "pool.already_owned")
}

// ReleaseAccount returns an owned account to the pool of its unit, by its
// owner or a manager over it, with an optional reason.
func (s *Service) ReleaseAccount(ctx context.Context, id int64, reason string) (*Account, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	reason, err = text("reason", reason, maxName, false)
	if err != nil {
		return nil, err
	}
	var out *Account
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findVisibleAccount(ctx, tx, act, id)
		if err != nil {
			return err
		}
		if before.InPool() {
			return echelon.Errorf(echelon.ECONFLICT, "pool.not_owned")
		}
		if !org.CanSeeRecord(act, before.OwnerID, before.UnitPath) {
			return forbidden()
		}
		if out, err = s.returnToPool(ctx, tx, before, OwnReturn, reason); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "return", "account", id, before, out)
	})
	return out, err
}

func (s *Service) returnToPool(ctx context.Context, tx *db.Tx, a *Account, action, reason string) (*Account, error) {
	now := s.now()
	if _, err := tx.Exec(ctx, `UPDATE accounts SET owner_id = NULL, owned_since = NULL, version = version + 1, updated_at = ? WHERE id = ?`, now, a.ID); err != nil {
		return nil, fmt.Errorf("crm: return account to pool: %w", err)
	}
	if err := recordOwnership(ctx, tx, a.ID, ownership{action: action, from: a.OwnerID, pool: a.UnitID, reason: reason}, now); err != nil {
		return nil, err
	}
	return findAccount(ctx, tx, a.ID)
}

// TransferAccount gives an account (owned or in the pool) to another owner,
// by a manager or admin, with a reason that is kept.
func (s *Service) TransferAccount(ctx context.Context, id, toOwner int64, reason string) (*Account, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !act.IsAdmin() && !act.Role.IsManager() {
		return nil, forbidden()
	}
	if reason, err = text("reason", reason, maxName, true); err != nil {
		return nil, err
	}
	var out *Account
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findVisibleAccount(ctx, tx, act, id)
		if err != nil {
			return err
		}
		if !org.CanSeeRecord(act, before.OwnerID, before.UnitPath) {
			return forbidden()
		}
		if before.OwnerID == toOwner {
			return echelon.FieldError("owner_id", "account.same_owner")
		}
		o, err := findOwner(ctx, tx, act, toOwner)
		if err != nil {
			return err
		}
		if err := checkAccountLimit(ctx, tx, o.id, 1); err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE accounts SET owner_id = ?, org_unit_id = ?, owned_since = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			o.id, o.unitID, now, now, id); err != nil {
			return fmt.Errorf("crm: transfer account: %w", err)
		}
		if err := recordOwnership(ctx, tx, id, ownership{action: OwnTransfer, from: before.OwnerID, to: o.id, reason: reason}, now); err != nil {
			return err
		}
		if out, err = findAccount(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "transfer", "account", id, before, out)
	})
	return out, err
}

// FindOwnership returns the ownership history of an account the actor may see, newest first.
func (s *Service) FindOwnership(ctx context.Context, id int64) ([]*OwnershipEvent, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out []*OwnershipEvent
	err = s.db.View(ctx, func(tx *db.Tx) error {
		if _, err := findVisibleAccount(ctx, tx, act, id); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT h.action, COALESCE(h.from_owner, 0), COALESCE(f.name, ''), COALESCE(h.to_owner, 0), COALESCE(t.name, ''), h.reason, h.at
			FROM account_ownership h LEFT JOIN people f ON f.id = h.from_owner LEFT JOIN people t ON t.id = h.to_owner
			WHERE h.account_id = ? ORDER BY h.at DESC, h.id DESC`, id)
		if err != nil {
			return fmt.Errorf("crm: ownership history: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var e OwnershipEvent
			if err := rows.Scan(&e.Action, &e.FromID, &e.FromName, &e.ToID, &e.ToName, &e.Reason, &e.At); err != nil {
				return fmt.Errorf("crm: scan ownership: %w", err)
			}
			out = append(out, &e)
		}
		return rows.Err()
	})
	return out, err
}

// ReturnStaleAccounts returns to the pool every owned account without an
// activity for longer than its pool rule allows, and reports how many.
// It runs as the system; callers hold the job lease.
func (s *Service) ReturnStaleAccounts(ctx context.Context) (int, error) {
	ctx = echelon.NewContext(ctx, echelon.SystemActor("pool-return job"))
	now := s.now()
	n := 0
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		var minDays int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MIN(return_days), 0) FROM pool_rules`).Scan(&minDays); err != nil {
			return fmt.Errorf("crm: pool rules: %w", err)
		}
		if minDays <= 0 {
			return nil
		}
		rows, err := tx.Query(ctx, `SELECT `+accountColumns+` WHERE a.owner_id IS NOT NULL AND a.merged_into_id IS NULL
			AND COALESCE(a.last_activity_at, a.owned_since, a.created_at) < ?`, now.AddDate(0, 0, -minDays))
		if err != nil {
			return fmt.Errorf("crm: stale accounts: %w", err)
		}
		var stale []*Account
		for rows.Next() {
			a, err := scanAccount(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("crm: scan stale account: %w", err)
			}
			stale = append(stale, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rules := map[string]*PoolRule{}
		for _, a := range stale {
			r, ok := rules[a.UnitPath]
			if !ok {
				if r, err = ruleFor(ctx, tx, a.UnitPath); err != nil {
					return err
				}
				rules[a.UnitPath] = r
			}
			since := lastFollowUp(a)
			if now.Sub(since) < time.Duration(r.ReturnDays)*24*time.Hour {
				continue
			}
			after, err := s.returnToPool(ctx, tx, a, OwnAutoReturn, fmt.Sprintf("%d", r.ReturnDays))
			if err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, "auto_return", "account", a.ID, a, after); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// FindPoolRules lists the pool rules of the units the actor may see.
func (s *Service) FindPoolRules(ctx context.Context) ([]*PoolRule, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out []*PoolRule
	err = s.db.View(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT r.org_unit_id, r.return_days, r.lockout_days, r.version, u.path
			FROM pool_rules r JOIN org_units u ON u.id = r.org_unit_id ORDER BY u.path`)
		if err != nil {
			return fmt.Errorf("crm: find pool rules: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r PoolRule
			var path string
			if err := rows.Scan(&r.UnitID, &r.ReturnDays, &r.LockoutDays, &r.Version, &path); err != nil {
				return fmt.Errorf("crm: scan pool rule: %w", err)
			}
			if act.IsAdmin() || org.InSubtree(path, act.UnitPath) || strings.HasPrefix(act.UnitPath, path) {
				out = append(out, &r)
			}
		}
		return rows.Err()
	})
	return out, err
}

// SetPoolRule sets the pool rule of an org unit: admin anywhere, a manager
// for units in their subtree.
func (s *Service) SetPoolRule(ctx context.Context, r PoolRule) (*PoolRule, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !act.IsAdmin() && !act.Role.IsManager() {
		return nil, forbidden()
	}
	if r.ReturnDays < 1 || r.ReturnDays > 3650 {
		return nil, echelon.FieldError("return_days", "pool.days_invalid")
	}
	if r.LockoutDays < 0 || r.LockoutDays > 3650 {
		return nil, echelon.FieldError("lockout_days", "pool.days_invalid")
	}
	var out *PoolRule
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		var path string
		err := tx.QueryRow(ctx, `SELECT path FROM org_units WHERE id = ?`, r.UnitID).Scan(&path)
		if errors.Is(err, sql.ErrNoRows) {
			return echelon.Errorf(echelon.ENOTFOUND, "unit.not_found")
		}
		if err != nil {
			return fmt.Errorf("crm: find unit: %w", err)
		}
		switch {
		case act.IsAdmin() || org.InSubtree(path, act.UnitPath):
		case strings.HasPrefix(act.UnitPath, path):
			return forbidden() // a unit above the manager: visible to them, not theirs to set
		default:
			return echelon.Errorf(echelon.ENOTFOUND, "unit.not_found") // outside scope reads as unknown
		}
		var before *PoolRule
		var old PoolRule
		if err := tx.QueryRow(ctx, `SELECT org_unit_id, return_days, lockout_days, version FROM pool_rules WHERE org_unit_id = ?`, r.UnitID).
			Scan(&old.UnitID, &old.ReturnDays, &old.LockoutDays, &old.Version); err == nil {
			before = &old
			if r.Version != 0 && r.Version != old.Version {
				return audit.StaleError(ctx, tx, "pool_rule", r.UnitID)
			}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("crm: find pool rule: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO pool_rules (org_unit_id, return_days, lockout_days) VALUES (?, ?, ?)
			ON CONFLICT (org_unit_id) DO UPDATE SET return_days = excluded.return_days, lockout_days = excluded.lockout_days,
			version = pool_rules.version + 1`, r.UnitID, r.ReturnDays, r.LockoutDays); err != nil {
			return fmt.Errorf("crm: set pool rule: %w", err)
		}
		out = &r
		out.Version = 1
		if before != nil {
			out.Version = before.Version + 1
		}
		return audit.Record(ctx, tx, "set", "pool_rule", r.UnitID, before, out)
	})
	return out, err
}
