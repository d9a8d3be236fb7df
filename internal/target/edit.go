package target

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/totals"
)

// TargetInput changes one target. Amount nil keeps the year's amount;
// Months (twelve, manual phasing) set the year to their sum. Cascade then
// splits the amount down the whole subtree below the target — to each
// child in proportion to what it had (evenly when none had anything) — in
// the same transaction.
type TargetInput struct {
	Version int     `json:"version"`
	Amount  *int64  `json:"amount,omitempty"`
	Phasing string  `json:"phasing,omitempty"`
	Months  []int64 `json:"months,omitempty"`
	Cascade bool    `json:"cascade,omitempty"`
}

// SetTarget changes a target and, with Cascade, every target below it.
func (s *Service) SetTarget(ctx context.Context, id int64, in TargetInput) (*Node, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *Node
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		t, n, err := loadNode(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if _, err := lockPlan(ctx, tx, n.PlanID, nil); err != nil {
			return err
		}
		if t.plan.State != StateDraft {
			return echelon.Errorf(echelon.ECONFLICT, "target.plan_not_draft", t.plan.State)
		}
		if err := canEdit(a, n); err != nil {
			return err
		}
		if in.Version != n.Version {
			return audit.StaleError(ctx, tx, "target", id)
		}
		ed := &editor{tree: t, actor: a, changed: map[*Node]int64{}, cascading: in.Cascade}
		if err := ed.set(ctx, tx, n, in); err != nil {
			return err
		}
		if in.Cascade {
			if err := ed.cascade(ctx, tx, n); err != nil {
				return err
			}
		}
		if err := ed.save(ctx, tx, s.now().UTC()); err != nil {
			return err
		}
		out = n
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Version++
	return out, nil
}

// editor collects the changes of one edit; changed maps a node to its amount before.
type editor struct {
	tree    *tree
	actor   *echelon.Actor
	changed map[*Node]int64
	history []totals.Total   // last year's totals for seasonal phasing, read once when needed
	paths   map[int64]string // unit paths, with history
	// cascading: the edit phases a whole subtree, so everyone's history is
	// read at once; otherwise only the edited target's.
	cascading bool
}

func (ed *editor) set(ctx context.Context, tx *db.Tx, n *Node, in TargetInput) error {
	before := n.Amount
	phasing := in.Phasing
	if phasing == "" {
		phasing = n.Phasing
	}
	switch {
	case phasing != PhasingEven && phasing != PhasingSeasonal && phasing != PhasingManual:
		return echelon.FieldError("phasing", "target.phasing_invalid")
	case in.Months != nil:
		if len(in.Months) != 12 {
			return echelon.FieldError("months", "target.months_count")
		}
		for _, m := range in.Months {
			if err := checkAmount("months", m); err != nil {
				return err
			}
		}
		if in.Amount != nil && *in.Amount != sum(in.Months) {
			return echelon.FieldError("months", "target.months_sum", sum(in.Months), *in.Amount)
		}
		phasing, n.Months, n.Amount = PhasingManual, append([]int64(nil), in.Months...), sum(in.Months)
	case phasing == PhasingManual && in.Amount == nil && n.Phasing != PhasingManual:
		return echelon.FieldError("months", "target.months_required")
	default:
		if in.Amount != nil {
			if err := checkAmount("amount", *in.Amount); err != nil {
				return err
			}
			n.Amount = *in.Amount
		}
		n.Phasing = phasing
		if err := ed.rephase(ctx, tx, n); err != nil {
			return err
		}
	}
	n.Phasing = phasing
	ed.changed[n] = before
	return nil
}

func checkAmount(field string, v int64) error {
	if v < 0 {
		return echelon.FieldError(field, "target.negative")
	}
	if v > echelon.MaxAmount {
		return echelon.FieldError(field, "amount.invalid")
	}
	return nil
}

// cascade splits n's amount down its whole subtree.
func (ed *editor) cascade(ctx context.Context, tx *db.Tx, n *Node) error {
	if len(n.children) == 0 {
		return nil
	}
	weights := make([]int64, len(n.children))
	for i, c := range n.children {
		if err := canEdit(ed.actor, c); err != nil {
			return echelon.Errorf(echelon.EFORBIDDEN, "target.cascade_forbidden", c.Label())
		}
		weights[i] = c.Amount
	}
	for i, part := range echelon.Split(n.Amount, weights) {
		c := n.children[i]
		if _, seen := ed.changed[c]; !seen {
			ed.changed[c] = c.Amount
		}
		c.Amount = part
		if err := ed.rephase(ctx, tx, c); err != nil {
			return err
		}
		if err := ed.cascade(ctx, tx, c); err != nil {
			return err
		}
	}
	return nil
}

// rephase spreads the node's amount over its months by its phasing.
func (ed *editor) rephase(ctx context.Context, tx *db.Tx, n *Node) error {
	var weights []int64
	if n.Phasing == PhasingSeasonal {
		var err error
		if weights, err = ed.seasonal(ctx, tx, n); err != nil {
			return err
		}
	}
	n.Months = phase(n.Amount, n.Phasing, n.Months, weights)
	return nil
}

// seasonal is the node's actual per month of the fiscal year before the plan's.
// An edit of one target reads that target's history; a cascade, which
// phases a whole subtree, reads everyone's once.
func (ed *editor) seasonal(ctx context.Context, tx *db.Tx, n *Node) ([]int64, error) {
	t := ed.tree
	last := t.cal.Year(t.plan.FiscalYear - 1)
	if !ed.cascading {
		f := totals.Filter{From: last.First, To: last.Last(), Measures: t.plan.Basis().Measures(), PersonID: n.PersonID}
		if n.PersonID == 0 {
			f.UnitPath = n.UnitPath
		}
		rows, err := totals.Sum(ctx, tx, f, totals.Group{Month: true})
		if err != nil {
			return nil, err
		}
		weights := make([]int64, 12)
		for _, row := range rows {
			weights[monthIndex(last, row.Month)] += t.plan.Basis().Of([]totals.Total{row}, t.plan.Currency)
		}
		return weights, nil
	}
	if ed.paths == nil {
		var err error
		if ed.history, err = totals.Sum(ctx, tx, totals.Filter{From: last.First, To: last.Last(), Measures: t.plan.Basis().Measures()}, totals.Group{Unit: true, Person: true, Month: true}); err != nil {
			return nil, err
		}
		if ed.paths, err = unitPaths(ctx, tx); err != nil {
			return nil, err
		}
	}
	weights := make([]int64, 12)
	for _, row := range ed.history {
		mine := row.PersonID == n.PersonID
		if n.PersonID == 0 {
			mine = strings.HasPrefix(ed.paths[row.UnitID], n.UnitPath)
		}
		if !mine {
			continue
		}
		i := monthIndex(last, row.Month)
		weights[i] += t.plan.Basis().Of([]totals.Total{row}, t.plan.Currency)
	}
	return weights, nil
}

// unitPaths maps every org unit, open or closed, to its path.
func unitPaths(ctx context.Context, tx *db.Tx) (map[int64]string, error) {
	paths := map[int64]string{}
	rs, err := tx.Query(ctx, `SELECT id, path FROM org_units`)
	if err != nil {
		return nil, fmt.Errorf("target: unit paths: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var id int64
		var p string
		if err := rs.Scan(&id, &p); err != nil {
			return nil, fmt.Errorf("target: scan unit: %w", err)
		}
		paths[id] = p
	}
	return paths, rs.Err()
}

// monthIndex is the position (0–11) of month m in the fiscal year y.
func monthIndex(y period.Period, m period.Month) int {
	return (m.Year()*12 + int(m.Calendar())) - (y.First.Year()*12 + int(y.First.Calendar()))
}

// save writes every changed target with one statement per batch and audits each.
func (ed *editor) save(ctx context.Context, tx *db.Tx, now any) error {
	var items []audit.Item
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		q := `UPDATE targets SET amount = v.column2, phasing = v.column3, months = v.column4, version = targets.version + 1,
			updated_by = ?, updated_at = ? FROM (VALUES ` + strings.TrimSuffix(strings.Repeat("(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT)), ", len(args)/4), ", ") +
			`) AS v WHERE targets.id = v.column1`
		if _, err := tx.Exec(ctx, q, append([]any{personID(ed.actor), now}, args...)...); err != nil {
			return fmt.Errorf("target: save %d targets: %w", len(args)/4, err)
		}
		args = args[:0]
		return nil
	}
	for _, n := range ed.tree.nodes { // a stable order
		before, ok := ed.changed[n]
		if !ok {
			continue
		}
		months, _ := json.Marshal(n.Months)
		args = append(args, n.ID, n.Amount, n.Phasing, string(months))
		items = append(items, audit.Item{ID: n.ID, After: map[string]any{"amount_before": before, "amount": n.Amount, "phasing": n.Phasing, "months": n.Months}})
		if len(args) >= 4*200 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return audit.RecordBatch(ctx, tx, "update", "target", items)
}
