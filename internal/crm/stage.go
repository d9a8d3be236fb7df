package crm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
)

// Stage outcomes: an opportunity in an open stage is pipeline; won and lost close it.
const (
	OutcomeOpen = "open"
	OutcomeWon  = "won"
	OutcomeLost = "lost"
)

// Stage is a step of the sales pipeline with its default probability.
type Stage struct {
	ID          int64  `json:"id"`
	Code        string `json:"code"`
	NameZh      string `json:"name_zh"`
	NameEn      string `json:"name_en"`
	Probability int    `json:"probability"`
	Position    int    `json:"position"`
	Outcome     string `json:"outcome"`
	Active      bool   `json:"active"`
	Version     int    `json:"version"`
}

// StageInput creates or replaces a stage (admin only).
type StageInput struct {
	Code        string `json:"code"`
	NameZh      string `json:"name_zh"`
	NameEn      string `json:"name_en"`
	Probability int    `json:"probability"`
	Position    int    `json:"position"`
	Outcome     string `json:"outcome"`
	Active      *bool  `json:"active,omitempty"`
	Version     int    `json:"version,omitempty"`
}

func (in *StageInput) validate() error {
	var err error
	if in.Code, err = text("code", in.Code, 32, true); err != nil {
		return err
	}
	if in.NameZh, err = text("name_zh", in.NameZh, maxShort, true); err != nil {
		return err
	}
	if in.NameEn, err = text("name_en", in.NameEn, maxShort, true); err != nil {
		return err
	}
	if in.Probability < 0 || in.Probability > 100 {
		return echelon.FieldError("probability", "stage.probability_invalid")
	}
	if in.Outcome == "" {
		in.Outcome = OutcomeOpen
	}
	if in.Outcome != OutcomeOpen && in.Outcome != OutcomeWon && in.Outcome != OutcomeLost {
		return echelon.FieldError("outcome", "stage.outcome_invalid")
	}
	return nil
}

const stageColumns = `id, code, name_zh, name_en, probability, position, outcome, active, version FROM stages`

func scanStage(row scanner) (*Stage, error) {
	var st Stage
	err := row.Scan(&st.ID, &st.Code, &st.NameZh, &st.NameEn, &st.Probability, &st.Position, &st.Outcome, &st.Active, &st.Version)
	return &st, err
}

// FindStages returns the pipeline in order; every signed-in person may read it.
func (s *Service) FindStages(ctx context.Context) ([]*Stage, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	var out []*Stage
	err := s.db.View(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+stageColumns+` ORDER BY position, id`)
		out, err = collect(rows, err, scanStage)
		if err != nil {
			return fmt.Errorf("crm: find stages: %w", err)
		}
		return nil
	})
	return out, err
}

func findStage(ctx context.Context, tx *db.Tx, id int64) (*Stage, error) {
	st, err := scanStage(tx.QueryRow(ctx, `SELECT `+stageColumns+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, echelon.FieldError("stage_id", "stage.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("crm: find stage %d: %w", id, err)
	}
	return st, nil
}

// CreateStage adds a pipeline stage (admin only).
func (s *Service) CreateStage(ctx context.Context, in StageInput) (*Stage, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out *Stage
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO stages (code, name_zh, name_en, probability, position, outcome) VALUES (?, ?, ?, ?, ?, ?)`,
			in.Code, in.NameZh, in.NameEn, in.Probability, in.Position, in.Outcome)
		if db.IsUniqueViolation(err) {
			return echelon.FieldError("code", "stage.code_taken", in.Code)
		}
		if err != nil {
			return fmt.Errorf("crm: insert stage: %w", err)
		}
		if out, err = findStage(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "create", "stage", id, nil, out)
	})
	return out, err
}

// UpdateStage replaces a stage's names, probability, position, outcome and
// active flag (admin only). A stage that opportunities use keeps its outcome.
func (s *Service) UpdateStage(ctx context.Context, id int64, in StageInput) (*Stage, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out *Stage
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findStage(ctx, tx, id)
		if err != nil {
			return echelon.Errorf(echelon.ENOTFOUND, "stage.not_found")
		}
		if in.Version != 0 && in.Version != before.Version {
			return audit.StaleError(ctx, tx, "stage", id)
		}
		if in.Outcome != before.Outcome {
			var used int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM opportunities WHERE stage_id = ?`, id).Scan(&used); err != nil {
				return fmt.Errorf("crm: stage usage: %w", err)
			}
			if used > 0 {
				return echelon.FieldError("outcome", "stage.outcome_in_use", used)
			}
		}
		active := before.Active
		if in.Active != nil {
			active = *in.Active
		}
		_, err = tx.Exec(ctx, `UPDATE stages SET code = ?, name_zh = ?, name_en = ?, probability = ?, position = ?, outcome = ?, active = ?,
			version = version + 1 WHERE id = ?`, in.Code, in.NameZh, in.NameEn, in.Probability, in.Position, in.Outcome, active, id)
		if db.IsUniqueViolation(err) {
			return echelon.FieldError("code", "stage.code_taken", in.Code)
		}
		if err != nil {
			return fmt.Errorf("crm: update stage: %w", err)
		}
		if out, err = findStage(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "update", "stage", id, before, out)
	})
	return out, err
}

func requireAdmin(ctx context.Context) error {
	a, err := actor(ctx)
	if err != nil {
		return err
	}
	if !a.IsAdmin() {
		return forbidden()
	}
	return nil
}
