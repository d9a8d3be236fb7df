package web

import (
	"net/http"
	"unicode/utf8"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/org"
)

// leadStatuses are the statuses of a lead, in display order.
var leadStatuses = []string{crm.LeadNew, crm.LeadWorking, crm.LeadConverted, crm.LeadDisqualified}

type leadsData struct {
	Leads    []*crm.Lead
	Filter   *form
	Filtered bool
	Statuses []string
	Pager    pager
	CSV      string
	XLSX     string
	Form     *form // a new lead
	Owners   []*org.Person
}

func (s *Server) leadsPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadLeads(r)
	if err != nil {
		return err
	}
	if a := echelon.ActorFrom(r.Context()); sellsFor(a) {
		d.Form.set("owner_id", a.PersonID)
	}
	s.render(w, r, http.StatusOK, "crm_leads", "crm.leads.title", d)
	return nil
}

func (s *Server) loadLeads(r *http.Request) (*leadsData, error) {
	if err := requireCRM(r); err != nil {
		return nil, err
	}
	f, err := leadFilter(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	items, more, err := s.CRM.FindLeads(ctx, f)
	if err != nil {
		return nil, err
	}
	d := &leadsData{Leads: items, Statuses: leadStatuses, Pager: cursorPager(r.URL, f.Page, len(items), more), Form: newForm()}
	d.Filter, d.Filtered = queryForm(r, "q", "status")
	d.CSV, d.XLSX = exportLinks(r.URL, "leads")
	if d.Owners, err = s.ownerChoices(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

func (s *Server) createLead(w http.ResponseWriter, r *http.Request) error {
	if err := requireCRM(r); err != nil {
		return err
	}
	f := postedForm(r)
	in := crm.LeadInput{Company: f.Values.Get("company"), ContactName: f.Values.Get("contact_name"), Phone: f.Values.Get("phone"),
		Email: f.Values.Get("email"), Source: f.Values.Get("source")}
	var err error
	if in.OwnerID, err = f.id("owner_id"); err == nil {
		_, err = s.CRM.CreateLead(r.Context(), in)
	}
	if err != nil {
		firstPage := func(r *http.Request) (*leadsData, error) {
			r.URL.RawQuery = ""
			return s.loadLeads(r)
		}
		return s.redisplay(r, f, err, reload(s, w, r, "crm_leads", "crm.leads.title", firstPage, func(d *leadsData) { d.Form = f }))
	}
	seeOther(w, r, "/leads", "crm.lead.created")
	return nil
}

type convertData struct {
	Lead     *crm.Lead
	Form     *form
	Stages   []*crm.Stage
	Statuses []string
	Accounts []*crm.Account // existing accounts the lead may be added to instead
}

// PageTitle names the lead's company in the browser tab.
func (d *convertData) PageTitle() string { return d.Lead.Company }

// The opportunity's fields on the convert form carry an opp_ prefix, and
// the service's errors about them are renamed to land beside them. "name"
// is the account's: the duplicate check names it, and the deal's name is
// checked here before the service sees it.
var convertOppFields = map[string]string{"stage_id": "opp_stage_id", "amount": "opp_amount",
	"expected_close": "opp_expected_close", "currency": "opp_currency"}

func (s *Server) loadConvert(r *http.Request) (*convertData, error) {
	l, err := crmRecord(r, s.CRM.FindLeadByID)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	stages, err := s.CRM.FindStages(ctx)
	if err != nil {
		return nil, err
	}
	d := &convertData{Lead: l, Form: newForm(), Statuses: accountStatuses}
	accounts, _, err := s.CRM.FindAccounts(ctx, crm.AccountFilter{Sort: "name", Page: crm.Page{Limit: maxAccountChoices}})
	if err != nil {
		return nil, err
	}
	for _, a := range accounts {
		if !a.InPool() {
			d.Accounts = append(d.Accounts, a)
		}
	}
	for _, st := range activeStages(stages) {
		if st.Outcome == crm.OutcomeOpen {
			d.Stages = append(d.Stages, st)
		}
	}
	return d, nil
}

func (s *Server) convertLeadPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadConvert(r)
	if err != nil {
		return err
	}
	f, l := d.Form, d.Lead
	f.set("name", l.Company)
	f.set("phone", l.Phone)
	f.set("email", l.Email)
	f.set("source", l.Source)
	f.set("status", crm.StatusProspect)
	f.set("with_opp", true)
	f.set("opp_name", l.Company)
	if len(d.Stages) > 0 {
		f.set("opp_stage_id", d.Stages[0].ID)
	}
	f.set("version", l.Version)
	s.render(w, r, http.StatusOK, "crm_lead_convert", "crm.lead.convert_title", d)
	return nil
}

func (s *Server) convertLead(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadConvert(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	l, err := s.convertLeadFrom(r, d.Lead.ID, f)
	if err != nil {
		d.Form = f
		return s.redisplay(r, f, withField(err, convertOppFields), s.again(w, r, "crm_lead_convert", "crm.lead.convert_title", d))
	}
	if l.ConvertedOpportunityID != 0 {
		seeOther(w, r, "/opportunities/"+itoa(l.ConvertedOpportunityID), "crm.lead.converted")
		return nil
	}
	seeOther(w, r, "/accounts/"+itoa(l.ConvertedAccountID), "crm.lead.converted")
	return nil
}

func (s *Server) convertLeadFrom(r *http.Request, id int64, f *form) (*crm.Lead, error) {
	c := crm.LeadConversion{Account: &crm.AccountInput{
		Name: f.Values.Get("name"), CreditCode: f.Val("credit_code"), Industry: f.Values.Get("industry"), Province: f.Values.Get("province"),
		City: f.Values.Get("city"), Phone: f.Values.Get("phone"), Email: f.Values.Get("email"), Source: f.Values.Get("source"), Status: f.Val("status"),
	}}
	var err error
	if c.Version, err = f.int("version"); err != nil {
		return nil, err
	}
	if c.AccountID, err = f.id("account_id"); err != nil {
		return nil, err
	}
	if c.AccountID != 0 {
		c.Account = nil // the lead joins an account that exists
	}
	if f.Checked("with_opp") {
		o := &crm.OpportunityInput{Name: f.Values.Get("opp_name"), ExpectedClose: f.Val("opp_expected_close")}
		switch n := utf8.RuneCountInString(f.Val("opp_name")); {
		case n == 0:
			return nil, echelon.FieldError("opp_name", "field.required")
		case n > 200:
			return nil, echelon.FieldError("opp_name", "field.too_long", 200)
		}
		if o.StageID, err = f.id("opp_stage_id"); err != nil {
			return nil, withField(err, convertOppFields)
		}
		if o.Amount, _, err = formAmount(f, "opp_amount"); err != nil {
			return nil, err
		}
		c.Opportunity = o
	}
	return s.CRM.ConvertLead(r.Context(), id, c)
}
