package demo

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/market"
	"github.com/echelonhq/echelon/internal/survey"
)

// surveyed is a recently won deal a satisfaction survey may follow.
type surveyed struct {
	id     int64
	rep    *rep
	closed time.Time
}

// Satisfaction surveys: after deals won in the last half year, at most
// maxSurveys of them, about two in three answered.
const (
	surveyWindow = 183 * 24 * time.Hour
	maxSurveys   = 2000
)

var surveyComments = []string{"", "", "服务很及时", "实施顾问很专业", "希望报价更灵活", "培训安排得很好", "响应速度还可以更快", "产品稳定，满意"}

// marketSizes sets each territory's market for the last and the current
// fiscal year through the market service: what the company won there is
// a share of it, 5–25 % by territory, so the market-share report has
// something to say.
func (g *gen) marketSizes() (string, error) {
	svc := market.NewService(g.d)
	cur := g.cal.FiscalYear(g.cal.MonthAt(g.now))
	elapsed := int64((int(g.now.Month())-int(g.cal.StartMonth)+12)%12 + 1) // months of this fiscal year so far
	for _, t := range g.territoryList {
		share := 0.05 + 0.20*g.r.Float64()
		for _, fy := range []int{cur - 1, cur} {
			won := t.won[fy]
			if fy == cur { // the year is not over: size the market for all of it
				won = won * 12 / elapsed
			}
			amount := roundTo(float64(max(won, 1_000_000_00))/share, 1_000_000)
			if _, _, err := svc.Set(g.ctx, market.SizeInput{Period: strconv.Itoa(fy), TerritoryID: t.id, Amount: amount, Currency: "CNY",
				Source: "行业研究报告（演示数据）"}); err != nil {
				return "", fmt.Errorf("demo: market size of territory %d in %d: %w", t.id, fy, err)
			}
			g.res.MarketSizes++
		}
	}
	return fmt.Sprintf("%d market sizes", g.res.MarketSizes), nil
}

// surveys sends a satisfaction survey after a sample of the deals won in
// the last half year, as their rep, and has about two in three customers
// answer within a week, scoring the rep's skill give or take.
func (g *gen) surveys() (string, error) {
	actors, err := g.actors()
	if err != nil {
		return "", err
	}
	var clock time.Time
	svc := survey.NewService(g.d, func() time.Time { return clock })
	keep := min(1, float64(maxSurveys)/float64(max(1, len(g.recentWins))))
	for _, w := range g.recentWins {
		if g.r.Float64() >= keep {
			continue
		}
		clock = w.closed.Add(time.Duration(24+g.r.IntN(72)) * time.Hour)
		as := echelon.NewContext(g.ctx, actors[w.rep.id])
		_, token, err := svc.Send(as, survey.SendInput{OpportunityID: w.id})
		if err != nil {
			return "", fmt.Errorf("demo: survey of deal %d: %w", w.id, err)
		}
		g.res.Surveys++
		if g.r.IntN(3) == 0 {
			continue
		}
		clock = clock.Add(time.Duration(1+g.r.IntN(7*24)) * time.Hour)
		if clock.After(g.now) {
			continue
		}
		score := int(math.Round(min(max(3.3+2*(w.rep.skill-1)+g.r.NormFloat64()*0.8, 1), 5)))
		if _, err := svc.Answer(g.ctx, token, score, surveyComments[g.r.IntN(len(surveyComments))]); err != nil {
			return "", fmt.Errorf("demo: answer the survey of deal %d: %w", w.id, err)
		}
		g.res.Answered++
	}
	return fmt.Sprintf("%d satisfaction surveys sent, %d answered", g.res.Surveys, g.res.Answered), nil
}
