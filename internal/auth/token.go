package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
)

// Token describes an API token; the secret itself is shown only once, at creation.
type Token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
}

// loginTokenName marks tokens issued by POST /api/v1/auth/login.
const loginTokenName = "api-login"

// LoginToken checks the password and issues an expiring API token.
func (s *Service) LoginToken(ctx context.Context, email, pw string) (string, error) {
	var token string
	err := s.signIn(ctx, email, pw, func(tx *db.Tx, id int64) error {
		var err error
		exp := s.now().Add(s.cfg.LoginTokenTTL)
		if token, _, err = s.insertToken(ctx, tx, id, loginTokenName, &exp); err != nil {
			return err
		}
		return recordSignIn(ctx, tx, id, "api")
	})
	return token, err
}

func (s *Service) insertToken(ctx context.Context, tx *db.Tx, personID int64, name string, expires *time.Time) (string, int64, error) {
	token, hash, err := newSecret()
	if err != nil {
		return "", 0, err
	}
	id, err := tx.InsertID(ctx, `INSERT INTO api_tokens (person_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		personID, name, hash, s.now(), expires)
	if err != nil {
		return "", 0, fmt.Errorf("auth: insert token: %w", err)
	}
	return token, id, nil
}

// AuthenticateToken resolves a bearer token to its actor.
func (s *Service) AuthenticateToken(ctx context.Context, token string) (*echelon.Actor, error) {
	hash := hashSecret(token)
	var id, personID int64
	var expires, used sql.NullTime
	var a *echelon.Actor
	err := s.db.View(ctx, func(tx *db.Tx) error {
		err := tx.QueryRow(ctx, `SELECT id, person_id, expires_at, last_used_at FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`, hash).
			Scan(&id, &personID, &expires, &used)
		if errors.Is(err, sql.ErrNoRows) {
			return echelon.Errorf(echelon.EUNAUTHORIZED, "auth.token_invalid")
		}
		if err != nil {
			return fmt.Errorf("auth: find token: %w", err)
		}
		a, err = loadActor(ctx, tx, personID)
		return err
	})
	if err != nil {
		return nil, err
	}
	now := s.now()
	if expires.Valid && now.After(expires.Time) {
		return nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.token_invalid")
	}
	if !used.Valid || now.Sub(used.Time) > touchEvery {
		err := s.db.Tx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now, id)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("auth: touch token: %w", err)
		}
	}
	return a, nil
}

// RevokeBearer revokes the token presented (API logout).
func (s *Service) RevokeBearer(ctx context.Context, token string) error {
	return s.db.Tx(ctx, func(tx *db.Tx) error {
		return s.signOut(ctx, tx, `UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE token_hash = ? AND revoked_at IS NULL`, hashSecret(token), "api")
	})
}

// CreateToken issues a personal API token for the signed-in person. The
// returned secret is never shown again.
func (s *Service) CreateToken(ctx context.Context, name string) (string, *Token, error) {
	a := echelon.ActorFrom(ctx)
	if a == nil {
		return "", nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return "", nil, echelon.FieldError("name", "field.required")
	}
	if utf8.RuneCountInString(name) > 100 {
		return "", nil, echelon.FieldError("name", "field.too_long", 100)
	}
	var secret string
	var tok *Token
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		var id int64
		var err error
		if secret, id, err = s.insertToken(ctx, tx, a.PersonID, name, nil); err != nil {
			return err
		}
		tok = &Token{ID: id, Name: name, CreatedAt: s.now()}
		return audit.Record(ctx, tx, "create", "api_token", id, nil, tok)
	})
	return secret, tok, err
}

// FindTokens lists the signed-in person's own active personal tokens.
func (s *Service) FindTokens(ctx context.Context) ([]*Token, error) {
	a := echelon.ActorFrom(ctx)
	if a == nil {
		return nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	var out []*Token
	err := s.db.View(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, name, created_at, last_used_at, expires_at FROM api_tokens
			WHERE person_id = ? AND revoked_at IS NULL AND name <> ? ORDER BY id`, a.PersonID, loginTokenName)
		if err != nil {
			return fmt.Errorf("auth: find tokens: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var t Token
			var used, exp sql.NullTime
			if err := rows.Scan(&t.ID, &t.Name, &t.CreatedAt, &used, &exp); err != nil {
				return fmt.Errorf("auth: scan token: %w", err)
			}
			if used.Valid {
				t.LastUsedAt = &used.Time
			}
			if exp.Valid {
				t.ExpiresAt = &exp.Time
			}
			out = append(out, &t)
		}
		return rows.Err()
	})
	return out, err
}

// RevokeToken revokes one of the signed-in person's own tokens; another's is ENOTFOUND.
func (s *Service) RevokeToken(ctx context.Context, id int64) error {
	a := echelon.ActorFrom(ctx)
	if a == nil {
		return echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	return s.db.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND person_id = ? AND revoked_at IS NULL`, s.now(), id, a.PersonID)
		if err != nil {
			return fmt.Errorf("auth: revoke token %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return echelon.Errorf(echelon.ENOTFOUND, "token.not_found")
		}
		return audit.Record(ctx, tx, "revoke", "api_token", id, nil, nil)
	})
}
