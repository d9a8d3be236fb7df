package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/scorecard"
)

// scorecardPageRoutes are the pages of scorecards and leaderboards (PRODUCT.md 2.5).
func (s *Server) scorecardPageRoutes() []route {
	return []route{
		{"GET", "/scorecards", s.scorecardsPage, signedIn},
		{"POST", "/scorecards/manual", s.enterManual, signedIn},
		{"GET", "/leaderboards", s.leaderboardsPage, signedIn},
		{"POST", "/leaderboards/publish", s.publishBoard, signedIn},
	}
}

// ScoreKPIName names a scorecard line's KPI (a manual KPI the catalogue
// does not know by its code).
func (p *page) ScoreKPIName(code string) string {
	if key := "kpi." + code; p.cat.Has(p.Lang, key) {
		return p.T(key)
	}
	return code
}

// LineValue writes a scorecard line's actual or target in its unit (a
// manual KPI's as a percentage).
func (p *page) LineValue(unit string, v kpi.Value, currency string) string {
	if unit == "manual" {
		return p.Percent(v)
	}
	return p.KPIValue(kpi.Result{Unit: unit, Value: v}, currency)
}

// Points writes a score, a total or an attainment with one decimal.
func (p *page) Points(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// Attain writes an attainment (1 = 100 %) as a percentage with one decimal.
func (p *page) Attain(x float64) string { return p.Points(x*100) + "%" }

// scorecardData is a subject's scorecard, or why there is none.
type scorecardData struct {
	Card       *scorecard.Scorecard
	NoTemplate string // the message when the subject has no template
	Subject    string // the picker's value
	Choices    []subjectChoice
	Picker     periodPicker
	Query      template.URL // subject and period, for the evidence and download links
	Manual     []*form      // a form per manual KPI of the template, when the viewer may enter them
}

// PageTitle names the subject in the browser tab.
func (d *scorecardData) PageTitle() string {
	if d.Card == nil {
		return ""
	}
	return d.Card.Subject.Name
}

func (s *Server) scorecardsPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "scorecards", "sc.title", func(r *http.Request) (*scorecardData, error) {
		ref, err := pageRef(r)
		if err != nil {
			return nil, err
		}
		return s.loadScorecard(r, ref, r.URL.Query().Get("period"))
	})
}

// loadScorecard scores ref in period at; a subject without a template is
// shown with the reason rather than as an error.
func (s *Server) loadScorecard(r *http.Request, ref kpi.Ref, at string) (*scorecardData, error) {
	ctx := r.Context()
	a := echelon.ActorFrom(ctx)
	cal, err := s.Settings.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	d := &scorecardData{}
	card, err := s.Scorecards.Scorecard(ctx, ref, at, r.URL.Query().Get("currency"))
	var e *echelon.Error
	switch {
	case err == nil:
		d.Card = card
		d.Subject = subjectValue(card.Subject)
		d.Query = subjectQuery(card.Subject, card.Period)
		at = card.Period
	case errors.As(err, &e) && e.Key == "scorecard.no_template":
		d.NoTemplate = s.Catalog.T(langFrom(ctx), e.Key, s.Catalog.T(langFrom(ctx), "role."+stringArg(e.Args)))
		d.Subject = subjectValue(kpi.Named{Subject: kpi.Subject{UnitID: ref.UnitID, PersonID: ref.PersonID}})
		if ref == (kpi.Ref{}) {
			d.Subject = "p" + itoa(a.PersonID)
		}
	default:
		return nil, err
	}
	p, err := cal.Parse(at)
	if err != nil {
		p = cal.Month(cal.MonthAt(time.Now()))
	}
	d.Picker = newPeriodPicker(cal, p)
	if card != nil && card.Subject.PersonID != 0 && card.Subject.PersonID != a.PersonID && (a.IsAdmin() || a.Role.IsManager()) {
		for _, l := range card.Lines {
			if l.Unit == "manual" {
				d.Manual = append(d.Manual, manualForm(card, l))
			}
		}
	}
	d.Choices, err = s.subjectChoices(ctx)
	return d, err
}

// manualForm is the form of one manual KPI line, holding the stored value,
// reason and version when one was entered, so that saving it changes that
// value rather than colliding with it.
func manualForm(card *scorecard.Scorecard, l scorecard.ScoreLine) *form {
	f := newForm()
	f.set("person_id", card.Subject.PersonID)
	f.set("period", card.Period)
	f.set("code", l.KPI)
	if l.Missing == "" {
		f.set("score", int(l.Actual.Num)) // a manual line's actual is score/100
		f.set("comment", l.Comment)
		f.set("version", l.Version)
	}
	return f
}

