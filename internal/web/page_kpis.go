package web

import (
	"context"
	"html/template"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/org"
)

// Showing KPI values (the rounding of kpi/library.go): money to the minor
// unit and days to one decimal, half away from zero; ratios as a
// percentage with one decimal, half away from zero; "—" when there is
// nothing to divide by.

// roundDiv is num × mul ÷ den rounded half away from zero (den ≠ 0).
func roundDiv(num, mul, den int64) int64 {
	n := new(big.Int).Mul(big.NewInt(num), big.NewInt(mul))
	d := big.NewInt(den)
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	if new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2)).Cmp(new(big.Int).Abs(d)) >= 0 {
		if n.Sign()*d.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q.Int64()
}

// tenths writes a number of tenths with one decimal: 125 → "12.5".
func tenths(t int64) string {
	sign := ""
	if t < 0 {
		sign, t = "-", -t
	}
	return sign + strconv.FormatInt(t/10, 10) + "." + strconv.FormatInt(t%10, 10)
}

// noValue is what a value without a denominator shows.
const noValue = "—"

// Percent writes a share as a percentage with one decimal: 1/8 → "12.5%".
func (p *page) Percent(v kpi.Value) string {
	if !v.Defined() {
		return noValue
	}
	return tenths(roundDiv(v.Num, 1000, v.Den)) + "%"
}

// Share writes part ÷ whole as a percentage ("—" when whole is 0).
func (p *page) Share(part, whole int64) string { return p.Percent(kpi.Value{Num: part, Den: whole}) }

// KPIValue writes a KPI's value in its unit.
func (p *page) KPIValue(r kpi.Result, currency string) string {
	v := r.Value
	if !v.Defined() {
		return noValue
	}
	switch r.Unit {
	case kpi.UnitMoney:
		return p.Money(roundDiv(v.Num, 1, v.Den), currency)
	case kpi.UnitRatio:
		return p.Percent(v)
	case kpi.UnitDays:
		return p.T("kpis.days", tenths(roundDiv(v.Num, 10, v.Den)))
	case kpi.UnitScore:
		return tenths(roundDiv(v.Num, 10, v.Den))
	}
	return p.Num64(roundDiv(v.Num, 1, v.Den))
}

// KPIName names a KPI code.
func (p *page) KPIName(code string) string { return p.T("kpi." + code) }

// subjectQuery is the query naming a KPI subject and period, for links
// (typed, so that a template writes it into a link as it is).
func subjectQuery(s kpi.Named, at string) template.URL {
	q := url.Values{"period": {at}}
	if s.PersonID != 0 {
		q.Set("person_id", itoa(s.PersonID))
	} else {
		q.Set("org_unit_id", itoa(s.UnitID))
	}
	return template.URL(q.Encode())
}

// pageRef reads the subject of a KPI page: ?subject=u3 or p5 from the
// picker, else org_unit_id or person_id; none is the viewer's own default.
func pageRef(r *http.Request) (kpi.Ref, error) {
	v := r.URL.Query().Get("subject")
	if v == "" {
		return kpiRef(r)
	}
	id, err := strconv.ParseInt(v[1:], 10, 64)
	switch {
	case err != nil || id <= 0:
	case v[0] == 'u':
		return kpi.Ref{UnitID: id}, nil
	case v[0] == 'p':
		return kpi.Ref{PersonID: id}, nil
	}
	return kpi.Ref{}, badRequest{echelon.FieldError("subject", "query.invalid_number", "subject")}
}

// subjectChoice is one entry of the subject picker.
type subjectChoice struct {
	Value string // u3, p5
	Label string
	Depth int
}

// kpisData is a subject's KPI card.
type kpisData struct {
	Card    *kpi.Card
	Subject string // the picker's value for the card's subject
	Choices []subjectChoice
	Picker  periodPicker
	Query   template.URL // subject and period, for the evidence links
}

// PageTitle names the subject in the browser tab.
func (d *kpisData) PageTitle() string { return d.Card.Subject.Name }

func (s *Server) kpisPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "kpis", "kpis.title", s.loadKPIs)
}

