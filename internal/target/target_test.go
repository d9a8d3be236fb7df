package target_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/target"
	"github.com/echelonhq/echelon/internal/testorg"
)

// mid-May 2026, noon in Shanghai: May is exactly half over.
var now = time.Date(2026, 5, 16, 12, 0, 0, 0, time.FixedZone("CST", 8*3600))

type fixture struct {
	*testorg.Org
	svc  *target.Service
	plan *target.Plan
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	f := &fixture{Org: testorg.New(t, d), svc: target.NewService(d).WithClock(func() time.Time { return now })}
	var err error
	f.plan, err = f.svc.CreatePlan(testorg.As(f.Senior), target.PlanInput{Metric: kpi.MetricWonRevenue, FiscalYear: 2026})
	if err != nil {
		t.Fatalf("senior creates plan: %v", err)
	}
	return f
}

// node finds the target of a unit (person nil) or a person, as the admin sees it.
func (f *fixture) node(t *testing.T, unit *org.Unit, person *org.Person) *target.Node {
	t.Helper()
	_, nodes, err := f.svc.FindPlan(testorg.As(f.Admin), f.plan.ID)
	if err != nil {
		t.Fatalf("find plan: %v", err)
	}
	for _, n := range nodes {
		if (person != nil && n.PersonID == person.ID) || (person == nil && n.PersonID == 0 && n.UnitID == unit.ID) {
			return n
		}
	}
	t.Fatalf("no target for unit %v person %v", unit, person)
	return nil
}

func (f *fixture) set(t *testing.T, who *org.Person, n *target.Node, amount int64, cascade bool) *target.Node {
	t.Helper()
	out, err := f.svc.SetTarget(testorg.As(who), n.ID, target.TargetInput{Version: n.Version, Amount: &amount, Cascade: cascade})
	if err != nil {
		t.Fatalf("%s sets %s to %d: %v", who.Name, n.Label(), amount, err)
	}
	return out
}

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

func TestCascadeFromTheCompanyDownToEveryRep(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		_, nodes, err := f.svc.FindPlan(testorg.As(f.Admin), f.plan.ID)
		if err != nil || len(nodes) != 7 {
			t.Fatalf("plan holds %d targets (%v), want company, East, East-A, West and three reps", len(nodes), err)
		}
		f.set(t, f.Senior, f.node(t, f.Company, nil), 1_200_001, true)
		want := map[string]int64{f.Company.Name: 1_200_001, "East": 600_001, "West": 600_000, "East-A": 600_001, "Zhao": 300_001, "Qian": 300_000, "Zhou": 600_000}
		_, nodes, _ = f.svc.FindPlan(testorg.As(f.Admin), f.plan.ID)
		for _, n := range nodes {
			if n.Amount != want[n.Label()] {
				t.Errorf("%s = %d, want %d", n.Label(), n.Amount, want[n.Label()])
			}
			var months int64
			for _, m := range n.Months {
				months += m
			}
			if months != n.Amount || !n.Balanced {
				t.Errorf("%s: months add up to %d of %d, balanced %v", n.Label(), months, n.Amount, n.Balanced)
			}
		}
		if zhao := f.node(t, f.EastA, f.EastRep); zhao.Months[0] != 25_001 || zhao.Months[11] != 25_000 {
			t.Errorf("Zhao's months %v: even phasing gives the remainder to the first month", zhao.Months)
		}
		// The regional manager re-splits their region by hand: Zhao more, Qian less.
		f.set(t, f.EastMgr, f.node(t, f.EastA, f.EastRep), 400_000, false)
		p, err := f.svc.Approve(testorg.As(f.Senior), f.plan.ID, target.Transition{Version: f.plan.Version})
		if code(err) != "invalid/target.unbalanced" || p != nil {
			t.Fatalf("approve an unbalanced tree: %v", code(err))
		}
		if _, nodes, _ := f.svc.FindPlan(testorg.As(f.EastMgr), f.plan.ID); len(nodes) != 4 {
			t.Errorf("the East manager sees %d targets, want East, East-A, Zhao, Qian", len(nodes))
		}
		f.set(t, f.EastMgr, f.node(t, f.EastA, f.EastRep2), 200_001, false)
		p, err = f.svc.Approve(testorg.As(f.Senior), f.plan.ID, target.Transition{Version: f.plan.Version})
		if err != nil || p.State != target.StateApproved {
			t.Fatalf("approve a balanced tree: %v", err)
		}
	})
}

