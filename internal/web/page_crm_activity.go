package web

import (
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
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
	f.set("at", time.Now().In(shanghai()).Format(localMinute))
	return f
}

// logActivity logs the activity of the form against an account and/or an
// opportunity; the form may name a contact or an opportunity of the account.
func (s *Server) logActivity(r *http.Request, f *form, accountID, oppID int64) error {
	in := crm.ActivityInput{Kind: f.Val("kind"), Subject: f.Values.Get("subject"), Outcome: f.Values.Get("outcome"),
		NextStep: f.Values.Get("next_step"), AccountID: accountID, OpportunityID: oppID}
	var err error
	if v := f.Val("at"); v != "" {
		if in.At, err = time.ParseInLocation(localMinute, v, shanghai()); err != nil {
			return echelon.FieldError("at", "date.invalid")
		}
	}
	if v := f.Val("next_step_at"); v != "" {
		d, err := time.ParseInLocation(localDay, v, shanghai())
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
	Today       string
	MonthStart  string
	MonthEnd    string
	Due         []*crm.Activity
	DueLimited  bool // the scan of recent activities stopped early
	Closing     []*crm.Opportunity
	MoreClosing bool
	Overdue     []*crm.Opportunity
	MoreOverdue bool
	Returning   []*returningAccount
	Limited     bool // the scan of owned accounts stopped early
	Stages      map[int64]*crm.Stage
}

// returningAccount is an owned account that returns to the pool soon.
type returningAccount struct {
	*crm.Account
	Since     time.Time // the last follow-up (or when it was taken)
	ReturnsOn time.Time
	DaysLeft  int
}

// Bounds of the scans behind "my day": the services offer no filter on a
// next step's date or on the age of the last follow-up, so the page reads
// the newest rows in pages and stops at these sizes.
const (
	dueLookback     = 180 // days of activities searched for open next steps
	maxDueScan      = 1000
	maxAccountsScan = 5000
	returnWarnDays  = 7
)

func (s *Server) myDayPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireCRM(r); err != nil {
		return err
	}
	ctx := r.Context()
	now := time.Now().In(shanghai())
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, shanghai())
	monthStart := today.AddDate(0, 0, 1-today.Day())
	monthEnd := monthStart.AddDate(0, 1, -1)
	d := &myDayData{Today: today.Format(localDay), MonthStart: monthStart.Format(localDay), MonthEnd: monthEnd.Format(localDay)}
	var err error
	if d.Due, d.DueLimited, err = s.dueNextSteps(r, now, today.AddDate(0, 0, 1)); err != nil {
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
	if d.Returning, d.Limited, err = s.returningSoon(r, now); err != nil {
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

// dueNextSteps returns the activities whose next step falls before the
// end of today and has not been followed by a later activity on the same
// deal or account, most overdue first.
func (s *Server) dueNextSteps(r *http.Request, now time.Time, until time.Time) ([]*crm.Activity, bool, error) {
	f := crm.ActivityFilter{From: now.AddDate(0, 0, -dueLookback), Page: crm.Page{Limit: 200}}
	followed := map[string]bool{} // a record with a done activity newer than the one at hand
	var out []*crm.Activity
	for f.Offset < maxDueScan {
		items, more, err := s.CRM.FindActivities(r.Context(), f)
		if err != nil {
			return nil, false, err
		}
		for _, x := range items { // newest first
			key := "activity:" + strconv.FormatInt(x.ID, 10)
			switch {
			case x.OpportunityID != 0:
				key = "opportunity:" + strconv.FormatInt(x.OpportunityID, 10)
			case x.AccountID != 0:
				key = "account:" + strconv.FormatInt(x.AccountID, 10)
			}
			if x.At.After(now) {
				continue // planned, not done: it neither is due nor answers an earlier step
			}
			if !followed[key] && x.NextStepAt != nil && x.NextStepAt.Before(until) && strings.TrimSpace(x.NextStep) != "" {
				out = append(out, x)
			}
			followed[key] = true
		}
		f.Offset += len(items)
		if !more {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].NextStepAt.Before(*out[j].NextStepAt) })
	return out, f.Offset >= maxDueScan, nil
}

// returningSoon finds the owned accounts in scope whose last follow-up is
// older than their pool rule's return_days less a week's warning.
func (s *Server) returningSoon(r *http.Request, now time.Time) ([]*returningAccount, bool, error) {
	ctx := r.Context()
	rules, err := s.CRM.FindPoolRules(ctx)
	if err != nil || len(rules) == 0 {
		return nil, false, err
	}
	f := crm.AccountFilter{Sort: "id", Page: crm.Page{Limit: 200}}
	var out []*returningAccount
	for f.Offset < maxAccountsScan {
		items, more, err := s.CRM.FindAccounts(ctx, f)
		if err != nil {
			return nil, false, err
		}
		for _, a := range items {
			if a.InPool() {
				continue
			}
			rule := ruleOf(rules, a.UnitPath)
			if rule == nil {
				continue
			}
			since := a.CreatedAt
			if a.OwnedSince != nil {
				since = *a.OwnedSince
			}
			if a.LastActivityAt != nil && a.LastActivityAt.After(since) {
				since = *a.LastActivityAt
			}
			returns := since.Add(time.Duration(rule.ReturnDays) * 24 * time.Hour)
			if now.Before(returns.Add(-returnWarnDays * 24 * time.Hour)) {
				continue
			}
			left := int(math.Ceil(returns.Sub(now).Hours() / 24))
			out = append(out, &returningAccount{Account: a, Since: since, ReturnsOn: returns, DaysLeft: max(left, 0)})
		}
		f.Offset += len(items)
		if !more {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ReturnsOn.Before(out[j].ReturnsOn) })
	return out, f.Offset >= maxAccountsScan, nil
}

// ruleOf picks the pool rule of the unit at path: its own, or the nearest
// ancestor's. Unit paths are the ids from the top ("/1/4/9/").
func ruleOf(rules []*crm.PoolRule, path string) *crm.PoolRule {
	var best *crm.PoolRule
	depth := -1
	for _, rule := range rules {
		i := strings.Index(path, "/"+strconv.FormatInt(rule.UnitID, 10)+"/")
		if i >= 0 && i > depth {
			best, depth = rule, i
		}
	}
	return best
}
