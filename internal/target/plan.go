package target

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/kpi"
)

// PlanInput creates a plan.
type PlanInput struct {
	Metric     kpi.Metric `json:"metric"`
	kpi.Slice             // optional: a product series or a territory
	FiscalYear int        `json:"fiscal_year"`
	Currency   string     `json:"currency"`
	Rule       string     `json:"rule"`
}

func (in *PlanInput) validate() error {
	if !in.Metric.Valid() {
		return echelon.FieldError("metric", "target.metric_invalid")
	}
	in.Value = strings.TrimSpace(in.Value)
	switch {
	case in.By == "":
		in.Value = ""
	case in.By != kpi.BySeries && in.By != kpi.ByTerritory:
		return echelon.FieldError("dimension", "target.dimension_invalid")
	case in.Metric != kpi.MetricWonRevenue && in.Metric != kpi.MetricWonDeals:
		return echelon.FieldError("dimension", "target.dimension_metric")
	case in.Value == "" || len(in.Value) > 100:
		return echelon.FieldError("dim_value", "target.dim_value_invalid")
	}
	if in.FiscalYear < 2000 || in.FiscalYear > 2100 {
		return echelon.FieldError("fiscal_year", "target.year_invalid")
	}
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	switch {
	case !in.Metric.Money():
		in.Currency = ""
	case in.Currency == "":
		in.Currency = echelon.DefaultCurrency
	case len(in.Currency) != 3:
		return echelon.FieldError("currency", "currency.invalid")
	}
	if in.Rule == "" {
		in.Rule = RuleExact
	}
	if in.Rule != RuleExact && in.Rule != RuleAtLeast {
		return echelon.FieldError("rule", "target.rule_invalid")
	}
	return nil
}

