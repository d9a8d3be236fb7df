package web

import (
	"net/http"
	"strconv"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/sheet"
)

// maxExportRows bounds one export.
const maxExportRows = 1_000_000

// Exports use the import field names as column headers, so an exported file
// can be edited and imported again. Every row comes from the same scoped
// service call as the list the person sees, with the same filters.

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
		f := crm.ContactFilter{Query: r.URL.Query().Get("q")}
		var err error
		if f.AccountID, err = (crmQuery{r}).id("account_id"); err != nil {
			return nil, err
		}
		return exportPages(crm.ContactFields, func(p crm.Page) ([]*crm.Contact, bool, error) {
			f.Page = p
			return s.CRM.FindContacts(r.Context(), f)
		}, func(c *crm.Contact) []string {
			return []string{c.ExternalID, "", c.AccountName, c.Name, c.Title, c.Phone, c.Mobile, c.Email, c.WeChat}
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
