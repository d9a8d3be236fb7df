package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/scorecard"
)

// kpiTemplateRoutes are the pages that set up the KPI templates (PRODUCT.md 2.4).
func (s *Server) kpiTemplateRoutes() []route {
	return []route{
		{"GET", "/admin/kpi-templates", s.kpiTemplatesPage, signedIn},
		{"POST", "/admin/kpi-templates", s.createKPITemplate, signedIn},
		{"GET", "/admin/kpi-templates/{id}", s.kpiTemplatePage, signedIn},
		{"POST", "/admin/kpi-templates/{id}", s.updateKPITemplate, signedIn},
	}
}

// Template lines on the form: the stored lines plus this many empty rows
// to add some, and no more rows than maxTemplateRows whatever is posted.
const (
	spareTemplateRows = 3
	maxTemplateRows   = 30
)

// templateReader refuses the template screens to people who neither set
// templates up (administrators, whom the service alone lets change them)
// nor score people with them (managers). Anyone may read the templates
// through the API; these screens exist to configure them.
func templateReader(r *http.Request) error {
	if a := echelon.ActorFrom(r.Context()); !a.IsAdmin() && !a.Role.IsManager() {
		return echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden")
	}
	return nil
}

// kpiTemplatesData is the list of templates and, for an administrator,
// the form that creates one or changes the one being edited.
type kpiTemplatesData struct {
	Templates []*scorecard.Template
	Levels    []*org.Level
	Roles     []echelon.Role // the roles a template can score
	Codes     []string       // the KPI codes the records give, suggested in the form
	Editing   *scorecard.Template
	Form      *form // nil for a reader who may not change templates
	Rows      []int // the line rows of the form
}

// PageTitle names the template being edited in the browser tab.
func (d *kpiTemplatesData) PageTitle() string {
	if d.Editing == nil {
		return ""
	}
	return d.Editing.Name
}

// Field is the form name of field name of line row i, for the template.
func (d *kpiTemplatesData) Field(i int, name string) string { return lineField(i, name) }

// LevelName names a template's echelon level (0: every level of the role).
func (d *kpiTemplatesData) LevelName(p *page, id int64) string {
	for _, l := range d.Levels {
		if l.ID == id {
			return p.Pick(l.NameZh, l.NameEn)
		}
	}
	return p.T("tpl.level.any")
}

// FixedTarget writes a line's fixed target in its KPI's unit (see
// scorecard.Line.Fixed), or "" for a target from the plan.
func (p *page) FixedTarget(l scorecard.Line) string {
	if l.Source != scorecard.FromFixed {
		return ""
	}
	d, _ := kpi.Find(l.KPI)
	v := kpi.Value{Num: l.Fixed, Den: 1}
	switch d.Unit {
	case kpi.UnitRatio:
		v.Den = 10000
	case kpi.UnitDays, kpi.UnitScore:
		v.Den = 10
	case kpi.UnitMoney, kpi.UnitCount:
		return p.T("tpl.per_month", p.KPIValue(kpi.Result{Unit: d.Unit, Value: v}, echelon.DefaultCurrency))
	}
	return p.KPIValue(kpi.Result{Unit: d.Unit, Value: v}, echelon.DefaultCurrency)
}

func (s *Server) kpiTemplatesPage(w http.ResponseWriter, r *http.Request) error {
	return s.showTemplates(w, r, 0)
}

func (s *Server) kpiTemplatePage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.showTemplates(w, r, id)
}

func (s *Server) showTemplates(w http.ResponseWriter, r *http.Request, id int64) error {
	if err := templateReader(r); err != nil {
		return err
	}
	return show(s, w, r, "kpi_templates", "tpl.title", func(r *http.Request) (*kpiTemplatesData, error) { return s.loadTemplates(r, id) })
}

// loadTemplates reads the templates; with an id the form holds that
// template, else it is empty for a new one.
func (s *Server) loadTemplates(r *http.Request, id int64) (*kpiTemplatesData, error) {
	ctx := r.Context()
	ts, err := s.Scorecards.FindTemplates(ctx)
	if err != nil {
		return nil, err
	}
	levels, err := s.Org.FindLevels(ctx)
	if err != nil {
		return nil, err
	}
	d := &kpiTemplatesData{Templates: ts, Levels: levels, Codes: kpi.Codes()}
	for _, role := range echelon.Roles {
		if role != echelon.RoleAdmin {
			d.Roles = append(d.Roles, role)
		}
	}
	for _, t := range ts {
		if t.ID == id {
			d.Editing = t
		}
	}
	if id != 0 && d.Editing == nil {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "scorecard.template_not_found")
	}
	if !echelon.ActorFrom(ctx).IsAdmin() {
		return d, nil
	}
	d.Form = newForm()
	if t := d.Editing; t != nil {
		d.Form.set("name", t.Name)
		d.Form.set("role", t.Role)
		d.Form.set("level_id", t.LevelID)
		d.Form.set("version", t.Version)
		for i, l := range t.Lines {
			setLine(d.Form, i, l)
		}
	}
	d.Rows = formRows(d.Form)
	return d, nil
}

