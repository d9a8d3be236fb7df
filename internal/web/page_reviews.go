package web

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/i18n"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/review"
)

// reviewPageRoutes are the pages of performance reviews, feedback and improvement plans.
func (s *Server) reviewPageRoutes() []route {
	return []route{
		{"GET", "/reviews", s.reviewsPage, signedIn},
		{"GET", "/reviews/{id}", s.reviewPage, signedIn},
		{"POST", "/reviews/{id}/self", s.postSelf, signedIn},
		{"POST", "/reviews/{id}/manager", s.postManager, signedIn},
		{"POST", "/reviews/{id}/calibrate", s.postCalibrate, signedIn},
		{"POST", "/reviews/{id}/release", s.postRelease, signedIn},
		{"POST", "/reviews/{id}/acknowledge", s.postAcknowledge, signedIn},
		{"GET", "/review-templates", s.reviewTemplatesPage, signedIn},
		{"POST", "/review-templates", s.postReviewTemplate, signedIn},
		{"GET", "/review-templates/{id}", s.reviewTemplatesPage, signedIn},
		{"POST", "/review-templates/{id}", s.postReviewTemplate, signedIn},
		{"GET", "/review-cycles", s.cyclesPage, signedIn},
		{"POST", "/review-cycles", s.postCycle, signedIn},
		{"GET", "/review-cycles/{id}", s.cyclePage, signedIn},
		{"POST", "/review-cycles/{id}/open", s.postOpenCycle, signedIn},
		{"GET", "/people/{id}/feedback", s.developmentNotesPage, signedIn},
		{"POST", "/people/{id}/feedback", s.postFeedback, signedIn},
		{"POST", "/people/{id}/plans", s.postPlan, signedIn},
		{"GET", "/improvement-plans/{id}", s.planDetailPage, signedIn},
		{"POST", "/improvement-plans/{id}/checkins", s.postCheckin, signedIn},
		{"POST", "/improvement-plans/{id}/close", s.postClosePlan, signedIn},
	}
}

// reviewsData is the reviews page: the viewer's pending tasks with their
// deadlines, their own reviews and those of their team.
type reviewsData struct {
	Todo, Own, Team []*review.Review
}

func (s *Server) reviewsPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "reviews", "rv.title", func(r *http.Request) (*reviewsData, error) {
		ctx := r.Context()
		d := &reviewsData{}
		for _, x := range []struct {
			mine string
			to   *[]*review.Review
		}{{review.MineTodo, &d.Todo}, {review.MineOwn, &d.Own}, {review.MineTeam, &d.Team}} {
			rs, err := s.Reviews.FindReviews(ctx, review.Filter{Mine: x.mine})
			if err != nil {
				return nil, err
			}
			*x.to = rs
		}
		return d, nil
	})
}

// reviewData is one review with the forms the viewer's task calls for.
type reviewData struct {
	Review   *review.Review
	Template *review.Template
	Form     *form
}

// RatingLabel names rating n of a template's scale in the viewer's language.
func (p *page) RatingLabel(t *review.Template, n int) string {
	if t == nil || n < 1 || n > len(t.Scale) {
		return ""
	}
	if p.Lang == i18n.Chinese {
		return t.Scale[n-1].Zh
	}
	return t.Scale[n-1].En
}

// ReviewStateClass is the badge of a review's state.
func (p *page) ReviewStateClass(state string) string {
	switch state {
	case review.StateReleased, review.StateAcknowledged:
		return "badge-ok"
	case review.StateCalibration:
		return "badge-warn"
	case review.StateDraft:
		return "badge-off"
	}
	return "badge-info"
}

func (s *Server) loadReview(r *http.Request, f *form) (*reviewData, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	rv, err := s.Reviews.FindReviewByID(ctx, id)
	if err != nil {
		return nil, err
	}
	c, err := s.Reviews.FindCycleByID(ctx, rv.CycleID)
	if err != nil {
		return nil, err
	}
	tpl, err := s.Reviews.FindTemplateByID(ctx, c.TemplateID)
	if err != nil {
		return nil, err
	}
	if f == nil {
		f = newForm()
		f.set("version", rv.Version)
		f.set("text", rv.SelfText)
		ratings := rv.SelfRatings
		if rv.Task == review.TaskManager {
			f.set("text", rv.ManagerText)
			f.set("comments", rv.ManagerComments)
			f.set("proposed_rating", rv.ProposedRating)
			f.set("potential", rv.Potential)
			ratings = rv.ManagerRatings
		}
		for code, n := range ratings {
			f.set("r_"+code, n)
		}
		f.set("rating", rv.FinalRating)
	}
	return &reviewData{Review: rv, Template: tpl, Form: f}, nil
}

