// Package period is the fiscal calendar: fiscal years that start in any
// month, their quarters, and calendar months, addressed as "2026",
// "2026-Q2" and "2026-05". A fiscal year is named by the calendar year in
// which it starts: with a start in April, 2026 runs from April 2026 to
// March 2027 and 2026-Q4 is January to March 2027. Months are calendar
// months in the company's time zone; every period is a whole number of
// them.
package period

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Month is a calendar month as yyyymm (202605 is May 2026), the unit in
// which totals are kept.
type Month int

// MonthOf is the month of y and m.
func MonthOf(y int, m time.Month) Month { return Month(y*100 + int(m)) }

// Year is the calendar year of the month.
func (m Month) Year() int { return int(m) / 100 }

// Calendar is the calendar month (1–12).
func (m Month) Calendar() time.Month { return time.Month(int(m) % 100) }

// Add moves n months forward (or back when n < 0).
func (m Month) Add(n int) Month {
	i := m.Year()*12 + int(m.Calendar()) - 1 + n
	return MonthOf(i/12, time.Month(i%12+1))
}

// String is "2026-05".
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year(), int(m.Calendar())) }

// Kind is the granularity of a period.
type Kind string

// The kinds of period, from the largest.
const (
	KindYear    Kind = "year"
	KindQuarter Kind = "quarter"
	KindMonth   Kind = "month"
)

// Period is a fiscal year, a fiscal quarter or a calendar month.
type Period struct {
	Kind  Kind
	First Month // its first month
	Year  int   // the fiscal year it belongs to
	N     int   // quarter 1–4 for a quarter; 0 otherwise
}

// Months is how many months the period spans.
func (p Period) Months() int {
	switch p.Kind {
	case KindYear:
		return 12
	case KindQuarter:
		return 3
	}
	return 1
}

// Last is the period's last month.
func (p Period) Last() Month { return p.First.Add(p.Months() - 1) }

// Contains reports whether month m falls in the period.
func (p Period) Contains(m Month) bool { return m >= p.First && m <= p.Last() }

// Within reports whether q lies wholly inside p.
func (p Period) Within(q Period) bool { return q.Contains(p.First) && q.Contains(p.Last()) }

// String is the period's address: "2026", "2026-Q2" or "2026-05".
func (p Period) String() string {
	switch p.Kind {
	case KindYear:
		return strconv.Itoa(p.Year)
	case KindQuarter:
		return fmt.Sprintf("%d-Q%d", p.Year, p.N)
	}
	return p.First.String()
}

// MarshalText writes the period's address, so periods read well in JSON.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// Calendar turns addresses and instants into periods.
type Calendar struct {
	StartMonth time.Month     // the month a fiscal year starts in
	Zone       *time.Location // the company's zone, in which months are decided
}

// New returns the calendar of a fiscal year starting in start, in zone.
func New(start time.Month, zone *time.Location) (Calendar, error) {
	if start < time.January || start > time.December {
		return Calendar{}, fmt.Errorf("period: fiscal year start month %d: not 1–12", start)
	}
	return Calendar{StartMonth: start, Zone: zone}, nil
}

// Year is the fiscal year n.
func (c Calendar) Year(n int) Period {
	return Period{Kind: KindYear, First: MonthOf(n, c.StartMonth), Year: n}
}

// Quarter is quarter q (1–4) of fiscal year n.
func (c Calendar) Quarter(n, q int) Period {
	return Period{Kind: KindQuarter, First: c.Year(n).First.Add(3 * (q - 1)), Year: n, N: q}
}

// Month is the period of calendar month m.
func (c Calendar) Month(m Month) Period {
	return Period{Kind: KindMonth, First: m, Year: c.FiscalYear(m)}
}

// FiscalYear is the fiscal year month m belongs to.
func (c Calendar) FiscalYear(m Month) int {
	if m.Calendar() >= c.StartMonth {
		return m.Year()
	}
	return m.Year() - 1
}

// Of is the period of kind k that holds month m.
func (c Calendar) Of(k Kind, m Month) Period {
	fy := c.FiscalYear(m)
	switch k {
	case KindYear:
		return c.Year(fy)
	case KindQuarter:
		offset := (m.Year()*12 + int(m.Calendar())) - (c.Year(fy).First.Year()*12 + int(c.StartMonth))
		return c.Quarter(fy, offset/3+1)
	}
	return c.Month(m)
}

// MonthAt is the month an instant falls in, in the company's zone.
func (c Calendar) MonthAt(t time.Time) Month {
	y, m, _ := t.In(c.Zone).Date()
	return MonthOf(y, m)
}

// Start is the instant the period begins, in the company's zone.
func (c Calendar) Start(p Period) time.Time {
	return time.Date(p.First.Year(), p.First.Calendar(), 1, 0, 0, 0, 0, c.Zone)
}

// End is the instant the period ends (the start of the month after it).
func (c Calendar) End(p Period) time.Time {
	next := p.Last().Add(1)
	return time.Date(next.Year(), next.Calendar(), 1, 0, 0, 0, 0, c.Zone)
}

// Parse reads "2026", "2026-Q2" (also q2) or "2026-05".
func (c Calendar) Parse(s string) (Period, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("period: %q: not a year (2026), quarter (2026-Q2) or month (2026-05)", s)
	year, rest, found := strings.Cut(s, "-")
	y, err := strconv.Atoi(year)
	if err != nil || len(year) != 4 || y < 1900 {
		return Period{}, bad
	}
	if !found {
		return c.Year(y), nil
	}
	if len(rest) == 2 && (rest[0] == 'Q' || rest[0] == 'q') {
		q, err := strconv.Atoi(rest[1:])
		if err != nil || q < 1 || q > 4 {
			return Period{}, bad
		}
		return c.Quarter(y, q), nil
	}
	m, err := strconv.Atoi(rest)
	if err != nil || len(rest) != 2 || m < 1 || m > 12 {
		return Period{}, bad
	}
	return c.Month(MonthOf(y, time.Month(m))), nil
}

// Children are the quarters of a year or the months of a quarter; a month has none.
func (c Calendar) Children(p Period) []Period {
	var out []Period
	switch p.Kind {
	case KindYear:
		for q := 1; q <= 4; q++ {
			out = append(out, c.Quarter(p.Year, q))
		}
	case KindQuarter:
		for i := range 3 {
			out = append(out, c.Month(p.First.Add(i)))
		}
	}
	return out
}

// MonthsOf lists the months of p in order.
func MonthsOf(p Period) []Month {
	out := make([]Month, p.Months())
	for i := range out {
		out[i] = p.First.Add(i)
	}
	return out
}

// YearBefore is the same period one fiscal year earlier (for last year's line on a trend).
func (c Calendar) YearBefore(p Period) Period {
	return c.Of(p.Kind, p.First.Add(-12))
}

// Elapsed is the share of p that has passed at instant now, from 0 to 1,
// by time in the company's zone: 0 before it starts, 1 once it has ended.
func (c Calendar) Elapsed(p Period, now time.Time) float64 {
	start, end := c.Start(p), c.End(p)
	switch {
	case !now.After(start):
		return 0
	case !now.Before(end):
		return 1
	}
	return float64(now.Sub(start)) / float64(end.Sub(start))
}
