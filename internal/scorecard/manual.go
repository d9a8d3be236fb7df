package scorecard

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/settings"
)

// ManualInput enters a manual KPI for a person and period: the attainment
// in percent (0–200) the manager judges, with the reason.
type ManualInput struct {
	Code     string `json:"code"`
	PersonID int64  `json:"person_id"`
	Period   string `json:"period"`
	Score    int    `json:"score"`
	Comment  string `json:"comment"`
	Version  int    `json:"version,omitempty"` // the stored value's, to change it
}

// ManualValue is an entered manual KPI.
type ManualValue struct {
	ID        int64     `json:"id"`
	Code      string    `json:"code"`
	PersonID  int64     `json:"person_id"`
	Period    string    `json:"period"`
	Score     int       `json:"score"`
	Comment   string    `json:"comment"`
	EnteredAt time.Time `json:"entered_at"`
	Version   int       `json:"version"`
}

// EnterManual records (or, with the stored version, changes) a manual KPI.
// A manager enters them for the people of their subtree, never for
// themselves; an admin for anyone.
func (s *Service) EnterManual(ctx context.Context, in ManualInput) (*ManualValue, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	in.Comment = strings.TrimSpace(in.Comment)
	var out *ManualValue
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		if err := checkManual(ctx, tx, a, &in); err != nil {
			return err
		}
		before, err := findManual(ctx, tx, in.Code, in.PersonID, in.Period)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		if before == nil {
			_, err = tx.Exec(ctx, `INSERT INTO manual_kpi_values (code, person_id, period, score, comment, entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				in.Code, in.PersonID, in.Period, in.Score, in.Comment, nullID(a.PersonID), now)
		} else {
			err = updateManual(ctx, tx, before, in, a, now)
		}
		if err != nil {
			return err
		}
		if out, err = findManual(ctx, tx, in.Code, in.PersonID, in.Period); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "enter", "manual_kpi", out.ID, before, out)
	})
	return out, err
}

func updateManual(ctx context.Context, tx *db.Tx, before *ManualValue, in ManualInput, a *echelon.Actor, now time.Time) error {
	res, err := tx.Exec(ctx, `UPDATE manual_kpi_values SET score = ?, comment = ?, entered_by = ?, entered_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, in.Score, in.Comment, nullID(a.PersonID), now, before.ID, in.Version)
	if err != nil {
		return fmt.Errorf("scorecard: update manual KPI: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return audit.StaleError(ctx, tx, "manual_kpi", before.ID)
	}
	return nil
}

// checkManual validates the input and the actor's right to enter it.
func checkManual(ctx context.Context, tx *db.Tx, a *echelon.Actor, in *ManualInput) error {
	manual, err := isManual(ctx, tx, in.Code)
	if err != nil {
		return err
	}
	if !manual {
		return echelon.FieldError("code", "kpi.unknown", in.Code)
	}
	var path string
	err = tx.QueryRow(ctx, `SELECT COALESCE(u.path, '') FROM people p LEFT JOIN org_units u ON u.id = p.org_unit_id WHERE p.id = ?`, in.PersonID).Scan(&path)
	visible := err == nil && (a.IsAdmin() || a.Role.IsManager() && org.InSubtree(path, a.UnitPath))
	switch {
	case err != nil && err != sql.ErrNoRows:
		return fmt.Errorf("scorecard: person %d: %w", in.PersonID, err)
	case !visible:
		return echelon.FieldError("person_id", "kpi.subject_not_found")
	case in.PersonID == a.PersonID:
		return echelon.Errorf(echelon.EFORBIDDEN, "scorecard.manual_own")
	case in.Score < 0 || in.Score > 200:
		return echelon.FieldError("score", "scorecard.manual_score_invalid")
	case in.Comment == "":
		return echelon.FieldError("comment", "scorecard.manual_comment_required")
	}
	cal, err := settings.Calendar(ctx, tx)
	if err != nil {
		return err
	}
	p, err := cal.Parse(in.Period)
	if err != nil {
		return echelon.FieldError("period", "period.invalid", in.Period)
	}
	in.Period = p.String()
	return nil
}

func findManual(ctx context.Context, tx *db.Tx, code string, person int64, at string) (*ManualValue, error) {
	var v ManualValue
	err := tx.QueryRow(ctx, `SELECT id, code, person_id, period, score, comment, entered_at, version FROM manual_kpi_values
		WHERE code = ? AND person_id = ? AND period = ?`, code, person, at).Scan(&v.ID, &v.Code, &v.PersonID, &v.Period, &v.Score, &v.Comment, &v.EnteredAt, &v.Version)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("scorecard: manual KPI: %w", err)
	}
	return &v, nil
}
