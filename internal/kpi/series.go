package kpi

import (
	"context"
	"fmt"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/totals"
)

// TrendPoint is a KPI in one month, and in the same month a year earlier.
type TrendPoint struct {
	Month    string `json:"month"`
	Value    Value  `json:"value"`
	LastYear Value  `json:"last_year"`
}

// Trend is a KPI month by month through a period, beside last year's.
type Trend struct {
	Subject  Named        `json:"subject"`
	Code     string       `json:"code"`
	Unit     string       `json:"unit"`
	Period   string       `json:"period"`
	Currency string       `json:"currency"`
	Points   []TrendPoint `json:"points"`
}

// Trend computes a KPI for each month of the period and of the year before.
func (s *Service) Trend(ctx context.Context, ref Ref, code, at, currency string) (*Trend, error) {
	d, ok := Find(code)
	if !ok {
		return nil, echelon.FieldError("kpi", "kpi.unknown", code)
	}
	var out *Trend
	err := s.db.View(ctx, func(tx *db.Tx) error {
		sc, err := s.Open(ctx, tx, ref, at, currency)
		if err != nil {
			return err
		}
		p := sc.Period
		from := p.First.Add(-12)
		f := sc.Subject.filter(from, p.Last())
		f.Measures = d.measures()
		if f.Measures == nil { // CSAT: from the surveys, month by month
			return echelon.FieldError("kpi", "kpi.no_trend", code)
		}
		rows, err := totals.Sum(ctx, tx, f, totals.Group{Month: true})
		if err != nil {
			return err
		}
		byMonth := map[period.Month]Figures{}
		for _, r := range rows {
			byMonth[r.Month] = append(byMonth[r.Month], r)
		}
		out = &Trend{Subject: sc.Subject, Code: d.Code, Unit: d.Unit, Period: p.String(), Currency: sc.Currency, Points: []TrendPoint{}}
		for _, m := range period.MonthsOf(p) {
			out.Points = append(out.Points, TrendPoint{Month: m.String(), Value: d.Value(byMonth[m], sc.Currency),
				LastYear: d.Value(byMonth[m.Add(-12)], sc.Currency)})
		}
		return nil
	})
	return out, err
}

// FunnelStage is how many deals entered a stage in the period, and what
// share that is of those that entered the stage before it.
type FunnelStage struct {
	Code       string `json:"code"`
	NameZh     string `json:"name_zh"`
	NameEn     string `json:"name_en"`
	Outcome    string `json:"outcome"`
	Entered    int64  `json:"entered"`
	Conversion Value  `json:"conversion"` // entered ÷ the previous open stage's entered; den 0 for the first
}

// Funnel is the pipeline's flow in a period: deals entering each stage, in
// pipeline order, with the conversion from one stage to the next (drop-off
// is what is left of 100 %).
type Funnel struct {
	Subject Named         `json:"subject"`
	Period  string        `json:"period"`
	Stages  []FunnelStage `json:"stages"`
}

// Funnel counts, from the totals, the deals that entered each active stage in the period.
func (s *Service) Funnel(ctx context.Context, ref Ref, at string) (*Funnel, error) {
	var out *Funnel
	err := s.db.View(ctx, func(tx *db.Tx) error {
		sc, err := s.Open(ctx, tx, ref, at, "")
		if err != nil {
			return err
		}
		filter := sc.Subject.filter(sc.Period.First, sc.Period.Last())
		filter.Measures = []string{totals.Entered}
		rows, err := totals.Sum(ctx, tx, filter, totals.Group{})
		if err != nil {
			return err
		}
		f := Figures(rows)
		rs, err := tx.Query(ctx, `SELECT code, name_zh, name_en, outcome FROM stages WHERE active ORDER BY position, id`)
		if err != nil {
			return fmt.Errorf("kpi: stages: %w", err)
		}
		defer rs.Close()
		out = &Funnel{Subject: sc.Subject, Period: sc.Period.String(), Stages: []FunnelStage{}}
		var prev int64 = -1
		for rs.Next() {
			var st FunnelStage
			if err := rs.Scan(&st.Code, &st.NameZh, &st.NameEn, &st.Outcome); err != nil {
				return fmt.Errorf("kpi: scan stage: %w", err)
			}
			st.Entered = f.sum(totals.Entered, st.Code, "").N
			if prev >= 0 && st.Outcome != "lost" {
				st.Conversion = Value{Num: st.Entered, Den: prev}
			}
			if st.Outcome != "lost" {
				prev = st.Entered
			}
			out.Stages = append(out.Stages, st)
		}
		return rs.Err()
	})
	return out, err
}
