package web

import (
	"net/http"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/survey"
)

// sentSurvey is a survey just sent, with its link: the only time the link
// is shown, since only a hash of its token is kept.
type sentSurvey struct {
	*survey.Survey
	Link string `json:"link"`
}

// surveyLink is the address of the customer's page of a survey, on the
// host the sender reached.
func (s *Server) surveyLink(r *http.Request, token string) string {
	scheme := "http"
	if r.TLS != nil || s.SecureCookies {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/s/" + token
}

// surveyFilter reads the survey list's query parameters (shared by page and API).
func surveyFilter(r *http.Request) (survey.Filter, error) {
	q := crmQuery{r}
	f := survey.Filter{Status: q.str("status"), Sort: q.str("sort")}
	if f.Status != "" && !survey.ValidStatus(f.Status) {
		return f, badRequest{echelon.FieldError("status", "survey.status_invalid")}
	}
	pg, err := q.page()
	if err != nil {
		return f, err
	}
	f.Limit, f.Offset = pg.Limit, pg.Offset
	if f.Score, err = queryInt(r, "score"); err != nil {
		return f, err
	}
	if f.Score > survey.MaxScore {
		return f, badRequest{echelon.FieldError("score", "survey.score_range", survey.MinScore, survey.MaxScore)}
	}
	return f, q.ids(map[string]*int64{"person_id": &f.PersonID, "org_unit_id": &f.UnitID, "account_id": &f.AccountID,
		"opportunity_id": &f.OpportunityID})
}

func (s *Server) apiSurveys(w http.ResponseWriter, r *http.Request) error {
	return findPage(w, r, surveyFilter, s.Surveys.FindSurveys)
}

func (s *Server) apiSurvey(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Surveys.FindSurveyByID)
}

// apiSendSurvey sends a survey and answers it with its link, which is
// never shown again.
func (s *Server) apiSendSurvey(w http.ResponseWriter, r *http.Request) error {
	var in survey.SendInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	sv, token, err := s.Surveys.Send(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, sentSurvey{Survey: sv, Link: s.surveyLink(r, token)})
	return nil
}
