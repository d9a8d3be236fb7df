package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
)

// Session is a browser sign-in. Token goes into the cookie; CSRF into every form.
type Session struct {
	Token     string
	CSRF      string
	ExpiresAt time.Time
}

// Login checks the password and starts a new session with a fresh id.
func (s *Service) Login(ctx context.Context, email, pw string) (*Session, error) {
	var out *Session
	err := s.signIn(ctx, email, pw, func(tx *db.Tx, id int64) error {
		token, hash, err := newSecret()
		if err != nil {
			return err
		}
		csrf, _, err := newSecret()
		if err != nil {
			return err
		}
		now := s.now()
		out = &Session{Token: token, CSRF: csrf, ExpiresAt: now.Add(s.cfg.AbsoluteTimeout)}
		if _, err := tx.Exec(ctx, `INSERT INTO sessions (id, person_id, csrf_token, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			hash, id, csrf, now, now, out.ExpiresAt); err != nil {
			return fmt.Errorf("auth: insert session: %w", err)
		}
		return recordSignIn(ctx, tx, id, "web")
	})
	return out, err
}

// touchEvery limits how often a session's last-seen time is written.
const touchEvery = time.Minute

// Authenticate resolves a session cookie to its actor and CSRF token. An
// expired or idle session is deleted and answers EUNAUTHORIZED.
func (s *Service) Authenticate(ctx context.Context, token string) (*echelon.Actor, string, error) {
	if token == "" {
		return nil, "", echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	hash := hashSecret(token)
	var personID int64
	var csrf string
	var seen, expires time.Time
	var a *echelon.Actor
	err := s.db.View(ctx, func(tx *db.Tx) error {
		err := tx.QueryRow(ctx, `SELECT person_id, csrf_token, last_seen_at, expires_at FROM sessions WHERE id = ?`, hash).
			Scan(&personID, &csrf, &seen, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
		}
		if err != nil {
			return fmt.Errorf("auth: find session: %w", err)
		}
		a, err = loadActor(ctx, tx, personID)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	if now.After(expires) || now.Sub(seen) > s.cfg.IdleTimeout {
		if err := s.endSession(ctx, hash); err != nil {
			return nil, "", err
		}
		return nil, "", echelon.Errorf(echelon.EUNAUTHORIZED, "auth.session_expired")
	}
	if now.Sub(seen) > touchEvery {
		err := s.db.Tx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, now, hash)
			return err
		})
		if err != nil {
			return nil, "", fmt.Errorf("auth: touch session: %w", err)
		}
	}
	return a, csrf, nil
}

// Logout ends the session behind a cookie.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.db.Tx(ctx, func(tx *db.Tx) error {
		return s.signOut(ctx, tx, `DELETE FROM sessions WHERE id = ?`, hashSecret(token), "web")
	})
}

// signOut ends a session or token with query and audits it as the person
// signing out; an unknown secret changes nothing and records nothing.
func (s *Service) signOut(ctx context.Context, tx *db.Tx, query, hash, via string) error {
	res, err := tx.Exec(ctx, query, hash)
	if err != nil {
		return fmt.Errorf("auth: sign out: %w", err)
	}
	a := echelon.ActorFrom(ctx)
	if n, _ := res.RowsAffected(); n == 0 || a == nil {
		return nil
	}
	return audit.Record(ctx, tx, "sign_out", "person", a.PersonID, nil, map[string]string{"via": via})
}

func (s *Service) endSession(ctx context.Context, hash string) error {
	return s.db.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id = ?`, hash); err != nil {
			return fmt.Errorf("auth: delete session: %w", err)
		}
		return nil
	})
}

// PurgeExpired deletes sessions past their absolute or idle timeout.
func (s *Service) PurgeExpired(ctx context.Context) error {
	now := s.now()
	return s.db.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?`, now, now.Add(-s.cfg.IdleTimeout)); err != nil {
			return fmt.Errorf("auth: purge sessions: %w", err)
		}
		return nil
	})
}
