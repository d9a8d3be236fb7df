// Package scorecard scores people and units on the KPIs of their template
// (PRODUCT.md 2.4): templates per role and echelon level — KPIs, weights
// adding up to 100 %, where each target comes from, the scoring curve —
// scorecards per person and period computed from the KPI library and the
// targets, every line with its evidence; unit scorecards that roll their
// people up; manual KPIs a manager enters with a comment; and leaderboards
// a manager publishes to their unit.
package scorecard

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/kpi"
)

// Target sources.
const (
	FromPlan  = "plan"  // the person's or unit's target in the plan of the KPI's metric
	FromFixed = "fixed" // a fixed value: per month for money and counts, as is for ratios and days
)

// Curves.
const (
	CurveLinear    = "linear"    // score = attainment, up to the cap
	CurveThreshold = "threshold" // nothing below the threshold, then linear up to the cap
)

// Line is one KPI of a template.
type Line struct {
	KPI    string `json:"kpi"`
	Weight int    `json:"weight"` // percent; a template's weights add up to 100
	Source string `json:"source"`
	// Fixed is the target of a fixed source, in the KPI's unit: minor units
	// or a count per month, basis points (10000 = 100 %) for a ratio,
	// tenths of a day for days, tenths of a point for a rating (45 = 4.5).
	Fixed     int64  `json:"fixed,omitempty"`
	Curve     string `json:"curve"`
	Cap       int    `json:"cap"`                 // percent of attainment the score stops at, 100–200
	Threshold int    `json:"threshold,omitempty"` // percent of attainment below which the line scores 0
}

// Template says what people of a role (and level) are scored on.
type Template struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	LevelID   int64     `json:"level_id,omitempty"`
	Lines     []Line    `json:"lines"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TemplateInput creates or changes a template.
type TemplateInput struct {
	Name    string `json:"name"`
	Role    string `json:"role"`
	LevelID int64  `json:"level_id,omitempty"`
	Lines   []Line `json:"lines"`
	Version int    `json:"version,omitempty"`
}

// Service scores people and manages templates, manual KPIs and leaderboards.
type Service struct {
	db   *db.DB
	kpis *kpi.Service
	now  func() time.Time
}

// NewService returns the scorecard service.
func NewService(d *db.DB, kpis *kpi.Service) *Service {
	return &Service{db: d, kpis: kpis, now: time.Now}
}

func actor(ctx context.Context) (*echelon.Actor, error) {
	if a := echelon.ActorFrom(ctx); a != nil {
		return a, nil
	}
	return nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
}

// validate checks a template and puts its defaults in.
func (in *TemplateInput) validate(ctx context.Context, tx *db.Tx) error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return echelon.FieldError("name", "scorecard.name_required")
	}
	if r := echelon.Role(in.Role); !r.Valid() || r == echelon.RoleAdmin {
		return echelon.FieldError("role", "scorecard.role_invalid")
	}
	if in.LevelID != 0 {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM levels WHERE id = ?`, in.LevelID).Scan(&n); err != nil {
			return fmt.Errorf("scorecard: level: %w", err)
		}
		if n == 0 {
			return echelon.FieldError("level_id", "scorecard.level_invalid")
		}
	}
	if len(in.Lines) == 0 {
		return echelon.FieldError("lines", "scorecard.lines_required")
	}
	total, seen := 0, map[string]bool{}
	for i := range in.Lines {
		if err := in.Lines[i].validate(ctx, tx, i); err != nil {
			return err
		}
		if seen[in.Lines[i].KPI] {
			return echelon.FieldError(fmt.Sprintf("lines[%d].kpi", i), "scorecard.kpi_twice", in.Lines[i].KPI)
		}
		seen[in.Lines[i].KPI] = true
		total += in.Lines[i].Weight
	}
	if total != 100 {
		return echelon.FieldError("lines", "scorecard.weights_sum", total)
	}
	return nil
}

func (l *Line) validate(ctx context.Context, tx *db.Tx, i int) error {
	field := func(f string) string { return fmt.Sprintf("lines[%d].%s", i, f) }
	manual, err := isManual(ctx, tx, l.KPI)
	if err != nil {
		return err
	}
	d, known := kpi.Find(l.KPI)
	switch {
	case !known && !manual:
		return echelon.FieldError(field("kpi"), "kpi.unknown", l.KPI)
	case l.Weight < 1 || l.Weight > 100:
		return echelon.FieldError(field("weight"), "scorecard.weight_invalid")
	}
	if l.Curve == "" {
		l.Curve = CurveLinear
	}
	if l.Cap == 0 {
		l.Cap = 120
	}
	switch {
	case manual:
		l.Source, l.Fixed = "", 0 // a manager enters the attainment itself
	case l.Source == FromPlan && metricOf(d.Code) == "":
		return echelon.FieldError(field("source"), "scorecard.no_plan_for_kpi", l.KPI)
	case l.Source == FromFixed && l.Fixed <= 0:
		return echelon.FieldError(field("fixed"), "scorecard.fixed_invalid")
	case l.Source != FromPlan && l.Source != FromFixed:
		return echelon.FieldError(field("source"), "scorecard.source_invalid")
	}
	switch {
	case l.Curve != CurveLinear && l.Curve != CurveThreshold:
		return echelon.FieldError(field("curve"), "scorecard.curve_invalid")
	case l.Cap < 100 || l.Cap > 200:
		return echelon.FieldError(field("cap"), "scorecard.cap_invalid")
	case l.Curve == CurveThreshold && (l.Threshold < 1 || l.Threshold > 100):
		return echelon.FieldError(field("threshold"), "scorecard.threshold_invalid")
	case l.Curve == CurveLinear:
		l.Threshold = 0
	}
	return nil
}

