package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/org"
)

// apiRoutes is the JSON API under /api/v1. Every handler calls the same
// service methods as the pages; permissions live in the services.
func (s *Server) apiRoutes() []route {
	return []route{
		{"POST", "/api/v1/auth/login", s.apiLogin, public},
		{"POST", "/api/v1/auth/logout", s.apiLogout, signedIn},
		{"GET", "/api/v1/me", s.apiMe, signedIn},
		{"PATCH", "/api/v1/me", s.apiUpdateMe, signedIn},
		{"PUT", "/api/v1/me/password", s.apiSetMyPassword, signedIn},
		{"GET", "/api/v1/me/tokens", s.apiTokens, signedIn},
		{"POST", "/api/v1/me/tokens", s.apiCreateToken, signedIn},
		{"DELETE", "/api/v1/me/tokens/{id}", s.apiRevokeToken, signedIn},
		{"GET", "/api/v1/org-units", s.apiUnits, signedIn},
		{"POST", "/api/v1/org-units", s.apiCreateUnit, signedIn},
		{"GET", "/api/v1/org-units/{id}", s.apiUnit, signedIn},
		{"PATCH", "/api/v1/org-units/{id}", s.apiUpdateUnit, signedIn},
		{"POST", "/api/v1/org-units/{id}/close", s.apiCloseUnit, signedIn},
		{"GET", "/api/v1/people", s.apiPeople, signedIn},
		{"POST", "/api/v1/people", s.apiCreatePerson, signedIn},
		{"GET", "/api/v1/people/{id}", s.apiPerson, signedIn},
		{"PATCH", "/api/v1/people/{id}", s.apiUpdatePerson, signedIn},
		{"PUT", "/api/v1/people/{id}/password", s.apiSetPassword, signedIn},
		{"GET", "/api/v1/levels", s.apiLevels, signedIn},
		{"POST", "/api/v1/levels", s.apiCreateLevel, signedIn},
		{"PUT", "/api/v1/levels/{id}", s.apiUpdateLevel, signedIn},
		{"GET", "/api/v1/roles", s.apiRoles, signedIn},
		{"PUT", "/api/v1/roles/{role}", s.apiUpdateRole, signedIn},
		{"GET", "/api/v1/audit", s.apiAudit, signedIn},
	}
}

type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) error {
	var c credentials
	if err := decodeJSON(w, r, &c); err != nil {
		return err
	}
	token, err := s.Auth.LoginToken(r.Context(), c.Email, c.Password)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": token})
	return nil
}

func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request) error {
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		if err := s.Auth.RevokeBearer(r.Context(), strings.TrimPrefix(h, "Bearer ")); err != nil {
			return err
		}
	} else if err := s.Auth.Logout(r.Context(), cookieValue(r, sessionCookie)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// me is the signed-in person with their role's responsibility statement.
type me struct {
	*org.Person
	Responsibility *org.RoleStatement `json:"responsibility,omitempty"`
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	m, err := s.loadMe(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) loadMe(r *http.Request) (*me, error) {
	a := echelon.ActorFrom(r.Context())
	p, err := s.Org.FindPersonByID(r.Context(), a.PersonID)
	if err != nil {
		return nil, err
	}
	st, err := s.roleStatement(r, p.Role)
	return &me{Person: p, Responsibility: st}, err
}

// roleStatement returns the responsibility statement of a role.
func (s *Server) roleStatement(r *http.Request, role echelon.Role) (*org.RoleStatement, error) {
	all, err := s.Org.FindRoleStatements(r.Context())
	if err != nil {
		return nil, err
	}
	for _, st := range all {
		if st.Role == role {
			return st, nil
		}
	}
	return nil, nil
}

func (s *Server) apiUpdateMe(w http.ResponseWriter, r *http.Request) error {
	var up org.PersonUpdate
	if err := decodeJSON(w, r, &up); err != nil {
		return err
	}
	p, err := s.Org.UpdatePerson(r.Context(), echelon.ActorFrom(r.Context()).PersonID, up)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

type passwordBody struct {
	CurrentPassword string `json:"current_password,omitempty"` // required when changing one's own
	Password        string `json:"password"`
}

func (s *Server) apiSetMyPassword(w http.ResponseWriter, r *http.Request) error {
	return s.setPassword(w, r, echelon.ActorFrom(r.Context()).PersonID)
}

func (s *Server) apiSetPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.setPassword(w, r, id)
}

func (s *Server) setPassword(w http.ResponseWriter, r *http.Request, id int64) error {
	var b passwordBody
	if err := decodeJSON(w, r, &b); err != nil {
		return err
	}
	if err := s.Org.SetPassword(r.Context(), id, b.CurrentPassword, b.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiTokens(w http.ResponseWriter, r *http.Request) error {
	return all(w, r, s.Auth.FindTokens)
}

func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, &b); err != nil {
		return err
	}
	secret, tok, err := s.Auth.CreateToken(r.Context(), b.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": secret, "id": tok.ID, "name": tok.Name, "created_at": tok.CreatedAt})
	return nil
}

func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Auth.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiUnits(w http.ResponseWriter, r *http.Request) error {
	closed := r.URL.Query().Get("closed") == "true"
	return all(w, r, func(ctx context.Context) ([]*org.Unit, error) { return s.Org.FindUnits(ctx, closed) })
}

func (s *Server) apiUnit(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Org.FindUnitByID)
}

func (s *Server) apiCreateUnit(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.Org.CreateUnit)
}

func (s *Server) apiUpdateUnit(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.Org.UpdateUnit)
}