// CreatePlan starts a draft plan with a zero target for the company, every
// open org unit below it and every active rep, in the tree of the
// organisation as it is now (admin or senior manager).
func (s *Service) CreatePlan(ctx context.Context, in PlanInput) (*Plan, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !canDecide(a) {
		return nil, echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden")
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var p *Plan
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		if err := checkSlice(ctx, tx, in.Slice); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM target_plans WHERE metric = ? AND dimension = ? AND dim_value = ? AND fiscal_year = ? AND currency = ?`,
			in.Metric, in.By, in.Value, in.FiscalYear, in.Currency).Scan(&n); err != nil {
			return fmt.Errorf("target: existing plans: %w", err)
		}
		if n > 0 {
			return echelon.Errorf(echelon.ECONFLICT, "target.plan_exists", string(in.Metric), in.FiscalYear)
		}
		id, err := tx.InsertID(ctx, `INSERT INTO target_plans (metric, dimension, dim_value, fiscal_year, currency, revision, rule, state, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`, in.Metric, in.By, in.Value, in.FiscalYear, in.Currency, in.Rule, StateDraft, personID(a), s.now().UTC())
		if err != nil {
			return fmt.Errorf("target: insert plan: %w", err)
		}
		if err := s.seedNodes(ctx, tx, id); err != nil {
			return err
		}
		if p, err = findPlan(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "create", "target_plan", id, nil, p)
	})
	return p, err
}

func personID(a *echelon.Actor) any {
	if a.PersonID == 0 {
		return nil
	}
	return a.PersonID
}

// seedNodes writes a zero target for every open unit and every active rep.
func (s *Service) seedNodes(ctx context.Context, tx *db.Tx, planID int64) error {
	zero, _ := json.Marshal(make([]int64, 12))
	now := s.now().UTC()
	nodeOfUnit := map[int64]int64{}
	rs, err := tx.Query(ctx, `SELECT id, COALESCE(parent_id, 0) FROM org_units WHERE closed_at IS NULL ORDER BY path`)
	if err != nil {
		return fmt.Errorf("target: units: %w", err)
	}
	type unit struct{ id, parent int64 }
	var units []unit
	for rs.Next() {
		var u unit
		if err := rs.Scan(&u.id, &u.parent); err != nil {
			rs.Close()
			return fmt.Errorf("target: scan unit: %w", err)
		}
		units = append(units, u)
	}
	rs.Close()
	for _, u := range units {
		id, err := tx.InsertID(ctx, `INSERT INTO targets (plan_id, parent_id, org_unit_id, amount, phasing, months, updated_at)
			VALUES (?, ?, ?, 0, ?, ?, ?)`, planID, nullID(nodeOfUnit[u.parent]), u.id, PhasingEven, string(zero), now)
		if err != nil {
			return fmt.Errorf("target: seed unit %d: %w", u.id, err)
		}
		nodeOfUnit[u.id] = id
	}
	_, err = tx.Exec(ctx, `INSERT INTO targets (plan_id, parent_id, org_unit_id, person_id, amount, phasing, months, updated_at)
		SELECT ?, t.id, p.org_unit_id, p.id, 0, ?, ?, ? FROM people p JOIN targets t ON t.plan_id = ? AND t.org_unit_id = p.org_unit_id AND t.person_id IS NULL
		WHERE p.active AND p.role = ?`, planID, PhasingEven, string(zero), now, planID, string(echelon.RoleRep))
	if err != nil {
		return fmt.Errorf("target: seed reps: %w", err)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// lockPlan serialises the writers of one plan (a row lock on PostgreSQL;
// SQLite has one writer anyway) and returns it, refusing a stale version.
func lockPlan(ctx context.Context, tx *db.Tx, id int64, version *int) (*Plan, error) {
	if _, err := tx.Exec(ctx, `UPDATE target_plans SET version = version WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("target: lock plan %d: %w", id, err)
	}
	p, err := findPlan(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if version != nil && *version != p.Version {
		return nil, audit.StaleError(ctx, tx, "target_plan", id)
	}
	return p, nil
}

// Transition names a change of a plan's state.
type Transition struct {
	Version int    `json:"version"`
	Reason  string `json:"reason,omitempty"`
}

// Approve approves a draft plan whose targets add up by its rule.
func (s *Service) Approve(ctx context.Context, id int64, tr Transition) (*Plan, error) {
	return s.decide(ctx, id, tr, StateDraft, StateApproved, "approve", func(tx *db.Tx, p *Plan) error {
		t, err := loadTree(ctx, tx, id)
		if err != nil {
			return err
		}
		t.balance()
		var off []string
		for _, n := range t.nodes {
			if !n.Balanced {
				off = append(off, n.Label())
			}
		}
		if len(off) > 0 {
			return echelon.Errorf(echelon.EINVALID, "target.unbalanced", len(off), strings.Join(off[:min(len(off), 5)], ", "))
		}
		return nil
	})
}

// Reopen sends an approved plan back to draft.
func (s *Service) Reopen(ctx context.Context, id int64, tr Transition) (*Plan, error) {
	return s.decide(ctx, id, tr, StateApproved, StateDraft, "reopen", nil)
}

// Lock locks an approved plan: from now on it changes only by a revision.
func (s *Service) Lock(ctx context.Context, id int64, tr Transition) (*Plan, error) {
	return s.decide(ctx, id, tr, StateApproved, StateLocked, "lock", nil)
}

// decide moves a plan from one state to the next after check.
func (s *Service) decide(ctx context.Context, id int64, tr Transition, from, to, action string, check func(*db.Tx, *Plan) error) (*Plan, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !canDecide(a) {
		return nil, echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden")
	}
	var out *Plan
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := lockPlan(ctx, tx, id, &tr.Version)
		if err != nil {
			return err
		}
		if before.State != from {
			return echelon.Errorf(echelon.ECONFLICT, "target.state_wrong", before.State)
		}
		if check != nil {
			if err := check(tx, before); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE target_plans SET state = ?, decided_by = ?, decided_at = ?, version = version + 1 WHERE id = ?`,
			to, personID(a), s.now().UTC(), id); err != nil {
			return fmt.Errorf("target: %s plan %d: %w", action, id, err)
		}
		if out, err = findPlan(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, action, "target_plan", id, before, out)
	})
	return out, err
}

// Revise opens a new draft revision of a locked plan, with a reason, copying
// its targets; the locked revision is kept as it was.
func (s *Service) Revise(ctx context.Context, id int64, tr Transition) (*Plan, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !canDecide(a) {
		return nil, echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden")
	}
	reason := strings.TrimSpace(tr.Reason)
	if reason == "" {
		return nil, echelon.FieldError("reason", "target.reason_required")
	}
	var out *Plan
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		old, err := lockPlan(ctx, tx, id, &tr.Version)
		if err != nil {
			return err
		}
		if old.State != StateLocked {
			return echelon.Errorf(echelon.ECONFLICT, "target.state_wrong", old.State)
		}
		var newer int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM target_plans WHERE supersedes_id = ?`, id).Scan(&newer); err != nil {
			return fmt.Errorf("target: revisions of %d: %w", id, err)
		}
		if newer > 0 {
			return echelon.Errorf(echelon.ECONFLICT, "target.already_revised")
		}
		nid, err := tx.InsertID(ctx, `INSERT INTO target_plans (metric, dimension, dim_value, fiscal_year, currency, revision, rule, state, reason, supersedes_id, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, old.Metric, old.By, old.Value, old.FiscalYear, old.Currency, old.Revision+1, old.Rule, StateDraft, reason, id, personID(a), s.now().UTC())
		if err != nil {
			return fmt.Errorf("target: insert revision: %w", err)
		}
		if err := s.copyNodes(ctx, tx, id, nid); err != nil {
			return err
		}
		if out, err = findPlan(ctx, tx, nid); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "revise", "target_plan", nid, old, out)
	})
	return out, err
}

// copyNodes copies the targets of plan from into plan to, keeping the tree.
func (s *Service) copyNodes(ctx context.Context, tx *db.Tx, from, to int64) error {
	t, err := loadTree(ctx, tx, from)
	if err != nil {
		return err
	}
	newID := map[int64]int64{}
	now := s.now().UTC()
	for _, n := range t.nodes { // parents come first
		months, _ := json.Marshal(n.Months)
		id, err := tx.InsertID(ctx, `INSERT INTO targets (plan_id, parent_id, org_unit_id, person_id, amount, phasing, months, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, to, nullID(newID[n.ParentID]), n.UnitID, nullID(n.PersonID), n.Amount, n.Phasing, string(months), now)
		if err != nil {
			return fmt.Errorf("target: copy target %d: %w", n.ID, err)
		}
		newID[n.ID] = id
	}
	return nil
}

// Basis is what the plan's targets count.
func (p *Plan) Basis() kpi.Basis { return kpi.Basis{Metric: p.Metric, Slice: p.Slice} }

// checkSlice refuses a territory that does not exist and a product series
// no product has.
func checkSlice(ctx context.Context, tx *db.Tx, sl kpi.Slice) error {
	var q string
	switch sl.By {
	case kpi.ByTerritory:
		q = `SELECT COUNT(*) FROM territories WHERE CAST(id AS TEXT) = ?`
	case kpi.BySeries:
		q = `SELECT COUNT(*) FROM products WHERE series = ?`
	default:
		return nil
	}
	var n int
	if err := tx.QueryRow(ctx, q, sl.Value).Scan(&n); err != nil {
		return fmt.Errorf("target: check %s %q: %w", sl.By, sl.Value, err)
	}
	if n == 0 {
		return echelon.FieldError("dim_value", "target.dim_value_unknown", sl.Value)
	}
	return nil
}