// stringArg is the first argument of a message, as text.
func stringArg(args []any) string {
	if len(args) == 0 {
		return ""
	}
	if s, ok := args[0].(string); ok {
		return s
	}
	return ""
}

func (s *Server) enterManual(w http.ResponseWriter, r *http.Request) error {
	f := postedForm(r)
	in := scorecard.ManualInput{Code: f.Val("code"), Period: f.Val("period"), Comment: f.Val("comment")}
	person, err := f.id("person_id")
	if err == nil && person == 0 {
		err = echelon.FieldError("person_id", "kpi.subject_not_found")
	}
	in.PersonID = person
	if err == nil {
		in.Score, err = f.int("score")
	}
	if err == nil {
		in.Version, err = f.int("version")
	}
	if err == nil {
		if _, err = s.Scorecards.EnterManual(r.Context(), in); err == nil {
			q := url.Values{"subject": {"p" + itoa(person)}, "period": {in.Period}}
			seeOther(w, r, "/scorecards?"+q.Encode(), "sc.flash.manual_saved")
			return nil
		}
	}
	ref := kpi.Ref{PersonID: person}
	return s.redisplay(r, f, err, reload(s, w, r, "scorecards", "sc.title",
		func(r *http.Request) (*scorecardData, error) { return s.loadScorecard(r, ref, in.Period) },
		func(d *scorecardData) { d.Manual = putForm(d.Manual, f) }))
}

// putForm puts the refused form in place of the form of its KPI (or
// after the others when the template has no such line).
func putForm(forms []*form, f *form) []*form {
	for i, g := range forms {
		if g.Val("code") == f.Val("code") {
			forms[i] = f
			return forms
		}
	}
	return append(forms, f)
}

// leaderboardData is a unit's board for one KPI.
type leaderboardData struct {
	Board      *scorecard.Leaderboard
	Unit       string // the KPI's unit of measure
	Units      []subjectChoice
	KPIs       []string
	Picker     periodPicker
	CanPublish bool
	Query      template.URL // unit, KPI and period, for the download link
}

// PageTitle names the board's unit in the browser tab.
func (d *leaderboardData) PageTitle() string { return d.Board.Unit }

// RankValue writes a place's value in the board's unit.
func (d *leaderboardData) RankValue(p *page, v kpi.Value) string {
	return p.KPIValue(kpi.Result{Unit: d.Unit, Value: v}, d.Board.Currency)
}

func (s *Server) leaderboardsPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "leaderboards", "lb.title", s.loadLeaderboard)
}

func (s *Server) loadLeaderboard(r *http.Request) (*leaderboardData, error) {
	ctx := r.Context()
	a := echelon.ActorFrom(ctx)
	var unit int64
	if err := (crmQuery{r}).ids(map[string]*int64{"org_unit_id": &unit}); err != nil {
		return nil, err
	}
	q := r.URL.Query()
	code := q.Get("kpi")
	if code == "" {
		code = kpi.WonRevenue
	}
	b, err := s.Scorecards.Leaderboard(ctx, unit, code, q.Get("period"), q.Get("currency"))
	if err != nil {
		return nil, err
	}
	cal, err := s.Settings.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	p, err := cal.Parse(b.Period)
	if err != nil {
		return nil, err
	}
	def, _ := kpi.Find(b.KPI)
	d := &leaderboardData{Board: b, Unit: def.Unit, Picker: newPeriodPicker(cal, p),
		CanPublish: a.IsAdmin() || a.Role.IsManager()}
	for _, k := range kpi.Library {
		d.KPIs = append(d.KPIs, k.Code)
	}
	d.Query = template.URL(url.Values{"org_unit_id": {itoa(b.UnitID)}, "kpi": {b.KPI}, "period": {b.Period}}.Encode())
	if d.CanPublish {
		if d.Units, err = s.unitChoices(ctx); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (s *Server) publishBoard(w http.ResponseWriter, r *http.Request) error {
	f := postedForm(r)
	unit, err := f.id("org_unit_id")
	if err != nil {
		return badRequest{err.(*echelon.Error)}
	}
	in := scorecard.PublishInput{UnitID: unit, KPI: f.Val("kpi"), Published: f.Checked("published")}
	out, err := s.Scorecards.Publish(r.Context(), in)
	if err != nil {
		return err
	}
	flash := "lb.flash.withdrawn"
	if out.Published {
		flash = "lb.flash.published"
	}
	q := url.Values{"org_unit_id": {itoa(out.UnitID)}, "kpi": {out.KPI}}
	if at := f.Val("period"); at != "" {
		q.Set("period", at)
	}
	seeOther(w, r, "/leaderboards?"+q.Encode(), flash)
	return nil
}
