package benchdata

import (
	"context"
	"fmt"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/scorecard"
	"github.com/echelonhq/echelon/internal/target"
)

// OnTheLadder readies the loaded company for the echelon benchmarks
// through the services: everyone on a level (reps spread over the three
// rep levels, hired 2023-03-01; managers at theirs), the reps' KPI template
// (won revenue against the plan 70, win rate against 50 % 30), and the won
// revenue plans of this fiscal year and the last, cascaded from the company
// to every rep.
func (c *Company) OnTheLadder(ctx context.Context, d *db.DB) error {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE people SET hire_date = ?, level_id = (SELECT id FROM levels WHERE code = CASE
				WHEN people.role = 'senior_manager' THEN 'senior_manager' WHEN people.role = 'regional_manager' THEN 'regional_manager'
				WHEN people.id % 3 = 0 THEN 'senior_rep' WHEN people.id % 3 = 1 THEN 'mid_rep' ELSE 'junior_rep' END)`,
			time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC))
		return err
	})
	if err != nil {
		return fmt.Errorf("benchdata: levels: %w", err)
	}
	sys := echelon.NewContext(ctx, echelon.SystemActor("bench"))
	if _, err := scorecard.NewService(d, kpi.NewService(d)).SaveTemplate(sys, 0, scorecard.TemplateInput{Name: "Reps", Role: "rep",
		Lines: []scorecard.Line{{KPI: kpi.WonRevenue, Weight: 70, Source: scorecard.FromPlan}, {KPI: kpi.WinRate, Weight: 30, Source: scorecard.FromFixed, Fixed: 5000}}}); err != nil {
		return fmt.Errorf("benchdata: reps' template: %w", err)
	}
	senior := c.Senior(ctx)
	cal, err := period.New(time.January, echelon.CompanyZone())
	if err != nil {
		return err
	}
	this := cal.FiscalYear(cal.MonthAt(time.Now()))
	targets := target.NewService(d)
	for _, year := range []int{this - 1, this} {
		plan, err := targets.CreatePlan(senior, target.PlanInput{Metric: kpi.MetricWonRevenue, FiscalYear: year})
		if err != nil {
			return fmt.Errorf("benchdata: plan %d: %w", year, err)
		}
		_, nodes, err := targets.FindPlan(senior, plan.ID)
		if err != nil {
			return err
		}
		amount := int64(500_000_000_00)
		if _, err := targets.SetTarget(senior, nodes[0].ID, target.TargetInput{Version: nodes[0].Version, Amount: &amount, Cascade: true}); err != nil {
			return fmt.Errorf("benchdata: cascade %d: %w", year, err)
		}
	}
	return nil
}
