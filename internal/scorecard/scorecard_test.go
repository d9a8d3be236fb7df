package scorecard_test

import (
	"context"
	"errors"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/scorecard"
	"github.com/echelonhq/echelon/internal/target"
	"github.com/echelonhq/echelon/internal/testorg"
)

func code(err error) string {
	var e *echelon.Error
	if errors.As(err, &e) {
		return e.Code + "/" + e.Key
	}
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// repTemplate scores reps on won revenue against their plan (60 %), a win
// rate of 50 % (20 %) and teamwork judged by their manager, nothing below 60 % (20 %).
var repTemplate = scorecard.TemplateInput{Name: "Reps", Role: "rep", Lines: []scorecard.Line{
	{KPI: kpi.WonRevenue, Weight: 60, Source: scorecard.FromPlan, Curve: scorecard.CurveLinear, Cap: 120},
	{KPI: kpi.WinRate, Weight: 20, Source: scorecard.FromFixed, Fixed: 5000, Curve: scorecard.CurveLinear, Cap: 120},
	{KPI: "m_teamwork", Weight: 20, Curve: scorecard.CurveThreshold, Threshold: 60, Cap: 100},
}}

type fixture struct {
	*testorg.Org
	svc *scorecard.Service
}

// newFixture sets up the templates, Zhao's plan (10,000 a month in 2026)
// and May 2026: Zhao won 12,000 in two deals and lost two; Qian nothing.
func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	f := &fixture{Org: testorg.New(t, d), svc: scorecard.NewService(d, kpi.NewService(d))}
	admin := testorg.As(f.Admin)
	if _, err := f.svc.SaveTemplate(admin, 0, repTemplate); err != nil {
		t.Fatalf("rep template: %v", err)
	}
	mgr := scorecard.TemplateInput{Name: "Managers", Role: "regional_manager", Lines: []scorecard.Line{{KPI: kpi.WonRevenue, Weight: 100, Source: scorecard.FromPlan}}}
	if _, err := f.svc.SaveTemplate(admin, 0, mgr); err != nil {
		t.Fatalf("manager template: %v", err)
	}
	targets := target.NewService(d)
	plan, err := targets.CreatePlan(testorg.As(f.Senior), target.PlanInput{Metric: kpi.MetricWonRevenue, FiscalYear: 2026})
	if err != nil {
		t.Fatal(err)
	}
	_, nodes, _ := targets.FindPlan(admin, plan.ID)
	for _, n := range nodes {
		if n.PersonID == f.EastRep.ID {
			v := int64(120_000)
			if _, err := targets.SetTarget(testorg.As(f.EastMgr), n.ID, target.TargetInput{Version: n.Version, Amount: &v}); err != nil {
				t.Fatal(err)
			}
		}
	}
	book(t, d, f.EastA, f.EastRep, "won", 2, 12_000)
	book(t, d, f.EastA, f.EastRep, "lost", 2, 7_000)
	return f
}

