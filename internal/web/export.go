package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/sheet"
)

// maxExportRows bounds one export.
const maxExportRows = 1_000_000

// Exports use the import field names as column headers, so an exported file
// can be edited and imported again; lists that cannot be imported (leads,
// activities) use the names of their fields. Every row comes from the same
// scoped service call as the list the person sees, with the same filters.

// The columns of the exports that have no import.
var (
	leadExportFields     = []string{"company", "contact_name", "phone", "email", "source", "status", "owner_email", "created_at"}
	activityExportFields = []string{"at", "kind", "subject", "account", "opportunity", "outcome", "next_step", "next_step_at", "owner_email"}
)

// exportTime writes a time in the company's zone with its offset (RFC 3339); nil is empty.
func exportTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(echelon.CompanyZone()).Format(time.RFC3339)
}

func (s *Server) exportTable(r *http.Request, entity string) (t *sheet.Table, err error) {
	owner, ownerErr := s.ownerEmails(r)
	defer func() {
		if err == nil && *ownerErr != nil {
			t, err = nil, *ownerErr
		}
	}()
	switch entity {
	case "accounts":
		f, err := accountFilter(r)
		if err != nil {
			return nil, err
		}
		return exportPages(crm.AccountFields, func(p crm.Page) ([]*crm.Account, bool, error) {
			f.Page = p
			return s.CRM.FindAccounts(r.Context(), f)
		}, func(a *crm.Account) []string {
			return []string{a.ExternalID, a.Name, a.CreditCode, a.Industry, a.Segment, a.Province, a.City, a.Address, a.Size,
				a.Source, a.Phone, a.Email, a.Status, a.Tags, owner(a.OwnerID)}
		})
	case "opportunities":
		f, err := opportunityFilter(r)
		if err != nil {
			return nil, err
		}
		return exportPages(crm.OpportunityFields, func(p crm.Page) ([]*crm.Opportunity, bool, error) {
			f.Page = p
			return s.CRM.FindOpportunities(r.Context(), f)
		}, func(o *crm.Opportunity) []string {
			return []string{o.ExternalID, o.Name, "", o.AccountName, owner(o.OwnerID), echelon.FormatAmount(o.Amount), o.Currency,
				o.StageCode, strconv.Itoa(o.Probability), o.ExpectedClose, o.ClosedOn, o.EngagedOn, o.LostReason, "", ""}
		})
	case "contacts":
		f, err := contactFilter(r)
		if err != nil {
			return nil, err
		}
		return exportPages(crm.ContactFields, func(p crm.Page) ([]*crm.Contact, bool, error) {
			f.Page = p
			return s.CRM.FindContacts(r.Context(), f)
		}, func(c *crm.Contact) []string {
			return []string{c.ExternalID, "", c.AccountName, c.Name, c.Title, c.Phone, c.Mobile, c.Email, c.WeChat}
		})
	case "leads":
		f, err := leadFilter(r)
		if err != nil {
			return nil, err
		}
		return exportPages(leadExportFields, func(p crm.Page) ([]*crm.Lead, bool, error) {
			f.Page = p
			return s.CRM.FindLeads(r.Context(), f)
		}, func(l *crm.Lead) []string {
			return []string{l.Company, l.ContactName, l.Phone, l.Email, l.Source, l.Status, owner(l.OwnerID), exportTime(&l.CreatedAt)}
		})
	case "activities":
		f, err := activityFilter(r)
		if err != nil {
			return nil, err
		}
		return exportPages(activityExportFields, func(p crm.Page) ([]*crm.Activity, bool, error) {
			f.Page = p
			return s.CRM.FindActivities(r.Context(), f)
		}, func(x *crm.Activity) []string {
			return []string{exportTime(&x.At), x.Kind, x.Subject, x.AccountName, x.OpportunityName, x.Outcome, x.NextStep,
				exportTime(x.NextStepAt), owner(x.OwnerID)}
		})
	case "products":
		inactive := r.URL.Query().Get("inactive") == "true"
		return exportPages(crm.ProductFields, func(crm.Page) ([]*crm.Product, bool, error) {
			items, err := s.CRM.FindProducts(r.Context(), inactive) // the whole catalogue is one page
			return items, false, err
		}, func(p *crm.Product) []string {
			return []string{p.Code, p.Name, p.Series, echelon.FormatAmount(p.ListPrice), p.Currency, strconv.FormatBool(p.Active)}
		})
	case "people":
		f, err := personFilter(r)
		if err != nil {
			return nil, err
		}
		return exportPages(org.PersonFields, func(p crm.Page) ([]*org.Person, bool, error) {
			f.Limit, f.Offset = p.Limit, p.Offset
			people, total, err := s.Org.FindPeople(r.Context(), f)
			return people, p.Offset+len(people) < total, err
		}, func(p *org.Person) []string {
			return []string{p.Email, p.Name, p.Phone, string(p.Role), p.UnitName, "", p.LevelCode, p.HireDate, ""}
		})
	}
	return nil, echelon.Errorf(echelon.ENOTFOUND, "export.entity_unknown")
}

// ownerEmails returns a lookup of the e-mail of a record's owner, which the
// owner_email column holds (the import matches owners by e-mail, not name).
// It reads the person as the caller, so an owner outside their scope, or
// none, stays empty; the first other failure is kept in *failed.
func (s *Server) ownerEmails(r *http.Request) (lookup func(id int64) string, failed *error) {
	seen := map[int64]string{}
	failed = new(error)
	return func(id int64) string {
		if id == 0 {
			return ""
		}
		if e, ok := seen[id]; ok {
			return e
		}
		p, err := s.Org.FindPersonByID(r.Context(), id)
		switch {
		case err == nil:
			seen[id] = p.Email
		case echelon.ErrorCode(err) == echelon.ENOTFOUND:
			seen[id] = ""
		case *failed == nil:
			*failed = err
		}
		return seen[id]
	}, failed
}

// exportPages walks a scoped list page by page into a table.
func exportPages[T any](header []string, find func(crm.Page) ([]T, bool, error), row func(T) []string) (*sheet.Table, error) {
	t := &sheet.Table{Header: header}
	for p := (crm.Page{Limit: 200}); p.Offset < maxExportRows; p.Offset += p.Limit {
		items, more, err := find(p)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			t.Rows = append(t.Rows, row(it))
		}
		if !more {
			break
		}
	}
	return t, nil
}
