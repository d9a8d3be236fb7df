package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/echelonhq/echelon"
)

// statusOf maps the error vocabulary to HTTP status codes.
func statusOf(code string) int {
	switch code {
	case echelon.EINVALID:
		return http.StatusUnprocessableEntity
	case echelon.ENOTFOUND:
		return http.StatusNotFound
	case echelon.ECONFLICT:
		return http.StatusConflict
	case echelon.EFORBIDDEN:
		return http.StatusForbidden
	case echelon.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case echelon.ELOCKED:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// badRequest is an error in the shape of a request (malformed JSON, wrong
// types, unknown fields): 400 rather than the 422 of a rule broken.
type badRequest struct{ e *echelon.Error }

func (b badRequest) Error() string { return b.e.Error() }
func (b badRequest) Unwrap() error { return b.e }

// errorBody is the one error envelope of the API.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

// writeError answers an error: JSON on API routes, a page (or a redirect to
// sign-in) elsewhere. Internal errors are logged once, with the request id,
// and shown without detail.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, rt route, err error) {
	lang := langFrom(r.Context())
	var br badRequest
	status := statusOf(echelon.ErrorCode(err))
	e := &echelon.Error{Code: echelon.EINTERNAL, Key: "error.internal"}
	switch {
	case errors.As(err, &br):
		e, status = br.e, http.StatusBadRequest
	case errors.As(err, &e):
	default:
		s.Log.Error("internal error", "id", requestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
		e = &echelon.Error{Code: echelon.EINTERNAL, Key: "error.internal"}
	}
	if rt.isAPI() {
		var body errorBody
		body.Error.Code, body.Error.Message, body.Error.Field = e.Code, s.Catalog.T(lang, e.Key, e.Args...), e.Field
		writeJSON(w, status, body)
		return
	}
	if status == http.StatusUnauthorized {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.render(w, r, status, "error", "error.title", map[string]any{"Status": status, "Message": s.Catalog.T(lang, e.Key, e.Args...)})
}

// apiFallback answers requests under /api/ that match no route — an unknown
// path (404) or a known path with another method (405, with Allow) — in the
// API's JSON error envelope instead of the router's plain text.
func (s *Server) apiFallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" || !strings.HasPrefix(r.URL.Path, "/api/") {
			mux.ServeHTTP(w, r)
			return
		}
		p := &probe{header: http.Header{}}
		h.ServeHTTP(p, r)
		key := "route.not_found"
		if p.status == http.StatusMethodNotAllowed {
			key = "route.method_not_allowed"
			w.Header().Set("Allow", p.header.Get("Allow"))
		} else {
			p.status = http.StatusNotFound
		}
		var body errorBody
		body.Error.Code = echelon.ENOTFOUND
		if p.status == http.StatusMethodNotAllowed {
			body.Error.Code = echelon.EINVALID
		}
		body.Error.Message = s.Catalog.T(s.pickLang(r, nil), key)
		writeJSON(w, p.status, body)
	})
}

// probe records what the router would answer without sending it.
type probe struct {
	header http.Header
	status int
}

func (p *probe) Header() http.Header         { return p.header }
func (p *probe) Write(b []byte) (int, error) { return len(b), nil }
func (p *probe) WriteHeader(code int)        { p.status = code }
