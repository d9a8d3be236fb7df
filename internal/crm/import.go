package crm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
)

// The Import…InTx methods take rows already mapped to field names and run
// inside the importer's transaction, so that a whole file — or several
// files of one data set — is written all or nothing. A bad row is reported
// and the rest are still checked, so one run reports every problem of the
// file; any failed row makes the importer roll everything back. Every
// check that can refuse a row runs before the row writes anything, so a
// refused row leaves nothing behind for the rows after it. (No savepoint
// per row: on PostgreSQL thousands of subtransactions in one transaction
// make every query slow.) They return an error only for internal
// failures; a rejected row is a RowResult with Error set.

// AccountFields are the importable account columns.
var AccountFields = []string{"external_id", "name", "credit_code", "industry", "segment", "province", "city", "address", "size",
	"source", "phone", "email", "status", "tags", "owner_email"}

// OpportunityFields are the importable opportunity columns.
var OpportunityFields = []string{"external_id", "name", "account_external_id", "account", "owner_email", "amount", "currency",
	"stage", "probability", "expected_close", "closed_on", "engaged_on", "lost_reason", "product", "quantity"}

// ProductFields are the importable product columns.
var ProductFields = []string{"code", "name", "series", "list_price", "currency", "active"}

// ActivityFields are the importable activity columns. at is a date and
// time in the company's zone ("2026-05-06 14:30", or a date alone).
var ActivityFields = []string{"external_id", "kind", "subject", "at", "owner_email", "account_external_id", "account",
	"opportunity_external_id", "outcome", "next_step", "next_step_at"}

// ContactFields are the importable contact columns.
var ContactFields = []string{"external_id", "account_external_id", "account", "name", "title", "phone", "mobile", "email", "wechat"}

// importer carries the lookups one import run shares across rows.
type importer struct {
	s           *Service
	tx          *db.Tx
	act         *echelon.Actor
	owners      map[string]int64
	territories territorySet
	pool        int64 // the unit whose pool takes unowned accounts, once known
	poolChecked bool  // the actor may put accounts into that pool
	// An import of accounts looks these up once and keeps them current.
	existing map[string]*Account // by external id, as the import leaves them
	keys     dupKeys
	rooms    map[int64]*room
}

func (s *Service) newImporter(ctx context.Context, tx *db.Tx) (*importer, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !mayWriteCRM(act) {
		return nil, forbidden()
	}
	return &importer{s: s, tx: tx, act: act, owners: map[string]int64{}, keys: dupKeys{}, rooms: map[int64]*room{}}, nil
}

// each runs fn for every row and collects the results.
func (im *importer) each(ctx context.Context, rows []echelon.Row, fn func(echelon.Row, *echelon.RowResult) error) ([]*echelon.RowResult, error) {
	out := make([]*echelon.RowResult, 0, len(rows))
	for _, row := range rows {
		res := &echelon.RowResult{Line: row.Line}
		err := fn(row, res)
		var e *echelon.Error
		switch {
		case err == nil:
		case errors.As(err, &e):
			res.Action, res.Error = echelon.RowFailed, e
		default:
			return nil, fmt.Errorf("crm: import line %d: %w", row.Line, err)
		}
		out = append(out, res)
	}
	return out, nil
}

// owner resolves an owner e-mail to a person the actor may assign records to.
func (im *importer) owner(ctx context.Context, email string) (int64, error) {
	email = strings.ToLower(email)
	if id, ok := im.owners[email]; ok {
		return id, nil
	}
	var id int64
	err := im.tx.QueryRow(ctx, `SELECT id FROM people WHERE email = ?`, email).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, echelon.FieldError("owner_email", "import.owner_unknown", email)
	}
	if err != nil {
		return 0, fmt.Errorf("crm: find owner %s: %w", email, err)
	}
	if _, err := findOwner(ctx, im.tx, im.act, id); err != nil {
		return 0, err
	}
	im.owners[email] = id
	return id, nil
}

// set copies a present cell into *dst (for updates: absent columns stay).
func set(row echelon.Row, field string, dst **string) {
	if row.Has(field) {
		v := row.Get(field)
		*dst = &v
	}
}

