package web

import (
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/chart"
	"github.com/echelonhq/echelon/internal/i18n"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/target"
)

// dashboard is the part of the home page that follows the viewer's role
// (PRODUCT.md 2.10): for an administrator and the managers, revenue
// against target down the hierarchy from a chosen unit, the funnel, the
// monthly trend beside last year's and the reps by attainment; for a rep,
// their pacing on each current target, their KPI card and their trend.
type dashboard struct {
	Picker  periodPicker
	Plan    *target.Plan // the revenue plan shown; nil when there is none
	CanPlan bool
	Team    *teamView   // administrators and managers
	Own     []*ownPace  // reps
	Card    *kpi.Card   // reps
	Funnel  *kpi.Funnel // administrators and managers
	Trend   *kpi.Trend
}

// teamView is revenue against target below one node of the plan.
type teamView struct {
	Node     target.NodePace
	Trail    []target.NodePace // the nodes above it the viewer sees, from the top
	Children []target.NodePace
	Bins     []attainmentBin
	Unset    int // reps below without a target in the period
}

// attainmentBin counts the reps whose attainment falls in [From, To) percent.
type attainmentBin struct {
	Label    string // catalogue key
	From, To int64  // To 0: no upper bound
	Count    int
	Tone     string
}

// ownPace is a rep's progress on one target this year, quarter and month.
type ownPace struct {
	Plan  *target.Plan
	Node  *target.Node
	Paces []target.Pace
}

// currentPeriods are the fiscal year, quarter and month of now.
func currentPeriods(cal period.Calendar) (year, quarter, month period.Period) {
	m := cal.MonthAt(time.Now())
	return cal.Of(period.KindYear, m), cal.Of(period.KindQuarter, m), cal.Of(period.KindMonth, m)
}

// currentPlans picks, for each metric and currency of fiscal year fy, the
// newest revision that is not a draft, else the newest draft.
func currentPlans(plans []*target.Plan, fy int) []*target.Plan {
	chosen := map[string]int{}
	var out []*target.Plan
	for _, p := range plans { // newest revision first within a metric and currency
		if p.FiscalYear != fy {
			continue
		}
		key := string(p.Metric) + "/" + p.Currency
		i, seen := chosen[key]
		switch {
		case !seen:
			chosen[key] = len(out)
			out = append(out, p)
		case out[i].State == target.StateDraft && p.State != target.StateDraft:
			out[i] = p
		}
	}
	return out
}

// revenuePlan is the current plan of won revenue, or nil.
func revenuePlan(plans []*target.Plan) *target.Plan {
	for _, p := range plans {
		if p.Metric == kpi.MetricWonRevenue {
			return p
		}
	}
	return nil
}

// loadDashboard reads the dashboard of the viewer's role; partner
// departments have none.
func (s *Server) loadDashboard(r *http.Request) (*dashboard, error) {
	ctx := r.Context()
	a := echelon.ActorFrom(ctx)
	if !worksWithCRM(a) {
		return nil, nil
	}
	cal, err := s.Settings.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.Targets.FindPlans(ctx)
	if err != nil {
		return nil, err
	}
	year, _, _ := currentPeriods(cal)
	plans := currentPlans(all, year.Year)
	d := &dashboard{Plan: revenuePlan(plans), CanPlan: canPlan(a)}
	if a.Role == echelon.RoleRep {
		return d, s.loadOwnDashboard(r, d, cal, plans)
	}
	p, err := queryPeriod(r, cal, year)
	if err != nil {
		return nil, err
	}
	d.Picker = newPeriodPicker(cal, p)
	return d, s.loadTeamDashboard(r, d, year)
}

