package demo

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/review"
	"github.com/echelonhq/echelon/internal/scorecard"
)

// selfNotes and managerNotes are what the demo people write in their reviews.
var (
	selfNotes = []string{
		"本季度新开发三个客户，回款及时；方案演示还需要更熟练。",
		"重点客户维护得不错，但新客户拓展偏慢，下季度多做陌拜。",
		"完成了季度目标，产品知识进步明显，希望多参与大客户项目。",
		"季度初丢了两个单子，后半段追回来了；需要提前识别风险。",
	}
	managerNotes = []string{
		"目标完成稳定，客户关系维护好，可以开始带新人。",
		"商机推进节奏需要加快，建议每周复盘一次重点商机。",
		"客户开发能力突出，是团队的骨干。",
		"基本功扎实，市场分析还需加强。",
	}
)

// reviews sets up the scorecards — a KPI template for reps (won revenue
// against the plan 70, win rate against 50 % 30) and one for managers —
// and runs the last complete quarter's review cycle of the whole company
// through the review service: self reviews, manager reviews with ratings
// and potential that follow each rep's skill, release, and most people's
// acknowledgement. The talent grid, readiness and at-risk list then have
// evidence to show.
func (g *gen) reviews() (string, error) {
	scorecards := scorecard.NewService(g.d, kpi.NewService(g.d))
	for _, t := range []scorecard.TemplateInput{
		{Name: "销售代表 Sales reps", Role: string(echelon.RoleRep), Lines: []scorecard.Line{
			{KPI: kpi.WonRevenue, Weight: 70, Source: scorecard.FromPlan}, {KPI: kpi.WinRate, Weight: 30, Source: scorecard.FromFixed, Fixed: 5000}}},
		{Name: "区域经理 Regional managers", Role: string(echelon.RoleRegionalManager), Lines: []scorecard.Line{
			{KPI: kpi.WonRevenue, Weight: 100, Source: scorecard.FromPlan}}},
	} {
		if _, err := scorecards.SaveTemplate(g.ctx, 0, t); err != nil {
			return "", fmt.Errorf("demo: KPI template %s: %w", t.Name, err)
		}
	}
	svc := review.NewService(g.d, scorecards, func() time.Time { return g.now })
	last := g.cal.Of(period.KindQuarter, g.cal.MonthAt(g.now)).First.Add(-1)
	quarter := g.cal.Of(period.KindQuarter, last)
	c, err := svc.CreateCycle(g.ctx, review.CycleInput{TemplateID: 1, Period: quarter.String(), UnitID: 1,
		Roles: []echelon.Role{echelon.RoleRegionalManager, echelon.RoleRep}}) // the senior manager has nobody above to review them
	if err != nil {
		return "", fmt.Errorf("demo: review cycle: %w", err)
	}
	if c, err = svc.OpenCycle(g.ctx, c.ID, c.Version); err != nil {
		return "", fmt.Errorf("demo: open the review cycle: %w", err)
	}
	list, err := svc.FindReviews(g.ctx, review.Filter{CycleID: c.ID})
	if err != nil {
		return "", err
	}
	actors, err := g.actors()
	if err != nil {
		return "", err
	}
	as := func(id int64) context.Context { return echelon.NewContext(g.ctx, actors[id]) }
	skill := map[int64]float64{}
	for _, r := range g.reps {
		skill[r.id] = r.skill
	}
	acknowledged := 0
	for _, r := range list {
		if err := g.review(svc, as, r, skill[r.PersonID]); err != nil {
			return "", err
		}
		if g.r.Float64() < 0.7 {
			latest, err := svc.FindReviewByID(g.ctx, r.ID)
			if err != nil {
				return "", err
			}
			if _, err := svc.Acknowledge(as(r.PersonID), r.ID, review.AcknowledgeInput{Response: "已阅，谢谢。", Version: latest.Version}); err != nil {
				return "", fmt.Errorf("demo: acknowledge review %d: %w", r.ID, err)
			}
			acknowledged++
		}
	}
	g.res.Reviews = len(list)
	return fmt.Sprintf("%s: %d reviews released, %d acknowledged", quarter, len(list), acknowledged), nil
}

// review writes one review's self and manager parts and releases it. A
// rep's rating and potential follow their skill (1 for managers, whose
// skill the generator does not model), with some noise.
func (g *gen) review(svc *review.Service, as func(int64) context.Context, r *review.Review, skill float64) error {
	if skill == 0 {
		skill = 1
	}
	rating := min(5, max(1, int(math.Round(3+(skill-1)*4+g.r.NormFloat64()*0.6))))
	ratings := func(centre int) map[string]int {
		out := map[string]int{}
		for _, code := range r.Competencies {
			out[code] = min(5, max(1, centre+g.r.IntN(3)-1))
		}
		return out
	}
	r, err := svc.SaveSelf(as(r.PersonID), r.ID, review.SelfInput{Text: selfNotes[g.r.IntN(len(selfNotes))], Ratings: ratings(rating), Submit: true, Version: r.Version})
	if err != nil {
		return fmt.Errorf("demo: self review %d: %w", r.ID, err)
	}
	potential := min(3, max(1, int(math.Round(1.5+(skill-1)*3+g.r.NormFloat64()*0.5))))
	r, err = svc.SaveManager(as(r.ReviewerID), r.ID, review.ManagerInput{Text: managerNotes[g.r.IntN(len(managerNotes))], Ratings: ratings(rating),
		Comments: "下季度继续保持。", ProposedRating: rating, Potential: potential, Submit: true, Version: r.Version})
	if err != nil {
		return fmt.Errorf("demo: manager review %d: %w", r.ID, err)
	}
	if _, err := svc.Release(g.ctx, r.ID, r.Version); err != nil {
		return fmt.Errorf("demo: release review %d: %w", r.ID, err)
	}
	return nil
}

// actors reads every person as an actor, to act as them.
func (g *gen) actors() (map[int64]*echelon.Actor, error) {
	out := map[int64]*echelon.Actor{}
	err := g.d.View(g.ctx, func(tx *db.Tx) error {
		rs, err := tx.Query(g.ctx, `SELECT p.id, p.name, p.role, COALESCE(p.org_unit_id, 0), COALESCE(u.path, '')
			FROM people p LEFT JOIN org_units u ON u.id = p.org_unit_id`)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var a echelon.Actor
			if err := rs.Scan(&a.PersonID, &a.Name, &a.Role, &a.UnitID, &a.UnitPath); err != nil {
				return err
			}
			out[a.PersonID] = &a
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("demo: people as actors: %w", err)
	}
	return out, nil
}
