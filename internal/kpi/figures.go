// Package kpi is the KPI library (PRODUCT.md 2.4): every KPI computed from
// the maintained sales totals for a subject — an org unit's subtree or one
// person — over a range of months, exact as a fraction of integers, and
// drillable to the records behind it.
package kpi

import (
	"context"

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

func (s Subject) filter(from, to period.Month) totals.Filter {
	if s.PersonID != 0 {
		return totals.Filter{PersonID: s.PersonID, From: from, To: to}
	}
	return totals.Filter{UnitPath: s.UnitPath, From: from, To: to}
}

// Figures are a subject's totals over a range of months, summed.
type Figures []totals.Total

// LoadFigures sums the subject's totals for the months from–to (inclusive).
func LoadFigures(ctx context.Context, tx *db.Tx, s Subject, from, to period.Month) (Figures, error) {
	rows, err := totals.Sum(ctx, tx, s.filter(from, to), totals.Group{})
	return Figures(rows), err
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