func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "review", "rv.review_title", func(r *http.Request) (*reviewData, error) { return s.loadReview(r, nil) })
}

// reviewPost runs a form post on a review and redirects back to it, or
// draws the review again with the refusal.
func (s *Server) reviewPost(w http.ResponseWriter, r *http.Request, flash string, do func(ctx context.Context, id int64, f *form) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	if err = do(r.Context(), id, f); err == nil {
		seeOther(w, r, "/reviews/"+itoa(id), flash)
		return nil
	}
	return s.redisplay(r, f, err, reload(s, w, r, "review", "rv.review_title",
		func(r *http.Request) (*reviewData, error) { return s.loadReview(r, f) }, nil))
}

// ratingsOf reads the competency ratings r_<code> of a form.
func ratingsOf(f *form, codes []string) (map[string]int, error) {
	out := map[string]int{}
	for _, c := range codes {
		n, err := f.int("r_" + c)
		if err != nil {
			return nil, echelon.FieldError("ratings", "form.invalid_number")
		}
		if n != 0 {
			out[c] = n
		}
	}
	return out, nil
}

func (s *Server) postSelf(w http.ResponseWriter, r *http.Request) error {
	return s.reviewPost(w, r, "rv.flash.saved", func(ctx context.Context, id int64, f *form) error {
		ratings, err := ratingsOf(f, review.Competencies)
		if err != nil {
			return err
		}
		version, _ := f.int("version")
		_, err = s.Reviews.SaveSelf(ctx, id, review.SelfInput{Text: f.Val("text"), Ratings: ratings, Submit: f.Val("submit") != "", Version: version})
		return err
	})
}

func (s *Server) postManager(w http.ResponseWriter, r *http.Request) error {
	return s.reviewPost(w, r, "rv.flash.saved", func(ctx context.Context, id int64, f *form) error {
		ratings, err := ratingsOf(f, review.Competencies)
		if err != nil {
			return err
		}
		in := review.ManagerInput{Text: f.Val("text"), Comments: f.Val("comments"), Ratings: ratings, Submit: f.Val("submit") != ""}
		if in.ProposedRating, err = f.int("proposed_rating"); err != nil {
			return err
		}
		if in.Potential, err = f.int("potential"); err != nil {
			return err
		}
		in.Version, _ = f.int("version")
		_, err = s.Reviews.SaveManager(ctx, id, in)
		return err
	})
}

func (s *Server) postCalibrate(w http.ResponseWriter, r *http.Request) error {
	return s.reviewPost(w, r, "rv.flash.calibrated", func(ctx context.Context, id int64, f *form) error {
		rating, err := f.int("rating")
		if err != nil {
			return err
		}
		version, _ := f.int("version")
		_, err = s.Reviews.Calibrate(ctx, id, review.CalibrateInput{Rating: rating, Reason: f.Val("reason"), Version: version})
		return err
	})
}

func (s *Server) postRelease(w http.ResponseWriter, r *http.Request) error {
	return s.reviewPost(w, r, "rv.flash.released", func(ctx context.Context, id int64, f *form) error {
		version, _ := f.int("version")
		_, err := s.Reviews.Release(ctx, id, version)
		return err
	})
}

func (s *Server) postAcknowledge(w http.ResponseWriter, r *http.Request) error {
	return s.reviewPost(w, r, "rv.flash.acknowledged", func(ctx context.Context, id int64, f *form) error {
		version, _ := f.int("version")
		_, err := s.Reviews.Acknowledge(ctx, id, review.AcknowledgeInput{Response: f.Val("response"), Version: version})
		return err
	})
}

// cyclesData is the list of cycles with the form that creates one.
type cyclesData struct {
	Cycles    []*review.Cycle
	Templates []*review.Template
	Units     []*org.Unit
	Roles     []echelon.Role
	Form      *form
	CanCreate bool
}

