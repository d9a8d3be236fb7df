// Package kpi is the KPI library (PRODUCT.md 2.4): every KPI computed from
// the maintained sales totals for a subject — an org unit's subtree or one
// person — over a range of months, exact as a fraction of integers, and
// drillable to the records behind it.
package kpi

import (
	"context"
	"fmt"
	"time"

	"github.com/echelonhq/echelon"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/totals"
)

// Subject is whose figures: the subtree of an org unit (UnitPath) or one person.
type Subject struct {
	UnitPath string `json:"-"`
	UnitID   int64  `json:"org_unit_id,omitempty"`
	PersonID int64  `json:"person_id,omitempty"`
}

// cond limits records to the subject (owner and unit columns given).
func (s Subject) cond(owner, unit string) (string, any) {
	if s.PersonID != 0 {
		return owner + " = ?", s.PersonID
	}
	return unit + " IN (SELECT id FROM org_units WHERE path LIKE ?)", s.UnitPath + "%"
}

// libraryMeasures are the totals the KPI library reads. The per-series and
// per-territory revenue (WonSeries, WonArea) only narrowed targets read,
// and they are most of the rows a card would otherwise sum; the funnel
// reads the stage entries (Entered) for itself. A KPI that reads another
// measure must add it here (TestLibraryReadsOnlyLibraryMeasures).
var libraryMeasures = []string{totals.Won, totals.Lost, totals.Open, totals.NewCustomer, totals.Activity}

func (s Subject) filter(from, to period.Month) totals.Filter {
	if s.PersonID != 0 {
		return totals.Filter{PersonID: s.PersonID, From: from, To: to, Measures: libraryMeasures}
	}
	return totals.Filter{UnitPath: s.UnitPath, From: from, To: to, Measures: libraryMeasures}
}

// Figures are a subject's totals over a range of months, summed.
type Figures []totals.Total

// measureCSAT carries the answered surveys among the figures: n answers, amount the sum of their scores.
const measureCSAT = "csat"

// LoadFigures sums the subject's totals for the months from–to
// (inclusive), with the surveys answered in those months.
func LoadFigures(ctx context.Context, tx *db.Tx, s Subject, from, to period.Month) (Figures, error) {
	rows, err := totals.Sum(ctx, tx, s.filter(from, to), totals.Group{})
	if err != nil {
		return nil, err
	}
	cond, arg := s.cond("person_id", "org_unit_id")
	csat, err := surveys(ctx, tx, cond, arg, from, to, false)
	if err != nil {
		return nil, err
	}
	return append(Figures(rows), csat[0]...), nil
}

// LoadPeopleFigures sums, person by person, the totals and surveys of the
// people booked in the subtree of the unit at path, for the months from–to.
func LoadPeopleFigures(ctx context.Context, tx *db.Tx, path string, from, to period.Month) (map[int64]Figures, error) {
	rows, err := totals.Sum(ctx, tx, totals.Filter{UnitPath: path, From: from, To: to, Measures: libraryMeasures}, totals.Group{Person: true})
	if err != nil {
		return nil, err
	}
	out, err := surveys(ctx, tx, "org_unit_id IN (SELECT id FROM org_units WHERE path LIKE ?)", path+"%", from, to, true)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.PersonID] = append(out[r.PersonID], r)
	}
	return out, nil
}

// surveys sums the answers of the surveys answered in the months from–to
// that meet cond, by person (or all under key 0), in the company's zone.
func surveys(ctx context.Context, tx *db.Tx, cond string, arg any, from, to period.Month, byPerson bool) (map[int64]Figures, error) {
	zone := echelon.CompanyZone()
	start := time.Date(from.Year(), from.Calendar(), 1, 0, 0, 0, 0, zone).UTC()
	next := to.Add(1)
	end := time.Date(next.Year(), next.Calendar(), 1, 0, 0, 0, 0, zone).UTC()
	person, group := "0", ""
	if byPerson {
		person, group = "person_id", " GROUP BY person_id"
	}
	rs, err := tx.Query(ctx, `SELECT `+person+`, COUNT(*), COALESCE(SUM(score), 0) FROM surveys
		WHERE `+cond+` AND answered_at >= ? AND answered_at < ?`+group, arg, start, end)
	if err != nil {
		return nil, fmt.Errorf("kpi: surveys: %w", err)
	}
	defer rs.Close()
	out := map[int64]Figures{}
	for rs.Next() {
		var t totals.Total
		if err := rs.Scan(&t.PersonID, &t.N, &t.Amount); err != nil {
			return nil, fmt.Errorf("kpi: scan surveys: %w", err)
		}
		t.Measure = measureCSAT
		out[t.PersonID] = append(out[t.PersonID], t)
	}
	return out, rs.Err()
}

