package web

import (
	"context"
	"net/http"
)

// The shapes most API handlers share: read or act on one record by its
// path id, create from a JSON body, update a path id from a JSON body,
// answer a whole list, answer one page of a CRM list.

// byID answers with what do returns for the record of the path id: a read,
// or an action that needs no body (claim, close).
func byID[T any](w http.ResponseWriter, r *http.Request, do func(context.Context, int64) (T, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := do(r.Context(), id)
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

// all answers a list that is not paged (a catalogue, the pipeline, the
// ladder) in the list envelope.
func all[T any](w http.ResponseWriter, r *http.Request, find func(context.Context) ([]T, error)) error {
	items, err := find(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, len(items), 0, 0))
	return nil
}

// findPage answers one page of a CRM list: the filter read from the query
// (with its page), the scoped list, the page envelope.
func findPage[F, T any](w http.ResponseWriter, r *http.Request, filter func(*http.Request) (F, error), find func(context.Context, F) ([]T, bool, error)) error {
	pg, err := crmQuery{r}.page()
	if err != nil {
		return err
	}
	f, err := filter(r)
	if err != nil {
		return err
	}
	items, more, err := find(r.Context(), f)
	if err != nil {
		return err
	}
	writePage(w, items, more, pg)
	return nil
}
