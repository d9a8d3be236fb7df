package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/target"
)

// targetPageRoutes are the pages of targets (PRODUCT.md 2.3) and KPIs (2.4).
func (s *Server) targetPageRoutes() []route {
	return []route{
		{"GET", "/targets", s.plansPage, signedIn},
		{"POST", "/targets", s.createPlan, signedIn},
		{"GET", "/targets/{id}", s.planPage, signedIn},
		{"POST", "/targets/{id}/approve", s.planStep(s.Targets.Approve, "tgt.flash.approved"), signedIn},
		{"POST", "/targets/{id}/reopen", s.planStep(s.Targets.Reopen, "tgt.flash.reopened"), signedIn},
		{"POST", "/targets/{id}/lock", s.planStep(s.Targets.Lock, "tgt.flash.locked"), signedIn},
		{"POST", "/targets/{id}/revise", s.planStep(s.Targets.Revise, "tgt.flash.revised"), signedIn},
		{"GET", "/targets/{id}/nodes/{node}", s.targetPage, signedIn},
		{"POST", "/targets/{id}/nodes/{node}", s.setTarget, signedIn},
		{"GET", "/kpis", s.kpisPage, signedIn},
		{"GET", "/kpis/{code}/evidence", s.evidencePage, signedIn},
	}
}

// canPlan reports whether the viewer may create and decide plans (the
// service checks the same rule).
func canPlan(a *echelon.Actor) bool { return a.IsAdmin() || a.Role == echelon.RoleSeniorManager }

// periodPicker is the choice of a period inside one fiscal year: the
// year, its quarters and its months, with the years around it.
type periodPicker struct {
	Current  string   // the chosen period's address
	Choices  []string // addresses, year first
	PrevYear string   // the year before and after, as addresses
	NextYear string
}

func newPeriodPicker(cal period.Calendar, p period.Period) periodPicker {
	year := cal.Year(p.Year)
	pk := periodPicker{Current: p.String(), Choices: []string{year.String()},
		PrevYear: strconv.Itoa(p.Year - 1), NextYear: strconv.Itoa(p.Year + 1)}
	for _, q := range cal.Children(year) {
		pk.Choices = append(pk.Choices, q.String())
	}
	for _, m := range period.MonthsOf(year) {
		pk.Choices = append(pk.Choices, m.String())
	}
	return pk
}

// queryPeriod reads ?period= with the calendar; empty is def.
func queryPeriod(r *http.Request, cal period.Calendar, def period.Period) (period.Period, error) {
	at := strings.TrimSpace(r.URL.Query().Get("period"))
	if at == "" {
		return def, nil
	}
	p, err := cal.Parse(at)
	if err != nil {
		return p, badRequest{echelon.FieldError("period", "period.invalid", at)}
	}
	return p, nil
}

// PeriodName names a period address ("2026", "2026-Q2", "2026-05") in the viewer's language.
func (p *page) PeriodName(addr string) string {
	pd, err := period.Calendar{StartMonth: time.January}.Parse(addr)
	if err != nil {
		return addr
	}
	switch pd.Kind {
	case period.KindYear:
		return p.T("tgt.period.year", pd.Year)
	case period.KindQuarter:
		return p.T("tgt.period.quarter", pd.Year, pd.N)
	}
	m := pd.First.Calendar()
	return p.T("tgt.period.month", pd.First.Year(), int(m), m.String()[:3])
}

// MetricName names what a plan measures.
func (p *page) MetricName(m kpi.Metric) string { return p.T("kpi." + string(m)) }

// PlanName is a plan's fiscal year, metric (with the series or territory
// it is narrowed to) and revision.
func (p *page) PlanName(pl *target.Plan) string {
	return p.T("tgt.plan_name", p.PeriodName(pl.Period), p.BasisName(pl), pl.Revision)
}

