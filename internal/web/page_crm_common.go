package web

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/org"
)

// crmPageRoutes are the pages of the CRM: accounts and the public pool,
// opportunities and the pipeline board, leads, the day's work, imports.
func (s *Server) crmPageRoutes() []route {
	return []route{
		{"GET", "/accounts", s.accountsPage, signedIn},
		{"POST", "/accounts", s.createAccount, signedIn},
		{"GET", "/accounts/new", s.newAccountPage, signedIn},
		{"GET", "/accounts/{id}", s.accountPage, signedIn},
		{"POST", "/accounts/{id}", s.updateAccount, signedIn},
		{"POST", "/accounts/{id}/contacts", s.addContact, signedIn},
		{"POST", "/accounts/{id}/activities", s.logAccountActivity, signedIn},
		{"POST", "/accounts/{id}/claim", s.claimAccount, signedIn},
		{"POST", "/accounts/{id}/release", s.releaseAccount, signedIn},
		{"POST", "/accounts/{id}/transfer", s.transferAccount, signedIn},
		{"GET", "/opportunities", s.opportunitiesPage, signedIn},
		{"POST", "/opportunities", s.createOpportunity, signedIn},
		{"GET", "/opportunities/new", s.newOpportunityPage, signedIn},
		{"GET", "/opportunities/{id}", s.opportunityPage, signedIn},
		{"POST", "/opportunities/{id}", s.updateOpportunity, signedIn},
		{"POST", "/opportunities/{id}/stage", s.moveOpportunity, signedIn},
		{"POST", "/opportunities/{id}/activities", s.logOpportunityActivity, signedIn},
		{"GET", "/pipeline", s.pipelinePage, signedIn},
		{"GET", "/my-day", s.myDayPage, signedIn},
		{"GET", "/leads", s.leadsPage, signedIn},
		{"POST", "/leads", s.createLead, signedIn},
		{"GET", "/leads/{id}/convert", s.convertLeadPage, signedIn},
		{"POST", "/leads/{id}/convert", s.convertLead, signedIn},
		{"GET", "/import", s.importPage, signedIn},
		{"POST", "/import", s.importFile, signedIn},
		{"GET", "/import/jobs/{job}", s.importJobPage, signedIn},
		{"POST", "/import/maven", s.importMaven, signedIn},
	}
}

// worksWithCRM reports whether the role works with CRM records at all;
// partner departments do not. The services enforce the same rule (and the
// record scope); the pages refuse early so that such a person sees a clear
// 403 rather than empty lists.
func worksWithCRM(a *echelon.Actor) bool {
	return a != nil && (a.IsAdmin() || a.Role.IsManager() || a.Role == echelon.RoleRep)
}

func requireCRM(r *http.Request) error {
	if !worksWithCRM(echelon.ActorFrom(r.Context())) {
		return echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden")
	}
	return nil
}

// crmRecord reads the CRM record of the path id for someone who works
// with the CRM.
func crmRecord[T any](r *http.Request, find func(context.Context, int64) (T, error)) (T, error) {
	var none T
	if err := requireCRM(r); err != nil {
		return none, err
	}
	id, err := pathID(r)
	if err != nil {
		return none, err
	}
	return find(r.Context(), id)
}

// sellsFor reports whether the actor may own records and log activities
// (reps and managers; an administrator configures, but does not sell).
func sellsFor(a *echelon.Actor) bool { return a.Role == echelon.RoleRep || a.Role.IsManager() }

// Money formats an amount in minor units with its currency: "12,500.00 CNY".
func (p *page) Money(minor int64, currency string) string {
	return echelon.FormatAmount(minor) + " " + currency
}

// Num64 formats a whole number of int64 with thousands separators.
func (p *page) Num64(n int64) string { return p.Num(int(n)) }

// Times multiplies, for a line's total (quantity × unit price).
func (p *page) Times(a, b int64) int64 { return a * b }

// StageName names a pipeline stage in the viewer's language.
func (p *page) StageName(st *crm.Stage) string {
	if st == nil {
		return ""
	}
	return p.Pick(st.NameZh, st.NameEn)
}

// Overdue reports whether a YYYY-MM-DD date lies before today in the company's zone.
func (p *page) Overdue(day string) bool {
	return day != "" && day < time.Now().In(echelon.CompanyZone()).Format(time.DateOnly)
}

// PastDay reports whether t falls on a day before today in the company's zone.
func (p *page) PastDay(t time.Time) bool {
	return t.In(echelon.CompanyZone()).Format(time.DateOnly) < time.Now().In(echelon.CompanyZone()).Format(time.DateOnly)
}

