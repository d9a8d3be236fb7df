package crm

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
)

// The queries behind a person's working views — the pipeline board and
// "my day" — answered in the database rather than by reading whole lists.

// StageTotal is the count and amount of the opportunities in one stage and currency.
type StageTotal struct {
	StageID  int64  `json:"stage_id"`
	Currency string `json:"currency"`
	Count    int    `json:"count"`
	Amount   int64  `json:"amount"` // minor units
}

// FindStageTotals sums the opportunities in the actor's scope per stage and
// currency, with the filter's owner, unit, account and closing dates.
func (s *Service) FindStageTotals(ctx context.Context, f OpportunityFilter) ([]*StageTotal, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := org.RecordScope(act, "o.owner_id", "o.org_unit_id")
	where := []string{cond}
	add := func(c string, v ...any) { where = append(where, c); args = append(args, v...) }
	if f.OwnerID != 0 {
		add("o.owner_id = ?", f.OwnerID)
	}
	if f.UnitID != 0 {
		add("o.org_unit_id IN (SELECT id FROM org_units WHERE path LIKE (SELECT path FROM org_units WHERE id = ?) || '%')", f.UnitID)
	}
	if f.AccountID != 0 {
		add("o.account_id = ?", f.AccountID)
	}
	for _, b := range []struct{ v, op string }{{f.ClosingFrom, ">="}, {f.ClosingTo, "<="}} {
		d, err := parseDate("closing", b.v)
		if err != nil {
			return nil, err
		}
		if d != nil {
			add("COALESCE(o.closed_on, o.expected_close) "+b.op+" ?", *d)
		}
	}
	var out []*StageTotal
	err = s.db.View(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT o.stage_id, o.currency, COUNT(*), COALESCE(SUM(o.amount), 0) FROM opportunities o
			WHERE `+strings.Join(where, " AND ")+` GROUP BY o.stage_id, o.currency ORDER BY o.stage_id, o.currency`, args...)
		out, err = collect(rows, err, func(r scanner) (*StageTotal, error) {
			var t StageTotal
			return &t, r.Scan(&t.StageID, &t.Currency, &t.Count, &t.Amount)
		})
		if err != nil {
			return fmt.Errorf("crm: stage totals: %w", err)
		}
		return nil
	})
	return out, err
}

// FindDueNextSteps lists the activities in the actor's scope whose next
// step falls before the given time and has not been followed by a later
// activity on the same opportunity (or, without one, the same account),
// earliest first.
func (s *Service) FindDueNextSteps(ctx context.Context, before time.Time, p Page) ([]*Activity, bool, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, false, err
	}
	cond, args := org.RecordScope(act, "x.owner_id", "x.org_unit_id")
	pg := p.clamp()
	var out []*Activity
	err = s.db.View(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+activityColumns+` WHERE `+cond+` AND x.next_step <> '' AND x.next_step_at < ?
			AND NOT EXISTS (SELECT 1 FROM activities y WHERE y.at > x.at AND y.id <> x.id AND (
				(x.opportunity_id IS NOT NULL AND y.opportunity_id = x.opportunity_id) OR
				(x.opportunity_id IS NULL AND x.account_id IS NOT NULL AND y.account_id = x.account_id)))
			ORDER BY x.next_step_at, x.id LIMIT ? OFFSET ?`, append(args, before.UTC(), pg.Limit+1, pg.Offset)...)
		if out, err = collect(rows, err, scanActivity); err != nil {
			return fmt.Errorf("crm: due next steps: %w", err)
		}
		return nil
	})
	out, more := page(out, pg)
	return out, more, err
}

// ReturningAccount is an owned account that returns to the pool soon
// unless someone follows it up.
type ReturningAccount struct {
	*Account
	Since     time.Time `json:"since"` // the last follow-up, or when it was taken
	ReturnsOn time.Time `json:"returns_on"`
}

// FindReturningAccounts lists the accounts in the actor's scope that return
// to the pool within the given number of days under their pool rule,
// soonest first.
func (s *Service) FindReturningAccounts(ctx context.Context, within int, p Page) ([]*ReturningAccount, bool, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, false, err
	}
	cond, args := org.RecordScope(act, "a.owner_id", "a.org_unit_id")
	now := s.now()
	pg := p.clamp()
	var out []*ReturningAccount
	err = s.db.View(ctx, func(tx *db.Tx) error {
		var minDays int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MIN(return_days), 0) FROM pool_rules`).Scan(&minDays); err != nil {
			return fmt.Errorf("crm: pool rules: %w", err)
		}
		if minDays == 0 {
			return nil
		}
		// Candidates under the strictest rule, oldest follow-up first; each is
		// then checked against its own unit's rule.
		horizon := now.AddDate(0, 0, within-minDays)
		rows, err := tx.Query(ctx, `SELECT `+accountColumns+` WHERE `+cond+` AND a.owner_id IS NOT NULL AND a.merged_into_id IS NULL
			AND COALESCE(a.last_activity_at, a.owned_since, a.created_at) < ?
			ORDER BY COALESCE(a.last_activity_at, a.owned_since, a.created_at), a.id`, append(args, horizon)...)
		candidates, err := collect(rows, err, scanAccount)
		if err != nil {
			return fmt.Errorf("crm: returning accounts: %w", err)
		}
		rules := map[string]*PoolRule{}
		for _, a := range candidates {
			r, ok := rules[a.UnitPath]
			if !ok {
				if r, err = ruleFor(ctx, tx, a.UnitPath); err != nil {
					return err
				}
				rules[a.UnitPath] = r
			}
			since := lastFollowUp(a)
			returns := since.AddDate(0, 0, r.ReturnDays)
			if returns.Before(now.AddDate(0, 0, within)) {
				out = append(out, &ReturningAccount{Account: a, Since: since, ReturnsOn: returns})
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ReturnsOn.Before(out[j].ReturnsOn) })
	if pg.Offset >= len(out) {
		return nil, false, nil
	}
	out = out[pg.Offset:]
	if len(out) > pg.Limit {
		return out[:pg.Limit], true, nil
	}
	return out, false, nil
}

// lastFollowUp is when an owned account was last followed up: its latest
// activity, or when its owner took it.
func lastFollowUp(a *Account) time.Time {
	since := a.CreatedAt
	if a.OwnedSince != nil {
		since = *a.OwnedSince
	}
	if a.LastActivityAt != nil && a.LastActivityAt.After(since) {
		since = *a.LastActivityAt
	}
	return since
}
