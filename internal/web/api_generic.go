package web

import (
	"context"
	"net/http"
)

// The shapes most API handlers share: read one record by its path id,
// create from a JSON body, update a path id from a JSON body.

func getByID[T any](w http.ResponseWriter, r *http.Request, find func(context.Context, int64) (T, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := find(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func create[In, Out any](w http.ResponseWriter, r *http.Request, do func(context.Context, In) (Out, error)) error {
	var in In
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := do(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func update[In, Out any](w http.ResponseWriter, r *http.Request, do func(context.Context, int64, In) (Out, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in In
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := do(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
