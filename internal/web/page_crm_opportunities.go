package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/org"
)

// outcomes are the outcomes of a pipeline stage, in display order.
var outcomes = []string{crm.OutcomeOpen, crm.OutcomeWon, crm.OutcomeLost}

type opportunitiesData struct {
	Opportunities []*crm.Opportunity
	Filter        *form
	Filtered      bool
	Stages        []*crm.Stage
	StageByID     map[int64]*crm.Stage
	Outcomes      []string
	Owners        []*org.Person
	Sort          map[string]column
	Pager         pager
	CSV, XLSX     string
}

func (s *Server) opportunitiesPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireCRM(r); err != nil {
		return err
	}
	f, err := opportunityFilter(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	items, more, err := s.CRM.FindOpportunities(ctx, f)
	if err != nil {
		return err
	}
	stages, err := s.CRM.FindStages(ctx)
	if err != nil {
		return err
	}
	d := &opportunitiesData{Opportunities: items, Stages: stages, StageByID: stageIndex(stages), Outcomes: outcomes,
		Sort: sortMap(r.URL, f.Sort, "-updated_at", "name:crm.field.opportunity_name", "amount:crm.field.amount",
			"expected_close:crm.field.expected_close", "updated_at:crm.field.updated"),
		Pager: cursorPager(r.URL, f.Page, len(items), more)}
	d.Filter, d.Filtered = queryForm(r, "q", "outcome", "stage_id", "owner_id", "account_id", "sort")
	d.CSV, d.XLSX = exportLinks(r.URL, "opportunities")
	if d.Owners, err = s.ownerChoices(ctx); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "crm_opportunities", "crm.opportunities.title", d)
	return nil
}

type opportunityFormData struct {
	Form     *form
	Accounts []*crm.Account
	Stages   []*crm.Stage // open stages a new deal may start in
	Products []*crm.Product
	Owners   []*org.Person
}

// maxAccountChoices bounds the account select of the new-deal form.
const maxAccountChoices = 200