// book writes May 2026 totals for a person, with the unit's own row, as the CRM would keep them.
func book(t *testing.T, d *db.DB, unit *org.Unit, p *org.Person, measure string, n, amount int64) {
	t.Helper()
	ctx := context.Background()
	err := d.Tx(ctx, func(tx *db.Tx) error {
		for _, person := range []int64{p.ID, 0} {
			if _, err := tx.Exec(ctx, `INSERT INTO sales_totals (org_unit_id, person_id, month, measure, dim, currency, n, amount, extra)
				VALUES (?, ?, 202605, ?, '', 'CNY', ?, ?, 0)`, unit.ID, person, measure, n, amount); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestScorecardLinesAndTotal(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		in := scorecard.ManualInput{Code: "m_teamwork", PersonID: f.EastRep.ID, Period: "2026-05", Score: 90, Comment: "helped Qian close two deals"}
		if _, err := f.svc.EnterManual(testorg.As(f.EastRep), in); code(err) != "invalid/kpi.subject_not_found" {
			t.Errorf("a rep enters their own manual KPI: %s", code(err))
		}
		if _, err := f.svc.EnterManual(testorg.As(f.WestMgr), in); code(err) != "invalid/kpi.subject_not_found" {
			t.Errorf("another region's manager enters it: %s", code(err))
		}
		if _, err := f.svc.EnterManual(testorg.As(f.EastMgr), scorecard.ManualInput{Code: "m_teamwork", PersonID: f.EastRep.ID, Period: "2026-05", Score: 90}); code(err) != "invalid/scorecard.manual_comment_required" {
			t.Errorf("without a comment: %s", code(err))
		}
		if _, err := f.svc.EnterManual(testorg.As(f.EastMgr), in); err != nil {
			t.Fatalf("the manager enters teamwork: %v", err)
		}
		card, err := f.svc.Scorecard(testorg.As(f.EastRep), kpi.Ref{}, "2026-05", "")
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			kpi   string
			att   float64
			score float64
		}{{kpi.WonRevenue, 1.2, 120}, {kpi.WinRate, 1, 100}, {"m_teamwork", 0.9, 90}}
		for i, w := range want {
			l := card.Lines[i]
			if l.KPI != w.kpi || l.Attainment != w.att || l.Score != w.score {
				t.Errorf("line %d = %s attainment %v score %v, want %s %v %v", i, l.KPI, l.Attainment, l.Score, w.kpi, w.att, w.score)
			}
		}
		if card.Lines[0].Target != (kpi.Value{Num: 10_000, Den: 1}) || card.Lines[0].Evidence == "" {
			t.Errorf("won revenue line: target %v, evidence %q", card.Lines[0].Target, card.Lines[0].Evidence)
		}
		if card.Total != 110 { // 120 × 60 % + 100 × 20 % + 90 × 20 %
			t.Errorf("total %v, want 110", card.Total)
		}
		// Below the threshold, teamwork scores nothing.
		in.Score, in.Version = 50, 1
		if _, err := f.svc.EnterManual(testorg.As(f.EastMgr), in); err != nil {
			t.Fatal(err)
		}
		if card, _ = f.svc.Scorecard(testorg.As(f.EastRep), kpi.Ref{}, "2026-05", ""); card.Total != 92 {
			t.Errorf("total with teamwork below its threshold %v, want 92", card.Total)
		}
		// The team's card rolls its reps up, best first.
		team, err := f.svc.Scorecard(testorg.As(f.EastMgr), kpi.Ref{UnitID: f.EastA.ID}, "2026-05", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(team.Members) != 2 || team.Members[0].PersonID != f.EastRep.ID || team.Members[0].Total != 92 || team.Members[1].Total != 0 {
			t.Errorf("team members %+v", team.Members)
		}
		if team.Lines[0].Missing != "no_target" {
			t.Errorf("East-A has no target of its own: %+v", team.Lines[0])
		}
		for _, who := range []*org.Person{f.WestMgr, f.EastRep2, f.Marketing} {
			if _, err := f.svc.Scorecard(testorg.As(who), kpi.Ref{PersonID: f.EastRep.ID}, "2026-05", ""); code(err) != "not_found/kpi.subject_not_found" {
				t.Errorf("%s reads Zhao's scorecard: %s", who.Name, code(err))
			}
		}
		if _, err := f.svc.Scorecard(testorg.As(f.WestRep), kpi.Ref{}, "2026-05", ""); err != nil {
			t.Errorf("Zhou (no data) reads their own: %v", err)
		}
	})
}

func TestTemplateRules(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		admin := testorg.As(f.Admin)
		bad := func(mut func(*scorecard.TemplateInput)) scorecard.TemplateInput {
			in := repTemplate
			in.Role, in.LevelID = "rep", f.Levels["junior_rep"]
			in.Lines = append([]scorecard.Line(nil), repTemplate.Lines...)
			mut(&in)
			return in
		}
		for _, tc := range []struct {
			name string
			in   scorecard.TemplateInput
			want string
		}{
			{"weights add up to 90", bad(func(in *scorecard.TemplateInput) { in.Lines[0].Weight = 50 }), "invalid/scorecard.weights_sum"},
			{"unknown KPI", bad(func(in *scorecard.TemplateInput) { in.Lines[0].KPI = "profit" }), "invalid/kpi.unknown"},
			{"plan target for a win rate", bad(func(in *scorecard.TemplateInput) { in.Lines[1].Source = scorecard.FromPlan }), "invalid/scorecard.no_plan_for_kpi"},
			{"cap of 250 %", bad(func(in *scorecard.TemplateInput) { in.Lines[0].Cap = 250 }), "invalid/scorecard.cap_invalid"},
			{"threshold of 0", bad(func(in *scorecard.TemplateInput) { in.Lines[2].Threshold = 0 }), "invalid/scorecard.threshold_invalid"},
			{"the same KPI twice", bad(func(in *scorecard.TemplateInput) { in.Lines[2] = in.Lines[1]; in.Lines[2].Weight = 20 }), "invalid/scorecard.kpi_twice"},
			{"for admins", bad(func(in *scorecard.TemplateInput) { in.Role = "admin" }), "invalid/scorecard.role_invalid"},
			{"a level that does not exist", bad(func(in *scorecard.TemplateInput) { in.LevelID = 9999 }), "invalid/scorecard.level_invalid"},
			{"a second rep template", repTemplate, "invalid/scorecard.template_exists"},
		} {
			if _, err := f.svc.SaveTemplate(admin, 0, tc.in); code(err) != tc.want {
				t.Errorf("%s: %s, want %s", tc.name, code(err), tc.want)
			}
		}
		if _, err := f.svc.SaveTemplate(testorg.As(f.Senior), 0, bad(func(*scorecard.TemplateInput) {})); code(err) != "forbidden/perm.forbidden" {
			t.Errorf("the senior manager saves a template: %s", code(err))
		}
		junior, err := f.svc.SaveTemplate(admin, 0, bad(func(in *scorecard.TemplateInput) { in.Name = "Junior reps" }))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SaveTemplate(admin, junior.ID, bad(func(in *scorecard.TemplateInput) { in.Version = junior.Version + 1 })); code(err) != "conflict/record.changed_at" && code(err) != "conflict/record.changed" {
			t.Errorf("a stale save: %s", code(err))
		}
		// Zhao is a junior rep: the level's own template now scores them.
		card, err := f.svc.Scorecard(testorg.As(f.EastRep), kpi.Ref{}, "2026-05", "")
		if err != nil || card.Template != "Junior reps" {
			t.Errorf("Zhao is scored by %q (%v)", card.Template, err)
		}
	})
}

