package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/target"
)

// targetAPIRoutes are the fiscal calendar, targets and KPI endpoints.
func (s *Server) targetAPIRoutes() []route {
	return []route{
		{"GET", "/api/v1/periods", s.apiPeriods, signedIn},
		{"PUT", "/api/v1/periods/calendar", s.apiSetCalendar, signedIn},
		{"GET", "/api/v1/targets", s.apiPlans, signedIn},
		{"POST", "/api/v1/targets", s.apiCreatePlan, signedIn},
		{"GET", "/api/v1/targets/{id}", s.apiPlanBoard, signedIn},
		{"POST", "/api/v1/targets/{id}/approve", s.planAction(s.Targets.Approve), signedIn},
		{"POST", "/api/v1/targets/{id}/reopen", s.planAction(s.Targets.Reopen), signedIn},
		{"POST", "/api/v1/targets/{id}/lock", s.planAction(s.Targets.Lock), signedIn},
		{"POST", "/api/v1/targets/{id}/revise", s.planAction(s.Targets.Revise), signedIn},
		{"GET", "/api/v1/targets/{id}/nodes/{node}", s.apiTargetNode, signedIn},
		{"PATCH", "/api/v1/targets/{id}/nodes/{node}", s.apiSetTarget, signedIn},
		{"GET", "/api/v1/kpis", s.apiKPIs, signedIn},
		{"GET", "/api/v1/kpis/card", s.apiKPICard, signedIn},
		{"GET", "/api/v1/kpis/{code}/evidence", s.apiKPIEvidence, signedIn},
	}
}

