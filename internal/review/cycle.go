package review

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/settings"
)

// Cycle states: a draft lists its people and their reviewers; opening it
// starts the self reviews, sets the deadlines and freezes the scorecards.
const (
	CycleDraft = "draft"
	CycleOpen  = "open"
)

// Cycle applies a template to the people of an org unit's subtree for one fiscal period.
type Cycle struct {
	ID             int64          `json:"id"`
	TemplateID     int64          `json:"template_id"`
	Kind           string         `json:"kind"`
	Name           string         `json:"name"`
	Period         string         `json:"period"`
	UnitID         int64          `json:"org_unit_id"`
	UnitName       string         `json:"org_unit_name"`
	UnitPath       string         `json:"-"`
	Roles          []echelon.Role `json:"roles"`
	LevelID        int64          `json:"level_id,omitempty"`
	Competencies   []string       `json:"competencies"`
	State          string         `json:"state"`
	SelfDue        string         `json:"self_due,omitempty"`
	ManagerDue     string         `json:"manager_due,omitempty"`
	CalibrationDue string         `json:"calibration_due,omitempty"`
	CreatedAt      time.Time      `json:"created_at"`
	OpenedAt       *time.Time     `json:"opened_at,omitempty"`
	Version        int            `json:"version"`
	// Progress counts the reviews the reader may see, by state.
	Progress map[string]int `json:"progress"`
}

// CycleInput creates a cycle: the template, the fiscal period matching its
// kind ("2026-Q3", "2026-09", "2026"), the unit whose subtree is reviewed,
// and optionally the roles (default: the sales roles) and level to include.
type CycleInput struct {
	TemplateID int64          `json:"template_id"`
	Name       string         `json:"name,omitempty"`
	Period     string         `json:"period"`
	UnitID     int64          `json:"org_unit_id"`
	Roles      []echelon.Role `json:"roles,omitempty"`
	LevelID    int64          `json:"level_id,omitempty"`
}

// salesRoles are reviewed when a cycle names no roles: partner departments
// are not on the sales ladder.
var salesRoles = []echelon.Role{echelon.RoleSeniorManager, echelon.RoleRegionalManager, echelon.RoleRep}

const cycleColumns = `c.id, c.template_id, t.kind, c.name, c.period, c.org_unit_id, u.name, u.path, c.roles, COALESCE(c.level_id, 0),
	c.competencies, c.state, c.self_due, c.manager_due, c.calibration_due, c.created_at, c.opened_at, c.version
	FROM review_cycles c JOIN review_templates t ON t.id = c.template_id JOIN org_units u ON u.id = c.org_unit_id`

func scanCycle(row interface{ Scan(...any) error }) (*Cycle, error) {
	var c Cycle
	var roles, comps string
	var opened sql.NullTime
	err := row.Scan(&c.ID, &c.TemplateID, &c.Kind, &c.Name, &c.Period, &c.UnitID, &c.UnitName, &c.UnitPath, &roles, &c.LevelID,
		&comps, &c.State, &c.SelfDue, &c.ManagerDue, &c.CalibrationDue, &c.CreatedAt, &opened, &c.Version)
	if err != nil {
		return nil, err
	}
	for _, r := range strings.Split(roles, ",") {
		c.Roles = append(c.Roles, echelon.Role(r))
	}
	if err := json.Unmarshal([]byte(comps), &c.Competencies); err != nil {
		return nil, fmt.Errorf("review: competencies of cycle %d: %w", c.ID, err)
	}
	c.CreatedAt = c.CreatedAt.UTC()
	if opened.Valid {
		t := opened.Time.UTC()
		c.OpenedAt = &t
	}
	return &c, nil
}

// cycleScope limits cycles (alias c, its unit u) to those a may see: admin
// all; anyone else those holding a review they may see, and a manager
// also those of their subtree.
func cycleScope(a *echelon.Actor) (string, []any) {
	rs, args := reviewScope(a)
	cond := "EXISTS (SELECT 1 FROM reviews r JOIN org_units ru ON ru.id = r.org_unit_id WHERE r.cycle_id = c.id AND " + rs + ")"
	switch {
	case a.IsAdmin():
		return "1=1", nil
	case a.Role.IsManager():
		return "(u.path LIKE ? OR " + cond + ")", append([]any{a.UnitPath + "%"}, args...)
	}
	return cond, args
}