func (s *Server) opportunityChoices(r *http.Request, f *form) (*opportunityFormData, error) {
	if err := requireCRM(r); err != nil {
		return nil, err
	}
	ctx := r.Context()
	a := echelon.ActorFrom(ctx)
	d := &opportunityFormData{Form: f}
	accounts, _, err := s.CRM.FindAccounts(ctx, crm.AccountFilter{Sort: "name", Page: crm.Page{Limit: maxAccountChoices}})
	if err != nil {
		return nil, err
	}
	for _, acc := range accounts {
		if !acc.InPool() || a.IsAdmin() { // a deal is on an account someone owns
			d.Accounts = append(d.Accounts, acc)
		}
	}
	if id, _ := f.id("account_id"); id != 0 && !containsAccount(d.Accounts, id) {
		if acc, err := s.CRM.FindAccountByID(ctx, id); err == nil && (!acc.InPool() || a.IsAdmin()) {
			d.Accounts = append([]*crm.Account{acc}, d.Accounts...)
		}
	}
	stages, err := s.CRM.FindStages(ctx)
	if err != nil {
		return nil, err
	}
	for _, st := range activeStages(stages) {
		if st.Outcome == crm.OutcomeOpen {
			d.Stages = append(d.Stages, st)
		}
	}
	if d.Products, err = s.CRM.FindProducts(ctx, false); err != nil {
		return nil, err
	}
	if d.Owners, err = s.ownerChoices(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

func containsAccount(accounts []*crm.Account, id int64) bool {
	for _, a := range accounts {
		if a.ID == id {
			return true
		}
	}
	return false
}

func (s *Server) newOpportunityPage(w http.ResponseWriter, r *http.Request) error {
	f := newForm()
	if v := r.URL.Query().Get("account_id"); v != "" {
		f.set("account_id", v)
	}
	d, err := s.opportunityChoices(r, f)
	if err != nil {
		return err
	}
	if len(d.Stages) > 0 {
		f.set("stage_id", d.Stages[0].ID)
	}
	f.set("currency", echelon.DefaultCurrency)
	f.set("quantity", 1)
	if a := echelon.ActorFrom(r.Context()); sellsFor(a) {
		f.set("owner_id", a.PersonID)
	}
	s.render(w, r, http.StatusOK, "crm_opportunity_form", "crm.opportunity.new_title", d)
	return nil
}

func (s *Server) createOpportunity(w http.ResponseWriter, r *http.Request) error {
	if err := requireCRM(r); err != nil {
		return err
	}
	f := postedForm(r)
	o, err := s.createOpportunityFrom(r, f)
	if err != nil {
		return s.redisplay(r, f, err, reload(s, w, r, "crm_opportunity_form", "crm.opportunity.new_title",
			func(r *http.Request) (*opportunityFormData, error) { return s.opportunityChoices(r, f) }, nil))
	}
	seeOther(w, r, "/opportunities/"+itoa(o.ID), "crm.opportunity.created")
	return nil
}

func (s *Server) createOpportunityFrom(r *http.Request, f *form) (*crm.Opportunity, error) {
	in := crm.OpportunityInput{Name: f.Values.Get("name"), Currency: f.Val("currency"), ExpectedClose: f.Val("expected_close")}
	var err error
	if in.AccountID, err = f.id("account_id"); err != nil {
		return nil, err
	}
	if in.StageID, err = f.id("stage_id"); err != nil {
		return nil, err
	}
	if in.OwnerID, err = f.id("owner_id"); err != nil {
		return nil, err
	}
	if in.Amount, _, err = formAmount(f, "amount"); err != nil {
		return nil, err
	}
	product, err := f.id("product_id")
	if err != nil || product == 0 {
		return s.CRM.CreateOpportunity(r.Context(), in)
	}
	qty, err := f.int("quantity")
	if err != nil || qty <= 0 {
		return nil, echelon.FieldError("quantity", "line.quantity_invalid")
	}
	products, err := s.CRM.FindProducts(r.Context(), false)
	if err != nil {
		return nil, err
	}
	for _, p := range products {
		if p.ID == product {
			in.Lines = []*crm.LineItem{{ProductID: p.ID, Quantity: int64(qty), UnitPrice: p.ListPrice}}
			if in.Currency == echelon.DefaultCurrency && in.Amount == 0 {
				in.Currency = p.Currency // the total of the line is in the product's currency
			}
		}
	}
	if in.Lines == nil {
		return nil, echelon.FieldError("product_id", "product.not_found")
	}
	return s.CRM.CreateOpportunity(r.Context(), in)
}

// opportunityData is the page of one deal.
type opportunityData struct {
	Opportunity  *crm.Opportunity
	Stage        *crm.Stage
	Stages       []*crm.Stage
	StageByID    map[int64]*crm.Stage
	History      []*crm.StageChange
	Activities   []*crm.Activity
	MoreActivity bool
	ActivityCSV  string // exports of the deal's activities
	ActivityXLSX string
	Form         *form
	ActivityForm *form
	Kinds        []string
	CanLog       bool
	Alert        string
}

// PageTitle names the deal in the browser tab.
func (d *opportunityData) PageTitle() string { return d.Opportunity.Name }

// ActivityAction is where the log-activity form posts.
func (d *opportunityData) ActivityAction() string {
	return "/opportunities/" + itoa(d.Opportunity.ID) + "/activities"
}

func (s *Server) opportunityPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "crm_opportunity", "crm.opportunity.title", s.loadOpportunity)
}

func (s *Server) loadOpportunity(r *http.Request) (*opportunityData, error) {
	o, err := crmRecord(r, s.CRM.FindOpportunityByID)
	if err != nil {
		return nil, err
	}
	ctx, id := r.Context(), o.ID
	stages, err := s.CRM.FindStages(ctx)
	if err != nil {
		return nil, err
	}
	d := &opportunityData{Opportunity: o, StageByID: stageIndex(stages), Stages: activeStages(stages), Kinds: activityKinds,
		Form: opportunityForm(o), ActivityForm: newActivityForm(), CanLog: sellsFor(echelon.ActorFrom(ctx))}
	d.Stage = d.StageByID[o.StageID]
	if d.Stage != nil && !d.Stage.Active {
		d.Stages = append(d.Stages, d.Stage)
	}
	if d.History, err = s.CRM.FindStageHistory(ctx, id); err != nil {
		return nil, err
	}
	if d.Activities, d.MoreActivity, err = s.CRM.FindActivities(ctx, crm.ActivityFilter{OpportunityID: id, Page: crm.Page{Limit: 20}}); err != nil {
		return nil, err
	}
	d.ActivityCSV, d.ActivityXLSX = exportLinks(&url.URL{RawQuery: "opportunity_id=" + itoa(id)}, "activities")
	return d, nil
}

