package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/ladder"
	"github.com/echelonhq/echelon/internal/review"
)

// ladderPageRoutes are the pages of the ladder, readiness and nominations (PRODUCT.md 2.6).
func (s *Server) ladderPageRoutes() []route {
	return []route{
		{"GET", "/ladder", s.ladderPage, signedIn},
		{"POST", "/ladder/{id}", s.saveCriteria, signedIn},
		{"GET", "/readiness", s.readinessPage, signedIn},
		{"GET", "/readiness/{person}", s.personReadinessPage, signedIn},
		{"POST", "/readiness/{person}/certifications", s.recordCertification, signedIn},
		{"GET", "/nominations", s.nominationsPage, signedIn},
		{"POST", "/nominations", s.nominate, signedIn},
		{"POST", "/nominations/{id}/{action}", s.decideNomination, signedIn},
	}
}

// ladderNames names certifications and competencies in the viewer's language.
type ladderNames struct {
	Types []ladder.CertificationType
}

// CertName is a certification's name in the viewer's language (its code when unknown).
func (n ladderNames) CertName(p *page, code string) string {
	for _, t := range n.Types {
		if t.Code == code {
			return p.Pick(t.NameZh, t.NameEn)
		}
	}
	return code
}

// Competencies are the competency codes in display order.
func (n ladderNames) Competencies() []string { return review.Competencies }

// ladderData is the ladder, and the criteria form of one level for an admin.
type ladderData struct {
	ladderNames
	Levels []*ladder.Criteria
	Edit   int64 // the level whose form is open
	Form   *form
}

// Certified reports whether the form asks for the certification.
func (d *ladderData) Certified(code string) bool {
	return slices.Contains(d.Form.Values["certifications"], code)
}

func (s *Server) ladderPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "ladder", "ladder.title", func(r *http.Request) (*ladderData, error) {
		edit, _ := strconv.ParseInt(r.URL.Query().Get("edit"), 10, 64)
		return s.loadLadder(r, edit)
	})
}

func (s *Server) loadLadder(r *http.Request, edit int64) (*ladderData, error) {
	ctx := r.Context()
	levels, err := s.Ladder.FindLadder(ctx)
	if err != nil {
		return nil, err
	}
	types, err := s.Ladder.FindCertificationTypes(ctx)
	if err != nil {
		return nil, err
	}
	d := &ladderData{ladderNames: ladderNames{types}, Levels: levels, Form: newForm()}
	if !echelon.ActorFrom(ctx).IsAdmin() {
		return d, nil
	}
	for _, c := range levels {
		if c.Level.ID != edit {
			continue
		}
		d.Edit = edit
		f := d.Form
		for name, v := range map[string]int{"min_tenure_months": c.MinTenureMonths, "score_quarters": c.ScoreQuarters, "score_average": c.ScoreAverage,
			"score_floor": c.ScoreFloor, "account_limit": c.AccountLimit, "version": c.Version} {
			f.set(name, v)
		}
		f.set("kpi_template_id", c.KPITemplateID)
		f.set("commission_plan", c.CommissionPlan)
		f.set("learning_path", c.LearningPath)
		f.set("target_band_min", strconv.FormatFloat(c.TargetBandMin, 'f', -1, 64))
		f.set("target_band_max", strconv.FormatFloat(c.TargetBandMax, 'f', -1, 64))
		f.Values["certifications"] = c.Certifications
		for code, min := range c.Competencies {
			f.set("competencies."+code, min)
		}
	}
	return d, nil
}

// criteriaInput reads the criteria form.
func criteriaInput(f *form) (ladder.CriteriaInput, error) {
	in := ladder.CriteriaInput{Certifications: f.Values["certifications"], Competencies: map[string]int{},
		CommissionPlan: f.Val("commission_plan"), LearningPath: f.Val("learning_path")}
	for name, dst := range map[string]*int{"min_tenure_months": &in.MinTenureMonths, "score_quarters": &in.ScoreQuarters,
		"score_average": &in.ScoreAverage, "score_floor": &in.ScoreFloor, "account_limit": &in.AccountLimit, "version": &in.Version} {
		n, err := f.int(name)
		if err != nil {
			return in, err
		}
		*dst = n
	}
	for _, code := range review.Competencies {
		n, err := f.int("competencies." + code)
		if err != nil {
			return in, err
		}
		if n != 0 {
			in.Competencies[code] = n
		}
	}
	var err error
	if in.KPITemplateID, err = f.id("kpi_template_id"); err != nil {
		return in, err
	}
	for name, dst := range map[string]*float64{"target_band_min": &in.TargetBandMin, "target_band_max": &in.TargetBandMax} {
		if v := f.Val(name); v != "" {
			if *dst, err = strconv.ParseFloat(v, 64); err != nil {
				return in, echelon.FieldError(name, "form.invalid_number")
			}
		}
	}
	return in, nil
}

