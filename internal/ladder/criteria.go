package ladder

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/review"
)

// LevelRef names a level.
type LevelRef struct {
	ID     int64  `json:"id"`
	Code   string `json:"code"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
	Rank   int    `json:"rank"`
}

// Criteria are a level's entry criteria and rules. Criteria with a zero
// threshold do not apply.
type Criteria struct {
	Level LevelRef `json:"level"`
	// MinTenureMonths is the time the person must have spent in their
	// current level, in whole months.
	MinTenureMonths int `json:"min_tenure_months"`
	// ScoreQuarters is how many of the last complete fiscal quarters the
	// scorecard criterion looks at (0: no scorecard criterion); their
	// average total must reach ScoreAverage and none fall below ScoreFloor.
	ScoreQuarters int `json:"score_quarters"`
	ScoreAverage  int `json:"score_average"`
	ScoreFloor    int `json:"score_floor"`
	// Certifications are the codes of the certifications the person must hold.
	Certifications []string `json:"certifications"`
	// Competencies are the minimum ratings (1–5) by competency code.
	Competencies map[string]int `json:"competencies"`
	// The rules of the level.
	AccountLimit   int     `json:"account_limit"`
	KPITemplateID  int64   `json:"kpi_template_id,omitempty"`
	CommissionPlan string  `json:"commission_plan"`
	LearningPath   string  `json:"learning_path"`
	TargetBandMin  float64 `json:"target_band_min"`
	TargetBandMax  float64 `json:"target_band_max"`
	Version        int     `json:"version"`
}

// CriteriaInput replaces a level's criteria and rules.
type CriteriaInput struct {
	MinTenureMonths int            `json:"min_tenure_months"`
	ScoreQuarters   int            `json:"score_quarters"`
	ScoreAverage    int            `json:"score_average"`
	ScoreFloor      int            `json:"score_floor"`
	Certifications  []string       `json:"certifications"`
	Competencies    map[string]int `json:"competencies"`
	AccountLimit    int            `json:"account_limit"`
	KPITemplateID   int64          `json:"kpi_template_id,omitempty"`
	CommissionPlan  string         `json:"commission_plan"`
	LearningPath    string         `json:"learning_path"`
	TargetBandMin   float64        `json:"target_band_min"`
	TargetBandMax   float64        `json:"target_band_max"`
	Version         int            `json:"version,omitempty"`
}

var ruleCode = regexp.MustCompile(`^[a-z0-9][a-z0-9_\-]{0,63}$`)

// validate checks the input against the catalogues in tx.
func (in *CriteriaInput) validate(ctx context.Context, tx *db.Tx) error {
	switch {
	case in.MinTenureMonths < 0 || in.MinTenureMonths > 600:
		return echelon.FieldError("min_tenure_months", "ladder.tenure_invalid")
	case in.ScoreQuarters < 0 || in.ScoreQuarters > 8:
		return echelon.FieldError("score_quarters", "ladder.quarters_invalid")
	case in.ScoreAverage < 0 || in.ScoreAverage > 200:
		return echelon.FieldError("score_average", "ladder.score_invalid")
	case in.ScoreFloor < 0 || in.ScoreFloor > 200:
		return echelon.FieldError("score_floor", "ladder.score_invalid")
	case in.ScoreQuarters == 0 && (in.ScoreAverage != 0 || in.ScoreFloor != 0):
		return echelon.FieldError("score_quarters", "ladder.quarters_required")
	case in.ScoreFloor > in.ScoreAverage && in.ScoreAverage > 0:
		return echelon.FieldError("score_floor", "ladder.floor_above_average")
	case in.AccountLimit < 0 || in.AccountLimit > 1_000_000:
		return echelon.FieldError("account_limit", "ladder.account_limit_invalid")
	case in.TargetBandMin < 0 || in.TargetBandMin > 100:
		return echelon.FieldError("target_band_min", "ladder.band_invalid")
	case in.TargetBandMax < 0 || in.TargetBandMax > 100:
		return echelon.FieldError("target_band_max", "ladder.band_invalid")
	case in.TargetBandMax < in.TargetBandMin:
		return echelon.FieldError("target_band_max", "ladder.band_order")
	}
	in.CommissionPlan, in.LearningPath = strings.TrimSpace(in.CommissionPlan), strings.TrimSpace(in.LearningPath)
	if in.CommissionPlan != "" && !ruleCode.MatchString(in.CommissionPlan) {
		return echelon.FieldError("commission_plan", "ladder.rule_code_invalid")
	}
	if in.LearningPath != "" && !ruleCode.MatchString(in.LearningPath) {
		return echelon.FieldError("learning_path", "ladder.rule_code_invalid")
	}
	if in.KPITemplateID != 0 {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM kpi_templates WHERE id = ?`, in.KPITemplateID).Scan(&n); err != nil {
			return fmt.Errorf("ladder: kpi template: %w", err)
		}
		if n == 0 {
			return echelon.FieldError("kpi_template_id", "ladder.kpi_template_unknown", in.KPITemplateID)
		}
	}
	known, err := certificationCodes(ctx, tx)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, c := range in.Certifications {
		c = strings.TrimSpace(c)
		in.Certifications[i] = c
		if !known[c] {
			return echelon.FieldError(fmt.Sprintf("certifications[%d]", i), "ladder.certification_unknown", c)
		}
		if seen[c] {
			return echelon.FieldError(fmt.Sprintf("certifications[%d]", i), "ladder.certification_twice", c)
		}
		seen[c] = true
	}
	sort.Strings(in.Certifications)
	for code, min := range in.Competencies {
		if !slices.Contains(review.Competencies, code) {
			return echelon.FieldError("competencies."+code, "ladder.competency_unknown", code)
		}
		if min < 1 || min > 5 {
			return echelon.FieldError("competencies."+code, "ladder.competency_min_invalid", code)
		}
	}
	return nil
}

