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

// An account is found by any part of its name key, through the key's
// two-character pieces: the pieces must all be there and in one run, a
// rename moves the account to its new name, and a one-character search
// still reads the names.
func TestService_FindAccounts_SearchByPieces(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := as(f.eastRep)
		huaxin := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "杭州华信科技有限公司"})
		f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "华为信达物流有限公司"}) // 华, 信 but not 华信
		f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Apex Harbor Logistics (Suzhou) Co., Ltd."})
		search := func(q string) []string {
			t.Helper()
			found, _, err := f.crm.FindAccounts(ctx, crm.AccountFilter{Query: q, Sort: "name"})
			got, err := listed(found, err, func(a *crm.Account) string { return a.Name })
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			return got
		}
		for q, want := range map[string][]string{
			"华信":               {"杭州华信科技有限公司"},
			"华信科技":             {"杭州华信科技有限公司"},
			"harbor LOGISTICS": {"Apex Harbor Logistics (Suzhou) Co., Ltd."},
			"信":                {"华为信达物流有限公司", "杭州华信科技有限公司"},
			"信华":               nil,
		} {
			if got := search(q); !slices.Equal(got, want) {
				t.Errorf("search %q found %q, want %q", q, got, want)
			}
		}
		name := "杭州远通科技有限公司"
		if _, err := f.crm.UpdateAccount(ctx, huaxin.ID, crm.AccountUpdate{Name: &name, Version: huaxin.Version}); err != nil {
			t.Fatal(err)
		}
		if got := search("华信"); got != nil {
			t.Errorf("after the rename, 华信 found %q", got)
		}
		if got := search("远通"); !slices.Equal(got, []string{name}) {
			t.Errorf("after the rename, 远通 found %q", got)
		}
	})
}
