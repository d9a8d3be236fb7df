package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
)

// crmAPIRoutes is the CRM part of the JSON API.
func (s *Server) crmAPIRoutes() []route {
	return []route{
		{"GET", "/api/v1/accounts", s.apiAccounts, signedIn},
		{"POST", "/api/v1/accounts", s.apiCreateAccount, signedIn},
		{"GET", "/api/v1/accounts/returning", s.apiReturningAccounts, signedIn},
		{"GET", "/api/v1/accounts/{id}", s.apiAccount, signedIn},
		{"PATCH", "/api/v1/accounts/{id}", s.apiUpdateAccount, signedIn},
		{"GET", "/api/v1/accounts/{id}/ownership", s.apiOwnership, signedIn},
		{"POST", "/api/v1/accounts/{id}/claim", s.apiClaimAccount, signedIn},
		{"POST", "/api/v1/accounts/{id}/release", s.apiReleaseAccount, signedIn},
		{"POST", "/api/v1/accounts/{id}/transfer", s.apiTransferAccount, signedIn},
		{"POST", "/api/v1/accounts/{id}/merge", s.apiMergeAccount, signedIn},
		{"GET", "/api/v1/pools", s.apiPoolRules, signedIn},
		{"PUT", "/api/v1/pools/{id}", s.apiSetPoolRule, signedIn},
		{"GET", "/api/v1/contacts", s.apiContacts, signedIn},
		{"POST", "/api/v1/contacts", s.apiCreateContact, signedIn},
		{"GET", "/api/v1/contacts/{id}", s.apiContact, signedIn},
		{"PUT", "/api/v1/contacts/{id}", s.apiUpdateContact, signedIn},
		{"GET", "/api/v1/leads", s.apiLeads, signedIn},
		{"POST", "/api/v1/leads", s.apiCreateLead, signedIn},
		{"GET", "/api/v1/leads/{id}", s.apiLead, signedIn},
		{"PUT", "/api/v1/leads/{id}", s.apiUpdateLead, signedIn},
		{"POST", "/api/v1/leads/{id}/convert", s.apiConvertLead, signedIn},
		{"GET", "/api/v1/products", s.apiProducts, signedIn},
		{"POST", "/api/v1/products", s.apiCreateProduct, signedIn},
		{"PUT", "/api/v1/products/{id}", s.apiUpdateProduct, signedIn},
		{"GET", "/api/v1/stages", s.apiStages, signedIn},
		{"POST", "/api/v1/stages", s.apiCreateStage, signedIn},
		{"PUT", "/api/v1/stages/{id}", s.apiUpdateStage, signedIn},
		{"GET", "/api/v1/opportunities", s.apiOpportunities, signedIn},
		{"POST", "/api/v1/opportunities", s.apiCreateOpportunity, signedIn},
		{"GET", "/api/v1/opportunities/stage-totals", s.apiStageTotals, signedIn},
		{"GET", "/api/v1/opportunities/{id}", s.apiOpportunity, signedIn},
		{"PATCH", "/api/v1/opportunities/{id}", s.apiUpdateOpportunity, signedIn},
		{"GET", "/api/v1/opportunities/{id}/stage-history", s.apiStageHistory, signedIn},
		{"GET", "/api/v1/activities", s.apiActivities, signedIn},
		{"POST", "/api/v1/activities", s.apiCreateActivity, signedIn},
		{"GET", "/api/v1/activities/due", s.apiDueActivities, signedIn},
		{"PUT", "/api/v1/activities/{id}", s.apiUpdateActivity, signedIn},
	}
}

// page is a CRM list envelope: no total on large tables, only whether more rows follow.
type crmPage[T any] struct {
	Items   []T  `json:"items"`
	HasMore bool `json:"has_more"`
	Limit   int  `json:"limit"`
	Offset  int  `json:"offset"`
}

func writePage[T any](w http.ResponseWriter, items []T, more bool, p crm.Page) {
	if items == nil {
		items = []T{}
	}
	writeJSON(w, http.StatusOK, crmPage[T]{Items: items, HasMore: more, Limit: p.Limit, Offset: p.Offset})
}

// crmQuery reads the query parameters shared by CRM lists.
type crmQuery struct{ r *http.Request }

func (q crmQuery) str(name string) string { return q.r.URL.Query().Get(name) }

func (q crmQuery) id(name string) (int64, error) {
	v := q.str(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, badRequest{echelon.FieldError(name, "query.invalid_number", name)}
	}
	return n, nil
}

func (q crmQuery) page() (crm.Page, error) {
	limit, err := queryInt(q.r, "limit")
	if err != nil {
		return crm.Page{}, err
	}
	offset, err := queryInt(q.r, "offset")
	if err != nil {
		return crm.Page{}, err
	}
	if limit == 0 || limit > 200 {
		limit = 50 // as the service clamps it, so the envelope reports the page actually used
	}
	return crm.Page{Limit: limit, Offset: offset}, nil
}

