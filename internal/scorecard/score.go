package scorecard

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/target"
)

// Scoring (written down because people are paid and judged by it):
//   - attainment = actual ÷ target, from the exact fractions; for days
//     (the sales cycle) lower is better, so target ÷ actual; a manual KPI's
//     attainment is what the manager entered;
//   - a line's score is attainment × 100, at most the cap; on a threshold
//     curve 0 below the threshold; no target (or a target of 0) scores 0
//     and says so;
//   - the total is Σ score × weight ÷ 100; scores and the total are
//     rounded to one decimal, half away from zero, after adding up.

// ScoreLine is one KPI of a scorecard.
type ScoreLine struct {
	KPI        string    `json:"kpi"`
	Unit       string    `json:"unit"`
	Weight     int       `json:"weight"`
	Actual     kpi.Value `json:"actual"`
	Target     kpi.Value `json:"target"` // den 0: no target
	Attainment float64   `json:"attainment"`
	Score      float64   `json:"score"`
	Comment    string    `json:"comment,omitempty"` // a manual KPI's
	Version    int       `json:"version,omitempty"` // a manual KPI's stored version, sent back to change it
	Missing    string    `json:"missing,omitempty"` // why the line scores 0: no_target, not_entered
	Evidence   string    `json:"evidence,omitempty"`
}

// Member is a person's total on a unit's scorecard.
type Member struct {
	PersonID int64   `json:"person_id"`
	Name     string  `json:"name"`
	Total    float64 `json:"total"`
}

// Scorecard is a person's or a unit's score in a period.
type Scorecard struct {
	Subject    kpi.Named   `json:"subject"`
	Period     string      `json:"period"`
	Currency   string      `json:"currency"`
	TemplateID int64       `json:"template_id"`
	Template   string      `json:"template"`
	Lines      []ScoreLine `json:"lines"`
	Total      float64     `json:"total"`
	Members    []Member    `json:"members,omitempty"` // a unit's people, best first
}

// round1 rounds to one decimal, half away from zero.
func round1(x float64) float64 { return math.Round(x*10) / 10 }

// Scorecard scores a person or a unit (its subtree) in a period, for a
// reader who may see them.
func (s *Service) Scorecard(ctx context.Context, ref kpi.Ref, at, currency string) (*Scorecard, error) {
	var out *Scorecard
	err := s.db.View(ctx, func(tx *db.Tx) error {
		sc, err := s.kpis.Open(ctx, tx, ref, at, currency)
		if err != nil {
			return err
		}
		sr := &scorer{sc: sc, sheets: map[kpi.Metric]*target.Sheet{}, templates: map[[2]any]*Template{}}
		out, err = sr.score(ctx, tx)
		return err
	})
	return out, err
}

// scorer scores one scope, reading each plan and template once.
type scorer struct {
	sc        *kpi.Scope
	sheets    map[kpi.Metric]*target.Sheet
	templates map[[2]any]*Template
}

func (sr *scorer) score(ctx context.Context, tx *db.Tx) (*Scorecard, error) {
	subj := sr.sc.Subject
	role, level, err := roleOf(ctx, tx, subj.Subject)
	if err != nil {
		return nil, err
	}
	tpl, err := sr.template(ctx, tx, role, level)
	if err != nil {
		return nil, err
	}
	f, err := kpi.LoadFigures(ctx, tx, subj.Subject, sr.sc.Period.First, sr.sc.Period.Last())
	if err != nil {
		return nil, err
	}
	card, err := sr.card(ctx, tx, tpl, subj.Subject, f)
	if err != nil {
		return nil, err
	}
	card.Subject = subj
	if subj.PersonID == 0 {
		if card.Members, err = sr.members(ctx, tx); err != nil {
			return nil, err
		}
	}
	return card, nil
}

