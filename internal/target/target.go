// Package target holds the targets (目标) of PRODUCT.md 2.3: plans — the
// rule: metric, fiscal year, currency, how children add up — kept apart
// from their values, one target per org unit and per rep, cascaded top
// down and phased over the months of the fiscal year; draft → approved →
// locked, with a new revision and a reason for any change after locking;
// and pacing of the actual against what was expected by now.
package target

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/settings"
)

// Plan states.
const (
	StateDraft    = "draft"
	StateApproved = "approved"
	StateLocked   = "locked"
)

// Rules for how the targets of children relate to their parent's.
const (
	RuleExact   = "exact"    // children add up to the parent exactly
	RuleAtLeast = "at_least" // children add up to at least the parent (层层加码)
)

// Phasings: how a target's year is spread over its months.
const (
	PhasingEven     = "even"     // equal months (the remainder to the first)
	PhasingSeasonal = "seasonal" // like last fiscal year's actuals; even when there were none
	PhasingManual   = "manual"   // months entered one by one
)

// Plan is a target rule with its state.
type Plan struct {
	ID           int64      `json:"id"`
	Metric       kpi.Metric `json:"metric"`
	kpi.Slice               // a product series or territory the metric is narrowed to
	SliceName    string     `json:"dim_name,omitempty"` // the territory's name
	FiscalYear   int        `json:"fiscal_year"`
	Period       string     `json:"period"`
	Currency     string     `json:"currency,omitempty"`
	Revision     int        `json:"revision"`
	Rule         string     `json:"rule"`
	State        string     `json:"state"`
	Reason       string     `json:"reason,omitempty"`
	SupersedesID int64      `json:"supersedes_id,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
	Version      int        `json:"version"`
}

// Node is the target of one org unit or one person within a plan.
type Node struct {
	ID         int64     `json:"id"`
	PlanID     int64     `json:"plan_id"`
	ParentID   int64     `json:"parent_id,omitempty"`
	UnitID     int64     `json:"org_unit_id"`
	UnitName   string    `json:"org_unit_name"`
	UnitPath   string    `json:"-"`
	PersonID   int64     `json:"person_id,omitempty"`
	PersonName string    `json:"person_name,omitempty"`
	Amount     int64     `json:"amount"`
	Phasing    string    `json:"phasing"`
	Months     []int64   `json:"months"`
	Version    int       `json:"version"`
	UpdatedAt  time.Time `json:"updated_at"`
	// Filled for the reader:
	ChildrenSum *int64 `json:"children_sum,omitempty"` // nil for a node without children
	Balanced    bool   `json:"balanced"`               // the children add up as the plan's rule says
	Editable    bool   `json:"editable"`               // the reader may change this target now
	children    []*Node
	parent      *Node
}

// Label is the node's person or, for a unit's target, the unit.
func (n *Node) Label() string {
	if n.PersonID != 0 {
		return n.PersonName
	}
	return n.UnitName
}

// Subject is whose actuals the node is measured against.
func (n *Node) Subject() kpi.Subject {
	if n.PersonID != 0 {
		return kpi.Subject{PersonID: n.PersonID}
	}
	return kpi.Subject{UnitPath: n.UnitPath, UnitID: n.UnitID}
}

// Service manages plans and targets.
type Service struct {
	db  *db.DB
	now func() time.Time
}

// NewService returns the target service.
func NewService(d *db.DB) *Service { return &Service{db: d, now: time.Now} }

// WithClock returns a copy of the service that reads the time from now (for tests).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

func actor(ctx context.Context) (*echelon.Actor, error) {
	if a := echelon.ActorFrom(ctx); a != nil {
		return a, nil
	}
	return nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
}

const planColumns = `p.id, p.metric, p.dimension, p.dim_value, COALESCE(t.name, ''), p.fiscal_year, p.currency, p.revision, p.rule, p.state, p.reason,
	COALESCE(p.supersedes_id, 0), p.created_at, p.decided_at, p.version
	FROM target_plans p LEFT JOIN territories t ON p.dimension = 'territory' AND CAST(t.id AS TEXT) = p.dim_value`

func scanPlan(r interface{ Scan(...any) error }) (*Plan, error) {
	var p Plan
	var decided sql.NullTime
	if err := r.Scan(&p.ID, &p.Metric, &p.By, &p.Value, &p.SliceName, &p.FiscalYear, &p.Currency, &p.Revision, &p.Rule, &p.State, &p.Reason,
		&p.SupersedesID, &p.CreatedAt, &decided, &p.Version); err != nil {
		return nil, err
	}
	if decided.Valid {
		p.DecidedAt = &decided.Time
	}
	p.Period = fmt.Sprint(p.FiscalYear)
	return &p, nil
}

func findPlan(ctx context.Context, tx *db.Tx, id int64) (*Plan, error) {
	p, err := scanPlan(tx.QueryRow(ctx, `SELECT `+planColumns+` WHERE p.id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "target.plan_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("target: plan %d: %w", id, err)
	}
	return p, nil
}

