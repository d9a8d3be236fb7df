package talent

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/ladder"
	"github.com/echelonhq/echelon/internal/org"
)

// Refreshed says how many readiness snapshots a refresh wrote, and when.
type Refreshed struct {
	People     int       `json:"people"`
	ComputedAt time.Time `json:"computed_at"`
}

// Refresh recomputes the readiness of the people in a unit's subtree (0:
// the reader's own) and keeps it for the succession benches. A manager
// refreshes their subtree, an admin or the system everyone.
func (s *Service) Refresh(ctx context.Context, unitID int64) (*Refreshed, error) {
	var u Unit
	err := s.db.View(ctx, func(tx *db.Tx) error {
		var err error
		_, u, err = viewUnit(ctx, tx, unitID)
		return err
	})
	if err != nil {
		return nil, err
	}
	board, err := s.ladder.ReadinessBoard(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	out := &Refreshed{ComputedAt: board.ComputedAt}
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM readiness_snapshots WHERE org_unit_id IN (SELECT id FROM org_units WHERE path LIKE ?)`, u.Path+"%"); err != nil {
			return fmt.Errorf("talent: clear readiness of %s: %w", u.Name, err)
		}
		for _, bucket := range [][]ladder.Readiness{board.ReadyNow, board.ReadySoon, board.NotYet} {
			for _, r := range bucket {
				if err := keep(ctx, tx, r); err != nil {
					return err
				}
				out.People++
			}
		}
		return nil
	})
	return out, err
}

// keep stores one person's readiness, replacing what was kept.
func keep(ctx context.Context, tx *db.Tx, r ladder.Readiness) error {
	var level, next any
	if r.Level != nil {
		level = r.Level.ID
	}
	if r.NextLevel != nil {
		next = r.NextLevel.ID
	}
	_, err := tx.Exec(ctx, `INSERT INTO readiness_snapshots (person_id, org_unit_id, level_id, next_level_id, bucket, score, met, applicable, computed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (person_id) DO UPDATE SET org_unit_id = excluded.org_unit_id, level_id = excluded.level_id, next_level_id = excluded.next_level_id,
			bucket = excluded.bucket, score = excluded.score, met = excluded.met, applicable = excluded.applicable, computed_at = excluded.computed_at`,
		r.PersonID, nullID(r.OrgUnitID), level, next, r.Bucket, r.Score, r.Met, r.Applicable, r.ComputedAt.UTC())
	if err != nil {
		return fmt.Errorf("talent: keep readiness of %d: %w", r.PersonID, err)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Candidate is a person on a seat's bench, with their readiness as last computed.
type Candidate struct {
	Person
	Bucket     string    `json:"bucket"`
	Score      float64   `json:"score"`
	Met        int       `json:"met"`
	Applicable int       `json:"applicable"`
	ComputedAt time.Time `json:"computed_at"`
	path       string
	next       int64
}

// Seat is a manager's seat — an org unit — with its incumbent and bench:
// the people below it whose next level is the seat's level, readiest first.
type Seat struct {
	Unit      Unit        `json:"unit"`
	Kind      string      `json:"kind"`
	Incumbent *Person     `json:"incumbent,omitempty"`
	LevelID   int64       `json:"level_id"`
	LevelCode string      `json:"level_code"`
	LevelZh   string      `json:"level_name_zh"`
	LevelEn   string      `json:"level_name_en"`
	Bench     []Candidate `json:"bench"`
	// ReadyNow counts the bench's people ready now: a seat without one is at risk of a gap.
	ReadyNow int `json:"ready_now"`
}

// Succession is the benches of the manager seats in a unit's subtree.
type Succession struct {
	Unit  Unit   `json:"unit"`
	Seats []Seat `json:"seats"`
	// ComputedAt is when the oldest readiness shown was computed (nil: none kept yet; refresh).
	ComputedAt *time.Time `json:"computed_at,omitempty"`
}

// Succession lists the manager seats of a unit's subtree (0: the reader's
// own) — the unit itself and every open unit below — with their benches.
// A vacant seat takes the level its kind of unit is led at: the company
// the senior manager's, a region or team the regional manager's.
func (s *Service) Succession(ctx context.Context, unitID int64) (*Succession, error) {
	var out *Succession
	err := s.db.View(ctx, func(tx *db.Tx) error {
		_, u, err := viewUnit(ctx, tx, unitID)
		if err != nil {
			return err
		}
		out = &Succession{Unit: u, Seats: []Seat{}}
		seats, err := seatsIn(ctx, tx, u)
		if err != nil {
			return err
		}
		candidates, oldest, err := keptReadiness(ctx, tx, u)
		if err != nil {
			return err
		}
		out.ComputedAt = oldest
		for _, seat := range seats {
			for _, c := range candidates {
				if c.next == seat.LevelID && org.InSubtree(c.path, seat.Unit.Path) && (seat.Incumbent == nil || c.ID != seat.Incumbent.ID) {
					seat.Bench = append(seat.Bench, c)
					if c.Bucket == ladder.ReadyNow {
						seat.ReadyNow++
					}
				}
			}
			sort.SliceStable(seat.Bench, func(i, j int) bool {
				a, b := seat.Bench[i], seat.Bench[j]
				if bucketRank(a.Bucket) != bucketRank(b.Bucket) {
					return bucketRank(a.Bucket) < bucketRank(b.Bucket)
				}
				return a.Score > b.Score
			})
			out.Seats = append(out.Seats, seat)
		}
		return nil
	})
	return out, err
}

func bucketRank(b string) int {
	switch b {
	case ladder.ReadyNow:
		return 0
	case ladder.ReadySoon:
		return 1
	}
	return 2
}

// seatsIn reads the open units of the subtree with their manager and the
// level of the seat, in tree order.
func seatsIn(ctx context.Context, tx *db.Tx, u Unit) ([]Seat, error) {
	rs, err := tx.Query(ctx, `SELECT un.id, un.name, un.path, un.kind, COALESCE(m.id, 0), COALESCE(m.name, ''), COALESCE(m.role, ''),
			COALESCE(ml.id, dl.id, 0), COALESCE(ml.code, dl.code, ''), COALESCE(ml.name_zh, dl.name_zh, ''), COALESCE(ml.name_en, dl.name_en, '')
		FROM org_units un
		LEFT JOIN people m ON m.id = un.manager_id AND m.active
		LEFT JOIN levels ml ON ml.id = m.level_id
		LEFT JOIN levels dl ON dl.code = CASE un.kind WHEN 'company' THEN 'senior_manager' ELSE 'regional_manager' END
		WHERE un.closed_at IS NULL AND un.path LIKE ? ORDER BY un.path`, u.Path+"%")
	if err != nil {
		return nil, fmt.Errorf("talent: seats of %s: %w", u.Name, err)
	}
	defer rs.Close()
	var out []Seat
	for rs.Next() {
		var seat Seat
		var m Person
		if err := rs.Scan(&seat.Unit.ID, &seat.Unit.Name, &seat.Unit.Path, &seat.Kind, &m.ID, &m.Name, &m.Role,
			&seat.LevelID, &seat.LevelCode, &seat.LevelZh, &seat.LevelEn); err != nil {
			return nil, fmt.Errorf("talent: scan seat: %w", err)
		}
		if m.ID != 0 {
			m.UnitID, m.UnitName, m.LevelID, m.LevelCode, m.LevelZh, m.LevelEn = seat.Unit.ID, seat.Unit.Name, seat.LevelID, seat.LevelCode, seat.LevelZh, seat.LevelEn
			seat.Incumbent = &m
		}
		seat.Bench = []Candidate{}
		out = append(out, seat)
	}
	return out, rs.Err()
}

// keptReadiness reads the kept readiness of the active people of the
// subtree, with when the oldest of it was computed.
func keptReadiness(ctx context.Context, tx *db.Tx, u Unit) ([]Candidate, *time.Time, error) {
	rs, err := tx.Query(ctx, `SELECT `+personFields+`, u.path, COALESCE(r.next_level_id, 0), r.bucket, r.score, r.met, r.applicable, r.computed_at`+personFrom+`
		JOIN readiness_snapshots r ON r.person_id = p.id
		WHERE p.active AND u.path LIKE ?`, u.Path+"%")
	if err != nil {
		return nil, nil, fmt.Errorf("talent: kept readiness in %s: %w", u.Name, err)
	}
	defer rs.Close()
	var out []Candidate
	var oldest *time.Time
	for rs.Next() {
		var c Candidate
		if err := rs.Scan(c.fields(&c.path, &c.next, &c.Bucket, &c.Score, &c.Met, &c.Applicable, &c.ComputedAt)...); err != nil {
			return nil, nil, fmt.Errorf("talent: scan kept readiness: %w", err)
		}
		c.ComputedAt = c.ComputedAt.UTC()
		if oldest == nil || c.ComputedAt.Before(*oldest) {
			t := c.ComputedAt
			oldest = &t
		}
		out = append(out, c)
	}
	return out, oldest, rs.Err()
}

// RefreshAll recomputes everyone's readiness, as the system (the periodic job).
func (s *Service) RefreshAll(ctx context.Context) error {
	_, err := s.Refresh(echelon.NewContext(ctx, echelon.SystemActor("readiness")), 0)
	return err
}
