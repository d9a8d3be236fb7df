// Package settings holds the company's settings: for now the fiscal
// calendar (the month the fiscal year starts in; the zone is the company's).
package settings

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/period"
)

const fiscalStartKey = "fiscal_start_month"

// Calendar reads the fiscal calendar inside a transaction.
func Calendar(ctx context.Context, tx *db.Tx) (period.Calendar, error) {
	var v string
	if err := tx.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, fiscalStartKey).Scan(&v); err != nil {
		return period.Calendar{}, fmt.Errorf("settings: fiscal start: %w", err)
	}
	m, err := strconv.Atoi(v)
	if err != nil {
		return period.Calendar{}, fmt.Errorf("settings: fiscal start %q: %w", v, err)
	}
	return period.New(time.Month(m), echelon.CompanyZone())
}

// Service reads and changes the settings.
type Service struct{ db *db.DB }

// NewService returns the settings service.
func NewService(d *db.DB) *Service { return &Service{db: d} }

// Calendar is the fiscal calendar; anyone signed in may read it.
func (s *Service) Calendar(ctx context.Context) (period.Calendar, error) {
	var cal period.Calendar
	err := s.db.View(ctx, func(tx *db.Tx) (err error) {
		cal, err = Calendar(ctx, tx)
		return err
	})
	return cal, err
}

// SetFiscalStart moves the start of the fiscal year (admin only). It is
// refused once targets exist, since their months would no longer line up.
func (s *Service) SetFiscalStart(ctx context.Context, month int) (period.Calendar, error) {
	a := echelon.ActorFrom(ctx)
	if a == nil {
		return period.Calendar{}, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	if !a.IsAdmin() {
		return period.Calendar{}, echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden")
	}
	if month < 1 || month > 12 {
		return period.Calendar{}, echelon.FieldError("fiscal_start_month", "period.start_month_invalid")
	}
	var cal period.Calendar
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := Calendar(ctx, tx)
		if err != nil {
			return err
		}
		if int(before.StartMonth) == month {
			cal = before
			return nil
		}
		var plans int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM target_plans`).Scan(&plans); err != nil {
			return fmt.Errorf("settings: count plans: %w", err)
		}
		if plans > 0 {
			return echelon.FieldError("fiscal_start_month", "period.start_month_in_use", plans)
		}
		if _, err := tx.Exec(ctx, `UPDATE settings SET value = ? WHERE key = ?`, strconv.Itoa(month), fiscalStartKey); err != nil {
			return fmt.Errorf("settings: set fiscal start: %w", err)
		}
		if cal, err = period.New(time.Month(month), echelon.CompanyZone()); err != nil {
			return err
		}
		return audit.RecordKey(ctx, tx, "update", "setting", fiscalStartKey, int(before.StartMonth), month)
	})
	return cal, err
}
