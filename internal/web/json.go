package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/echelonhq/echelon"
)

// maxBody bounds a JSON request body.
const maxBody = 1 << 20

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeJSON reads exactly one JSON object into v, refusing unknown fields,
// wrong types and trailing data with a 400 that names the problem.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("trailing data")
	}
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "": // a body that is not an object falls through to malformed
		return badRequest{echelon.FieldError(typeErr.Field, "json.wrong_type", typeErr.Field)}
	case errors.As(err, &maxErr):
		return badRequest{echelon.Errorf(echelon.EINVALID, "json.too_large")}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badRequest{echelon.FieldError(field, "json.unknown_field", field)}
	}
	return badRequest{echelon.Errorf(echelon.EINVALID, "json.malformed")}
}

// pathID parses the {id} path value.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echelon.Errorf(echelon.ENOTFOUND, "record.not_found")
	}
	return id, nil
}

// queryInt parses an optional integer query parameter.
func queryInt(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, badRequest{echelon.FieldError(name, "query.invalid_number", name)}
	}
	return n, nil
}

// list is the envelope of a paged list.
type list[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit,omitempty"`
	Offset int `json:"offset,omitempty"`
}

// newList builds a list envelope, never with a JSON null for no items.
func newList[T any](items []T, total, limit, offset int) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items, Total: total, Limit: limit, Offset: offset}
}
