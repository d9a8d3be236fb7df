package crm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/totals"
)

// Opportunity is a deal moving through the pipeline.
type Opportunity struct {
	ID            int64       `json:"id"`
	Name          string      `json:"name"`
	AccountID     int64       `json:"account_id,omitempty"`
	AccountName   string      `json:"account_name,omitempty"`
	OwnerID       int64       `json:"owner_id"`
	OwnerName     string      `json:"owner_name"`
	UnitID        int64       `json:"org_unit_id"`
	UnitPath      string      `json:"-"`
	Amount        int64       `json:"amount"` // minor units
	Currency      string      `json:"currency"`
	StageID       int64       `json:"stage_id"`
	StageCode     string      `json:"stage_code"`
	Outcome       string      `json:"outcome"`
	Probability   int         `json:"probability"`
	ExpectedClose string      `json:"expected_close,omitempty"`
	ClosedOn      string      `json:"closed_on,omitempty"`
	LostReason    string      `json:"lost_reason,omitempty"`
	EngagedOn     string      `json:"engaged_on,omitempty"`
	ExternalID    string      `json:"external_id,omitempty"`
	Lines         []*LineItem `json:"lines,omitempty"`
	Version       int         `json:"version"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
}

// LineItem is a product on an opportunity.
type LineItem struct {
	ProductID   int64  `json:"product_id"`
	ProductName string `json:"product_name,omitempty"`
	Quantity    int64  `json:"quantity"`
	UnitPrice   int64  `json:"unit_price"` // minor units
}

// OpportunityInput creates an opportunity. Amount 0 with lines takes the
// lines' total; Probability nil takes the stage's default.
type OpportunityInput struct {
	Name          string      `json:"name"`
	AccountID     int64       `json:"account_id,omitempty"`
	OwnerID       int64       `json:"owner_id,omitempty"`
	Amount        int64       `json:"amount"`
	Currency      string      `json:"currency,omitempty"`
	StageID       int64       `json:"stage_id"`
	Probability   *int        `json:"probability,omitempty"`
	ExpectedClose string      `json:"expected_close,omitempty"`
	ClosedOn      string      `json:"closed_on,omitempty"`
	LostReason    string      `json:"lost_reason,omitempty"`
	EngagedOn     string      `json:"engaged_on,omitempty"`
	ExternalID    string      `json:"external_id,omitempty"`
	Lines         []*LineItem `json:"lines,omitempty"`
}

// OpportunityUpdate changes an opportunity; nil fields stay. The version must match.
type OpportunityUpdate struct {
	Name          *string      `json:"name,omitempty"`
	AccountID     *int64       `json:"account_id,omitempty"`
	OwnerID       *int64       `json:"owner_id,omitempty"`
	Amount        *int64       `json:"amount,omitempty"`
	Currency      *string      `json:"currency,omitempty"`
	StageID       *int64       `json:"stage_id,omitempty"`
	Probability   *int         `json:"probability,omitempty"`
	ExpectedClose *string      `json:"expected_close,omitempty"`
	ClosedOn      *string      `json:"closed_on,omitempty"`
	LostReason    *string      `json:"lost_reason,omitempty"`
	Lines         *[]*LineItem `json:"lines,omitempty"`
	Version       int          `json:"version"`
}

// OpportunityFilter selects opportunities.
type OpportunityFilter struct {
	Query       string
	OwnerID     int64
	UnitID      int64
	AccountID   int64
	StageID     int64
	Outcome     string // open, won, lost
	ClosingFrom string // expected (open) or actual (closed) close date, inclusive
	ClosingTo   string
	Sort        string // updated_at (default descending), amount, expected_close, closed_on, id; "-" descending
	Page
}

const opportunityColumns = `o.id, o.name, COALESCE(o.account_id, 0), COALESCE(a.name, ''), o.owner_id, p.name, o.org_unit_id, u.path,
	o.amount, o.currency, o.stage_id, st.code, st.outcome, o.probability, o.expected_close, o.closed_on, o.lost_reason, o.engaged_on,
	COALESCE(o.external_id, ''), o.version, o.created_at, o.updated_at
	FROM opportunities o JOIN people p ON p.id = o.owner_id JOIN org_units u ON u.id = o.org_unit_id
	JOIN stages st ON st.id = o.stage_id LEFT JOIN accounts a ON a.id = o.account_id`

func scanOpportunity(row scanner) (*Opportunity, error) {
	var o Opportunity
	var exp, closed, engaged sql.NullTime
	err := row.Scan(&o.ID, &o.Name, &o.AccountID, &o.AccountName, &o.OwnerID, &o.OwnerName, &o.UnitID, &o.UnitPath,
		&o.Amount, &o.Currency, &o.StageID, &o.StageCode, &o.Outcome, &o.Probability, &exp, &closed, &o.LostReason, &engaged,
		&o.ExternalID, &o.Version, &o.CreatedAt, &o.UpdatedAt)
	o.ExpectedClose, o.ClosedOn, o.EngagedOn = nullDate(exp), nullDate(closed), nullDate(engaged)
	return &o, err
}

func nullDate(t sql.NullTime) string {
	if !t.Valid {
		return ""
	}
	return t.Time.Format(time.DateOnly)
}

// opportunitySorts are the sortable columns; each has an index (see accountSorts).
var opportunitySorts = map[string]string{
	"updated_at": "o.updated_at", "amount": "o.amount", "expected_close": "o.expected_close", "closed_on": "o.closed_on", "id": "o.id",
}

// FindOpportunities lists opportunities in the actor's scope and whether more follow.
func (s *Service) FindOpportunities(ctx context.Context, f OpportunityFilter) ([]*Opportunity, bool, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, false, err
	}
	cond, args := org.PageScope(s.db.Dialect, act, "o.owner_id", "o.org_unit_id", "u.path")
	where := []string{cond}
	add := func(c string, v ...any) { where = append(where, c); args = append(args, v...) }
	if q := strings.TrimSpace(f.Query); q != "" {
		add(db.ContainsAny("o.name", "a.name"), db.ContainsPattern(q), db.ContainsPattern(q))
	}
	if f.OwnerID != 0 {
		add("o.owner_id = ?", f.OwnerID)
	}
	if f.UnitID != 0 {
		add("o.org_unit_id IN (SELECT id FROM org_units WHERE path LIKE (SELECT path FROM org_units WHERE id = ?) || '%')", f.UnitID)
	}
	if f.AccountID != 0 {
		add("o.account_id = ?", f.AccountID)
	}
	if f.StageID != 0 {
		add("o.stage_id = ?", f.StageID)
	}
	if f.Outcome != "" {
		add("st.outcome = ?", f.Outcome)
	}
	for _, b := range []struct{ v, op string }{{f.ClosingFrom, ">="}, {f.ClosingTo, "<="}} {
		d, err := parseDate("closing", b.v)
		if err != nil {
			return nil, false, err
		}
		if d != nil {
			add("COALESCE(o.closed_on, o.expected_close) "+b.op+" ?", *d)
		}
	}
	order := orderBy(opportunitySorts, f.Sort, "o.updated_at DESC") + ", o.id DESC"
	return findPage(ctx, s, listQuery{what: "opportunities", columns: opportunityColumns, where: where, args: args, order: order}, f.Page, scanOpportunity)
}

func findOpportunity(ctx context.Context, tx *db.Tx, id int64) (*Opportunity, error) {
	o, err := scanOpportunity(tx.QueryRow(ctx, `SELECT `+opportunityColumns+` WHERE o.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "opportunity.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("crm: find opportunity %d: %w", id, err)
	}
	rows, err := tx.Query(ctx, `SELECT l.product_id, pr.name, l.quantity, l.unit_price FROM opportunity_products l
		JOIN products pr ON pr.id = l.product_id WHERE l.opportunity_id = ? ORDER BY l.id`, id)
	o.Lines, err = collect(rows, err, func(r scanner) (*LineItem, error) {
		var l LineItem
		return &l, r.Scan(&l.ProductID, &l.ProductName, &l.Quantity, &l.UnitPrice)
	})
	if err != nil {
		return nil, fmt.Errorf("crm: lines of opportunity %d: %w", id, err)
	}
	return o, nil
}

