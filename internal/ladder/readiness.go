package ladder

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/review"
	"github.com/echelonhq/echelon/internal/scorecard"
	"github.com/echelonhq/echelon/internal/settings"
)

// How promotion readiness is worked out (written down because people's
// careers depend on it):
//   - a person is measured against the entry criteria of the next level by
//     rank; a criterion whose threshold is zero does not apply;
//   - tenure: whole months since the person reached their current level
//     (their latest level change into it, else their hire date);
//   - scorecard: the totals of their own scorecard in each of the last N
//     complete fiscal quarters; the average (one decimal) must reach the
//     threshold and no quarter fall below the floor; a quarter without a
//     score (no template, not yet hired) is missing data;
//   - certifications: each required one held on the day (issued, not expired);
//   - competencies: the manager's ratings in the latest released review,
//     each at or above its threshold; no released review, or no rating
//     for a required competency, is missing data;
//   - the score is criteria met ÷ criteria applicable (missing data is
//     not met; nothing applicable scores 1);
//   - ready now: every criterion met; ready soon: the only unmet criteria
//     are tenure reached before the end of the next fiscal quarter and/or a
//     scorecard average within 5 points (every quarter scored, none below
//     the floor); otherwise not yet.

// Criterion statuses.
const (
	Met         = "met"
	NotMet      = "not_met"
	MissingData = "missing_data"
)

// Criterion kinds.
const (
	KindTenure         = "tenure"
	KindScorecard      = "scorecard"
	KindCertifications = "certifications"
	KindCompetencies   = "competencies"
)

// Readiness buckets.
const (
	ReadyNow  = "ready_now"
	ReadySoon = "ready_soon"
	NotYet    = "not_yet"
	AtTop     = "at_top"   // no level above theirs
	NoLevel   = "no_level" // not on the ladder
)

// soonPoints is how close a scorecard average may be to count as ready soon.
const soonPoints = 5

// Readiness is a person's readiness for the next level, with its evidence.
type Readiness struct {
	PersonID    int64       `json:"person_id"`
	Name        string      `json:"name"`
	OrgUnitID   int64       `json:"org_unit_id,omitempty"`
	OrgUnitName string      `json:"org_unit_name,omitempty"`
	Level       *LevelRef   `json:"level,omitempty"`
	NextLevel   *LevelRef   `json:"next_level,omitempty"`
	Criteria    []Criterion `json:"criteria"`
	Met         int         `json:"met"`
	Applicable  int         `json:"applicable"`
	// Score is Met ÷ Applicable (1 when nothing applies); Explanation writes the sum out.
	Score       float64   `json:"score"`
	Explanation string    `json:"explanation"`
	Bucket      string    `json:"bucket"`
	ComputedAt  time.Time `json:"computed_at"`
}

// Criterion is one entry criterion of the next level, judged with its evidence.
type Criterion struct {
	Kind   string `json:"kind"`
	Status string `json:"status"`
	// Soon says an unmet criterion is within reach (see the rules above).
	Soon           bool                `json:"soon"`
	Tenure         *TenureEvidence     `json:"tenure,omitempty"`
	Scorecard      *ScoreEvidence      `json:"scorecard,omitempty"`
	Certifications *CertEvidence       `json:"certifications,omitempty"`
	Competencies   *CompetencyEvidence `json:"competencies,omitempty"`
}

// TenureEvidence is the time in the current level.
type TenureEvidence struct {
	Since     *Date  `json:"since,omitempty"`
	Source    string `json:"source"` // level_change, hire_date or none
	Months    int    `json:"months"`
	Required  int    `json:"required"`
	ReachedOn *Date  `json:"reached_on,omitempty"`
}

// QuarterScore is a quarter's scorecard total, or why there is none.
type QuarterScore struct {
	Period  string  `json:"period"`
	Score   float64 `json:"score"`
	Missing string  `json:"missing,omitempty"` // no_template, not_employed
}

// ScoreEvidence is the rolling scorecard result.
type ScoreEvidence struct {
	Quarters        []QuarterScore `json:"quarters"`
	Average         float64        `json:"average"`
	RequiredAverage int            `json:"required_average"`
	Floor           int            `json:"floor"`
}