// BasisName is what a plan counts: its metric, narrowed to a series or territory.
func (p *page) BasisName(pl *target.Plan) string {
	switch pl.By {
	case kpi.BySeries:
		return p.T("tgt.slice.series", p.MetricName(pl.Metric), pl.Value)
	case kpi.ByTerritory:
		return p.T("tgt.slice.territory", p.MetricName(pl.Metric), pl.SliceName)
	}
	return p.MetricName(pl.Metric)
}

// Amount formats a target's amount: money in the plan's currency, else a count.
func (p *page) Amount(pl *target.Plan, v int64) string {
	if pl.Metric.Money() {
		return p.Money(v, pl.Currency)
	}
	return p.Num64(v)
}

// Figure writes a target's amount for a table whose header names the
// currency: major units without a zero fraction ("3,000,000",
// "2,720,695.51"), or a count.
func (p *page) Figure(pl *target.Plan, v int64) string {
	if pl.Metric.Money() {
		return strings.TrimSuffix(echelon.FormatAmount(v), ".00")
	}
	return p.Num64(v)
}

// StatusClass is the badge of a pace status.
func (p *page) StatusClass(status string) string {
	switch status {
	case target.OnTrack:
		return "badge-ok"
	case target.Caution:
		return "badge-warn"
	}
	return "badge-danger"
}

// StateClass is the badge of a plan's state.
func (p *page) StateClass(state string) string {
	switch state {
	case target.StateDraft:
		return "badge-info"
	case target.StateApproved:
		return "badge-ok"
	}
	return "badge-off"
}

// plansData is the list of plans with the form that opens one.
type plansData struct {
	Plans     []*target.Plan
	Form      *form
	CanCreate bool
	Metrics   []kpi.Metric
	Slices    []sliceChoice
	Rules     []string
}

// sliceChoice is a product series or territory a plan can be narrowed to,
// posted as "series|<name>" or "territory|<id>".
type sliceChoice struct {
	By, Value, Label string
}

// Key is the choice as the form posts it.
func (c sliceChoice) Key() string { return c.By + "|" + c.Value }

// sliceChoices lists the product series (of active and retired products) and the territories.
func (s *Server) sliceChoices(ctx context.Context) ([]sliceChoice, error) {
	products, err := s.CRM.FindProducts(ctx, true)
	if err != nil {
		return nil, err
	}
	var out []sliceChoice
	seen := map[string]bool{}
	for _, pr := range products {
		if pr.Series != "" && !seen[pr.Series] {
			seen[pr.Series] = true
			out = append(out, sliceChoice{By: kpi.BySeries, Value: pr.Series, Label: pr.Series})
		}
	}
	territories, err := s.CRM.FindTerritories(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range territories {
		out = append(out, sliceChoice{By: kpi.ByTerritory, Value: itoa(t.ID), Label: t.Name})
	}
	return out, nil
}

func (s *Server) plansPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "targets", "tgt.plans.title", func(r *http.Request) (*plansData, error) {
		return s.loadPlans(r, nil)
	})
}