func (s *Server) loadKPIs(r *http.Request) (*kpisData, error) {
	ctx := r.Context()
	ref, err := pageRef(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	card, err := s.KPI.Card(ctx, ref, q.Get("period"), q.Get("currency"))
	if err != nil {
		return nil, err
	}
	cal, err := s.Settings.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	p, err := cal.Parse(card.Period)
	if err != nil {
		return nil, err
	}
	d := &kpisData{Card: card, Subject: subjectValue(card.Subject), Picker: newPeriodPicker(cal, p),
		Query: subjectQuery(card.Subject, card.Period)}
	d.Choices, err = s.subjectChoices(ctx)
	return d, err
}

func subjectValue(n kpi.Named) string {
	if n.PersonID != 0 {
		return "p" + itoa(n.PersonID)
	}
	return "u" + itoa(n.UnitID)
}

// subjectChoices are the units and people whose KPIs the viewer may read:
// an admin everything, a manager their subtree, anyone else themselves.
func (s *Server) subjectChoices(ctx context.Context) ([]subjectChoice, error) {
	a := echelon.ActorFrom(ctx)
	if !a.IsAdmin() && !a.Role.IsManager() {
		return []subjectChoice{{Value: "p" + itoa(a.PersonID), Label: a.Name}}, nil
	}
	units, err := s.managedUnits(ctx)
	if err != nil {
		return nil, err
	}
	people, err := s.ownerChoices(ctx)
	if err != nil {
		return nil, err
	}
	var out []subjectChoice
	for _, u := range units {
		out = append(out, subjectChoice{Value: "u" + itoa(u.ID), Label: u.Name, Depth: u.Depth()})
		out = append(out, peopleIn(people, u)...)
	}
	return out, nil
}

// unitChoices are the units of the viewer's subtree (every unit for an
// admin, none for anyone else), valued by their bare id.
func (s *Server) unitChoices(ctx context.Context) ([]subjectChoice, error) {
	units, err := s.managedUnits(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]subjectChoice, len(units))
	for i, u := range units {
		out[i] = subjectChoice{Value: itoa(u.ID), Label: u.Name, Depth: u.Depth()}
	}
	return out, nil
}

// subjectPicker is what the "subject-picker" partial draws: a form to
// action choosing among choices, keeping the period.
type subjectPicker struct {
	*page
	Action, Period, Subject string
	Choices                 []subjectChoice
}

// SubjectPicker describes the choice of whose figures a page shows.
func (p *page) SubjectPicker(action, period, subject string, choices []subjectChoice) subjectPicker {
	return subjectPicker{page: p, Action: action, Period: period, Subject: subject, Choices: choices}
}

// managedUnits are the open units an admin or a manager answers for, in tree order.
func (s *Server) managedUnits(ctx context.Context) ([]*org.Unit, error) {
	a := echelon.ActorFrom(ctx)
	if !a.IsAdmin() && !a.Role.IsManager() {
		return nil, nil
	}
	units, err := s.Org.FindUnits(ctx, false)
	if err != nil {
		return nil, err
	}
	out := units[:0]
	for _, u := range units {
		if a.IsAdmin() || org.InSubtree(u.Path, a.UnitPath) {
			out = append(out, u)
		}
	}
	return out, nil
}

// peopleIn are the choices of the people sitting in unit u, one level below it.
func peopleIn(people []*org.Person, u *org.Unit) []subjectChoice {
	var out []subjectChoice
	for _, p := range people {
		if p.UnitID == u.ID {
			out = append(out, subjectChoice{Value: "p" + itoa(p.ID), Label: p.Name, Depth: u.Depth() + 1})
		}
	}
	return out
}

// Indent pads a picker label to its depth (a select cannot be styled per option).
func (p *page) Indent(depth int, label string) string {
	return strings.Repeat("\u00a0\u00a0", depth) + label
}

// evidenceData is the list of records behind one KPI.
type evidenceData struct {
	Evidence *kpi.Evidence
	Result   kpi.Result
	Subject  kpi.Named
	Currency string
	Money    bool // the evidence's amounts add up to the KPI
	Query    template.URL
	Stages   map[string]*crm.Stage
	Pager    pager
}

func (s *Server) evidencePage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "kpi_evidence", "kpis.evidence.title", s.loadEvidence)
}

func (s *Server) loadEvidence(r *http.Request) (*evidenceData, error) {
	ctx := r.Context()
	ref, err := pageRef(r)
	if err != nil {
		return nil, err
	}
	pg, err := crmQuery{r}.page()
	if err != nil {
		return nil, err
	}
	q, code := r.URL.Query(), r.PathValue("code")
	ev, err := s.KPI.Evidence(ctx, ref, code, q.Get("period"), q.Get("currency"), pg.Offset, pg.Limit)
	if err != nil {
		return nil, err
	}
	card, err := s.KPI.Card(ctx, ref, ev.Period, q.Get("currency"))
	if err != nil {
		return nil, err
	}
	d := &evidenceData{Evidence: ev, Subject: card.Subject, Currency: card.Currency, Query: subjectQuery(card.Subject, ev.Period),
		Pager: newPager(r.URL, int(ev.Count), pg.Limit, pg.Offset, len(ev.Rows))}
	for _, res := range card.Results {
		if res.Code == code {
			d.Result = res
		}
	}
	d.Money = d.Result.Unit == kpi.UnitMoney
	stages, err := s.CRM.FindStages(ctx)
	if err != nil {
		return nil, err
	}
	d.Stages = map[string]*crm.Stage{}
	for _, st := range stages {
		d.Stages[st.Code] = st
	}
	return d, nil
}
