package web

import (
	"net/http"

	"github.com/echelonhq/echelon/internal/ladder"
	"github.com/echelonhq/echelon/internal/talent"
)

// talentPageRoutes are the talent review pages (PRODUCT.md 2.6): the grid,
// the succession benches, the at-risk list and a person's development.
func (s *Server) talentPageRoutes() []route {
	return []route{
		{"GET", "/talent", s.talentGridPage, signedIn},
		{"GET", "/talent/succession", s.successionPage, signedIn},
		{"POST", "/talent/succession/refresh", s.refreshReadiness, signedIn},
		{"GET", "/talent/at-risk", s.atRiskPage, signedIn},
		{"GET", "/people/{id}/development", s.developmentPage, signedIn},
	}
}

// talentData is one tab of the talent review for a unit.
type talentData struct {
	Tab        string // grid, succession, at_risk
	UnitID     int64
	Units      []subjectChoice
	Grid       *talent.Grid
	Succession *talent.Succession
	Risk       *talent.AtRisk
}

// Rows are the grid's boxes row by row, high performance first.
func (d *talentData) Rows() [][]talent.Cell {
	return [][]talent.Cell{d.Grid.Cells[0:3], d.Grid.Cells[3:6], d.Grid.Cells[6:9]}
}

// loadTalent reads the unit asked for and the units the reader may choose.
func (s *Server) loadTalent(r *http.Request, tab string, fill func(d *talentData) error) (*talentData, error) {
	unit, err := crmQuery{r}.id("org_unit_id")
	if err != nil {
		return nil, err
	}
	d := &talentData{Tab: tab, UnitID: unit}
	if err := fill(d); err != nil {
		return nil, err
	}
	d.Units, err = s.unitChoices(r.Context())
	return d, err
}

func (s *Server) talentGridPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "talent", "talent.title", func(r *http.Request) (*talentData, error) {
		return s.loadTalent(r, "grid", func(d *talentData) (err error) {
			d.Grid, err = s.Talent.Grid(r.Context(), d.UnitID)
			if err == nil {
				d.UnitID = d.Grid.Unit.ID
			}
			return err
		})
	})
}

func (s *Server) successionPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "talent", "talent.title", func(r *http.Request) (*talentData, error) {
		return s.loadTalent(r, "succession", func(d *talentData) (err error) {
			d.Succession, err = s.Talent.Succession(r.Context(), d.UnitID)
			if err == nil {
				d.UnitID = d.Succession.Unit.ID
			}
			return err
		})
	})
}

func (s *Server) atRiskPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "talent", "talent.title", func(r *http.Request) (*talentData, error) {
		return s.loadTalent(r, "at_risk", func(d *talentData) (err error) {
			d.Risk, err = s.Talent.AtRisk(r.Context(), d.UnitID, r.URL.Query().Get("currency"))
			if err == nil {
				d.UnitID = d.Risk.Unit.ID
			}
			return err
		})
	})
}

func (s *Server) refreshReadiness(w http.ResponseWriter, r *http.Request) error {
	unit, err := postedForm(r).id("org_unit_id")
	if err != nil {
		return err
	}
	if _, err := s.Talent.Refresh(r.Context(), unit); err != nil {
		return err
	}
	seeOther(w, r, "/talent/succession?org_unit_id="+itoa(unit), "talent.flash.refreshed")
	return nil
}

// BucketClass is the badge of a readiness bucket.
func (p *page) BucketClass(bucket string) string {
	switch bucket {
	case ladder.ReadyNow:
		return "badge-ok"
	case ladder.ReadySoon:
		return "badge-info"
	}
	return "badge-off"
}

// LevelOf names a person's level in the reader's language.
func (p *page) LevelOf(zh, en string) string {
	if zh == "" && en == "" {
		return noValue
	}
	return p.Pick(zh, en)
}

// Readiness writes met of applicable criteria.
func (p *page) Readiness(met, applicable int) string {
	return p.T("talent.criteria_met", met, applicable)
}

// developmentData is a person's development page.
type developmentData struct {
	Dev *talent.Development
}

// PageTitle names the page after the person.
func (d *developmentData) PageTitle() string { return d.Dev.Person.Name }

func (s *Server) developmentPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "development", "talent.dev.title", func(r *http.Request) (*developmentData, error) {
		id, err := pathID(r)
		if err != nil {
			return nil, err
		}
		dev, err := s.Talent.Development(r.Context(), id)
		if err != nil {
			return nil, err
		}
		return &developmentData{Dev: dev}, nil
	})
}