func TestWhoMaySetWhichTarget(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for _, tc := range []struct {
			who    *org.Person
			unit   *org.Unit
			person *org.Person
			want   string
		}{
			{f.Admin, f.Company, nil, "nil"},
			{f.Senior, f.Company, nil, "nil"},
			{f.Senior, f.East, nil, "nil"},
			{f.EastMgr, f.East, nil, "forbidden/target.own"},
			{f.EastMgr, f.Company, nil, "not_found/target.not_found"},
			{f.EastMgr, f.EastA, nil, "nil"},
			{f.EastMgr, f.EastA, f.EastRep, "nil"},
			{f.EastMgr, f.West, f.WestRep, "not_found/target.not_found"},
			{f.WestMgr, f.West, nil, "forbidden/target.own"},
			{f.WestMgr, f.West, f.WestRep, "nil"},
			{f.EastRep, f.EastA, f.EastRep, "forbidden/target.own"},
			{f.EastRep, f.EastA, f.EastRep2, "not_found/target.not_found"},
			{f.Marketing, f.Company, nil, "not_found/target.not_found"},
		} {
			n := f.node(t, tc.unit, tc.person)
			v := int64(1000)
			_, err := f.svc.SetTarget(testorg.As(tc.who), n.ID, target.TargetInput{Version: n.Version, Amount: &v})
			if code(err) != tc.want {
				t.Errorf("%s sets %s: %s, want %s", tc.who.Name, n.Label(), code(err), tc.want)
			}
			if tc.want != "nil" && f.node(t, tc.unit, tc.person).Amount != n.Amount {
				t.Errorf("%s was refused but %s changed", tc.who.Name, n.Label())
			}
		}
		// A cascade may not reach a target the editor may not set.
		east := f.node(t, f.East, nil)
		_, err := f.svc.SetTarget(testorg.As(f.EastMgr), east.ID, target.TargetInput{Version: east.Version, Cascade: true})
		if code(err) != "forbidden/target.own" {
			t.Errorf("the East manager re-cascades East (their own): %s", code(err))
		}
		for _, who := range []*org.Person{f.EastMgr, f.EastRep} {
			if _, err := f.svc.CreatePlan(testorg.As(who), target.PlanInput{Metric: kpi.MetricWonDeals, FiscalYear: 2026}); code(err) != "forbidden/perm.forbidden" {
				t.Errorf("%s creates a plan: %s", who.Name, code(err))
			}
			if _, err := f.svc.Approve(testorg.As(who), f.plan.ID, target.Transition{Version: f.plan.Version}); code(err) != "forbidden/perm.forbidden" {
				t.Errorf("%s approves: %s", who.Name, code(err))
			}
		}
	})
}

func TestBadInputChangesNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		company := f.node(t, f.Company, nil)
		neg, big := int64(-1), echelon.MaxAmount+1
		for _, tc := range []struct {
			name string
			in   target.TargetInput
			want string
		}{
			{"negative", target.TargetInput{Amount: &neg}, "invalid/target.negative"},
			{"absurd", target.TargetInput{Amount: &big}, "invalid/amount.invalid"},
			{"phasing", target.TargetInput{Phasing: "weekly"}, "invalid/target.phasing_invalid"},
			{"eleven months", target.TargetInput{Months: make([]int64, 11)}, "invalid/target.months_count"},
			{"negative month", target.TargetInput{Months: []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -1}}, "invalid/target.negative"},
			{"months disagree", target.TargetInput{Amount: new(int64(5)), Months: make([]int64, 12)}, "invalid/target.months_sum"},
			{"stale", target.TargetInput{Version: company.Version + 1, Amount: new(int64(5))}, "conflict/record.stale"},
		} {
			in := tc.in
			if in.Version == 0 {
				in.Version = company.Version
			}
			if _, err := f.svc.SetTarget(testorg.As(f.Senior), company.ID, in); code(err) != tc.want {
				t.Errorf("%s: %s, want %s", tc.name, code(err), tc.want)
			}
		}
		if after := f.node(t, f.Company, nil); after.Amount != 0 || after.Version != company.Version {
			t.Fatalf("refused edits changed the company target: %+v", after)
		}
		for _, in := range []target.PlanInput{
			{Metric: "profit", FiscalYear: 2026},
			{Metric: kpi.MetricWonRevenue, FiscalYear: 1999},
			{Metric: kpi.MetricWonRevenue, FiscalYear: 2027, Rule: "roughly"},
			{Metric: kpi.MetricWonRevenue, FiscalYear: 2027, Currency: "YUAN"},
		} {
			if _, err := f.svc.CreatePlan(testorg.As(f.Senior), in); code(err)[:8] != "invalid/" {
				t.Errorf("plan %+v: %s", in, code(err))
			}
		}
		if _, err := f.svc.CreatePlan(testorg.As(f.Senior), target.PlanInput{Metric: kpi.MetricWonRevenue, FiscalYear: 2026}); code(err) != "conflict/target.plan_exists" {
			t.Errorf("a second plan for the same metric and year: %s", code(err))
		}
	})
}

