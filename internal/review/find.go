package review

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
)

// Review states, in order.
const (
	StateDraft        = "draft"
	StateSelf         = "self_review"
	StateManager      = "manager_review"
	StateCalibration  = "calibration"
	StateReleased     = "released"
	StateAcknowledged = "acknowledged"
)

// States lists the review states in order.
var States = []string{StateDraft, StateSelf, StateManager, StateCalibration, StateReleased, StateAcknowledged}

// Tasks: what the reader has to do next on a review.
const (
	TaskSelf        = "self"
	TaskManager     = "manager"
	TaskCalibrate   = "calibrate"
	TaskAcknowledge = "acknowledge"
)

// Review is one person's review in a cycle, as the reader may see it: the
// reviewee sees the manager's part and the final rating only once released,
// and never the potential, the proposed rating or the calibration history
// (talent-grid material for their managers); others see the self review
// once it is submitted.
type Review struct {
	ID              int64           `json:"id"`
	CycleID         int64           `json:"cycle_id"`
	CycleName       string          `json:"cycle_name"`
	Period          string          `json:"period"`
	PersonID        int64           `json:"person_id"`
	PersonName      string          `json:"person_name"`
	UnitID          int64           `json:"org_unit_id"`
	UnitName        string          `json:"org_unit_name"`
	UnitPath        string          `json:"-"`
	ReviewerID      int64           `json:"reviewer_id"`
	ReviewerName    string          `json:"reviewer_name"`
	State           string          `json:"state"`
	Due             string          `json:"due,omitempty"` // the deadline of the current step
	Overdue         bool            `json:"overdue"`
	Task            string          `json:"task,omitempty"` // what the reader has to do: self, manager, calibrate, acknowledge
	Competencies    []string        `json:"competencies"`
	Scorecard       json.RawMessage `json:"scorecard,omitempty"`
	SelfText        string          `json:"self_text"`
	SelfRatings     map[string]int  `json:"self_ratings"`
	ManagerText     string          `json:"manager_text"`
	ManagerRatings  map[string]int  `json:"manager_ratings"`
	ManagerComments string          `json:"manager_comments"`
	ProposedRating  int             `json:"proposed_rating,omitempty"`
	Potential       int             `json:"potential,omitempty"`
	FinalRating     int             `json:"final_rating,omitempty"`
	Calibrations    []Calibration   `json:"calibrations,omitempty"`
	ReleasedAt      *time.Time      `json:"released_at,omitempty"`
	AcknowledgedAt  *time.Time      `json:"acknowledged_at,omitempty"`
	Response        string          `json:"response"`
	Version         int             `json:"version"`
	UpdatedAt       time.Time       `json:"updated_at"`

	selfDue, managerDue, calibrationDue string
}

// Calibration is one change of a review's rating in calibration.
type Calibration struct {
	From      int       `json:"from"`
	To        int       `json:"to"`
	Reason    string    `json:"reason"`
	ChangedBy string    `json:"changed_by"`
	ChangedAt time.Time `json:"changed_at"`
}

// reviewScope limits reviews (alias r, the review's unit ru) to those a may
// see: admin all; a manager those of their subtree; anyone their own and
// those they review.
func reviewScope(a *echelon.Actor) (string, []any) {
	switch {
	case a.IsAdmin():
		return "1=1", nil
	case a.Role.IsManager():
		return "(ru.path LIKE ? OR r.person_id = ? OR r.reviewer_id = ?)", []any{a.UnitPath + "%", a.PersonID, a.PersonID}
	}
	return "(r.person_id = ? OR r.reviewer_id = ?)", []any{a.PersonID, a.PersonID}
}

const reviewColumns = `r.id, r.cycle_id, c.name, c.period, r.person_id, p.name, r.org_unit_id, ru.name, ru.path, r.reviewer_id, rv.name,
	r.state, c.competencies, c.self_due, c.manager_due, c.calibration_due, r.scorecard, r.self_text, r.self_ratings, r.manager_text,
	r.manager_ratings, r.manager_comments, COALESCE(r.proposed_rating, 0), COALESCE(r.potential, 0), COALESCE(r.final_rating, 0),
	r.released_at, r.acknowledged_at, r.response, r.version, r.updated_at
	FROM reviews r JOIN review_cycles c ON c.id = r.cycle_id JOIN people p ON p.id = r.person_id
	JOIN org_units ru ON ru.id = r.org_unit_id JOIN people rv ON rv.id = r.reviewer_id`

