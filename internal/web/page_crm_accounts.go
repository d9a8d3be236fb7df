package web

import (
	"net/http"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/org"
)

// accountStatuses are the statuses an account can have, in display order.
var accountStatuses = []string{crm.StatusProspect, crm.StatusCustomer, crm.StatusInactive}

type accountsData struct {
	Accounts    []*crm.Account
	Filter      *form
	Filtered    bool
	Pool        bool // the public pool tab
	Owners      []*org.Person
	Statuses    []string
	Sort        map[string]column
	Pager       pager
	CSV, XLSX   string
	CanClaim    bool
	Alert       string // why a claim failed
	ClaimFailed int64
}

func (s *Server) accountsPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadAccounts(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "crm_accounts", "crm.accounts.title", d)
	return nil
}

func (s *Server) loadAccounts(r *http.Request) (*accountsData, error) {
	if err := requireCRM(r); err != nil {
		return nil, err
	}
	f, err := accountFilter(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	items, more, err := s.CRM.FindAccounts(ctx, f)
	if err != nil {
		return nil, err
	}
	a := echelon.ActorFrom(ctx)
	d := &accountsData{Accounts: items, Pool: f.Pool, Statuses: accountStatuses, CanClaim: sellsFor(a),
		Sort:  sortMap(r.URL, f.Sort, "-updated_at", "name:crm.field.account_name", "last_activity_at:crm.field.last_activity", "updated_at:crm.field.updated"),
		Pager: cursorPager(r.URL, f.Page, len(items), more)}
	d.Filter, d.Filtered = queryForm(r, "q", "status", "industry", "province", "owner_id", "sort")
	d.CSV, d.XLSX = exportLinks(r.URL, "accounts")
	if d.Owners, err = s.ownerChoices(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

type accountFormData struct {
	Form     *form
	Owners   []*org.Person // a manager may give the account to someone, or to a pool
	Units    []*org.Unit   // the pools a manager may put it into
	Statuses []string
}

func (s *Server) newAccountPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.accountChoices(r, newForm())
	if err != nil {
		return err
	}
	a := echelon.ActorFrom(r.Context())
	d.Form.set("status", crm.StatusProspect)
	if a.Role.IsManager() {
		d.Form.set("owner_id", a.PersonID)
	}
	if len(d.Units) > 0 {
		d.Form.set("org_unit_id", d.Units[0].ID)
	}
	s.render(w, r, http.StatusOK, "crm_account_form", "crm.account.new_title", d)
	return nil
}

func (s *Server) accountChoices(r *http.Request, f *form) (*accountFormData, error) {
	if err := requireCRM(r); err != nil {
		return nil, err
	}
	ctx := r.Context()
	d := &accountFormData{Form: f, Statuses: accountStatuses}
	var err error
	if d.Owners, err = s.ownerChoices(ctx); err != nil {
		return nil, err
	}
	if a := echelon.ActorFrom(ctx); a.IsAdmin() || a.Role.IsManager() {
		units, err := s.Org.FindUnits(ctx, false)
		if err != nil {
			return nil, err
		}
		d.Units = placeable(a, units)
	}
	return d, nil
}

func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) error {
	if err := requireCRM(r); err != nil {
		return err
	}
	f := postedForm(r)
	acc, err := s.createAccountFrom(r, f)
	if err != nil {
		status, ok := s.fail(r, f, err)
		if !ok {
			return err
		}
		d, lerr := s.accountChoices(r, f)
		if lerr != nil {
			return lerr
		}
		s.render(w, r, status, "crm_account_form", "crm.account.new_title", d)
		return nil
	}
	seeOther(w, r, "/accounts/"+itoa(acc.ID), "crm.account.created")
	return nil
}

func (s *Server) createAccountFrom(r *http.Request, f *form) (*crm.Account, error) {
	in := crm.AccountInput{
		Name: f.Values.Get("name"), CreditCode: f.Val("credit_code"), Industry: f.Values.Get("industry"), Segment: f.Values.Get("segment"),
		Province: f.Values.Get("province"), City: f.Values.Get("city"), Address: f.Values.Get("address"), Size: f.Values.Get("size"),
		Source: f.Values.Get("source"), Phone: f.Values.Get("phone"), Email: f.Values.Get("email"), Status: f.Val("status"), Tags: f.Values.Get("tags"),
	}
	var err error
	if in.OwnerID, err = f.id("owner_id"); err != nil {
		return nil, err
	}
	if in.OwnerID == 0 {
		if in.UnitID, err = f.id("org_unit_id"); err != nil {
			return nil, err
		}
	}
	return s.CRM.CreateAccount(r.Context(), in)
}

// accountData is the account 360 page: the account, what hangs off it, its
// ownership history and the forms the viewer may use.
type accountData struct {
	Account       *crm.Account
	CanEdit       bool // the account is in the viewer's record scope
	CanClaim      bool
	CanRelease    bool
	CanTransfer   bool
	CanLog        bool
	Form          *form // details
	ContactForm   *form
	ActivityForm  *form
	TransferForm  *form
	ReleaseForm   *form
	Contacts      []*crm.Contact
	MoreContacts  bool
	Opportunities []*crm.Opportunity
	MoreOpps      bool
	Activities    []*crm.Activity
	MoreActivity  bool
	Ownership     []*crm.OwnershipEvent
	Owners        []*org.Person
	Stages        map[int64]*crm.Stage
	Statuses      []string
	Kinds         []string
	Alert         string
}

// PageTitle names the account in the browser tab.
func (d *accountData) PageTitle() string { return d.Account.Name }

// activityKinds are the kinds of activity a person can log.
var activityKinds = []string{"call", "visit", "meeting", "email", "note"}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadAccount(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "crm_account", "crm.account.title", d)
	return nil
}

