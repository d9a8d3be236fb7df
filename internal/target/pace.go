package target

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/totals"
)

// Pace statuses.
const (
	OnTrack  = "on_track"  // the actual has reached what was expected by now
	Caution  = "caution"   // behind by less than 10 % of what was expected
	OffTrack = "off_track" // behind by 10 % or more
)

// Pace is a target's progress in a period: the target for the period (the
// sum of its months), what was expected by now by the target's phasing
// (whole months that have passed, and the elapsed share of the current
// month, rounded half away from zero), and the actual so far.
//
// Pipeline coverage (won revenue over the whole business only): the
// weighted open pipeline expected to close in the period (the deals the
// weighted pipeline KPI lists for it, late ones included: they are still
// open) against what remains of the target (target − actual); not shown
// for a period that is over, Coverage nil when nothing remains.
type Pace struct {
	Period   string   `json:"period"`
	Target   int64    `json:"target"`
	Expected int64    `json:"expected"`
	Actual   int64    `json:"actual"`
	Status   string   `json:"status"`
	Pipeline *int64   `json:"weighted_pipeline,omitempty"`
	Coverage *float64 `json:"pipeline_coverage,omitempty"`
}

// Attainment is the actual as a share of the target (0 when there is none).
func (p Pace) Attainment() float64 {
	if p.Target == 0 {
		return 0
	}
	return float64(p.Actual) / float64(p.Target)
}

func status(actual, expected int64) string {
	switch {
	case actual >= expected:
		return OnTrack
	case actual*10 >= expected*9:
		return Caution
	}
	return OffTrack
}

// NodePace is a target with its pace.
type NodePace struct {
	*Node
	Pace Pace `json:"pace"`
}

// Board returns the targets of a plan the actor may see, each with its
// pace in the period (an address such as 2026-Q2, inside the plan's year).
func (s *Service) Board(ctx context.Context, planID int64, at string) (*Plan, []NodePace, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, nil, err
	}
	var plan *Plan
	out := []NodePace{}
	err = s.db.View(ctx, func(tx *db.Tx) error {
		t, err := loadTree(ctx, tx, planID)
		if err != nil {
			return err
		}
		plan = t.plan
		nodes := t.visible(a)
		paces, err := t.pace(ctx, tx, nodes, at, s.now())
		if err != nil {
			return err
		}
		for i, n := range nodes {
			out = append(out, NodePace{Node: n, Pace: paces[i]})
		}
		return nil
	})
	return plan, out, err
}

// Pace returns one target with its pace in a period.
func (s *Service) Pace(ctx context.Context, id int64, at string) (*Plan, *NodePace, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, nil, err
	}
	var plan *Plan
	var out *NodePace
	err = s.db.View(ctx, func(tx *db.Tx) error {
		t, n, err := loadNode(ctx, tx, a, id)
		if err != nil {
			return err
		}
		t.visible(a)
		paces, err := t.pace(ctx, tx, []*Node{n}, at, s.now())
		if err != nil {
			return err
		}
		plan, out = t.plan, &NodePace{Node: n, Pace: paces[0]}
		return nil
	})
	return plan, out, err
}

// Period resolves a period address for the plan: inside its fiscal year;
// empty means the whole year.
func (t *tree) period(at string) (period.Period, error) {
	year := t.cal.Year(t.plan.FiscalYear)
	if strings.TrimSpace(at) == "" {
		return year, nil
	}
	p, err := t.cal.Parse(at)
	if err != nil {
		return p, echelon.FieldError("period", "period.invalid", at)
	}
	if !p.Within(year) {
		return p, echelon.FieldError("period", "target.period_outside", p.String(), year.String())
	}
	return p, nil
}

// pace computes the pace of the nodes in the period, with one read of the totals.
func (t *tree) pace(ctx context.Context, tx *db.Tx, nodes []*Node, at string, now time.Time) ([]Pace, error) {
	p, err := t.period(at)
	if err != nil {
		return nil, err
	}
	year := t.cal.Year(t.plan.FiscalYear)
	paths, err := unitPaths(ctx, tx)
	if err != nil {
		return nil, err
	}
	basis, coverage := t.plan.Basis(), t.coverage(p, now)
	measures := basis.Measures()
	if coverage {
		measures = append(measures, totals.Open)
	}
	rows, err := totals.Sum(ctx, tx, totals.Filter{From: p.First, To: p.Last(), Measures: measures}, totals.Group{Unit: true, Person: true})
	if err != nil {
		return nil, err
	}
	actual := rollUp(rows, paths, func(r totals.Total) int64 { return basis.Of([]totals.Total{r}, t.plan.Currency) })
	var pipeline func(*Node) int64
	if coverage {
		pipeline = rollUp(rows, paths, func(r totals.Total) int64 {
			if r.Measure != totals.Open || r.Currency != t.plan.Currency {
				return 0
			}
			return r.Extra
		})
	}
	out := make([]Pace, len(nodes))
	for i, n := range nodes {
		pc := Pace{Period: p.String(), Actual: actual(n)}
		for _, m := range period.MonthsOf(p) {
			v := n.Months[monthIndex(year, m)]
			pc.Target += v
			pc.Expected += int64(math.Round(float64(v) * t.cal.Elapsed(t.cal.Month(m), now)))
		}
		pc.Status = status(pc.Actual, pc.Expected)
		if pipeline != nil {
			w := pipeline(n)
			pc.Pipeline = &w
			if rest := pc.Target - pc.Actual; rest > 0 {
				c := float64(w) / float64(rest)
				pc.Coverage = &c
			}
		}
		out[i] = pc
	}
	return out, nil
}

// coverage reports whether the pace of period p shows pipeline coverage:
// for won revenue plans over the whole business, in periods not over.
func (t *tree) coverage(p period.Period, now time.Time) bool {
	return t.plan.Metric == kpi.MetricWonRevenue && t.plan.Slice.Whole() && t.cal.MonthAt(now) <= p.Last()
}

// rollUp sums value over totals grouped by unit and person, and returns
// it for a node: a person's across every unit, a unit's over its subtree.
func rollUp(rows []totals.Total, paths map[int64]string, value func(totals.Total) int64) func(*Node) int64 {
	byPerson, bySubtree := map[int64]int64{}, map[string]int64{}
	for _, r := range rows {
		v := value(r)
		if v == 0 {
			continue
		}
		byPerson[r.PersonID] += v
		path := paths[r.UnitID]
		for i := 1; i < len(path); i++ { // every ancestor path "/1/", "/1/4/", … including its own
			if path[i] == '/' {
				bySubtree[path[:i+1]] += v
			}
		}
	}
	return func(n *Node) int64 {
		if n.PersonID != 0 {
			return byPerson[n.PersonID]
		}
		return bySubtree[n.UnitPath]
	}
}
