package review

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/echelonhq/echelon/internal/db"
)

// Released is the latest released (or acknowledged) review of a person.
type Released struct {
	ReviewID     int64
	CycleID      int64
	Period       string // e.g. "2026-Q3"
	ReleasedAt   time.Time
	Rating       int            // final (calibrated) rating 1–5
	Potential    int            // 1–3
	Competencies map[string]int // manager's ratings by competency code, 1–5
}

// LatestReleased returns, for each of the people who has one, their latest released review.
// It does not check the actor: callers (ladder, talent grid) check scope themselves.
func LatestReleased(ctx context.Context, tx *db.Tx, people []int64) (map[int64]Released, error) {
	out := map[int64]Released{}
	err := inChunks(people, func(ids []any, marks string) error {
		rows, err := tx.Query(ctx, `SELECT r.person_id, r.id, r.cycle_id, c.period, r.released_at, r.final_rating, r.potential, r.manager_ratings
			FROM reviews r JOIN review_cycles c ON c.id = r.cycle_id
			WHERE r.person_id IN (`+marks+`) AND r.state IN ('released', 'acknowledged')
			ORDER BY r.person_id, r.released_at DESC, r.id DESC`, ids...)
		if err != nil {
			return fmt.Errorf("review: latest released: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var person int64
			var r Released
			var ratings string
			if err := rows.Scan(&person, &r.ReviewID, &r.CycleID, &r.Period, &r.ReleasedAt, &r.Rating, &r.Potential, &ratings); err != nil {
				return fmt.Errorf("review: scan released: %w", err)
			}
			if _, seen := out[person]; seen {
				continue
			}
			if err := json.Unmarshal([]byte(ratings), &r.Competencies); err != nil {
				return fmt.Errorf("review: ratings of review %d: %w", r.ReviewID, err)
			}
			r.ReleasedAt = r.ReleasedAt.UTC()
			out[person] = r
		}
		return rows.Err()
	})
	return out, err
}

// OpenPlans returns the people among these who have an improvement plan still open.
func OpenPlans(ctx context.Context, tx *db.Tx, people []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	err := inChunks(people, func(ids []any, marks string) error {
		rows, err := tx.Query(ctx, `SELECT DISTINCT person_id FROM improvement_plans
			WHERE person_id IN (`+marks+`) AND state = 'open'`, ids...)
		if err != nil {
			return fmt.Errorf("review: open plans: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return fmt.Errorf("review: scan open plan: %w", err)
			}
			out[id] = true
		}
		return rows.Err()
	})
	return out, err
}

// inChunks calls fn for the ids in groups small enough for one IN list,
// with the ids as arguments and their placeholders.
func inChunks(ids []int64, fn func(args []any, marks string) error) error {
	const size = 500
	for start := 0; start < len(ids); start += size {
		part := ids[start:min(start+size, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		if err := fn(args, db.Marks(len(part))); err != nil {
			return err
		}
	}
	return nil
}
