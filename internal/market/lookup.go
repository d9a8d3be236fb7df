package market

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/settings"
)

// Field limits, in characters.
const (
	maxSource = 200
	maxNote   = 2000
)

// territory is a territory as markets need it.
type territory struct {
	id   int64
	name string
	path string // of its unit, or of its person's unit
}

// lookup holds what checking and reading markets needs within one
// transaction: the reader's scope, the fiscal calendar, the territories,
// and the known segments once one is asked for (an import checks many
// rows against them).
type lookup struct {
	*scope
	cal         period.Calendar
	territories map[int64]*territory
	byName      map[string][]*territory // the visible ones, by folded name
	segments    map[string]string       // folded → as spelt; nil until needed
}

func newLookup(ctx context.Context, tx *db.Tx, act *echelon.Actor) (*lookup, error) {
	sc, err := loadScope(ctx, tx, act)
	if err != nil {
		return nil, err
	}
	cal, err := settings.Calendar(ctx, tx)
	if err != nil {
		return nil, err
	}
	lk := &lookup{scope: sc, cal: cal, territories: map[int64]*territory{}, byName: map[string][]*territory{}}
	return lk, lk.loadTerritories(ctx, tx)
}

// withLookup is a transaction function that gives fn the lookup of act.
func withLookup(ctx context.Context, act *echelon.Actor, fn func(*db.Tx, *lookup) error) func(*db.Tx) error {
	return func(tx *db.Tx) error {
		lk, err := newLookup(ctx, tx, act)
		if err != nil {
			return err
		}
		return fn(tx, lk)
	}
}

// viewing runs fn in a read-only transaction with the reader's lookup.
func (s *Service) viewing(ctx context.Context, fn func(*db.Tx, *lookup) error) error {
	act, err := actor(ctx)
	if err != nil {
		return err
	}
	return s.db.View(ctx, withLookup(ctx, act, fn))
}

// changing runs fn in a read-write transaction with the lookup of a reader
// who may set market sizes.
func (s *Service) changing(ctx context.Context, fn func(*db.Tx, *lookup) error) error {
	act, err := writer(ctx)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, withLookup(ctx, act, fn))
}

func (lk *lookup) loadTerritories(ctx context.Context, tx *db.Tx) error {
	rows, err := tx.Query(ctx, `SELECT t.id, t.name, COALESCE(u.path, pu.path, '') FROM territories t
		LEFT JOIN org_units u ON u.id = t.org_unit_id LEFT JOIN people p ON p.id = t.person_id
		LEFT JOIN org_units pu ON pu.id = p.org_unit_id ORDER BY t.id`)
	if err != nil {
		return fmtErr("territories", err)
	}
	defer rows.Close()
	for rows.Next() {
		t := &territory{}
		if err := rows.Scan(&t.id, &t.name, &t.path); err != nil {
			return fmtErr("scan territory", err)
		}
		lk.territories[t.id] = t
		if lk.seesTerritory(t) {
			lk.byName[fold(t.name)] = append(lk.byName[fold(t.name)], t)
		}
	}
	return fmtErr("territories", rows.Err())
}

// fold is the form in which names and segments are compared.
func fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// visible returns territory id when the reader may see it.
func (lk *lookup) visible(id int64) (*territory, bool) {
	t := lk.territories[id]
	return t, t != nil && lk.seesTerritory(t)
}

// territoryRef finds a visible territory by its name or, failing that, its id.
func (lk *lookup) territoryRef(ref string) (int64, error) {
	switch ts := lk.byName[fold(ref)]; {
	case len(ts) == 1:
		return ts[0].id, nil
	case len(ts) > 1:
		return 0, echelon.FieldError("territory_id", "market.territory_ambiguous", len(ts), strings.TrimSpace(ref))
	}
	id, err := strconv.ParseInt(strings.TrimSpace(ref), 10, 64)
	if _, ok := lk.visible(id); err != nil || !ok {
		return 0, echelon.FieldError("territory_id", "market.territory_unknown", strings.TrimSpace(ref))
	}
	return id, nil
}

// segment returns a known segment — one that a territory or an account
// has — as it is spelt there (the first spelling in byte order when
// records differ in case).
func (lk *lookup) segment(ctx context.Context, tx *db.Tx, s string) (string, error) {
	if lk.segments == nil {
		if err := lk.loadSegments(ctx, tx); err != nil {
			return "", err
		}
	}
	if spelt, ok := lk.segments[fold(s)]; ok {
		return spelt, nil
	}
	return "", echelon.FieldError("segment", "market.segment_unknown", strings.TrimSpace(s))
}