const criteriaColumns = `l.id, l.code, l.name_zh, l.name_en, l.rank, COALESCE(c.min_tenure_months, 0), COALESCE(c.score_quarters, 0),
	COALESCE(c.score_average, 0), COALESCE(c.score_floor, 0), COALESCE(c.certifications, '[]'), COALESCE(c.competencies, '{}'),
	l.account_limit, COALESCE(c.kpi_template_id, 0), COALESCE(c.commission_plan, ''), COALESCE(c.learning_path, ''),
	COALESCE(c.target_band_min, 0), COALESCE(c.target_band_max, 0), COALESCE(c.version, 0)
	FROM levels l LEFT JOIN level_criteria c ON c.level_id = l.id`

func scanCriteria(r interface{ Scan(...any) error }) (*Criteria, error) {
	var c Criteria
	var certs, comps string
	if err := r.Scan(&c.Level.ID, &c.Level.Code, &c.Level.NameZh, &c.Level.NameEn, &c.Level.Rank, &c.MinTenureMonths, &c.ScoreQuarters,
		&c.ScoreAverage, &c.ScoreFloor, &certs, &comps, &c.AccountLimit, &c.KPITemplateID, &c.CommissionPlan, &c.LearningPath,
		&c.TargetBandMin, &c.TargetBandMax, &c.Version); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(certs), &c.Certifications); err != nil {
		return nil, fmt.Errorf("ladder: certifications of level %d: %w", c.Level.ID, err)
	}
	if err := json.Unmarshal([]byte(comps), &c.Competencies); err != nil {
		return nil, fmt.Errorf("ladder: competencies of level %d: %w", c.Level.ID, err)
	}
	if c.Certifications == nil {
		c.Certifications = []string{}
	}
	if c.Competencies == nil {
		c.Competencies = map[string]int{}
	}
	return &c, nil
}

// ladder reads every level with its criteria, by rank.
func ladder(ctx context.Context, tx *db.Tx) ([]*Criteria, error) {
	rs, err := tx.Query(ctx, `SELECT `+criteriaColumns+` ORDER BY l.rank, l.id`)
	if err != nil {
		return nil, fmt.Errorf("ladder: levels: %w", err)
	}
	defer rs.Close()
	var out []*Criteria
	for rs.Next() {
		c, err := scanCriteria(rs)
		if err != nil {
			return nil, fmt.Errorf("ladder: scan criteria: %w", err)
		}
		out = append(out, c)
	}
	return out, rs.Err()
}

