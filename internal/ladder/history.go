package ladder

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
)

// LevelChange is one change of a person's level. A change whose effective
// date lies ahead is pending until the day comes (AppliedAt empty).
type LevelChange struct {
	ID           int64      `json:"id"`
	PersonID     int64      `json:"person_id"`
	From         *LevelRef  `json:"from,omitempty"`
	To           LevelRef   `json:"to"`
	EffectiveOn  Date       `json:"effective_on"`
	Reason       string     `json:"reason"`
	ChangedBy    string     `json:"changed_by"`
	NominationID int64      `json:"nomination_id,omitempty"`
	Pending      bool       `json:"pending"`
	AppliedAt    *time.Time `json:"applied_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
}

// History returns a person's level changes, newest first, for a reader
// who may see the person (anyone else: not found).
func (s *Service) History(ctx context.Context, personID int64) ([]LevelChange, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out []LevelChange
	err = s.db.View(ctx, func(tx *db.Tx) error {
		if _, err := visiblePerson(ctx, tx, a, personID); err != nil {
			return err
		}
		out, err = history(ctx, tx, personID)
		return err
	})
	return out, err
}

func history(ctx context.Context, tx *db.Tx, personID int64) ([]LevelChange, error) {
	rs, err := tx.Query(ctx, `SELECT lc.id, lc.person_id, COALESCE(lc.from_level_id, 0), COALESCE(f.code, ''), COALESCE(f.name_zh, ''),
		COALESCE(f.name_en, ''), COALESCE(f.rank, 0), t.id, t.code, t.name_zh, t.name_en, t.rank, lc.effective_on, lc.reason,
		COALESCE(b.name, ''), COALESCE(lc.nomination_id, 0), lc.applied_at, lc.created_at
		FROM level_changes lc JOIN levels t ON t.id = lc.to_level_id LEFT JOIN levels f ON f.id = lc.from_level_id
		LEFT JOIN people b ON b.id = lc.changed_by
		WHERE lc.person_id = ? ORDER BY lc.effective_on DESC, lc.id DESC`, personID)
	if err != nil {
		return nil, fmt.Errorf("ladder: history: %w", err)
	}
	defer rs.Close()
	out := []LevelChange{}
	for rs.Next() {
		var c LevelChange
		var from LevelRef
		var eff time.Time
		var applied sql.NullTime
		if err := rs.Scan(&c.ID, &c.PersonID, &from.ID, &from.Code, &from.NameZh, &from.NameEn, &from.Rank, &c.To.ID, &c.To.Code,
			&c.To.NameZh, &c.To.NameEn, &c.To.Rank, &eff, &c.Reason, &c.ChangedBy, &c.NominationID, &applied, &c.CreatedAt); err != nil {
			return nil, fmt.Errorf("ladder: scan level change: %w", err)
		}
		if from.ID != 0 {
			c.From = &from
		}
		c.EffectiveOn = Date{dayOf(eff)}
		if applied.Valid {
			at := applied.Time.UTC()
			c.AppliedAt = &at
		}
		c.Pending = !applied.Valid
		out = append(out, c)
	}
	return out, rs.Err()
}

// recordChange writes a level change and applies it at once when its date
// has come; a later one waits for ApplyDue.
func (s *Service) recordChange(ctx context.Context, tx *db.Tx, c LevelChange, changedBy int64) (int64, error) {
	now := s.now().UTC()
	var from any
	if c.From != nil {
		from = c.From.ID
	}
	id, err := tx.InsertID(ctx, `INSERT INTO level_changes (person_id, from_level_id, to_level_id, effective_on, reason, changed_by,
		nomination_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.PersonID, from, c.To.ID, c.EffectiveOn.Time, c.Reason,
		nullID(changedBy), nullID(c.NominationID), now)
	if err != nil {
		return 0, fmt.Errorf("ladder: insert level change: %w", err)
	}
	if c.EffectiveOn.After(s.today()) {
		return id, nil
	}
	return id, s.apply(ctx, tx, id, c.PersonID, c.To.ID)
}

// apply puts a change into effect: the person's level and the change's
// applied time, in the caller's transaction.
func (s *Service) apply(ctx context.Context, tx *db.Tx, changeID, personID, levelID int64) error {
	now := s.now().UTC()
	if _, err := tx.Exec(ctx, `UPDATE people SET level_id = ?, version = version + 1, updated_at = ? WHERE id = ?`, levelID, now, personID); err != nil {
		return fmt.Errorf("ladder: set level of person %d: %w", personID, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE level_changes SET applied_at = ? WHERE id = ?`, now, changeID); err != nil {
		return fmt.Errorf("ladder: mark level change %d applied: %w", changeID, err)
	}
	return nil
}

// ApplyDue puts into effect the level changes whose effective date has
// come (the periodic sweep) and says how many it applied.
func (s *Service) ApplyDue(ctx context.Context) (int, error) {
	n := 0
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		rs, err := tx.Query(ctx, `SELECT id, person_id, to_level_id FROM level_changes WHERE applied_at IS NULL AND effective_on <= ?
			ORDER BY effective_on, id`, s.today())
		if err != nil {
			return fmt.Errorf("ladder: due level changes: %w", err)
		}
		type due struct{ id, person, level int64 }
		var list []due
		for rs.Next() {
			var d due
			if err := rs.Scan(&d.id, &d.person, &d.level); err != nil {
				rs.Close()
				return fmt.Errorf("ladder: scan due change: %w", err)
			}
			list = append(list, d)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return fmt.Errorf("ladder: due level changes: %w", err)
		}
		for _, d := range list {
			if err := s.apply(ctx, tx, d.id, d.person, d.level); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, "apply", "level_change", d.id, nil, map[string]int64{"person_id": d.person, "level_id": d.level}); err != nil {
				return err
			}
		}
		n = len(list)
		return nil
	})
	return n, err
}
