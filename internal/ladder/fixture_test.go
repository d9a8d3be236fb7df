package ladder_test

import (
	"context"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/ladder"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/scorecard"
	"github.com/echelonhq/echelon/internal/testorg"
)

// today is the fixed "now" of the tests: 15 May 2026 in Shanghai, in
// fiscal 2026-Q2 (the year starts in January), so the last complete
// quarters are 2026-Q1 and 2025-Q4 and "soon" ends on 30 September 2026.
var today = time.Date(2026, 5, 15, 10, 0, 0, 0, echelon.CompanyZone())

type fixture struct {
	*testorg.Org
	L  *ladder.Service
	SC *scorecard.Service
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	o := testorg.New(t, d)
	return &fixture{Org: o, L: ladder.NewService(d, func() time.Time { return today }), SC: scorecard.NewService(d, kpi.NewService(d))}
}

// must returns v, failing the test (by panicking) when err is not nil.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if echelon.ErrorCode(err) != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
}

// criteria replaces the entry criteria of the level code as the admin.
func (f *fixture) criteria(t *testing.T, code string, in ladder.CriteriaInput) {
	t.Helper()
	must(f.L.UpdateCriteria(testorg.System(), f.Levels[code], in))
}

// scoredByHand gives the reps a template of one manual KPI, so a
// quarter's scorecard total is exactly the score the manager enters.
func (f *fixture) scoredByHand(t *testing.T) {
	t.Helper()
	must(f.SC.SaveTemplate(testorg.System(), 0, scorecard.TemplateInput{Name: "Reps", Role: "rep",
		Lines: []scorecard.Line{{KPI: "m_teamwork", Weight: 100, Cap: 200}}}))
}

// score enters p's score for a quarter as their regional manager.
func (f *fixture) score(t *testing.T, p *org.Person, quarter string, score int) {
	t.Helper()
	mgr := f.EastMgr
	if p.ID == f.WestRep.ID {
		mgr = f.WestMgr
	}
	var version int
	_ = f.DB.View(context.Background(), func(tx *db.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT version FROM manual_kpi_values WHERE person_id = ? AND period = ?`, p.ID, quarter).Scan(&version)
	})
	must(f.SC.EnterManual(testorg.As(mgr), scorecard.ManualInput{Code: "m_teamwork", PersonID: p.ID, Period: quarter, Score: score,
		Comment: "by hand", Version: version}))
}

// hired moves p's hire date.
func (f *fixture) hired(t *testing.T, p *org.Person, date string) {
	t.Helper()
	must(f.Org.Org.UpdatePerson(testorg.System(), p.ID, org.PersonUpdate{HireDate: &date}))
}

// released stores a released review of p with the manager's competency ratings.
func (f *fixture) released(t *testing.T, p *org.Person, ratings string) int64 {
	t.Helper()
	var id int64
	err := f.DB.Tx(context.Background(), func(tx *db.Tx) error {
		now := today.UTC()
		tpl, err := tx.InsertID(context.Background(), `INSERT INTO review_templates (name, kind, competencies, scale, self_days, manager_days,
			calibration_days, updated_at) VALUES ('Q', 'quarterly', '[]', '[]', 7, 7, 7, ?)`, now)
		if err != nil {
			return err
		}
		cycle, err := tx.InsertID(context.Background(), `INSERT INTO review_cycles (template_id, name, period, org_unit_id, competencies, state,
			created_at) VALUES (?, 'Q1', '2026-Q1', 1, '[]', 'open', ?)`, tpl, now)
		if err != nil {
			return err
		}
		id, err = tx.InsertID(context.Background(), `INSERT INTO reviews (cycle_id, person_id, org_unit_id, reviewer_id, state, manager_ratings,
			final_rating, potential, released_at, updated_at) VALUES (?, ?, ?, ?, 'released', ?, 3, 2, ?, ?)`, cycle, p.ID, p.UnitID, f.EastMgr.ID, ratings, now, now)
		return err
	})
	if err != nil {
		t.Fatalf("released review: %v", err)
	}
	return id
}

// criterion finds the criterion of a kind in a readiness.
func criterion(t *testing.T, r *ladder.Readiness, kind string) ladder.Criterion {
	t.Helper()
	for _, c := range r.Criteria {
		if c.Kind == kind {
			return c
		}
	}
	t.Fatalf("no %s criterion in %+v", kind, r.Criteria)
	return ladder.Criterion{}
}