// ImportAccountsInTx creates or, by external id, updates accounts: see
// ImportAccountFileInTx.
func (s *Service) ImportAccountsInTx(ctx context.Context, tx *db.Tx, rows []echelon.Row) ([]*echelon.RowResult, error) {
	return s.ImportAccountFileInTx(ctx, tx, rows, nil)
}

// poolUnit is where unowned imported accounts go: the actor's unit, or the company for an admin.
func (im *importer) poolUnit(ctx context.Context) (int64, error) {
	if im.pool != 0 {
		return im.pool, nil
	}
	im.pool = im.act.UnitID
	if im.pool == 0 {
		if err := im.tx.QueryRow(ctx, `SELECT id FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1`).Scan(&im.pool); err != nil {
			return 0, fmt.Errorf("crm: find company unit: %w", err)
		}
	}
	return im.pool, nil
}

func (im *importer) updateAccount(ctx context.Context, row echelon.Row, before *Account, res *echelon.RowResult) error {
	up := AccountUpdate{Version: before.Version}
	for field, dst := range map[string]**string{
		"name": &up.Name, "credit_code": &up.CreditCode, "industry": &up.Industry, "segment": &up.Segment, "province": &up.Province,
		"city": &up.City, "address": &up.Address, "size": &up.Size, "source": &up.Source, "phone": &up.Phone, "email": &up.Email,
		"status": &up.Status, "tags": &up.Tags,
	} {
		set(row, field, dst)
	}
	after, err := im.s.updateAccount(ctx, im.tx, im.act, before, up)
	if err != nil {
		return err
	}
	res.ID, res.Action = after.ID, echelon.RowUpdated
	if after.Version == before.Version {
		res.Action = echelon.RowSkipped // the update changed nothing and wrote nothing
		return nil
	}
	im.existing[row.Get("external_id")] = after
	im.keys.moved(before, after)
	return nil
}

