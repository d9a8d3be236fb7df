package survey

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
)

// Filter selects surveys; zero fields do not filter.
type Filter struct {
	Status        string // pending, answered or expired
	PersonID      int64  // the rep the answer counts for
	UnitID        int64  // counted in this unit or below it
	AccountID     int64
	OpportunityID int64
	Score         int    // answered with this score
	Sort          string // sent_at (default descending), answered_at, id; "-" descending
	Limit         int    // one page: 1–200, 50 when out of range
	Offset        int
}

// Page sizes of the list.
const (
	defaultLimit = 50
	maxLimit     = 200
)

// page returns the page the filter asks for, within bounds.
func (f Filter) page() (limit, offset int) {
	limit = f.Limit
	if limit <= 0 || limit > maxLimit {
		limit = defaultLimit
	}
	return limit, max(f.Offset, 0)
}

// order turns a sort key — sent_at, answered_at or id, each with an
// index, "-" first for descending — into ORDER BY; sent_at descending by
// default. Unanswered surveys sort after the answered ones either way (the
// two databases would otherwise put NULL at opposite ends).
func order(sort string) string {
	key, desc := strings.CutPrefix(sort, "-")
	switch key {
	case "sent_at", "answered_at", "id":
	default:
		key, desc = "sent_at", true
	}
	dir, nulls := "", ""
	if desc {
		dir = " DESC"
	}
	if key == "answered_at" {
		nulls = "s.answered_at IS NULL, "
	}
	return nulls + "s." + key + dir + ", s.id" + dir
}

// where is the condition of a list: the actor's scope and the filter.
func (f Filter) where(act *echelon.Actor, now time.Time) (string, []any, error) {
	cond, args := org.RecordScope(act, "s.person_id", "s.org_unit_id")
	conds := []string{cond}
	add := func(c string, v ...any) { conds = append(conds, c); args = append(args, v...) }
	switch f.Status {
	case "":
	case StatusAnswered:
		add("s.answered_at IS NOT NULL")
	case StatusPending:
		add("s.answered_at IS NULL AND s.expires_at > ?", now)
	case StatusExpired:
		add("s.answered_at IS NULL AND s.expires_at <= ?", now)
	default:
		return "", nil, echelon.FieldError("status", "survey.status_invalid")
	}
	if f.Score < 0 || f.Score > MaxScore {
		return "", nil, echelon.FieldError("score", "survey.score_range", MinScore, MaxScore)
	}
	if f.Score != 0 {
		add("s.score = ?", f.Score)
	}
	for _, id := range []struct {
		col string
		v   int64
	}{{"s.person_id", f.PersonID}, {"s.account_id", f.AccountID}, {"s.opportunity_id", f.OpportunityID}} {
		if id.v != 0 {
			add(id.col+" = ?", id.v)
		}
	}
	if f.UnitID != 0 {
		add("s.org_unit_id IN (SELECT id FROM org_units WHERE path LIKE (SELECT path FROM org_units WHERE id = ?) || '%')", f.UnitID)
	}
	return strings.Join(conds, " AND "), args, nil
}

// FindSurveys lists one page of the surveys in the actor's scope (admin
// all; a manager those counted in their subtree; a rep their own; anyone
// else none) and whether more follow. It never counts every row.
func (s *Service) FindSurveys(ctx context.Context, f Filter) ([]*Survey, bool, error) {
	act, err := signedIn(ctx)
	if err != nil {
		return nil, false, err
	}
	now := s.now()
	cond, args, err := f.where(act, now)
	if err != nil {
		return nil, false, err
	}
	limit, offset := f.page()
	var out []*Survey
	err = s.db.View(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+surveyColumns+` WHERE `+cond+` ORDER BY `+order(f.Sort)+` LIMIT ? OFFSET ?`,
			append(args, limit+1, offset)...)
		if err != nil {
			return fmt.Errorf("survey: list: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			sv, err := scanSurvey(rows, now)
			if err != nil {
				return fmt.Errorf("survey: list: %w", err)
			}
			out = append(out, sv)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, false, err
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}