func (s *Server) saveCriteria(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	in, err := criteriaInput(f)
	if err == nil {
		if _, err = s.Ladder.UpdateCriteria(r.Context(), id, in); err == nil {
			seeOther(w, r, "/ladder#level-"+itoa(id), "ladder.flash.saved")
			return nil
		}
	}
	return s.redisplay(r, f, err, reload(s, w, r, "ladder", "ladder.title",
		func(r *http.Request) (*ladderData, error) { return s.loadLadder(r, 0) }, func(d *ladderData) { d.Edit, d.Form = id, f }))
}

// readinessData is the readiness board of the reader's view.
type readinessData struct {
	Board  *ladder.Board
	Groups []readinessGroup
	Units  []subjectChoice // the units a manager may narrow the board to, by bare id
	Unit   string
}

type readinessGroup struct {
	Bucket string
	People []ladder.Readiness
}

func (s *Server) readinessPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "ladder_readiness", "readiness.title", func(r *http.Request) (*readinessData, error) {
		var unit int64
		if err := (crmQuery{r}).ids(map[string]*int64{"unit": &unit}); err != nil {
			return nil, err
		}
		b, err := s.Ladder.ReadinessBoard(r.Context(), unit)
		if err != nil {
			return nil, err
		}
		d := &readinessData{Board: b, Groups: []readinessGroup{{ladder.ReadyNow, b.ReadyNow}, {ladder.ReadySoon, b.ReadySoon}, {ladder.NotYet, b.NotYet}}}
		if unit != 0 {
			d.Unit = itoa(unit)
		}
		choices, err := s.subjectChoices(r.Context())
		if err != nil {
			return nil, err
		}
		for _, c := range choices {
			if strings.HasPrefix(c.Value, "u") {
				c.Value = c.Value[1:]
				d.Units = append(d.Units, c)
			}
		}
		return d, nil
	})
}

// personReadinessData is one person's readiness with its evidence, their
// level history, certifications and nominations, and the forms the reader may use.
type personReadinessData struct {
	ladderNames
	R           *ladder.Readiness
	History     []ladder.LevelChange
	Certs       []ladder.Certification
	Nominations []*ladder.Nomination
	Levels      []*ladder.Criteria // for a demotion's level
	Kinds       []string           // promotion, demotion, hold
	Nominate    *form              // nil when the reader may not nominate this person
	Record      *form              // nil when the reader may not record a certification
}

// PageTitle names the person in the browser tab.
func (d *personReadinessData) PageTitle() string { return d.R.Name }

func (s *Server) personReadinessPage(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("person"), 10, 64)
	if err != nil || id <= 0 {
		return echelon.Errorf(echelon.ENOTFOUND, "person.not_found")
	}
	return show(s, w, r, "ladder_person", "readiness.person_title", func(r *http.Request) (*personReadinessData, error) {
		return s.loadPersonReadiness(r, id)
	})
}

func (s *Server) loadPersonReadiness(r *http.Request, id int64) (*personReadinessData, error) {
	ctx := r.Context()
	a := echelon.ActorFrom(ctx)
	d := &personReadinessData{Kinds: []string{ladder.Promotion, ladder.Demotion, ladder.Hold}}
	var err error
	if d.R, err = s.Ladder.Readiness(ctx, id); err != nil {
		return nil, err
	}
	if d.History, err = s.Ladder.History(ctx, id); err != nil {
		return nil, err
	}
	if d.Certs, err = s.Ladder.FindCertifications(ctx, id); err != nil {
		return nil, err
	}
	if d.Nominations, err = s.Ladder.FindNominations(ctx, ladder.NominationFilter{PersonID: id}); err != nil {
		return nil, err
	}
	if d.Types, err = s.Ladder.FindCertificationTypes(ctx); err != nil {
		return nil, err
	}
	if d.Levels, err = s.Ladder.FindLadder(ctx); err != nil {
		return nil, err
	}
	if (a.IsAdmin() || a.Role.IsManager()) && id != a.PersonID {
		if d.R.Level != nil {
			d.Nominate = newForm()
			d.Nominate.set("person_id", id)
			d.Nominate.set("kind", ladder.Promotion)
		}
		d.Record = newForm()
	}
	return d, nil
}