// metricOf is the target metric a KPI is measured against in a plan, or "".
func metricOf(code string) kpi.Metric {
	switch code {
	case kpi.WonRevenue:
		return kpi.MetricWonRevenue
	case kpi.WonDeals:
		return kpi.MetricWonDeals
	case kpi.NewCustomers:
		return kpi.MetricNewCustomers
	case kpi.Activities:
		return kpi.MetricActivities
	}
	return ""
}

func isManual(ctx context.Context, tx *db.Tx, code string) (bool, error) {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM manual_kpis WHERE code = ?`, code).Scan(&n); err != nil {
		return false, fmt.Errorf("scorecard: manual KPI %s: %w", code, err)
	}
	return n > 0, nil
}

const templateColumns = `id, name, role, COALESCE(level_id, 0), lines, version, updated_at FROM kpi_templates`

func scanTemplate(r interface{ Scan(...any) error }) (*Template, error) {
	var t Template
	var lines string
	if err := r.Scan(&t.ID, &t.Name, &t.Role, &t.LevelID, &lines, &t.Version, &t.UpdatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(lines), &t.Lines); err != nil {
		return nil, fmt.Errorf("scorecard: lines of template %d: %w", t.ID, err)
	}
	return &t, nil
}

// FindTemplates lists the templates; anyone signed in may read them.
func (s *Service) FindTemplates(ctx context.Context) ([]*Template, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	out := []*Template{}
	err := s.db.View(ctx, func(tx *db.Tx) error {
		rs, err := tx.Query(ctx, `SELECT `+templateColumns+` ORDER BY role, COALESCE(level_id, 0)`)
		if err != nil {
			return fmt.Errorf("scorecard: templates: %w", err)
		}
		defer rs.Close()
		for rs.Next() {
			t, err := scanTemplate(rs)
			if err != nil {
				return fmt.Errorf("scorecard: scan template: %w", err)
			}
			out = append(out, t)
		}
		return rs.Err()
	})
	return out, err
}

func findTemplate(ctx context.Context, tx *db.Tx, id int64) (*Template, error) {
	t, err := scanTemplate(tx.QueryRow(ctx, `SELECT `+templateColumns+` WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "scorecard.template_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("scorecard: template %d: %w", id, err)
	}
	return t, nil
}

// templateFor is the template of a role and level: the level's own, else the role's.
func templateFor(ctx context.Context, tx *db.Tx, role string, level int64) (*Template, error) {
	t, err := scanTemplate(tx.QueryRow(ctx, `SELECT `+templateColumns+` WHERE role = ? AND (level_id = ? OR level_id IS NULL)
		ORDER BY COALESCE(level_id, 0) DESC LIMIT 1`, role, level))
	if err == sql.ErrNoRows {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "scorecard.no_template", role)
	}
	if err != nil {
		return nil, fmt.Errorf("scorecard: template of %s: %w", role, err)
	}
	return t, nil
}

// SaveTemplate creates a template (id 0) or changes one (admin only).
func (s *Service) SaveTemplate(ctx context.Context, id int64, in TemplateInput) (*Template, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() {
		return nil, echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden")
	}
	var out *Template
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		if err := in.validate(ctx, tx); err != nil {
			return err
		}
		lines, err := json.Marshal(in.Lines)
		if err != nil {
			return fmt.Errorf("scorecard: lines: %w", err)
		}
		var before *Template
		if id == 0 {
			id, err = tx.InsertID(ctx, `INSERT INTO kpi_templates (name, role, level_id, lines, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				in.Name, in.Role, nullID(in.LevelID), string(lines), nullID(a.PersonID), s.now().UTC())
		} else {
			if before, err = findTemplate(ctx, tx, id); err != nil {
				return err
			}
			err = s.updateTemplate(ctx, tx, id, in, string(lines), a)
		}
		if db.IsUniqueViolation(err) {
			return echelon.FieldError("role", "scorecard.template_exists")
		}
		if err != nil {
			return err
		}
		if out, err = findTemplate(ctx, tx, id); err != nil {
			return err
		}
		action := map[bool]string{true: "create", false: "update"}[before == nil]
		return audit.Record(ctx, tx, action, "kpi_template", id, before, out)
	})
	return out, err
}

func (s *Service) updateTemplate(ctx context.Context, tx *db.Tx, id int64, in TemplateInput, lines string, a *echelon.Actor) error {
	res, err := tx.Exec(ctx, `UPDATE kpi_templates SET name = ?, role = ?, level_id = ?, lines = ?, version = version + 1, updated_by = ?, updated_at = ?
		WHERE id = ? AND version = ?`, in.Name, in.Role, nullID(in.LevelID), lines, nullID(a.PersonID), s.now().UTC(), id, in.Version)
	if err != nil {
		return fmt.Errorf("scorecard: update template %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return audit.StaleError(ctx, tx, "kpi_template", id)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
