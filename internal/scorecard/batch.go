package scorecard

import (
	"context"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/target"
)

// Scored is a person to score in a batch: who, and the role and level
// that pick their template.
type Scored struct {
	PersonID int64
	Role     string
	LevelID  int64
}

// PersonTotals scores many people's own scorecards in period p, as
// Scorecard would one by one, from one read of everyone's totals: the
// total of each person by id. People without a template are left out.
// It does not check the actor; callers check scope themselves.
func PersonTotals(ctx context.Context, tx *db.Tx, people []Scored, cal period.Calendar, p period.Period, currency string) (map[int64]float64, error) {
	out := map[int64]float64{}
	if len(people) == 0 {
		return out, nil
	}
	figures, err := kpi.LoadPeopleFigures(ctx, tx, "/", p.First, p.Last())
	if err != nil {
		return nil, err
	}
	sr := &scorer{sc: &kpi.Scope{Period: p, Calendar: cal, Currency: currency}, sheets: map[kpi.Metric]*target.Sheet{}, templates: map[[2]any]*Template{}}
	for _, person := range people {
		tpl, err := sr.template(ctx, tx, person.Role, person.LevelID)
		if echelon.ErrorCode(err) == echelon.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		card, err := sr.card(ctx, tx, tpl, kpi.Subject{PersonID: person.PersonID}, figures[person.PersonID])
		if err != nil {
			return nil, err
		}
		out[person.PersonID] = card.Total
	}
	return out, nil
}
