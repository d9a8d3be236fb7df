package web

import "net/http"

// territoryAPIRoutes are the territory endpoints.
func (s *Server) territoryAPIRoutes() []route {
	return []route{
		{"GET", "/api/v1/territories", s.apiTerritories, signedIn},
		{"POST", "/api/v1/territories", s.apiCreateTerritory, signedIn},
		{"PUT", "/api/v1/territories/{id}", s.apiUpdateTerritory, signedIn},
	}
}

func (s *Server) apiTerritories(w http.ResponseWriter, r *http.Request) error {
	return all(w, r, s.CRM.FindTerritories)
}

func (s *Server) apiCreateTerritory(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.CRM.CreateTerritory)
}

func (s *Server) apiUpdateTerritory(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.CRM.UpdateTerritory)
}