// DaysLeft is the number of days from now until t, rounded up; 0 once t has passed.
func (p *page) DaysLeft(t time.Time) int {
	return max(int(math.Ceil(time.Until(t).Hours()/24)), 0)
}

// cursorPager describes a page of a list that knows only whether more rows
// follow (CRM lists never count a large table).
func cursorPager(u *url.URL, pg crm.Page, count int, more bool) pager {
	p := pager{}
	if count > 0 {
		p.From, p.To = pg.Offset+1, pg.Offset+count
	}
	if pg.Offset > 0 {
		if prev := pg.Offset - pg.Limit; prev <= 0 {
			p.Prev = withQuery(u, "offset", "")
		} else {
			p.Prev = withQuery(u, "offset", strconv.Itoa(prev))
		}
	}
	if more {
		p.Next = withQuery(u, "offset", strconv.Itoa(pg.Offset+pg.Limit))
	}
	return p
}

// sortMap keys the sortable headers of a table by their sort key, so a
// template can place them among headers that do not sort.
func sortMap(u *url.URL, current, def string, keys ...string) map[string]column {
	cols := sortColumns(u, current, def, keys...)
	out := make(map[string]column, len(cols))
	for i, k := range keys {
		name, _, _ := strings.Cut(k, ":")
		out[name] = cols[i]
	}
	return out
}

// exportLinks returns where the CSV and XLSX export buttons of a list
// start an export job with the filters of u (the export itself re-applies
// scope and filters).
func exportLinks(u *url.URL, entity string) (csv, xlsx string) {
	q := u.Query()
	for _, k := range []string{"offset", "limit", "flash"} {
		q.Del(k)
	}
	link := func(format string) string {
		q.Set("format", format)
		return "/export/" + entity + "?" + q.Encode()
	}
	return link("csv"), link("xlsx")
}

// queryForm copies the named query parameters into a form, to refill a
// filter bar; filtered reports whether any of them (but sort) is set.
func queryForm(r *http.Request, names ...string) (f *form, filtered bool) {
	f = newForm()
	for _, k := range names {
		if v := r.URL.Query().Get(k); v != "" {
			f.Values.Set(k, v)
			filtered = filtered || k != "sort"
		}
	}
	return f, filtered
}

// maxOwnerChoices bounds how many people a select of owners offers.
const maxOwnerChoices = 1000

// ownerChoices returns the active reps and managers the viewer may see,
// the people to whom a manager can give an account or a deal. A rep gets
// none: their records are their own.
func (s *Server) ownerChoices(ctx context.Context) ([]*org.Person, error) {
	a := echelon.ActorFrom(ctx)
	if !a.IsAdmin() && !a.Role.IsManager() {
		return nil, nil
	}
	active := true
	var out []*org.Person
	for _, role := range []echelon.Role{echelon.RoleRep, echelon.RoleRegionalManager, echelon.RoleSeniorManager} {
		f := org.PersonFilter{Role: role, Active: &active, Limit: 200}
		for f.Offset < maxOwnerChoices {
			people, total, err := s.Org.FindPeople(ctx, f)
			if err != nil {
				return nil, err
			}
			for _, p := range people {
				if p.UnitID != 0 {
					out = append(out, p)
				}
			}
			f.Offset += len(people)
			if len(people) == 0 || f.Offset >= total {
				break
			}
		}
	}
	return out, nil
}

// stageIndex keys stages by id.
func stageIndex(stages []*crm.Stage) map[int64]*crm.Stage {
	out := make(map[int64]*crm.Stage, len(stages))
	for _, st := range stages {
		out[st.ID] = st
	}
	return out
}

// activeStages keeps the stages still in use, in pipeline order.
func activeStages(stages []*crm.Stage) []*crm.Stage {
	var out []*crm.Stage
	for _, st := range stages {
		if st.Active {
			out = append(out, st)
		}
	}
	return out
}

// formAmount parses an optional amount field in major units; empty is 0.
func formAmount(f *form, name string) (int64, bool, error) {
	v := f.Val(name)
	if v == "" {
		return 0, false, nil
	}
	n, err := echelon.ParseAmount(v)
	if err != nil || n < 0 {
		return 0, false, echelon.FieldError(name, "amount.invalid")
	}
	return n, true, nil
}

// majorUnits writes minor units as the plain decimal an amount input holds.
func majorUnits(minor int64) string {
	return strings.ReplaceAll(echelon.FormatAmount(minor), ",", "")
}

// withField returns a copy of a service error that names another form
// field, for forms that hold two records' fields side by side.
func withField(err error, rename map[string]string) error {
	var e *echelon.Error
	if !errors.As(err, &e) {
		return err
	}
	if to, has := rename[e.Field]; has {
		c := *e
		c.Field = to
		return &c
	}
	return err
}