// ImportProductsInTx creates or, by code, updates products (admin only).
func (s *Service) ImportProductsInTx(ctx context.Context, tx *db.Tx, rows []echelon.Row) ([]*echelon.RowResult, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	im, err := s.newImporter(ctx, tx)
	if err != nil {
		return nil, err
	}
	return im.each(ctx, rows, func(row echelon.Row, res *echelon.RowResult) error {
		in := ProductInput{Code: row.Get("code"), Name: row.Get("name"), Series: row.Get("series"), Currency: row.Get("currency")}
		if in.Code == "" {
			in.Code = in.Name
		}
		price, err := echelon.ParseAmount(row.Get("list_price"))
		if err != nil {
			return echelon.FieldError("list_price", "import.amount_invalid", row.Get("list_price"))
		}
		in.ListPrice = price
		if row.Has("active") {
			v := parseBool(row.Get("active"))
			in.Active = &v
		}
		if err := in.validate(); err != nil {
			return err
		}
		before, err := scanProduct(tx.QueryRow(ctx, `SELECT `+productColumns+` WHERE code = ?`, in.Code))
		if errors.Is(err, sql.ErrNoRows) {
			p, err := s.insertProduct(ctx, tx, in)
			if err != nil {
				return err
			}
			res.Action, res.ID = echelon.RowCreated, p.ID
			return nil
		}
		if err != nil {
			return fmt.Errorf("crm: find product by code: %w", err)
		}
		res.ID = before.ID
		if before.Name == in.Name && before.Series == in.Series && before.ListPrice == in.ListPrice && before.Currency == in.Currency &&
			(in.Active == nil || *in.Active == before.Active) {
			res.Action = echelon.RowSkipped
			return nil
		}
		if !row.Has("series") {
			in.Series = before.Series
		}
		if _, err := tx.Exec(ctx, `UPDATE products SET name = ?, series = ?, list_price = ?, currency = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			in.Name, in.Series, in.ListPrice, in.Currency, s.now(), before.ID); err != nil {
			return fmt.Errorf("crm: update product: %w", err)
		}
		res.Action = echelon.RowUpdated
		return nil
	})
}

func parseBool(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "y", "是", "有效", "启用":
		return true
	}
	return false
}

// findStageByName matches a stage by code or by its Chinese or English name.
func findStageByName(ctx context.Context, tx *db.Tx, name string) (*Stage, error) {
	st, err := scanStage(tx.QueryRow(ctx, `SELECT `+stageColumns+` WHERE LOWER(code) = LOWER(?) OR name_zh = ? OR LOWER(name_en) = LOWER(?) ORDER BY position LIMIT 1`,
		name, name, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, echelon.FieldError("stage", "import.stage_unknown", name)
	}
	if err != nil {
		return nil, fmt.Errorf("crm: find stage %q: %w", name, err)
	}
	return st, nil
}

// findProductByName matches a product by code or by normalised name, and
// notes when the match was not exact (GTXPro → GTX Pro).
func findProductByName(ctx context.Context, tx *db.Tx, name string, res *echelon.RowResult) (*Product, error) {
	p, err := scanProduct(tx.QueryRow(ctx, `SELECT `+productColumns+` WHERE code = ? OR name = ? LIMIT 1`, name, name))
	if err == nil {
		return p, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("crm: find product %q: %w", name, err)
	}
	rows, err := tx.Query(ctx, `SELECT `+productColumns)
	all, err := collect(rows, err, scanProduct)
	if err != nil {
		return nil, fmt.Errorf("crm: list products: %w", err)
	}
	key := NameKey(name)
	for _, p := range all {
		if NameKey(p.Name) == key || NameKey(p.Code) == key {
			res.Note("import.product_mapped", name, p.Name)
			return p, nil
		}
	}
	return nil, echelon.FieldError("product", "import.product_unknown", name)
}

// findAccountRef resolves an opportunity's or contact's account by external id or name.
func (im *importer) findAccountRef(ctx context.Context, row echelon.Row) (int64, error) {
	if ext := row.Get("account_external_id"); ext != "" {
		var id int64
		err := im.tx.QueryRow(ctx, `SELECT id FROM accounts WHERE external_id = ? AND merged_into_id IS NULL`, ext).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, echelon.FieldError("account_external_id", "import.account_unknown", ext)
		}
		return id, err
	}
	name := row.Get("account")
	if name == "" {
		return 0, nil
	}
	var id int64
	err := im.tx.QueryRow(ctx, `SELECT id FROM accounts WHERE name_key = ? AND merged_into_id IS NULL ORDER BY id LIMIT 1`, NameKey(name)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, echelon.FieldError("account", "import.account_unknown", name)
	}
	return id, err
}

// ImportOpportunitiesInTx creates or, by external id, updates opportunities.
// A product column adds one line item (quantity from the quantity column, 1
// by default) priced so that the line total is the amount.
func (s *Service) ImportOpportunitiesInTx(ctx context.Context, tx *db.Tx, rows []echelon.Row) ([]*echelon.RowResult, error) {
	im, err := s.newImporter(ctx, tx)
	if err != nil {
		return nil, err
	}
	return im.each(ctx, rows, func(row echelon.Row, res *echelon.RowResult) error {
		ext := row.Get("external_id")
		var before *Opportunity
		if ext != "" {
			var id int64
			err := tx.QueryRow(ctx, `SELECT id FROM opportunities WHERE external_id = ?`, ext).Scan(&id)
			switch {
			case err == nil:
				if before, err = findVisibleOpportunity(ctx, tx, im.act, id); err != nil {
					return echelon.FieldError("external_id", "opportunity.not_found")
				}
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("crm: find opportunity by external id: %w", err)
			}
		}
		in, err := im.opportunityInput(ctx, row, res)
		if err != nil {
			return err
		}
		if before == nil {
			o, err := s.createOpportunity(ctx, tx, im.act, in)
			if err != nil {
				return err
			}
			res.Action, res.ID = echelon.RowCreated, o.ID
			return nil
		}
		return im.updateOpportunity(ctx, row, before, in, res)
	})
}

func (im *importer) opportunityInput(ctx context.Context, row echelon.Row, res *echelon.RowResult) (OpportunityInput, error) {
	in := OpportunityInput{Name: row.Get("name"), Currency: row.Get("currency"), ExpectedClose: row.Get("expected_close"),
		ClosedOn: row.Get("closed_on"), EngagedOn: row.Get("engaged_on"), LostReason: row.Get("lost_reason"), ExternalID: row.Get("external_id")}
	var err error
	if in.AccountID, err = im.findAccountRef(ctx, row); err != nil {
		return in, err
	}
	if e := row.Get("owner_email"); e != "" {
		if in.OwnerID, err = im.owner(ctx, e); err != nil {
			return in, err
		}
	}
	st, err := findStageByName(ctx, im.tx, row.Get("stage"))
	if err != nil {
		return in, err
	}
	in.StageID = st.ID
	if v := row.Get("amount"); v != "" {
		if in.Amount, err = echelon.ParseAmount(v); err != nil {
			return in, echelon.FieldError("amount", "import.amount_invalid", v)
		}
	}
	if v := row.Get("probability"); v != "" {
		p, err := strconv.Atoi(strings.TrimSuffix(v, "%"))
		if err != nil {
			return in, echelon.FieldError("probability", "stage.probability_invalid")
		}
		in.Probability = &p
	}
	if name := row.Get("product"); name != "" {
		p, err := findProductByName(ctx, im.tx, name, res)
		if err != nil {
			return in, err
		}
		qty := int64(1)
		if v := row.Get("quantity"); v != "" {
			if qty, err = strconv.ParseInt(v, 10, 64); err != nil || qty <= 0 {
				return in, echelon.FieldError("quantity", "line.quantity_invalid")
			}
		}
		if in.Amount == 0 {
			in.Amount = p.ListPrice * qty
			res.Note("import.amount_from_price", p.Name)
		}
		if in.Currency == "" {
			in.Currency = p.Currency
		}
		in.Lines = []*LineItem{{ProductID: p.ID, Quantity: qty, UnitPrice: in.Amount / qty}}
	}
	if in.Name == "" {
		in.Name = in.ExternalID
	}
	return in, nil
}

func (im *importer) updateOpportunity(ctx context.Context, row echelon.Row, before *Opportunity, in OpportunityInput, res *echelon.RowResult) error {
	up := OpportunityUpdate{Version: before.Version}
	res.ID = before.ID
	if row.Has("name") {
		up.Name = &in.Name
	}
	if row.Has("account") || row.Has("account_external_id") {
		up.AccountID = &in.AccountID
	}
	if row.Has("owner_email") && in.OwnerID != 0 {
		up.OwnerID = &in.OwnerID
	}
	if row.Has("amount") || row.Has("product") {
		up.Amount = &in.Amount
	}
	if row.Has("currency") {
		up.Currency = &in.Currency
	}
	if row.Has("stage") {
		up.StageID = &in.StageID
	}
	up.Probability = in.Probability
	for field, pair := range map[string]struct {
		dst **string
		v   string
	}{
		"expected_close": {&up.ExpectedClose, in.ExpectedClose}, "closed_on": {&up.ClosedOn, in.ClosedOn}, "lost_reason": {&up.LostReason, in.LostReason},
	} {
		if row.Has(field) {
			v := pair.v
			*pair.dst = &v
		}
	}
	if row.Has("product") {
		up.Lines = &in.Lines
	}
	after, err := im.s.updateOpportunity(ctx, im.tx, im.act, before, up)
	if err != nil {
		return err
	}
	res.Action = echelon.RowUpdated
	if after.Version == before.Version {
		res.Action = echelon.RowSkipped // the update changed nothing and wrote nothing
	}
	return nil
}

// ImportContactsInTx creates or, by external id, replaces contacts.
func (s *Service) ImportContactsInTx(ctx context.Context, tx *db.Tx, rows []echelon.Row) ([]*echelon.RowResult, error) {
	im, err := s.newImporter(ctx, tx)
	if err != nil {
		return nil, err
	}
	return im.each(ctx, rows, func(row echelon.Row, res *echelon.RowResult) error {
		in := ContactInput{Name: row.Get("name"), Title: row.Get("title"), Phone: row.Get("phone"), Mobile: row.Get("mobile"),
			Email: row.Get("email"), WeChat: row.Get("wechat"), ExternalID: row.Get("external_id")}
		var err error
		if in.AccountID, err = im.findAccountRef(ctx, row); err != nil {
			return err
		}
		if in.AccountID == 0 {
			return echelon.FieldError("account", "field.required")
		}
		if err := in.validate(); err != nil {
			return err
		}
		if in.ExternalID != "" {
			var id int64
			err := tx.QueryRow(ctx, `SELECT id FROM contacts WHERE external_id = ?`, in.ExternalID).Scan(&id)
			if err == nil {
				before, err := findVisibleContact(ctx, tx, im.act, id)
				if err != nil {
					return err
				}
				res.ID, res.Action = id, echelon.RowSkipped
				if before.Name == in.Name && before.Title == in.Title && before.Phone == in.Phone && before.Mobile == in.Mobile &&
					before.Email == in.Email && before.WeChat == in.WeChat && before.AccountID == in.AccountID {
					return nil
				}
				in.Version = before.Version
				if _, err := im.s.updateContact(ctx, tx, im.act, before, in); err != nil {
					return err
				}
				res.Action = echelon.RowUpdated
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("crm: find contact by external id: %w", err)
			}
		}
		c, err := s.createContact(ctx, tx, im.act, in)
		if err != nil {
			return err
		}
		res.Action, res.ID = echelon.RowCreated, c.ID
		return nil
	})
}

// activityKindNames maps the Chinese names of activity kinds to their codes.
var activityKindNames = map[string]string{"电话": "call", "拜访": "visit", "会议": "meeting", "邮件": "email", "备注": "note"}

// importTime reads a date and time, or a date alone, in the company's zone.
func importTime(field, v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", time.DateOnly, "2006/01/02 15:04", "2006/01/02"} {
		if t, err := time.ParseInLocation(layout, v, echelon.CompanyZone()); err == nil {
			return &t, nil
		}
	}
	return nil, echelon.FieldError(field, "date.invalid")
}

// ImportActivitiesInTx logs activities from another system. An activity is
// a record of what happened: one whose external id was imported before is
// kept as it is and the row counts as skipped.
func (s *Service) ImportActivitiesInTx(ctx context.Context, tx *db.Tx, rows []echelon.Row) ([]*echelon.RowResult, error) {
	im, err := s.newImporter(ctx, tx)
	if err != nil {
		return nil, err
	}
	if im.act.Role != echelon.RoleRep && !im.act.Role.IsManager() && !im.act.IsAdmin() {
		return nil, forbidden()
	}
	return im.each(ctx, rows, func(row echelon.Row, res *echelon.RowResult) error {
		ext := row.Get("external_id")
		if ext != "" {
			var id int64
			err := tx.QueryRow(ctx, `SELECT id FROM activities WHERE external_id = ?`, ext).Scan(&id)
			if err == nil {
				res.Action, res.ID = echelon.RowSkipped, id
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("crm: find activity by external id: %w", err)
			}
		}
		in := ActivityInput{Kind: strings.ToLower(row.Get("kind")), Subject: row.Get("subject"), Outcome: row.Get("outcome"), NextStep: row.Get("next_step")}
		if k, ok := activityKindNames[row.Get("kind")]; ok {
			in.Kind = k
		}
		at, err := importTime("at", row.Get("at"))
		if err != nil {
			return err
		}
		if at == nil {
			return echelon.FieldError("at", "field.required")
		}
		in.At = *at
		if in.NextStepAt, err = importTime("next_step_at", row.Get("next_step_at")); err != nil {
			return err
		}
		if in.AccountID, err = im.findAccountRef(ctx, row); err != nil {
			return err
		}
		if oe := row.Get("opportunity_external_id"); oe != "" {
			if err := tx.QueryRow(ctx, `SELECT id FROM opportunities WHERE external_id = ?`, oe).Scan(&in.OpportunityID); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return echelon.FieldError("opportunity_external_id", "import.opportunity_unknown", oe)
				}
				return fmt.Errorf("crm: find opportunity by external id: %w", err)
			}
		}
		o := owner{id: im.act.PersonID, unitID: im.act.UnitID}
		if e := row.Get("owner_email"); e != "" {
			id, err := im.owner(ctx, e)
			if err != nil {
				return err
			}
			ow, err := findOwner(ctx, tx, im.act, id)
			if err != nil {
				return err
			}
			o = *ow
		} else if o.unitID == 0 {
			return echelon.FieldError("owner_email", "field.required")
		}
		x, err := s.logActivity(ctx, tx, im.act, o, in, ext)
		if err != nil {
			return err
		}
		res.Action, res.ID = echelon.RowCreated, x.ID
		return nil
	})
}
