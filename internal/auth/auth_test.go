package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/auth"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/password"
)

const testPassword = "correct horse battery"

// clock is a settable time source for auth.Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// env is a company of two reps and an admin, and an auth service on a test clock.
type env struct {
	d     *db.DB
	org   *org.Service
	auth  *auth.Service
	audit *audit.Service
	clock *clock
	cfg   auth.Config

	admin, rep, colleague *org.Person
	team                  *org.Unit
}

// newEnv builds the environment; the policy is auth.DefaultConfig on a clock
// standing at 1 March 2026, 09:00 in Shanghai.
func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	e := &env{d: d, org: org.NewService(d, password.Params{Memory: 1024, Time: 1, Threads: 1}), audit: audit.NewService(d)}
	e.clock = &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))}
	e.cfg = auth.DefaultConfig()
	e.cfg.Now = e.clock.Now
	var err error
	if e.auth, err = auth.NewService(d, e.cfg, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	sys := echelon.NewContext(context.Background(), echelon.SystemActor("test"))
	region, err := e.org.CreateUnit(sys, org.UnitInput{ParentID: 1, Kind: org.KindRegion, Name: "East"})
	if err != nil {
		t.Fatal(err)
	}
	if e.team, err = e.org.CreateUnit(sys, org.UnitInput{ParentID: region.ID, Kind: org.KindTeam, Name: "East Team"}); err != nil {
		t.Fatal(err)
	}
	person := func(email, name string, role echelon.Role, unit int64) *org.Person {
		p, err := e.org.CreatePerson(sys, org.PersonInput{Email: email, Name: name, Role: role, UnitID: unit, Lang: "zh-CN", Password: testPassword})
		if err != nil {
			t.Fatalf("create %s: %v", email, err)
		}
		return p
	}
	e.admin = person("ada@example.com", "Ada", echelon.RoleAdmin, 0)
	e.rep = person("zhao@example.com", "赵磊", echelon.RoleRep, e.team.ID)
	e.colleague = person("qian@example.com", "钱芳", echelon.RoleRep, e.team.ID)
	return e
}

// as returns a context in which p is signed in.
func as(p *org.Person) context.Context {
	return echelon.NewContext(context.Background(), &echelon.Actor{PersonID: p.ID, Name: p.Name, Role: p.Role, UnitID: p.UnitID, UnitPath: p.UnitPath})
}

// wantErr checks err's code and catalogue key.
func wantErr(t *testing.T, err error, code, key string) {
	t.Helper()
	var e *echelon.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want %s %s", err, code, key)
	}
	if e.Code != code || e.Key != key {
		t.Fatalf("got %s %s, want %s %s", e.Code, e.Key, code, key)
	}
}