// loadPlans lists the plans; f is the create form as posted, or nil for a fresh one.
func (s *Server) loadPlans(r *http.Request, f *form) (*plansData, error) {
	ctx := r.Context()
	plans, err := s.Targets.FindPlans(ctx)
	if err != nil {
		return nil, err
	}
	if f == nil {
		cal, err := s.Settings.Calendar(ctx)
		if err != nil {
			return nil, err
		}
		f = newForm()
		f.set("metric", kpi.MetricWonRevenue)
		f.set("fiscal_year", cal.FiscalYear(cal.MonthAt(time.Now())))
		f.set("currency", echelon.DefaultCurrency)
		f.set("rule", target.RuleExact)
	}
	d := &plansData{Plans: plans, Form: f, CanCreate: canPlan(echelon.ActorFrom(ctx)), Metrics: kpi.Metrics,
		Rules: []string{target.RuleExact, target.RuleAtLeast}}
	if d.CanCreate {
		if d.Slices, err = s.sliceChoices(ctx); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (s *Server) createPlan(w http.ResponseWriter, r *http.Request) error {
	f := postedForm(r)
	in := target.PlanInput{Metric: kpi.Metric(f.Val("metric")), Currency: f.Val("currency"), Rule: f.Val("rule")}
	in.By, in.Value, _ = strings.Cut(f.Val("slice"), "|")
	year, err := f.int("fiscal_year")
	if err == nil {
		in.FiscalYear = year
		var p *target.Plan
		if p, err = s.Targets.CreatePlan(r.Context(), in); err == nil {
			seeOther(w, r, "/targets/"+itoa(p.ID), "tgt.flash.created")
			return nil
		}
	}
	var e *echelon.Error
	if errors.As(err, &e) && (e.Field == "dimension" || e.Field == "dim_value") {
		onSlice := *e // the form has one field for both
		onSlice.Field = "slice"
		err = &onSlice
	}
	return s.redisplay(r, f, err, reload(s, w, r, "targets", "tgt.plans.title",
		func(r *http.Request) (*plansData, error) { return s.loadPlans(r, f) }, nil))
}

// targetRow is a target in the plan's tree, with its pace and its depth
// below the top the viewer sees.
type targetRow struct {
	target.NodePace
	Depth int
}

// depth is how deep a target sits in the organisation: its unit's depth,
// one more for a person.
func depth(n *target.Node) int {
	d := strings.Count(n.UnitPath, "/") - 2
	if n.PersonID != 0 {
		d++
	}
	return d
}

// treeRows indents the targets relative to the shallowest among them.
func treeRows(nodes []target.NodePace) []targetRow {
	top := -1
	for _, n := range nodes {
		if d := depth(n.Node); top < 0 || d < top {
			top = d
		}
	}
	rows := make([]targetRow, len(nodes))
	for i, n := range nodes {
		rows[i] = targetRow{NodePace: n, Depth: depth(n.Node) - top}
	}
	return rows
}

// planData is a plan's tree of targets with their pace in a period.
type planData struct {
	Plan       *target.Plan
	Rows       []targetRow
	Unbalanced int
	Picker     periodPicker
	CanDecide  bool
	Older      *target.Plan // the revision this one replaces
	Newer      *target.Plan // the revision that replaces this one
	Action     *form        // the refused state change, kept (its reason)
	Alert      string
}

// boardView is a plan's targets the viewer may see, with their pace in
// the period of ?period= (the plan's fiscal year unless asked).
type boardView struct {
	Plan   *target.Plan
	Nodes  []target.NodePace
	Picker periodPicker
	Year   period.Period
}

func (s *Server) loadBoard(r *http.Request, planID int64) (*boardView, error) {
	ctx := r.Context()
	cal, err := s.Settings.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	p, err := queryPeriod(r, cal, period.Period{})
	if err != nil {
		return nil, err
	}
	at := ""
	if p.Kind != "" {
		at = p.String()
	}
	plan, nodes, err := s.Targets.Board(ctx, planID, at)
	if err != nil {
		return nil, err
	}
	year := cal.Year(plan.FiscalYear)
	if at == "" {
		p = year
	}
	return &boardView{Plan: plan, Nodes: nodes, Picker: newPeriodPicker(cal, p), Year: year}, nil
}

func (s *Server) planPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "targets_plan", "tgt.plan.title", s.loadPlan)
}

func (s *Server) loadPlan(r *http.Request) (*planData, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	b, err := s.loadBoard(r, id)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	d := &planData{Plan: b.Plan, Rows: treeRows(b.Nodes), Picker: b.Picker, CanDecide: canPlan(echelon.ActorFrom(ctx)), Action: newForm()}
	for _, n := range b.Nodes {
		if !n.Balanced {
			d.Unbalanced++
		}
	}
	return d, s.findRevisions(ctx, d)
}

