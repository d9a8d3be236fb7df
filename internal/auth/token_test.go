package auth_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

func TestService_LoginToken(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()

		t.Run("OK", func(t *testing.T) {
			tok, err := e.auth.LoginToken(ctx, " Zhao@Example.com", testPassword)
			if err != nil {
				t.Fatal(err)
			}
			a, err := e.auth.AuthenticateToken(ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			if a.PersonID != e.rep.ID || a.Role != echelon.RoleRep || a.UnitPath != e.team.Path {
				t.Errorf("actor %+v", a)
			}
			if n := e.count(t, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?`, tok); n != 0 {
				t.Error("the token is stored in the clear")
			}
			es, _, err := e.audit.FindEntries(as(e.admin), audit.Filter{Entity: "person", EntityID: fmt.Sprint(e.rep.ID), Action: "sign_in"})
			if err != nil || len(es) != 1 || !strings.Contains(string(es[0].After), `"api"`) {
				t.Errorf("sign-in entries %+v (%v)", es, err)
			}
		})

		t.Run("ErrWrongPassword", func(t *testing.T) {
			tok, err := e.auth.LoginToken(ctx, e.rep.Email, "wrong password")
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.bad_credentials")
			if tok != "" {
				t.Errorf("got token %q", tok)
			}
		})

		t.Run("NotListedAmongPersonalTokens", func(t *testing.T) {
			ts, err := e.auth.FindTokens(as(e.rep))
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 0 {
				t.Errorf("sign-in tokens listed: %+v", ts)
			}
		})

		t.Run("ErrExpired", func(t *testing.T) {
			tok, err := e.auth.LoginToken(ctx, e.rep.Email, testPassword)
			if err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(e.cfg.LoginTokenTTL - time.Minute)
			if _, err := e.auth.AuthenticateToken(ctx, tok); err != nil {
				t.Fatalf("before expiry: %v", err)
			}
			e.clock.Advance(2 * time.Minute)
			_, err = e.auth.AuthenticateToken(ctx, tok)
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.token_invalid")
		})

		t.Run("RevokeBearer", func(t *testing.T) {
			tok, err := e.auth.LoginToken(ctx, e.rep.Email, testPassword)
			if err != nil {
				t.Fatal(err)
			}
			other, err := e.auth.LoginToken(ctx, e.rep.Email, testPassword)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.auth.RevokeBearer(ctx, tok); err != nil {
				t.Fatal(err)
			}
			_, err = e.auth.AuthenticateToken(ctx, tok)
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.token_invalid")
			if _, err := e.auth.AuthenticateToken(ctx, other); err != nil {
				t.Errorf("another token of the same person: %v", err)
			}
			if err := e.auth.RevokeBearer(ctx, tok); err != nil {
				t.Errorf("revoking twice: %v", err)
			}
		})

		t.Run("ErrUnknownToken", func(t *testing.T) {
			for _, tok := range []string{"", "made-up", "' OR 1=1 --"} {
				_, err := e.auth.AuthenticateToken(ctx, tok)
				wantErr(t, err, echelon.EUNAUTHORIZED, "auth.token_invalid")
			}
		})

		t.Run("ErrSessionTokenIsNotABearer", func(t *testing.T) {
			s, err := e.auth.Login(ctx, e.rep.Email, testPassword)
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.auth.AuthenticateToken(ctx, s.Token)
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.token_invalid")
		})
	})
}

func TestService_CreateToken(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()

		t.Run("OK", func(t *testing.T) {
			secret, tok, err := e.auth.CreateToken(as(e.rep), "  CRM sync  ")
			if err != nil {
				t.Fatal(err)
			}
			if tok.Name != "CRM sync" || tok.ID == 0 || tok.ExpiresAt != nil || tok.LastUsedAt != nil || !tok.CreatedAt.Equal(e.clock.Now()) {
				t.Errorf("got %+v", tok)
			}
			a, err := e.auth.AuthenticateToken(ctx, secret)
			if err != nil || a.PersonID != e.rep.ID {
				t.Fatalf("actor %+v, %v", a, err)
			}
			es, _, err := e.audit.FindEntries(as(e.admin), audit.Filter{Entity: "api_token", EntityID: fmt.Sprint(tok.ID)})
			if err != nil || len(es) != 1 || es[0].Action != "create" || es[0].ActorID != e.rep.ID {
				t.Fatalf("audit entries %+v (%v)", es, err)
			}
			if strings.Contains(string(es[0].After), secret) {
				t.Error("the audit log holds the token secret")
			}
		})

		for _, tt := range []struct {
			name string
			ctx  context.Context
			tok  string
			code string
			key  string
		}{
			{"ErrNameEmpty", as(e.rep), "  ", echelon.EINVALID, "field.required"},
			{"ErrNameTooLong", as(e.rep), strings.Repeat("令", 101), echelon.EINVALID, "field.too_long"},
			{"ErrNobodySignedIn", ctx, "script", echelon.EUNAUTHORIZED, "auth.required"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := e.count(t, `SELECT COUNT(*) FROM api_tokens`)
				_, _, err := e.auth.CreateToken(tt.ctx, tt.tok)
				wantErr(t, err, tt.code, tt.key)
				if n := e.count(t, `SELECT COUNT(*) FROM api_tokens`); n != before {
					t.Errorf("tokens %d → %d", before, n)
				}
			})
		}
	})
}

func TestService_FindTokens(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		s1, _, err := e.auth.CreateToken(as(e.rep), "laptop")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.auth.CreateToken(as(e.rep), "phone"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.auth.CreateToken(as(e.colleague), "colleague's"); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		if _, err := e.auth.AuthenticateToken(ctx, s1); err != nil {
			t.Fatal(err)
		}

		ts, err := e.auth.FindTokens(as(e.rep))
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 2 || ts[0].Name != "laptop" || ts[1].Name != "phone" {
			t.Fatalf("got %+v", ts)
		}
		if ts[0].LastUsedAt == nil || !ts[0].LastUsedAt.Equal(e.clock.Now()) {
			t.Errorf("laptop last used %v, want %v", ts[0].LastUsedAt, e.clock.Now())
		}
		if ts[1].LastUsedAt != nil {
			t.Errorf("phone last used %v, never used", ts[1].LastUsedAt)
		}
		_, err = e.auth.FindTokens(ctx)
		wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required")
	})
}

func TestService_RevokeToken(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		secret, tok, err := e.auth.CreateToken(as(e.rep), "laptop")
		if err != nil {
			t.Fatal(err)
		}
		theirs, their, err := e.auth.CreateToken(as(e.colleague), "colleague's")
		if err != nil {
			t.Fatal(err)
		}

		t.Run("ErrAnotherPersonsToken", func(t *testing.T) {
			err := e.auth.RevokeToken(as(e.rep), their.ID)
			wantErr(t, err, echelon.ENOTFOUND, "token.not_found")
			// Personal tokens are personal: not even an admin revokes another's here.
			err = e.auth.RevokeToken(as(e.admin), their.ID)
			wantErr(t, err, echelon.ENOTFOUND, "token.not_found")
			if _, err := e.auth.AuthenticateToken(ctx, theirs); err != nil {
				t.Errorf("colleague's token stopped working: %v", err)
			}
		})

		t.Run("ErrUnknown", func(t *testing.T) {
			err := e.auth.RevokeToken(as(e.rep), 9999)
			wantErr(t, err, echelon.ENOTFOUND, "token.not_found")
		})

		t.Run("ErrNobodySignedIn", func(t *testing.T) {
			err := e.auth.RevokeToken(ctx, tok.ID)
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required")
		})

		t.Run("OKOwnToken", func(t *testing.T) {
			if err := e.auth.RevokeToken(as(e.rep), tok.ID); err != nil {
				t.Fatal(err)
			}
			_, err := e.auth.AuthenticateToken(ctx, secret)
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.token_invalid")
			ts, err := e.auth.FindTokens(as(e.rep))
			if err != nil || len(ts) != 0 {
				t.Errorf("revoked token still listed: %+v (%v)", ts, err)
			}
			es, _, err := e.audit.FindEntries(as(e.admin), audit.Filter{Entity: "api_token", EntityID: fmt.Sprint(tok.ID), Action: "revoke"})
			if err != nil || len(es) != 1 || es[0].ActorID != e.rep.ID {
				t.Errorf("audit entries %+v (%v)", es, err)
			}
		})

		t.Run("ErrAlreadyRevoked", func(t *testing.T) {
			err := e.auth.RevokeToken(as(e.rep), tok.ID)
			wantErr(t, err, echelon.ENOTFOUND, "token.not_found")
		})
	})
}