func (s *Server) nominate(w http.ResponseWriter, r *http.Request) error {
	f := postedForm(r)
	in := ladder.NominationInput{Kind: f.Val("kind"), EffectiveOn: f.Val("effective_on"), Reason: f.Val("reason")}
	person, err := f.id("person_id")
	if err != nil {
		return badRequest{err.(*echelon.Error)}
	}
	in.PersonID = person
	if in.ToLevelID, err = f.id("to_level_id"); err == nil {
		if _, err = s.Ladder.Nominate(r.Context(), in); err == nil {
			seeOther(w, r, "/nominations", "nomination.flash.created")
			return nil
		}
	}
	return s.redisplay(r, f, err, reload(s, w, r, "ladder_person", "readiness.person_title",
		func(r *http.Request) (*personReadinessData, error) { return s.loadPersonReadiness(r, person) },
		func(d *personReadinessData) { d.Nominate = f }))
}

func (s *Server) recordCertification(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("person"), 10, 64)
	if err != nil || id <= 0 {
		return echelon.Errorf(echelon.ENOTFOUND, "person.not_found")
	}
	f := postedForm(r)
	in := ladder.CertificationInput{PersonID: id, Code: f.Val("code"), IssuedOn: f.Val("issued_on"), ExpiresOn: f.Val("expires_on"), Note: f.Val("note")}
	if _, err := s.Ladder.RecordCertification(r.Context(), in); err != nil {
		return s.redisplay(r, f, err, reload(s, w, r, "ladder_person", "readiness.person_title",
			func(r *http.Request) (*personReadinessData, error) { return s.loadPersonReadiness(r, id) },
			func(d *personReadinessData) { d.Record = f }))
	}
	seeOther(w, r, "/readiness/"+itoa(id)+"#certifications", "certification.flash.recorded")
	return nil
}

// nominationsData is what the reader is to decide, what they nominated, and every nomination they may see.
type nominationsData struct {
	ToDecide, Mine, All []*ladder.Nomination
	Decide              map[int64]*form // a refused decision's form, by nomination
}

// DecideForm is the decision form of a nomination (empty unless refused).
func (d *nominationsData) DecideForm(id int64) *form {
	if f, ok := d.Decide[id]; ok {
		return f
	}
	return newForm()
}

func (s *Server) nominationsPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "ladder_nominations", "nomination.title", s.loadNominations)
}

func (s *Server) loadNominations(r *http.Request) (*nominationsData, error) {
	ctx := r.Context()
	d := &nominationsData{Decide: map[int64]*form{}}
	var err error
	if d.All, err = s.Ladder.FindNominations(ctx, ladder.NominationFilter{}); err != nil {
		return nil, err
	}
	a := echelon.ActorFrom(ctx)
	for _, n := range d.All {
		if n.CanDecide {
			d.ToDecide = append(d.ToDecide, n)
		}
		if n.NominatedBy == a.PersonID {
			d.Mine = append(d.Mine, n)
		}
	}
	return d, nil
}

func (s *Server) decideNomination(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var do func(context.Context, int64, ladder.DecisionInput) (*ladder.Nomination, error)
	switch r.PathValue("action") {
	case "approve":
		do = s.Ladder.Approve
	case "reject":
		do = s.Ladder.Reject
	case "withdraw":
		do = s.Ladder.Withdraw
	default:
		return echelon.Errorf(echelon.ENOTFOUND, "record.not_found")
	}
	f := postedForm(r)
	in := ladder.DecisionInput{Reason: f.Val("reason"), EffectiveOn: f.Val("effective_on")}
	if in.Version, err = f.int("version"); err == nil {
		if _, err = do(r.Context(), id, in); err == nil {
			seeOther(w, r, "/nominations", "nomination.flash."+r.PathValue("action"))
			return nil
		}
	}
	return s.redisplay(r, f, err, reload(s, w, r, "ladder_nominations", "nomination.title", s.loadNominations,
		func(d *nominationsData) { d.Decide[id] = f }))
}