// findRevisions finds the revisions before and after the plan.
func (s *Server) findRevisions(ctx context.Context, d *planData) error {
	plans, err := s.Targets.FindPlans(ctx)
	if err != nil {
		return err
	}
	for _, p := range plans {
		switch {
		case p.ID == d.Plan.SupersedesID:
			d.Older = p
		case p.SupersedesID == d.Plan.ID:
			d.Newer = p
		}
	}
	return nil
}

// planStep answers a form that changes a plan's state; a refusal the
// person can act on (a stale version, targets that do not add up, a
// missing reason) is shown above the plan, with the reason kept.
func (s *Server) planStep(do func(context.Context, int64, target.Transition) (*target.Plan, error), flash string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		f := postedForm(r)
		tr := target.Transition{Reason: f.Val("reason")}
		if tr.Version, err = f.int("version"); err == nil {
			var p *target.Plan
			if p, err = do(r.Context(), id, tr); err == nil {
				seeOther(w, r, "/targets/"+itoa(p.ID), flash)
				return nil
			}
		}
		return s.redisplay(r, f, err, reload(s, w, r, "targets_plan", "tgt.plan.title", s.loadPlan, func(d *planData) {
			d.Action, d.Alert = f, f.Error
			if msg := f.Err("reason"); msg != "" {
				d.Alert = msg
			}
		}))
	}
}

// nodeData is one target: its months, its pace, the targets just below
// it, and the form that sets it.
type nodeData struct {
	Plan     *target.Plan
	Node     target.NodePace
	Parent   *target.NodePace // when the viewer may see it
	Children []targetRow
	Months   []monthAmount
	Picker   periodPicker
	Form     *form
	Phasings []string
}

// monthAmount is a target's share of one month.
type monthAmount struct {
	Month  string // address, 2026-05
	Field  string // the form field, m1 … m12
	Amount int64
}

// PageTitle names the target in the browser tab.
func (d *nodeData) PageTitle() string { return d.Node.Label() }

func (s *Server) targetPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "targets_node", "tgt.node.title", s.loadTarget)
}

// loadTarget reads the target of the path, if the viewer may see it, from
// the plan's board in the chosen period.
func (s *Server) loadTarget(r *http.Request) (*nodeData, error) {
	planID, id, err := nodeID(r)
	if err != nil {
		return nil, err
	}
	b, err := s.loadBoard(r, planID)
	if err != nil {
		return nil, err
	}
	d := &nodeData{Plan: b.Plan, Picker: b.Picker, Phasings: []string{target.PhasingEven, target.PhasingSeasonal, target.PhasingManual}}
	var children []target.NodePace
	for _, n := range b.Nodes {
		switch {
		case n.ID == id:
			d.Node = n
		case n.ParentID == id:
			children = append(children, n)
		}
	}
	if d.Node.Node == nil {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "target.not_found")
	}
	for i, n := range b.Nodes {
		if n.ID == d.Node.ParentID {
			d.Parent = &b.Nodes[i]
		}
	}
	d.Children = treeRows(children)
	for i, m := range period.MonthsOf(b.Year) {
		d.Months = append(d.Months, monthAmount{Month: m.String(), Field: "m" + strconv.Itoa(i+1), Amount: d.Node.Months[i]})
	}
	d.Form = d.targetForm()
	return d, nil
}

// targetForm fills the form with the target as it is.
func (d *nodeData) targetForm() *form {
	f := newForm()
	f.set("version", d.Node.Version)
	f.set("amount", d.plain(d.Node.Amount))
	f.set("phasing", d.Node.Phasing)
	for _, m := range d.Months {
		f.set(m.Field, d.plain(m.Amount))
	}
	return f
}

// AmountLabel is the catalogue key of the amount field's label.
func (d *nodeData) AmountLabel() string {
	if d.Plan.Metric.Money() {
		return "tgt.field.amount_money"
	}
	return "tgt.field.amount_count"
}

// plain writes an amount as an input holds it: major units for money.
func (d *nodeData) plain(v int64) string {
	if d.Plan.Metric.Money() {
		return majorUnits(v)
	}
	return strconv.FormatInt(v, 10)
}