func scanReview(row interface{ Scan(...any) error }) (*Review, error) {
	var r Review
	var comps, card, self, mgr string
	var released, acked sql.NullTime
	err := row.Scan(&r.ID, &r.CycleID, &r.CycleName, &r.Period, &r.PersonID, &r.PersonName, &r.UnitID, &r.UnitName, &r.UnitPath,
		&r.ReviewerID, &r.ReviewerName, &r.State, &comps, &r.selfDue, &r.managerDue, &r.calibrationDue, &card, &r.SelfText, &self,
		&r.ManagerText, &mgr, &r.ManagerComments, &r.ProposedRating, &r.Potential, &r.FinalRating, &released, &acked,
		&r.Response, &r.Version, &r.UpdatedAt)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		text string
		to   any
	}{{comps, &r.Competencies}, {self, &r.SelfRatings}, {mgr, &r.ManagerRatings}} {
		if err := json.Unmarshal([]byte(f.text), f.to); err != nil {
			return nil, fmt.Errorf("review: decode review %d: %w", r.ID, err)
		}
	}
	if card != "" {
		r.Scorecard = json.RawMessage(card)
	}
	r.ReleasedAt, r.AcknowledgedAt = utcPtr(released), utcPtr(acked)
	r.UpdatedAt = r.UpdatedAt.UTC()
	return &r, nil
}

func utcPtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// shape fills what the reader has to do and the deadline, and hides what
// the reader may not see yet.
func (r *Review) shape(a *echelon.Actor, today string) {
	switch r.State {
	case StateSelf:
		r.Due = r.selfDue
	case StateManager:
		r.Due = r.managerDue
	case StateCalibration:
		r.Due = r.calibrationDue
	}
	r.Overdue = r.Due != "" && today > r.Due
	switch {
	case r.State == StateSelf && r.PersonID == a.PersonID:
		r.Task = TaskSelf
	case (r.State == StateManager || r.selfLapsed(today)) && r.ReviewerID == a.PersonID:
		r.Task = TaskManager
	case r.State == StateCalibration && canDecide(a) && r.PersonID != a.PersonID:
		r.Task = TaskCalibrate
	case r.State == StateReleased && r.PersonID == a.PersonID:
		r.Task = TaskAcknowledge
	}
	if r.PersonID == a.PersonID {
		r.ProposedRating, r.Potential, r.Calibrations = 0, 0, nil
		if !r.IsReleased() {
			r.ManagerText, r.ManagerComments, r.ManagerRatings, r.FinalRating = "", "", map[string]int{}, 0
		}
		return
	}
	if r.State == StateDraft || r.State == StateSelf {
		r.SelfText, r.SelfRatings = "", map[string]int{}
	}
}

// selfLapsed reports whether the review still waits for a self review whose deadline has passed.
func (r *Review) selfLapsed(today string) bool {
	return r.State == StateSelf && r.selfDue != "" && today > r.selfDue
}

// IsReleased reports whether the final rating has been released to the person.
func (r *Review) IsReleased() bool { return r.State == StateReleased || r.State == StateAcknowledged }

