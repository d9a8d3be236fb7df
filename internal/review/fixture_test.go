package review_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/review"
	"github.com/echelonhq/echelon/internal/scorecard"
	"github.com/echelonhq/echelon/internal/testorg"
)

// scorer stands in for the scorecards: every person scores total, which a
// test changes to show that a frozen review keeps the old figure.
type scorer struct{ total float64 }

func (s *scorer) Scorecard(_ context.Context, ref kpi.Ref, at, _ string) (*scorecard.Scorecard, error) {
	return &scorecard.Scorecard{Period: at, Currency: "CNY", Template: "Reps", Total: s.total,
		Lines: []scorecard.ScoreLine{{KPI: "revenue", Weight: 100, Score: s.total}}}, nil
}

type fixture struct {
	*testorg.Org
	d      *db.DB
	scorer *scorer
	svc    *review.Service
	at     time.Time // the services' clock
}

// now is the fixed time of the tests: Thursday 2026-10-01 10:00 in Shanghai.
var now = time.Date(2026, 10, 1, 2, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	f := &fixture{Org: testorg.New(t, d), d: d, scorer: &scorer{total: 87.5}, at: now}
	f.svc = review.NewService(d, f.scorer, func() time.Time { return f.at })
	return f
}

// cycle creates and opens a quarterly cycle of the company's sales people (all but Sun).
func (f *fixture) cycle(t *testing.T) *review.Cycle {
	t.Helper()
	c, err := f.svc.CreateCycle(testorg.As(f.Senior), review.CycleInput{TemplateID: 1, Period: "2026-Q3", UnitID: f.Company.ID})
	if err != nil {
		t.Fatalf("create cycle: %v", err)
	}
	if c, err = f.svc.OpenCycle(testorg.As(f.Senior), c.ID, c.Version); err != nil {
		t.Fatalf("open cycle: %v", err)
	}
	return c
}

// reviewOf returns p's review in the cycle, as admin sees it.
func (f *fixture) reviewOf(t *testing.T, c *review.Cycle, personID int64) *review.Review {
	t.Helper()
	rs, err := f.svc.FindReviews(testorg.As(f.Admin), review.Filter{CycleID: c.ID, PersonID: personID})
	if err != nil || len(rs) != 1 {
		t.Fatalf("review of %d: %v (%d found)", personID, err, len(rs))
	}
	return rs[0]
}

func allRatings(n int) map[string]int {
	out := map[string]int{}
	for _, c := range review.Competencies {
		out[c] = n
	}
	return out
}

// wantErr checks that err is an *echelon.Error with the code and key.
func wantErr(t *testing.T, err error, code, key string) {
	t.Helper()
	var e *echelon.Error
	if !errors.As(err, &e) || e.Code != code || e.Key != key {
		t.Fatalf("error %v, want %s %s", err, code, key)
	}
}

// latestReleased calls the contract the ladder and the talent grid use.
func latestReleased(t *testing.T, d *db.DB, people []int64) (map[int64]review.Released, error) {
	t.Helper()
	var out map[int64]review.Released
	err := d.View(t.Context(), func(tx *db.Tx) (err error) {
		out, err = review.LatestReleased(t.Context(), tx, people)
		return err
	})
	return out, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
