// Package auth signs people in and out: password checks with lock-out,
// browser sessions with CSRF tokens and idle/absolute timeouts, and API
// tokens. Only hashes of session ids and tokens are stored.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/password"
)

// Config sets the session and lock-out policy.
type Config struct {
	IdleTimeout     time.Duration // a session unused this long ends
	AbsoluteTimeout time.Duration // a session ends this long after sign-in, used or not
	LoginTokenTTL   time.Duration // lifetime of a token from POST /api/v1/auth/login
	MaxFailures     int           // consecutive failed sign-ins before the account locks
	LockDuration    time.Duration // how long a lock lasts
	Now             func() time.Time
}

// DefaultConfig is a working day of idleness, a week at most, and a
// 15-minute lock after five failures.
func DefaultConfig() Config {
	return Config{
		IdleTimeout: 8 * time.Hour, AbsoluteTimeout: 7 * 24 * time.Hour, LoginTokenTTL: 30 * 24 * time.Hour,
		MaxFailures: 5, LockDuration: 15 * time.Minute, Now: time.Now,
	}
}

// Service authenticates people.
type Service struct {
	db    *db.DB
	cfg   Config
	log   *slog.Logger
	dummy string // a hash verified for unknown e-mails, so both paths take the same time
}

// NewService returns an authentication service.
func NewService(d *db.DB, cfg Config, log *slog.Logger) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dummy, err := password.Hash("not a real password", password.Default())
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	return &Service{db: d, cfg: cfg, log: log, dummy: dummy}, nil
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// newSecret returns a random URL-safe token and the hex SHA-256 stored for it.
func newSecret() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("auth: random: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashSecret(token), nil
}

func hashSecret(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

var errBadCredentials = echelon.Errorf(echelon.EUNAUTHORIZED, "auth.bad_credentials")

// checkPassword verifies email and password, counting failures and locking
// the account after too many. It returns the person's id.
func (s *Service) checkPassword(ctx context.Context, tx *db.Tx, email, pw string) (int64, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var id int64
	var hash string
	var active bool
	var failures int
	var locked sql.NullTime
	// Concurrent attempts on one account must queue, or parallel guesses
	// each read the same failure count and a late one clears a fresh lock.
	// SQLite writers are serialised already; PostgreSQL needs the row lock.
	query := `SELECT id, password_hash, active, failed_logins, locked_until FROM people WHERE email = ?`
	if tx.Dialect() == db.Postgres {
		query += ` FOR UPDATE`
	}
	err := tx.QueryRow(ctx, query, email).Scan(&id, &hash, &active, &failures, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		_, _ = password.Verify(pw, s.dummy)
		s.log.Warn("sign-in failed", "email", email, "reason", "unknown e-mail")
		return 0, errBadCredentials
	}
	if err != nil {
		return 0, fmt.Errorf("auth: find person: %w", err)
	}
	now := s.now()
	if locked.Valid && locked.Time.After(now) {
		s.log.Warn("sign-in refused", "email", email, "reason", "locked", "until", locked.Time)
		return 0, echelon.Errorf(echelon.ELOCKED, "auth.locked", int(math.Ceil(locked.Time.Sub(now).Minutes())))
	}
	ok := false
	if hash != "" {
		if ok, err = password.Verify(pw, hash); err != nil {
			return 0, fmt.Errorf("auth: verify password of person %d: %w", id, err)
		}
	} else {
		_, _ = password.Verify(pw, s.dummy)
	}
	if ok && active {
		if _, err := tx.Exec(ctx, `UPDATE people SET failed_logins = 0, locked_until = NULL WHERE id = ?`, id); err != nil {
			return 0, fmt.Errorf("auth: reset failures: %w", err)
		}
		return id, nil
	}
	failures++
	var until any
	if failures >= s.cfg.MaxFailures {
		until = now.Add(s.cfg.LockDuration)
		failures = 0
		s.log.Warn("account locked", "email", email, "person_id", id, "until", until)
	} else {
		s.log.Warn("sign-in failed", "email", email, "person_id", id, "failures", failures, "active", active)
	}
	if _, err := tx.Exec(ctx, `UPDATE people SET failed_logins = ?, locked_until = ? WHERE id = ?`, failures, until, id); err != nil {
		return 0, fmt.Errorf("auth: count failure: %w", err)
	}
	return 0, errBadCredentials
}

// signIn runs checkPassword in a transaction that commits the failure
// count even though the sign-in itself fails.
func (s *Service) signIn(ctx context.Context, email, pw string, then func(tx *db.Tx, id int64) error) error {
	var failure error
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		id, err := s.checkPassword(ctx, tx, email, pw)
		if err != nil {
			if echelon.ErrorCode(err) == echelon.EINTERNAL {
				return err
			}
			failure = err
			return nil // commit the failure count
		}
		return then(tx, id)
	})
	if err != nil {
		return err
	}
	return failure
}

// loadActor builds the actor of an active person.
func loadActor(ctx context.Context, tx *db.Tx, id int64) (*echelon.Actor, error) {
	a := &echelon.Actor{}
	err := tx.QueryRow(ctx, `SELECT p.id, p.name, p.role, COALESCE(p.org_unit_id, 0), COALESCE(u.path, ''), p.lang
		FROM people p LEFT JOIN org_units u ON u.id = p.org_unit_id WHERE p.id = ? AND p.active`, id).
		Scan(&a.PersonID, &a.Name, &a.Role, &a.UnitID, &a.UnitPath, &a.Lang)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	if err != nil {
		return nil, fmt.Errorf("auth: load actor %d: %w", id, err)
	}
	return a, nil
}

// recordSignIn audits a sign-in as the person who signed in.
func recordSignIn(ctx context.Context, tx *db.Tx, id int64, how string) error {
	a, err := loadActor(ctx, tx, id)
	if err != nil {
		return err
	}
	return audit.Record(echelon.NewContext(ctx, a), tx, "sign_in", "person", id, nil, map[string]string{"via": how})
}
