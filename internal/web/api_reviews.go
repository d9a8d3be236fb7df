package web

import (
	"context"
	"net/http"

	"github.com/echelonhq/echelon/internal/review"
)

// reviewAPIRoutes are the performance review, feedback and improvement plan endpoints.
func (s *Server) reviewAPIRoutes() []route {
	return []route{
		{"GET", "/api/v1/review-templates", s.apiReviewTemplates, signedIn},
		{"POST", "/api/v1/review-templates", s.apiCreateReviewTemplate, signedIn},
		{"GET", "/api/v1/review-templates/{id}", s.apiReviewTemplate, signedIn},
		{"PUT", "/api/v1/review-templates/{id}", s.apiUpdateReviewTemplate, signedIn},
		{"GET", "/api/v1/review-cycles", s.apiReviewCycles, signedIn},
		{"POST", "/api/v1/review-cycles", s.apiCreateReviewCycle, signedIn},
		{"GET", "/api/v1/review-cycles/{id}", s.apiReviewCycle, signedIn},
		{"POST", "/api/v1/review-cycles/{id}/open", s.apiOpenReviewCycle, signedIn},
		{"GET", "/api/v1/review-cycles/{id}/distribution", s.apiReviewDistribution, signedIn},
		{"GET", "/api/v1/reviews", s.apiReviews, signedIn},
		{"GET", "/api/v1/reviews/{id}", s.apiReview, signedIn},
		{"PUT", "/api/v1/reviews/{id}/self", s.apiReviewSelf, signedIn},
		{"PUT", "/api/v1/reviews/{id}/manager", s.apiReviewManager, signedIn},
		{"POST", "/api/v1/reviews/{id}/calibrate", s.apiReviewCalibrate, signedIn},
		{"POST", "/api/v1/reviews/{id}/release", s.apiReviewRelease, signedIn},
		{"POST", "/api/v1/reviews/{id}/acknowledge", s.apiReviewAcknowledge, signedIn},
		{"GET", "/api/v1/feedback", s.apiFeedback, signedIn},
		{"POST", "/api/v1/feedback", s.apiCreateFeedback, signedIn},
		{"GET", "/api/v1/improvement-plans", s.apiImprovementPlans, signedIn},
		{"POST", "/api/v1/improvement-plans", s.apiOpenImprovementPlan, signedIn},
		{"GET", "/api/v1/improvement-plans/{id}", s.apiImprovementPlan, signedIn},
		{"POST", "/api/v1/improvement-plans/{id}/checkins", s.apiImprovementPlanCheckin, signedIn},
		{"POST", "/api/v1/improvement-plans/{id}/close", s.apiCloseImprovementPlan, signedIn},
	}
}

// versionBody is the optional body of an action: the version the caller saw.
type versionBody struct {
	Version int `json:"version,omitempty"`
}

// decodeOptional reads a JSON body into v when there is one.
func decodeOptional(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decodeJSON(w, r, v)
}

// versioned runs an action that takes the optional version body.
func versioned[Out any](w http.ResponseWriter, r *http.Request, do func(context.Context, int64, int) (Out, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in versionBody
	if err := decodeOptional(w, r, &in); err != nil {
		return err
	}
	out, err := do(r.Context(), id, in.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiReviewTemplates(w http.ResponseWriter, r *http.Request) error {
	return all(w, r, s.Reviews.FindTemplates)
}

func (s *Server) apiCreateReviewTemplate(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.Reviews.CreateTemplate)
}

func (s *Server) apiReviewTemplate(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Reviews.FindTemplateByID)
}

func (s *Server) apiUpdateReviewTemplate(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.Reviews.UpdateTemplate)
}

func (s *Server) apiReviewCycles(w http.ResponseWriter, r *http.Request) error {
	return all(w, r, s.Reviews.FindCycles)
}

func (s *Server) apiCreateReviewCycle(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.Reviews.CreateCycle)
}

func (s *Server) apiReviewCycle(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Reviews.FindCycleByID)
}

func (s *Server) apiOpenReviewCycle(w http.ResponseWriter, r *http.Request) error {
	return versioned(w, r, s.Reviews.OpenCycle)
}

func (s *Server) apiReviewDistribution(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Reviews.Distribution)
}

// reviewFilter reads ?cycle_id=, person_id=, state= and mine= (todo, own, team).
func reviewFilter(r *http.Request) (review.Filter, error) {
	q := r.URL.Query()
	f := review.Filter{State: q.Get("state"), Mine: q.Get("mine")}
	err := crmQuery{r}.ids(map[string]*int64{"cycle_id": &f.CycleID, "person_id": &f.PersonID})
	return f, err
}

func (s *Server) apiReviews(w http.ResponseWriter, r *http.Request) error {
	f, err := reviewFilter(r)
	if err != nil {
		return err
	}
	return all(w, r, func(ctx context.Context) ([]*review.Review, error) { return s.Reviews.FindReviews(ctx, f) })
}

func (s *Server) apiReview(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Reviews.FindReviewByID)
}

func (s *Server) apiReviewSelf(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.Reviews.SaveSelf)
}

func (s *Server) apiReviewManager(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.Reviews.SaveManager)
}

func (s *Server) apiReviewCalibrate(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.Reviews.Calibrate)
}

func (s *Server) apiReviewRelease(w http.ResponseWriter, r *http.Request) error {
	return versioned(w, r, s.Reviews.Release)
}

func (s *Server) apiReviewAcknowledge(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in review.AcknowledgeInput
	if err := decodeOptional(w, r, &in); err != nil {
		return err
	}
	out, err := s.Reviews.Acknowledge(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// personQuery reads ?person_id=.
func personQuery(r *http.Request) (int64, error) {
	var id int64
	err := crmQuery{r}.ids(map[string]*int64{"person_id": &id})
	return id, err
}

func (s *Server) apiFeedback(w http.ResponseWriter, r *http.Request) error {
	person, err := personQuery(r)
	if err != nil {
		return err
	}
	return all(w, r, func(ctx context.Context) ([]*review.Feedback, error) { return s.Reviews.FindFeedback(ctx, person) })
}

func (s *Server) apiCreateFeedback(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.Reviews.CreateFeedback)
}

func (s *Server) apiImprovementPlans(w http.ResponseWriter, r *http.Request) error {
	person, err := personQuery(r)
	if err != nil {
		return err
	}
	return all(w, r, func(ctx context.Context) ([]*review.Plan, error) { return s.Reviews.FindPlans(ctx, person) })
}

func (s *Server) apiOpenImprovementPlan(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.Reviews.OpenPlan)
}

func (s *Server) apiImprovementPlan(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Reviews.FindPlanByID)
}

func (s *Server) apiImprovementPlanCheckin(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.Reviews.AddCheckin)
}

func (s *Server) apiCloseImprovementPlan(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.Reviews.ClosePlan)
}