func (s *Server) loadCycles(r *http.Request, f *form) (*cyclesData, error) {
	ctx := r.Context()
	a := echelon.ActorFrom(ctx)
	cycles, err := s.Reviews.FindCycles(ctx)
	if err != nil {
		return nil, err
	}
	d := &cyclesData{Cycles: cycles, CanCreate: a.IsAdmin() || a.Role.IsManager(),
		Roles: []echelon.Role{echelon.RoleSeniorManager, echelon.RoleRegionalManager, echelon.RoleRep}, Form: f}
	if !d.CanCreate {
		return d, nil
	}
	if d.Templates, err = s.Reviews.FindTemplates(ctx); err != nil {
		return nil, err
	}
	units, err := s.Org.FindUnits(ctx, false)
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		if a.IsAdmin() || org.InSubtree(u.Path, a.UnitPath) {
			d.Units = append(d.Units, u)
		}
	}
	if d.Form == nil {
		d.Form = newForm()
		if len(d.Units) > 0 {
			d.Form.set("org_unit_id", d.Units[0].ID)
		}
		for _, role := range []echelon.Role{echelon.RoleRegionalManager, echelon.RoleRep} {
			d.Form.Values.Add("roles", string(role))
		}
	}
	return d, nil
}

// HasRole reports whether the form's roles include role (a checkbox list).
func (f *form) HasRole(role echelon.Role) bool {
	for _, v := range f.Values["roles"] {
		if v == string(role) {
			return true
		}
	}
	return false
}

func (s *Server) cyclesPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "review_cycles", "rv.cycles.title", func(r *http.Request) (*cyclesData, error) { return s.loadCycles(r, nil) })
}

func (s *Server) postCycle(w http.ResponseWriter, r *http.Request) error {
	f := postedForm(r)
	in := review.CycleInput{Name: f.Val("name"), Period: f.Val("period")}
	for _, role := range f.Values["roles"] {
		in.Roles = append(in.Roles, echelon.Role(role))
	}
	var err error
	if in.TemplateID, err = f.id("template_id"); err == nil {
		if in.UnitID, err = f.id("org_unit_id"); err == nil {
			var c *review.Cycle
			if c, err = s.Reviews.CreateCycle(r.Context(), in); err == nil {
				seeOther(w, r, "/review-cycles/"+itoa(c.ID), "rv.flash.cycle_created")
				return nil
			}
		}
	}
	return s.redisplay(r, f, err, reload(s, w, r, "review_cycles", "rv.cycles.title",
		func(r *http.Request) (*cyclesData, error) { return s.loadCycles(r, f) }, nil))
}

// cycleData is a cycle with its reviews and the calibration view.
type cycleData struct {
	Cycle        *review.Cycle
	Reviews      []*review.Review
	Distribution *review.Distribution
	CanRun       bool
	Form         *form
}

// svgBar is one bar of a distribution chart, in the SVG's units.
type svgBar struct {
	X, Y, H    int
	Calibrated bool
	Count      int
}

// The distribution chart: for each rating 1–5 a pair of bars (proposed,
// calibrated) on a baseline, scaled to the region's largest count.
const (
	chartHeight = 100
	chartGroup  = 56
	chartBar    = 20
)

// Bars draws a region's distribution as bars.
func (d *cycleData) Bars(rs review.RegionSpread) []svgBar {
	top := 1
	for i := range review.MaxRating {
		top = max(top, rs.Proposed[i], rs.Calibrated[i])
	}
	var out []svgBar
	for i := range review.MaxRating {
		for j, n := range []int{rs.Proposed[i], rs.Calibrated[i]} {
			h := n * chartHeight / top
			out = append(out, svgBar{X: 8 + i*chartGroup + j*(chartBar+2), Y: chartHeight - h + 4, H: h, Calibrated: j == 1, Count: n})
		}
	}
	return out
}

// Axis is where the rating labels 1–5 sit under the bars.
func (d *cycleData) Axis() []svgBar {
	var out []svgBar
	for i := range review.MaxRating {
		out = append(out, svgBar{X: 8 + i*chartGroup + chartBar, Count: i + 1})
	}
	return out
}

// Spreads are the cycle's regions followed by the total, for the calibration view.
func (d *cycleData) Spreads() []review.RegionSpread {
	return append(slices.Clone(d.Distribution.Regions), d.Distribution.Total)
}

// At is the count of rating n (1–5) in a spread.
func (d *cycleData) At(sp review.Spread, n int) int { return sp[n-1] }

// Ratings are 1–5, for the distribution's table.
func (d *cycleData) Ratings() []int { return []int{1, 2, 3, 4, 5} }

