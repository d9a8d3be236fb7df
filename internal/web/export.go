package web

import (
	"context"
	"fmt"
	"io"
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

// exportRows reads the rows of a list as the actor in ctx, telling
// progress how many it has read so far.
type exportRows func(ctx context.Context, progress func(rows int)) (*sheet.Table, error)

// exportList checks the filters of the request for the list entity and
// returns how to read its rows.
func (s *Server) exportList(r *http.Request, entity string) (exportRows, error) {
	switch entity {
	case "accounts":
		f, err := accountFilter(r)
		if err != nil {
			return nil, err
		}
		return exportPages(s, crm.AccountFields, func(ctx context.Context, p crm.Page) ([]*crm.Account, bool, error) {
			f.Page = p
			return s.CRM.FindAccounts(ctx, f)
		}, func(a *crm.Account, owner func(int64) string) []string {
			return []string{a.ExternalID, a.Name, a.CreditCode, a.Industry, a.Segment, a.Province, a.City, a.Address, a.Size,
				a.Source, a.Phone, a.Email, a.Status, a.Tags, owner(a.OwnerID)}
		}), nil
	case "opportunities":
		f, err := opportunityFilter(r)
		if err != nil {
			return nil, err
		}
		return exportPages(s, crm.OpportunityFields, func(ctx context.Context, p crm.Page) ([]*crm.Opportunity, bool, error) {
			f.Page = p
			return s.CRM.FindOpportunities(ctx, f)
		}, func(o *crm.Opportunity, owner func(int64) string) []string {
			return []string{o.ExternalID, o.Name, "", o.AccountName, owner(o.OwnerID), echelon.FormatAmount(o.Amount), o.Currency,
				o.StageCode, strconv.Itoa(o.Probability), o.ExpectedClose, o.ClosedOn, o.EngagedOn, o.LostReason, "", ""}
		}), nil
	case "contacts":
		f, err := contactFilter(r)
		if err != nil {
			return nil, err
		}
		return exportPages(s, crm.ContactFields, func(ctx context.Context, p crm.Page) ([]*crm.Contact, bool, error) {
			f.Page = p
			return s.CRM.FindContacts(ctx, f)
		}, func(c *crm.Contact, _ func(int64) string) []string {
			return []string{c.ExternalID, "", c.AccountName, c.Name, c.Title, c.Phone, c.Mobile, c.Email, c.WeChat}
		}), nil
	case "leads":
		f, err := leadFilter(r)
		if err != nil {
			return nil, err
		}
		return exportPages(s, leadExportFields, func(ctx context.Context, p crm.Page) ([]*crm.Lead, bool, error) {
			f.Page = p
			return s.CRM.FindLeads(ctx, f)
		}, func(l *crm.Lead, owner func(int64) string) []string {
			return []string{l.Company, l.ContactName, l.Phone, l.Email, l.Source, l.Status, owner(l.OwnerID), exportTime(&l.CreatedAt)}
		}), nil
	case "activities":
		f, err := activityFilter(r)
		if err != nil {
			return nil, err
		}
		return exportPages(s, activityExportFields, func(ctx context.Context, p crm.Page) ([]*crm.Activity, bool, error) {
			f.Page = p
			return s.CRM.FindActivities(ctx, f)
		}, func(x *crm.Activity, owner func(int64) string) []string {
			return []string{exportTime(&x.At), x.Kind, x.Subject, x.AccountName, x.OpportunityName, x.Outcome, x.NextStep,
				exportTime(x.NextStepAt), owner(x.OwnerID)}
		}), nil
	case "products":
		inactive := r.URL.Query().Get("inactive") == "true"
		return exportPages(s, crm.ProductFields, func(ctx context.Context, _ crm.Page) ([]*crm.Product, bool, error) {
			items, err := s.CRM.FindProducts(ctx, inactive) // the whole catalogue is one page
			return items, false, err
		}, func(p *crm.Product, _ func(int64) string) []string {
			return []string{p.Code, p.Name, p.Series, echelon.FormatAmount(p.ListPrice), p.Currency, strconv.FormatBool(p.Active)}
		}), nil
	case "people":
		f, err := personFilter(r)
		if err != nil {
			return nil, err
		}
		return exportPages(s, org.PersonFields, func(ctx context.Context, p crm.Page) ([]*org.Person, bool, error) {
			f.Limit, f.Offset = p.Limit, p.Offset
			people, total, err := s.Org.FindPeople(ctx, f)
			return people, p.Offset+len(people) < total, err
		}, func(p *org.Person, _ func(int64) string) []string {
			return []string{p.Email, p.Name, p.Phone, string(p.Role), p.UnitName, "", p.LevelCode, p.HireDate, ""}
		}), nil
	}
	return nil, echelon.Errorf(echelon.ENOTFOUND, "export.entity_unknown")
}

// ownerEmails returns a lookup of the e-mail of a record's owner, which the
// owner_email column holds (the import matches owners by e-mail, not name).
// It reads the person as the actor in ctx, so an owner outside their scope,
// or none, stays empty; the first other failure is kept in *failed.
func (s *Server) ownerEmails(ctx context.Context) (lookup func(id int64) string, failed *error) {
	seen := map[int64]string{}
	failed = new(error)
	return func(id int64) string {
		if id == 0 {
			return ""
		}
		if e, ok := seen[id]; ok {
			return e
		}
		p, err := s.Org.FindPersonByID(ctx, id)
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

// exportPages reads a scoped list page by page into a table; row turns a
// record into its cells, given the lookup of owners' e-mails.
func exportPages[T any](s *Server, header []string, find func(context.Context, crm.Page) ([]T, bool, error),
	row func(item T, owner func(int64) string) []string) exportRows {
	return func(ctx context.Context, progress func(rows int)) (*sheet.Table, error) {
		owner, failed := s.ownerEmails(ctx)
		t := &sheet.Table{Header: header}
		for p := (crm.Page{Limit: 200}); p.Offset < maxExportRows; p.Offset += p.Limit {
			items, more, err := find(ctx, p)
			if err != nil {
				return nil, err
			}
			for _, it := range items {
				t.Rows = append(t.Rows, row(it, owner))
			}
			if *failed != nil {
				return nil, *failed
			}
			progress(len(t.Rows))
			if !more {
				break
			}
		}
		return t, nil
	}
}

// export is the export a request asks for: the list, its file and how to read its rows.
type export struct {
	Entity string
	Format string // csv or xlsx
	Name   string // of the file, entity-YYYYMMDD-HHMM.format in the company's zone
	rows   exportRows
}

// newExport reads the export of the request: the format (csv by default),
// the list in the path and its filters in the query.
func (s *Server) newExport(r *http.Request) (*export, error) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	if format != "csv" && format != "xlsx" {
		return nil, badRequest{echelon.FieldError("format", "export.format_invalid")}
	}
	entity := r.PathValue("entity")
	rows, err := s.exportList(r, entity)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s-%s.%s", entity, time.Now().In(echelon.CompanyZone()).Format("20060102-1504"), format)
	return &export{Entity: entity, Format: format, Name: name, rows: rows}, nil
}

// setHeaders names the file of the answer and its type.
func (x *export) setHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Disposition", `attachment; filename="`+x.Name+`"`)
	if x.Format == "xlsx" {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	} else {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	}
}

// write writes the table in the export's format.
func (x *export) write(w io.Writer, t *sheet.Table) error {
	if x.Format == "xlsx" {
		return sheet.WriteXLSX(w, x.Entity, t.Header, t.Rows)
	}
	return sheet.WriteCSV(w, t.Header, t.Rows)
}
