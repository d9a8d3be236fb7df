package talent_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/ladder"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/review"
	"github.com/echelonhq/echelon/internal/scorecard"
	"github.com/echelonhq/echelon/internal/talent"
	"github.com/echelonhq/echelon/internal/target"
	"github.com/echelonhq/echelon/internal/testorg"
)

// now is mid-November 2026 in Shanghai: September and October are the last complete months.
var now = time.Date(2026, 11, 15, 4, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

// flatScorer scores everyone the same in the frozen review scorecards.
type flatScorer struct{}

func (flatScorer) Scorecard(_ context.Context, _ kpi.Ref, at, _ string) (*scorecard.Scorecard, error) {
	return &scorecard.Scorecard{Period: at, Currency: "CNY", Total: 80}, nil
}

type fixture struct {
	*testorg.Org
	d       *db.DB
	reviews *review.Service
	ladder  *ladder.Service
	svc     *talent.Service
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	f := &fixture{Org: testorg.New(t, d), d: d}
	f.reviews = review.NewService(d, flatScorer{}, clock)
	f.ladder = ladder.NewService(d, clock)
	f.svc = talent.NewService(d, f.ladder, f.reviews, clock)
	// The managers lead their units: their seats.
	for _, seat := range []struct {
		unit *org.Unit
		mgr  *org.Person
	}{{f.Company, f.Senior}, {f.East, f.EastMgr}, {f.West, f.WestMgr}} {
		if _, err := f.Org.Org.UpdateUnit(testorg.System(), seat.unit.ID, org.UnitUpdate{ManagerID: &seat.mgr.ID}); err != nil {
			t.Fatalf("%s leads %s: %v", seat.mgr.Name, seat.unit.Name, err)
		}
	}
	return f
}

// released runs a quarterly review of the company to the end: each person
// rated and given a potential by their reviewer, then released.
func (f *fixture) released(t *testing.T, marks map[*org.Person][2]int) {
	t.Helper()
	sun := testorg.As(f.Senior)
	c, err := f.reviews.CreateCycle(sun, review.CycleInput{TemplateID: 1, Period: "2026-Q3", UnitID: f.Company.ID})
	if err != nil {
		t.Fatalf("create cycle: %v", err)
	}
	if c, err = f.reviews.OpenCycle(sun, c.ID, c.Version); err != nil {
		t.Fatalf("open cycle: %v", err)
	}
	ratings := map[string]int{}
	for _, code := range review.Competencies {
		ratings[code] = 3
	}
	for p, m := range marks {
		rs, err := f.reviews.FindReviews(testorg.As(f.Admin), review.Filter{CycleID: c.ID, PersonID: p.ID})
		if err != nil || len(rs) != 1 {
			t.Fatalf("review of %s: %v", p.Name, err)
		}
		r := rs[0]
		if r, err = f.reviews.SaveSelf(testorg.As(p), r.ID, review.SelfInput{Text: "我的季度总结", Ratings: ratings, Submit: true, Version: r.Version}); err != nil {
			t.Fatalf("%s self review: %v", p.Name, err)
		}
		reviewer := f.person(t, r.ReviewerID)
		if r, err = f.reviews.SaveManager(testorg.As(reviewer), r.ID, review.ManagerInput{Text: "评价", Ratings: ratings, Comments: "继续努力",
			ProposedRating: m[0], Potential: m[1], Submit: true, Version: r.Version}); err != nil {
			t.Fatalf("%s reviews %s: %v", reviewer.Name, p.Name, err)
		}
		if _, err = f.reviews.Release(sun, r.ID, r.Version); err != nil {
			t.Fatalf("release %s: %v", p.Name, err)
		}
	}
}

func (f *fixture) person(t *testing.T, id int64) *org.Person {
	t.Helper()
	for _, p := range []*org.Person{f.Admin, f.Senior, f.EastMgr, f.WestMgr, f.EastRep, f.EastRep2, f.WestRep, f.Marketing} {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no person %d", id)
	return nil
}

func code(err error) string {
	var e *echelon.Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return "nil"
	}
	return err.Error()
}

func names(people []talent.Placed) map[string]bool {
	out := map[string]bool{}
	for _, p := range people {
		out[p.Name] = true
	}
	return out
}

func TestTalentGridPlacesPeopleByTheirLatestReleasedReview(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.released(t, map[*org.Person][2]int{
			f.EastRep:  {5, 3}, // high performance, high potential
			f.EastRep2: {3, 2}, // medium, medium
			f.WestRep:  {2, 1}, // a 2 is low performance
			f.EastMgr:  {4, 2},
		})
		g, err := f.svc.Grid(testorg.As(f.Senior), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			perf, pot int
			who       string
		}{{talent.High, talent.High, "Zhao"}, {talent.Medium, talent.Medium, "Qian"}, {talent.Low, talent.Low, "Zhou"}, {talent.High, talent.Medium, "Li"}} {
			if c := g.Cell(tc.perf, tc.pot); len(c.People) != 1 || !names(c.People)[tc.who] {
				t.Errorf("cell performance %d potential %d holds %v, want %s", tc.perf, tc.pot, names(c.People), tc.who)
			}
		}
		if g.Rated != 4 || len(g.Unrated) != 2 { // Wang and Ma have no released review; Sun is the reader
			t.Errorf("rated %d, unrated %v", g.Rated, g.Unrated)
		}
		// The regional manager sees their region only; a rep is refused; another region is not found.
		g, err = f.svc.Grid(testorg.As(f.EastMgr), 0)
		if err != nil || g.Rated != 2 || g.Unit.ID != f.East.ID {
			t.Fatalf("East's grid: %v rated %d", err, g.Rated)
		}
		if _, err := f.svc.Grid(testorg.As(f.EastMgr), f.West.ID); code(err) != echelon.ENOTFOUND {
			t.Errorf("Li asking for the West: %s", code(err))
		}
		for _, p := range []*org.Person{f.EastRep, f.Marketing} {
			if _, err := f.svc.Grid(testorg.As(p), 0); code(err) != echelon.EFORBIDDEN {
				t.Errorf("%s opening the grid: %s", p.Name, code(err))
			}
		}
	})
}

