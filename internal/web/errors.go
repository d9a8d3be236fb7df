package web

import (
	"errors"
	"net/http"
	"net/url"

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