// FindPlans lists every plan, newest fiscal year first; anyone signed in
// may see the plans (the targets inside them are scoped).
func (s *Service) FindPlans(ctx context.Context) ([]*Plan, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	var out []*Plan
	err := s.db.View(ctx, func(tx *db.Tx) error {
		rs, err := tx.Query(ctx, `SELECT `+planColumns+` ORDER BY p.fiscal_year DESC, p.metric, p.dimension, p.dim_value, p.currency, p.revision DESC`)
		if err != nil {
			return fmt.Errorf("target: plans: %w", err)
		}
		defer rs.Close()
		for rs.Next() {
			p, err := scanPlan(rs)
			if err != nil {
				return fmt.Errorf("target: scan plan: %w", err)
			}
			out = append(out, p)
		}
		return rs.Err()
	})
	return out, err
}

const nodeColumns = `t.id, t.plan_id, COALESCE(t.parent_id, 0), t.org_unit_id, u.name, u.path, COALESCE(t.person_id, 0),
	COALESCE(p.name, ''), t.amount, t.phasing, t.months, t.version, t.updated_at
	FROM targets t JOIN org_units u ON u.id = t.org_unit_id LEFT JOIN people p ON p.id = t.person_id`

// tree is a plan with all its targets, linked.
type tree struct {
	plan  *Plan
	cal   period.Calendar
	nodes []*Node // in path order, parents before children
	byID  map[int64]*Node
}

func loadTree(ctx context.Context, tx *db.Tx, planID int64) (*tree, error) {
	p, err := findPlan(ctx, tx, planID)
	if err != nil {
		return nil, err
	}
	cal, err := settings.Calendar(ctx, tx)
	if err != nil {
		return nil, err
	}
	t := &tree{plan: p, cal: cal, byID: map[int64]*Node{}}
	rs, err := tx.Query(ctx, `SELECT `+nodeColumns+` WHERE t.plan_id = ? ORDER BY u.path, COALESCE(t.person_id, 0)`, planID)
	if err != nil {
		return nil, fmt.Errorf("target: targets of plan %d: %w", planID, err)
	}
	defer rs.Close()
	for rs.Next() {
		var n Node
		var months string
		if err := rs.Scan(&n.ID, &n.PlanID, &n.ParentID, &n.UnitID, &n.UnitName, &n.UnitPath, &n.PersonID, &n.PersonName,
			&n.Amount, &n.Phasing, &months, &n.Version, &n.UpdatedAt); err != nil {
			return nil, fmt.Errorf("target: scan target: %w", err)
		}
		if err := json.Unmarshal([]byte(months), &n.Months); err != nil {
			return nil, fmt.Errorf("target: months of target %d: %w", n.ID, err)
		}
		t.nodes = append(t.nodes, &n)
		t.byID[n.ID] = &n
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("target: targets of plan %d: %w", planID, err)
	}
	for _, n := range t.nodes {
		if par := t.byID[n.ParentID]; par != nil {
			n.parent = par
			par.children = append(par.children, n)
		}
	}
	return t, nil
}

// balance fills every node's children sum and whether it meets the rule.
func (t *tree) balance() {
	for _, n := range t.nodes {
		n.ChildrenSum, n.Balanced = nil, true
		if len(n.children) == 0 {
			continue
		}
		var sum int64
		for _, c := range n.children {
			sum += c.Amount
		}
		n.ChildrenSum = &sum
		n.Balanced = sum == n.Amount || (t.plan.Rule == RuleAtLeast && sum > n.Amount)
	}
}

