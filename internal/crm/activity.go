package crm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/totals"
)

// Activity kinds.
var activityKinds = map[string]bool{"call": true, "visit": true, "meeting": true, "email": true, "note": true}

// Activity is a logged interaction (call, visit, meeting, e-mail, note)
// with its outcome and next step. An activity on an account keeps it out
// of the pool: its time is the account's last follow-up.
type Activity struct {
	ID              int64      `json:"id"`
	Kind            string     `json:"kind"`
	Subject         string     `json:"subject"`
	At              time.Time  `json:"at"`
	OwnerID         int64      `json:"owner_id"`
	OwnerName       string     `json:"owner_name"`
	UnitID          int64      `json:"org_unit_id"`
	AccountID       int64      `json:"account_id,omitempty"`
	AccountName     string     `json:"account_name,omitempty"`
	ContactID       int64      `json:"contact_id,omitempty"`
	OpportunityID   int64      `json:"opportunity_id,omitempty"`
	OpportunityName string     `json:"opportunity_name,omitempty"`
	Outcome         string     `json:"outcome"`
	NextStep        string     `json:"next_step"`
	NextStepAt      *time.Time `json:"next_step_at,omitempty"`
	Version         int        `json:"version"`
	unitPath        string
}

// ActivityInput logs an activity. Account is taken from the opportunity or
// contact when not given.
type ActivityInput struct {
	Kind          string     `json:"kind"`
	Subject       string     `json:"subject"`
	At            time.Time  `json:"at"`
	AccountID     int64      `json:"account_id,omitempty"`
	ContactID     int64      `json:"contact_id,omitempty"`
	OpportunityID int64      `json:"opportunity_id,omitempty"`
	Outcome       string     `json:"outcome,omitempty"`
	NextStep      string     `json:"next_step,omitempty"`
	NextStepAt    *time.Time `json:"next_step_at,omitempty"`
	Version       int        `json:"version,omitempty"`
}

// ActivityFilter selects activities.
type ActivityFilter struct {
	OwnerID       int64
	AccountID     int64
	OpportunityID int64
	Kind          string
	From, To      time.Time
	Page
}

const activityColumns = `x.id, x.kind, x.subject, x.at, x.owner_id, p.name, x.org_unit_id, u.path, COALESCE(x.account_id, 0), COALESCE(a.name, ''),
	COALESCE(x.contact_id, 0), COALESCE(x.opportunity_id, 0), COALESCE(o.name, ''), x.outcome, x.next_step, x.next_step_at, x.version
	FROM activities x JOIN people p ON p.id = x.owner_id JOIN org_units u ON u.id = x.org_unit_id
	LEFT JOIN accounts a ON a.id = x.account_id LEFT JOIN opportunities o ON o.id = x.opportunity_id`

func scanActivity(row scanner) (*Activity, error) {
	var x Activity
	var next sql.NullTime
	err := row.Scan(&x.ID, &x.Kind, &x.Subject, &x.At, &x.OwnerID, &x.OwnerName, &x.UnitID, &x.unitPath, &x.AccountID, &x.AccountName,
		&x.ContactID, &x.OpportunityID, &x.OpportunityName, &x.Outcome, &x.NextStep, &next, &x.Version)
	if next.Valid {
		x.NextStepAt = &next.Time
	}
	return &x, err
}

// FindActivities lists activities in the actor's scope, newest first.
func (s *Service) FindActivities(ctx context.Context, f ActivityFilter) ([]*Activity, bool, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, false, err
	}
	cond, args := org.PageScope(s.db.Dialect, act, "x.owner_id", "x.org_unit_id", "u.path")
	where := []string{cond}
	add := func(c string, v any) { where = append(where, c); args = append(args, v) }
	if f.OwnerID != 0 {
		add("x.owner_id = ?", f.OwnerID)
	}
	if f.AccountID != 0 {
		add("x.account_id = ?", f.AccountID)
	}
	if f.OpportunityID != 0 {
		add("x.opportunity_id = ?", f.OpportunityID)
	}
	if f.Kind != "" {
		add("x.kind = ?", f.Kind)
	}
	if !f.From.IsZero() {
		add("x.at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("x.at < ?", f.To.UTC())
	}
	return findPage(ctx, s, listQuery{what: "activities", columns: activityColumns, where: where, args: args, order: "x.at DESC, x.id DESC"}, f.Page, scanActivity)
}

