package kpi

import (
	"github.com/echelonhq/echelon/internal/totals"
)

// Units of KPI values.
const (
	UnitMoney = "money" // minor units of the card's currency
	UnitCount = "count"
	UnitRatio = "ratio" // a share; shown as a percentage
	UnitDays  = "days"
	UnitScore = "score" // an average rating from 1 to 5
)

// Value is a KPI's exact value: Num ÷ Den (Den 1 for a plain amount or
// count; Den 0 when there is nothing to divide by, shown as "—").
//
// Rounding, when a value is shown: money to the minor unit and days to one
// decimal, half away from zero; ratios as a percentage with one decimal,
// half away from zero. Scores and attainment are computed from the exact
// fraction, never from a rounded figure.
type Value struct {
	Num int64 `json:"num"`
	Den int64 `json:"den"`
}

// Defined reports whether the value has a denominator.
func (v Value) Defined() bool { return v.Den != 0 }

// Float is the value as a float (0 when undefined).
func (v Value) Float() float64 {
	if v.Den == 0 {
		return 0
	}
	return float64(v.Num) / float64(v.Den)
}

// Def is a KPI of the library.
type Def struct {
	Code     string `json:"code"`
	Unit     string `json:"unit"`
	Evidence string `json:"evidence"` // what the drill-down lists: won, closed, new_customers, open, activities
	value    func(f Figures, currency string) Value
}

// The KPI codes computed from the records.
const (
	WonRevenue     = "won_revenue"
	WonDeals       = "won_deals"
	NewCustomers   = "new_customers"
	WinRate        = "win_rate"
	Activities     = "activities"
	WeightedPipe   = "weighted_pipeline"
	AvgDealSize    = "avg_deal_size"
	AvgSalesCycle  = "avg_sales_cycle"
	LostDeals      = "lost_deals"
	OpenPipeline   = "open_pipeline"
	CSAT           = "csat"
	activityPrefix = "activities_"
)

// Evidence kinds.
const (
	EvidenceWon          = "won"
	EvidenceClosed       = "closed"
	EvidenceLost         = "lost"
	EvidenceNewCustomers = "new_customers"
	EvidenceOpen         = "open"
	EvidenceActivities   = "activities"
	EvidenceSurveys      = "surveys"
)

func plain(n int64) Value { return Value{Num: n, Den: 1} }

// Library lists the KPIs computed from the records, in display order.
var Library = []Def{
	{WonRevenue, UnitMoney, EvidenceWon, func(f Figures, c string) Value { return plain(f.sum(totals.Won, "", c).Amount) }},
	{WonDeals, UnitCount, EvidenceWon, func(f Figures, _ string) Value { return plain(f.sum(totals.Won, "", "").N) }},
	{NewCustomers, UnitCount, EvidenceNewCustomers, func(f Figures, _ string) Value { return plain(f.sum(totals.NewCustomer, "", "").N) }},
	{WinRate, UnitRatio, EvidenceClosed, func(f Figures, _ string) Value {
		won := f.sum(totals.Won, "", "").N
		return Value{Num: won, Den: won + f.sum(totals.Lost, "", "").N}
	}},
	{LostDeals, UnitCount, EvidenceLost, func(f Figures, _ string) Value { return plain(f.sum(totals.Lost, "", "").N) }},
	{AvgDealSize, UnitMoney, EvidenceWon, func(f Figures, c string) Value {
		w := f.sum(totals.Won, "", c)
		return Value{Num: w.Amount, Den: w.N}
	}},
	{AvgSalesCycle, UnitDays, EvidenceWon, func(f Figures, _ string) Value {
		w := f.sum(totals.Won, "", "")
		return Value{Num: w.Extra, Den: w.N}
	}},
	{Activities, UnitCount, EvidenceActivities, func(f Figures, _ string) Value { return plain(f.sum(totals.Activity, "", "").N) }},
	{OpenPipeline, UnitMoney, EvidenceOpen, func(f Figures, c string) Value { return plain(f.sum(totals.Open, "", c).Amount) }},
	{WeightedPipe, UnitMoney, EvidenceOpen, func(f Figures, c string) Value { return plain(f.sum(totals.Open, "", c).Extra) }},
	{CSAT, UnitScore, EvidenceSurveys, func(f Figures, _ string) Value {
		s := f.sum(measureCSAT, "", "")
		return Value{Num: s.Amount, Den: s.N}
	}},
}

// ActivityKinds are the kinds of activity counted separately.
var ActivityKinds = []string{"call", "visit", "meeting", "email", "note"}

// Find returns the definition of a KPI code, including the per-kind
// activity counts ("activities_call" …).
func Find(code string) (Def, bool) {
	for _, d := range Library {
		if d.Code == code {
			return d, true
		}
	}
	for _, k := range ActivityKinds {
		if code == activityPrefix+k {
			return Def{Code: code, Unit: UnitCount, Evidence: EvidenceActivities, value: func(f Figures, _ string) Value {
				return plain(f.sum(totals.Activity, k, "").N)
			}}, true
		}
	}
	return Def{}, false
}

// Codes lists every KPI code computed from the records: the library, then
// the activity count of each kind.
func Codes() []string {
	var out []string
	for _, d := range Library {
		out = append(out, d.Code)
	}
	for _, k := range ActivityKinds {
		out = append(out, activityPrefix+k)
	}
	return out
}

// activityKind is the kind a per-kind activity KPI counts ("" for all).
func activityKind(code string) string {
	for _, k := range ActivityKinds {
		if code == activityPrefix+k {
			return k
		}
	}
	return ""
}

// measures are the totals the KPI is computed from (its evidence's kind of record).
func (d Def) measures() []string {
	return map[string][]string{
		EvidenceWon: {totals.Won}, EvidenceClosed: {totals.Won, totals.Lost}, EvidenceLost: {totals.Lost},
		EvidenceNewCustomers: {totals.NewCustomer}, EvidenceOpen: {totals.Open}, EvidenceActivities: {totals.Activity},
	}[d.Evidence]
}

// Value computes the KPI from the figures.
func (d Def) Value(f Figures, currency string) Value { return d.value(f, currency) }
