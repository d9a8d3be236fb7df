package web

import (
	"net/http"
	"net/url"
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
	return show(s, w, r, "crm_accounts", "crm.accounts.title", s.loadAccounts)
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

// loadPool reads the public pool tab of the account list.
func (s *Server) loadPool(r *http.Request) (*accountsData, error) {
	r.URL.Path, r.URL.RawQuery = "/accounts", "pool=true"
	return s.loadAccounts(r)
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
		return s.redisplay(r, f, err, reload(s, w, r, "crm_account_form", "crm.account.new_title",
			func(r *http.Request) (*accountFormData, error) { return s.accountChoices(r, f) }, nil))
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
	ActivityCSV   string // exports of the account's activities
	ActivityXLSX  string
	Ownership     []*crm.OwnershipEvent
	Owners        []*org.Person
	Stages        map[int64]*crm.Stage
	Statuses      []string
	Kinds         []string
	Alert         string
}

// PageTitle names the account in the browser tab.
func (d *accountData) PageTitle() string { return d.Account.Name }

// ActivityAction is where the log-activity form posts.
func (d *accountData) ActivityAction() string {
	return "/accounts/" + itoa(d.Account.ID) + "/activities"
}

// activityKinds are the kinds of activity a person can log.
var activityKinds = []string{"call", "visit", "meeting", "email", "note"}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "crm_account", "crm.account.title", s.loadAccount)
}

// loadAccount reads the account of the path, everything its page shows,
// and fresh forms filled with its current values.
func (s *Server) loadAccount(r *http.Request) (*accountData, error) {
	acc, err := crmRecord(r, s.CRM.FindAccountByID)
	if err != nil {
		return nil, err
	}
	ctx, id := r.Context(), acc.ID
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
		d.ActivityCSV, d.ActivityXLSX = exportLinks(&url.URL{RawQuery: "account_id=" + itoa(id)}, "activities")
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

// accountAgain draws the account page again after a refused form.
func (s *Server) accountAgain(w http.ResponseWriter, r *http.Request, d *accountData) func(status int) error {
	return s.again(w, r, "crm_account", "crm.account.title", d)
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
		d.Form = f
		return s.redisplay(r, f, err, s.accountAgain(w, r, d))
	}
	seeOther(w, r, "/accounts/"+itoa(d.Account.ID), savedFlash(changed, "crm.account.saved"))
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
		d.ContactForm = f
		return s.redisplay(r, f, err, s.accountAgain(w, r, d))
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
		d.ActivityForm = f
		return s.redisplay(r, f, err, s.accountAgain(w, r, d))
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
		if r.PostFormValue("from") == "account" {
			return s.redisplay(r, f, err, reload(s, w, r, "crm_account", "crm.account.title", s.loadAccount,
				func(d *accountData) { d.Alert = f.Error }))
		}
		return s.redisplay(r, f, err, reload(s, w, r, "crm_accounts", "crm.accounts.title", s.loadPool,
			func(d *accountsData) { d.Alert, d.ClaimFailed = f.Error, id }))
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
		d.ReleaseForm = f
		return s.redisplay(r, f, err, s.accountAgain(w, r, d))
	}
	return s.backToAccount(w, r, d.Account.ID, "crm.account.released")
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
		d.TransferForm = f
		return s.redisplay(r, f, err, s.accountAgain(w, r, d))
	}
	return s.backToAccount(w, r, d.Account.ID, "crm.account.transferred")
}

// backToAccount redirects to the account after a change of owner, or to
// the list when the viewer no longer sees it (a released account is gone
// unless it is in their pool; a transferred one may be out of their scope).
func (s *Server) backToAccount(w http.ResponseWriter, r *http.Request, id int64, flash string) error {
	if _, err := s.CRM.FindAccountByID(r.Context(), id); err != nil {
		seeOther(w, r, "/accounts", flash)
		return nil
	}
	seeOther(w, r, "/accounts/"+itoa(id), flash)
	return nil
}
