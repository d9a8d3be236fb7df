package crm_test

import (
	"slices"
	"testing"

	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

// The list searches take % and _ as the characters typed, not as LIKE
// wildcards (any text, any one character).
func TestService_Find_SearchTakesWildcardsLiterally(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		const fifty, alpha = "Save 50% Trading", "Alpha_Beta Trading"
		names := []string{fifty, "Save 500 Trading", alpha, "AlphaXBeta Trading"}
		ctx := as(f.eastRep)
		holder := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Contact Holder"})
		for _, n := range names {
			f.mustAccount(t, f.eastRep, crm.AccountInput{Name: n})
			f.mustContact(t, f.eastRep, crm.ContactInput{AccountID: holder.ID, Name: n})
			f.mustLead(t, f.eastRep, crm.LeadInput{Company: n})
			f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: n, Amount: 1_00})
		}
		lists := []struct {
			name string
			find func(q string) ([]string, error)
		}{
			{"Accounts", func(q string) ([]string, error) {
				found, _, err := f.crm.FindAccounts(ctx, crm.AccountFilter{Query: q})
				return listed(found, err, func(a *crm.Account) string { return a.Name })
			}},
			{"Contacts", func(q string) ([]string, error) {
				found, _, err := f.crm.FindContacts(ctx, crm.ContactFilter{Query: q})
				return listed(found, err, func(c *crm.Contact) string { return c.Name })
			}},
			{"Leads", func(q string) ([]string, error) {
				found, _, err := f.crm.FindLeads(ctx, crm.LeadFilter{Query: q})
				return listed(found, err, func(l *crm.Lead) string { return l.Company })
			}},
			{"Opportunities", func(q string) ([]string, error) {
				found, _, err := f.crm.FindOpportunities(ctx, crm.OpportunityFilter{Query: q})
				return listed(found, err, func(o *crm.Opportunity) string { return o.Name })
			}},
		}
		for _, l := range lists {
			for _, tc := range []struct{ q, want string }{{"%", fifty}, {"_", alpha}, {"Alpha_Beta", alpha}, {"50%", fifty}, {`\`, ""}} {
				if l.name == "Accounts" && tc.q == "50%" {
					continue // an account's name key ignores punctuation: there "50%" is "50", by design
				}
				t.Run(l.name+"/"+tc.q, func(t *testing.T) {
					got, err := l.find(tc.q)
					if err != nil {
						t.Fatalf("search: %v", err)
					}
					var want []string
					if tc.want != "" {
						want = []string{tc.want}
					}
					if !slices.Equal(got, want) {
						t.Errorf("search %q found %q, want %q", tc.q, got, want)
					}
				})
			}
		}
	})
}

// listed returns the names of a list's rows.
func listed[T any](rows []T, err error, name func(T) string) ([]string, error) {
	var out []string
	for _, r := range rows {
		out = append(out, name(r))
	}
	return out, err
}