func TestManualMonths(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		zhou := f.node(t, f.West, f.WestRep)
		months := []int64{0, 0, 10, 10, 10, 20, 20, 20, 30, 30, 30, 20}
		out, err := f.svc.SetTarget(testorg.As(f.WestMgr), zhou.ID, target.TargetInput{Version: zhou.Version, Months: months})
		if err != nil || out.Amount != 200 || out.Phasing != target.PhasingManual {
			t.Fatalf("manual months: %+v %v", out, err)
		}
		// Doubling the year keeps the shape of the months.
		out = f.set(t, f.WestMgr, out, 400, false)
		if out.Months[2] != 20 || out.Months[9] != 60 || out.Months[0] != 0 {
			t.Fatalf("scaled months %v", out.Months)
		}
	})
}

func TestLockAndRevise(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.set(t, f.Senior, f.node(t, f.Company, nil), 900, true)
		sun := testorg.As(f.Senior)
		p, err := f.svc.Approve(sun, f.plan.ID, target.Transition{Version: f.plan.Version})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Revise(sun, p.ID, target.Transition{Version: p.Version, Reason: "early"}); code(err) != "conflict/target.state_wrong" {
			t.Errorf("revise an approved plan: %s", code(err))
		}
		if p, err = f.svc.Lock(sun, p.ID, target.Transition{Version: p.Version}); err != nil || p.State != target.StateLocked {
			t.Fatalf("lock: %v", err)
		}
		zhou := f.node(t, f.West, f.WestRep)
		if _, err := f.svc.SetTarget(testorg.As(f.WestMgr), zhou.ID, target.TargetInput{Version: zhou.Version, Amount: new(int64(1))}); code(err) != "conflict/target.plan_not_draft" {
			t.Errorf("edit a locked target: %s", code(err))
		}
		if _, err := f.svc.Revise(sun, p.ID, target.Transition{Version: p.Version, Reason: "  "}); code(err) != "invalid/target.reason_required" {
			t.Errorf("revise without a reason: %s", code(err))
		}
		r, err := f.svc.Revise(sun, p.ID, target.Transition{Version: p.Version, Reason: "new region opened"})
		if err != nil || r.Revision != 2 || r.State != target.StateDraft || r.SupersedesID != p.ID {
			t.Fatalf("revise: %+v %v", r, err)
		}
		_, nodes, _ := f.svc.FindPlan(sun, r.ID)
		_, old, _ := f.svc.FindPlan(sun, p.ID)
		if len(nodes) != len(old) || nodes[0].Amount != 900 {
			t.Fatalf("revision holds %d targets (company %d), want a copy of %d", len(nodes), nodes[0].Amount, len(old))
		}
		if _, err := f.svc.Revise(sun, p.ID, target.Transition{Version: p.Version, Reason: "again"}); code(err) != "conflict/target.already_revised" {
			t.Errorf("revise twice: %s", code(err))
		}
	})
}