// lineField is the form name of field f of line row i, as the service
// names it in its errors ("lines[2].weight").
func lineField(i int, f string) string { return fmt.Sprintf("lines[%d].%s", i, f) }

// setLine fills row i of the form with a stored line.
func setLine(f *form, i int, l scorecard.Line) {
	f.set(lineField(i, "kpi"), l.KPI)
	f.set(lineField(i, "weight"), l.Weight)
	f.set(lineField(i, "source"), l.Source)
	f.set(lineField(i, "curve"), l.Curve)
	f.set(lineField(i, "cap"), l.Cap)
	if l.Source == scorecard.FromFixed {
		f.set(lineField(i, "fixed"), l.Fixed)
	}
	if l.Curve == scorecard.CurveThreshold {
		f.set(lineField(i, "threshold"), l.Threshold)
	}
}

// formRows are the line rows to draw: the rows up to the last one that
// holds something, then the spare empty ones.
func formRows(f *form) []int {
	n := 0
	for i := range maxTemplateRows {
		if !lineEmpty(f, i) {
			n = i + 1
		}
	}
	rows := make([]int, min(n+spareTemplateRows, maxTemplateRows))
	for i := range rows {
		rows[i] = i
	}
	return rows
}

// templateInput reads the form. Rows left empty are skipped; lines[i] of
// the input comes from form row rows[i].
func templateInput(f *form) (in scorecard.TemplateInput, rows []int, err error) {
	in = scorecard.TemplateInput{Name: f.Val("name"), Role: f.Val("role")}
	if in.LevelID, err = f.id("level_id"); err != nil {
		return in, nil, err
	}
	if in.Version, err = f.int("version"); err != nil {
		return in, nil, err
	}
	for i := range maxTemplateRows {
		if lineEmpty(f, i) {
			continue
		}
		l := scorecard.Line{KPI: f.Val(lineField(i, "kpi")), Source: f.Val(lineField(i, "source")), Curve: f.Val(lineField(i, "curve"))}
		for _, n := range []struct {
			name string
			to   *int
		}{{"weight", &l.Weight}, {"cap", &l.Cap}, {"threshold", &l.Threshold}} {
			if *n.to, err = f.int(lineField(i, n.name)); err != nil {
				return in, nil, err
			}
		}
		if v := f.Val(lineField(i, "fixed")); v != "" {
			if l.Fixed, err = strconv.ParseInt(v, 10, 64); err != nil {
				return in, nil, echelon.FieldError(lineField(i, "fixed"), "form.invalid_number")
			}
		}
		in.Lines = append(in.Lines, l)
		rows = append(rows, i)
	}
	return in, rows, nil
}

// lineEmpty reports whether row i holds nothing typed (its selects always
// hold a choice, so they do not count).
func lineEmpty(f *form, i int) bool {
	for _, name := range []string{"kpi", "weight", "fixed", "cap", "threshold"} {
		if f.Val(lineField(i, name)) != "" {
			return false
		}
	}
	return true
}

// onFormRow renames the line a service error is about (lines[i] of the
// input) to the form row it came from, so the message lands beside the
// field the person typed in.
func onFormRow(err error, rows []int) error {
	var e *echelon.Error
	if !errors.As(err, &e) || !strings.HasPrefix(e.Field, "lines[") {
		return err
	}
	n, rest, ok := strings.Cut(strings.TrimPrefix(e.Field, "lines["), "]")
	i, convErr := strconv.Atoi(n)
	if !ok || convErr != nil || i < 0 || i >= len(rows) {
		return err
	}
	moved := *e
	moved.Field = "lines[" + strconv.Itoa(rows[i]) + "]" + rest
	return &moved
}

func (s *Server) createKPITemplate(w http.ResponseWriter, r *http.Request) error {
	return s.saveKPITemplate(w, r, 0)
}

func (s *Server) updateKPITemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.saveKPITemplate(w, r, id)
}

// saveKPITemplate creates (id 0) or changes a template from the form; a
// refusal draws the form again as it was typed, each message beside its field.
func (s *Server) saveKPITemplate(w http.ResponseWriter, r *http.Request, id int64) error {
	if err := adminOnly(r); err != nil {
		return err // before reading the form, so a refused post never draws it
	}
	f := postedForm(r)
	in, rows, err := templateInput(f)
	if err == nil {
		_, err = s.Scorecards.SaveTemplate(r.Context(), id, in)
		err = onFormRow(err, rows)
	}
	if err != nil {
		f.Values["lines"] = nil // so a message about the lines as a whole lands beside them (see fail)
		return s.redisplay(r, f, err, reload(s, w, r, "kpi_templates", "tpl.title",
			func(r *http.Request) (*kpiTemplatesData, error) { return s.loadTemplates(r, id) },
			func(d *kpiTemplatesData) { d.Form, d.Rows = f, formRows(f) }))
	}
	flash := "tpl.flash.created"
	if id != 0 {
		flash = "tpl.flash.saved"
	}
	seeOther(w, r, "/admin/kpi-templates", flash)
	return nil
}