func (s *Server) loadCycle(r *http.Request, f *form) (*cycleData, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	a := echelon.ActorFrom(ctx)
	c, err := s.Reviews.FindCycleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &cycleData{Cycle: c, Form: f, CanRun: a.IsAdmin() || (a.Role.IsManager() && strings.HasPrefix(c.UnitPath, a.UnitPath))}
	if d.Reviews, err = s.Reviews.FindReviews(ctx, review.Filter{CycleID: id}); err != nil {
		return nil, err
	}
	if a.IsAdmin() || a.Role.IsManager() {
		if d.Distribution, err = s.Reviews.Distribution(ctx, id); err != nil {
			return nil, err
		}
	}
	if d.Form == nil {
		d.Form = newForm()
	}
	return d, nil
}

func (s *Server) cyclePage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "review_cycle", "rv.cycle_title", func(r *http.Request) (*cycleData, error) { return s.loadCycle(r, nil) })
}

func (s *Server) postOpenCycle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	version, _ := f.int("version")
	if _, err = s.Reviews.OpenCycle(r.Context(), id, version); err == nil {
		seeOther(w, r, "/review-cycles/"+itoa(id), "rv.flash.cycle_opened")
		return nil
	}
	return s.redisplay(r, f, err, reload(s, w, r, "review_cycle", "rv.cycle_title",
		func(r *http.Request) (*cycleData, error) { return s.loadCycle(r, f) }, nil))
}

// notesData is a person's feedback and improvement plans, with the forms
// to add a note and open a plan (for the people who lead them).
type notesData struct {
	Person   *org.Person
	Feedback []*review.Feedback
	Plans    []*review.Plan
	Reviews  []*review.Review
	CanLead  bool
	Note     *form
	Plan     *form
	// Kinds and Visibilities are the choices of a note.
	Kinds, Visibilities []string
}

func (s *Server) loadNotes(r *http.Request, note, plan *form) (*notesData, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	a := echelon.ActorFrom(ctx)
	p, err := s.Org.FindPersonByID(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &notesData{Person: p, CanLead: (a.IsAdmin() || a.Role.IsManager()) && p.ID != a.PersonID, Note: note, Plan: plan,
		Kinds: []string{review.Praise, review.Development}, Visibilities: []string{review.Private, review.Shared}}
	if d.Feedback, err = s.Reviews.FindFeedback(ctx, id); err != nil {
		return nil, err
	}
	if d.Plans, err = s.Reviews.FindPlans(ctx, id); err != nil {
		return nil, err
	}
	if d.Reviews, err = s.Reviews.FindReviews(ctx, review.Filter{PersonID: id}); err != nil {
		return nil, err
	}
	if d.Note == nil {
		d.Note = newForm()
		d.Note.set("kind", review.Praise)
		d.Note.set("visibility", review.Private)
	}
	if d.Plan == nil {
		d.Plan = newForm()
		d.Plan.set("review_id", r.URL.Query().Get("review"))
	}
	return d, nil
}

func (s *Server) developmentNotesPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "review_feedback", "rv.notes.title", func(r *http.Request) (*notesData, error) { return s.loadNotes(r, nil, nil) })
}

func (s *Server) postFeedback(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	in := review.FeedbackInput{PersonID: id, Kind: f.Val("kind"), Visibility: f.Val("visibility"), Body: f.Val("body")}
	if _, err = s.Reviews.CreateFeedback(r.Context(), in); err == nil {
		seeOther(w, r, "/people/"+itoa(id)+"/feedback", "rv.flash.note_added")
		return nil
	}
	return s.redisplay(r, f, err, reload(s, w, r, "review_feedback", "rv.notes.title",
		func(r *http.Request) (*notesData, error) { return s.loadNotes(r, f, nil) }, nil))
}

// lines splits a text area into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (s *Server) postPlan(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	in := review.PlanInput{PersonID: id, Goals: lines(f.Val("goals")), Checkins: strings.Fields(strings.ReplaceAll(f.Val("checkins"), ",", " "))}
	if in.ReviewID, err = f.id("review_id"); err == nil {
		var p *review.Plan
		if p, err = s.Reviews.OpenPlan(r.Context(), in); err == nil {
			seeOther(w, r, "/improvement-plans/"+itoa(p.ID), "rv.flash.plan_opened")
			return nil
		}
	}
	return s.redisplay(r, f, err, reload(s, w, r, "review_feedback", "rv.notes.title",
		func(r *http.Request) (*notesData, error) { return s.loadNotes(r, nil, f) }, nil))
}

// planDetailData is an improvement plan with its check-in and close forms.
type planDetailData struct {
	Plan     *review.Plan
	Outcomes []string
	CanLead  bool
	Form     *form
}

