package period

import (
	"testing"
	"time"
)

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no zone database")
	}
	return loc
}

func TestParseAndSpan(t *testing.T) {
	april, err := New(time.April, shanghai(t))
	if err != nil {
		t.Fatal(err)
	}
	jan, _ := New(time.January, shanghai(t))
	for _, tc := range []struct {
		cal         Calendar
		in, out     string
		first, last Month
		year        int
	}{
		{jan, "2026", "2026", 202601, 202612, 2026},
		{jan, "2026-Q2", "2026-Q2", 202604, 202606, 2026},
		{jan, "2026-05", "2026-05", 202605, 202605, 2026},
		{april, "2026", "2026", 202604, 202703, 2026},
		{april, "2026-q4", "2026-Q4", 202701, 202703, 2026},
		{april, "2027-02", "2027-02", 202702, 202702, 2026},
		{april, " 2026-Q1 ", "2026-Q1", 202604, 202606, 2026},
	} {
		p, err := tc.cal.Parse(tc.in)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if p.String() != tc.out || p.First != tc.first || p.Last() != tc.last || p.Year != tc.year {
			t.Errorf("%q (start %v) = %s %v–%v FY%d, want %s %v–%v FY%d", tc.in, tc.cal.StartMonth, p, p.First, p.Last(), p.Year, tc.out, tc.first, tc.last, tc.year)
		}
	}
	for _, bad := range []string{"", "26", "2026-Q5", "2026-Q0", "2026-13", "2026-00", "2026-5", "abcd", "2026-", "1800"} {
		if _, err := jan.Parse(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestOfAndChildren(t *testing.T) {
	oct, _ := New(time.October, shanghai(t))
	q := oct.Of(KindQuarter, 202601)
	if q.String() != "2025-Q2" || q.First != 202601 {
		t.Fatalf("January with an October year = %s from %v", q, q.First)
	}
	y := oct.Of(KindYear, 202609)
	if y.String() != "2025" || y.First != 202510 || y.Last() != 202609 {
		t.Fatalf("September 2026 = FY %s %v–%v", y, y.First, y.Last())
	}
	qs := oct.Children(y)
	if len(qs) != 4 || qs[3].First != 202607 || !qs[3].Within(y) {
		t.Fatalf("quarters %v", qs)
	}
	ms := oct.Children(qs[0])
	if len(ms) != 3 || ms[2].First != 202512 || ms[2].Year != 2025 {
		t.Fatalf("months %v", ms)
	}
	if prev := oct.YearBefore(qs[1]); prev.String() != "2024-Q2" {
		t.Fatalf("year before = %s", prev)
	}
	if Month(202612).Add(1) != 202701 || Month(202601).Add(-1) != 202512 || Month(202605).Add(-17) != 202412 {
		t.Fatal("month arithmetic")
	}
}

func TestMonthAtAndElapsedAtTheEdges(t *testing.T) {
	zone := shanghai(t)
	cal, _ := New(time.January, zone)
	// 2026-04-30 16:30 UTC is already 1 May in Shanghai.
	if m := cal.MonthAt(time.Date(2026, 4, 30, 16, 30, 0, 0, time.UTC)); m != 202605 {
		t.Fatalf("month at = %v", m)
	}
	may, _ := cal.Parse("2026-05")
	for _, tc := range []struct {
		at   time.Time
		want float64
	}{
		{time.Date(2026, 4, 30, 15, 59, 0, 0, time.UTC), 0},
		{time.Date(2026, 5, 1, 0, 0, 0, 0, zone), 0},
		{time.Date(2026, 5, 16, 12, 0, 0, 0, zone), 0.5},
		{time.Date(2026, 6, 1, 0, 0, 0, 0, zone), 1},
		{time.Date(2026, 5, 31, 16, 0, 0, 0, time.UTC), 1},
	} {
		if got := cal.Elapsed(may, tc.at); got != tc.want {
			t.Errorf("elapsed at %v = %v, want %v", tc.at, got, tc.want)
		}
	}
}