// loadTeamDashboard fills the dashboard of an administrator or a manager
// for the unit of ?org_unit_id= (their own, or the top they see).
func (s *Server) loadTeamDashboard(r *http.Request, d *dashboard, year period.Period) error {
	ctx := r.Context()
	unit, err := crmQuery{r}.id("org_unit_id")
	if err != nil {
		return err
	}
	ref := kpi.Ref{UnitID: unit}
	if d.Plan != nil {
		plan, nodes, err := s.Targets.Board(ctx, d.Plan.ID, d.Picker.Current)
		if err != nil {
			return err
		}
		d.Plan = plan
		if d.Team, err = teamOf(nodes, unit, echelon.ActorFrom(ctx).UnitID); err != nil {
			return err
		}
		if d.Team != nil {
			ref = kpi.Ref{UnitID: d.Team.Node.UnitID}
		}
	}
	if d.Funnel, err = s.KPI.Funnel(ctx, ref, d.Picker.Current); err != nil {
		return err
	}
	currency := ""
	if d.Plan != nil {
		currency = d.Plan.Currency
	}
	d.Trend, err = s.KPI.Trend(ctx, ref, kpi.WonRevenue, year.String(), currency)
	return err
}

// teamOf finds the node of unit (none: the viewer's own unit, else the
// top they see) among the nodes the viewer sees, with what lies around it.
func teamOf(nodes []target.NodePace, unit, own int64) (*teamView, error) {
	notFound := echelon.Errorf(echelon.ENOTFOUND, "target.not_found")
	if len(nodes) == 0 {
		if unit != 0 {
			return nil, notFound
		}
		return nil, nil
	}
	byID := map[int64]target.NodePace{}
	t := &teamView{Node: nodes[0]} // the top the viewer sees: nodes come in path order
	for _, n := range nodes {
		byID[n.ID] = n
		if n.PersonID == 0 && (n.UnitID == unit || (unit == 0 && n.UnitID == own)) {
			t.Node = n
		}
	}
	if unit != 0 && t.Node.UnitID != unit {
		return nil, notFound
	}
	for p, ok := byID[t.Node.ParentID]; ok; p, ok = byID[p.ParentID] {
		t.Trail = append([]target.NodePace{p}, t.Trail...)
	}
	t.Bins = attainmentBins()
	for _, n := range nodes {
		if n.ParentID == t.Node.ID {
			t.Children = append(t.Children, n)
		}
		if n.PersonID != 0 && strings.HasPrefix(n.UnitPath, t.Node.UnitPath) {
			t.count(n.Pace)
		}
	}
	return t, nil
}

// attainmentBins are the bands of the reps' distribution.
func attainmentBins() []attainmentBin {
	return []attainmentBin{
		{Label: "dash.bin.below50", From: 0, To: 50, Tone: chart.ToneBad},
		{Label: "dash.bin.50to80", From: 50, To: 80, Tone: chart.ToneWarn},
		{Label: "dash.bin.80to100", From: 80, To: 100, Tone: chart.ToneNeutral},
		{Label: "dash.bin.100to120", From: 100, To: 120, Tone: chart.ToneOK},
		{Label: "dash.bin.above120", From: 120, Tone: chart.ToneOK},
	}
}

// count puts a rep's pace into its bin, exactly: actual × 100 against target × bound.
func (t *teamView) count(p target.Pace) {
	if p.Target <= 0 {
		t.Unset++
		return
	}
	for i, b := range t.Bins {
		if p.Actual*100 >= p.Target*b.From && (b.To == 0 || p.Actual*100 < p.Target*b.To) {
			t.Bins[i].Count++
			return
		}
	}
}

// loadOwnDashboard fills a rep's dashboard: each current target with its
// pace this year, quarter and month; their KPI card and trend this year.
func (s *Server) loadOwnDashboard(r *http.Request, d *dashboard, cal period.Calendar, plans []*target.Plan) error {
	ctx := r.Context()
	me := echelon.ActorFrom(ctx).PersonID
	year, quarter, month := currentPeriods(cal)
	for _, plan := range plans {
		_, nodes, err := s.Targets.Board(ctx, plan.ID, year.String())
		if err != nil {
			return err
		}
		for _, n := range nodes {
			if n.PersonID != me {
				continue
			}
			own := &ownPace{Plan: plan, Node: n.Node, Paces: []target.Pace{n.Pace}}
			for _, p := range []period.Period{quarter, month} {
				_, np, err := s.Targets.Pace(ctx, n.ID, p.String())
				if err != nil {
					return err
				}
				own.Paces = append(own.Paces, np.Pace)
			}
			d.Own = append(d.Own, own)
		}
	}
	var err error
	ref := kpi.Ref{PersonID: me}
	if d.Card, err = s.KPI.Card(ctx, ref, year.String(), ""); err != nil {
		return err
	}
	d.Trend, err = s.KPI.Trend(ctx, ref, kpi.WonRevenue, year.String(), "")
	return err
}

