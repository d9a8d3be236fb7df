package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/i18n"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/survey"
)

// surveyRoutes are the customer satisfaction surveys: the customer's page
// (no sign-in), sending a survey and the list of surveys, and their API.
func (s *Server) surveyRoutes() []route {
	return []route{
		{"GET", "/s/{token}", s.surveyPage, public},
		{"POST", "/s/{token}", s.answerSurvey, public},
		{"GET", "/surveys", s.surveysPage, signedIn},
		{"POST", "/surveys", s.sendSurvey, signedIn},
		{"GET", "/surveys/new", s.newSurveyPage, signedIn},
		{"GET", "/api/v1/surveys", s.apiSurveys, signedIn},
		{"POST", "/api/v1/surveys", s.apiSendSurvey, signedIn},
		{"GET", "/api/v1/surveys/{id}", s.apiSurvey, signedIn},
	}
}

// scores are the choices of the customer's page.
func scores() []int {
	out := make([]int, 0, survey.MaxScore-survey.MinScore+1)
	for n := survey.MinScore; n <= survey.MaxScore; n++ {
		out = append(out, n)
	}
	return out
}

// customerData is the customer's page: the form, the thanks after it, or
// why the link cannot be used. It shows nothing but the names in Survey.
type customerData struct {
	Survey *survey.Public
	Form   *form
	Scores []int
	Done   bool
	Closed string
}

// asCustomer is the request as the customer's page handles it: in the
// survey's language (lang, when known) and without the signed-in person
// anyone opening the link may be, so the page shows no navigation and no
// data of theirs.
func asCustomer(r *http.Request, lang string) *http.Request {
	ctx := echelon.NewContext(r.Context(), nil)
	if lang != "" {
		ctx = context.WithValue(ctx, langKey, lang)
	}
	return r.WithContext(ctx)
}

// renderCustomer draws the customer's page. The link is a secret: the
// page is not cached and not named to other sites.
func (s *Server) renderCustomer(w http.ResponseWriter, r *http.Request, status int, d *customerData) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	lang := ""
	if d.Survey != nil {
		lang = d.Survey.Lang
	}
	s.render(w, asCustomer(r, lang), status, "survey", "survey.title", d)
}

// closedSurvey tells the customer why the link cannot be used (unknown,
// answered, expired), in the language their browser asks for.
func (s *Server) closedSurvey(w http.ResponseWriter, r *http.Request, err error) error {
	var e *echelon.Error
	if !errors.As(err, &e) {
		return err
	}
	s.renderCustomer(w, r, statusOf(e.Code), &customerData{Closed: s.Catalog.T(langFrom(r.Context()), e.Key, e.Args...)})
	return nil
}

func (s *Server) surveyPage(w http.ResponseWriter, r *http.Request) error {
	pub, err := s.Surveys.Open(r.Context(), r.PathValue("token"))
	if err != nil {
		return s.closedSurvey(w, r, err)
	}
	s.renderCustomer(w, r, http.StatusOK, &customerData{Survey: pub, Form: newForm(), Scores: scores()})
	return nil
}

// answerSurvey takes the customer's answer. A score or comment the
// service refuses comes back on the form; a link that can no longer be
// used (answered meanwhile, expired) gets the closed page.
func (s *Server) answerSurvey(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	pub, err := s.Surveys.Open(r.Context(), token)
	if err != nil {
		return s.closedSurvey(w, r, err)
	}
	f := postedForm(r)
	score, err := f.int("score")
	if err == nil {
		_, err = s.Surveys.Answer(r.Context(), token, score, f.Values.Get("comment"))
	}
	d := &customerData{Survey: pub, Form: f, Scores: scores()}
	if echelon.ErrorCode(err) == echelon.EINVALID {
		status, _ := s.fail(asCustomer(r, pub.Lang), f, err)
		s.renderCustomer(w, r, status, d)
		return nil
	}
	if err != nil {
		return s.closedSurvey(w, r, err)
	}
	d.Done = true
	s.renderCustomer(w, r, http.StatusOK, d)
	return nil
}

// surveysData is the list of surveys with its filters.
type surveysData struct {
	Surveys  []*survey.Survey
	Filter   *form
	Filtered bool
	Statuses []string
	Scores   []int
	Owners   []*org.Person
	Sort     map[string]column
	Pager    pager
}