// card scores the subject's figures on the template.
func (sr *scorer) card(ctx context.Context, tx *db.Tx, tpl *Template, subj kpi.Subject, f kpi.Figures) (*Scorecard, error) {
	out := &Scorecard{Period: sr.sc.Period.String(), Currency: sr.sc.Currency, TemplateID: tpl.ID, Template: tpl.Name, Lines: []ScoreLine{}}
	var total float64
	for _, l := range tpl.Lines {
		line, err := sr.line(ctx, tx, l, subj, f)
		if err != nil {
			return nil, err
		}
		total += line.Score * float64(l.Weight) / 100
		line.Score = round1(line.Score)
		out.Lines = append(out.Lines, line)
	}
	out.Total = round1(total)
	return out, nil
}

func (sr *scorer) line(ctx context.Context, tx *db.Tx, l Line, subj kpi.Subject, f kpi.Figures) (ScoreLine, error) {
	out := ScoreLine{KPI: l.KPI, Weight: l.Weight}
	d, ok := kpi.Find(l.KPI)
	if !ok { // a manual KPI
		return sr.manualLine(ctx, tx, out, l, subj)
	}
	out.Unit, out.Actual = d.Unit, d.Value(f, sr.sc.Currency)
	out.Evidence = sr.evidence(l.KPI, subj)
	var err error
	if out.Target, err = sr.target(ctx, tx, l, d, subj); err != nil {
		return out, err
	}
	if out.Target.Num <= 0 || out.Target.Den == 0 {
		out.Missing = "no_target"
		return out, nil
	}
	att := out.Actual.Float() / out.Target.Float()
	if d.Unit == kpi.UnitDays {
		att = 0
		if out.Actual.Float() > 0 {
			att = out.Target.Float() / out.Actual.Float()
		}
	}
	out.Attainment = math.Round(att*10000) / 10000
	out.Score = curve(l, att)
	return out, nil
}

// curve turns an attainment into a score.
func curve(l Line, att float64) float64 {
	if l.Curve == CurveThreshold && att*100 < float64(l.Threshold) {
		return 0
	}
	return math.Min(att, float64(l.Cap)/100) * 100
}

// target is the line's target for the subject in the period.
func (sr *scorer) target(ctx context.Context, tx *db.Tx, l Line, d kpi.Def, subj kpi.Subject) (kpi.Value, error) {
	if l.Source == FromFixed {
		switch d.Unit {
		case kpi.UnitRatio:
			return kpi.Value{Num: l.Fixed, Den: 10000}, nil
		case kpi.UnitDays, kpi.UnitScore:
			return kpi.Value{Num: l.Fixed, Den: 10}, nil
		}
		return kpi.Value{Num: l.Fixed * int64(sr.sc.Period.Months()), Den: 1}, nil
	}
	m := metricOf(l.KPI)
	sh, ok := sr.sheets[m]
	if !ok {
		var err error
		if sh, err = target.Current(ctx, tx, m, sr.sc.Currency, sr.sc.Period.Year); err != nil {
			return kpi.Value{}, err
		}
		sr.sheets[m] = sh
	}
	if sh == nil {
		return kpi.Value{}, nil
	}
	v, found := sh.For(subj, sr.sc.Period)
	if !found {
		return kpi.Value{}, nil
	}
	return kpi.Value{Num: v, Den: 1}, nil
}

func (sr *scorer) manualLine(ctx context.Context, tx *db.Tx, out ScoreLine, l Line, subj kpi.Subject) (ScoreLine, error) {
	out.Unit = "manual"
	if subj.PersonID == 0 {
		out.Missing = "not_entered"
		return out, nil
	}
	var score int64
	err := tx.QueryRow(ctx, `SELECT score, comment, version FROM manual_kpi_values WHERE code = ? AND person_id = ? AND period = ?`,
		l.KPI, subj.PersonID, sr.sc.Period.String()).Scan(&score, &out.Comment, &out.Version)
	if err == sql.ErrNoRows {
		out.Missing = "not_entered"
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("scorecard: manual %s: %w", l.KPI, err)
	}
	out.Actual, out.Target = kpi.Value{Num: score, Den: 100}, kpi.Value{Num: 1, Den: 1}
	out.Attainment = float64(score) / 100
	out.Score = curve(l, out.Attainment)
	return out, nil
}

