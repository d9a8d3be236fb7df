package survey

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
)

// The answer's bounds: a score from MinScore (very dissatisfied) to
// MaxScore (very satisfied), a comment of up to MaxComment characters.
const (
	MinScore   = 1
	MaxScore   = 5
	MaxComment = 2000
)

// customer is who the audit log names for an answer: the customer is not
// signed in and has no person record.
const customer = "customer"

// newToken returns a random link token and the hex SHA-256 stored for it.
func newToken() (token, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("survey: random token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, hashToken(token), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Public is what the customer sees of a survey: the names of their
// company and of the deal it asks about, and the language to ask in.
// Nothing else about the survey, the rep or the company leaves the service.
type Public struct {
	AccountName     string
	OpportunityName string
	Lang            string
}

// link is the survey behind a token that may still be answered.
type link struct {
	Public
	id int64
}

// findLink finds the survey behind token and refuses it when it cannot be
// answered, with one error for each reason. An unknown token gets the
// same answer whether or not it ever existed.
func (s *Service) findLink(ctx context.Context, tx *db.Tx, token string) (*link, error) {
	var l link
	var expires time.Time
	var answered sql.NullTime
	err := tx.QueryRow(ctx, `SELECT s.id, a.name, COALESCE(o.name, ''), s.lang, s.expires_at, s.answered_at
		FROM surveys s JOIN accounts a ON a.id = s.account_id LEFT JOIN opportunities o ON o.id = s.opportunity_id
		WHERE s.token_hash = ?`, hashToken(token)).Scan(&l.id, &l.AccountName, &l.OpportunityName, &l.Lang, &expires, &answered)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "survey.link_invalid")
	}
	if err != nil {
		return nil, fmt.Errorf("survey: find link: %w", err)
	}
	switch status(answered.Valid, expires, s.now()) {
	case StatusAnswered:
		return nil, echelon.Errorf(echelon.ECONFLICT, "survey.answered")
	case StatusExpired:
		return nil, echelon.Errorf(echelon.ECONFLICT, "survey.expired")
	}
	return &l, nil
}

// Open returns what the customer sees of the survey behind token, or why
// it cannot be answered: an unknown link (not found), an answered survey
// or an expired link (conflict). Nobody needs to be signed in.
func (s *Service) Open(ctx context.Context, token string) (*Public, error) {
	var out *Public
	err := s.db.View(ctx, func(tx *db.Tx) error {
		l, err := s.findLink(ctx, tx, token)
		if err != nil {
			return err
		}
		out = &l.Public
		return nil
	})
	return out, err
}

// checkAnswer bounds the score and the comment, returning the comment trimmed.
func checkAnswer(score int, comment string) (string, error) {
	if score < MinScore || score > MaxScore {
		return "", echelon.FieldError("score", "survey.score_range", MinScore, MaxScore)
	}
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > MaxComment {
		return "", echelon.FieldError("comment", "field.too_long", MaxComment)
	}
	return comment, nil
}

// Answer records the customer's score (1–5) and comment on the survey
// behind token, once, in one transaction with its audit entry. The link's
// state is checked first (as Open does), then the answer. Of two answers
// sent at the same moment exactly one is taken; the other is refused as
// already answered.
func (s *Service) Answer(ctx context.Context, token string, score int, comment string) (*Public, error) {
	ctx = echelon.NewContext(ctx, &echelon.Actor{Name: customer})
	var out *Public
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		l, err := s.findLink(ctx, tx, token)
		if err != nil {
			return err
		}
		if comment, err = checkAnswer(score, comment); err != nil {
			return err
		}
		if err := s.answer(ctx, tx, l.id, score, comment); err != nil {
			return err
		}
		out = &l.Public
		return nil
	})
	return out, err
}

// answer writes the answer unless another transaction wrote one first: the
// condition on answered_at is checked again by the UPDATE itself, after
// waiting for any concurrent answer to commit.
func (s *Service) answer(ctx context.Context, tx *db.Tx, id int64, score int, comment string) error {
	before, err := s.findSurvey(ctx, tx, id)
	if err != nil {
		return err
	}
	res, err := tx.Exec(ctx, `UPDATE surveys SET answered_at = ?, score = ?, comment = ?, version = version + 1
		WHERE id = ? AND answered_at IS NULL`, s.now(), score, comment, id)
	if err != nil {
		return fmt.Errorf("survey: answer %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("survey: answer %d: %w", id, err)
	}
	if n == 0 {
		return echelon.Errorf(echelon.ECONFLICT, "survey.answered")
	}
	after, err := s.findSurvey(ctx, tx, id)
	if err != nil {
		return err
	}
	return audit.Record(ctx, tx, "answer", "survey", id, before, after)
}
