package web

import (
	"testing"

	"github.com/echelonhq/echelon/internal/i18n"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/target"
)

// The rounding of shown values (kpi/library.go) and the choices the
// dashboard makes, checked without a server.

func testPage(t *testing.T, lang string) *page {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return &page{Lang: lang, cat: cat}
}

func TestKPIValue_RoundsHalfAwayFromZero(t *testing.T) {
	p := testPage(t, i18n.English)
	cases := []struct {
		unit string
		v    kpi.Value
		want string
	}{
		{kpi.UnitRatio, kpi.Value{Num: 1, Den: 8}, "12.5%"},   // exact
		{kpi.UnitRatio, kpi.Value{Num: 1, Den: 16}, "6.3%"},   // 6.25 → 6.3
		{kpi.UnitRatio, kpi.Value{Num: -1, Den: 16}, "-6.3%"}, // away from zero
		{kpi.UnitRatio, kpi.Value{Num: 2, Den: 3}, "66.7%"},
		{kpi.UnitRatio, kpi.Value{Num: 0, Den: 0}, "—"},           // nothing to divide by
		{kpi.UnitMoney, kpi.Value{Num: 1001, Den: 2}, "5.01 CNY"}, // 500.5 fen → 501
		{kpi.UnitMoney, kpi.Value{Num: 1234500, Den: 1}, "12,345.00 CNY"},
		{kpi.UnitDays, kpi.Value{Num: 25, Den: 2}, "12.5 days"},
		{kpi.UnitDays, kpi.Value{Num: 1, Den: 20}, "0.1 days"}, // 0.05 → 0.1
		{kpi.UnitCount, kpi.Value{Num: 12345, Den: 1}, "12,345"},
		{kpi.UnitCount, kpi.Value{Num: 3, Den: 0}, "—"},
	}
	for _, c := range cases {
		if got := p.KPIValue(kpi.Result{Unit: c.unit, Value: c.v}, "CNY"); got != c.want {
			t.Errorf("%s %d/%d = %q, want %q", c.unit, c.v.Num, c.v.Den, got, c.want)
		}
	}
	if got := p.DropOff(kpi.Value{Num: 3, Den: 8}); got != "62.5%" {
		t.Errorf("drop-off of 3/8 = %q", got)
	}
}

func TestPeriodNames_InBothLanguages(t *testing.T) {
	for lang, want := range map[string][]string{
		i18n.English: {"FY2026", "FY2026 Q2", "May 2026", "May"},
		i18n.Chinese: {"2026 财年", "2026 财年第 2 季度", "2026年5月", "5月"},
	} {
		p := testPage(t, lang)
		got := []string{p.PeriodName("2026"), p.PeriodName("2026-Q2"), p.PeriodName("2026-05"), p.MonthShort("2026-05")}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: %q, want %q", lang, got[i], want[i])
			}
		}
	}
}

func TestCompact(t *testing.T) {
	en, zh := testPage(t, i18n.English), testPage(t, i18n.Chinese)
	for v, want := range map[float64][2]string{0: {"0", "0"}, 0.25: {"0.25", "0.25"}, 0.75: {"0.75", "0.75"}, 950: {"950", "950"}, 12500: {"12.5k", "1.3万"}, 3_000_000: {"3M", "300万"}, 250_000_000: {"250M", "2.5亿"}} {
		if got := [2]string{en.Compact(v), zh.Compact(v)}; got != want {
			t.Errorf("Compact(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestCurrentPlans_PreferTheNewestDecidedRevision(t *testing.T) {
	plans := []*target.Plan{ // as FindPlans orders them: year, metric, currency, newest revision first
		{ID: 9, Metric: kpi.MetricWonRevenue, FiscalYear: 2027, Currency: "CNY", Revision: 1, State: target.StateLocked},
		{ID: 3, Metric: kpi.MetricWonRevenue, FiscalYear: 2026, Currency: "CNY", Revision: 3, State: target.StateDraft},
		{ID: 2, Metric: kpi.MetricWonRevenue, FiscalYear: 2026, Currency: "CNY", Revision: 2, State: target.StateLocked},
		{ID: 1, Metric: kpi.MetricWonRevenue, FiscalYear: 2026, Currency: "CNY", Revision: 1, State: target.StateLocked},
		{ID: 5, Metric: kpi.MetricWonDeals, FiscalYear: 2026, Revision: 1, State: target.StateDraft},
	}
	got := currentPlans(plans, 2026)
	if len(got) != 2 || got[0].ID != 2 || got[1].ID != 5 {
		t.Fatalf("current plans: %+v", got)
	}
	if revenuePlan(got).ID != 2 || revenuePlan(got[1:]) != nil {
		t.Errorf("revenue plan")
	}
}

func TestAttainmentBins_CountExactly(t *testing.T) {
	tv := &teamView{Bins: attainmentBins()}
	for _, p := range []target.Pace{
		{Target: 100, Actual: 49}, {Target: 100, Actual: 50}, {Target: 3, Actual: 2}, // 49 %, 50 %, 66.7 %
		{Target: 100, Actual: 80}, {Target: 100, Actual: 100}, {Target: 100, Actual: 119},
		{Target: 100, Actual: 120}, {Target: 1, Actual: 9}, {Target: 0, Actual: 5},
	} {
		tv.count(p)
	}
	want := []int{1, 2, 1, 2, 2}
	for i, b := range tv.Bins {
		if b.Count != want[i] {
			t.Errorf("bin %s: %d, want %d", b.Label, b.Count, want[i])
		}
	}
	if tv.Unset != 1 {
		t.Errorf("%d reps without a target, want 1", tv.Unset)
	}
}
