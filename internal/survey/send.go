package survey

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/i18n"
	"github.com/echelonhq/echelon/internal/org"
)

// How long a survey link works, in days.
const (
	DefaultValidDays = 14
	MaxValidDays     = 90
)

// SendInput asks for a survey about an account or a won deal: exactly one
// of the two ids.
type SendInput struct {
	AccountID     int64  `json:"account_id,omitempty"`
	OpportunityID int64  `json:"opportunity_id,omitempty"`
	Lang          string `json:"lang,omitempty"`       // what the customer sees: zh-CN (default) or en
	ValidDays     int    `json:"valid_days,omitempty"` // 1–90, DefaultValidDays when 0
}

func (in *SendInput) validate() error {
	if (in.AccountID == 0) == (in.OpportunityID == 0) {
		return echelon.FieldError("account_id", "survey.subject")
	}
	if in.Lang == "" {
		in.Lang = i18n.Chinese
	}
	if !slices.Contains(i18n.Langs(), in.Lang) {
		return echelon.FieldError("lang", "survey.lang_invalid")
	}
	if in.ValidDays == 0 {
		in.ValidDays = DefaultValidDays
	}
	if in.ValidDays < 1 || in.ValidDays > MaxValidDays {
		return echelon.FieldError("valid_days", "survey.valid_days", 1, MaxValidDays)
	}
	return nil
}

// subject is what a survey asks about and whom its answer counts for.
type subject struct {
	account, opportunity int64
	person, unit         int64
}

// findSubject loads the account or deal of in, if the actor may send a
// survey about it: one in their record scope (a rep: their own).
func findSubject(ctx context.Context, tx *db.Tx, act *echelon.Actor, in SendInput) (subject, error) {
	if in.OpportunityID != 0 {
		return dealSubject(ctx, tx, act, in.OpportunityID)
	}
	return accountSubject(ctx, tx, act, in.AccountID)
}

// dealSubject is a won deal with an account; the answer counts for the
// deal's owner and the deal's unit.
func dealSubject(ctx context.Context, tx *db.Tx, act *echelon.Actor, id int64) (subject, error) {
	sub := subject{opportunity: id}
	var path, outcome string
	err := tx.QueryRow(ctx, `SELECT o.owner_id, o.org_unit_id, u.path, COALESCE(o.account_id, 0), st.outcome
		FROM opportunities o JOIN org_units u ON u.id = o.org_unit_id JOIN stages st ON st.id = o.stage_id WHERE o.id = ?`, id).
		Scan(&sub.person, &sub.unit, &path, &sub.account, &outcome)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !org.CanSeeRecord(act, sub.person, path)) {
		return sub, echelon.FieldError("opportunity_id", "opportunity.not_found")
	}
	if err != nil {
		return sub, fmt.Errorf("survey: find opportunity %d: %w", id, err)
	}
	switch {
	case outcome != crm.OutcomeWon:
		return sub, echelon.FieldError("opportunity_id", "survey.deal_not_won")
	case sub.account == 0:
		return sub, echelon.FieldError("opportunity_id", "survey.deal_no_account")
	}
	return sub, nil
}

// accountSubject is an owned account; the answer counts for its owner and
// the owner's unit. A pool account has nobody to count for.
func accountSubject(ctx context.Context, tx *db.Tx, act *echelon.Actor, id int64) (subject, error) {
	sub := subject{account: id}
	var path string
	err := tx.QueryRow(ctx, `SELECT COALESCE(a.owner_id, 0), COALESCE(p.org_unit_id, a.org_unit_id), u.path
		FROM accounts a JOIN org_units u ON u.id = a.org_unit_id LEFT JOIN people p ON p.id = a.owner_id
		WHERE a.id = ? AND a.merged_into_id IS NULL`, id).Scan(&sub.person, &sub.unit, &path)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !org.CanSeeRecord(act, sub.person, path)) {
		return sub, echelon.FieldError("account_id", "account.not_found")
	}
	if err != nil {
		return sub, fmt.Errorf("survey: find account %d: %w", id, err)
	}
	if sub.person == 0 {
		return sub, echelon.FieldError("account_id", "survey.account_unowned")
	}
	return sub, nil
}

// Send creates a survey about an account or a won deal and returns it with
// the token of its link (/s/{token}), which is shown this once and never
// stored. Admin may send for any record, a manager for those of their
// subtree, a rep for their own; partner departments send none (403).
func (s *Service) Send(ctx context.Context, in SendInput) (*Survey, string, error) {
	act, err := signedIn(ctx)
	if err != nil {
		return nil, "", err
	}
	if !act.IsAdmin() && !act.Role.IsManager() && act.Role != echelon.RoleRep {
		return nil, "", echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden")
	}
	if err := in.validate(); err != nil {
		return nil, "", err
	}
	token, hash, err := newToken()
	if err != nil {
		return nil, "", err
	}
	var out *Survey
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		sub, err := findSubject(ctx, tx, act, in)
		if err != nil {
			return err
		}
		out, err = s.insert(ctx, tx, act, sub, in, hash)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return out, token, nil
}

func (s *Service) insert(ctx context.Context, tx *db.Tx, act *echelon.Actor, sub subject, in SendInput, hash string) (*Survey, error) {
	now := s.now()
	id, err := tx.InsertID(ctx, `INSERT INTO surveys (account_id, opportunity_id, person_id, org_unit_id, token_hash, lang, sent_by, sent_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, sub.account, nullID(sub.opportunity), sub.person, sub.unit, hash, in.Lang, nullID(act.PersonID),
		now, now.AddDate(0, 0, in.ValidDays))
	if err != nil {
		return nil, fmt.Errorf("survey: insert: %w", err)
	}
	sv, err := s.findSurvey(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return sv, audit.Record(ctx, tx, "send", "survey", id, nil, sv)
}

// nullID stores 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