// evidence is the API path of the records behind a line.
func (sr *scorer) evidence(code string, subj kpi.Subject) string {
	q := url.Values{"period": {sr.sc.Period.String()}, "currency": {sr.sc.Currency}}
	if subj.PersonID != 0 {
		q.Set("person_id", strconv.FormatInt(subj.PersonID, 10))
	} else {
		q.Set("org_unit_id", strconv.FormatInt(subj.UnitID, 10))
	}
	return "/api/v1/kpis/" + code + "/evidence?" + q.Encode()
}

func (sr *scorer) template(ctx context.Context, tx *db.Tx, role string, level int64) (*Template, error) {
	key := [2]any{role, level}
	if t, ok := sr.templates[key]; ok {
		return t, nil
	}
	t, err := templateFor(ctx, tx, role, level)
	if err != nil {
		return nil, err
	}
	sr.templates[key] = t
	return t, nil
}

// roleOf is the role and level a subject is scored as: a person's own; a
// unit's manager's (a regional manager's when it has none).
func roleOf(ctx context.Context, tx *db.Tx, s kpi.Subject) (string, int64, error) {
	var role string
	var level int64
	var err error
	if s.PersonID != 0 {
		err = tx.QueryRow(ctx, `SELECT role, COALESCE(level_id, 0) FROM people WHERE id = ?`, s.PersonID).Scan(&role, &level)
	} else {
		err = tx.QueryRow(ctx, `SELECT COALESCE(p.role, ?), COALESCE(p.level_id, 0) FROM org_units u LEFT JOIN people p ON p.id = u.manager_id
			WHERE u.id = ?`, string(echelon.RoleRegionalManager), s.UnitID).Scan(&role, &level)
	}
	if err != nil {
		return "", 0, fmt.Errorf("scorecard: role of subject: %w", err)
	}
	return role, level, nil
}

// members scores every active rep of the unit's subtree from one read of the totals.
func (sr *scorer) members(ctx context.Context, tx *db.Tx) ([]Member, error) {
	p := sr.sc.Period
	figures, err := kpi.LoadPeopleFigures(ctx, tx, sr.sc.Subject.UnitPath, p.First, p.Last())
	if err != nil {
		return nil, err
	}
	rs, err := tx.Query(ctx, `SELECT p.id, p.name, COALESCE(p.level_id, 0) FROM people p JOIN org_units u ON u.id = p.org_unit_id
		WHERE p.active AND p.role = ? AND u.path LIKE ? ORDER BY p.id`, string(echelon.RoleRep), sr.sc.Subject.UnitPath+"%")
	if err != nil {
		return nil, fmt.Errorf("scorecard: members: %w", err)
	}
	type rep struct {
		id    int64
		name  string
		level int64
	}
	var reps []rep
	for rs.Next() {
		var r rep
		if err := rs.Scan(&r.id, &r.name, &r.level); err != nil {
			rs.Close()
			return nil, fmt.Errorf("scorecard: scan member: %w", err)
		}
		reps = append(reps, r)
	}
	rs.Close()
	out := []Member{}
	for _, r := range reps {
		tpl, err := sr.template(ctx, tx, string(echelon.RoleRep), r.level)
		if echelon.ErrorCode(err) == echelon.ENOTFOUND {
			continue // nobody to score them by
		}
		if err != nil {
			return nil, err
		}
		card, err := sr.card(ctx, tx, tpl, kpi.Subject{PersonID: r.id}, figures[r.id])
		if err != nil {
			return nil, err
		}
		out = append(out, Member{PersonID: r.id, Name: r.name, Total: card.Total})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Total > out[j].Total })
	return out, nil
}