// ids reads several id parameters at once, stopping at the first bad one.
func (q crmQuery) ids(dst map[string]*int64) error {
	for name, p := range dst {
		v, err := q.id(name)
		if err != nil {
			return err
		}
		*p = v
	}
	return nil
}

// time reads an optional RFC 3339 time; absent is the zero time.
func (q crmQuery) time(name string) (time.Time, error) {
	v := q.str(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, badRequest{echelon.FieldError(name, "date.invalid")}
	}
	return t, nil
}

func accountFilter(r *http.Request) (crm.AccountFilter, error) {
	q := crmQuery{r}
	f := crm.AccountFilter{Query: q.str("q"), Status: q.str("status"), Industry: q.str("industry"), Province: q.str("province"),
		Pool: q.str("pool") == "true", Sort: q.str("sort")}
	var err error
	if f.Page, err = q.page(); err != nil {
		return f, err
	}
	return f, q.ids(map[string]*int64{"owner_id": &f.OwnerID, "org_unit_id": &f.UnitID})
}

func (s *Server) apiAccounts(w http.ResponseWriter, r *http.Request) error {
	return findPage(w, r, accountFilter, s.CRM.FindAccounts)
}

// maxWithinDays bounds how far ahead a caller may look for accounts
// returning to the pool.
const maxWithinDays = 366

// apiReturningAccounts lists the owned accounts that return to the pool
// within the given number of days (by default the week "my day" shows).
func (s *Server) apiReturningAccounts(w http.ResponseWriter, r *http.Request) error {
	q := crmQuery{r}
	pg, err := q.page()
	if err != nil {
		return err
	}
	within := returningWithinDays
	if q.str("within") != "" {
		if within, err = queryInt(r, "within"); err != nil {
			return err
		}
		if within > maxWithinDays {
			return badRequest{echelon.FieldError("within", "crm.returning.within_invalid", maxWithinDays)}
		}
	}
	items, more, err := s.CRM.FindReturningAccounts(r.Context(), within, pg)
	if err != nil {
		return err
	}
	writePage(w, items, more, pg)
	return nil
}

func (s *Server) apiAccount(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.CRM.FindAccountByID)
}

func (s *Server) apiCreateAccount(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, func(ctx context.Context, in crm.AccountInput) (*crm.Account, error) {
		a, err := s.CRM.CreateAccount(ctx, in)
		if a != nil {
			s.localiseNotes(r, a.Notes) // how the territories placed it, in the caller's language
		}
		return a, err
	})
}

// localiseNotes fills the message of each note in the caller's language.
func (s *Server) localiseNotes(r *http.Request, notes []*echelon.Error) {
	lang := langFrom(r.Context())
	for _, n := range notes {
		if n != nil {
			n.Message = s.Catalog.T(lang, n.Key, n.Args...)
		}
	}
}

func (s *Server) apiUpdateAccount(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.CRM.UpdateAccount)
}

func (s *Server) apiOwnership(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.CRM.FindOwnership)
}

func (s *Server) apiClaimAccount(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.CRM.ClaimAccount)
}

type ownershipBody struct {
	OwnerID int64  `json:"owner_id,omitempty"`
	Reason  string `json:"reason,omitempty"`
	DropID  int64  `json:"drop_id,omitempty"`
}

func (s *Server) apiReleaseAccount(w http.ResponseWriter, r *http.Request) error {
	return s.ownershipAction(w, r, func(id int64, b ownershipBody) (any, error) {
		return s.CRM.ReleaseAccount(r.Context(), id, b.Reason)
	})
}

func (s *Server) apiTransferAccount(w http.ResponseWriter, r *http.Request) error {
	return s.ownershipAction(w, r, func(id int64, b ownershipBody) (any, error) {
		return s.CRM.TransferAccount(r.Context(), id, b.OwnerID, b.Reason)
	})
}

func (s *Server) apiMergeAccount(w http.ResponseWriter, r *http.Request) error {
	return s.ownershipAction(w, r, func(id int64, b ownershipBody) (any, error) {
		return s.CRM.MergeAccounts(r.Context(), id, b.DropID)
	})
}

func (s *Server) ownershipAction(w http.ResponseWriter, r *http.Request, do func(int64, ownershipBody) (any, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var b ownershipBody
	if err := decodeJSON(w, r, &b); err != nil {
		return err
	}
	out, err := do(id, b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiPoolRules(w http.ResponseWriter, r *http.Request) error {
	return all(w, r, s.CRM.FindPoolRules)
}

func (s *Server) apiSetPoolRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in crm.PoolRule
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	in.UnitID = id
	out, err := s.CRM.SetPoolRule(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func contactFilter(r *http.Request) (crm.ContactFilter, error) {
	q := crmQuery{r}
	f := crm.ContactFilter{Query: q.str("q")}
	var err error
	if f.Page, err = q.page(); err != nil {
		return f, err
	}
	f.AccountID, err = q.id("account_id")
	return f, err
}

func (s *Server) apiContacts(w http.ResponseWriter, r *http.Request) error {
	return findPage(w, r, contactFilter, s.CRM.FindContacts)
}

func (s *Server) apiContact(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.CRM.FindContactByID)
}

func (s *Server) apiCreateContact(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.CRM.CreateContact)
}

func (s *Server) apiUpdateContact(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.CRM.UpdateContact)
}

func leadFilter(r *http.Request) (crm.LeadFilter, error) {
	q := crmQuery{r}
	f := crm.LeadFilter{Query: q.str("q"), Status: q.str("status")}
	var err error
	f.Page, err = q.page()
	return f, err
}

func (s *Server) apiLeads(w http.ResponseWriter, r *http.Request) error {
	return findPage(w, r, leadFilter, s.CRM.FindLeads)
}

func (s *Server) apiLead(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.CRM.FindLeadByID)
}