func (s *Server) loadPlanDetail(r *http.Request, f *form) (*planDetailData, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	a := echelon.ActorFrom(ctx)
	p, err := s.Reviews.FindPlanByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if f == nil {
		f = newForm()
		f.set("outcome", review.Successful)
	}
	return &planDetailData{Plan: p, Outcomes: review.Outcomes, Form: f,
		CanLead: (a.IsAdmin() || a.Role.IsManager()) && p.PersonID != a.PersonID && p.State == review.PlanOpen}, nil
}

func (s *Server) planDetailPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "review_plan", "rv.plan.title", func(r *http.Request) (*planDetailData, error) { return s.loadPlanDetail(r, nil) })
}

// planPost runs a form post on a plan and redirects back to it.
func (s *Server) planPost(w http.ResponseWriter, r *http.Request, flash string, do func(ctx context.Context, id int64, f *form) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	if err = do(r.Context(), id, f); err == nil {
		seeOther(w, r, "/improvement-plans/"+itoa(id), flash)
		return nil
	}
	return s.redisplay(r, f, err, reload(s, w, r, "review_plan", "rv.plan.title",
		func(r *http.Request) (*planDetailData, error) { return s.loadPlanDetail(r, f) }, nil))
}

func (s *Server) postCheckin(w http.ResponseWriter, r *http.Request) error {
	return s.planPost(w, r, "rv.flash.checkin_added", func(ctx context.Context, id int64, f *form) error {
		_, err := s.Reviews.AddCheckin(ctx, id, review.PlanNoteInput{Body: f.Val("body")})
		return err
	})
}

func (s *Server) postClosePlan(w http.ResponseWriter, r *http.Request) error {
	return s.planPost(w, r, "rv.flash.plan_closed", func(ctx context.Context, id int64, f *form) error {
		_, err := s.Reviews.ClosePlan(ctx, id, review.PlanCloseInput{Outcome: f.Val("outcome"), Note: f.Val("note")})
		return err
	})
}

// reviewRows is a table of reviews for the "review-rows" partial.
type reviewRows struct {
	P    *page
	Rows []*review.Review
}

// ReviewRows hands a list of reviews to the "review-rows" partial.
func (p *page) ReviewRows(rows []*review.Review) reviewRows { return reviewRows{p, rows} }

// snapshotView is the scorecard frozen into a review, as the page shows it.
type snapshotView struct {
	Total    float64
	Template string
	Missing  string
	Lines    []struct {
		KPI    string
		Weight int
		Score  float64
	}
}

// Snapshot reads the review's frozen scorecard; nil before the cycle opens.
func (d *reviewData) Snapshot() *snapshotView {
	if len(d.Review.Scorecard) == 0 {
		return nil
	}
	var v snapshotView
	if json.Unmarshal(d.Review.Scorecard, &v) != nil {
		return nil
	}
	return &v
}

// ratingSelect is what the "rating-select" partial renders.
type ratingSelect struct {
	P           *page
	F           *form
	Tpl         *review.Template
	Name, Label string
	Choices     []int
}

// RatingSelect describes a 1–5 rating field with the template's labels.
func (p *page) RatingSelect(f *form, tpl *review.Template, name, labelKey string) ratingSelect {
	return ratingSelect{P: p, F: f, Tpl: tpl, Name: name, Label: labelKey, Choices: []int{1, 2, 3, 4, 5}}
}

// Potentials are the choices of the potential field: low, medium, high.
func (p *page) Potentials() []int {
	return []int{review.PotentialLow, review.PotentialMedium, review.PotentialHigh}
}

// competencyTable is what the "competency-table" partial renders: the
// self and manager ratings side by side, each when there is one to show.
type competencyTable struct {
	P             *page
	Codes         []string
	Self, Manager map[string]int
}

// Competencies describes the ratings table of a review, leaving out the
// ratings the viewer is still editing in a form below.
func (p *page) Competencies(r *review.Review) competencyTable {
	t := competencyTable{P: p, Codes: r.Competencies, Self: r.SelfRatings, Manager: r.ManagerRatings}
	if r.Task == review.TaskSelf {
		t.Self = nil
	}
	if r.Task == review.TaskManager {
		t.Manager = nil
	}
	return t
}

// CycleDone is "done / all" of the reviews the viewer sees in a cycle:
// done means released or acknowledged.
func (p *page) CycleDone(c *review.Cycle) string {
	all := 0
	for _, n := range c.Progress {
		all += n
	}
	return p.T("rv.done_of", c.Progress[review.StateReleased]+c.Progress[review.StateAcknowledged], all)
}

