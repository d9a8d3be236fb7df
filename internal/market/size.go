package market

import (
	"context"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/period"
)

// Size is the size of one market in one fiscal period, in one currency.
type Size struct {
	ID            int64     `json:"id"`
	Period        string    `json:"period"`
	FirstMonth    string    `json:"first_month"`
	LastMonth     string    `json:"last_month"`
	TerritoryID   int64     `json:"territory_id,omitempty"`
	TerritoryName string    `json:"territory_name,omitempty"`
	Segment       string    `json:"segment,omitempty"`
	Amount        int64     `json:"amount"`
	Currency      string    `json:"currency"`
	Source        string    `json:"source"`
	Note          string    `json:"note"`
	Version       int       `json:"version"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedBy     string    `json:"updated_by"`
	UpdatedAt     time.Time `json:"updated_at"`
	segmentKey    string    // the segment folded by the database, as revenue is grouped
}

// SizeInput sets the size of a market: a period address, a territory or a
// segment (exactly one), the amount in minor units (more than zero), the
// currency (CNY when empty) and where the figure comes from.
type SizeInput struct {
	Period      string `json:"period"`
	TerritoryID int64  `json:"territory_id,omitempty"`
	Segment     string `json:"segment,omitempty"`
	Amount      int64  `json:"amount"`
	Currency    string `json:"currency,omitempty"`
	Source      string `json:"source,omitempty"`
	Note        string `json:"note,omitempty"`
	Version     int    `json:"version,omitempty"`
}

// Filter narrows a list of market sizes; zero fields do not filter.
type Filter struct {
	Period      string // a period address: the sizes of exactly its months
	By          string // ByTerritory or BySegment
	TerritoryID int64
	Segment     string
}

const sizeColumns = `ms.id, ms.period, ms.first_month, ms.last_month, COALESCE(ms.territory_id, 0), COALESCE(t.name, ''), ms.segment,
	LOWER(ms.segment), ms.amount, ms.currency, ms.source, ms.note, ms.version, COALESCE(cp.name, ''), ms.created_at,
	COALESCE(up.name, ''), ms.updated_at
	FROM market_sizes ms LEFT JOIN territories t ON t.id = ms.territory_id
	LEFT JOIN people cp ON cp.id = ms.created_by LEFT JOIN people up ON up.id = ms.updated_by`

type scanner interface{ Scan(...any) error }

func scanSize(r scanner) (*Size, error) {
	var s Size
	var first, last int
	if err := r.Scan(&s.ID, &s.Period, &first, &last, &s.TerritoryID, &s.TerritoryName, &s.Segment, &s.segmentKey,
		&s.Amount, &s.Currency, &s.Source, &s.Note, &s.Version, &s.CreatedBy, &s.CreatedAt, &s.UpdatedBy, &s.UpdatedAt); err != nil {
		return nil, err
	}
	s.FirstMonth, s.LastMonth = period.Month(first).String(), period.Month(last).String()
	return &s, nil
}

// sees reports whether the reader may see a market size.
func (lk *lookup) sees(s *Size) bool {
	if s.TerritoryID == 0 {
		return lk.seesSegments()
	}
	_, ok := lk.visible(s.TerritoryID)
	return ok
}

// querySizes reads the sizes matching where that the reader may see.
func (lk *lookup) querySizes(ctx context.Context, tx *db.Tx, where string, args ...any) ([]*Size, error) {
	rows, err := tx.Query(ctx, `SELECT `+sizeColumns+` WHERE `+where+
		` ORDER BY ms.first_month DESC, ms.last_month, COALESCE(t.name, ms.segment), ms.currency, ms.id`, args...)
	if err != nil {
		return nil, fmtErr("market sizes", err)
	}
	defer rows.Close()
	var out []*Size
	for rows.Next() {
		s, err := scanSize(rows)
		if err != nil {
			return nil, fmtErr("scan market size", err)
		}
		if lk.sees(s) {
			out = append(out, s)
		}
	}
	return out, fmtErr("market sizes", rows.Err())
}

// find returns the market size id when the reader may see it.
func (lk *lookup) find(ctx context.Context, tx *db.Tx, id int64) (*Size, error) {
	found, err := lk.querySizes(ctx, tx, `ms.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "market.not_found")
	}
	return found[0], nil
}

// Find lists the market sizes the reader may see, newest period first.
func (s *Service) Find(ctx context.Context, f Filter) ([]*Size, error) {
	var out []*Size
	err := s.viewing(ctx, func(tx *db.Tx, lk *lookup) error {
		where, args, err := lk.filter(f)
		if err != nil {
			return err
		}
		out, err = lk.querySizes(ctx, tx, where, args...)
		return err
	})
	return out, err
}