// CardSummary are the KPIs a rep's home page shows of their card.
func (d *dashboard) CardSummary() []kpi.Result {
	var out []kpi.Result
	for _, r := range d.Card.Results {
		switch r.Code {
		case kpi.WonRevenue, kpi.WonDeals, kpi.WinRate, kpi.AvgDealSize, kpi.Activities, kpi.OpenPipeline:
			out = append(out, r)
		}
	}
	return out
}

// Tone is the chart tone of a pace status.
func tone(status string) string {
	switch status {
	case target.OnTrack:
		return chart.ToneOK
	case target.Caution:
		return chart.ToneWarn
	}
	return chart.ToneBad
}

// Compact writes a figure short for a chart: 1.2万 or 1.2M.
func (p *page) Compact(v float64) string {
	type step struct {
		div    float64
		suffix string
	}
	steps := []step{{1e9, "B"}, {1e6, "M"}, {1e3, "k"}}
	if p.Lang == i18n.Chinese {
		steps = []step{{1e8, "亿"}, {1e4, "万"}}
	}
	for _, st := range steps {
		if v >= st.div {
			return strconv.FormatFloat(math.Round(v/st.div*10)/10, 'f', -1, 64) + st.suffix
		}
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) // an empty chart's scale is 0.25, 0.5 …
}

// figure is an amount of the plan's metric as a chart reads it.
func figure(pl *target.Plan, v int64) float64 { return major(pl.Metric.Money(), float64(v)) }

// major is a figure as a chart reads it: major units for money.
func major(money bool, v float64) float64 {
	if money {
		return v / 100
	}
	return v
}

// svg marks a drawn chart as safe markup: the chart package escapes every text.
func svg(s chart.SVG) template.HTML { return template.HTML(s) }

// TeamChart draws revenue against target for each target below the chosen one.
func (p *page) TeamChart(d *dashboard) template.HTML {
	rows := make([]chart.BarRow, len(d.Team.Children))
	for i, c := range d.Team.Children {
		rows[i] = chart.BarRow{Label: c.Label(), Href: p.DrillLink(d, c), Actual: figure(d.Plan, c.Pace.Actual),
			Target: figure(d.Plan, c.Pace.Target), Tone: tone(c.Pace.Status),
			Text: p.Compact(figure(d.Plan, c.Pace.Actual)) + " / " + p.Compact(figure(d.Plan, c.Pace.Target)) + " · " + p.Share(c.Pace.Actual, c.Pace.Target)}
	}
	return svg(chart.Bars{Frame: chart.Frame{ID: "team-chart", Title: p.T("dash.team.chart", p.MetricName(d.Plan.Metric), d.Plan.Currency, p.PeriodName(d.Picker.Current)),
		Empty: p.T("dash.team.no_children")}, Rows: rows}.SVG())
}

// DrillLink is where a target below the chosen one leads: a unit's down
// the dashboard, a rep's to their KPI card.
func (p *page) DrillLink(d *dashboard, n target.NodePace) string {
	q := "period=" + d.Picker.Current
	if n.PersonID != 0 {
		return "/kpis?person_id=" + itoa(n.PersonID) + "&" + q
	}
	return "/?org_unit_id=" + itoa(n.UnitID) + "&" + q
}

