package crm

import (
	"context"
	"fmt"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
)

// New accounts of an import are created in batches: the same checks as
// CreateAccount (validation, duplicate check, territory, account limit),
// but each looked up once for the whole chunk and written with multi-row
// statements, so a file of 100,000 accounts is not 800,000 round trips.

// newAccount is an import row on its way to becoming an account.
type newAccount struct {
	res *echelon.RowResult
	in  AccountInput
	f   accountFields
	p   placement
	ext string
	id  int64
}

// byExternalID loads the existing accounts the rows name by external id.
func (im *importer) byExternalID(ctx context.Context, rows []echelon.Row) (map[string]*Account, error) {
	var ids []any
	for _, r := range rows {
		if e := r.Get("external_id"); e != "" {
			ids = append(ids, e)
		}
	}
	out := map[string]*Account{}
	for _, chunk := range chunks(ids, 500) {
		rs, err := im.tx.Query(ctx, `SELECT `+accountColumns+` WHERE a.merged_into_id IS NULL AND a.external_id IN (`+marks(len(chunk))+`)`, chunk...)
		found, err := collect(rs, err, scanAccount)
		if err != nil {
			return nil, fmt.Errorf("crm: accounts by external id: %w", err)
		}
		for _, a := range found {
			out[a.ExternalID] = a
		}
	}
	return out, nil
}

// prepare validates a row and decides its owner, unit and territory.
func (im *importer) prepare(ctx context.Context, row echelon.Row, res *echelon.RowResult) (*newAccount, error) {
	na := &newAccount{res: res, ext: row.Get("external_id")}
	na.in = AccountInput{Name: row.Get("name"), CreditCode: row.Get("credit_code"), Industry: row.Get("industry"), Segment: row.Get("segment"),
		Province: row.Get("province"), City: row.Get("city"), Address: row.Get("address"), Size: row.Get("size"), Source: row.Get("source"),
		Phone: row.Get("phone"), Email: row.Get("email"), Status: row.Get("status"), Tags: row.Get("tags"), ExternalID: na.ext}
	var err error
	if na.ext, err = text("external_id", na.ext, maxShort, false); err != nil {
		return nil, err
	}
	if e := row.Get("owner_email"); e != "" {
		if na.in.OwnerID, err = im.owner(ctx, e); err != nil {
			return nil, err
		}
	} else if im.act.Role != echelon.RoleRep {
		if na.in.UnitID, err = im.poolUnit(ctx); err != nil {
			return nil, err
		}
	}
	if na.f, err = na.in.fields(); err != nil {
		return nil, err
	}
	if na.p.owner, na.p.unit, err = im.place(ctx, na.in); err != nil {
		return nil, err
	}
	if err := applyTerritory(ctx, im.tx, &im.territories, na.f, &na.p); err != nil {
		return nil, err
	}
	return na, nil
}

// place is placeAccount with the import's pool unit checked once.
func (im *importer) place(ctx context.Context, in AccountInput) (owner, unit int64, err error) {
	if in.OwnerID == 0 && in.UnitID != 0 && in.UnitID == im.pool && im.poolChecked {
		return 0, im.pool, nil
	}
	owner, unit, err = placeAccount(ctx, im.tx, im.act, in)
	if err == nil && in.OwnerID == 0 && in.UnitID == im.pool {
		im.poolChecked = true
	}
	return owner, unit, err
}

// dupSeen is an account a key already belongs to: in the database (id set)
// or earlier in the file (line set).
type dupSeen struct {
	id          int64
	name, owner string
	line        int
}

// createAccounts checks and writes the new accounts of one chunk.
func (im *importer) createAccounts(ctx context.Context, batch []*newAccount) error {
	if len(batch) == 0 {
		return nil
	}
	if err := serialize(ctx, im.tx, lockDuplicates, 0); err != nil {
		return err
	}
	seen, err := im.existingKeys(ctx, batch)
	if err != nil {
		return err
	}
	limits, err := im.ownerRoom(ctx, batch)
	if err != nil {
		return err
	}
	var ok []*newAccount
	for _, na := range batch {
		if e := duplicateIn(seen, na); e != nil {
			na.res.Action, na.res.Error = echelon.RowFailed, e
			continue
		}
		if r, has := limits[na.p.owner]; has && r.limit > 0 && r.owned+1 > r.limit {
			na.res.Action, na.res.Error = echelon.RowFailed, echelon.Errorf(echelon.ECONFLICT, "pool.limit_reached", r.limit, r.owned)
			continue
		}
		if r, has := limits[na.p.owner]; has {
			r.owned++
		}
		for _, k := range keysOf(na.f) {
			seen[k] = dupSeen{name: na.f.name, line: na.res.Line}
		}
		ok = append(ok, na)
	}
	return im.insertAccounts(ctx, ok)
}