func (s *Server) apiCreateLead(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.CRM.CreateLead)
}

func (s *Server) apiUpdateLead(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.CRM.UpdateLead)
}

func (s *Server) apiConvertLead(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.CRM.ConvertLead)
}

func (s *Server) apiProducts(w http.ResponseWriter, r *http.Request) error {
	inactive := r.URL.Query().Get("inactive") == "true"
	return all(w, r, func(ctx context.Context) ([]*crm.Product, error) { return s.CRM.FindProducts(ctx, inactive) })
}

func (s *Server) apiCreateProduct(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.CRM.CreateProduct)
}

func (s *Server) apiUpdateProduct(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.CRM.UpdateProduct)
}

func (s *Server) apiStages(w http.ResponseWriter, r *http.Request) error {
	return all(w, r, s.CRM.FindStages)
}

func (s *Server) apiCreateStage(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.CRM.CreateStage)
}

func (s *Server) apiUpdateStage(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.CRM.UpdateStage)
}

func opportunityFilter(r *http.Request) (crm.OpportunityFilter, error) {
	q := crmQuery{r}
	f := crm.OpportunityFilter{Query: q.str("q"), Outcome: q.str("outcome"), ClosingFrom: q.str("closing_from"), ClosingTo: q.str("closing_to"), Sort: q.str("sort")}
	var err error
	if f.Page, err = q.page(); err != nil {
		return f, err
	}
	for name, v := range map[string]string{"closing_from": f.ClosingFrom, "closing_to": f.ClosingTo} {
		if _, err := time.Parse(time.DateOnly, v); v != "" && err != nil {
			return f, badRequest{echelon.FieldError(name, "date.invalid")}
		}
	}
	return f, q.ids(map[string]*int64{"owner_id": &f.OwnerID, "org_unit_id": &f.UnitID, "account_id": &f.AccountID, "stage_id": &f.StageID})
}

func (s *Server) apiOpportunities(w http.ResponseWriter, r *http.Request) error {
	return findPage(w, r, opportunityFilter, s.CRM.FindOpportunities)
}

// apiStageTotals sums the deals of the pipeline per stage and currency,
// with the owner, unit, account and closing dates of the list's filters.
func (s *Server) apiStageTotals(w http.ResponseWriter, r *http.Request) error {
	f, err := opportunityFilter(r)
	if err != nil {
		return err
	}
	return all(w, r, func(ctx context.Context) ([]*crm.StageTotal, error) { return s.CRM.FindStageTotals(ctx, f) })
}

func (s *Server) apiOpportunity(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.CRM.FindOpportunityByID)
}

func (s *Server) apiCreateOpportunity(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.CRM.CreateOpportunity)
}

func (s *Server) apiUpdateOpportunity(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.CRM.UpdateOpportunity)
}

func (s *Server) apiStageHistory(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.CRM.FindStageHistory)
}

func activityFilter(r *http.Request) (crm.ActivityFilter, error) {
	q := crmQuery{r}
	f := crm.ActivityFilter{Kind: q.str("kind")}
	var err error
	if f.Page, err = q.page(); err != nil {
		return f, err
	}
	if err := q.ids(map[string]*int64{"owner_id": &f.OwnerID, "account_id": &f.AccountID, "opportunity_id": &f.OpportunityID}); err != nil {
		return f, err
	}
	if f.From, err = q.time("from"); err != nil {
		return f, err
	}
	f.To, err = q.time("to")
	return f, err
}

func (s *Server) apiActivities(w http.ResponseWriter, r *http.Request) error {
	return findPage(w, r, activityFilter, s.CRM.FindActivities)
}

// apiDueActivities lists the next steps due before a time, by default
// the end of today in the company's zone.
func (s *Server) apiDueActivities(w http.ResponseWriter, r *http.Request) error {
	q := crmQuery{r}
	pg, err := q.page()
	if err != nil {
		return err
	}
	before, err := q.time("before")
	if err != nil {
		return err
	}
	if before.IsZero() {
		before = today().AddDate(0, 0, 1)
	}
	items, more, err := s.CRM.FindDueNextSteps(r.Context(), before, pg)
	if err != nil {
		return err
	}
	writePage(w, items, more, pg)
	return nil
}

func (s *Server) apiCreateActivity(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.CRM.CreateActivity)
}

func (s *Server) apiUpdateActivity(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.CRM.UpdateActivity)
}