func findCriteria(ctx context.Context, tx *db.Tx, levelID int64) (*Criteria, error) {
	c, err := scanCriteria(tx.QueryRow(ctx, `SELECT `+criteriaColumns+` WHERE l.id = ?`, levelID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "level.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("ladder: criteria of level %d: %w", levelID, err)
	}
	return c, nil
}

// FindLadder returns every level with its entry criteria and rules, by
// rank; every signed-in person may read it.
func (s *Service) FindLadder(ctx context.Context) ([]*Criteria, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	var out []*Criteria
	err := s.db.View(ctx, func(tx *db.Tx) (err error) {
		out, err = ladder(ctx, tx)
		return err
	})
	return out, err
}

// FindCriteria returns one level's entry criteria and rules; every signed-in person may read them.
func (s *Service) FindCriteria(ctx context.Context, levelID int64) (*Criteria, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	var out *Criteria
	err := s.db.View(ctx, func(tx *db.Tx) (err error) {
		out, err = findCriteria(ctx, tx, levelID)
		return err
	})
	return out, err
}

// UpdateCriteria replaces a level's entry criteria and rules, the account
// limit on the level included (admin only). A criterion naming an unknown
// certification, competency or KPI template changes nothing.
func (s *Service) UpdateCriteria(ctx context.Context, levelID int64, in CriteriaInput) (*Criteria, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() {
		return nil, forbidden()
	}
	var out *Criteria
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findCriteria(ctx, tx, levelID)
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != before.Version {
			return audit.StaleError(ctx, tx, "level_criteria", levelID)
		}
		if err := in.validate(ctx, tx); err != nil {
			return err
		}
		if err := s.writeCriteria(ctx, tx, levelID, before.Version, in, a); err != nil {
			return err
		}
		if out, err = findCriteria(ctx, tx, levelID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "update", "level_criteria", levelID, before, out)
	})
	return out, err
}

func (s *Service) writeCriteria(ctx context.Context, tx *db.Tx, levelID int64, version int, in CriteriaInput, a *echelon.Actor) error {
	certs := in.Certifications
	if certs == nil {
		certs = []string{}
	}
	comps := in.Competencies
	if comps == nil {
		comps = map[string]int{}
	}
	cj, _ := json.Marshal(certs)
	mj, _ := json.Marshal(comps)
	now := s.now().UTC()
	args := []any{in.MinTenureMonths, in.ScoreQuarters, in.ScoreAverage, in.ScoreFloor, string(cj), string(mj), nullID(in.KPITemplateID),
		in.CommissionPlan, in.LearningPath, in.TargetBandMin, in.TargetBandMax, nullID(a.PersonID), now}
	var err error
	if version == 0 {
		_, err = tx.Exec(ctx, `INSERT INTO level_criteria (min_tenure_months, score_quarters, score_average, score_floor, certifications,
			competencies, kpi_template_id, commission_plan, learning_path, target_band_min, target_band_max, updated_by, updated_at, level_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, levelID)...)
	} else {
		var res sql.Result
		res, err = tx.Exec(ctx, `UPDATE level_criteria SET min_tenure_months = ?, score_quarters = ?, score_average = ?, score_floor = ?,
			certifications = ?, competencies = ?, kpi_template_id = ?, commission_plan = ?, learning_path = ?, target_band_min = ?,
			target_band_max = ?, updated_by = ?, updated_at = ?, version = version + 1 WHERE level_id = ? AND version = ?`, append(args, levelID, version)...)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return audit.StaleError(ctx, tx, "level_criteria", levelID)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("ladder: write criteria of level %d: %w", levelID, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE levels SET account_limit = ?, updated_at = ? WHERE id = ?`, in.AccountLimit, now, levelID); err != nil {
		return fmt.Errorf("ladder: account limit of level %d: %w", levelID, err)
	}
	return nil
}