// keysOf lists an account's duplicate keys, each prefixed by its kind.
func keysOf(f accountFields) []string {
	keys := []string{"name:" + f.key}
	for kind, v := range map[string]string{"credit_code:": f.credit, "phone:": f.phone, "email:": f.email} {
		if v != "" {
			keys = append(keys, kind+v)
		}
	}
	return keys
}

// duplicateIn answers the duplicate check of one new account against the
// keys seen so far, in the order CreateAccount checks them.
func duplicateIn(seen map[string]dupSeen, na *newAccount) *echelon.Error {
	for _, probe := range []struct{ field, key string }{
		{"name", "name:" + na.f.key}, {"credit_code", "credit_code:" + na.f.credit}, {"phone", "phone:" + na.f.phone}, {"email", "email:" + na.f.email},
	} {
		d, hit := seen[probe.key]
		if !hit || strings.HasSuffix(probe.key, ":") {
			continue
		}
		var e *echelon.Error
		switch {
		case d.line != 0:
			e = echelon.Errorf(echelon.ECONFLICT, "import.duplicate_in_file", d.name, d.line)
		case d.owner == "":
			e = echelon.Errorf(echelon.ECONFLICT, "account.duplicate_pool", d.name, d.id)
		default:
			e = echelon.Errorf(echelon.ECONFLICT, "account.duplicate", d.name, d.id, d.owner)
		}
		e.Field = probe.field
		return e
	}
	return nil
}

// existingKeys looks up, for the whole chunk at once, the accounts in the
// database that share a duplicate key with any new account.
func (im *importer) existingKeys(ctx context.Context, batch []*newAccount) (map[string]dupSeen, error) {
	cols := map[string]string{"name:": "a.name_key", "credit_code:": "a.credit_code", "phone:": "a.phone", "email:": "a.email"}
	want := map[string][]any{}
	for _, na := range batch {
		for _, k := range keysOf(na.f) {
			kind, v, _ := strings.Cut(k, ":")
			want[kind+":"] = append(want[kind+":"], v)
		}
	}
	seen := map[string]dupSeen{}
	for kind, values := range want {
		for _, chunk := range chunks(values, 500) {
			rs, err := im.tx.Query(ctx, `SELECT a.id, a.name, `+cols[kind]+`, COALESCE(p.name, '') FROM accounts a LEFT JOIN people p ON p.id = a.owner_id
				WHERE a.merged_into_id IS NULL AND `+cols[kind]+` IN (`+marks(len(chunk))+`) ORDER BY a.id`, chunk...)
			_, err = collect(rs, err, func(r scanner) (string, error) {
				var d dupSeen
				var key string
				if err := r.Scan(&d.id, &d.name, &key, &d.owner); err != nil {
					return "", err
				}
				if _, known := seen[kind+key]; !known {
					seen[kind+key] = d // the oldest account with the key, as CreateAccount would name
				}
				return key, nil
			})
			if err != nil {
				return nil, fmt.Errorf("crm: duplicate keys: %w", err)
			}
		}
	}
	return seen, nil
}

// room is an owner's account limit and how many accounts they hold.
type room struct{ limit, owned int }

// ownerRoom loads the limit and count of every owner in the chunk once.
func (im *importer) ownerRoom(ctx context.Context, batch []*newAccount) (map[int64]*room, error) {
	out := map[int64]*room{}
	for _, na := range batch {
		o := na.p.owner
		if o == 0 || out[o] != nil {
			continue
		}
		if err := serialize(ctx, im.tx, lockOwner, o); err != nil {
			return nil, err
		}
		r := &room{}
		if err := im.tx.QueryRow(ctx, `SELECT COALESCE(l.account_limit, 0),
			(SELECT COUNT(*) FROM accounts a WHERE a.owner_id = p.id AND a.merged_into_id IS NULL)
			FROM people p LEFT JOIN levels l ON l.id = p.level_id WHERE p.id = ?`, o).Scan(&r.limit, &r.owned); err != nil {
			return nil, fmt.Errorf("crm: account limit of %d: %w", o, err)
		}
		out[o] = r
	}
	return out, nil
}