func findVisibleActivity(ctx context.Context, tx *db.Tx, act *echelon.Actor, id int64) (*Activity, error) {
	x, err := scanActivity(tx.QueryRow(ctx, `SELECT `+activityColumns+` WHERE x.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !org.CanSeeRecord(act, x.OwnerID, x.unitPath)) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "activity.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("crm: find activity %d: %w", id, err)
	}
	return x, nil
}

// validate checks the fields and resolves the linked records the actor may edit.
func (in *ActivityInput) validate(ctx context.Context, tx *db.Tx, act *echelon.Actor) error {
	var err error
	if !activityKinds[in.Kind] {
		return echelon.FieldError("kind", "activity.kind_invalid")
	}
	if in.Subject, err = text("subject", in.Subject, maxName, true); err != nil {
		return err
	}
	if in.Outcome, err = text("outcome", in.Outcome, maxText, false); err != nil {
		return err
	}
	if in.NextStep, err = text("next_step", in.NextStep, maxName, false); err != nil {
		return err
	}
	if in.At.IsZero() {
		return echelon.FieldError("at", "field.required")
	}
	if in.OpportunityID != 0 {
		o, err := findVisibleOpportunity(ctx, tx, act, in.OpportunityID)
		if err != nil {
			return echelon.FieldError("opportunity_id", "opportunity.not_found")
		}
		if in.AccountID == 0 {
			in.AccountID = o.AccountID
		}
	}
	if in.ContactID != 0 {
		c, err := findVisibleContact(ctx, tx, act, in.ContactID)
		if err != nil {
			return echelon.FieldError("contact_id", "contact.not_found")
		}
		if in.AccountID == 0 {
			in.AccountID = c.AccountID
		}
	}
	if in.AccountID != 0 {
		if _, err := editableAccount(ctx, tx, act, in.AccountID); err != nil {
			return err
		}
	}
	return nil
}

// CreateActivity logs an activity for the signed-in person.
func (s *Service) CreateActivity(ctx context.Context, in ActivityInput) (*Activity, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if act.Role != echelon.RoleRep && !act.Role.IsManager() {
		return nil, echelon.Errorf(echelon.EFORBIDDEN, "activity.sellers_only")
	}
	var out *Activity
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.createActivity(ctx, tx, act, in)
		return err
	})
	return out, err
}

func (s *Service) createActivity(ctx context.Context, tx *db.Tx, act *echelon.Actor, in ActivityInput) (*Activity, error) {
	return s.logActivity(ctx, tx, act, owner{id: act.PersonID, unitID: act.UnitID}, in, "")
}

// logActivity records an activity of the given owner (the actor, or for an
// import someone in the actor's scope), with an optional external id.
func (s *Service) logActivity(ctx context.Context, tx *db.Tx, act *echelon.Actor, o owner, in ActivityInput, ext string) (*Activity, error) {
	if err := in.validate(ctx, tx, act); err != nil {
		return nil, err
	}
	now := s.now()
	moved, err := totals.Track(ctx, tx, totals.Refs{})
	if err != nil {
		return nil, err
	}
	id, err := tx.InsertID(ctx, `INSERT INTO activities (kind, subject, at, owner_id, org_unit_id, account_id, contact_id, opportunity_id,
		outcome, next_step, next_step_at, external_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.Kind, in.Subject, in.At.UTC(), o.id, o.unitID, nullID(in.AccountID), nullID(in.ContactID), nullID(in.OpportunityID),
		in.Outcome, in.NextStep, in.NextStepAt, nullStr(ext), now, now)
	if db.IsUniqueViolation(err) {
		return nil, echelon.FieldError("external_id", "activity.external_id_taken", ext)
	}
	if err != nil {
		return nil, fmt.Errorf("crm: insert activity: %w", err)
	}
	if err := moved.Apply(ctx, tx, totals.Refs{Activities: []int64{id}}); err != nil {
		return nil, err
	}
	if err := touchAccount(ctx, tx, in.AccountID, in.At, now); err != nil {
		return nil, err
	}
	x, err := findVisibleActivity(ctx, tx, act, id)
	if err != nil {
		return nil, err
	}
	return x, audit.Record(ctx, tx, "create", "activity", id, nil, x)
}

// touchAccount records a follow-up on an account; planned activities in
// the future do not count until they happen.
func touchAccount(ctx context.Context, tx *db.Tx, accountID int64, at, now time.Time) error {
	if accountID == 0 || at.After(now) {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE accounts SET last_activity_at = ? WHERE id = ? AND (last_activity_at IS NULL OR last_activity_at < ?)`,
		at.UTC(), accountID, at.UTC())
	if err != nil {
		return fmt.Errorf("crm: touch account: %w", err)
	}
	return nil
}

// refreshLastActivity works out again the last follow-up of each account
// from its activities that have happened by now: after an activity moved
// to another account or in time, the old value may be too late. Each row
// is locked by a statement of its own first, so that on PostgreSQL the
// recount, which reads a fresh snapshot, includes the activities of every
// transaction that touched the account before; ascending ids keep two
// moves in opposite directions from deadlocking.
func refreshLastActivity(ctx context.Context, tx *db.Tx, now time.Time, accountIDs ...int64) error {
	for _, id := range slices.Compact(slices.Sorted(slices.Values(accountIDs))) {
		if id == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE accounts SET last_activity_at = last_activity_at WHERE id = ?`, id); err != nil {
			return fmt.Errorf("crm: lock account %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE accounts SET last_activity_at = (SELECT MAX(at) FROM activities WHERE account_id = ? AND at <= ?)
			WHERE id = ?`, id, now, id); err != nil {
			return fmt.Errorf("crm: refresh last activity of account %d: %w", id, err)
		}
	}
	return nil
}

// UpdateActivity changes an activity the actor may edit; the version must
// match. The last follow-up of the account it leaves and of the account it
// joins are both worked out again.
func (s *Service) UpdateActivity(ctx context.Context, id int64, in ActivityInput) (*Activity, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *Activity
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findVisibleActivity(ctx, tx, act, id)
		if err != nil {
			return err
		}
		if err := in.validate(ctx, tx, act); err != nil {
			return err
		}
		now := s.now()
		moved, err := totals.Track(ctx, tx, totals.Refs{Activities: []int64{id}})
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE activities SET kind = ?, subject = ?, at = ?, account_id = ?, contact_id = ?, opportunity_id = ?,
			outcome = ?, next_step = ?, next_step_at = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			in.Kind, in.Subject, in.At.UTC(), nullID(in.AccountID), nullID(in.ContactID), nullID(in.OpportunityID),
			in.Outcome, in.NextStep, in.NextStepAt, now, id, in.Version)
		if err != nil {
			return fmt.Errorf("crm: update activity: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return audit.StaleError(ctx, tx, "activity", id)
		}
		if err := moved.Apply(ctx, tx, totals.Refs{}); err != nil {
			return err
		}
		if err := refreshLastActivity(ctx, tx, now, before.AccountID, in.AccountID); err != nil {
			return err
		}
		if out, err = findVisibleActivity(ctx, tx, act, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "update", "activity", id, before, out)
	})
	return out, err
}
