package review

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/period"
)

// Review kinds: how often a template's cycles run.
const (
	Monthly   = "monthly"
	Quarterly = "quarterly"
	Annual    = "annual"
)

// Kinds lists the review kinds in display order.
var Kinds = []string{Monthly, Quarterly, Annual}

// periodKind is the fiscal period a cycle of each kind covers.
func periodKind(kind string) period.Kind {
	switch kind {
	case Monthly:
		return period.KindMonth
	case Annual:
		return period.KindYear
	}
	return period.KindQuarter
}

// Label names one step of the rating scale in both languages.
type Label struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// Template says which competencies a review rates, what the ratings 1–5
// are called and how many days each step of a cycle takes.
type Template struct {
	ID              int64     `json:"id"`
	Name            string    `json:"name"`
	Kind            string    `json:"kind"`
	Competencies    []string  `json:"competencies"`
	Scale           []Label   `json:"scale"` // ratings 1–5, in order
	SelfDays        int       `json:"self_days"`
	ManagerDays     int       `json:"manager_days"`
	CalibrationDays int       `json:"calibration_days"`
	Version         int       `json:"version"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// TemplateInput creates or replaces a template; empty competencies mean
// all five, an empty scale the default labels, zero days 7.
type TemplateInput struct {
	Name            string   `json:"name"`
	Kind            string   `json:"kind"`
	Competencies    []string `json:"competencies,omitempty"`
	Scale           []Label  `json:"scale,omitempty"`
	SelfDays        int      `json:"self_days,omitempty"`
	ManagerDays     int      `json:"manager_days,omitempty"`
	CalibrationDays int      `json:"calibration_days,omitempty"`
	Version         int      `json:"version,omitempty"`
}

// The bounds of a rating and of a step's days.
const (
	MinRating   = 1
	MaxRating   = 5
	MaxStepDays = 90
	defaultDays = 7
)

func defaultScale() []Label {
	return []Label{
		{"远低于期望", "Far below expectations"}, {"低于期望", "Below expectations"}, {"符合期望", "Meets expectations"},
		{"超出期望", "Exceeds expectations"}, {"卓越", "Outstanding"},
	}
}

func (in *TemplateInput) validate() error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len([]rune(in.Name)) > 100 {
		return echelon.FieldError("name", "review.template_name")
	}
	if !slices.Contains(Kinds, in.Kind) {
		return echelon.FieldError("kind", "review.kind_invalid")
	}
	if len(in.Competencies) == 0 {
		in.Competencies = slices.Clone(Competencies)
	}
	seen := map[string]bool{}
	for _, c := range in.Competencies {
		if !slices.Contains(Competencies, c) || seen[c] {
			return echelon.FieldError("competencies", "review.competency_invalid", c)
		}
		seen[c] = true
	}
	if len(in.Scale) == 0 {
		in.Scale = defaultScale()
	}
	if len(in.Scale) != MaxRating {
		return echelon.FieldError("scale", "review.scale_size", MaxRating)
	}
	for i, l := range in.Scale {
		in.Scale[i] = Label{strings.TrimSpace(l.Zh), strings.TrimSpace(l.En)}
		if in.Scale[i].Zh == "" || in.Scale[i].En == "" {
			return echelon.FieldError("scale", "review.scale_label", i+1)
		}
	}
	for _, d := range []struct {
		field string
		n     *int
	}{{"self_days", &in.SelfDays}, {"manager_days", &in.ManagerDays}, {"calibration_days", &in.CalibrationDays}} {
		if *d.n == 0 {
			*d.n = defaultDays
		}
		if *d.n < 1 || *d.n > MaxStepDays {
			return echelon.FieldError(d.field, "review.days_range", 1, MaxStepDays)
		}
	}
	return nil
}

const templateColumns = `id, name, kind, competencies, scale, self_days, manager_days, calibration_days, version, updated_at FROM review_templates`

func scanTemplate(row interface{ Scan(...any) error }) (*Template, error) {
	var t Template
	var comps, scale string
	if err := row.Scan(&t.ID, &t.Name, &t.Kind, &comps, &scale, &t.SelfDays, &t.ManagerDays, &t.CalibrationDays, &t.Version, &t.UpdatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(comps), &t.Competencies); err != nil {
		return nil, fmt.Errorf("review: competencies of template %d: %w", t.ID, err)
	}
	if err := json.Unmarshal([]byte(scale), &t.Scale); err != nil {
		return nil, fmt.Errorf("review: scale of template %d: %w", t.ID, err)
	}
	t.UpdatedAt = t.UpdatedAt.UTC()
	return &t, nil
}

func findTemplate(ctx context.Context, tx *db.Tx, id int64) (*Template, error) {
	t, err := scanTemplate(tx.QueryRow(ctx, `SELECT `+templateColumns+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "review.template_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("review: find template %d: %w", id, err)
	}
	return t, nil
}

// FindTemplates lists the review templates; every signed-in person may read them.
func (s *Service) FindTemplates(ctx context.Context) ([]*Template, error) {
	if _, err := signedIn(ctx); err != nil {
		return nil, err
	}
	var out []*Template
	err := s.db.View(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+templateColumns+` ORDER BY name, id`)
		if err != nil {
			return fmt.Errorf("review: list templates: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanTemplate(rows)
			if err != nil {
				return fmt.Errorf("review: scan template: %w", err)
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

// FindTemplateByID returns one template.
func (s *Service) FindTemplateByID(ctx context.Context, id int64) (*Template, error) {
	if _, err := signedIn(ctx); err != nil {
		return nil, err
	}
	var out *Template
	err := s.db.View(ctx, func(tx *db.Tx) (err error) {
		out, err = findTemplate(ctx, tx, id)
		return err
	})
	return out, err
}

// CreateTemplate adds a template; admin and the senior manager only.
func (s *Service) CreateTemplate(ctx context.Context, in TemplateInput) (*Template, error) {
	a, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !canDecide(a) {
		return nil, echelon.Errorf(echelon.EFORBIDDEN, "review.template_forbidden")
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out *Template
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		comps, scale := mustJSON(in.Competencies), mustJSON(in.Scale)
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO review_templates (name, kind, competencies, scale, self_days, manager_days, calibration_days, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Name, in.Kind, comps, scale, in.SelfDays, in.ManagerDays, in.CalibrationDays,
			nullID(a.PersonID), s.now()).Scan(&id)
		if err != nil {
			return fmt.Errorf("review: insert template: %w", err)
		}
		if out, err = findTemplate(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "create", "review_template", id, nil, out)
	})
	return out, err
}

// UpdateTemplate replaces a template; admin and the senior manager only.
// Cycles already created keep their competencies; a draft cycle takes the
// new days when it opens.
func (s *Service) UpdateTemplate(ctx context.Context, id int64, in TemplateInput) (*Template, error) {
	a, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !canDecide(a) {
		return nil, echelon.Errorf(echelon.EFORBIDDEN, "review.template_forbidden")
	}
	var out *Template
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findTemplate(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := checkVersion(ctx, tx, "review_template", id, before.Version, in.Version); err != nil {
			return err
		}
		if err := in.validate(); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE review_templates SET name = ?, kind = ?, competencies = ?, scale = ?, self_days = ?, manager_days = ?,
			calibration_days = ?, version = version + 1, updated_by = ?, updated_at = ? WHERE id = ?`,
			in.Name, in.Kind, mustJSON(in.Competencies), mustJSON(in.Scale), in.SelfDays, in.ManagerDays, in.CalibrationDays, nullID(a.PersonID), s.now(), id)
		if err != nil {
			return fmt.Errorf("review: update template %d: %w", id, err)
		}
		if out, err = findTemplate(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "update", "review_template", id, before, out)
	})
	return out, err
}

// mustJSON encodes values that always encode (strings, ints, labels).
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("review: encode %T: %v", v, err))
	}
	return string(b)
}

// nullID stores 0 (the program itself) as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
