package web

import (
	"net/http"
)

// talentAPIRoutes are the talent grid, succession benches, at-risk list
// and development timeline (PRODUCT.md 2.6).
func (s *Server) talentAPIRoutes() []route {
	return []route{
		{"GET", "/api/v1/talent-grid", s.apiTalentGrid, signedIn},
		{"GET", "/api/v1/succession", s.apiSuccession, signedIn},
		{"POST", "/api/v1/succession/refresh", s.apiRefreshReadiness, signedIn},
		{"GET", "/api/v1/at-risk", s.apiAtRisk, signedIn},
		{"GET", "/api/v1/people/{id}/development", s.apiDevelopment, signedIn},
	}
}

// unitParam reads ?org_unit_id= (0 when absent: the reader's own unit).
func unitParam(r *http.Request) (int64, error) {
	return crmQuery{r}.id("org_unit_id")
}

func (s *Server) apiTalentGrid(w http.ResponseWriter, r *http.Request) error {
	unit, err := unitParam(r)
	if err != nil {
		return err
	}
	g, err := s.Talent.Grid(r.Context(), unit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

func (s *Server) apiSuccession(w http.ResponseWriter, r *http.Request) error {
	unit, err := unitParam(r)
	if err != nil {
		return err
	}
	sc, err := s.Talent.Succession(r.Context(), unit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sc)
	return nil
}

func (s *Server) apiRefreshReadiness(w http.ResponseWriter, r *http.Request) error {
	unit, err := unitParam(r)
	if err != nil {
		return err
	}
	done, err := s.Talent.Refresh(r.Context(), unit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, done)
	return nil
}

func (s *Server) apiAtRisk(w http.ResponseWriter, r *http.Request) error {
	unit, err := unitParam(r)
	if err != nil {
		return err
	}
	list, err := s.Talent.AtRisk(r.Context(), unit, r.URL.Query().Get("currency"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) apiDevelopment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	dev, err := s.Talent.Development(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, dev)
	return nil
}