// canRun reports whether a may open a cycle run on the unit at path: admin
// and managers whose subtree holds it.
func canRun(a *echelon.Actor, path string) bool {
	return a.IsAdmin() || (a.Role.IsManager() && org.InSubtree(path, a.UnitPath))
}

// findCycle loads a cycle the actor may see, with its progress; not found otherwise.
func findCycle(ctx context.Context, tx *db.Tx, a *echelon.Actor, id int64) (*Cycle, error) {
	cond, args := cycleScope(a)
	c, err := scanCycle(tx.QueryRow(ctx, `SELECT `+cycleColumns+` WHERE c.id = ? AND `+cond, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "review.cycle_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("review: find cycle %d: %w", id, err)
	}
	return c, progress(ctx, tx, a, []*Cycle{c})
}

// progress counts each cycle's reviews that a may see, by state.
func progress(ctx context.Context, tx *db.Tx, a *echelon.Actor, cycles []*Cycle) error {
	byID := map[int64]*Cycle{}
	ids := make([]int64, len(cycles))
	for i, c := range cycles {
		c.Progress = map[string]int{}
		byID[c.ID], ids[i] = c, c.ID
	}
	rs, rargs := reviewScope(a)
	return inChunks(ids, func(args []any, marks string) error {
		rows, err := tx.Query(ctx, `SELECT r.cycle_id, r.state, COUNT(*) FROM reviews r JOIN org_units ru ON ru.id = r.org_unit_id
			WHERE r.cycle_id IN (`+marks+`) AND `+rs+` GROUP BY r.cycle_id, r.state`, append(args, rargs...)...)
		if err != nil {
			return fmt.Errorf("review: cycle progress: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var state string
			var n int
			if err := rows.Scan(&id, &state, &n); err != nil {
				return fmt.Errorf("review: scan progress: %w", err)
			}
			byID[id].Progress[state] = n
		}
		return rows.Err()
	})
}

// FindCycles lists the cycles the actor may see, newest first.
func (s *Service) FindCycles(ctx context.Context) ([]*Cycle, error) {
	a, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Cycle
	err = s.db.View(ctx, func(tx *db.Tx) error {
		cond, args := cycleScope(a)
		rows, err := tx.Query(ctx, `SELECT `+cycleColumns+` WHERE `+cond+` ORDER BY c.id DESC LIMIT 200`, args...)
		if err != nil {
			return fmt.Errorf("review: list cycles: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCycle(rows)
			if err != nil {
				return fmt.Errorf("review: scan cycle: %w", err)
			}
			out = append(out, c)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("review: list cycles: %w", err)
		}
		return progress(ctx, tx, a, out)
	})
	return out, err
}

// FindCycleByID returns a cycle the actor may see.
func (s *Service) FindCycleByID(ctx context.Context, id int64) (*Cycle, error) {
	a, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	var out *Cycle
	err = s.db.View(ctx, func(tx *db.Tx) (err error) {
		out, err = findCycle(ctx, tx, a, id)
		return err
	})
	return out, err
}

// CreateCycle creates a draft cycle with one draft review per person of the
// unit's subtree (the roles and level chosen; never the creator), each
// with their reviewer. Admin and managers create cycles for units of their
// subtree; a person nobody may review refuses the whole cycle.
func (s *Service) CreateCycle(ctx context.Context, in CycleInput) (*Cycle, error) {
	a, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !canLead(a) {
		return nil, echelon.Errorf(echelon.EFORBIDDEN, "review.cycle_forbidden")
	}
	if len(in.Roles) == 0 {
		in.Roles = salesRoles
	}
	for _, r := range in.Roles {
		if !r.Valid() {
			return nil, echelon.FieldError("roles", "review.role_invalid", string(r))
		}
	}
	var out *Cycle
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		tpl, err := findTemplate(ctx, tx, in.TemplateID)
		if err != nil {
			return echelon.FieldError("template_id", "review.template_not_found")
		}
		p, err := s.checkPeriod(ctx, tx, tpl, in.Period)
		if err != nil {
			return err
		}
		in.Period = p
		var path, unitName string
		err = tx.QueryRow(ctx, `SELECT path, name FROM org_units WHERE id = ? AND closed_at IS NULL`, in.UnitID).Scan(&path, &unitName)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !canRun(a, path)) {
			return echelon.FieldError("org_unit_id", "unit.not_found")
		}
		if err != nil {
			return fmt.Errorf("review: find unit %d: %w", in.UnitID, err)
		}
		if in.LevelID != 0 {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM levels WHERE id = ?`, in.LevelID).Scan(&n); err != nil {
				return fmt.Errorf("review: find level: %w", err)
			}
			if n == 0 {
				return echelon.FieldError("level_id", "level.not_found")
			}
		}
		if in.Name = strings.TrimSpace(in.Name); in.Name == "" {
			in.Name = tpl.Name + " " + in.Period + " · " + unitName
		}
		if len([]rune(in.Name)) > 200 {
			return echelon.FieldError("name", "review.cycle_name")
		}
		people, err := s.cyclePeople(ctx, tx, a, path, in)
		if err != nil {
			return err
		}
		roles := make([]string, len(in.Roles))
		for i, r := range in.Roles {
			roles[i] = string(r)
		}
		now := s.now()
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO review_cycles (template_id, name, period, org_unit_id, roles, competencies, level_id, state, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?) RETURNING id`, tpl.ID, in.Name, in.Period, in.UnitID, strings.Join(roles, ","),
			mustJSON(tpl.Competencies), nullID(in.LevelID), nullID(a.PersonID), now).Scan(&id)
		if err != nil {
			return fmt.Errorf("review: insert cycle: %w", err)
		}
		items := make([]audit.Item, 0, len(people))
		for _, p := range people {
			var rid int64
			err := tx.QueryRow(ctx, `INSERT INTO reviews (cycle_id, person_id, org_unit_id, reviewer_id, state, updated_at)
				VALUES (?, ?, ?, ?, 'draft', ?) RETURNING id`, id, p.person.ID, p.person.UnitID, p.reviewer, now).Scan(&rid)
			if err != nil {
				return fmt.Errorf("review: insert review of %d: %w", p.person.ID, err)
			}
			items = append(items, audit.Item{ID: rid, After: map[string]any{"cycle_id": id, "person_id": p.person.ID, "reviewer_id": p.reviewer, "state": StateDraft}})
		}
		if out, err = findCycle(ctx, tx, a, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, "create", "review_cycle", id, nil, out); err != nil {
			return err
		}
		return audit.RecordBatch(ctx, tx, "create", "review", items)
	})
	return out, err
}

