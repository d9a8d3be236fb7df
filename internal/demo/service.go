package demo

import (
	"context"
	"errors"
	"sync"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
)

// Service offers the demo company on the first run: to an administrator
// of an installation that holds no people but administrators and no sales
// data yet.
type Service struct {
	db      *db.DB
	org     *org.Service
	size    Size
	loading sync.Mutex // one load at a time: the check for an empty database is not in its transactions
}

// NewService returns the first-run service generating a company of size.
func NewService(d *db.DB, people *org.Service, size Size) *Service {
	return &Service{db: d, org: people, size: size}
}

// Check says why the reader may not load the demo company now: not an
// administrator, or the database is no longer empty; nil when they may.
func (s *Service) Check(ctx context.Context) error {
	a := echelon.ActorFrom(ctx)
	if a == nil {
		return echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	if !a.IsAdmin() {
		return echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden")
	}
	err := checkEmpty(ctx, s.db)
	if errors.Is(err, ErrNotEmpty) {
		return echelon.Errorf(echelon.ECONFLICT, "demo.not_empty")
	}
	return err
}

// Offered reports whether the reader is offered the demo company.
func (s *Service) Offered(ctx context.Context) (bool, error) {
	err := s.Check(ctx)
	switch echelon.ErrorCode(err) {
	case "":
		return true, nil
	case echelon.EFORBIDDEN, echelon.ECONFLICT, echelon.EUNAUTHORIZED:
		return false, nil
	}
	return false, err
}

// Load generates the demo company (seed 1) for an administrator of an
// empty database, telling its progress in phases done of all.
func (s *Service) Load(ctx context.Context, progress func(done, total int)) (*Result, error) {
	if !s.loading.TryLock() {
		return nil, echelon.Errorf(echelon.ECONFLICT, "demo.loading")
	}
	defer s.loading.Unlock()
	if err := s.Check(ctx); err != nil {
		return nil, err
	}
	return Generate(ctx, s.db, s.org, Config{Size: s.size, Seed: 1, OnPhase: progress})
}
