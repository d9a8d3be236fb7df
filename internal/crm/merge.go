package crm

import (
	"context"
	"fmt"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/totals"
)

// MergeResult counts what a merge moved onto the kept account.
type MergeResult struct {
	Account       *Account `json:"account"`
	Contacts      int64    `json:"contacts"`
	Opportunities int64    `json:"opportunities"`
	Activities    int64    `json:"activities"`
	Leads         int64    `json:"leads"`
	Surveys       int64    `json:"surveys"`
}

// MergeAccounts folds the duplicate account dropID into keepID (admin only):
// its contacts, opportunities, activities, converted leads and surveys move over, the
// duplicate is marked merged (kept for history, hidden from lists), and
// both sides are audited.
func (s *Service) MergeAccounts(ctx context.Context, keepID, dropID int64) (*MergeResult, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if keepID == dropID {
		return nil, echelon.FieldError("drop_id", "account.merge_self")
	}
	res := &MergeResult{}
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		keep, err := findAccount(ctx, tx, keepID)
		if err != nil {
			return err
		}
		drop, err := findAccount(ctx, tx, dropID)
		if err != nil {
			return echelon.FieldError("drop_id", "account.not_found")
		}
		moved, err := totals.Track(ctx, tx, totals.Refs{Accounts: []int64{keepID, dropID}})
		if err != nil {
			return err
		}
		for _, m := range []struct {
			q string
			n *int64
		}{
			{`UPDATE contacts SET account_id = ? WHERE account_id = ?`, &res.Contacts},
			{`UPDATE opportunities SET account_id = ? WHERE account_id = ?`, &res.Opportunities},
			{`UPDATE activities SET account_id = ? WHERE account_id = ?`, &res.Activities},
			{`UPDATE leads SET converted_account_id = ? WHERE converted_account_id = ?`, &res.Leads},
			{`UPDATE surveys SET account_id = ? WHERE account_id = ?`, &res.Surveys},
		} {
			r, err := tx.Exec(ctx, m.q, keepID, dropID)
			if err != nil {
				return fmt.Errorf("crm: merge move: %w", err)
			}
			*m.n, _ = r.RowsAffected()
		}
		if err := moved.Apply(ctx, tx, totals.Refs{}); err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE accounts SET merged_into_id = ?, credit_code = NULL, external_id = NULL, version = version + 1, updated_at = ? WHERE id = ?`,
			keepID, now, dropID); err != nil {
			return fmt.Errorf("crm: mark merged: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE accounts SET last_activity_at = (SELECT MAX(at) FROM activities WHERE account_id = ? AND at <= ?),
			version = version + 1, updated_at = ? WHERE id = ?`, keepID, now, now, keepID); err != nil {
			return fmt.Errorf("crm: refresh merged account: %w", err)
		}
		if err := recordOwnership(ctx, tx, keepID, ownership{action: OwnMerge, from: drop.OwnerID, to: keep.OwnerID, reason: fmt.Sprintf("#%d %s", drop.ID, drop.Name)}, now); err != nil {
			return err
		}
		if res.Account, err = findAccount(ctx, tx, keepID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, "merge_into", "account", keepID, keep, res); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "merged", "account", dropID, drop, map[string]int64{"merged_into_id": keepID})
	})
	return res, err
}