// HeldCertification is a certification counted as held.
type HeldCertification struct {
	Code      string `json:"code"`
	IssuedOn  Date   `json:"issued_on"`
	ExpiresOn *Date  `json:"expires_on,omitempty"`
}

// CertEvidence is which required certifications are held and which missing.
type CertEvidence struct {
	Required []string            `json:"required"`
	Held     []HeldCertification `json:"held"`
	Missing  []string            `json:"missing"`
}

// CompetencyRating is one competency's rating against its threshold (Rating 0: not rated).
type CompetencyRating struct {
	Code     string `json:"code"`
	Rating   int    `json:"rating"`
	Required int    `json:"required"`
	Met      bool   `json:"met"`
}

// CompetencyEvidence is the ratings of the latest released review.
type CompetencyEvidence struct {
	ReviewID   int64              `json:"review_id,omitempty"`
	Period     string             `json:"period,omitempty"`
	ReleasedAt *time.Time         `json:"released_at,omitempty"`
	Ratings    []CompetencyRating `json:"ratings"`
}

// Board is the readiness of the people in a reader's view, by bucket, best first.
type Board struct {
	ComputedAt time.Time   `json:"computed_at"`
	ReadyNow   []Readiness `json:"ready_now"`
	ReadySoon  []Readiness `json:"ready_soon"`
	NotYet     []Readiness `json:"not_yet"`
}

// Readiness computes one person's readiness for a reader who may see them.
func (s *Service) Readiness(ctx context.Context, personID int64) (*Readiness, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *Readiness
	err = s.db.View(ctx, func(tx *db.Tx) error {
		p, err := visiblePerson(ctx, tx, a, personID)
		if err != nil {
			return err
		}
		list, err := s.readiness(ctx, tx, []*personRow{p})
		if err != nil {
			return err
		}
		out = &list[0]
		return nil
	})
	return out, err
}

// PersonBoard is the board of one person the reader may see (empty when
// they are at the top of the ladder or not on it).
func (s *Service) PersonBoard(ctx context.Context, personID int64) (*Board, error) {
	r, err := s.Readiness(ctx, personID)
	if err != nil {
		return nil, err
	}
	b := &Board{ComputedAt: r.ComputedAt, ReadyNow: []Readiness{}, ReadySoon: []Readiness{}, NotYet: []Readiness{}}
	b.add(*r)
	return b, nil
}

func (b *Board) add(r Readiness) {
	switch r.Bucket {
	case ReadyNow:
		b.ReadyNow = append(b.ReadyNow, r)
	case ReadySoon:
		b.ReadySoon = append(b.ReadySoon, r)
	case NotYet:
		b.NotYet = append(b.NotYet, r)
	}
}

// ReadinessBoard computes the readiness of the active people on the
// ladder the reader may see — of one unit's subtree when unitID is not 0
// — grouped by bucket. People at the top of the ladder are left out.
func (s *Service) ReadinessBoard(ctx context.Context, unitID int64) (*Board, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	b := &Board{ComputedAt: s.now().UTC(), ReadyNow: []Readiness{}, ReadySoon: []Readiness{}, NotYet: []Readiness{}}
	err = s.db.View(ctx, func(tx *db.Tx) error {
		cond, args := personScope(a)
		if unitID != 0 {
			var path string
			err := tx.QueryRow(ctx, `SELECT path FROM org_units WHERE id = ?`, unitID).Scan(&path)
			if err != nil || !(a.IsAdmin() || (a.Role.IsManager() && org.InSubtree(path, a.UnitPath))) {
				return echelon.Errorf(echelon.ENOTFOUND, "unit.not_found")
			}
			cond, args = cond+" AND u.path LIKE ?", append(args, path+"%")
		}
		people, err := findPeople(ctx, tx, cond+" AND p.active AND p.level_id IS NOT NULL", args...)
		if err != nil {
			return err
		}
		list, err := s.readiness(ctx, tx, people)
		if err != nil {
			return err
		}
		sort.SliceStable(list, func(i, j int) bool { return list[i].Score > list[j].Score })
		for _, r := range list {
			b.add(r)
		}
		return nil
	})
	return b, err
}

