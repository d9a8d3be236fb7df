package demo

import (
	"fmt"
	"math"
	"time"

	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/target"
)

// growth is how much more than the year before each plan asks for.
const growth = 1.15

// floor is the smallest yearly target of a rep, by level, in yuan.
var floor = map[string]int64{"junior_rep": 300_000, "mid_rep": 800_000, "senior_rep": 1_500_000}

// targets plans won revenue for the last and the current fiscal year: each
// rep's target is their year-before won revenue plus growth (at least the
// level's floor), units add up their children, and the company's figure is
// then cascaded down with seasonal phasing; both plans are approved.
func (g *gen) targets() (string, error) {
	svc := target.NewService(g.d).WithClock(func() time.Time { return g.now })
	cur := g.cal.FiscalYear(g.cal.MonthAt(g.now))
	reps := map[int64]*rep{}
	for _, r := range g.reps {
		reps[r.id] = r
	}
	var company int64
	for _, fy := range []int{cur - 1, cur} {
		p, err := svc.CreatePlan(g.ctx, target.PlanInput{Metric: kpi.MetricWonRevenue, FiscalYear: fy, Currency: "CNY"})
		if err != nil {
			return "", fmt.Errorf("demo: plan %d: %w", fy, err)
		}
		_, nodes, err := svc.FindPlan(g.ctx, p.ID)
		if err != nil {
			return "", err
		}
		children := map[int64][]*target.Node{}
		var root *target.Node
		for _, n := range nodes {
			if n.ParentID == 0 {
				root = n
			}
			children[n.ParentID] = append(children[n.ParentID], n)
		}
		// amount sets every target below the root to what it carries and returns it.
		var amount func(n *target.Node) (int64, error)
		amount = func(n *target.Node) (int64, error) {
			var v int64
			if r := reps[n.PersonID]; r != nil {
				v = max(roundTo(float64(r.won[fy-1])*growth, 1_000_000), floor[r.level]*100)
			}
			for _, c := range children[n.ID] {
				cv, err := amount(c)
				if err != nil {
					return 0, err
				}
				v += cv
			}
			if n == root {
				return v, nil
			}
			_, err := svc.SetTarget(g.ctx, n.ID, target.TargetInput{Version: n.Version, Amount: &v, Phasing: target.PhasingSeasonal})
			if err != nil {
				return 0, fmt.Errorf("demo: target %s %d: %w", n.Label(), fy, err)
			}
			return v, nil
		}
		total, err := amount(root)
		if err != nil {
			return "", err
		}
		total = roundTo(float64(total), 100_000_000)
		if _, err := svc.SetTarget(g.ctx, root.ID, target.TargetInput{Version: root.Version, Amount: &total, Phasing: target.PhasingSeasonal, Cascade: true}); err != nil {
			return "", fmt.Errorf("demo: company target %d: %w", fy, err)
		}
		if p, _, err = svc.FindPlan(g.ctx, p.ID); err != nil {
			return "", err
		}
		if _, err := svc.Approve(g.ctx, p.ID, target.Transition{Version: p.Version}); err != nil {
			return "", fmt.Errorf("demo: approve plan %d: %w", fy, err)
		}
		g.res.Plans++
		if fy == cur {
			company = total
		}
	}
	return fmt.Sprintf("%d plans approved; FY%d company target ¥%d", g.res.Plans, cur, company/100), nil
}

// roundTo rounds v to a multiple of unit.
func roundTo(v float64, unit int64) int64 { return int64(math.Round(v/float64(unit))) * unit }
