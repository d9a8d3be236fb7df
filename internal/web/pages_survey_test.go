package web_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/i18n"
)

// The survey pages: the customer's page, reached without signing in, and
// the pages that send surveys and list them.

// customer is a browser that has not signed in, as the customer's is.
func (h *harness) customer() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{h: h, client: &http.Client{Jar: jar}}
}

// sendSurvey sends a survey through the API as who and returns the path of its link and its id.
func (h *harness) sendSurvey(t *testing.T, who, body string) (path string, surveyID int64) {
	t.Helper()
	var sent struct {
		ID   int64
		Link string
	}
	h.callJSON(t, who, "POST", "/api/v1/surveys", body, http.StatusCreated, &sent)
	u, err := url.Parse(sent.Link)
	if err != nil || !strings.HasPrefix(u.Path, "/s/") {
		t.Fatalf("link %q", sent.Link)
	}
	return u.Path, sent.ID
}

// wonDeal creates a won deal of eastRep on their seeded account and returns its id.
func (h *harness) wonDeal(t *testing.T, w crmPageWorld, name string) int64 {
	t.Helper()
	return h.apiCreate(t, "eastRep", "/api/v1/opportunities", map[string]any{"name": name, "account_id": w["eastAccount"], "stage_id": w["won"], "amount": 800000})
}

func TestSurveyPages_TheCustomerAnswersOnceInTheSurveysLanguage(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		w := crmPages(t, h)
		for _, lang := range []string{i18n.Chinese, i18n.English} {
			t.Run(lang, func(t *testing.T) {
				deal := "Packaging line " + lang
				link, surveyID := h.sendSurvey(t, "eastRep", jsonOf(map[string]any{"opportunity_id": h.wonDeal(t, w, deal), "lang": lang}))
				c := h.customer()
				res, body := c.get(link)
				if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("Referrer-Policy") != "no-referrer" {
					t.Fatalf("GET %s: %d, Cache-Control %q, Referrer-Policy %q", link, res.StatusCode, res.Header.Get("Cache-Control"), res.Header.Get("Referrer-Policy"))
				}
				if miss, ok := hasAll(body, `<html lang="`+lang+`"`, msg(t, lang, "survey.heading"), msg(t, lang, "survey.about_deal", pgEastAccount, deal),
					`name="score" value="5"`, msg(t, lang, "survey.submit")); !ok {
					t.Fatalf("the customer's page lacks %q:\n%s", miss, body)
				}
				for _, hidden := range []string{"eastRep", "topbar", pgEastOpp, "8,000", "/accounts/"} {
					if strings.Contains(body, hidden) {
						t.Errorf("the customer's page shows %q", hidden)
					}
				}
				if res, _ := c.post(link, url.Values{"score": {"5"}, "csrf": {"forged"}}); res.StatusCode != http.StatusForbidden {
					t.Errorf("an answer with a forged CSRF token: %d, want 403", res.StatusCode)
				}
				res, body = c.post(link, url.Values{"score": {"9"}, "comment": {"kept"}})
				if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, lang, "survey.score_range", 1, 5)) || !strings.Contains(body, ">kept</textarea>") {
					t.Fatalf("a score of 9: %d, want 422 with the range in %s and the comment kept:\n%s", res.StatusCode, lang, body)
				}
				res, body = c.post(link, url.Values{"score": {"4"}, "comment": {"准时交付 On time"}})
				if res.StatusCode != http.StatusOK || !strings.Contains(body, msg(t, lang, "survey.thanks")) {
					t.Fatalf("the answer: %d, want the thanks in %s:\n%s", res.StatusCode, lang, body)
				}
				var got struct {
					Score   int
					Comment string
					Status  string
				}
				h.apiGet(t, "eastRep", "/api/v1/surveys/"+id(surveyID), &got)
				if got.Score != 4 || got.Comment != "准时交付 On time" || got.Status != "answered" {
					t.Fatalf("stored answer %+v", got)
				}
				shown := i18n.Match("")
				for _, send := range []func() (*http.Response, string){
					func() (*http.Response, string) { return c.get(link) },
					func() (*http.Response, string) { return c.post(link, url.Values{"score": {"1"}}) },
				} {
					if res, body := send(); res.StatusCode != http.StatusConflict || !strings.Contains(body, msg(t, shown, "survey.answered")) {
						t.Fatalf("the link again: %d, want 409 saying it was answered:\n%s", res.StatusCode, body)
					}
				}
				h.apiGet(t, "eastRep", "/api/v1/surveys/"+id(surveyID), &got)
				if got.Score != 4 {
					t.Fatalf("a second answer changed the score to %d", got.Score)
				}
			})
		}
	})
}