// reviewTemplatesData lists the review templates with the form that
// creates one, or edits Editing; Form is nil for those who may not change them.
type reviewTemplatesData struct {
	Templates    []*review.Template
	Editing      *review.Template
	Form         *form
	Kinds        []string
	Competencies []string
	Ratings      []int
}

func (s *Server) loadReviewTemplates(r *http.Request, f *form) (*reviewTemplatesData, error) {
	ctx := r.Context()
	a := echelon.ActorFrom(ctx)
	tpls, err := s.Reviews.FindTemplates(ctx)
	if err != nil {
		return nil, err
	}
	d := &reviewTemplatesData{Templates: tpls, Kinds: review.Kinds, Competencies: review.Competencies, Ratings: []int{1, 2, 3, 4, 5}}
	if r.PathValue("id") != "" {
		id, err := pathID(r)
		if err != nil {
			return nil, err
		}
		if d.Editing, err = s.Reviews.FindTemplateByID(ctx, id); err != nil {
			return nil, err
		}
	}
	if !(a.IsAdmin() || a.Role == echelon.RoleSeniorManager) {
		return d, nil
	}
	if d.Form = f; f == nil {
		d.Form = newForm()
		t := d.Editing
		if t == nil {
			t = &review.Template{Kind: review.Quarterly, Competencies: review.Competencies, SelfDays: 7, ManagerDays: 7, CalibrationDays: 7}
			if len(tpls) > 0 {
				t.Scale = tpls[0].Scale
			}
		}
		d.Form.set("name", t.Name)
		d.Form.set("kind", t.Kind)
		d.Form.set("version", t.Version)
		d.Form.Values["competencies"] = t.Competencies
		d.Form.set("self_days", t.SelfDays)
		d.Form.set("manager_days", t.ManagerDays)
		d.Form.set("calibration_days", t.CalibrationDays)
		for i, l := range t.Scale {
			d.Form.set(scaleField("zh", i+1), l.Zh)
			d.Form.set(scaleField("en", i+1), l.En)
		}
	}
	return d, nil
}

// scaleField names the form field of one label of the rating scale.
func scaleField(lang string, n int) string { return "scale_" + lang + "_" + itoa(int64(n)) }

// ScaleField names the form field of one label of the rating scale.
func (d *reviewTemplatesData) ScaleField(lang string, n int) string { return scaleField(lang, n) }

// HasCompetency reports whether the form's competencies include code (a checkbox list).
func (f *form) HasCompetency(code string) bool {
	return slices.Contains(f.Values["competencies"], code)
}

func (s *Server) reviewTemplatesPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "review_templates", "rv.tpl.title", func(r *http.Request) (*reviewTemplatesData, error) {
		return s.loadReviewTemplates(r, nil)
	})
}

func (s *Server) postReviewTemplate(w http.ResponseWriter, r *http.Request) error {
	f := postedForm(r)
	in := review.TemplateInput{Name: f.Val("name"), Kind: f.Val("kind"), Competencies: f.Values["competencies"]}
	var err error
	if len(in.Competencies) == 0 { // the API's default (all five) would surprise someone who unticked them all
		err = echelon.FieldError("competencies", "rv.tpl.competencies_required")
	}
	for n := 1; n <= review.MaxRating; n++ {
		in.Scale = append(in.Scale, review.Label{Zh: f.Val(scaleField("zh", n)), En: f.Val(scaleField("en", n))})
	}
	for _, x := range []struct {
		name string
		to   *int
	}{{"self_days", &in.SelfDays}, {"manager_days", &in.ManagerDays}, {"calibration_days", &in.CalibrationDays}, {"version", &in.Version}} {
		if err == nil {
			*x.to, err = f.int(x.name)
		}
	}
	if err == nil {
		var t *review.Template
		if r.PathValue("id") == "" {
			t, err = s.Reviews.CreateTemplate(r.Context(), in)
		} else if id, perr := pathID(r); perr != nil {
			err = perr
		} else {
			t, err = s.Reviews.UpdateTemplate(r.Context(), id, in)
		}
		if err == nil {
			seeOther(w, r, "/review-templates/"+itoa(t.ID), "rv.flash.template_saved")
			return nil
		}
	}
	return s.redisplay(r, f, err, reload(s, w, r, "review_templates", "rv.tpl.title",
		func(r *http.Request) (*reviewTemplatesData, error) { return s.loadReviewTemplates(r, f) }, nil))
}