func (lk *lookup) loadSegments(ctx context.Context, tx *db.Tx) error {
	rows, err := tx.Query(ctx, `SELECT segment FROM territories WHERE segment <> ''
		UNION SELECT segment FROM accounts WHERE segment <> '' AND merged_into_id IS NULL`)
	if err != nil {
		return fmtErr("segments", err)
	}
	defer rows.Close()
	lk.segments = map[string]string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmtErr("scan segment", err)
		}
		if spelt, dup := lk.segments[fold(s)]; !dup || s < spelt {
			lk.segments[fold(s)] = s // the same spelling whichever order the database reads
		}
	}
	return fmtErr("segments", rows.Err())
}

// parse reads a period address.
func (lk *lookup) parse(at string) (period.Period, error) {
	p, err := lk.cal.Parse(at)
	if err != nil {
		return period.Period{}, echelon.FieldError("period", "period.invalid", strings.TrimSpace(at))
	}
	return p, nil
}

// entry is a checked SizeInput.
type entry struct {
	period    period.Period
	territory *territory // nil for a segment
	segment   string
	amount    int64
	currency  string
	source    string
	note      string
}

// check validates in: the reader may set its market, the period is one,
// the market is exactly one known territory or segment, the amount is
// positive.
func (lk *lookup) check(ctx context.Context, tx *db.Tx, in SizeInput) (*entry, error) {
	if strings.TrimSpace(in.Segment) != "" && !lk.seesSegments() {
		return nil, echelon.Errorf(echelon.EFORBIDDEN, "market.segment_forbidden")
	}
	if strings.TrimSpace(in.Period) == "" {
		return nil, echelon.FieldError("period", "field.required")
	}
	e := &entry{amount: in.Amount}
	var err error
	if e.period, err = lk.parse(in.Period); err != nil {
		return nil, err
	}
	if err := lk.market(ctx, tx, in, e); err != nil {
		return nil, err
	}
	if in.Amount <= 0 || in.Amount > echelon.MaxAmount {
		return nil, echelon.FieldError("amount", "market.amount_invalid")
	}
	if e.currency, err = currency(in.Currency); err != nil {
		return nil, err
	}
	if e.source, err = text("source", in.Source, maxSource); err != nil {
		return nil, err
	}
	e.note, err = text("note", in.Note, maxNote)
	return e, err
}

// market puts the territory or the segment of in into e.
func (lk *lookup) market(ctx context.Context, tx *db.Tx, in SizeInput, e *entry) error {
	segment := strings.TrimSpace(in.Segment)
	switch {
	case (in.TerritoryID == 0) == (segment == ""):
		return echelon.FieldError("territory_id", "market.one_market")
	case in.TerritoryID != 0:
		t, ok := lk.visible(in.TerritoryID)
		if !ok {
			return echelon.FieldError("territory_id", "market.territory_unknown", strconv.FormatInt(in.TerritoryID, 10))
		}
		e.territory = t
		return nil
	}
	var err error
	e.segment, err = lk.segment(ctx, tx, segment)
	return err
}

// currency checks an ISO 4217 code, CNY when empty.
func currency(c string) (string, error) {
	c = strings.ToUpper(strings.TrimSpace(c))
	if c == "" {
		return echelon.DefaultCurrency, nil
	}
	if len(c) != 3 || strings.IndexFunc(c, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return "", echelon.FieldError("currency", "currency.invalid")
	}
	return c, nil
}

// text trims s and bounds its length.
func text(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > max {
		return "", echelon.FieldError(field, "field.too_long", max)
	}
	return s, nil
}

func (e *entry) territoryID() int64 {
	if e.territory == nil {
		return 0
	}
	return e.territory.id
}

// key names the market, period and currency of an entry: what one size is kept for.
func (e *entry) key() string {
	return fmt.Sprintf("%s|%d|%s|%s", e.period, e.territoryID(), e.segment, e.currency)
}

// values are the stored columns of an entry, in the order of writtenColumns.
func (e *entry) values() []any {
	var tid any
	if id := e.territoryID(); id != 0 {
		tid = id
	}
	return []any{e.period.String(), int(e.period.First), int(e.period.Last()), tid, e.segment, e.amount, e.currency, e.source, e.note}
}

// sameAs reports whether storing e would leave s as it is.
func (e *entry) sameAs(s *Size) bool {
	return e.period.String() == s.Period && e.territoryID() == s.TerritoryID && e.segment == s.Segment && e.amount == s.Amount &&
		e.currency == s.Currency && e.source == s.Source && e.note == s.Note
}