func TestPerformanceBandsAtTheirBoundaries(t *testing.T) {
	for rating, want := range map[int]int{1: talent.Low, 2: talent.Low, 3: talent.Medium, 4: talent.High, 5: talent.High} {
		if got := talent.PerformanceBand(rating); got != want {
			t.Errorf("rating %d: band %d, want %d", rating, got, want)
		}
	}
}

func TestSuccessionBenchesFromKeptReadiness(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		senior := f.Levels["senior_rep"]
		if _, err := f.Org.Org.UpdatePerson(testorg.System(), f.EastRep2.ID, org.PersonUpdate{LevelID: &senior, Version: f.EastRep2.Version}); err != nil {
			t.Fatal(err)
		}
		sun := testorg.As(f.Senior)
		s, err := f.svc.Succession(sun, 0)
		if err != nil || s.ComputedAt != nil {
			t.Fatalf("before any refresh: %v, computed %v", err, s.ComputedAt)
		}
		if _, err := f.svc.Refresh(testorg.As(f.EastRep), 0); code(err) != echelon.EFORBIDDEN {
			t.Errorf("a rep refreshing: %s", code(err))
		}
		r, err := f.svc.Refresh(sun, 0)
		if err != nil || r.People == 0 {
			t.Fatalf("refresh: %v %+v", err, r)
		}
		if s, err = f.svc.Succession(sun, 0); err != nil || s.ComputedAt == nil {
			t.Fatalf("succession: %v", err)
		}
		bench := map[int64][]string{}
		for _, seat := range s.Seats {
			for _, c := range seat.Bench {
				bench[seat.Unit.ID] = append(bench[seat.Unit.ID], c.Name)
			}
			if seat.Unit.ID == f.East.ID && (seat.Incumbent == nil || seat.Incumbent.ID != f.EastMgr.ID || seat.LevelCode != "regional_manager") {
				t.Errorf("East's seat: %+v", seat)
			}
			if seat.Unit.ID == f.EastA.ID && seat.Incumbent != nil {
				t.Errorf("East-A has no manager but shows %s", seat.Incumbent.Name)
			}
		}
		// Regional managers are next for the senior manager's seat; Qian (senior rep) for East's and the vacant East-A's.
		if got := bench[f.Company.ID]; len(got) != 2 {
			t.Errorf("company bench %v, want Li and Wang", got)
		}
		if got := bench[f.East.ID]; len(got) != 1 || got[0] != "Qian" {
			t.Errorf("East bench %v, want Qian", got)
		}
		if got := bench[f.EastA.ID]; len(got) != 1 || got[0] != "Qian" {
			t.Errorf("East-A bench %v, want Qian", got)
		}
		if got := bench[f.West.ID]; len(got) != 0 {
			t.Errorf("West bench %v, want nobody (Zhou is a mid rep)", got)
		}
		// Li sees the East's seats only.
		s, err = f.svc.Succession(testorg.As(f.EastMgr), 0)
		if err != nil || len(s.Seats) != 2 {
			t.Fatalf("Li's succession: %v, %d seats", err, len(s.Seats))
		}
	})
}

