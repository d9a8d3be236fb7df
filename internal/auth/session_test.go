package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/auth"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
)

func TestService_Authenticate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		login := func(t *testing.T) *auth.Session {
			t.Helper()
			s, err := e.auth.Login(ctx, e.rep.Email, testPassword)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}

		t.Run("OKWhileUsedWithinIdleTimeout", func(t *testing.T) {
			s := login(t)
			// A working day and a half of steady use: idle gaps just under the limit.
			for i := 0; i < 3; i++ {
				e.clock.Advance(e.cfg.IdleTimeout - time.Minute)
				if _, _, err := e.auth.Authenticate(ctx, s.Token); err != nil {
					t.Fatalf("after %d idle gaps: %v", i+1, err)
				}
			}
		})

		t.Run("ErrIdleTimeout", func(t *testing.T) {
			s := login(t)
			e.clock.Advance(e.cfg.IdleTimeout + time.Second)
			_, _, err := e.auth.Authenticate(ctx, s.Token)
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.session_expired")
			// The session is gone, not merely refused.
			_, _, err = e.auth.Authenticate(ctx, s.Token)
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required")
		})

		t.Run("ErrAbsoluteTimeoutDespiteUse", func(t *testing.T) {
			s := login(t)
			end := e.clock.Now().Add(e.cfg.AbsoluteTimeout)
			step := e.cfg.IdleTimeout - time.Minute
			for e.clock.Now().Add(step).Before(end) {
				e.clock.Advance(step)
				if _, _, err := e.auth.Authenticate(ctx, s.Token); err != nil {
					t.Fatalf("at %v, before the absolute end %v: %v", e.clock.Now(), end, err)
				}
			}
			// Less than an idle gap later, but past the absolute end.
			e.clock.Advance(end.Sub(e.clock.Now()) + time.Second)
			_, _, err := e.auth.Authenticate(ctx, s.Token)
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.session_expired")
		})

		t.Run("ErrUnknownToken", func(t *testing.T) {
			for _, token := range []string{"", "not-a-session", "' OR 1=1 --"} {
				_, _, err := e.auth.Authenticate(ctx, token)
				wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required")
			}
		})

		t.Run("ErrCSRFTokenIsNotASession", func(t *testing.T) {
			s := login(t)
			_, _, err := e.auth.Authenticate(ctx, s.CSRF)
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required")
		})
	})
}

func TestService_Logout(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		phone, err := e.auth.Login(ctx, e.rep.Email, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		laptop, err := e.auth.Login(ctx, e.rep.Email, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.auth.Logout(ctx, phone.Token); err != nil {
			t.Fatal(err)
		}
		t.Run("EndsThatSession", func(t *testing.T) {
			_, _, err := e.auth.Authenticate(ctx, phone.Token)
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required")
		})
		t.Run("KeepsOtherSessions", func(t *testing.T) {
			if _, _, err := e.auth.Authenticate(ctx, laptop.Token); err != nil {
				t.Error(err)
			}
		})
		t.Run("TwiceIsHarmless", func(t *testing.T) {
			if err := e.auth.Logout(ctx, phone.Token); err != nil {
				t.Error(err)
			}
		})
	})
}

func TestService_PurgeExpired(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		idle, err := e.auth.Login(ctx, e.rep.Email, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(e.cfg.IdleTimeout - time.Hour)
		fresh, err := e.auth.Login(ctx, e.colleague.Email, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(2 * time.Hour)
		if err := e.auth.PurgeExpired(ctx); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM sessions`); n != 1 {
			t.Errorf("%d sessions left, want 1", n)
		}
		// Purged, so the answer is "sign in", not "your session expired".
		_, _, err = e.auth.Authenticate(ctx, idle.Token)
		wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required")
		if _, _, err := e.auth.Authenticate(ctx, fresh.Token); err != nil {
			t.Errorf("fresh session: %v", err)
		}
	})
}

// TestService_Deactivated checks that a person switched off loses every way in at once.
func TestService_Deactivated(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		s, err := e.auth.Login(ctx, e.rep.Email, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		bearer, err := e.auth.LoginToken(ctx, e.rep.Email, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		personal, _, err := e.auth.CreateToken(as(e.rep), "script")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.org.UpdatePerson(as(e.admin), e.rep.ID, org.PersonUpdate{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.auth.Authenticate(ctx, s.Token)
		wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required")
		for _, tok := range []string{bearer, personal} {
			_, err = e.auth.AuthenticateToken(ctx, tok)
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.token_invalid")
		}
		if n := e.count(t, `SELECT COUNT(*) FROM sessions WHERE person_id = ?`, e.rep.ID); n != 0 {
			t.Errorf("%d sessions kept", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM api_tokens WHERE person_id = ? AND revoked_at IS NULL`, e.rep.ID); n != 0 {
			t.Errorf("%d tokens left unrevoked", n)
		}
	})
}