// AttainmentChart draws the reps by attainment.
func (p *page) AttainmentChart(d *dashboard) template.HTML {
	bins := make([]chart.Bin, len(d.Team.Bins))
	for i, b := range d.Team.Bins {
		bins[i] = chart.Bin{Label: p.T(b.Label), Count: b.Count, Tone: b.Tone}
	}
	return svg(chart.Histogram{Frame: chart.Frame{ID: "attainment-chart", Title: p.T("dash.bins.chart", p.PeriodName(d.Picker.Current)),
		Empty: p.T("dash.bins.empty")}, Bins: bins}.SVG())
}

// FunnelChart draws the deals entering each stage with the conversion from the stage before.
func (p *page) FunnelChart(f *kpi.Funnel) template.HTML {
	stages := make([]chart.Stage, 0, len(f.Stages))
	moved := false
	for _, st := range f.Stages {
		s := chart.Stage{Label: p.Pick(st.NameZh, st.NameEn), Count: float64(st.Entered), CountText: p.Num64(st.Entered)}
		if st.Conversion.Defined() {
			s.Conversion = p.Percent(st.Conversion)
		}
		switch st.Outcome {
		case "won":
			s.Tone = chart.ToneOK
		case "lost":
			s.Tone = chart.ToneBad
		}
		moved = moved || st.Entered > 0
		stages = append(stages, s)
	}
	if !moved {
		stages = nil
	}
	return svg(chart.Funnel{Frame: chart.Frame{ID: "funnel-chart", Title: p.T("dash.funnel.chart", f.Subject.Name, p.PeriodName(f.Period)),
		Empty: p.T("dash.funnel.empty")}, Stages: stages}.SVG())
}

// DropOff is the share of deals that did not come on from the stage before.
func (p *page) DropOff(v kpi.Value) string {
	if !v.Defined() {
		return noValue
	}
	return p.Percent(kpi.Value{Num: v.Den - v.Num, Den: v.Den})
}

// TrendChart draws won revenue month by month beside last year's.
func (p *page) TrendChart(t *kpi.Trend) template.HTML {
	this := chart.Series{Name: p.PeriodName(t.Period)}
	last := chart.Series{Name: p.T("dash.trend.last_year"), Line: true}
	var cats []string
	for _, pt := range t.Points {
		cats = append(cats, p.MonthShort(pt.Month))
		for _, x := range []struct {
			s *chart.Series
			v kpi.Value
		}{{&this, pt.Value}, {&last, pt.LastYear}} {
			x.s.Values = append(x.s.Values, major(t.Unit == kpi.UnitMoney, x.v.Float()))
			x.s.Texts = append(x.s.Texts, p.KPIValue(kpi.Result{Unit: t.Unit, Value: x.v}, t.Currency))
		}
	}
	return svg(chart.Columns{Frame: chart.Frame{ID: "trend-chart", Title: p.T("dash.trend.chart", t.Subject.Name, t.Currency)},
		Categories: cats, Series: []chart.Series{this, last}, Tick: p.Compact}.SVG())
}

// MonthShort names a month address on a chart's axis: 5月, May.
func (p *page) MonthShort(addr string) string {
	pd, err := period.Calendar{StartMonth: time.January}.Parse(addr)
	if err != nil {
		return addr
	}
	m := pd.First.Calendar()
	return p.T("dash.month_short", int(m), m.String()[:3])
}

// PaceChart draws a rep's attainment this year, quarter and month, each
// against its own target (the mark at 100 %; bars stop at 150 %).
func (p *page) PaceChart(o *ownPace) template.HTML {
	rows := make([]chart.BarRow, len(o.Paces))
	for i, pc := range o.Paces {
		rows[i] = chart.BarRow{Label: p.PeriodName(pc.Period), Actual: min(pc.Attainment()*100, 150), Target: 100, Tone: tone(pc.Status),
			Text: p.Figure(o.Plan, pc.Actual) + " / " + p.Figure(o.Plan, pc.Target) + " · " + p.Share(pc.Actual, pc.Target)}
	}
	return svg(chart.Bars{Frame: chart.Frame{ID: "pace-chart-" + itoa(o.Node.ID), Title: p.T("dash.own.chart", p.MetricName(o.Plan.Metric))}, Rows: rows}.SVG())
}