// filter turns f into a condition on the market sizes.
func (lk *lookup) filter(f Filter) (string, []any, error) {
	conds, args := []string{"1=1"}, []any{}
	if strings.TrimSpace(f.Period) != "" {
		p, err := lk.parse(f.Period)
		if err != nil {
			return "", nil, err
		}
		conds, args = append(conds, "ms.first_month = ? AND ms.last_month = ?"), append(args, int(p.First), int(p.Last()))
	}
	switch f.By {
	case "":
	case ByTerritory:
		conds = append(conds, "ms.territory_id IS NOT NULL")
	case BySegment:
		conds = append(conds, "ms.territory_id IS NULL")
	default:
		return "", nil, echelon.FieldError("by", "market.by_invalid", f.By)
	}
	if f.TerritoryID != 0 {
		conds, args = append(conds, "ms.territory_id = ?"), append(args, f.TerritoryID)
	}
	if seg := strings.TrimSpace(f.Segment); seg != "" {
		conds, args = append(conds, "LOWER(ms.segment) = LOWER(?)"), append(args, seg)
	}
	return strings.Join(conds, " AND "), args, nil
}

// Set creates the size of a market for a period, or — when that market,
// period and currency already have one — updates it; a non-zero version
// must then equal the stored one. created reports which it was.
func (s *Service) Set(ctx context.Context, in SizeInput) (out *Size, created bool, err error) {
	err = s.changing(ctx, func(tx *db.Tx, lk *lookup) error {
		e, err := lk.check(ctx, tx, in)
		if err != nil {
			return err
		}
		before, err := findByKey(ctx, tx, lk, e)
		if err != nil {
			return err
		}
		if err := checkVersion(ctx, tx, before, in.Version); err != nil {
			return err
		}
		var action string
		out, action, err = s.save(ctx, tx, e, before)
		created = action == echelon.RowCreated
		return err
	})
	return out, created, err
}

// Update replaces market size id; a non-zero version must equal the stored one.
func (s *Service) Update(ctx context.Context, id int64, in SizeInput) (*Size, error) {
	var out *Size
	err := s.changing(ctx, func(tx *db.Tx, lk *lookup) error {
		before, err := lk.find(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := checkVersion(ctx, tx, before, in.Version); err != nil {
			return err
		}
		e, err := lk.check(ctx, tx, in)
		if err != nil {
			return err
		}
		out, _, err = s.save(ctx, tx, e, before)
		return err
	})
	return out, err
}

// checkVersion refuses a change based on an old version of before (none: no check).
func checkVersion(ctx context.Context, tx *db.Tx, before *Size, version int) error {
	if before == nil || version == 0 || version == before.Version {
		return nil
	}
	return audit.StaleError(ctx, tx, entity, before.ID)
}

// findByKey returns the size kept for the market, period and currency of e, or nil.
func findByKey(ctx context.Context, tx *db.Tx, lk *lookup, e *entry) (*Size, error) {
	found, err := lk.querySizes(ctx, tx, `ms.period = ? AND COALESCE(ms.territory_id, 0) = ? AND ms.segment = ? AND ms.currency = ?`,
		e.period.String(), e.territoryID(), e.segment, e.currency)
	if err != nil || len(found) == 0 {
		return nil, err
	}
	return found[0], nil
}

// writtenColumns are the columns an entry sets, in the order of entry.values.
const writtenColumns = `period, first_month, last_month, territory_id, segment, amount, currency, source, note`

// save writes e over before (nil: a new size), or leaves before when
// nothing changes, and records the change in the audit log.
func (s *Service) save(ctx context.Context, tx *db.Tx, e *entry, before *Size) (*Size, string, error) {
	if before != nil && e.sameAs(before) {
		return before, echelon.RowSkipped, nil
	}
	id, err := s.write(ctx, tx, e, before)
	if db.IsUniqueViolation(err) {
		return nil, "", echelon.Errorf(echelon.ECONFLICT, "market.duplicate", e.period.String(), e.currency)
	}
	if err != nil {
		return nil, "", fmtErr("write market size", err)
	}
	after, err := scanSize(tx.QueryRow(ctx, `SELECT `+sizeColumns+` WHERE ms.id = ?`, id))
	if err != nil {
		return nil, "", fmtErr("reload market size", err)
	}
	if before == nil {
		return after, echelon.RowCreated, audit.Record(ctx, tx, "create", entity, id, nil, after)
	}
	return after, echelon.RowUpdated, audit.Record(ctx, tx, "update", entity, id, before, after)
}

// write inserts e, or updates before with it, and returns the size's id.
func (s *Service) write(ctx context.Context, tx *db.Tx, e *entry, before *Size) (int64, error) {
	var by any
	if a := echelon.ActorFrom(ctx); a.PersonID != 0 {
		by = a.PersonID
	}
	now := s.now().UTC()
	if before == nil {
		return tx.InsertID(ctx, `INSERT INTO market_sizes (`+writtenColumns+`, created_by, created_at, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(e.values(), by, now, by, now)...)
	}
	set := strings.ReplaceAll(writtenColumns, ",", " = ?,") + " = ?"
	_, err := tx.Exec(ctx, `UPDATE market_sizes SET `+set+`, version = version + 1, updated_by = ?, updated_at = ? WHERE id = ?`,
		append(e.values(), by, now, before.ID)...)
	return before.ID, err
}
