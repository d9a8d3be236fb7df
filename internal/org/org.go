// Package org holds the organisation: the tree of org units, the people in
// it with their roles and echelon levels, the ladder of levels and the
// responsibility statement of each role. Every method checks the actor's
// permission and data scope before it reads or writes.
package org

import (
	"context"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/password"
)

// Service is the organisation service.
type Service struct {
	db *db.DB
	pw password.Params
}

// NewService returns an organisation service over d; pw sets the cost of password hashes.
func NewService(d *db.DB, pw password.Params) *Service {
	return &Service{db: d, pw: pw}
}

// actor returns the signed-in actor or an EUNAUTHORIZED error.
func actor(ctx context.Context) (*echelon.Actor, error) {
	a := echelon.ActorFrom(ctx)
	if a == nil {
		return nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	return a, nil
}

func forbidden() error { return echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden") }

func conflictVersion() error { return echelon.Errorf(echelon.ECONFLICT, "record.stale") }
