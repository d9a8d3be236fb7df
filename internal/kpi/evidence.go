package kpi

import (
	"context"
	"fmt"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
)

// EvidenceRow is one record behind a KPI: a deal or an activity.
type EvidenceRow struct {
	Kind     string `json:"kind"` // opportunity, activity or survey
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Account  string `json:"account,omitempty"`
	Owner    string `json:"owner"`
	Amount   int64  `json:"amount,omitempty"` // a deal's amount, or a survey's score
	Currency string `json:"currency,omitempty"`
	Stage    string `json:"stage,omitempty"`
	Date     string `json:"date"` // close date, expected close, or the activity's day
}

// Evidence is the records behind one KPI of a card, a page at a time,
// with the count and amount of all of them (which the KPI is made of).
type Evidence struct {
	Code   string        `json:"code"`
	Period string        `json:"period"`
	Count  int64         `json:"count"`
	Amount int64         `json:"amount"`
	Rows   []EvidenceRow `json:"rows"`
	More   bool          `json:"more"`
}

// maxEvidencePage bounds one page of evidence.
const maxEvidencePage = 200

// Evidence lists the records behind a KPI for a subject in a period.
func (s *Service) Evidence(ctx context.Context, ref Ref, code, at, currency string, offset, limit int) (*Evidence, error) {
	d, ok := Find(code)
	if !ok {
		return nil, echelon.FieldError("kpi", "kpi.unknown", code)
	}
	if limit <= 0 || limit > maxEvidencePage {
		limit = 50
	}
	var out *Evidence
	err := s.db.View(ctx, func(tx *db.Tx) error {
		sc, err := s.Open(ctx, tx, ref, at, currency)
		if err != nil {
			return err
		}
		out, err = sc.evidence(ctx, tx, d, max(offset, 0), limit)
		return err
	})
	return out, err
}

func (sc *Scope) evidence(ctx context.Context, tx *db.Tx, d Def, offset, limit int) (*Evidence, error) {
	ev := &Evidence{Code: d.Code, Period: sc.Period.String(), Rows: []EvidenceRow{}}
	var q string
	var args []any
	switch d.Evidence {
	case EvidenceActivities:
		q, args = sc.activityQuery(activityKind(d.Code))
	case EvidenceSurveys:
		q, args = sc.surveyQuery()
	default:
		currency := ""
		if d.Unit == UnitMoney {
			currency = sc.Currency
		}
		q, args = sc.dealQuery(d.Evidence, currency)
	}
	if err := tx.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM (`+q+`) e`, args...).Scan(&ev.Count, &ev.Amount); err != nil {
		return nil, fmt.Errorf("kpi: evidence totals: %w", err)
	}
	rs, err := tx.Query(ctx, q+` ORDER BY day DESC, id DESC LIMIT ? OFFSET ?`, append(args, limit+1, offset)...)
	if err != nil {
		return nil, fmt.Errorf("kpi: evidence: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var r EvidenceRow
		var day time.Time
		if err := rs.Scan(&r.ID, &r.Name, &r.Account, &r.Owner, &r.Amount, &r.Currency, &r.Stage, &day); err != nil {
			return nil, fmt.Errorf("kpi: scan evidence: %w", err)
		}
		r.Kind, r.Date = "opportunity", day.Format(time.DateOnly)
		switch d.Evidence {
		case EvidenceActivities:
			r.Kind, r.Date = "activity", day.In(sc.Calendar.Zone).Format(time.DateOnly)
		case EvidenceSurveys:
			r.Kind, r.Date = "survey", day.In(sc.Calendar.Zone).Format(time.DateOnly)
		}
		ev.Rows = append(ev.Rows, r)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("kpi: evidence: %w", err)
	}
	if len(ev.Rows) > limit {
		ev.Rows, ev.More = ev.Rows[:limit], true
	}
	return ev, nil
}

// dateBounds are the first day of the period and the first day after it, as stored dates.
func (sc *Scope) dateBounds() (time.Time, time.Time) {
	f, l := sc.Period.First, sc.Period.Last().Add(1)
	return time.Date(f.Year(), f.Calendar(), 1, 0, 0, 0, 0, time.UTC), time.Date(l.Year(), l.Calendar(), 1, 0, 0, 0, 0, time.UTC)
}

// dealQuery selects the deals behind a deal KPI, with the same attribution as the totals.
func (sc *Scope) dealQuery(kind, currency string) (string, []any) {
	cond, subj := sc.Subject.cond("o.owner_id", "o.org_unit_id")
	from, to := sc.dateBounds()
	day := "o.closed_on"
	where := map[string]string{
		EvidenceWon:    "st.outcome = 'won'",
		EvidenceLost:   "st.outcome = 'lost'",
		EvidenceClosed: "st.outcome IN ('won', 'lost')",
		EvidenceOpen:   "st.outcome = 'open'",
		EvidenceNewCustomers: `st.outcome = 'won' AND o.account_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM opportunities e
			JOIN stages es ON es.id = e.stage_id WHERE e.account_id = o.account_id AND es.outcome = 'won' AND e.closed_on IS NOT NULL
			AND (e.closed_on < o.closed_on OR (e.closed_on = o.closed_on AND e.id < o.id)))`,
	}[kind]
	if kind == EvidenceOpen {
		day = "o.expected_close"
	}
	q := `SELECT o.id AS id, o.name, COALESCE(a.name, ''), p.name, o.amount AS amount, o.currency, st.code, ` + day + ` AS day
		FROM opportunities o JOIN stages st ON st.id = o.stage_id JOIN people p ON p.id = o.owner_id
		LEFT JOIN accounts a ON a.id = o.account_id
		WHERE ` + where + ` AND ` + cond + ` AND ` + day + ` >= ? AND ` + day + ` < ?`
	args := []any{subj, from, to}
	if currency != "" {
		q += ` AND o.currency = ?`
		args = append(args, currency)
	}
	return q, args
}

// surveyQuery selects the answered surveys behind CSAT: amount is the score.
func (sc *Scope) surveyQuery() (string, []any) {
	cond, subj := sc.Subject.cond("s.person_id", "s.org_unit_id")
	q := `SELECT s.id AS id, COALESCE(o.name, a.name), a.name, p.name, s.score AS amount, '', '', s.answered_at AS day
		FROM surveys s JOIN accounts a ON a.id = s.account_id JOIN people p ON p.id = s.person_id
		LEFT JOIN opportunities o ON o.id = s.opportunity_id
		WHERE ` + cond + ` AND s.answered_at >= ? AND s.answered_at < ?`
	return q, []any{subj, sc.Calendar.Start(sc.Period).UTC(), sc.Calendar.End(sc.Period).UTC()}
}

// activityQuery selects the activities behind an activity count (kind "" for all).
func (sc *Scope) activityQuery(kind string) (string, []any) {
	cond, subj := sc.Subject.cond("x.owner_id", "x.org_unit_id")
	q := `SELECT x.id AS id, x.subject, COALESCE(a.name, ''), p.name, 0 AS amount, '', x.kind, x.at AS day
		FROM activities x JOIN people p ON p.id = x.owner_id LEFT JOIN accounts a ON a.id = x.account_id
		WHERE ` + cond + ` AND x.at >= ? AND x.at < ?`
	args := []any{subj, sc.Calendar.Start(sc.Period).UTC(), sc.Calendar.End(sc.Period).UTC()}
	if kind != "" {
		q += ` AND x.kind = ?`
		args = append(args, kind)
	}
	return q, args
}