// failedLogins reads the stored failure count and lock of a person.
func (e *env) failedLogins(t *testing.T, p *org.Person) (n int, locked bool) {
	t.Helper()
	ctx := context.Background()
	err := e.d.View(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT failed_logins, locked_until IS NOT NULL FROM people WHERE id = ?`, p.ID).Scan(&n, &locked)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n, locked
}

// count runs a COUNT(*) query.
func (e *env) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := e.d.View(ctx, func(tx *db.Tx) error { return tx.QueryRow(ctx, query, args...).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestService_Login(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()

		t.Run("OK", func(t *testing.T) {
			s, err := e.auth.Login(ctx, "zhao@example.com", testPassword)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Token) < 40 || len(s.CSRF) < 40 || s.Token == s.CSRF {
				t.Errorf("weak or reused secrets: token %q csrf %q", s.Token, s.CSRF)
			}
			if want := e.clock.Now().Add(e.cfg.AbsoluteTimeout); !s.ExpiresAt.Equal(want) {
				t.Errorf("expires %v, want %v", s.ExpiresAt, want)
			}
			a, csrf, err := e.auth.Authenticate(ctx, s.Token)
			if err != nil {
				t.Fatal(err)
			}
			want := echelon.Actor{PersonID: e.rep.ID, Name: "赵磊", Role: echelon.RoleRep, UnitID: e.team.ID, UnitPath: e.team.Path, Lang: "zh-CN"}
			if *a != want {
				t.Errorf("actor %+v, want %+v", *a, want)
			}
			if csrf != s.CSRF {
				t.Errorf("csrf %q, want the one issued at sign-in %q", csrf, s.CSRF)
			}
			if n := e.count(t, `SELECT COUNT(*) FROM sessions WHERE id = ?`, s.Token); n != 0 {
				t.Error("the session id is stored in the clear")
			}
		})

		t.Run("OKEmailIgnoresCaseAndSpaces", func(t *testing.T) {
			s, err := e.auth.Login(ctx, "  ZHAO@Example.COM ", testPassword)
			if err != nil {
				t.Fatal(err)
			}
			a, _, err := e.auth.Authenticate(ctx, s.Token)
			if err != nil || a.PersonID != e.rep.ID {
				t.Fatalf("actor %+v, %v", a, err)
			}
		})

		t.Run("OKEachSignInIsANewSession", func(t *testing.T) {
			s1, err := e.auth.Login(ctx, "zhao@example.com", testPassword)
			if err != nil {
				t.Fatal(err)
			}
			s2, err := e.auth.Login(ctx, "zhao@example.com", testPassword)
			if err != nil {
				t.Fatal(err)
			}
			if s1.Token == s2.Token || s1.CSRF == s2.CSRF {
				t.Error("two sign-ins share a session")
			}
		})

		t.Run("OKAudited", func(t *testing.T) {
			es, _, err := e.audit.FindEntries(as(e.admin), audit.Filter{Entity: "person", EntityID: fmt.Sprint(e.rep.ID), Action: "sign_in"})
			if err != nil {
				t.Fatal(err)
			}
			if len(es) == 0 || es[0].ActorID != e.rep.ID || es[0].ActorName != "赵磊" {
				t.Fatalf("sign-in entries %+v", es)
			}
			var after map[string]string
			if err := json.Unmarshal(es[0].After, &after); err != nil || after["via"] != "web" {
				t.Errorf("after %s", es[0].After)
			}
		})

		for _, tt := range []struct {
			name, email, password string
		}{
			{"ErrWrongPassword", "zhao@example.com", "wrong horse battery"},
			{"ErrPasswordCaseMatters", "zhao@example.com", "CORRECT HORSE BATTERY"},
			{"ErrEmptyPassword", "zhao@example.com", ""},
			{"ErrUnknownEmail", "nobody@example.com", testPassword},
			{"ErrEmptyEmail", "", testPassword},
		} {
			t.Run(tt.name, func(t *testing.T) {
				sessions := e.count(t, `SELECT COUNT(*) FROM sessions`)
				s, err := e.auth.Login(ctx, tt.email, tt.password)
				wantErr(t, err, echelon.EUNAUTHORIZED, "auth.bad_credentials")
				if s != nil {
					t.Errorf("got a session %+v", s)
				}
				if n := e.count(t, `SELECT COUNT(*) FROM sessions`); n != sessions {
					t.Errorf("sessions %d → %d", sessions, n)
				}
			})
		}

		t.Run("ErrNoPasswordSet", func(t *testing.T) {
			sys := echelon.NewContext(ctx, echelon.SystemActor("test"))
			p, err := e.org.CreatePerson(sys, org.PersonInput{Email: "nopw@example.com", Name: "No password", Role: echelon.RoleRep, UnitID: e.team.ID})
			if err != nil {
				t.Fatal(err)
			}
			for _, pw := range []string{"", testPassword} {
				_, err = e.auth.Login(ctx, p.Email, pw)
				wantErr(t, err, echelon.EUNAUTHORIZED, "auth.bad_credentials")
			}
		})

		t.Run("ErrDeactivated", func(t *testing.T) {
			sys := echelon.NewContext(ctx, echelon.SystemActor("test"))
			p, err := e.org.CreatePerson(sys, org.PersonInput{Email: "left@example.com", Name: "Left", Role: echelon.RoleRep, UnitID: e.team.ID, Password: testPassword})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.org.UpdatePerson(sys, p.ID, org.PersonUpdate{Active: ptr(false)}); err != nil {
				t.Fatal(err)
			}
			_, err = e.auth.Login(ctx, p.Email, testPassword)
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.bad_credentials")
			_, err = e.auth.LoginToken(ctx, p.Email, testPassword)
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.bad_credentials")
		})
	})
}

func TestService_Login_Lockout(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		fail := func(t *testing.T, n int) {
			t.Helper()
			for i := 0; i < n; i++ {
				_, err := e.auth.Login(ctx, e.rep.Email, "wrong password")
				wantErr(t, err, echelon.EUNAUTHORIZED, "auth.bad_credentials")
			}
		}

		t.Run("SuccessResetsTheCount", func(t *testing.T) {
			fail(t, e.cfg.MaxFailures-1)
			if n, locked := e.failedLogins(t, e.rep); n != e.cfg.MaxFailures-1 || locked {
				t.Fatalf("after %d failures: count %d locked %v", e.cfg.MaxFailures-1, n, locked)
			}
			if _, err := e.auth.Login(ctx, e.rep.Email, testPassword); err != nil {
				t.Fatal(err)
			}
			if n, _ := e.failedLogins(t, e.rep); n != 0 {
				t.Errorf("count %d after a good sign-in", n)
			}
			fail(t, e.cfg.MaxFailures-1)
			if _, err := e.auth.Login(ctx, e.rep.Email, testPassword); err != nil {
				t.Errorf("locked after %d fresh failures: %v", e.cfg.MaxFailures-1, err)
			}
		})

		t.Run("LockedAfterFiveFailures", func(t *testing.T) {
			fail(t, 5)
			_, err := e.auth.Login(ctx, e.rep.Email, testPassword)
			wantErr(t, err, echelon.ELOCKED, "auth.locked")
			var ee *echelon.Error
			errors.As(err, &ee)
			if len(ee.Args) != 1 || ee.Args[0] != 15 {
				t.Errorf("minutes left %v, want [15]", ee.Args)
			}
			_, err = e.auth.LoginToken(ctx, e.rep.Email, testPassword)
			wantErr(t, err, echelon.ELOCKED, "auth.locked")
			_, err = e.auth.Login(ctx, "ZHAO@example.com", "wrong password")
			wantErr(t, err, echelon.ELOCKED, "auth.locked")
		})

		t.Run("OthersUnaffected", func(t *testing.T) {
			if _, err := e.auth.Login(ctx, e.colleague.Email, testPassword); err != nil {
				t.Errorf("colleague: %v", err)
			}
		})

		t.Run("StillLockedJustBeforeTheEnd", func(t *testing.T) {
			e.clock.Advance(e.cfg.LockDuration - 30*time.Second)
			_, err := e.auth.Login(ctx, e.rep.Email, testPassword)
			wantErr(t, err, echelon.ELOCKED, "auth.locked")
			var ee *echelon.Error
			errors.As(err, &ee)
			if len(ee.Args) != 1 || ee.Args[0] != 1 {
				t.Errorf("minutes left %v, want [1]", ee.Args)
			}
		})

		t.Run("UnlockedAfterLockDuration", func(t *testing.T) {
			e.clock.Advance(time.Minute)
			s, err := e.auth.Login(ctx, e.rep.Email, testPassword)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := e.auth.Authenticate(ctx, s.Token); err != nil {
				t.Error(err)
			}
			if n, locked := e.failedLogins(t, e.rep); n != 0 || locked {
				t.Errorf("count %d locked %v after the lock ended", n, locked)
			}
		})

		t.Run("FailureAfterLockEndsStartsAFreshCount", func(t *testing.T) {
			fail(t, 5)
			e.clock.Advance(e.cfg.LockDuration + time.Second)
			fail(t, 1)
			if _, err := e.auth.Login(ctx, e.rep.Email, testPassword); err != nil {
				t.Errorf("one failure after a lock locks again: %v", err)
			}
		})

		t.Run("AdminPasswordResetUnlocks", func(t *testing.T) {
			fail(t, 5)
			_, err := e.auth.Login(ctx, e.rep.Email, testPassword)
			wantErr(t, err, echelon.ELOCKED, "auth.locked")
			if err := e.org.SetPassword(as(e.admin), e.rep.ID, "", "a brand new phrase"); err != nil {
				t.Fatal(err)
			}
			if _, err := e.auth.Login(ctx, e.rep.Email, "a brand new phrase"); err != nil {
				t.Errorf("after reset: %v", err)
			}
		})

		t.Run("UnknownEmailLocksNothing", func(t *testing.T) {
			for i := 0; i < 6; i++ {
				_, err := e.auth.Login(ctx, "ghost@example.com", "guess")
				wantErr(t, err, echelon.EUNAUTHORIZED, "auth.bad_credentials")
			}
		})
	})
}

func ptr[T any](v T) *T { return &v }

func TestService_Login_LockoutUnderConcurrentGuessing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		const guesses = 20
		var wg sync.WaitGroup
		errs := make(chan error, guesses)
		for i := 0; i < guesses; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := e.auth.Login(ctx, e.rep.Email, fmt.Sprintf("guess number %d", i))
				errs <- err
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if c := echelon.ErrorCode(err); c != echelon.EUNAUTHORIZED && c != echelon.ELOCKED {
				t.Errorf("guess: %v", err)
			}
		}
		_, err := e.auth.Login(ctx, e.rep.Email, testPassword)
		wantErr(t, err, echelon.ELOCKED, "auth.locked")
	})
}