func findVisibleOpportunity(ctx context.Context, tx *db.Tx, act *echelon.Actor, id int64) (*Opportunity, error) {
	o, err := findOpportunity(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !org.CanSeeRecord(act, o.OwnerID, o.UnitPath) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "opportunity.not_found")
	}
	return o, nil
}

// FindOpportunityByID returns one opportunity with its lines.
func (s *Service) FindOpportunityByID(ctx context.Context, id int64) (*Opportunity, error) {
	return view(ctx, s, func(tx *db.Tx, act *echelon.Actor) (*Opportunity, error) {
		return findVisibleOpportunity(ctx, tx, act, id)
	})
}

// oppState is an opportunity's validated fields, shared by create and update.
type oppState struct {
	name                       string
	accountID, ownerID, unitID int64
	amount                     int64
	currency                   string
	stage                      *Stage
	probability                int
	expected, closed, engaged  *time.Time
	lostReason                 string
	lines                      []*LineItem
	stored                     []*LineItem // the lines saved before; they may keep a product no longer sold
}

// resolve validates s against the database: stage, account, owner, lines, dates.
func (st *oppState) resolve(ctx context.Context, tx *db.Tx, act *echelon.Actor, today time.Time, created time.Time, prob *int) error {
	var err error
	if st.name, err = text("name", st.name, maxName, true); err != nil {
		return err
	}
	if st.stage == nil {
		return echelon.FieldError("stage_id", "stage.not_found")
	}
	if !st.stage.Active {
		return echelon.FieldError("stage_id", "stage.inactive")
	}
	if prob != nil {
		st.probability = *prob
	}
	if st.probability < 0 || st.probability > 100 {
		return echelon.FieldError("probability", "stage.probability_invalid")
	}
	if st.currency, err = currency(st.currency); err != nil {
		return err
	}
	total, err := st.priceLines(ctx, tx)
	if err != nil {
		return err
	}
	if st.amount == 0 {
		st.amount = total
	}
	if st.amount < 0 || st.amount > echelon.MaxAmount {
		return echelon.FieldError("amount", "amount.invalid")
	}
	switch st.stage.Outcome {
	case OutcomeOpen:
		st.closed, st.lostReason = nil, ""
	case OutcomeWon, OutcomeLost:
		if st.closed == nil {
			st.closed = &today
		}
		if st.stage.Outcome == OutcomeLost && st.lostReason == "" {
			return echelon.FieldError("lost_reason", "opportunity.lost_reason_required")
		}
	}
	start := created
	if st.engaged != nil {
		start = *st.engaged
	}
	if st.closed != nil && st.closed.Before(start.Truncate(24*time.Hour)) {
		return echelon.FieldError("closed_on", "opportunity.closed_before_start", start.Format(time.DateOnly))
	}
	if st.expected != nil && st.engaged != nil && st.expected.Before(*st.engaged) {
		return echelon.FieldError("expected_close", "opportunity.closed_before_start", st.engaged.Format(time.DateOnly))
	}
	if st.closed != nil && st.closed.After(today) {
		return echelon.FieldError("closed_on", "opportunity.closed_in_future")
	}
	if st.accountID != 0 {
		a, err := findVisibleAccount(ctx, tx, act, st.accountID)
		if err != nil || a.InPool() && !act.IsAdmin() {
			return echelon.FieldError("account_id", "account.not_found")
		}
	}
	switch {
	case act.Role == echelon.RoleRep:
		if st.ownerID != act.PersonID {
			return echelon.FieldError("owner_id", "account.owner_outside")
		}
		st.unitID = act.UnitID
	default:
		o, err := findOwner(ctx, tx, act, st.ownerID)
		if err != nil {
			return err
		}
		st.unitID = o.unitID
	}
	return nil
}