// won writes a rep's won revenue of a month into the totals (and its unit row).
func won(t *testing.T, d *db.DB, unit *org.Unit, p *org.Person, month int, amount int64) {
	t.Helper()
	ctx := context.Background()
	err := d.Tx(ctx, func(tx *db.Tx) error {
		for _, person := range []int64{p.ID, 0} {
			if _, err := tx.Exec(ctx, `INSERT INTO sales_totals (org_unit_id, person_id, month, measure, dim, currency, n, amount, extra)
				VALUES (?, ?, ?, 'won', '', 'CNY', 1, ?, 0) ON CONFLICT (org_unit_id, person_id, month, measure, dim, currency)
				DO UPDATE SET amount = sales_totals.amount + excluded.amount`, unit.ID, person, month, amount); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAtRiskAfterTwoMonthsOffTrackOrALowRating(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		targets := target.NewService(d).WithClock(clock)
		plan, err := targets.CreatePlan(testorg.As(f.Senior), target.PlanInput{Metric: kpi.MetricWonRevenue, FiscalYear: 2026})
		if err != nil {
			t.Fatal(err)
		}
		_, nodes, err := targets.FindPlan(testorg.As(f.Admin), plan.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range nodes {
			if n.PersonID == f.EastRep.ID || n.PersonID == f.EastRep2.ID {
				amount := int64(120_000) // 10,000 a month
				if _, err := targets.SetTarget(testorg.As(f.EastMgr), n.ID, target.TargetInput{Version: n.Version, Amount: &amount}); err != nil {
					t.Fatal(err)
				}
			}
		}
		won(t, d, f.EastA, f.EastRep, 202609, 8_000)
		won(t, d, f.EastA, f.EastRep, 202610, 8_999)  // below 90 % twice: at risk
		won(t, d, f.EastA, f.EastRep2, 202609, 9_000) // exactly 90 %: on track
		won(t, d, f.EastA, f.EastRep2, 202610, 1_000)
		f.released(t, map[*org.Person][2]int{f.WestRep: {2, 2}, f.EastRep2: {3, 2}})
		if _, err := f.reviews.OpenPlan(testorg.As(f.WestMgr), review.PlanInput{PersonID: f.WestRep.ID, Goals: []string{"每周拜访 10 个客户"}, Checkins: []string{"2026-12-01"}}); err != nil {
			t.Fatalf("open improvement plan: %v", err)
		}

		list, err := f.svc.AtRisk(testorg.As(f.Senior), 0, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Months) != 2 || list.Months[0] != "2026-09" || list.Months[1] != "2026-10" {
			t.Errorf("months judged %v", list.Months)
		}
		got := map[string]talent.Risk{}
		for _, r := range list.People {
			got[r.Name] = r
		}
		if len(got) != 2 {
			t.Errorf("at risk: %v, want Zhao and Zhou", got)
		}
		if r := got["Zhao"]; len(r.Reasons) != 1 || r.Reasons[0] != talent.ReasonOffTrack || len(r.Months) != 2 || r.Months[1].Actual != 8_999 || r.Plan {
			t.Errorf("Zhao: %+v", r)
		}
		if r := got["Zhou"]; len(r.Reasons) != 1 || r.Reasons[0] != talent.ReasonLowRating || r.Rating != 2 || !r.Plan {
			t.Errorf("Zhou: %+v", r)
		}
		// Li's list holds the East only; a rep may not read it.
		if list, err = f.svc.AtRisk(testorg.As(f.EastMgr), 0, ""); err != nil || len(list.People) != 1 || list.People[0].ID != f.EastRep.ID {
			t.Errorf("Li's at-risk list: %v %+v", err, list)
		}
		if _, err := f.svc.AtRisk(testorg.As(f.EastRep), 0, ""); code(err) != echelon.EFORBIDDEN {
			t.Errorf("a rep reading the at-risk list: %s", code(err))
		}
	})
}

func TestDevelopmentTimelineIsScopedByTheReader(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.released(t, map[*org.Person][2]int{f.EastRep: {4, 3}})
		if _, err := f.reviews.CreateFeedback(testorg.As(f.EastMgr), review.FeedbackInput{PersonID: f.EastRep.ID, Kind: "praise", Visibility: "private", Body: "签下了大单"}); err != nil {
			t.Fatalf("feedback: %v", err)
		}
		n, err := f.ladder.Nominate(testorg.As(f.EastMgr), ladder.NominationInput{PersonID: f.EastRep.ID, Kind: ladder.Promotion, Reason: "连续两个季度超额完成"})
		if err != nil {
			t.Fatalf("nominate: %v", err)
		}
		if _, err := f.ladder.Approve(testorg.As(f.Senior), n.ID, ladder.DecisionInput{Reason: "同意", Version: n.Version}); err != nil {
			t.Fatalf("approve: %v", err)
		}
		for _, reader := range []*org.Person{f.EastRep, f.EastMgr, f.Senior, f.Admin} {
			dev, err := f.svc.Development(testorg.As(reader), f.EastRep.ID)
			if err != nil {
				t.Fatalf("%s reads Zhao's development: %v", reader.Name, err)
			}
			kinds := map[string]int{}
			for _, e := range dev.Timeline {
				kinds[e.Kind]++
			}
			for _, k := range []string{talent.EventReview, talent.EventFeedback, talent.EventNomination, talent.EventLevel} {
				if kinds[k] == 0 {
					t.Errorf("%s sees no %s on Zhao's timeline: %v", reader.Name, k, kinds)
				}
			}
			if dev.Person.LevelCode != "mid_rep" {
				t.Errorf("%s sees Zhao at %s, want mid_rep after the promotion", reader.Name, dev.Person.LevelCode)
			}
			for i := 1; i < len(dev.Timeline); i++ {
				if dev.Timeline[i].At.After(dev.Timeline[i-1].At) {
					t.Errorf("timeline not newest first at %d", i)
				}
			}
		}
		for _, reader := range []*org.Person{f.WestMgr, f.WestRep, f.EastRep2, f.Marketing} {
			if _, err := f.svc.Development(testorg.As(reader), f.EastRep.ID); code(err) != echelon.ENOTFOUND {
				t.Errorf("%s reads Zhao's development: %s, want not found", reader.Name, code(err))
			}
		}
	})
}