// findReview loads a review the actor may see (raw: nothing hidden yet); not found otherwise.
func findReview(ctx context.Context, tx *db.Tx, a *echelon.Actor, id int64) (*Review, error) {
	cond, args := reviewScope(a)
	r, err := scanReview(tx.QueryRow(ctx, `SELECT `+reviewColumns+` WHERE r.id = ? AND `+cond, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "review.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("review: find review %d: %w", id, err)
	}
	return r, nil
}

// loadCalibrations adds the calibration history to the review.
func loadCalibrations(ctx context.Context, tx *db.Tx, r *Review) error {
	rows, err := tx.Query(ctx, `SELECT k.from_rating, k.to_rating, k.reason, COALESCE(p.name, ''), k.changed_at
		FROM review_calibrations k LEFT JOIN people p ON p.id = k.changed_by WHERE k.review_id = ? ORDER BY k.id`, r.ID)
	if err != nil {
		return fmt.Errorf("review: calibrations of %d: %w", r.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Calibration
		if err := rows.Scan(&c.From, &c.To, &c.Reason, &c.ChangedBy, &c.ChangedAt); err != nil {
			return fmt.Errorf("review: scan calibration: %w", err)
		}
		c.ChangedAt = c.ChangedAt.UTC()
		r.Calibrations = append(r.Calibrations, c)
	}
	return rows.Err()
}

// FindReviewByID returns a review the actor may see, shaped for them.
func (s *Service) FindReviewByID(ctx context.Context, id int64) (*Review, error) {
	a, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	var out *Review
	err = s.db.View(ctx, func(tx *db.Tx) error {
		r, err := findReview(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := loadCalibrations(ctx, tx, r); err != nil {
			return err
		}
		r.shape(a, s.today())
		out = r
		return nil
	})
	return out, err
}

// Filter selects reviews; zero fields do not filter.
type Filter struct {
	CycleID  int64
	PersonID int64
	State    string
	// Mine: "todo" the reader's pending tasks (reminders), "own" the
	// reviews of the reader, "team" those the reader may see of others.
	Mine string
}

// Mine filters.
const (
	MineTodo = "todo"
	MineOwn  = "own"
	MineTeam = "team"
)

// FindReviews lists the reviews the actor may see, shaped for them: pending
// tasks by due date, others by cycle (newest first) and person.
func (s *Service) FindReviews(ctx context.Context, f Filter) ([]*Review, error) {
	a, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := reviewScope(a)
	where := []string{cond}
	add := func(c string, v ...any) { where = append(where, c); args = append(args, v...) }
	if f.CycleID != 0 {
		add("r.cycle_id = ?", f.CycleID)
	}
	if f.PersonID != 0 {
		add("r.person_id = ?", f.PersonID)
	}
	if f.State != "" {
		if !slices.Contains(States, f.State) {
			return nil, echelon.FieldError("state", "review.state_invalid")
		}
		add("r.state = ?", f.State)
	}
	switch f.Mine {
	case "":
	case MineOwn:
		add("r.person_id = ?", a.PersonID)
	case MineTeam:
		add("r.person_id <> ?", a.PersonID)
	case MineTodo:
		todo := `(r.state = 'self_review' AND r.person_id = ?) OR (r.state = 'manager_review' AND r.reviewer_id = ?) OR (r.state = 'released' AND r.person_id = ?)
			OR (r.state = 'self_review' AND r.reviewer_id = ? AND c.self_due <> '' AND c.self_due < ?)`
		targs := []any{a.PersonID, a.PersonID, a.PersonID, a.PersonID, s.today()}
		if canDecide(a) {
			todo += " OR (r.state = 'calibration' AND r.person_id <> ?)"
			targs = append(targs, a.PersonID)
		}
		add("("+todo+")", targs...)
	default:
		return nil, echelon.FieldError("mine", "review.mine_invalid")
	}
	var out []*Review
	err = s.db.View(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+reviewColumns+` WHERE `+strings.Join(where, " AND ")+`
			ORDER BY r.cycle_id DESC, p.name, r.id LIMIT 1000`, args...)
		if err != nil {
			return fmt.Errorf("review: list reviews: %w", err)
		}
		defer rows.Close()
		today := s.today()
		for rows.Next() {
			r, err := scanReview(rows)
			if err != nil {
				return fmt.Errorf("review: scan review: %w", err)
			}
			r.shape(a, today)
			out = append(out, r)
		}
		return rows.Err()
	})
	if f.Mine == MineTodo {
		sortByDue(out)
	}
	return out, err
}

// sortByDue puts the earliest deadline first; tasks without one last.
func sortByDue(rs []*Review) {
	key := func(r *Review) string {
		if r.Due == "" {
			return "9999"
		}
		return r.Due
	}
	slices.SortStableFunc(rs, func(x, y *Review) int { return strings.Compare(key(x), key(y)) })
}
