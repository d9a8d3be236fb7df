package web

import (
	"net/http"
	"time"

	"github.com/echelonhq/echelon/internal/period"
)

// calendarRoutes are the pages of the fiscal calendar (PRODUCT.md 2.3).
func (s *Server) calendarRoutes() []route {
	return []route{
		{"GET", "/admin/calendar", s.calendarPage, signedIn},
		{"POST", "/admin/calendar", s.setFiscalStart, signedIn},
	}
}

// calendarSpan is one period of the fiscal year with its first and last day.
type calendarSpan struct {
	Period  string // its address: "2026", "2026-Q2", "2026-05"
	First   time.Time
	Last    time.Time // the period's last day (it ends when the next day starts)
	Current bool      // it holds today
}

// calendarQuarter is a quarter with its months.
type calendarQuarter struct {
	calendarSpan
	Months []calendarSpan
}

// calendarData is the fiscal calendar: the year that holds today, its
// quarters and months, and the form that moves the year's start.
type calendarData struct {
	StartMonth int
	Zone       string
	Year       calendarSpan
	Quarters   []calendarQuarter
	Months     []int // 1–12, the choices of the form
	Form       *form
}

func span(cal period.Calendar, p period.Period, today period.Month) calendarSpan {
	return calendarSpan{Period: p.String(), First: cal.Start(p), Last: cal.End(p).AddDate(0, 0, -1), Current: p.Contains(today)}
}

func (s *Server) loadCalendar(r *http.Request) (*calendarData, error) {
	cal, err := s.Settings.Calendar(r.Context())
	if err != nil {
		return nil, err
	}
	today := cal.MonthAt(time.Now())
	year := cal.Of(period.KindYear, today)
	d := &calendarData{StartMonth: int(cal.StartMonth), Zone: cal.Zone.String(), Year: span(cal, year, today), Form: newForm()}
	for _, q := range cal.Children(year) {
		cq := calendarQuarter{calendarSpan: span(cal, q, today)}
		for _, m := range cal.Children(q) {
			cq.Months = append(cq.Months, span(cal, m, today))
		}
		d.Quarters = append(d.Quarters, cq)
	}
	for m := 1; m <= 12; m++ {
		d.Months = append(d.Months, m)
	}
	d.Form.set("fiscal_start_month", d.StartMonth)
	return d, nil
}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request) error {
	if err := adminOnly(r); err != nil {
		return err
	}
	return show(s, w, r, "calendar", "cal.title", s.loadCalendar)
}

func (s *Server) setFiscalStart(w http.ResponseWriter, r *http.Request) error {
	if err := adminOnly(r); err != nil {
		return err // before reading the form, so a refused post never draws the page
	}
	f := postedForm(r)
	month, err := f.int("fiscal_start_month")
	if err == nil {
		_, err = s.Settings.SetFiscalStart(r.Context(), month)
	}
	if err != nil {
		return s.redisplay(r, f, err, reload(s, w, r, "calendar", "cal.title", s.loadCalendar, func(d *calendarData) { d.Form = f }))
	}
	seeOther(w, r, "/admin/calendar", "cal.flash.saved")
	return nil
}
