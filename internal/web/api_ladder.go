package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/ladder"
)

// ladderAPIRoutes are the ladder's endpoints: level criteria,
// certifications, readiness, nominations and level history (PRODUCT.md 2.6).
func (s *Server) ladderAPIRoutes() []route {
	return []route{
		{"GET", "/api/v1/levels/{id}/criteria", s.apiCriteria, signedIn},
		{"PUT", "/api/v1/levels/{id}/criteria", s.apiUpdateCriteria, signedIn},
		{"GET", "/api/v1/certification-types", s.apiCertificationTypes, signedIn},
		{"POST", "/api/v1/certification-types", s.apiCreateCertificationType, signedIn},
		{"GET", "/api/v1/certifications", s.apiCertifications, signedIn},
		{"POST", "/api/v1/certifications", s.apiRecordCertification, signedIn},
		{"GET", "/api/v1/readiness", s.apiReadinessBoard, signedIn},
		{"GET", "/api/v1/readiness/{person}", s.apiReadiness, signedIn},
		{"GET", "/api/v1/nominations", s.apiNominations, signedIn},
		{"POST", "/api/v1/nominations", s.apiNominate, signedIn},
		{"GET", "/api/v1/nominations/{id}", s.apiNomination, signedIn},
		{"POST", "/api/v1/nominations/{id}/approve", s.apiDecide(s.Ladder.Approve), signedIn},
		{"POST", "/api/v1/nominations/{id}/reject", s.apiDecide(s.Ladder.Reject), signedIn},
		{"POST", "/api/v1/nominations/{id}/withdraw", s.apiDecide(s.Ladder.Withdraw), signedIn},
		{"GET", "/api/v1/people/{id}/levels", s.apiLevelHistory, signedIn},
	}
}

func (s *Server) apiCriteria(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Ladder.FindCriteria)
}

func (s *Server) apiUpdateCriteria(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.Ladder.UpdateCriteria)
}

func (s *Server) apiCertificationTypes(w http.ResponseWriter, r *http.Request) error {
	return all(w, r, s.Ladder.FindCertificationTypes)
}

func (s *Server) apiCreateCertificationType(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.Ladder.CreateCertificationType)
}

func (s *Server) apiCertifications(w http.ResponseWriter, r *http.Request) error {
	var person int64
	if err := (crmQuery{r}).ids(map[string]*int64{"person_id": &person}); err != nil {
		return err
	}
	return all(w, r, func(ctx context.Context) ([]ladder.Certification, error) {
		return s.Ladder.FindCertifications(ctx, person)
	})
}

func (s *Server) apiRecordCertification(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.Ladder.RecordCertification)
}

// apiReadinessBoard answers the readiness of the people in view by bucket:
// of a unit's subtree (?unit=) or of one person (?person=).
func (s *Server) apiReadinessBoard(w http.ResponseWriter, r *http.Request) error {
	var unit, person int64
	if err := (crmQuery{r}).ids(map[string]*int64{"unit": &unit, "person": &person}); err != nil {
		return err
	}
	var b *ladder.Board
	var err error
	if person != 0 {
		b, err = s.Ladder.PersonBoard(r.Context(), person)
	} else {
		b, err = s.Ladder.ReadinessBoard(r.Context(), unit)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

func (s *Server) apiReadiness(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("person"), 10, 64)
	if err != nil || id <= 0 {
		return echelon.Errorf(echelon.ENOTFOUND, "person.not_found")
	}
	out, err := s.Ladder.Readiness(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiNominations(w http.ResponseWriter, r *http.Request) error {
	var person int64
	q := crmQuery{r}
	if err := q.ids(map[string]*int64{"person": &person}); err != nil {
		return err
	}
	f := ladder.NominationFilter{PersonID: person, State: q.str("state"), View: q.str("view")}
	return all(w, r, func(ctx context.Context) ([]*ladder.Nomination, error) { return s.Ladder.FindNominations(ctx, f) })
}

func (s *Server) apiNominate(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.Ladder.Nominate)
}

func (s *Server) apiNomination(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Ladder.FindNomination)
}

// apiDecide approves, rejects or withdraws a nomination.
func (s *Server) apiDecide(do func(context.Context, int64, ladder.DecisionInput) (*ladder.Nomination, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error { return update(w, r, do) }
}

func (s *Server) apiLevelHistory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return all(w, r, func(ctx context.Context) ([]ladder.LevelChange, error) { return s.Ladder.History(ctx, id) })
}
