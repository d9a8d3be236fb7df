package survey_test

import (
	"strings"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/survey"
	"github.com/echelonhq/echelon/internal/testorg"
)

func TestService_SendFollowsTheSendersScope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		acc := func(a *crm.Account) survey.SendInput { return survey.SendInput{AccountID: a.ID} }
		deal := func(o *crm.Opportunity) survey.SendInput { return survey.SendInput{OpportunityID: o.ID} }
		for _, c := range []struct {
			name string
			who  *org.Person
			in   survey.SendInput
			code string // "" when allowed
			key  string
		}{
			{"admin sends for any account", f.Admin, acc(f.westAcc), "", ""},
			{"admin sends for any won deal", f.Admin, deal(f.eastWon), "", ""},
			{"the senior manager sends for a West deal", f.Senior, deal(f.westWon), "", ""},
			{"the senior manager sends for an East account", f.Senior, acc(f.eastAcc2), "", ""},
			{"the East's manager sends for their rep's deal", f.EastMgr, deal(f.eastWon), "", ""},
			{"the East's manager sends for their rep's account", f.EastMgr, acc(f.eastAcc), "", ""},
			{"the East's manager cannot reach a West deal", f.EastMgr, deal(f.westWon), echelon.EINVALID, "opportunity.not_found"},
			{"the East's manager cannot reach a West account", f.EastMgr, acc(f.westAcc), echelon.EINVALID, "account.not_found"},
			{"the West's manager sends for the West deal", f.WestMgr, deal(f.westWon), "", ""},
			{"the West's manager cannot reach an East account", f.WestMgr, acc(f.eastAcc), echelon.EINVALID, "account.not_found"},
			{"a rep sends for their own won deal", f.EastRep, deal(f.eastWon), "", ""},
			{"a rep sends for their own account", f.EastRep, acc(f.eastAcc), "", ""},
			{"a rep cannot reach a teammate's account", f.EastRep, acc(f.eastAcc2), echelon.EINVALID, "account.not_found"},
			{"another rep cannot reach the rep's deal", f.EastRep2, deal(f.eastWon), echelon.EINVALID, "opportunity.not_found"},
			{"another rep sends for their own account", f.EastRep2, acc(f.eastAcc2), "", ""},
			{"a rep cannot reach another region's account", f.WestRep, acc(f.eastAcc), echelon.EINVALID, "account.not_found"},
			{"marketing sends no survey", f.Marketing, acc(f.eastAcc), echelon.EFORBIDDEN, "perm.forbidden"},
		} {
			t.Run(c.name, func(t *testing.T) {
				unchanged := f.untouched(t)
				sv, token, err := f.survey.Send(testorg.As(c.who), c.in)
				if c.code != "" {
					wantErr(t, err, c.code, c.key, map[string]string{"account.not_found": "account_id", "opportunity.not_found": "opportunity_id"}[c.key])
					unchanged()
					return
				}
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if len(token) < 40 || sv.Status != survey.StatusPending || sv.SentByID != c.who.ID {
					t.Fatalf("token %q, status %s, sent by %d; want a long token, pending, sent by %d", token, sv.Status, sv.SentByID, c.who.ID)
				}
				if es := f.entries(t, sv.ID, "send"); len(es) != 1 || es[0].ActorName != c.who.Name || strings.Contains(string(es[0].After), token) {
					t.Fatalf("audit of the send: %+v; want one entry by %s without the token", es, c.who.Name)
				}
			})
		}
	})
}