// sum adds up the values of a measure; dim and currency "" match any.
func (f Figures) sum(measure, dim, currency string) totals.Value {
	var v totals.Value
	for _, t := range f {
		if t.Measure == measure && (dim == "" || t.Dim == dim) && (currency == "" || t.Currency == currency) {
			v.N, v.Amount, v.Extra = v.N+t.N, v.Amount+t.Amount, v.Extra+t.Extra
		}
	}
	return v
}

// Metric is a quantity a target can be set on: a plain integer (minor
// units of money, or a count) read from the figures.
type Metric string

// The metrics targets are set on.
const (
	MetricWonRevenue   Metric = "won_revenue"
	MetricWonDeals     Metric = "won_deals"
	MetricNewCustomers Metric = "new_customers"
	MetricActivities   Metric = "activities"
)

// Metrics lists the target metrics in display order.
var Metrics = []Metric{MetricWonRevenue, MetricWonDeals, MetricNewCustomers, MetricActivities}

// Valid reports whether m is a known metric.
func (m Metric) Valid() bool {
	for _, x := range Metrics {
		if x == m {
			return true
		}
	}
	return false
}

// Money reports whether the metric is an amount of money (minor units, with a currency).
func (m Metric) Money() bool { return m == MetricWonRevenue }

// Measures are the totals the metric is read from.
func (m Metric) Measures() []string {
	switch m {
	case MetricWonRevenue, MetricWonDeals:
		return []string{totals.Won}
	case MetricNewCustomers:
		return []string{totals.NewCustomer}
	}
	return []string{totals.Activity}
}

// Of reads the metric from the figures; currency applies to money.
func (m Metric) Of(f Figures, currency string) int64 {
	switch m {
	case MetricWonRevenue:
		return f.sum(totals.Won, "", currency).Amount
	case MetricWonDeals:
		return f.sum(totals.Won, "", "").N
	case MetricNewCustomers:
		return f.sum(totals.NewCustomer, "", "").N
	case MetricActivities:
		return f.sum(totals.Activity, "", "").N
	}
	return 0
}

// The dimensions a metric can be narrowed to.
const (
	BySeries    = "series"    // a product series, by the series each order line was saved with
	ByTerritory = "territory" // a territory, by the territory of the deal's account (its id)
)

// Slice narrows a metric to one product series or one territory; the zero
// Slice is the whole business. Only won revenue and won deals can be narrowed.
type Slice struct {
	By    string `json:"dimension,omitempty"`
	Value string `json:"dim_value,omitempty"`
}

// Whole reports whether the slice narrows nothing.
func (sl Slice) Whole() bool { return sl.By == "" }

// measure is the totals measure a narrowed won metric is read from.
func (sl Slice) measure() string {
	if sl.By == ByTerritory {
		return totals.WonArea
	}
	return totals.WonSeries
}

// Basis is what a target counts: a metric, possibly narrowed.
type Basis struct {
	Metric Metric
	Slice  Slice
}

// Measures are the totals the basis is read from.
func (b Basis) Measures() []string {
	if b.Slice.Whole() {
		return b.Metric.Measures()
	}
	return []string{b.Slice.measure()}
}

// Of reads the basis from the figures; currency applies to money.
func (b Basis) Of(f Figures, currency string) int64 {
	if b.Slice.Whole() {
		return b.Metric.Of(f, currency)
	}
	var v totals.Value
	for _, t := range f {
		if t.Measure == b.Slice.measure() && t.Dim == b.Slice.Value && (!b.Metric.Money() || t.Currency == currency) {
			v.N, v.Amount = v.N+t.N, v.Amount+t.Amount
		}
	}
	if b.Metric.Money() {
		return v.Amount
	}
	return v.N
}