// checkPeriod parses a cycle's period and checks it is of the template's kind.
func (s *Service) checkPeriod(ctx context.Context, tx *db.Tx, tpl *Template, at string) (string, error) {
	cal, err := settings.Calendar(ctx, tx)
	if err != nil {
		return "", err
	}
	p, err := cal.Parse(at)
	if err != nil || p.Kind != periodKind(tpl.Kind) {
		return "", echelon.FieldError("period", "review.period_kind."+tpl.Kind)
	}
	return p.String(), nil
}

type participant struct {
	person   *person
	reviewer int64
}

// cyclePeople finds the active people of the subtree at path that in
// selects, but the actor, each with their reviewer.
func (s *Service) cyclePeople(ctx context.Context, tx *db.Tx, a *echelon.Actor, path string, in CycleInput) ([]participant, error) {
	args := []any{path + "%", a.PersonID}
	marks := make([]string, len(in.Roles))
	for i, r := range in.Roles {
		marks[i] = "?"
		args = append(args, string(r))
	}
	cond := ""
	if in.LevelID != 0 {
		cond = " AND p.level_id = ?"
		args = append(args, in.LevelID)
	}
	rows, err := tx.Query(ctx, `SELECT p.id FROM people p JOIN org_units u ON u.id = p.org_unit_id
		WHERE u.path LIKE ? AND p.active AND p.id <> ? AND p.role IN (`+strings.Join(marks, ", ")+`)`+cond+` ORDER BY p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("review: people of cycle: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("review: scan person: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("review: people of cycle: %w", err)
	}
	if len(ids) == 0 {
		return nil, echelon.FieldError("org_unit_id", "review.no_people")
	}
	out := make([]participant, 0, len(ids))
	for _, id := range ids {
		p, err := findPerson(ctx, tx, id)
		if err != nil {
			return nil, fmt.Errorf("review: find person %d: %w", id, err)
		}
		rev, err := reviewerOf(ctx, tx, p)
		if err != nil {
			return nil, err
		}
		if rev == 0 {
			return nil, echelon.FieldError("org_unit_id", "review.no_reviewer", p.Name)
		}
		out = append(out, participant{p, rev})
	}
	return out, nil
}

// OpenCycle opens a draft cycle: its reviews move to self review, the
// deadlines run from today by the template's days, and each person's
// scorecard of the period is frozen into their review. Admin and the
// managers whose subtree holds the cycle's unit may open it.
func (s *Service) OpenCycle(ctx context.Context, id int64, version int) (*Cycle, error) {
	a, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	var out *Cycle
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findCycle(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !canRun(a, before.UnitPath) {
			return echelon.Errorf(echelon.EFORBIDDEN, "review.cycle_forbidden")
		}
		if err := checkVersion(ctx, tx, "review_cycle", id, before.Version, version); err != nil {
			return err
		}
		if before.State != CycleDraft {
			return echelon.Errorf(echelon.ECONFLICT, "review.cycle_opened")
		}
		tpl, err := findTemplate(ctx, tx, before.TemplateID)
		if err != nil {
			return err
		}
		start := s.clock().In(echelon.CompanyZone())
		self := start.AddDate(0, 0, tpl.SelfDays)
		mgr := self.AddDate(0, 0, tpl.ManagerDays)
		cal := mgr.AddDate(0, 0, tpl.CalibrationDays)
		now := s.now()
		_, err = tx.Exec(ctx, `UPDATE review_cycles SET state = 'open', self_due = ?, manager_due = ?, calibration_due = ?,
			opened_by = ?, opened_at = ?, version = version + 1 WHERE id = ?`,
			self.Format(time.DateOnly), mgr.Format(time.DateOnly), cal.Format(time.DateOnly), nullID(a.PersonID), now, id)
		if err != nil {
			return fmt.Errorf("review: open cycle %d: %w", id, err)
		}
		if err := s.freezeScorecards(ctx, tx, id, before.Period, now); err != nil {
			return err
		}
		if out, err = findCycle(ctx, tx, a, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "open", "review_cycle", id, before, out)
	})
	return out, err
}

// snapshot is a scorecard frozen into a review, or why there is none.
type snapshot struct {
	Total    float64 `json:"total"`
	Template string  `json:"template,omitempty"`
	Currency string  `json:"currency,omitempty"`
	Lines    any     `json:"lines,omitempty"`
	Missing  string  `json:"missing,omitempty"` // the catalogue key of why there is no scorecard
}

// freezeScorecards moves the cycle's reviews to self review with the
// scorecard of each person in the period, scored with the system's sight
// (the person is in the opener's scope already).
func (s *Service) freezeScorecards(ctx context.Context, tx *db.Tx, cycle int64, at string, now time.Time) error {
	rows, err := tx.Query(ctx, `SELECT id, person_id FROM reviews WHERE cycle_id = ? ORDER BY id`, cycle)
	if err != nil {
		return fmt.Errorf("review: reviews of cycle %d: %w", cycle, err)
	}
	var pairs [][2]int64
	for rows.Next() {
		var p [2]int64
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			rows.Close()
			return fmt.Errorf("review: scan review: %w", err)
		}
		pairs = append(pairs, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("review: reviews of cycle %d: %w", cycle, err)
	}
	items := make([]audit.Item, 0, len(pairs))
	for _, p := range pairs {
		snap, err := s.score(ctx, p[1], at)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE reviews SET state = 'self_review', scorecard = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			mustJSON(snap), now, p[0]); err != nil {
			return fmt.Errorf("review: open review %d: %w", p[0], err)
		}
		items = append(items, audit.Item{ID: p[0], After: map[string]any{"state": StateSelf, "scorecard": snap}})
	}
	return audit.RecordBatch(ctx, tx, "open", "review", items)
}

// score is the snapshot of a person's scorecard in a period.
func (s *Service) score(ctx context.Context, personID int64, at string) (snapshot, error) {
	sys := echelon.NewContext(ctx, echelon.SystemActor("review"))
	card, err := s.cards.Scorecard(sys, kpi.Ref{PersonID: personID}, at, "")
	var e *echelon.Error
	if errors.As(err, &e) {
		return snapshot{Missing: e.Key}, nil
	}
	if err != nil {
		return snapshot{}, fmt.Errorf("review: scorecard of %d in %s: %w", personID, at, err)
	}
	return snapshot{Total: card.Total, Template: card.Template, Currency: card.Currency, Lines: card.Lines}, nil
}