// sold books won revenue for a person in a unit and month, as the CRM's totals would.
func sold(t *testing.T, d *db.DB, unit *org.Unit, p *org.Person, month int, amount int64) {
	t.Helper()
	ctx := context.Background()
	err := d.Tx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO sales_totals (org_unit_id, person_id, month, measure, dim, currency, n, amount, extra)
			VALUES (?, ?, ?, 'won', '', 'CNY', 1, ?, 0)`, unit.ID, p.ID, month, amount)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPacingAtPeriodBoundaries(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		zhao := f.set(t, f.EastMgr, f.node(t, f.EastA, f.EastRep), 120_000, false) // 10,000 a month
		sold(t, d, f.EastA, f.EastRep, 202604, 10_000)
		sold(t, d, f.EastA, f.EastRep, 202605, 4_600)
		sold(t, d, f.EastA, f.EastRep2, 202605, 99_999) // someone else's
		for _, tc := range []struct {
			period                   string
			target, expected, actual int64
			status                   string
		}{
			{"2026-05", 10_000, 5_000, 4_600, target.Caution},
			{"2026-04", 10_000, 10_000, 10_000, target.OnTrack},
			{"2026-Q2", 30_000, 15_000, 14_600, target.Caution},
			{"2026-06", 10_000, 0, 0, target.OnTrack},
			{"2026", 120_000, 45_000, 14_600, target.OffTrack},
			{"", 120_000, 45_000, 14_600, target.OffTrack},
		} {
			_, np, err := f.svc.Pace(testorg.As(f.EastRep), zhao.ID, tc.period)
			if err != nil {
				t.Fatalf("%s: %v", tc.period, err)
			}
			pc := np.Pace
			if pc.Target != tc.target || pc.Expected != tc.expected || pc.Actual != tc.actual || pc.Status != tc.status {
				t.Errorf("%q: %+v, want target %d expected %d actual %d %s", tc.period, pc, tc.target, tc.expected, tc.actual, tc.status)
			}
		}
		if _, _, err := f.svc.Pace(testorg.As(f.EastRep), zhao.ID, "2027-01"); code(err) != "invalid/target.period_outside" {
			t.Errorf("a month of the next year: %s", code(err))
		}
		if _, _, err := f.svc.Pace(testorg.As(f.EastRep), zhao.ID, "2026-13"); code(err) != "invalid/period.invalid" {
			t.Errorf("month 13: %s", code(err))
		}
		// The team's board adds up its reps; the rep sees only their own row.
		_, board, err := f.svc.Board(testorg.As(f.EastMgr), f.plan.ID, "2026-05")
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range board {
			if n.Label() == "East-A" && n.Pace.Actual != 104_599 {
				t.Errorf("East-A actual in May = %d, want 104,599", n.Pace.Actual)
			}
		}
		if _, board, _ := f.svc.Board(testorg.As(f.EastRep), f.plan.ID, "2026-05"); len(board) != 1 || board[0].PersonID != f.EastRep.ID {
			t.Errorf("the rep's board shows %d targets", len(board))
		}
	})
}

// total writes one stored total for a rep (and its unit row).
func total(t *testing.T, d *db.DB, unit *org.Unit, p *org.Person, month int, measure, dim string, amount, extra int64) {
	t.Helper()
	ctx := context.Background()
	err := d.Tx(ctx, func(tx *db.Tx) error {
		for _, person := range []int64{p.ID, 0} {
			if _, err := tx.Exec(ctx, `INSERT INTO sales_totals (org_unit_id, person_id, month, measure, dim, currency, n, amount, extra)
				VALUES (?, ?, ?, ?, ?, 'CNY', 1, ?, ?)`, unit.ID, person, month, measure, dim, amount, extra); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPipelineCoverageCountsWhatIsExpectedInThePeriod(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		zhao := f.set(t, f.EastMgr, f.node(t, f.EastA, f.EastRep), 120_000, false) // 10,000 a month
		sold(t, d, f.EastA, f.EastRep, 202605, 4_600)
		total(t, d, f.EastA, f.EastRep, 202604, "open", "proposal", 50_000, 9_999) // late, still open
		total(t, d, f.EastA, f.EastRep, 202605, "open", "proposal", 10_000, 3_000)
		total(t, d, f.EastA, f.EastRep, 202606, "open", "qualify", 20_000, 2_000)
		for _, tc := range []struct {
			period   string
			pipeline int64 // -1: not shown
			coverage float64
		}{
			{"2026-05", 3_000, 3_000.0 / 5_400},
			{"2026-Q2", 14_999, 14_999.0 / 25_400},
			{"2026-04", -1, 0}, // over
			{"2026-06", 2_000, 2_000.0 / 10_000},
		} {
			_, np, err := f.svc.Pace(testorg.As(f.EastRep), zhao.ID, tc.period)
			if err != nil {
				t.Fatalf("%s: %v", tc.period, err)
			}
			pc := np.Pace
			switch {
			case tc.pipeline < 0 && (pc.Pipeline != nil || pc.Coverage != nil):
				t.Errorf("%s is over: pipeline %v coverage %v shown", tc.period, pc.Pipeline, pc.Coverage)
			case tc.pipeline >= 0 && (pc.Pipeline == nil || *pc.Pipeline != tc.pipeline || pc.Coverage == nil || *pc.Coverage != tc.coverage):
				t.Errorf("%s: pipeline %v coverage %v, want %d and %.4f", tc.period, pc.Pipeline, pc.Coverage, tc.pipeline, tc.coverage)
			}
		}
		// The team's coverage adds up its reps' pipeline.
		_, board, err := f.svc.Board(testorg.As(f.EastMgr), f.plan.ID, "2026-Q2")
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range board {
			if n.PersonID == 0 && n.UnitID == f.EastA.ID && (n.Pace.Pipeline == nil || *n.Pace.Pipeline != 14_999) {
				t.Errorf("East-A pipeline %v, want 14,999", n.Pace.Pipeline)
			}
		}
	})
}

func TestTargetsNarrowedToASeriesOrTerritory(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		var territory string
		err := d.Tx(ctx, func(tx *db.Tx) error {
			now := time.Now().UTC()
			if _, err := tx.Exec(ctx, `INSERT INTO products (code, name, series, list_price, currency, created_at, updated_at)
				VALUES ('C1', '云盘', '云', 100, 'CNY', ?, ?)`, now, now); err != nil {
				return err
			}
			id, err := tx.InsertID(ctx, `INSERT INTO territories (name, province, org_unit_id, created_at, updated_at) VALUES ('浙江', '浙江', ?, ?, ?)`, f.East.ID, now, now)
			territory = strconv.FormatInt(id, 10)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		sun := testorg.As(f.Senior)
		for _, tc := range []struct {
			in   target.PlanInput
			want string
		}{
			{target.PlanInput{Metric: kpi.MetricNewCustomers, FiscalYear: 2026, Slice: kpi.Slice{By: kpi.BySeries, Value: "云"}}, "invalid/target.dimension_metric"},
			{target.PlanInput{Metric: kpi.MetricWonRevenue, FiscalYear: 2026, Slice: kpi.Slice{By: "colour", Value: "red"}}, "invalid/target.dimension_invalid"},
			{target.PlanInput{Metric: kpi.MetricWonRevenue, FiscalYear: 2026, Slice: kpi.Slice{By: kpi.BySeries, Value: " "}}, "invalid/target.dim_value_invalid"},
			{target.PlanInput{Metric: kpi.MetricWonRevenue, FiscalYear: 2026, Slice: kpi.Slice{By: kpi.BySeries, Value: "硬件"}}, "invalid/target.dim_value_unknown"},
			{target.PlanInput{Metric: kpi.MetricWonRevenue, FiscalYear: 2026, Slice: kpi.Slice{By: kpi.ByTerritory, Value: "999"}}, "invalid/target.dim_value_unknown"},
		} {
			if _, err := f.svc.CreatePlan(sun, tc.in); code(err) != tc.want {
				t.Errorf("%+v: %s, want %s", tc.in, code(err), tc.want)
			}
		}
		plans, err := f.svc.FindPlans(sun)
		if err != nil || len(plans) != 1 {
			t.Fatalf("refused plans left %d plans (%v)", len(plans), err)
		}

		// The whole-business plan and one per slice live side by side.
		series, err := f.svc.CreatePlan(sun, target.PlanInput{Metric: kpi.MetricWonRevenue, FiscalYear: 2026, Slice: kpi.Slice{By: kpi.BySeries, Value: "云"}})
		if err != nil {
			t.Fatal(err)
		}
		area, err := f.svc.CreatePlan(sun, target.PlanInput{Metric: kpi.MetricWonDeals, FiscalYear: 2026, Slice: kpi.Slice{By: kpi.ByTerritory, Value: territory}})
		if err != nil {
			t.Fatal(err)
		}
		if area.SliceName != "浙江" {
			t.Errorf("territory plan names %q, want 浙江", area.SliceName)
		}
		if _, err := f.svc.CreatePlan(sun, target.PlanInput{Metric: kpi.MetricWonRevenue, FiscalYear: 2026, Slice: kpi.Slice{By: kpi.BySeries, Value: "云"}}); code(err) != "conflict/target.plan_exists" {
			t.Errorf("a second 云 plan: %s", code(err))
		}
		sold(t, d, f.EastA, f.EastRep, 202605, 9_000)
		total(t, d, f.EastA, f.EastRep, 202605, "won_series", "云", 4_000, 0)
		total(t, d, f.EastA, f.EastRep, 202605, "won_series", "", 5_000, 0)
		total(t, d, f.EastA, f.EastRep, 202605, "won_area", territory, 9_000, 0)
		for _, tc := range []struct {
			plan *target.Plan
			want int64
		}{{f.plan, 9_000}, {series, 4_000}, {area, 1}} {
			_, board, err := f.svc.Board(testorg.As(f.EastRep), tc.plan.ID, "2026-05")
			if err != nil || len(board) != 1 {
				t.Fatalf("board of plan %d: %v", tc.plan.ID, err)
			}
			if got := board[0].Pace.Actual; got != tc.want {
				t.Errorf("plan %s %+v: actual %d, want %d", tc.plan.Metric, tc.plan.Slice, got, tc.want)
			}
			if (board[0].Pace.Pipeline != nil) != (tc.plan == f.plan) {
				t.Errorf("plan %s %+v: pipeline shown %v (only the whole business has one)", tc.plan.Metric, tc.plan.Slice, board[0].Pace.Pipeline != nil)
			}
		}
	})
}

// TestSeasonalPhasingFollowsLastYear: a target phased by season spreads
// its amount over the months as last year's actuals fell — a rep's own,
// a unit's whole subtree — whether it is set alone or by a cascade.
func TestSeasonalPhasingFollowsLastYear(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		total(t, d, f.EastA, f.EastRep, 202501, "won", "", 30_000, 0)
		total(t, d, f.EastA, f.EastRep, 202512, "won", "", 90_000, 0)
		total(t, d, f.EastA, f.EastRep2, 202506, "won", "", 60_000, 0)
		total(t, d, f.EastA, f.EastRep, 202601, "won", "", 1_000_000, 0) // this year: not a season
		total(t, d, f.West, f.WestRep, 202503, "won", "", 500_000, 0)    // another team
		// seasonal sets the target of person (nil: the team) and returns its months.
		seasonal := func(person *org.Person, amount int64, cascade bool) []int64 {
			t.Helper()
			n := f.node(t, f.EastA, person)
			if _, err := f.svc.SetTarget(testorg.As(f.EastMgr), n.ID, target.TargetInput{Version: n.Version, Amount: &amount,
				Phasing: target.PhasingSeasonal, Cascade: cascade}); err != nil {
				t.Fatalf("set %s: %v", n.Label(), err)
			}
			return f.node(t, f.EastA, person).Months
		}
		months := func(jan, jun, dec int64) []int64 {
			m := make([]int64, 12)
			m[0], m[5], m[11] = jan, jun, dec
			return m
		}
		if got := seasonal(f.EastRep, 120_000, false); !slices.Equal(got, months(30_000, 0, 90_000)) {
			t.Errorf("the rep's months %v, want January and December as last year", got)
		}
		alone := seasonal(nil, 180_000, false)
		if !slices.Equal(alone, months(30_000, 60_000, 90_000)) {
			t.Errorf("the team's months %v, want its reps' last year together", alone)
		}
		if cascaded := seasonal(nil, 180_000, true); !slices.Equal(cascaded, alone) {
			t.Errorf("the team's months by cascade %v, alone %v", cascaded, alone)
		}
	})
}