// lineKey is what a line sells, how many and at what price.
type lineKey struct{ product, quantity, price int64 }

// priceLines checks the lines and returns their total. A product that is
// no longer sold is refused on a new or changed line; a line saved before
// may stay as it is, so an old deal can still be edited.
func (st *oppState) priceLines(ctx context.Context, tx *db.Tx) (int64, error) {
	kept := map[lineKey]int{}
	for _, l := range st.stored {
		kept[lineKey{l.ProductID, l.Quantity, l.UnitPrice}]++
	}
	var total int64
	for i, l := range st.lines {
		field := fmt.Sprintf("lines[%d].", i)
		if l.Quantity <= 0 || l.Quantity > 1_000_000 {
			return 0, echelon.FieldError(field+"quantity", "line.quantity_invalid")
		}
		if l.UnitPrice < 0 || l.UnitPrice > echelon.MaxAmount/l.Quantity {
			return 0, echelon.FieldError(field+"unit_price", "amount.invalid")
		}
		p, err := findProduct(ctx, tx, l.ProductID)
		if echelon.ErrorCode(err) == echelon.ENOTFOUND {
			return 0, echelon.FieldError(field+"product_id", "product.not_found")
		}
		if err != nil {
			return 0, err
		}
		k := lineKey{l.ProductID, l.Quantity, l.UnitPrice}
		switch {
		case kept[k] > 0:
			kept[k]--
		case !p.Active:
			return 0, echelon.FieldError(field+"product_id", "product.inactive", p.Name)
		}
		l.ProductName = p.Name
		total += l.Quantity * l.UnitPrice
	}
	return total, nil
}