func findPeople(ctx context.Context, tx *db.Tx, cond string, args ...any) ([]*personRow, error) {
	rs, err := tx.Query(ctx, `SELECT `+personRowColumns+` WHERE `+cond+` ORDER BY p.name, p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("ladder: people: %w", err)
	}
	defer rs.Close()
	var out []*personRow
	for rs.Next() {
		p, err := scanPersonRow(rs)
		if err != nil {
			return nil, fmt.Errorf("ladder: scan person: %w", err)
		}
		out = append(out, p)
	}
	return out, rs.Err()
}

// evidence is everything readiness reads, loaded once for many people.
type evidence struct {
	now, today time.Time
	soonBy     time.Time // tenure reached before this date is ready soon
	quarters   []period.Period
	scores     map[string]map[int64]float64 // by quarter, by person
	since      map[int64]time.Time          // the latest change into the current level
	certs      map[int64][]HeldCertification
	released   map[int64]review.Released
}

// readiness computes the readiness of people, reading the evidence of all at once.
func (s *Service) readiness(ctx context.Context, tx *db.Tx, people []*personRow) ([]Readiness, error) {
	levels, err := ladder(ctx, tx)
	if err != nil {
		return nil, err
	}
	cal, err := settings.Calendar(ctx, tx)
	if err != nil {
		return nil, err
	}
	ev := &evidence{now: s.now().UTC(), today: s.today()}
	current := cal.Of(period.KindQuarter, cal.MonthAt(ev.now))
	next := cal.Of(period.KindQuarter, current.Last().Add(1))
	after := next.Last().Add(1)
	ev.soonBy = time.Date(after.Year(), after.Calendar(), 1, 0, 0, 0, 0, time.UTC)

	byID := map[int64]*Criteria{}
	nextOf := map[int64]*Criteria{}
	for i, l := range levels {
		byID[l.Level.ID] = l
		if i+1 < len(levels) {
			nextOf[l.Level.ID] = levels[i+1]
		}
	}
	quarters := 0
	var ids []int64
	var scored []scorecard.Scored
	for _, p := range people {
		ids = append(ids, p.ID)
		if n := nextOf[p.LevelID]; n != nil && n.ScoreQuarters > 0 {
			quarters = max(quarters, n.ScoreQuarters)
			scored = append(scored, scorecard.Scored{PersonID: p.ID, Role: string(p.Role), LevelID: p.LevelID})
		}
	}
	ev.scores = map[string]map[int64]float64{}
	q := current
	for range quarters {
		q = cal.Of(period.KindQuarter, q.First.Add(-1))
		ev.quarters = append(ev.quarters, q)
		if ev.scores[q.String()], err = scorecard.PersonTotals(ctx, tx, scored, cal, q, echelon.DefaultCurrency); err != nil {
			return nil, err
		}
	}
	if ev.since, err = tenureStarts(ctx, tx, ids); err != nil {
		return nil, err
	}
	if ev.certs, err = heldCertifications(ctx, tx, ids, ev.today); err != nil {
		return nil, err
	}
	if ev.released, err = review.LatestReleased(ctx, tx, ids); err != nil {
		return nil, err
	}
	out := make([]Readiness, 0, len(people))
	for _, p := range people {
		out = append(out, ev.judge(p, cal, byID[p.LevelID], nextOf[p.LevelID]))
	}
	return out, nil
}

// judge measures one person against the next level's criteria.
func (ev *evidence) judge(p *personRow, cal period.Calendar, level, next *Criteria) Readiness {
	r := Readiness{PersonID: p.ID, Name: p.Name, OrgUnitID: p.UnitID, OrgUnitName: p.UnitName, Criteria: []Criterion{}, ComputedAt: ev.now}
	switch {
	case level == nil:
		r.Bucket = NoLevel
		return r
	case next == nil:
		r.Level, r.Bucket = &level.Level, AtTop
		return r
	}
	r.Level, r.NextLevel = &level.Level, &next.Level
	if next.MinTenureMonths > 0 {
		r.Criteria = append(r.Criteria, ev.tenure(p, next.MinTenureMonths))
	}
	if next.ScoreQuarters > 0 {
		r.Criteria = append(r.Criteria, ev.scorecard(p, cal, next))
	}
	if len(next.Certifications) > 0 {
		r.Criteria = append(r.Criteria, ev.certifications(p, next.Certifications))
	}
	if len(next.Competencies) > 0 {
		r.Criteria = append(r.Criteria, ev.competencies(p, next.Competencies))
	}
	r.Applicable = len(r.Criteria)
	soon := true
	for _, c := range r.Criteria {
		if c.Status == Met {
			r.Met++
		} else if !c.Soon {
			soon = false
		}
	}
	r.Score = 1
	if r.Applicable > 0 {
		r.Score = math.Round(float64(r.Met)/float64(r.Applicable)*1000) / 1000
	}
	r.Explanation = fmt.Sprintf("%d ÷ %d = %.0f%%", r.Met, r.Applicable, r.Score*100)
	switch {
	case r.Met == r.Applicable:
		r.Bucket = ReadyNow
	case soon:
		r.Bucket = ReadySoon
	default:
		r.Bucket = NotYet
	}
	return r
}

func (ev *evidence) tenure(p *personRow, required int) Criterion {
	c := Criterion{Kind: KindTenure, Status: MissingData}
	e := &TenureEvidence{Source: "none", Required: required}
	c.Tenure = e
	since, ok := ev.since[p.ID]
	if ok {
		e.Source = "level_change"
	} else if !p.HireDate.IsZero() {
		since, e.Source = p.HireDate, "hire_date"
	} else {
		return c
	}
	e.Since = &Date{since}
	e.Months = monthsBetween(since, ev.today)
	reached := addMonths(since, required)
	e.ReachedOn = &Date{reached}
	c.Status = NotMet
	if e.Months >= required {
		c.Status = Met
	} else {
		c.Soon = reached.Before(ev.soonBy)
	}
	return c
}

// monthsBetween is the whole months from a to b (a day-of-month not yet
// reached in b's month does not count).
func monthsBetween(a, b time.Time) int {
	n := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
	if b.Day() < a.Day() {
		n--
	}
	return max(n, 0)
}

// addMonths is the first date at which monthsBetween(a, date) reaches n:
// the same day n months on, or the first of the month after when that
// month is too short.
func addMonths(a time.Time, n int) time.Time {
	first := time.Date(a.Year(), a.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	if last := first.AddDate(0, 1, -1).Day(); a.Day() > last {
		return first.AddDate(0, 1, 0)
	}
	return first.AddDate(0, 0, a.Day()-1)
}

func (ev *evidence) scorecard(p *personRow, cal period.Calendar, next *Criteria) Criterion {
	c := Criterion{Kind: KindScorecard, Status: Met}
	e := &ScoreEvidence{Quarters: []QuarterScore{}, RequiredAverage: next.ScoreAverage, Floor: next.ScoreFloor}
	c.Scorecard = e
	var sum float64
	missing, belowFloor := false, false
	for _, q := range ev.quarters[:next.ScoreQuarters] {
		qs := QuarterScore{Period: q.String()}
		score, ok := ev.scores[q.String()][p.ID]
		last := q.Last().Add(1)
		end := time.Date(last.Year(), last.Calendar(), 1, 0, 0, 0, 0, time.UTC)
		switch {
		case !p.HireDate.IsZero() && !p.HireDate.Before(end):
			qs.Missing, missing = "not_employed", true
		case !ok:
			qs.Missing, missing = "no_template", true
		default:
			qs.Score = score
			sum += score
			belowFloor = belowFloor || score < float64(next.ScoreFloor)
		}
		e.Quarters = append(e.Quarters, qs)
	}
	if missing {
		c.Status = MissingData
		return c
	}
	e.Average = math.Round(sum/float64(next.ScoreQuarters)*10) / 10
	short := e.Average < float64(next.ScoreAverage)
	if short || belowFloor {
		c.Status = NotMet
		c.Soon = !belowFloor && e.Average >= float64(next.ScoreAverage-soonPoints)
	}
	return c
}

func (ev *evidence) certifications(p *personRow, required []string) Criterion {
	c := Criterion{Kind: KindCertifications, Status: Met}
	e := &CertEvidence{Required: required, Held: []HeldCertification{}, Missing: []string{}}
	c.Certifications = e
	for _, code := range required {
		found := false
		for _, h := range ev.certs[p.ID] {
			if h.Code == code {
				e.Held, found = append(e.Held, h), true
				break
			}
		}
		if !found {
			e.Missing = append(e.Missing, code)
		}
	}
	if len(e.Missing) > 0 {
		c.Status = NotMet
	}
	return c
}

func (ev *evidence) competencies(p *personRow, required map[string]int) Criterion {
	c := Criterion{Kind: KindCompetencies, Status: Met}
	e := &CompetencyEvidence{Ratings: []CompetencyRating{}}
	c.Competencies = e
	rel, ok := ev.released[p.ID]
	if ok {
		at := rel.ReleasedAt
		e.ReviewID, e.Period, e.ReleasedAt = rel.ReviewID, rel.Period, &at
	}
	unmet, missing := false, !ok
	for _, code := range review.Competencies {
		min, asked := required[code]
		if !asked {
			continue
		}
		cr := CompetencyRating{Code: code, Required: min, Rating: rel.Competencies[code]}
		cr.Met = cr.Rating >= min
		switch {
		case cr.Rating == 0:
			missing = true
		case !cr.Met:
			unmet = true
		}
		e.Ratings = append(e.Ratings, cr)
	}
	switch {
	case missing:
		c.Status = MissingData
	case unmet:
		c.Status = NotMet
	}
	return c
}

// tenureStarts is, for each of the people, the effective date of their
// latest applied change into the level they hold now (a hold does not
// count).
func tenureStarts(ctx context.Context, tx *db.Tx, ids []int64) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	err := inChunks(ids, func(args []any, m string) error {
		rs, err := tx.Query(ctx, `SELECT lc.person_id, lc.effective_on FROM level_changes lc JOIN people p ON p.id = lc.person_id
			WHERE lc.person_id IN (`+m+`) AND lc.applied_at IS NOT NULL AND lc.to_level_id = p.level_id
			AND (lc.from_level_id IS NULL OR lc.from_level_id <> lc.to_level_id)`, args...)
		if err != nil {
			return fmt.Errorf("ladder: tenure starts: %w", err)
		}
		defer rs.Close()
		for rs.Next() {
			var id int64
			var at time.Time
			if err := rs.Scan(&id, &at); err != nil {
				return fmt.Errorf("ladder: scan tenure start: %w", err)
			}
			if d := dayOf(at); d.After(out[id]) {
				out[id] = d
			}
		}
		return rs.Err()
	})
	return out, err
}

// heldCertifications is, for each of the people, the certifications valid
// on day (the latest of each code).
func heldCertifications(ctx context.Context, tx *db.Tx, ids []int64, day time.Time) (map[int64][]HeldCertification, error) {
	out := map[int64][]HeldCertification{}
	err := inChunks(ids, func(args []any, m string) error {
		list, err := certifications(ctx, tx, `c.person_id IN (`+m+`)`, args...)
		if err != nil {
			return err
		}
		for _, c := range list { // newest first
			if c.IssuedOn.After(day) || (c.ExpiresOn != nil && c.ExpiresOn.Before(day)) {
				continue
			}
			dup := false
			for _, h := range out[c.PersonID] {
				dup = dup || h.Code == c.Code
			}
			if !dup {
				out[c.PersonID] = append(out[c.PersonID], HeldCertification{Code: c.Code, IssuedOn: c.IssuedOn, ExpiresOn: c.ExpiresOn})
			}
		}
		return nil
	})
	return out, err
}

// inChunks calls fn for the ids in groups small enough for one IN list.
func inChunks(ids []int64, fn func(args []any, marks string) error) error {
	const size = 500
	for start := 0; start < len(ids); start += size {
		part := ids[start:min(start+size, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		if err := fn(args, db.Marks(len(part))); err != nil {
			return err
		}
	}
	return nil
}