// insertAccounts writes accounts, their first ownership row and their audit
// entries with multi-row statements.
func (im *importer) insertAccounts(ctx context.Context, batch []*newAccount) error {
	now := im.s.now()
	const rowsPerInsert = 200
	for start := 0; start < len(batch); start += rowsPerInsert {
		part := batch[start:min(start+rowsPerInsert, len(batch))]
		args := make([]any, 0, len(part)*21)
		for _, na := range part {
			f, p := na.f, na.p
			var ownedSince any
			if p.owner != 0 {
				ownedSince = now
			}
			args = append(args, f.name, f.key, nullStr(f.credit), f.industry, f.segment, f.province, f.city, f.address, f.size,
				f.source, f.phone, f.email, f.status, f.tags, nullID(p.owner), p.unit, nullID(p.territory), nullStr(na.ext), ownedSince, now, now)
		}
		rs, err := im.tx.Query(ctx, `INSERT INTO accounts (name, name_key, credit_code, industry, segment, province, city, address, size,
			source, phone, email, status, tags, owner_id, org_unit_id, territory_id, external_id, owned_since, created_at, updated_at) VALUES `+
			strings.TrimSuffix(strings.Repeat("("+marks(21)+"), ", len(part)), ", ")+` RETURNING id, name_key`, args...)
		ids := map[string]int64{}
		_, err = collect(rs, err, func(r scanner) (int64, error) {
			var id int64
			var key string
			err := r.Scan(&id, &key)
			ids[key] = id
			return id, err
		})
		if db.IsUniqueViolation(err) {
			return echelon.Errorf(echelon.ECONFLICT, "account.external_id_taken", "")
		}
		if err != nil {
			return fmt.Errorf("crm: insert accounts: %w", err)
		}
		own := make([]any, 0, len(part)*8)
		items := make([]audit.Item, 0, len(part))
		var actorID any
		if im.act.PersonID != 0 {
			actorID = im.act.PersonID
		}
		for _, na := range part {
			na.id = ids[na.f.key]
			na.res.Action, na.res.ID = echelon.RowCreated, na.id
			na.res.Notes = append(na.res.Notes, na.p.notes...)
			if na.p.owner == 0 {
				na.res.Note("import.to_pool")
			}
			own = append(own, na.id, OwnCreate, nil, nullID(na.p.owner), nullID(poolOf(na.p)), "", actorID, now)
			items = append(items, audit.Item{ID: na.id, After: na.audited(now)})
		}
		if _, err := im.tx.Exec(ctx, `INSERT INTO account_ownership (account_id, action, from_owner, to_owner, pool_unit_id, reason, actor_id, at) VALUES `+
			strings.TrimSuffix(strings.Repeat("("+marks(8)+"), ", len(part)), ", "), own...); err != nil {
			return fmt.Errorf("crm: record ownership: %w", err)
		}
		if err := audit.RecordBatch(ctx, im.tx, "create", "account", items); err != nil {
			return err
		}
	}
	return nil
}

// audited is what the audit log keeps of an imported account: the stored fields.
func (na *newAccount) audited(now any) map[string]any {
	f, p := na.f, na.p
	return map[string]any{"id": na.id, "name": f.name, "credit_code": f.credit, "industry": f.industry, "segment": f.segment,
		"province": f.province, "city": f.city, "address": f.address, "size": f.size, "source": f.source, "phone": f.phone,
		"email": f.email, "status": f.status, "tags": f.tags, "owner_id": p.owner, "org_unit_id": p.unit,
		"territory_id": p.territory, "external_id": na.ext, "version": 1, "created_at": now}
}

// marks returns n comma-separated placeholders.
func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// chunks splits values into slices of at most n.
func chunks(values []any, n int) [][]any {
	var out [][]any
	for len(values) > n {
		out = append(out, values[:n])
		values = values[n:]
	}
	if len(values) > 0 {
		out = append(out, values)
	}
	return out
}
