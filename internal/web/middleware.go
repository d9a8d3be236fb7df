package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/i18n"
)

// Cookie names.
const (
	sessionCookie = "echelon_session"
	csrfCookie    = "echelon_csrf" // double-submit token for forms shown before sign-in
	langCookie    = "echelon_lang" // language chosen before sign-in
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	csrfKey
	langKey
)

// withRequestID gives every request an id, echoed in X-Request-Id and in every log line.
func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

func requestID(ctx context.Context) string { id, _ := ctx.Value(requestIDKey).(string); return id }

// statusWriter remembers the status code for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// wrap turns a route into an http.Handler: it authenticates, checks CSRF,
// picks the language, runs the handler, maps its error, logs and counts.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if !rt.isAPI() {
			w.Header().Set("X-Frame-Options", "DENY")
		}
		r, err := s.authenticate(r, rt)
		if err == nil {
			err = rt.h(sw, r)
		}
		if err != nil {
			s.writeError(sw, r, rt, err)
		}
		s.metrics.observe(rt.method+" "+rt.path, sw.status, time.Since(start))
		s.Log.Info("request", "id", requestID(r.Context()), "method", r.Method, "path", loggedPath(rt, r),
			"route", rt.path, "status", sw.status, "ms", time.Since(start).Milliseconds())
	})
}

// loggedPath is the request path for the log, except where the path holds
// a secret (a survey's one-use link): then the route's pattern.
func loggedPath(rt route, r *http.Request) string {
	if strings.Contains(rt.path, "{token}") {
		return rt.path
	}
	return r.URL.Path
}

// authenticate resolves the caller (Bearer token or session cookie), puts
// the actor and language into the context, and enforces CSRF on cookie
// requests that change something.
func (s *Server) authenticate(r *http.Request, rt route) (*http.Request, error) {
	ctx := r.Context()
	var a *echelon.Actor
	var err error
	csrf := ""
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		a, err = s.Auth.AuthenticateToken(ctx, strings.TrimPrefix(h, "Bearer "))
	} else if c, cerr := r.Cookie(sessionCookie); cerr == nil {
		a, csrf, err = s.Auth.Authenticate(ctx, c.Value)
		if err == nil && unsafeMethod(r.Method) && !validCSRF(r, csrf) {
			err = echelon.Errorf(echelon.EFORBIDDEN, "csrf.invalid")
		}
	} else if unsafeMethod(r.Method) && rt.access == public && !rt.isAPI() && !validCSRF(r, cookieValue(r, csrfCookie)) {
		err = echelon.Errorf(echelon.EFORBIDDEN, "csrf.invalid")
	}
	if echelon.ErrorCode(err) == echelon.EUNAUTHORIZED && rt.access == public {
		a, err = nil, nil // a stale cookie does not stop a public page
	}
	if err == nil && a == nil && rt.access != public {
		err = echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	if err != nil {
		// The refusal is still answered in the caller's language.
		return r.WithContext(context.WithValue(ctx, langKey, s.pickLang(r, a))), err
	}
	if a != nil {
		ctx = echelon.NewContext(ctx, a)
	}
	ctx = context.WithValue(ctx, csrfKey, csrf)
	ctx = context.WithValue(ctx, langKey, s.pickLang(r, a))
	return r.WithContext(ctx), nil
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// validCSRF compares the token in the form field "csrf" or the X-CSRF-Token header with want.
func validCSRF(r *http.Request, want string) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func cookieValue(r *http.Request, name string) string {
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}

// pickLang chooses the interface language: the person's own choice, then
// the language cookie, then the browser's Accept-Language.
func (s *Server) pickLang(r *http.Request, a *echelon.Actor) string {
	if a != nil {
		if l := i18n.Normalize(a.Lang); l != "" {
			return l
		}
	}
	if l := i18n.Normalize(cookieValue(r, langCookie)); l != "" {
		return l
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

func langFrom(ctx context.Context) string {
	if l, _ := ctx.Value(langKey).(string); l != "" {
		return l
	}
	return i18n.Chinese
}

func csrfFrom(ctx context.Context) string { c, _ := ctx.Value(csrfKey).(string); return c }

// ensureCSRFCookie returns the pre-sign-in CSRF token, setting its cookie when absent.
func (s *Server) ensureCSRFCookie(w http.ResponseWriter, r *http.Request) string {
	if v := cookieValue(r, csrfCookie); v != "" {
		return v
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	v := hex.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: v, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.SecureCookies})
	return v
}

// safeNext returns a local redirect target, refusing anything that leaves the site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	return next
}