func (s *Server) surveysPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "surveys", "survey.list_title", s.loadSurveys)
}

func (s *Server) loadSurveys(r *http.Request) (*surveysData, error) {
	if err := requireCRM(r); err != nil {
		return nil, err
	}
	f, err := surveyFilter(r)
	if err != nil {
		return nil, err
	}
	items, more, err := s.Surveys.FindSurveys(r.Context(), f)
	if err != nil {
		return nil, err
	}
	d := &surveysData{Surveys: items, Statuses: survey.Statuses(), Scores: scores(),
		Sort:  sortMap(r.URL, f.Sort, "-sent_at", "sent_at:survey.field.sent_at", "answered_at:survey.field.answered_at"),
		Pager: cursorPager(r.URL, crm.Page{Limit: f.Limit, Offset: f.Offset}, len(items), more)}
	d.Filter, d.Filtered = queryForm(r, "status", "score", "person_id", "account_id", "opportunity_id", "sort")
	if d.Owners, err = s.ownerChoices(r.Context()); err != nil {
		return nil, err
	}
	return d, nil
}

// surveySendData is the page that sends a survey about an account or a
// won deal, and then shows its link this once.
type surveySendData struct {
	Form    *form
	Langs   []string
	MaxDays int
	Subject string // the account's or the deal's name
	Back    string // its page
	List    string // the surveys about it
	Sent    *survey.Survey
	Link    string
}

// sendSubject reads which account or deal the send form is about.
func sendSubject(f *form) (account, opportunity int64, err error) {
	if account, err = f.id("account_id"); err != nil {
		return 0, 0, err
	}
	opportunity, err = f.id("opportunity_id")
	return account, opportunity, err
}

// sendChoices loads the deal, or else the account, the form is about, as
// the viewer may see it.
func (s *Server) sendChoices(r *http.Request, f *form, account, opportunity int64) (*surveySendData, error) {
	if err := requireCRM(r); err != nil {
		return nil, err
	}
	d := &surveySendData{Form: f, Langs: i18n.Langs(), MaxDays: survey.MaxValidDays}
	if opportunity != 0 {
		o, err := s.CRM.FindOpportunityByID(r.Context(), opportunity)
		if err != nil {
			return nil, err
		}
		d.Subject, d.Back, d.List = o.Name, "/opportunities/"+itoa(o.ID), "/surveys?opportunity_id="+itoa(o.ID)
		return d, nil
	}
	a, err := s.CRM.FindAccountByID(r.Context(), account)
	if err != nil {
		return nil, err
	}
	d.Subject, d.Back, d.List = a.Name, "/accounts/"+itoa(a.ID), "/surveys?account_id="+itoa(a.ID)
	return d, nil
}

func (s *Server) newSurveyPage(w http.ResponseWriter, r *http.Request) error {
	f, _ := queryForm(r, "account_id", "opportunity_id")
	account, opportunity, err := sendSubject(f)
	if err != nil {
		return err
	}
	d, err := s.sendChoices(r, f, account, opportunity)
	if err != nil {
		return err
	}
	f.set("lang", i18n.Chinese)
	f.set("valid_days", survey.DefaultValidDays)
	s.render(w, r, http.StatusOK, "survey_send", "survey.send_title", d)
	return nil
}

// sendSurvey sends the survey and shows its link on the answer itself
// rather than after a redirect: it is never shown again.
func (s *Server) sendSurvey(w http.ResponseWriter, r *http.Request) error {
	f := postedForm(r)
	in := survey.SendInput{Lang: f.Val("lang")}
	var err error
	if in.AccountID, in.OpportunityID, err = sendSubject(f); err != nil {
		return err
	}
	d, err := s.sendChoices(r, f, in.AccountID, in.OpportunityID)
	if err != nil {
		return err
	}
	var token string
	if in.ValidDays, err = f.int("valid_days"); err == nil {
		d.Sent, token, err = s.Surveys.Send(r.Context(), in)
	}
	if err != nil {
		return s.redisplay(r, f, err, s.again(w, r, "survey_send", "survey.send_title", d))
	}
	d.Link = s.surveyLink(r, token)
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "survey_send", "survey.send_title", d)
	return nil
}