func (s *Server) apiCloseUnit(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Org.CloseUnit)
}

// personFilter reads the people list's query parameters (shared by page and API).
func personFilter(r *http.Request) (org.PersonFilter, error) {
	q := r.URL.Query()
	f := org.PersonFilter{Query: q.Get("q"), Role: echelon.Role(q.Get("role")), Sort: q.Get("sort")}
	var err error
	if f.Limit, err = queryInt(r, "limit"); err != nil {
		return f, err
	}
	if f.Offset, err = queryInt(r, "offset"); err != nil {
		return f, err
	}
	unit, err := queryInt(r, "org_unit_id")
	if err != nil {
		return f, err
	}
	f.UnitID = int64(unit)
	switch q.Get("active") {
	case "true":
		t := true
		f.Active = &t
	case "false":
		fl := false
		f.Active = &fl
	}
	if f.Role != "" && !f.Role.Valid() {
		return f, badRequest{echelon.FieldError("role", "role.invalid")}
	}
	return f, nil
}

func (s *Server) apiPeople(w http.ResponseWriter, r *http.Request) error {
	f, err := personFilter(r)
	if err != nil {
		return err
	}
	people, total, err := s.Org.FindPeople(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(people, total, pageLimit(f.Limit), f.Offset))
	return nil
}

func (s *Server) apiPerson(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Org.FindPersonByID)
}

func (s *Server) apiCreatePerson(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.Org.CreatePerson)
}

func (s *Server) apiUpdatePerson(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.Org.UpdatePerson)
}

func (s *Server) apiLevels(w http.ResponseWriter, r *http.Request) error {
	return all(w, r, s.Org.FindLevels)
}

func (s *Server) apiCreateLevel(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.Org.CreateLevel)
}

func (s *Server) apiUpdateLevel(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.Org.UpdateLevel)
}

func (s *Server) apiRoles(w http.ResponseWriter, r *http.Request) error {
	return all(w, r, s.Org.FindRoleStatements)
}

func (s *Server) apiUpdateRole(w http.ResponseWriter, r *http.Request) error {
	var in org.RoleStatementInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	st, err := s.Org.UpdateRoleStatement(r.Context(), echelon.Role(r.PathValue("role")), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// pageLimit is the page size the services use for a requested limit (none
// or more than 200 means 50), so the list envelope tells the truth and a
// client paging by offset += limit skips nothing.
func pageLimit(n int) int {
	if n <= 0 || n > 200 {
		return 50
	}
	return n
}

// auditFilter reads the audit log's query parameters (shared by page and API).
func auditFilter(r *http.Request) (audit.Filter, error) {
	q := r.URL.Query()
	f := audit.Filter{Entity: q.Get("entity"), EntityID: q.Get("entity_id"), Action: q.Get("action")}
	var err error
	if f.Limit, err = queryInt(r, "limit"); err != nil {
		return f, err
	}
	if f.Offset, err = queryInt(r, "offset"); err != nil {
		return f, err
	}
	actorID, err := queryInt(r, "actor_id")
	if err != nil {
		return f, err
	}
	f.ActorID = int64(actorID)
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			d, err := time.ParseInLocation(time.DateOnly, v, echelon.CompanyZone())
			if err != nil {
				return f, badRequest{echelon.FieldError(name, "date.invalid")}
			}
			if name == "to" {
				d = d.AddDate(0, 0, 1) // inclusive of the whole day
			}
			*dst = d
		}
	}
	return f, nil
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	entries, total, err := s.Audit.FindEntries(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(entries, total, pageLimit(f.Limit), f.Offset))
	return nil
}