// loadAccount reads the account of the path, everything its page shows,
// and fresh forms filled with its current values.
func (s *Server) loadAccount(r *http.Request) (*accountData, error) {
	if err := requireCRM(r); err != nil {
		return nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	acc, err := s.CRM.FindAccountByID(ctx, id)
	if err != nil {
		return nil, err
	}
	a := echelon.ActorFrom(ctx)
	edit := org.CanSeeRecord(a, acc.OwnerID, acc.UnitPath)
	d := &accountData{Account: acc, CanEdit: edit, Statuses: accountStatuses, Kinds: activityKinds,
		CanClaim:    acc.InPool() && sellsFor(a),
		CanRelease:  edit && !acc.InPool(),
		CanTransfer: edit && (a.IsAdmin() || a.Role.IsManager()),
		CanLog:      edit && sellsFor(a),
		Form:        accountForm(acc), ContactForm: newForm(), ActivityForm: newActivityForm(), TransferForm: newForm(), ReleaseForm: newForm(),
	}
	if edit {
		page := crm.Page{Limit: 50}
		if d.Contacts, d.MoreContacts, err = s.CRM.FindContacts(ctx, crm.ContactFilter{AccountID: id, Page: page}); err != nil {
			return nil, err
		}
		if d.Opportunities, d.MoreOpps, err = s.CRM.FindOpportunities(ctx, crm.OpportunityFilter{AccountID: id, Page: crm.Page{Limit: 10}}); err != nil {
			return nil, err
		}
		if d.Activities, d.MoreActivity, err = s.CRM.FindActivities(ctx, crm.ActivityFilter{AccountID: id, Page: crm.Page{Limit: 20}}); err != nil {
			return nil, err
		}
		stages, err := s.CRM.FindStages(ctx)
		if err != nil {
			return nil, err
		}
		d.Stages = stageIndex(stages)
	}
	if d.Ownership, err = s.CRM.FindOwnership(ctx, id); err != nil {
		return nil, err
	}
	if d.CanTransfer {
		owners, err := s.ownerChoices(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range owners {
			if p.ID != acc.OwnerID {
				d.Owners = append(d.Owners, p)
			}
		}
	}
	return d, nil
}

// accountForm fills the details form with the account's current values.
func accountForm(a *crm.Account) *form {
	f := newForm()
	for k, v := range map[string]string{
		"name": a.Name, "credit_code": a.CreditCode, "industry": a.Industry, "segment": a.Segment, "province": a.Province,
		"city": a.City, "address": a.Address, "size": a.Size, "source": a.Source, "phone": a.Phone, "email": a.Email,
		"status": a.Status, "tags": a.Tags,
	} {
		f.set(k, v)
	}
	f.set("version", a.Version)
	return f
}

// renderAccount shows the account page again after a failed form, with
// the status the error calls for.
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, d *accountData) {
	s.render(w, r, status, "crm_account", "crm.account.title", d)
}

func (s *Server) updateAccount(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadAccount(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	up, changed, err := accountUpdateFrom(d.Account, f)
	if err == nil && changed {
		_, err = s.CRM.UpdateAccount(r.Context(), d.Account.ID, up)
	}
	if err != nil {
		status, ok := s.fail(r, f, err)
		if !ok {
			return err
		}
		d.Form = f
		s.renderAccount(w, r, status, d)
		return nil
	}
	flash := "crm.account.saved"
	if !changed {
		flash = "form.no_changes"
	}
	seeOther(w, r, "/accounts/"+itoa(d.Account.ID), flash)
	return nil
}

// accountUpdateFrom turns the details form into an update holding only the
// fields that changed; the version is always sent.
func accountUpdateFrom(a *crm.Account, f *form) (crm.AccountUpdate, bool, error) {
	up := crm.AccountUpdate{}
	changed := false
	var err error
	if up.Version, err = f.int("version"); err != nil {
		return up, false, err
	}
	for _, p := range []struct {
		name string
		old  string
		dst  **string
	}{
		{"name", a.Name, &up.Name}, {"credit_code", a.CreditCode, &up.CreditCode}, {"industry", a.Industry, &up.Industry},
		{"segment", a.Segment, &up.Segment}, {"province", a.Province, &up.Province}, {"city", a.City, &up.City},
		{"address", a.Address, &up.Address}, {"size", a.Size, &up.Size}, {"source", a.Source, &up.Source},
		{"phone", a.Phone, &up.Phone}, {"email", a.Email, &up.Email}, {"status", a.Status, &up.Status}, {"tags", a.Tags, &up.Tags},
	} {
		if !f.Values.Has(p.name) {
			continue
		}
		if v := f.Values.Get(p.name); strings.TrimSpace(v) != p.old {
			*p.dst, changed = &v, true
		}
	}
	return up, changed, nil
}

func (s *Server) addContact(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadAccount(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	_, err = s.CRM.CreateContact(r.Context(), crm.ContactInput{
		AccountID: d.Account.ID, Name: f.Values.Get("name"), Title: f.Values.Get("title"), Phone: f.Values.Get("phone"),
		Mobile: f.Values.Get("mobile"), Email: f.Values.Get("email"), WeChat: f.Values.Get("wechat"),
	})
	if err != nil {
		status, ok := s.fail(r, f, err)
		if !ok {
			return err
		}
		d.ContactForm = f
		s.renderAccount(w, r, status, d)
		return nil
	}
	seeOther(w, r, "/accounts/"+itoa(d.Account.ID)+"#contacts", "crm.contact.created")
	return nil
}

func (s *Server) logAccountActivity(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadAccount(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	if err := s.logActivity(r, f, d.Account.ID, 0); err != nil {
		status, ok := s.fail(r, f, err)
		if !ok {
			return err
		}
		d.ActivityForm = f
		s.renderAccount(w, r, status, d)
		return nil
	}
	seeOther(w, r, "/accounts/"+itoa(d.Account.ID)+"#activities", "crm.activity.logged")
	return nil
}

// claimAccount takes a pool account; a refusal (limit, lockout, someone
// was faster) is shown on the page the claim came from.
func (s *Server) claimAccount(w http.ResponseWriter, r *http.Request) error {
	if err := requireCRM(r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.CRM.ClaimAccount(r.Context(), id); err != nil {
		f := newForm()
		status, ok := s.fail(r, f, err)
		if !ok {
			return err
		}
		if r.PostFormValue("from") == "account" {
			d, lerr := s.loadAccount(r)
			if lerr != nil {
				return lerr
			}
			d.Alert = f.Error
			s.renderAccount(w, r, status, d)
			return nil
		}
		r.URL.Path, r.URL.RawQuery = "/accounts", "pool=true"
		d, lerr := s.loadAccounts(r)
		if lerr != nil {
			return lerr
		}
		d.Alert, d.ClaimFailed = f.Error, id
		s.render(w, r, status, "crm_accounts", "crm.accounts.title", d)
		return nil
	}
	seeOther(w, r, "/accounts/"+itoa(id), "crm.account.claimed")
	return nil
}

func (s *Server) releaseAccount(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadAccount(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	if _, err := s.CRM.ReleaseAccount(r.Context(), d.Account.ID, f.Values.Get("reason")); err != nil {
		status, ok := s.fail(r, f, err)
		if !ok {
			return err
		}
		d.ReleaseForm = f
		s.renderAccount(w, r, status, d)
		return nil
	}
	// The owner no longer sees a released account unless it is in their pool.
	if _, err := s.CRM.FindAccountByID(r.Context(), d.Account.ID); err != nil {
		seeOther(w, r, "/accounts", "crm.account.released")
		return nil
	}
	seeOther(w, r, "/accounts/"+itoa(d.Account.ID), "crm.account.released")
	return nil
}

func (s *Server) transferAccount(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadAccount(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	to, err := f.id("owner_id")
	if err == nil && to == 0 {
		err = echelon.FieldError("owner_id", "field.required")
	}
	if err == nil {
		_, err = s.CRM.TransferAccount(r.Context(), d.Account.ID, to, f.Values.Get("reason"))
	}
	if err != nil {
		status, ok := s.fail(r, f, err)
		if !ok {
			return err
		}
		d.TransferForm = f
		s.renderAccount(w, r, status, d)
		return nil
	}
	if _, err := s.CRM.FindAccountByID(r.Context(), d.Account.ID); err != nil {
		seeOther(w, r, "/accounts", "crm.account.transferred")
		return nil
	}
	seeOther(w, r, "/accounts/"+itoa(d.Account.ID), "crm.account.transferred")
	return nil
}