// parse reads an amount field written as plain does.
func (d *nodeData) parse(f *form, name string) (int64, error) {
	v := f.Val(name)
	if v == "" {
		return 0, nil
	}
	if d.Plan.Metric.Money() {
		n, err := echelon.ParseAmount(v)
		if err != nil {
			return 0, echelon.FieldError(name, "amount.invalid")
		}
		return n, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, echelon.FieldError(name, "form.invalid_number")
	}
	return n, nil
}

// input turns the posted form into a change: the amount when it differs
// from the target's, the phasing, and with manual phasing the twelve
// months as typed.
func (d *nodeData) input(f *form) (target.TargetInput, error) {
	in := target.TargetInput{Phasing: f.Val("phasing"), Cascade: f.Checked("cascade")}
	var err error
	if in.Version, err = f.int("version"); err != nil {
		return in, err
	}
	amount, err := d.parse(f, "amount")
	if err != nil {
		return in, err
	}
	if amount != d.Node.Amount || in.Phasing != target.PhasingManual {
		in.Amount = &amount
	}
	if in.Phasing != target.PhasingManual {
		return in, nil
	}
	in.Months = make([]int64, len(d.Months))
	for i, m := range d.Months {
		if in.Months[i], err = d.parse(f, m.Field); err != nil {
			return in, err
		}
	}
	return in, nil
}

func (s *Server) setTarget(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadTarget(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	in, err := d.input(f)
	if err == nil {
		_, err = s.Targets.SetTarget(r.Context(), d.Node.ID, in)
	}
	if err != nil {
		d.Form = f
		return s.redisplay(r, f, err, s.again(w, r, "targets_node", "tgt.node.title", d))
	}
	seeOther(w, r, fmt.Sprintf("/targets/%d/nodes/%d?period=%s", d.Plan.ID, d.Node.ID, d.Picker.Current), "tgt.flash.saved")
	return nil
}

// periodForm is what the "period-picker" partial draws: the choice of a
// period, keeping the rest of the query in hidden fields, and with Years
// links to the years around it.
type periodForm struct {
	*page
	Picker     periodPicker
	Keep       [][2]string
	Prev, Next string // links to the years around the chosen one; empty without Years
}

// PeriodForm describes the period picker; keep are pairs of query
// parameters to carry along (empty values and zero ids are left out).
func (p *page) PeriodForm(pk periodPicker, years bool, keep ...any) periodForm {
	f := periodForm{page: p, Picker: pk}
	q := url.Values{}
	for i := 0; i+1 < len(keep); i += 2 {
		if v := fmt.Sprint(keep[i+1]); v != "" && v != "0" {
			f.Keep = append(f.Keep, [2]string{fmt.Sprint(keep[i]), v})
			q.Set(fmt.Sprint(keep[i]), v)
		}
	}
	if years {
		link := func(at string) string {
			q.Set("period", at)
			return p.Path + "?" + q.Encode()
		}
		f.Prev, f.Next = link(pk.PrevYear), link(pk.NextYear)
	}
	return f
}

// targetTail is what the "target-tail" partial draws: the last cells of a
// target's row in a table (actual, pace, the link that sets it).
type targetTail struct {
	*page
	Plan   *target.Plan
	Period string
	Row    target.NodePace
}

// Tail describes the last cells of a target's row.
func (p *page) Tail(pl *target.Plan, at string, n target.NodePace) targetTail {
	return targetTail{page: p, Plan: pl, Period: at, Row: n}
}

// PipelineEvidence is the list of open deals behind the target's pipeline coverage.
func (t targetTail) PipelineEvidence() string {
	q := url.Values{"period": {t.Row.Pace.Period}, "currency": {t.Plan.Currency}, "subject": {"u" + itoa(t.Row.UnitID)}}
	if t.Row.PersonID != 0 {
		q.Set("subject", "p"+itoa(t.Row.PersonID))
	}
	return "/kpis/weighted_pipeline/evidence?" + q.Encode()
}
