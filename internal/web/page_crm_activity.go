package web

import (
	"net/http"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
)

// The value formats of <input type="datetime-local"> and <input type="date">.
const (
	localMinute = "2006-01-02T15:04"
	localDay    = time.DateOnly
)

// newActivityForm starts the log-activity form at a call made now.
func newActivityForm() *form {
	f := newForm()
	f.set("kind", "call")
	f.set("at", time.Now().In(echelon.CompanyZone()).Format(localMinute))
	return f
}

// logActivity logs the activity of the form against an account and/or an
// opportunity; the form may name a contact or an opportunity of the account.
func (s *Server) logActivity(r *http.Request, f *form, accountID, oppID int64) error {
	in := crm.ActivityInput{Kind: f.Val("kind"), Subject: f.Values.Get("subject"), Outcome: f.Values.Get("outcome"),
		NextStep: f.Values.Get("next_step"), AccountID: accountID, OpportunityID: oppID}
	var err error
	if v := f.Val("at"); v != "" {
		if in.At, err = time.ParseInLocation(localMinute, v, echelon.CompanyZone()); err != nil {
			return echelon.FieldError("at", "date.invalid")
		}
	}
	if v := f.Val("next_step_at"); v != "" {
		d, err := time.ParseInLocation(localDay, v, echelon.CompanyZone())
		if err != nil {
			return echelon.FieldError("next_step_at", "date.invalid")
		}
		in.NextStepAt = &d
	}
	if in.ContactID, err = f.id("contact_id"); err != nil {
		return err
	}
	if oppID == 0 {
		if in.OpportunityID, err = f.id("opportunity_id"); err != nil {
			return err
		}
	}
	_, err = s.CRM.CreateActivity(r.Context(), in)
	return err
}

// myDayData is a person's CRM work for today: next steps that are due,
// deals that should close this month, and accounts about to fall back to
// the pool for want of a follow-up.
type myDayData struct {
	Today         string
	MonthStart    string
	MonthEnd      string
	Due           []*crm.Activity
	MoreDue       bool
	Closing       []*crm.Opportunity
	MoreClosing   bool
	Overdue       []*crm.Opportunity
	MoreOverdue   bool
	Returning     []*crm.ReturningAccount
	MoreReturning bool
	Shown         int // rows a section shows at most
	Stages        map[int64]*crm.Stage
}

// returningWithinDays is how far ahead "my day" (and, by default, the API)
// looks for accounts about to return to the pool.
const returningWithinDays = 7

// today is midnight of the current day in the company's zone.
func today() time.Time {
	now := time.Now().In(echelon.CompanyZone())
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, echelon.CompanyZone())
}

func (s *Server) myDayPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireCRM(r); err != nil {
		return err
	}
	ctx := r.Context()
	day := today()
	monthStart := day.AddDate(0, 0, 1-day.Day())
	monthEnd := monthStart.AddDate(0, 1, -1)
	rows := crm.Page{Limit: 200}
	d := &myDayData{Today: day.Format(localDay), MonthStart: monthStart.Format(localDay), MonthEnd: monthEnd.Format(localDay), Shown: rows.Limit}
	var err error
	if d.Due, d.MoreDue, err = s.CRM.FindDueNextSteps(ctx, day.AddDate(0, 0, 1), rows); err != nil {
		return err
	}
	open := crm.OpportunityFilter{Outcome: crm.OutcomeOpen, ClosingFrom: d.MonthStart, ClosingTo: d.MonthEnd, Sort: "expected_close", Page: crm.Page{Limit: 50}}
	if d.Closing, d.MoreClosing, err = s.CRM.FindOpportunities(ctx, open); err != nil {
		return err
	}
	late := crm.OpportunityFilter{Outcome: crm.OutcomeOpen, ClosingTo: monthStart.AddDate(0, 0, -1).Format(localDay), Sort: "-expected_close", Page: crm.Page{Limit: 20}}
	if d.Overdue, d.MoreOverdue, err = s.CRM.FindOpportunities(ctx, late); err != nil {
		return err
	}
	if d.Returning, d.MoreReturning, err = s.CRM.FindReturningAccounts(ctx, returningWithinDays, rows); err != nil {
		return err
	}
	stages, err := s.CRM.FindStages(ctx)
	if err != nil {
		return err
	}
	d.Stages = stageIndex(stages)
	s.render(w, r, http.StatusOK, "crm_my_day", "crm.my_day.title", d)
	return nil
}