// root is the company's target.
func (t *tree) root() *Node {
	for _, n := range t.nodes {
		if n.parent == nil {
			return n
		}
	}
	return nil
}

// visible lists the nodes the actor may read, marking what they may edit.
func (t *tree) visible(a *echelon.Actor) []*Node {
	t.balance()
	var out []*Node
	for _, n := range t.nodes {
		if canSee(a, n) {
			n.Editable = t.plan.State == StateDraft && canEdit(a, n) == nil
			out = append(out, n)
		}
	}
	return out
}

// FindPlan returns a plan with the targets the actor may see.
func (s *Service) FindPlan(ctx context.Context, id int64) (*Plan, []*Node, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, nil, err
	}
	var t *tree
	err = s.db.View(ctx, func(tx *db.Tx) (err error) {
		t, err = loadTree(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return t.plan, t.visible(a), nil
}

// FindTarget returns one target the actor may see, with its plan.
func (s *Service) FindTarget(ctx context.Context, id int64) (*Plan, *Node, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, nil, err
	}
	var t *tree
	var n *Node
	err = s.db.View(ctx, func(tx *db.Tx) (err error) {
		t, n, err = loadNode(ctx, tx, a, id)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	t.visible(a)
	return t.plan, n, nil
}

// loadNode loads the plan of target id and the target, if the actor may see it.
func loadNode(ctx context.Context, tx *db.Tx, a *echelon.Actor, id int64) (*tree, *Node, error) {
	var planID int64
	err := tx.QueryRow(ctx, `SELECT plan_id FROM targets WHERE id = ?`, id).Scan(&planID)
	if err == sql.ErrNoRows {
		return nil, nil, echelon.Errorf(echelon.ENOTFOUND, "target.not_found")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("target: find %d: %w", id, err)
	}
	t, err := loadTree(ctx, tx, planID)
	if err != nil {
		return nil, nil, err
	}
	n := t.byID[id]
	if !canSee(a, n) {
		return nil, nil, echelon.Errorf(echelon.ENOTFOUND, "target.not_found")
	}
	return t, n, nil
}

// Sheet is the targets of one plan by whom they belong to, for reading
// targets inside another module's computation (scorecards).
type Sheet struct {
	Plan     *Plan
	cal      period.Calendar
	byPerson map[int64]*Node
	byUnit   map[int64]*Node
}

// Current returns the targets of the plan in force for a metric (over the
// whole business, not narrowed to a series or territory), currency
// and fiscal year — its newest approved or locked revision, else its newest
// draft — or nil when there is none.
func Current(ctx context.Context, tx *db.Tx, metric kpi.Metric, currency string, year int) (*Sheet, error) {
	if !metric.Money() {
		currency = ""
	}
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM target_plans WHERE metric = ? AND dimension = '' AND currency = ? AND fiscal_year = ?
		ORDER BY CASE WHEN state = 'draft' THEN 1 ELSE 0 END, revision DESC LIMIT 1`, metric, currency, year).Scan(&id)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("target: current %s plan of %d: %w", metric, year, err)
	}
	t, err := loadTree(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	sh := &Sheet{Plan: t.plan, cal: t.cal, byPerson: map[int64]*Node{}, byUnit: map[int64]*Node{}}
	for _, n := range t.nodes {
		if n.PersonID != 0 {
			sh.byPerson[n.PersonID] = n
		} else {
			sh.byUnit[n.UnitID] = n
		}
	}
	return sh, nil
}

// For is the subject's target in period p (the sum of its months there),
// and whether the plan holds a target for the subject.
func (sh *Sheet) For(s kpi.Subject, p period.Period) (int64, bool) {
	n := sh.byUnit[s.UnitID]
	if s.PersonID != 0 {
		n = sh.byPerson[s.PersonID]
	}
	if n == nil {
		return 0, false
	}
	year := sh.cal.Year(sh.Plan.FiscalYear)
	var sum int64
	for _, m := range period.MonthsOf(p) {
		if year.Contains(m) {
			sum += n.Months[monthIndex(year, m)]
		}
	}
	return sum, true
}