func TestLeaderboardScope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		board, err := f.svc.Leaderboard(testorg.As(f.EastRep), f.EastA.ID, kpi.WonRevenue, "2026-05", "")
		if err != nil {
			t.Fatal(err)
		}
		if board.Published || len(board.Ranks) != 0 || board.Own == nil || board.Own.Rank != 1 || board.People != 2 {
			t.Fatalf("unpublished board as Zhao: %+v own %+v", board, board.Own)
		}
		if _, err := f.svc.Publish(testorg.As(f.EastRep), scorecard.PublishInput{UnitID: f.EastA.ID, KPI: kpi.WonRevenue, Published: true}); code(err) != "forbidden/perm.forbidden" {
			t.Errorf("a rep publishes: %s", code(err))
		}
		if _, err := f.svc.Publish(testorg.As(f.WestMgr), scorecard.PublishInput{UnitID: f.East.ID, KPI: kpi.WonRevenue, Published: true}); code(err) != "not_found/kpi.subject_not_found" {
			t.Errorf("the West's manager publishes the East's: %s", code(err))
		}
		if _, err := f.svc.Publish(testorg.As(f.EastMgr), scorecard.PublishInput{UnitID: f.East.ID, KPI: kpi.WonRevenue, Published: true}); err != nil {
			t.Fatal(err)
		}
		board, _ = f.svc.Leaderboard(testorg.As(f.EastRep2), f.EastA.ID, kpi.WonRevenue, "2026-05", "")
		if !board.Published || len(board.Ranks) != 2 || board.Ranks[0].PersonID != f.EastRep.ID || board.Own.Rank != 2 {
			t.Fatalf("published board as Qian: %+v", board)
		}
		if b, _ := f.svc.Leaderboard(testorg.As(f.EastRep2), f.EastA.ID, kpi.WinRate, "2026-05", ""); b.Published || len(b.Ranks) != 0 {
			t.Errorf("the win-rate board was not published: %+v", b)
		}
		for _, who := range []*org.Person{f.EastRep, f.Marketing} {
			if _, err := f.svc.Leaderboard(testorg.As(who), f.West.ID, kpi.WonRevenue, "2026-05", ""); code(err) != "not_found/kpi.subject_not_found" {
				t.Errorf("%s reads the West's board: %s", who.Name, code(err))
			}
		}
		company, err := f.svc.Leaderboard(testorg.As(f.Senior), 0, kpi.WonRevenue, "2026-05", "")
		if err != nil || company.People != 3 || company.Ranks[0].PersonID != f.EastRep.ID || company.Ranks[1].Rank != 2 || company.Ranks[2].Rank != 2 {
			t.Errorf("the company board: %+v %v", company, err)
		}
	})
}