// CreateOpportunity adds an opportunity and its first stage-history row.
func (s *Service) CreateOpportunity(ctx context.Context, in OpportunityInput) (*Opportunity, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !mayWriteCRM(act) {
		return nil, forbidden()
	}
	var out *Opportunity
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.createOpportunity(ctx, tx, act, in)
		return err
	})
	return out, err
}

func (s *Service) createOpportunity(ctx context.Context, tx *db.Tx, act *echelon.Actor, in OpportunityInput) (*Opportunity, error) {
	st := oppState{name: in.Name, accountID: in.AccountID, ownerID: in.OwnerID, amount: in.Amount, currency: in.Currency,
		lostReason: strings.TrimSpace(in.LostReason), lines: in.Lines}
	if st.ownerID == 0 {
		st.ownerID = act.PersonID
	}
	var err error
	if st.stage, err = findStage(ctx, tx, in.StageID); err != nil {
		return nil, err
	}
	st.probability = st.stage.Probability
	for _, d := range []struct {
		field, v string
		dst      **time.Time
	}{{"expected_close", in.ExpectedClose, &st.expected}, {"closed_on", in.ClosedOn, &st.closed}, {"engaged_on", in.EngagedOn, &st.engaged}} {
		if *d.dst, err = parseDate(d.field, d.v); err != nil {
			return nil, err
		}
	}
	ext, err := text("external_id", in.ExternalID, maxShort, false)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := st.resolve(ctx, tx, act, today(now), now, in.Probability); err != nil {
		return nil, err
	}
	moved, err := totals.Track(ctx, tx, totals.Refs{Accounts: []int64{st.accountID}})
	if err != nil {
		return nil, err
	}
	id, err := tx.InsertID(ctx, `INSERT INTO opportunities (name, account_id, owner_id, org_unit_id, amount, currency, stage_id, probability,
		expected_close, closed_on, lost_reason, engaged_on, external_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		st.name, nullID(st.accountID), st.ownerID, st.unitID, st.amount, st.currency, st.stage.ID, st.probability,
		st.expected, st.closed, st.lostReason, st.engaged, nullStr(ext), now, now)
	if db.IsUniqueViolation(err) {
		return nil, echelon.FieldError("external_id", "opportunity.external_id_taken", ext)
	}
	if err != nil {
		return nil, fmt.Errorf("crm: insert opportunity: %w", err)
	}
	if err := writeLines(ctx, tx, id, st.lines); err != nil {
		return nil, err
	}
	entered, err := recordStage(ctx, tx, id, 0, st.stage.ID, now)
	if err != nil {
		return nil, err
	}
	if err := moved.Apply(ctx, tx, totals.Refs{Deals: []int64{id}, Stages: []int64{entered}}); err != nil {
		return nil, err
	}
	o, err := findOpportunity(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return o, audit.Record(ctx, tx, "create", "opportunity", id, nil, o)
}

// today is the calendar date of now in the company's zone, as midnight UTC
// (how dates are stored).
func today(now time.Time) time.Time {
	y, m, d := now.In(echelon.CompanyZone()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func writeLines(ctx context.Context, tx *db.Tx, oppID int64, lines []*LineItem) error {
	if _, err := tx.Exec(ctx, `DELETE FROM opportunity_products WHERE opportunity_id = ?`, oppID); err != nil {
		return fmt.Errorf("crm: clear lines: %w", err)
	}
	for _, l := range lines {
		// The line keeps its product's series as it is now (targets by series count it so).
		if _, err := tx.Exec(ctx, `INSERT INTO opportunity_products (opportunity_id, product_id, quantity, unit_price, series)
			SELECT ?, id, ?, ?, series FROM products WHERE id = ?`,
			oppID, l.Quantity, l.UnitPrice, l.ProductID); err != nil {
			return fmt.Errorf("crm: insert line: %w", err)
		}
	}
	return nil
}

// recordStage keeps a stage change with who made it and the deal's owner
// and unit as they are now (the totals count it for them), returning its id.
func recordStage(ctx context.Context, tx *db.Tx, oppID, from, to int64, at time.Time) (int64, error) {
	var by any
	if a := echelon.ActorFrom(ctx); a != nil && a.PersonID != 0 {
		by = a.PersonID
	}
	id, err := tx.InsertID(ctx, `INSERT INTO stage_history (opportunity_id, from_stage_id, to_stage_id, changed_at, changed_by, owner_id, org_unit_id)
		SELECT ?, ?, ?, ?, ?, owner_id, org_unit_id FROM opportunities WHERE id = ?`, oppID, nullID(from), to, at, by, oppID)
	if err != nil {
		return 0, fmt.Errorf("crm: record stage change: %w", err)
	}
	return id, nil
}

// UpdateOpportunity changes an opportunity — the form, the kanban drag and
// the API all come here — refusing a stale version with who changed what.
func (s *Service) UpdateOpportunity(ctx context.Context, id int64, up OpportunityUpdate) (*Opportunity, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *Opportunity
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findVisibleOpportunity(ctx, tx, act, id)
		if err != nil {
			return err
		}
		out, err = s.updateOpportunity(ctx, tx, act, before, up)
		return err
	})
	return out, err
}

func (s *Service) updateOpportunity(ctx context.Context, tx *db.Tx, act *echelon.Actor, before *Opportunity, up OpportunityUpdate) (*Opportunity, error) {
	id := before.ID
	if up.Version != before.Version {
		return nil, audit.StaleError(ctx, tx, "opportunity", id)
	}
	st, err := stateOf(ctx, tx, before)
	if err != nil {
		return nil, err
	}
	if err := st.apply(ctx, tx, up); err != nil {
		return nil, err
	}
	now := s.now()
	prob := up.Probability
	if up.StageID != nil && *up.StageID != before.StageID && prob == nil {
		prob = &st.stage.Probability
	}
	if err := st.resolve(ctx, tx, act, today(now), before.CreatedAt, prob); err != nil {
		return nil, err
	}
	if st.same(before) {
		return before, nil // nothing changes: no new version, no audit entry
	}
	moved, err := totals.Track(ctx, tx, totals.Refs{Deals: []int64{id}, Accounts: []int64{st.accountID}})
	if err != nil {
		return nil, err
	}
	res, err := tx.Exec(ctx, `UPDATE opportunities SET name = ?, account_id = ?, owner_id = ?, org_unit_id = ?, amount = ?, currency = ?,
		stage_id = ?, probability = ?, expected_close = ?, closed_on = ?, lost_reason = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND version = ?`,
		st.name, nullID(st.accountID), st.ownerID, st.unitID, st.amount, st.currency, st.stage.ID, st.probability,
		st.expected, st.closed, st.lostReason, now, id, up.Version)
	if err != nil {
		return nil, fmt.Errorf("crm: update opportunity: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, audit.StaleError(ctx, tx, "opportunity", id)
	}
	if up.Lines != nil {
		if err := writeLines(ctx, tx, id, st.lines); err != nil {
			return nil, err
		}
	}
	var entered []int64
	if st.stage.ID != before.StageID {
		h, err := recordStage(ctx, tx, id, before.StageID, st.stage.ID, now)
		if err != nil {
			return nil, err
		}
		entered = append(entered, h)
	}
	if err := moved.Apply(ctx, tx, totals.Refs{Stages: entered}); err != nil {
		return nil, err
	}
	out, err := findOpportunity(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return out, audit.Record(ctx, tx, "update", "opportunity", id, before, out)
}

// same reports whether the resolved state is what o already holds.
func (st *oppState) same(o *Opportunity) bool {
	if len(st.lines) != len(o.Lines) {
		return false
	}
	for i := range st.lines {
		a, b := st.lines[i], o.Lines[i]
		if a.ProductID != b.ProductID || a.Quantity != b.Quantity || a.UnitPrice != b.UnitPrice {
			return false
		}
	}
	return st.name == o.Name && st.accountID == o.AccountID && st.ownerID == o.OwnerID && st.amount == o.Amount &&
		st.currency == o.Currency && st.stage.ID == o.StageID && st.probability == o.Probability &&
		formatDate(st.expected) == o.ExpectedClose && formatDate(st.closed) == o.ClosedOn && st.lostReason == o.LostReason
}

// stateOf turns a stored opportunity back into its editable state.
func stateOf(ctx context.Context, tx *db.Tx, o *Opportunity) (*oppState, error) {
	st := &oppState{name: o.Name, accountID: o.AccountID, ownerID: o.OwnerID, amount: o.Amount, currency: o.Currency,
		probability: o.Probability, lostReason: o.LostReason, lines: o.Lines, stored: o.Lines}
	var err error
	if st.stage, err = findStage(ctx, tx, o.StageID); err != nil {
		return nil, err
	}
	st.expected, _ = parseDate("expected_close", o.ExpectedClose)
	st.closed, _ = parseDate("closed_on", o.ClosedOn)
	st.engaged, _ = parseDate("engaged_on", o.EngagedOn)
	return st, nil
}

func (st *oppState) apply(ctx context.Context, tx *db.Tx, up OpportunityUpdate) error {
	var err error
	if up.Name != nil {
		st.name = *up.Name
	}
	if up.AccountID != nil {
		st.accountID = *up.AccountID
	}
	if up.OwnerID != nil {
		st.ownerID = *up.OwnerID
	}
	if up.Amount != nil {
		st.amount = *up.Amount
		if st.amount == 0 && len(st.lines) > 0 && up.Lines == nil {
			return echelon.FieldError("amount", "amount.invalid")
		}
	}
	if up.Currency != nil {
		st.currency = *up.Currency
	}
	if up.StageID != nil {
		if st.stage, err = findStage(ctx, tx, *up.StageID); err != nil {
			return err
		}
	}
	if up.ExpectedClose != nil {
		if st.expected, err = parseDate("expected_close", *up.ExpectedClose); err != nil {
			return err
		}
	}
	if up.ClosedOn != nil {
		if st.closed, err = parseDate("closed_on", *up.ClosedOn); err != nil {
			return err
		}
	}
	if up.LostReason != nil {
		st.lostReason = strings.TrimSpace(*up.LostReason)
	}
	if up.Lines != nil {
		st.lines = *up.Lines
	}
	return nil
}

// StageChange is one row of an opportunity's stage history.
type StageChange struct {
	FromStageID int64     `json:"from_stage_id,omitempty"`
	ToStageID   int64     `json:"to_stage_id"`
	ChangedAt   time.Time `json:"changed_at"`
	ChangedBy   string    `json:"changed_by,omitempty"`
}

// FindStageHistory returns an opportunity's stage changes, oldest first.
func (s *Service) FindStageHistory(ctx context.Context, id int64) ([]*StageChange, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out []*StageChange
	err = s.db.View(ctx, func(tx *db.Tx) error {
		if _, err := findVisibleOpportunity(ctx, tx, act, id); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT COALESCE(h.from_stage_id, 0), h.to_stage_id, h.changed_at, COALESCE(p.name, '')
			FROM stage_history h LEFT JOIN people p ON p.id = h.changed_by WHERE h.opportunity_id = ? ORDER BY h.changed_at, h.id`, id)
		out, err = collect(rows, err, func(r scanner) (*StageChange, error) {
			var c StageChange
			return &c, r.Scan(&c.FromStageID, &c.ToStageID, &c.ChangedAt, &c.ChangedBy)
		})
		if err != nil {
			return fmt.Errorf("crm: stage history: %w", err)
		}
		return nil
	})
	return out, err
}