// opportunityForm fills the edit form with the deal's current values.
func opportunityForm(o *crm.Opportunity) *form {
	f := newForm()
	f.set("name", o.Name)
	f.set("stage_id", o.StageID)
	f.set("amount", majorUnits(o.Amount))
	f.set("probability", o.Probability)
	f.set("expected_close", o.ExpectedClose)
	f.set("lost_reason", o.LostReason)
	f.set("version", o.Version)
	return f
}

func (s *Server) updateOpportunity(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadOpportunity(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	up, changed, err := opportunityUpdateFrom(d.Opportunity, f)
	if err == nil && changed {
		_, err = s.CRM.UpdateOpportunity(r.Context(), d.Opportunity.ID, up)
	}
	if err != nil {
		d.Form = f
		return s.redisplay(r, f, err, s.again(w, r, "crm_opportunity", "crm.opportunity.title", d))
	}
	seeOther(w, r, "/opportunities/"+itoa(d.Opportunity.ID), savedFlash(changed, "crm.opportunity.saved"))
	return nil
}

// opportunityUpdateFrom turns the edit form into an update of the fields
// that changed. A new stage without a new probability takes the stage's.
func opportunityUpdateFrom(o *crm.Opportunity, f *form) (crm.OpportunityUpdate, bool, error) {
	up := crm.OpportunityUpdate{}
	changed := false
	var err error
	if up.Version, err = f.int("version"); err != nil {
		return up, false, err
	}
	if v := f.Values.Get("name"); strings.TrimSpace(v) != o.Name {
		up.Name, changed = &v, true
	}
	stage, err := f.id("stage_id")
	if err != nil {
		return up, false, err
	}
	if stage != 0 && stage != o.StageID {
		up.StageID, changed = &stage, true
	}
	amount, set, err := formAmount(f, "amount")
	if err != nil {
		return up, false, err
	}
	if set && amount != o.Amount {
		up.Amount, changed = &amount, true
	}
	if v := f.Val("probability"); v != "" && v != strconv.Itoa(o.Probability) && up.StageID == nil {
		p, err := strconv.Atoi(v)
		if err != nil {
			return up, false, echelon.FieldError("probability", "form.invalid_number")
		}
		up.Probability, changed = &p, true
	}
	if v := f.Val("expected_close"); v != o.ExpectedClose {
		up.ExpectedClose, changed = &v, true
	}
	if v := f.Val("lost_reason"); v != o.LostReason {
		up.LostReason, changed = &v, true
	}
	return up, changed, nil
}

func (s *Server) logOpportunityActivity(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadOpportunity(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	if err := s.logActivity(r, f, 0, d.Opportunity.ID); err != nil {
		d.ActivityForm = f
		return s.redisplay(r, f, err, s.again(w, r, "crm_opportunity", "crm.opportunity.title", d))
	}
	seeOther(w, r, "/opportunities/"+itoa(d.Opportunity.ID)+"#activities", "crm.activity.logged")
	return nil
}

// moveOpportunity is the form behind every card of the pipeline board: it
// moves a deal to another stage with the version the board was drawn
// with, so it works without JavaScript and from the keyboard.
func (s *Server) moveOpportunity(w http.ResponseWriter, r *http.Request) error {
	if err := requireCRM(r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	next := safeNext(f.Val("next"))
	if !strings.HasPrefix(next, "/pipeline") && !strings.HasPrefix(next, "/opportunities/") {
		next = "/pipeline"
	}
	up := crm.OpportunityUpdate{}
	stage, err := f.id("stage_id")
	if err == nil && stage == 0 {
		err = echelon.FieldError("stage_id", "field.required")
	}
	if err == nil {
		up.StageID = &stage
		if up.Version, err = f.int("version"); err == nil {
			if reason := f.Val("lost_reason"); reason != "" {
				up.LostReason = &reason
			}
			_, err = s.CRM.UpdateOpportunity(r.Context(), id, up)
		}
	}
	if err != nil {
		// The refusal is shown above the deal or the board; a field error
		// (there is at most one) stands for the whole form.
		alert := func() string {
			for _, m := range f.Errors {
				return m
			}
			return f.Error
		}
		if strings.HasPrefix(next, "/opportunities/") {
			return s.redisplay(r, f, err, reload(s, w, r, "crm_opportunity", "crm.opportunity.title", s.loadOpportunity,
				func(d *opportunityData) { d.Alert = alert() }))
		}
		board := func(r *http.Request) (*pipelineData, error) {
			if u, err := url.Parse(next); err == nil {
				r.URL.Path, r.URL.RawQuery = u.Path, u.RawQuery // draw the board as it was
			}
			return s.loadPipeline(r)
		}
		return s.redisplay(r, f, err, reload(s, w, r, "crm_pipeline", "crm.pipeline.title", board,
			func(d *pipelineData) { d.Alert, d.Failed, d.FailedForm = alert(), id, f }))
	}
	seeOther(w, r, next, "crm.opportunity.moved")
	return nil
}

// boardColumn is one stage of the pipeline board.
type boardColumn struct {
	Stage  *crm.Stage
	Cards  []*crm.Opportunity // the first maxCards
	Count  int                // deals in the column
	Totals []*crm.StageTotal  // one per currency
	Link   string             // the list of this column's deals
}

// Hidden is how many of the column's deals it does not draw.
func (c *boardColumn) Hidden() int { return max(c.Count-len(c.Cards), 0) }

type pipelineData struct {
	Columns    []*boardColumn
	Stages     []*crm.Stage
	Filter     *form
	Owners     []*org.Person
	Periods    []string
	Next       string // where a card's move form returns to
	Alert      string
	Failed     int64 // the card whose move was refused
	FailedForm *form
}

// maxCards is how many cards a column of the board draws.
const maxCards = 25

// closedPeriods are the choices of how far back the won and lost columns reach, in days.
var closedPeriods = []string{"30", "90", "365", "all"}

func (s *Server) pipelinePage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "crm_pipeline", "crm.pipeline.title", s.loadPipeline)
}

func (s *Server) loadPipeline(r *http.Request) (*pipelineData, error) {
	if err := requireCRM(r); err != nil {
		return nil, err
	}
	ctx := r.Context()
	q := crmQuery{r}
	owner, err := q.id("owner_id")
	if err != nil {
		return nil, err
	}
	period := q.str("closed")
	if period == "" {
		period = "90"
	}
	closedFrom := ""
	if period != "all" {
		days, err := strconv.Atoi(period)
		if err != nil || days <= 0 {
			return nil, badRequest{echelon.FieldError("closed", "query.invalid_number", "closed")}
		}
		closedFrom = time.Now().In(echelon.CompanyZone()).AddDate(0, 0, -days).Format(localDay)
	}
	stages, err := s.CRM.FindStages(ctx)
	if err != nil {
		return nil, err
	}
	d := &pipelineData{Stages: activeStages(stages), Periods: closedPeriods, Next: withQuery(r.URL)}
	d.Filter, _ = queryForm(r, "owner_id")
	d.Filter.set("closed", period)
	// The open columns hold every open deal; the won and lost ones only
	// those closed within the period.
	open, err := s.CRM.FindStageTotals(ctx, crm.OpportunityFilter{OwnerID: owner})
	if err != nil {
		return nil, err
	}
	closed := open
	if closedFrom != "" {
		if closed, err = s.CRM.FindStageTotals(ctx, crm.OpportunityFilter{OwnerID: owner, ClosingFrom: closedFrom}); err != nil {
			return nil, err
		}
	}
	for _, st := range d.Stages {
		f := crm.OpportunityFilter{StageID: st.ID, OwnerID: owner, Sort: "expected_close", Page: crm.Page{Limit: maxCards}}
		totals := open
		if st.Outcome != crm.OutcomeOpen {
			f.ClosingFrom, f.Sort, totals = closedFrom, "-closed_on", closed
		}
		col := &boardColumn{Stage: st}
		if col.Cards, _, err = s.CRM.FindOpportunities(ctx, f); err != nil {
			return nil, err
		}
		for _, t := range totals {
			if t.StageID == st.ID {
				col.Totals = append(col.Totals, t)
				col.Count += t.Count
			}
		}
		link := url.Values{"stage_id": {itoa(st.ID)}}
		if owner != 0 {
			link.Set("owner_id", itoa(owner))
		}
		col.Link = "/opportunities?" + link.Encode()
		d.Columns = append(d.Columns, col)
	}
	if d.Owners, err = s.ownerChoices(ctx); err != nil {
		return nil, err
	}
	return d, nil
}