func TestSurveyPages_ExpiredAndUnknownLinksAreRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		w := crmPages(t, h)
		link, surveyID := h.sendSurvey(t, "eastRep", jsonOf(map[string]any{"account_id": w["eastAccount"], "valid_days": 1}))
		expire(t, h, surveyID)
		c := h.customer()
		shown := i18n.Match("")
		res, body := c.get(link)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, msg(t, shown, "survey.expired")) || strings.Contains(body, pgEastAccount) {
			t.Fatalf("an expired link: %d, want 409 saying so and nothing more:\n%s", res.StatusCode, body)
		}
		c.get("/login") // the CSRF cookie a form of the site would have set
		if res, body := c.post(link, url.Values{"score": {"5"}}); res.StatusCode != http.StatusConflict || !strings.Contains(body, msg(t, shown, "survey.expired")) {
			t.Fatalf("an answer on an expired link: %d\n%s", res.StatusCode, body)
		}
		for _, bad := range []string{"/s/nothing-here", link + "x"} {
			if res, body := c.get(bad); res.StatusCode != http.StatusNotFound || !strings.Contains(body, msg(t, shown, "survey.link_invalid")) {
				t.Errorf("GET %s: %d, want 404 saying the link is not valid", bad, res.StatusCode)
			}
		}
		var got struct{ Status string }
		h.apiGet(t, "admin", "/api/v1/surveys/"+id(surveyID), &got)
		if got.Status != "expired" {
			t.Fatalf("status %q, want expired", got.Status)
		}
	})
}

// expire moves a survey's expiry into the past.
func expire(t *testing.T, h *harness, surveyID int64) {
	t.Helper()
	ctx := context.Background()
	if err := h.DB.Tx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE surveys SET expires_at = ? WHERE id = ?`, time.Now().Add(-time.Minute).UTC(), surveyID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func TestSurveyPages_ARepSendsFromAWonDealAndSeesTheLinkOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		w := crmPages(t, h)
		won := id(h.wonDeal(t, w, "Eastwind spare parts"))
		b := h.browse("eastRep")
		_, body := b.get("/opportunities/" + won)
		if !strings.Contains(body, `href="/surveys/new?opportunity_id=`+won+`"`) {
			t.Fatal("a won deal's page offers no survey")
		}
		if _, body := b.get("/opportunities/" + w.s("eastOpp")); strings.Contains(body, "/surveys/new") {
			t.Error("an open deal's page offers a survey")
		}
		if _, body := b.get("/accounts/" + w.s("eastAccount")); !strings.Contains(body, `href="/surveys/new?account_id=`+w.s("eastAccount")+`"`) {
			t.Error("the account's page offers no survey")
		}
		res, body := b.get("/surveys/new?opportunity_id=" + won)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, msg(t, i18n.Chinese, "survey.send_about", "Eastwind spare parts")) {
			t.Fatalf("send page: %d\n%s", res.StatusCode, body)
		}
		res, body = b.post("/surveys", url.Values{"opportunity_id": {won}, "lang": {"en"}, "valid_days": {"7"}})
		if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" || !strings.Contains(body, msg(t, i18n.Chinese, "survey.sent")) {
			t.Fatalf("send: %d\n%s", res.StatusCode, body)
		}
		start := strings.Index(body, h.Server.URL+"/s/")
		if start < 0 {
			t.Fatalf("no link on the answer:\n%s", body)
		}
		link := strings.TrimPrefix(body[start:start+strings.Index(body[start:], "<")], h.Server.URL)
		if res, page := h.customer().get(link); res.StatusCode != http.StatusOK || !strings.Contains(page, msg(t, i18n.English, "survey.heading")) {
			t.Fatalf("the link sent: %d\n%s", res.StatusCode, page)
		}
		if _, list := b.get("/surveys"); strings.Contains(list, link) || !strings.Contains(list, "Eastwind spare parts") {
			t.Error("the list shows the link, or not the survey")
		}
		res, body = b.post("/surveys", url.Values{"opportunity_id": {w.s("eastOpp")}, "lang": {"zh-CN"}, "valid_days": {"7"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, i18n.Chinese, "survey.deal_not_won")) {
			t.Fatalf("send about an open deal: %d, want 422 saying it is not won\n%s", res.StatusCode, body)
		}
		res, body = b.post("/surveys", url.Values{"account_id": {w.s("eastAccount")}, "lang": {"zh-CN"}, "valid_days": {"400"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, i18n.Chinese, "survey.valid_days", 1, 90)) {
			t.Fatalf("a link for 400 days: %d\n%s", res.StatusCode, body)
		}
		if res, _ := b.get("/surveys/new?account_id=" + w.s("westAccount")); res.StatusCode != http.StatusNotFound {
			t.Errorf("the send page of another rep's account: %d, want 404", res.StatusCode)
		}
	})
}

func TestSurveyPages_TheListShowsEachRoleItsScope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		w := crmPages(t, h)
		h.sendSurvey(t, "eastRep", jsonOf(map[string]any{"account_id": w["eastAccount"]}))
		h.sendSurvey(t, "westRep", jsonOf(map[string]any{"account_id": w["westAccount"]}))
		h.runPages(t, []pageCase{
			{who: "admin", path: "/surveys", status: 200, has: []string{pgEastAccount, pgWestAccount, `href="/surveys"`}},
			{who: "eastMgr", path: "/surveys", status: 200, has: []string{pgEastAccount, msg(t, i18n.Chinese, "survey.status.pending")}, not: []string{pgWestAccount}},
			{who: "eastMgr", path: "/surveys?status=answered", status: 200, has: []string{msg(t, i18n.Chinese, "survey.none_match")}, not: []string{pgEastAccount}},
			{who: "eastRep", path: "/surveys", status: 200, has: []string{pgEastAccount}, not: []string{pgWestAccount}},
			{who: "westRep", path: "/surveys", status: 200, has: []string{pgWestAccount}, not: []string{pgEastAccount}},
			{who: "westRep", path: "/surveys?status=lost", status: 400},
			{who: "mkt", path: "/surveys", status: 403, not: []string{pgEastAccount, pgWestAccount}},
		})
	})
}