func TestService_TheAnswerCountsForTheOwnerWhenItWasSent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		byDeal, _ := f.send(t, f.Senior, survey.SendInput{OpportunityID: f.eastWon.ID, Lang: "en", ValidDays: 7})
		if byDeal.PersonID != f.EastRep.ID || byDeal.UnitID != f.EastA.ID || byDeal.AccountID != f.eastAcc.ID || byDeal.Lang != "en" {
			t.Fatalf("deal survey counts for person %d unit %d account %d lang %s; want eastRep, East-A, the deal's account, en",
				byDeal.PersonID, byDeal.UnitID, byDeal.AccountID, byDeal.Lang)
		}
		if got := byDeal.ExpiresAt.Sub(byDeal.SentAt); got.Hours() != 7*24 {
			t.Fatalf("the link works for %v, want 7 days", got)
		}
		byAccount, _ := f.send(t, f.EastMgr, survey.SendInput{AccountID: f.eastAcc2.ID})
		if byAccount.PersonID != f.EastRep2.ID || byAccount.UnitID != f.EastA.ID || byAccount.OpportunityID != 0 || byAccount.Lang != "zh-CN" {
			t.Fatalf("account survey counts for person %d unit %d, lang %s; want eastRep2, East-A, zh-CN", byAccount.PersonID, byAccount.UnitID, byAccount.Lang)
		}
		if got := byAccount.ExpiresAt.Sub(byAccount.SentAt); got.Hours() != survey.DefaultValidDays*24 {
			t.Fatalf("the link works for %v, want the default", got)
		}
		// The deal changes hands afterwards: the survey still counts for eastRep.
		if _, err := f.crm.UpdateOpportunity(testorg.As(f.Senior), f.eastWon.ID, crm.OpportunityUpdate{OwnerID: &f.WestRep.ID, Version: f.eastWon.Version}); err != nil {
			t.Fatal(err)
		}
		again, err := f.survey.FindSurveyByID(testorg.System(), byDeal.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.PersonID != f.EastRep.ID || again.UnitID != f.EastA.ID {
			t.Fatalf("after the deal moved the survey counts for %d/%d, want eastRep in East-A", again.PersonID, again.UnitID)
		}
	})
}

func TestService_SendRefusesBadInputAndChangesNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for _, c := range []struct {
			name  string
			who   *org.Person
			in    survey.SendInput
			field string
			key   string
		}{
			{"an open deal is not surveyed", f.EastRep, survey.SendInput{OpportunityID: f.eastOpen.ID}, "opportunity_id", "survey.deal_not_won"},
			{"a lost deal is not surveyed", f.Admin, survey.SendInput{OpportunityID: f.eastLost.ID}, "opportunity_id", "survey.deal_not_won"},
			{"a pool account has nobody to count for", f.EastMgr, survey.SendInput{AccountID: f.eastPool.ID}, "account_id", "survey.account_unowned"},
			{"a rep does not see the pool account as theirs", f.EastRep, survey.SendInput{AccountID: f.eastPool.ID}, "account_id", "account.not_found"},
			{"an unknown account", f.Admin, survey.SendInput{AccountID: 999999}, "account_id", "account.not_found"},
			{"an unknown deal", f.Admin, survey.SendInput{OpportunityID: 999999}, "opportunity_id", "opportunity.not_found"},
			{"neither an account nor a deal", f.EastRep, survey.SendInput{}, "account_id", "survey.subject"},
			{"both an account and a deal", f.EastRep, survey.SendInput{AccountID: f.eastAcc.ID, OpportunityID: f.eastWon.ID}, "account_id", "survey.subject"},
			{"a language the customer page does not speak", f.EastRep, survey.SendInput{AccountID: f.eastAcc.ID, Lang: "fr"}, "lang", "survey.lang_invalid"},
			{"a link for longer than allowed", f.EastRep, survey.SendInput{AccountID: f.eastAcc.ID, ValidDays: survey.MaxValidDays + 1}, "valid_days", "survey.valid_days"},
			{"a link for less than a day", f.EastRep, survey.SendInput{AccountID: f.eastAcc.ID, ValidDays: -1}, "valid_days", "survey.valid_days"},
		} {
			t.Run(c.name, func(t *testing.T) {
				unchanged := f.untouched(t)
				_, _, err := f.survey.Send(testorg.As(c.who), c.in)
				wantErr(t, err, echelon.EINVALID, c.key, c.field)
				unchanged()
			})
		}
		t.Run("nobody signed in", func(t *testing.T) {
			_, _, err := f.survey.Send(t.Context(), survey.SendInput{AccountID: f.eastAcc.ID})
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required", "")
		})
	})
}
