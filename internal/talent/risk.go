package talent

import (
	"context"
	"slices"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/review"
	"github.com/echelonhq/echelon/internal/settings"
	"github.com/echelonhq/echelon/internal/target"
	"github.com/echelonhq/echelon/internal/totals"
)

// A person is at risk when their won revenue was off track against their
// target in each of the last two complete months (below 90 % of the
// month's target, which by a month's end is all of it), or when their
// latest released review rated them at LowRating or below.
const (
	RiskMonths = 2
	LowRating  = 2
)

// Reasons a person is at risk.
const (
	ReasonOffTrack  = "off_track"
	ReasonLowRating = "low_rating"
)

// MonthResult is a month's won revenue against the target.
type MonthResult struct {
	Month  string `json:"month"`
	Target int64  `json:"target"`
	Actual int64  `json:"actual"`
}

// Risk is a person at risk, why, and whether an improvement plan is open.
type Risk struct {
	Person
	Reasons  []string      `json:"reasons"`
	Months   []MonthResult `json:"months,omitempty"`    // off track: the months, oldest first
	ReviewID int64         `json:"review_id,omitempty"` // low rating: the review
	Rating   int           `json:"rating,omitempty"`
	Currency string        `json:"currency,omitempty"`
	Plan     bool          `json:"improvement_plan"`
}

// AtRisk is the at-risk list of a unit's subtree.
type AtRisk struct {
	Unit   Unit     `json:"unit"`
	Months []string `json:"months"` // the complete months judged, oldest first
	People []Risk   `json:"people"`
}

// AtRisk lists the people of a unit's subtree (0: the reader's own) at
// risk, judged on the company's won revenue targets in currency (default CNY).
func (s *Service) AtRisk(ctx context.Context, unitID int64, currency string) (*AtRisk, error) {
	if currency == "" {
		currency = echelon.DefaultCurrency
	}
	var out *AtRisk
	err := s.db.View(ctx, func(tx *db.Tx) error {
		a, u, err := viewUnit(ctx, tx, unitID)
		if err != nil {
			return err
		}
		cal, err := settings.Calendar(ctx, tx)
		if err != nil {
			return err
		}
		people, err := peopleIn(ctx, tx, a, u)
		if err != nil {
			return err
		}
		last := cal.MonthAt(s.now()).Add(-1)
		months := make([]period.Month, RiskMonths)
		for i := range months {
			months[i] = last.Add(i + 1 - RiskMonths)
		}
		results, err := monthResults(ctx, tx, cal, people, months, currency)
		if err != nil {
			return err
		}
		released, err := review.LatestReleased(ctx, tx, ids(people))
		if err != nil {
			return err
		}
		out = &AtRisk{Unit: u, People: []Risk{}}
		for _, m := range months {
			out.Months = append(out.Months, m.String())
		}
		for _, p := range people {
			r := Risk{Person: p, Currency: currency}
			if res, ok := results[p.ID]; ok && !slices.ContainsFunc(res, onTrack) {
				r.Reasons, r.Months = append(r.Reasons, ReasonOffTrack), res
			}
			if rel, ok := released[p.ID]; ok && rel.Rating <= LowRating {
				r.Reasons, r.ReviewID, r.Rating = append(r.Reasons, ReasonLowRating), rel.ReviewID, rel.Rating
			}
			if len(r.Reasons) > 0 {
				out.People = append(out.People, r)
			}
		}
		plans, err := review.OpenPlans(ctx, tx, riskIDs(out.People))
		if err != nil {
			return err
		}
		for i := range out.People {
			out.People[i].Plan = plans[out.People[i].ID]
		}
		return nil
	})
	return out, err
}

// onTrack reports whether a complete month reached 90 % of its target.
func onTrack(m MonthResult) bool { return m.Actual*10 >= m.Target*9 }

// monthResults reads, for the people with a won revenue target in every
// one of the months, each month's target and actual.
func monthResults(ctx context.Context, tx *db.Tx, cal period.Calendar, people []Person, months []period.Month, currency string) (map[int64][]MonthResult, error) {
	sheets := map[int]*target.Sheet{}
	for _, m := range months {
		y := cal.FiscalYear(m)
		if _, ok := sheets[y]; ok {
			continue
		}
		sh, err := target.Current(ctx, tx, kpi.MetricWonRevenue, currency, y)
		if err != nil {
			return nil, err
		}
		sheets[y] = sh
	}
	rows, err := totals.Sum(ctx, tx, totals.Filter{From: months[0], To: months[len(months)-1], Measures: []string{totals.Won}},
		totals.Group{Person: true, Month: true})
	if err != nil {
		return nil, err
	}
	actual := map[[2]int64]int64{}
	for _, r := range rows {
		if r.Currency == currency {
			actual[[2]int64{r.PersonID, int64(r.Month)}] += r.Amount
		}
	}
	out := map[int64][]MonthResult{}
	for _, p := range people {
		var res []MonthResult
		for _, m := range months {
			sh := sheets[cal.FiscalYear(m)]
			if sh == nil {
				break
			}
			t, ok := sh.For(kpi.Subject{PersonID: p.ID}, cal.Month(m))
			if !ok || t <= 0 {
				break
			}
			res = append(res, MonthResult{Month: m.String(), Target: t, Actual: actual[[2]int64{p.ID, int64(m)}]})
		}
		if len(res) == len(months) {
			out[p.ID] = res
		}
	}
	return out, nil
}

func riskIDs(rs []Risk) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}
