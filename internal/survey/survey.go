// Package survey runs customer satisfaction (CSAT) surveys: a rep or their
// manager sends one for an account or a won deal, the customer opens a
// tokenised link without signing in and answers once with a score from 1
// to 5 and a comment. The answer counts for the rep who owned the record
// when the survey was sent; the KPI library averages the scores from
// surveys.person_id, surveys.org_unit_id, surveys.answered_at and
// surveys.score.
package survey

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
)

// Statuses of a survey, worked out from its dates and the clock.
const (
	StatusPending  = "pending"  // sent, not answered, the link still works
	StatusAnswered = "answered" // the customer answered
	StatusExpired  = "expired"  // not answered before the link expired
)

// Statuses lists the statuses in display order.
func Statuses() []string { return []string{StatusPending, StatusAnswered, StatusExpired} }

// ValidStatus reports whether s is a status a list may be filtered by.
func ValidStatus(s string) bool { return slices.Contains(Statuses(), s) }

// Survey is a survey as the people who may see it read it. The link's
// token is never stored, only its hash, so a survey does not show it.
type Survey struct {
	ID              int64      `json:"id"`
	AccountID       int64      `json:"account_id"`
	AccountName     string     `json:"account_name"`
	OpportunityID   int64      `json:"opportunity_id,omitempty"`
	OpportunityName string     `json:"opportunity_name,omitempty"`
	PersonID        int64      `json:"person_id"` // the rep the answer counts for
	PersonName      string     `json:"person_name"`
	UnitID          int64      `json:"org_unit_id"` // their unit when it was sent
	UnitName        string     `json:"org_unit_name"`
	Lang            string     `json:"lang"` // the language the customer sees
	SentByID        int64      `json:"sent_by,omitempty"`
	SentByName      string     `json:"sent_by_name,omitempty"`
	SentAt          time.Time  `json:"sent_at"`
	ExpiresAt       time.Time  `json:"expires_at"`
	AnsweredAt      *time.Time `json:"answered_at,omitempty"`
	Score           int        `json:"score,omitempty"` // 1–5 once answered
	Comment         string     `json:"comment,omitempty"`
	Status          string     `json:"status"`
	Version         int        `json:"version"`
	unitPath        string
}

// Service sends surveys, lists them in the reader's scope, and takes the
// customer's answer.
type Service struct {
	db    *db.DB
	clock func() time.Time
}

// NewService returns the survey service over d, telling the time by clock
// (time.Now in production, a test's own clock in tests).
func NewService(d *db.DB, clock func() time.Time) *Service {
	return &Service{db: d, clock: clock}
}

func (s *Service) now() time.Time { return s.clock().UTC() }

// signedIn returns the actor of ctx; nobody signed in may not call the service.
func signedIn(ctx context.Context) (*echelon.Actor, error) {
	if a := echelon.ActorFrom(ctx); a != nil {
		return a, nil
	}
	return nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
}

const surveyColumns = `s.id, s.account_id, a.name, COALESCE(s.opportunity_id, 0), COALESCE(o.name, ''), s.person_id, p.name,
	s.org_unit_id, u.name, u.path, s.lang, COALESCE(s.sent_by, 0), COALESCE(sb.name, ''), s.sent_at, s.expires_at, s.answered_at,
	COALESCE(s.score, 0), s.comment, s.version
	FROM surveys s JOIN accounts a ON a.id = s.account_id LEFT JOIN opportunities o ON o.id = s.opportunity_id
	JOIN people p ON p.id = s.person_id JOIN org_units u ON u.id = s.org_unit_id LEFT JOIN people sb ON sb.id = s.sent_by`

type scanner interface{ Scan(...any) error }

// scanSurvey reads a row of surveyColumns, with its status as of now.
func scanSurvey(row scanner, now time.Time) (*Survey, error) {
	var s Survey
	var answered sql.NullTime
	err := row.Scan(&s.ID, &s.AccountID, &s.AccountName, &s.OpportunityID, &s.OpportunityName, &s.PersonID, &s.PersonName,
		&s.UnitID, &s.UnitName, &s.unitPath, &s.Lang, &s.SentByID, &s.SentByName, &s.SentAt, &s.ExpiresAt, &answered,
		&s.Score, &s.Comment, &s.Version)
	if answered.Valid {
		s.AnsweredAt = &answered.Time
	}
	s.Status = status(s.AnsweredAt != nil, s.ExpiresAt, now)
	return &s, err
}

// status is answered once answered, else expired from expires on, else pending.
func status(answered bool, expires, now time.Time) string {
	switch {
	case answered:
		return StatusAnswered
	case !now.Before(expires):
		return StatusExpired
	}
	return StatusPending
}

// findSurvey loads one survey, whoever may see it.
func (s *Service) findSurvey(ctx context.Context, tx *db.Tx, id int64) (*Survey, error) {
	sv, err := scanSurvey(tx.QueryRow(ctx, `SELECT `+surveyColumns+` WHERE s.id = ?`, id), s.now())
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound()
	}
	if err != nil {
		return nil, fmt.Errorf("survey: find %d: %w", id, err)
	}
	return sv, nil
}

// FindSurveyByID returns one survey in the actor's scope: admin any; a
// manager those counted in their subtree; a rep their own. Others are
// not found.
func (s *Service) FindSurveyByID(ctx context.Context, id int64) (*Survey, error) {
	act, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	var out *Survey
	err = s.db.View(ctx, func(tx *db.Tx) error {
		sv, err := s.findSurvey(ctx, tx, id)
		if err != nil {
			return err
		}
		if !org.CanSeeRecord(act, sv.PersonID, sv.unitPath) {
			return notFound()
		}
		out = sv
		return nil
	})
	return out, err
}

func notFound() error { return echelon.Errorf(echelon.ENOTFOUND, "survey.not_found") }
