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
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
)

// Plan states and outcomes.
const (
	PlanOpen     = "open"
	PlanClosed   = "closed"
	Successful   = "successful"
	Extended     = "extended"
	Unsuccessful = "unsuccessful"
)

// Outcomes lists the outcomes a plan closes with.
var Outcomes = []string{Successful, Extended, Unsuccessful}

// Plan is an improvement plan (PIP). Admin and the managers whose subtree
// holds the person open it (never about themselves), add check-in notes
// and close it with an outcome; the person reads theirs. A person has at
// most one open plan.
type Plan struct {
	ID         int64      `json:"id"`
	PersonID   int64      `json:"person_id"`
	PersonName string     `json:"person_name"`
	UnitPath   string     `json:"-"`
	ReviewID   int64      `json:"review_id,omitempty"`
	Goals      []string   `json:"goals"`
	Checkins   []string   `json:"checkins"` // check-in dates, YYYY-MM-DD
	State      string     `json:"state"`
	Outcome    string     `json:"outcome,omitempty"`
	OpenedBy   string     `json:"opened_by"`
	OpenedAt   time.Time  `json:"opened_at"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
	Notes      []PlanNote `json:"notes"`
	Version    int        `json:"version"`
}

// PlanNote is a note added to a plan, at a check-in or when it closes.
type PlanNote struct {
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// PlanInput opens a plan.
type PlanInput struct {
	PersonID int64    `json:"person_id"`
	ReviewID int64    `json:"review_id,omitempty"`
	Goals    []string `json:"goals"`
	Checkins []string `json:"checkins"`
}

// PlanNoteInput adds a check-in note.
type PlanNoteInput struct {
	Body    string `json:"body"`
	Version int    `json:"version,omitempty"`
}

// PlanCloseInput closes a plan with its outcome and an optional note.
type PlanCloseInput struct {
	Outcome string `json:"outcome"`
	Note    string `json:"note,omitempty"`
	Version int    `json:"version,omitempty"`
}

// planScope limits plans (alias ip, the person's unit u) to what a may read.
func planScope(a *echelon.Actor) (string, []any) {
	switch {
	case a.IsAdmin():
		return "1=1", nil
	case a.Role.IsManager():
		return "(ip.person_id = ? OR u.path LIKE ?)", []any{a.PersonID, a.UnitPath + "%"}
	}
	return "ip.person_id = ?", []any{a.PersonID}
}

const planColumns = `ip.id, ip.person_id, p.name, COALESCE(u.path, ''), COALESCE(ip.review_id, 0), ip.goals, ip.checkins, ip.state, ip.outcome,
	COALESCE(ob.name, ''), ip.opened_at, ip.closed_at, ip.version
	FROM improvement_plans ip JOIN people p ON p.id = ip.person_id LEFT JOIN org_units u ON u.id = p.org_unit_id
	LEFT JOIN people ob ON ob.id = ip.opened_by`

func scanPlan(row interface{ Scan(...any) error }) (*Plan, error) {
	var p Plan
	var goals, checkins string
	var closed sql.NullTime
	if err := row.Scan(&p.ID, &p.PersonID, &p.PersonName, &p.UnitPath, &p.ReviewID, &goals, &checkins, &p.State, &p.Outcome,
		&p.OpenedBy, &p.OpenedAt, &closed, &p.Version); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(goals), &p.Goals); err != nil {
		return nil, fmt.Errorf("review: goals of plan %d: %w", p.ID, err)
	}
	if err := json.Unmarshal([]byte(checkins), &p.Checkins); err != nil {
		return nil, fmt.Errorf("review: check-ins of plan %d: %w", p.ID, err)
	}
	p.OpenedAt, p.ClosedAt, p.Notes = p.OpenedAt.UTC(), utcPtr(closed), []PlanNote{}
	return &p, nil
}

func findPlan(ctx context.Context, tx *db.Tx, a *echelon.Actor, id int64) (*Plan, error) {
	cond, args := planScope(a)
	p, err := scanPlan(tx.QueryRow(ctx, `SELECT `+planColumns+` WHERE ip.id = ? AND `+cond, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "plan.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("review: find plan %d: %w", id, err)
	}
	rows, err := tx.Query(ctx, `SELECT COALESCE(au.name, ''), n.body, n.created_at FROM improvement_plan_notes n
		LEFT JOIN people au ON au.id = n.author_id WHERE n.plan_id = ? ORDER BY n.id`, id)
	if err != nil {
		return nil, fmt.Errorf("review: notes of plan %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var n PlanNote
		if err := rows.Scan(&n.Author, &n.Body, &n.CreatedAt); err != nil {
			return nil, fmt.Errorf("review: scan plan note: %w", err)
		}
		n.CreatedAt = n.CreatedAt.UTC()
		p.Notes = append(p.Notes, n)
	}
	return p, rows.Err()
}

// FindPlans lists the plans the actor may read, open ones first; of one
// person when personID is not zero.
func (s *Service) FindPlans(ctx context.Context, personID int64) ([]*Plan, error) {
	a, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := planScope(a)
	if personID != 0 {
		cond += " AND ip.person_id = ?"
		args = append(args, personID)
	}
	var out []*Plan
	err = s.db.View(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+planColumns+` WHERE `+cond+` ORDER BY ip.state DESC, ip.opened_at DESC, ip.id DESC LIMIT 500`, args...)
		if err != nil {
			return fmt.Errorf("review: list plans: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPlan(rows)
			if err != nil {
				return fmt.Errorf("review: scan plan: %w", err)
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// FindPlanByID returns a plan the actor may read, with its notes.
func (s *Service) FindPlanByID(ctx context.Context, id int64) (*Plan, error) {
	a, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	var out *Plan
	err = s.db.View(ctx, func(tx *db.Tx) (err error) {
		out, err = findPlan(ctx, tx, a, id)
		return err
	})
	return out, err
}

func (in *PlanInput) validate() error {
	var goals []string
	for _, g := range in.Goals {
		if g = strings.TrimSpace(g); g != "" {
			if len([]rune(g)) > 1000 {
				return echelon.FieldError("goals", "review.text_long", 1000)
			}
			goals = append(goals, g)
		}
	}
	if len(goals) == 0 {
		return echelon.FieldError("goals", "plan.goals_required")
	}
	in.Goals = goals
	var dates []string
	for _, d := range in.Checkins {
		if d = strings.TrimSpace(d); d == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return echelon.FieldError("checkins", "plan.checkin_invalid", d)
		}
		dates = append(dates, d)
	}
	if len(dates) == 0 {
		return echelon.FieldError("checkins", "plan.checkins_required")
	}
	slices.Sort(dates)
	in.Checkins = slices.Compact(dates)
	return nil
}

// OpenPlan opens an improvement plan for a person the actor leads,
// optionally from one of the person's reviews.
func (s *Service) OpenPlan(ctx context.Context, in PlanInput) (*Plan, error) {
	a, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !canLead(a) {
		return nil, echelon.Errorf(echelon.EFORBIDDEN, "plan.forbidden")
	}
	var out *Plan
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		p, err := subjectInScope(ctx, tx, a, in.PersonID, "person_id")
		if err != nil {
			return err
		}
		if err := in.validate(); err != nil {
			return err
		}
		if in.ReviewID != 0 {
			r, err := findReview(ctx, tx, a, in.ReviewID)
			if echelon.ErrorCode(err) == echelon.ENOTFOUND || (err == nil && r.PersonID != p.ID) {
				return echelon.FieldError("review_id", "review.not_found")
			}
			if err != nil {
				return err
			}
		}
		var open int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM improvement_plans WHERE person_id = ? AND state = 'open'`, p.ID).Scan(&open); err != nil {
			return fmt.Errorf("review: open plans of %d: %w", p.ID, err)
		}
		if open > 0 {
			return echelon.Errorf(echelon.ECONFLICT, "plan.already_open", p.Name)
		}
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO improvement_plans (person_id, review_id, goals, checkins, state, opened_by, opened_at)
			VALUES (?, ?, ?, ?, 'open', ?, ?) RETURNING id`, p.ID, nullID(in.ReviewID), mustJSON(in.Goals), mustJSON(in.Checkins),
			nullID(a.PersonID), s.now()).Scan(&id)
		if err != nil {
			return fmt.Errorf("review: insert plan: %w", err)
		}
		if out, err = findPlan(ctx, tx, a, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "create", "improvement_plan", id, nil, out)
	})
	return out, err
}

// planStep changes an open plan that the actor leads (not their own).
func (s *Service) planStep(ctx context.Context, id int64, version int, action string, do func(*db.Tx, *echelon.Actor, *Plan) error) (*Plan, error) {
	a, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	var out *Plan
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findPlan(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !canLead(a) || before.PersonID == a.PersonID || !(a.IsAdmin() || org.InSubtree(before.UnitPath, a.UnitPath)) {
			return echelon.Errorf(echelon.EFORBIDDEN, "plan.forbidden")
		}
		if err := checkVersion(ctx, tx, "improvement_plan", id, before.Version, version); err != nil {
			return err
		}
		if before.State != PlanOpen {
			return echelon.Errorf(echelon.ECONFLICT, "plan.closed")
		}
		if err := do(tx, a, before); err != nil {
			return err
		}
		if out, err = findPlan(ctx, tx, a, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, action, "improvement_plan", id, before, out)
	})
	return out, err
}

func addPlanNote(ctx context.Context, tx *db.Tx, a *echelon.Actor, plan int64, body string, at time.Time) error {
	if _, err := tx.Exec(ctx, `INSERT INTO improvement_plan_notes (plan_id, author_id, body, created_at) VALUES (?, ?, ?, ?)`,
		plan, nullID(a.PersonID), body, at); err != nil {
		return fmt.Errorf("review: add note to plan %d: %w", plan, err)
	}
	_, err := tx.Exec(ctx, `UPDATE improvement_plans SET version = version + 1 WHERE id = ?`, plan)
	if err != nil {
		return fmt.Errorf("review: touch plan %d: %w", plan, err)
	}
	return nil
}

// AddCheckin adds a check-in note to an open plan.
func (s *Service) AddCheckin(ctx context.Context, id int64, in PlanNoteInput) (*Plan, error) {
	return s.planStep(ctx, id, in.Version, "checkin", func(tx *db.Tx, a *echelon.Actor, p *Plan) error {
		body, err := checkText("body", in.Body, true)
		if err != nil {
			return err
		}
		return addPlanNote(ctx, tx, a, p.ID, body, s.now())
	})
}

// ClosePlan closes an open plan with its outcome.
func (s *Service) ClosePlan(ctx context.Context, id int64, in PlanCloseInput) (*Plan, error) {
	return s.planStep(ctx, id, in.Version, "close", func(tx *db.Tx, a *echelon.Actor, p *Plan) error {
		if !slices.Contains(Outcomes, in.Outcome) {
			return echelon.FieldError("outcome", "plan.outcome_invalid")
		}
		note, err := checkText("note", in.Note, false)
		if err != nil {
			return err
		}
		now := s.now()
		if note != "" {
			if err := addPlanNote(ctx, tx, a, p.ID, note, now); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE improvement_plans SET state = 'closed', outcome = ?, closed_by = ?, closed_at = ?, version = version + 1 WHERE id = ?`,
			in.Outcome, nullID(a.PersonID), now, p.ID)
		if err != nil {
			return fmt.Errorf("review: close plan %d: %w", p.ID, err)
		}
		return nil
	})
}