// periodView describes a period for the API.
type periodView struct {
	Period     string    `json:"period"`
	Kind       string    `json:"kind"`
	FiscalYear int       `json:"fiscal_year"`
	FirstMonth string    `json:"first_month"`
	LastMonth  string    `json:"last_month"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
}

func viewPeriod(cal period.Calendar, p period.Period) periodView {
	return periodView{Period: p.String(), Kind: string(p.Kind), FiscalYear: p.Year, FirstMonth: p.First.String(),
		LastMonth: p.Last().String(), Start: cal.Start(p), End: cal.End(p)}
}

// calendarView is the fiscal calendar with the periods of today (or of ?at=).
type calendarView struct {
	FiscalStartMonth int          `json:"fiscal_start_month"`
	Zone             string       `json:"zone"`
	Periods          []periodView `json:"periods,omitempty"`
}

func (s *Server) apiPeriods(w http.ResponseWriter, r *http.Request) error {
	cal, err := s.Settings.Calendar(r.Context())
	if err != nil {
		return err
	}
	out := calendarView{FiscalStartMonth: int(cal.StartMonth), Zone: cal.Zone.String()}
	if at := r.URL.Query().Get("at"); at != "" {
		p, err := cal.Parse(at)
		if err != nil {
			return echelon.FieldError("at", "period.invalid", at)
		}
		out.Periods = append(out.Periods, viewPeriod(cal, p))
		for _, c := range cal.Children(p) {
			out.Periods = append(out.Periods, viewPeriod(cal, c))
		}
	} else {
		m := cal.MonthAt(time.Now())
		for _, k := range []period.Kind{period.KindYear, period.KindQuarter, period.KindMonth} {
			out.Periods = append(out.Periods, viewPeriod(cal, cal.Of(k, m)))
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// calendarInput sets the month the fiscal year starts in.
type calendarInput struct {
	FiscalStartMonth int `json:"fiscal_start_month"`
}

func (s *Server) apiSetCalendar(w http.ResponseWriter, r *http.Request) error {
	var in calendarInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	cal, err := s.Settings.SetFiscalStart(r.Context(), in.FiscalStartMonth)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, calendarView{FiscalStartMonth: int(cal.StartMonth), Zone: cal.Zone.String()})
	return nil
}

func (s *Server) apiPlans(w http.ResponseWriter, r *http.Request) error {
	return all(w, r, s.Targets.FindPlans)
}

func (s *Server) apiCreatePlan(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.Targets.CreatePlan)
}

// planBoard is a plan with the targets the reader may see, each with its pace.
type planBoard struct {
	Plan    *target.Plan      `json:"plan"`
	Targets []target.NodePace `json:"targets"`
}

func (s *Server) apiPlanBoard(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	plan, nodes, err := s.Targets.Board(r.Context(), id, r.URL.Query().Get("period"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, planBoard{Plan: plan, Targets: nodes})
	return nil
}

// planAction answers a state change of the plan of the path id.
func (s *Server) planAction(do func(context.Context, int64, target.Transition) (*target.Plan, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return update(w, r, do)
	}
}

// nodeID is the {node} path value of a target inside the plan of the path id.
func nodeID(r *http.Request) (planID, node int64, err error) {
	if planID, err = pathID(r); err != nil {
		return 0, 0, err
	}
	node, err = strconv.ParseInt(r.PathValue("node"), 10, 64)
	if err != nil || node <= 0 {
		return 0, 0, echelon.Errorf(echelon.ENOTFOUND, "target.not_found")
	}
	return planID, node, nil
}

// targetView is one target with its plan and its pace.
type targetView struct {
	Plan   *target.Plan     `json:"plan"`
	Target *target.NodePace `json:"target"`
}

func (s *Server) apiTargetNode(w http.ResponseWriter, r *http.Request) error {
	planID, id, err := nodeID(r)
	if err != nil {
		return err
	}
	plan, n, err := s.Targets.Pace(r.Context(), id, r.URL.Query().Get("period"))
	if err != nil {
		return err
	}
	if plan.ID != planID {
		return echelon.Errorf(echelon.ENOTFOUND, "target.not_found")
	}
	writeJSON(w, http.StatusOK, targetView{Plan: plan, Target: n})
	return nil
}

func (s *Server) apiSetTarget(w http.ResponseWriter, r *http.Request) error {
	planID, id, err := nodeID(r)
	if err != nil {
		return err
	}
	if plan, _, err := s.Targets.FindTarget(r.Context(), id); err != nil || plan.ID != planID {
		if err == nil {
			err = echelon.Errorf(echelon.ENOTFOUND, "target.not_found")
		}
		return err
	}
	var in target.TargetInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	n, err := s.Targets.SetTarget(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, n)
	return nil
}

// kpiDef is a KPI of the library with its name in the reader's language.
type kpiDef struct {
	kpi.Def
	Name string `json:"name"`
}

func (s *Server) apiKPIs(w http.ResponseWriter, r *http.Request) error {
	lang := langFrom(r.Context())
	var out []kpiDef
	for _, code := range kpi.Codes() {
		d, _ := kpi.Find(code)
		out = append(out, kpiDef{Def: d, Name: s.Catalog.T(lang, "kpi."+code)})
	}
	writeJSON(w, http.StatusOK, newList(out, len(out), 0, 0))
	return nil
}

// kpiRef reads the subject of a KPI request: org_unit_id or person_id (neither: the reader's own).
func kpiRef(r *http.Request) (kpi.Ref, error) {
	q := crmQuery{r}
	var ref kpi.Ref
	err := q.ids(map[string]*int64{"org_unit_id": &ref.UnitID, "person_id": &ref.PersonID})
	if err == nil && ref.UnitID != 0 && ref.PersonID != 0 {
		err = badRequest{echelon.FieldError("person_id", "kpi.one_subject")}
	}
	return ref, err
}

func (s *Server) apiKPICard(w http.ResponseWriter, r *http.Request) error {
	ref, err := kpiRef(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	card, err := s.KPI.Card(r.Context(), ref, q.Get("period"), q.Get("currency"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, card)
	return nil
}

func (s *Server) apiKPIEvidence(w http.ResponseWriter, r *http.Request) error {
	ref, err := kpiRef(r)
	if err != nil {
		return err
	}
	pg, err := crmQuery{r}.page()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	ev, err := s.KPI.Evidence(r.Context(), ref, r.PathValue("code"), q.Get("period"), q.Get("currency"), pg.Offset, pg.Limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ev)
	return nil
}
