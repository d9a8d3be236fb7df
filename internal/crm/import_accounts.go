package crm

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
)

// An import of accounts looks up what it needs for the whole file at once
// — the accounts its rows name by external id, and the accounts that share
// a duplicate key with any new row — and keeps it up to date as it writes,
// so each chunk checks its rows against memory. New accounts then get the
// checks of CreateAccount (validation, duplicate check, territory, account
// limit) and are written with multi-row statements, so a file of 100,000
// accounts is neither 800,000 round trips nor a lookup per chunk that
// reads a table growing under it.

// importChunk is how many rows of an account file are checked and written
// together, and how often progress is told.
const importChunk = 1000

// ImportAccountFileInTx creates or, by external id, updates the accounts of
// a whole file. Updates go one by one through the same code as the API;
// new accounts are checked and written a chunk at a time. progress, when
// set, is told how many rows are done after each chunk.
func (s *Service) ImportAccountFileInTx(ctx context.Context, tx *db.Tx, rows []echelon.Row, progress func(done int)) ([]*echelon.RowResult, error) {
	im, err := s.newImporter(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := im.lookUpAccounts(ctx, rows); err != nil {
		return nil, err
	}
	out := make([]*echelon.RowResult, 0, len(rows))
	for start := 0; start < len(rows); start += importChunk {
		end := min(start+importChunk, len(rows))
		res, err := im.accountChunk(ctx, rows[start:end])
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
		if progress != nil {
			progress(end)
		}
	}
	return out, nil
}

// accountChunk updates or prepares each row of a chunk, then checks and
// writes the chunk's new accounts.
func (im *importer) accountChunk(ctx context.Context, rows []echelon.Row) ([]*echelon.RowResult, error) {
	var fresh []*newAccount
	out, err := im.each(ctx, rows, func(row echelon.Row, res *echelon.RowResult) error {
		if before := im.existing[row.Get("external_id")]; before != nil {
			if !canSeeAccount(im.act, before) {
				return echelon.FieldError("external_id", "account.not_found")
			}
			return im.updateAccount(ctx, row, before, res)
		}
		na, err := im.prepare(ctx, row, res)
		if err != nil {
			return err
		}
		fresh = append(fresh, na)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, im.createAccounts(ctx, fresh)
}

// newAccount is an import row on its way to becoming an account.
type newAccount struct {
	res *echelon.RowResult
	in  AccountInput
	f   accountFields
	p   placement
	ext string
	id  int64
}

// lookUpAccounts loads, for the whole file, the accounts its rows name by
// external id and the accounts holding a duplicate key of any new row.
// Before the keys it takes the duplicate-check lock, so that no one else
// adds a duplicate before this import ends.
func (im *importer) lookUpAccounts(ctx context.Context, rows []echelon.Row) error {
	var err error
	if im.existing, err = im.byExternalID(ctx, rows); err != nil {
		return err
	}
	want := map[string]map[string]bool{} // kind → values
	for _, row := range rows {
		if im.existing[row.Get("external_id")] != nil {
			continue
		}
		in := accountInput(row)
		f, err := in.fields()
		if err != nil {
			continue // refused when its chunk is prepared
		}
		for _, k := range keysOf(f) {
			kind, v, _ := strings.Cut(k, ":")
			if want[kind] == nil {
				want[kind] = map[string]bool{}
			}
			want[kind][v] = true
		}
	}
	if len(want) == 0 {
		return nil
	}
	if err := serialize(ctx, im.tx, lockDuplicates, 0); err != nil {
		return err
	}
	return im.existingKeys(ctx, want)
}

// byExternalID loads the existing accounts the rows name by external id.
func (im *importer) byExternalID(ctx context.Context, rows []echelon.Row) (map[string]*Account, error) {
	var ids []string
	for _, r := range rows {
		if e := r.Get("external_id"); e != "" {
			ids = append(ids, e)
		}
	}
	out := map[string]*Account{}
	for _, in := range im.tx.InLists("a.external_id", ids) {
		rs, err := im.tx.Query(ctx, `SELECT `+accountColumns+` WHERE a.merged_into_id IS NULL AND `+in.Cond, in.Args...)
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

// accountInput reads an account from an import row.
func accountInput(row echelon.Row) AccountInput {
	return AccountInput{Name: row.Get("name"), CreditCode: row.Get("credit_code"), Industry: row.Get("industry"), Segment: row.Get("segment"),
		Province: row.Get("province"), City: row.Get("city"), Address: row.Get("address"), Size: row.Get("size"), Source: row.Get("source"),
		Phone: row.Get("phone"), Email: row.Get("email"), Status: row.Get("status"), Tags: row.Get("tags"), ExternalID: row.Get("external_id")}
}

// prepare validates a row and decides its owner, unit and territory.
func (im *importer) prepare(ctx context.Context, row echelon.Row, res *echelon.RowResult) (*newAccount, error) {
	na := &newAccount{res: res, in: accountInput(row)}
	var err error
	if na.ext, err = text("external_id", na.in.ExternalID, maxShort, false); err != nil {
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

// dupKeys maps each duplicate key an import looks at ("phone:…") to what
// holds it: the accounts in the database, oldest first, or the earlier row
// of the file that claimed it.
type dupKeys map[string][]dupSeen

// claim gives a new account's keys to its row.
func (k dupKeys) claim(na *newAccount) {
	for _, key := range keysOf(na.f) {
		k[key] = append(k[key], dupSeen{name: na.f.name, line: na.res.Line})
	}
}

// moved follows an update of an account: it leaves the keys it had and
// holds its new ones. (The update passed the duplicate check, so no other
// account holds those.)
func (k dupKeys) moved(before, after *Account) {
	for _, key := range accountKeys(before) {
		k[key] = slices.DeleteFunc(k[key], func(d dupSeen) bool { return d.id == before.ID })
	}
	for _, key := range accountKeys(after) {
		k[key] = append(k[key], dupSeen{id: after.ID, name: after.Name, owner: after.OwnerName})
	}
}

// accountKeys lists the duplicate keys of a stored account.
func accountKeys(a *Account) []string {
	in := a.input()
	f, err := in.fields()
	if err != nil {
		return nil // stored before today's rules: no key to compare with
	}
	return keysOf(f)
}

// createAccounts checks and writes the new accounts of one chunk.
func (im *importer) createAccounts(ctx context.Context, batch []*newAccount) error {
	if len(batch) == 0 {
		return nil
	}
	if err := im.loadRooms(ctx, batch); err != nil {
		return err
	}
	var ok []*newAccount
	for _, na := range batch {
		if e := im.refusal(na); e != nil {
			na.res.Action, na.res.Error = echelon.RowFailed, e
			continue
		}
		if r := im.rooms[na.p.owner]; r != nil {
			r.owned++
		}
		im.keys.claim(na)
		ok = append(ok, na)
	}
	return im.insertAccounts(ctx, ok)
}

// refusal answers why a new account may not be created — a duplicate, or
// an owner at their account limit — or nil.
func (im *importer) refusal(na *newAccount) *echelon.Error {
	if e := im.keys.duplicateOf(na); e != nil {
		return e
	}
	if r := im.rooms[na.p.owner]; r != nil && r.limit > 0 && r.owned+1 > r.limit {
		return echelon.Errorf(echelon.ECONFLICT, "pool.limit_reached", r.limit, r.owned)
	}
	return nil
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

// duplicateOf answers the duplicate check of one new account against the
// keys held so far, in the order CreateAccount checks them.
func (k dupKeys) duplicateOf(na *newAccount) *echelon.Error {
	for _, probe := range []struct{ field, value string }{
		{"name", na.f.key}, {"credit_code", na.f.credit}, {"phone", na.f.phone}, {"email", na.f.email},
	} {
		held := k[probe.field+":"+probe.value]
		if probe.value == "" || len(held) == 0 {
			continue
		}
		d := held[0]
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

// existingKeys loads the accounts in the database that hold any of the
// wanted keys (kind → values), each kind in as few statements as the
// dialect allows.
func (im *importer) existingKeys(ctx context.Context, want map[string]map[string]bool) error {
	cols := map[string]string{"name": "a.name_key", "credit_code": "a.credit_code", "phone": "a.phone", "email": "a.email"}
	for kind, set := range want {
		col := cols[kind]
		for _, in := range im.tx.InLists(col, slices.Collect(maps.Keys(set))) {
			rs, err := im.tx.Query(ctx, `SELECT a.id, a.name, `+col+`, COALESCE(p.name, '') FROM accounts a LEFT JOIN people p ON p.id = a.owner_id
				WHERE a.merged_into_id IS NULL AND `+in.Cond+` ORDER BY a.id`, in.Args...)
			_, err = collect(rs, err, func(r scanner) (dupSeen, error) {
				var d dupSeen
				var v string
				if err := r.Scan(&d.id, &d.name, &v, &d.owner); err != nil {
					return d, err
				}
				im.keys[kind+":"+v] = append(im.keys[kind+":"+v], d)
				return d, nil
			})
			if err != nil {
				return fmt.Errorf("crm: duplicate keys by %s: %w", kind, err)
			}
		}
	}
	return nil
}

// room is an owner's account limit and how many accounts they hold.
type room struct{ limit, owned int }

// loadRooms loads, once per import, the limit and count of every owner
// the chunk's accounts go to; the import counts its own accounts on.
func (im *importer) loadRooms(ctx context.Context, batch []*newAccount) error {
	for _, na := range batch {
		o := na.p.owner
		if o == 0 || im.rooms[o] != nil {
			continue
		}
		if err := serialize(ctx, im.tx, lockOwner, o); err != nil {
			return err
		}
		r := &room{}
		if err := im.tx.QueryRow(ctx, `SELECT COALESCE(l.account_limit, 0),
			(SELECT COUNT(*) FROM accounts a WHERE a.owner_id = p.id AND a.merged_into_id IS NULL)
			FROM people p LEFT JOIN levels l ON l.id = p.level_id WHERE p.id = ?`, o).Scan(&r.limit, &r.owned); err != nil {
			return fmt.Errorf("crm: account limit of %d: %w", o, err)
		}
		im.rooms[o] = r
	}
	return nil
}

// insertAccounts writes accounts, their first ownership row and their audit
// entries with multi-row statements.
func (im *importer) insertAccounts(ctx context.Context, batch []*newAccount) error {
	now := im.s.now()
	const rowsPerInsert = 200
	for start := 0; start < len(batch); start += rowsPerInsert {
		part := batch[start:min(start+rowsPerInsert, len(batch))]
		if err := im.writeAccounts(ctx, part, now); err != nil {
			return err
		}
		if err := im.recordCreation(ctx, part, now); err != nil {
			return err
		}
	}
	return nil
}

// writeAccounts inserts the accounts in one statement, notes each row's
// new id and records their names' pieces for search.
func (im *importer) writeAccounts(ctx context.Context, part []*newAccount, now time.Time) error {
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
		db.RowMarks(21, len(part))+` RETURNING id, name_key`, args...)
	ids := map[string]int64{} // by name key: unique within the part, which passed the duplicate check
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
	keys := make(map[int64]string, len(part))
	for _, na := range part {
		na.id = ids[na.f.key]
		keys[na.id] = na.f.key
		na.res.Action, na.res.ID = echelon.RowCreated, na.id
		na.res.Notes = append(na.res.Notes, na.p.notes...)
		if na.p.owner == 0 {
			na.res.Note("import.to_pool")
		}
	}
	return writeGrams(ctx, im.tx, keys)
}

// recordCreation writes the first ownership row and the audit entry of
// each new account.
func (im *importer) recordCreation(ctx context.Context, part []*newAccount, now time.Time) error {
	var actorID any
	if im.act.PersonID != 0 {
		actorID = im.act.PersonID
	}
	own := make([]any, 0, len(part)*8)
	items := make([]audit.Item, 0, len(part))
	for _, na := range part {
		own = append(own, na.id, OwnCreate, nil, nullID(na.p.owner), nullID(poolOf(na.p)), "", actorID, now)
		items = append(items, audit.Item{ID: na.id, After: na.audited(now)})
	}
	if _, err := im.tx.Exec(ctx, `INSERT INTO account_ownership (account_id, action, from_owner, to_owner, pool_unit_id, reason, actor_id, at) VALUES `+
		db.RowMarks(8, len(part)), own...); err != nil {
		return fmt.Errorf("crm: record ownership: %w", err)
	}
	return audit.RecordBatch(ctx, im.tx, "create", "account", items)
}

// importedAccount is what the audit log keeps of an imported account: the
// stored fields, named in alphabetical order as a map would list them. (A
// struct marshals several times faster than a map, once per row.)
type importedAccount struct {
	Address     string    `json:"address"`
	City        string    `json:"city"`
	CreatedAt   time.Time `json:"created_at"`
	CreditCode  string    `json:"credit_code"`
	Email       string    `json:"email"`
	ExternalID  string    `json:"external_id"`
	ID          int64     `json:"id"`
	Industry    string    `json:"industry"`
	Name        string    `json:"name"`
	OrgUnitID   int64     `json:"org_unit_id"`
	OwnerID     int64     `json:"owner_id"`
	Phone       string    `json:"phone"`
	Province    string    `json:"province"`
	Segment     string    `json:"segment"`
	Size        string    `json:"size"`
	Source      string    `json:"source"`
	Status      string    `json:"status"`
	Tags        string    `json:"tags"`
	TerritoryID int64     `json:"territory_id"`
	Version     int       `json:"version"`
}

// audited is what the audit log keeps of an imported account.
func (na *newAccount) audited(now time.Time) importedAccount {
	f, p := na.f, na.p
	return importedAccount{ID: na.id, Name: f.name, CreditCode: f.credit, Industry: f.industry, Segment: f.segment,
		Province: f.province, City: f.city, Address: f.address, Size: f.size, Source: f.source, Phone: f.phone,
		Email: f.email, Status: f.status, Tags: f.tags, OwnerID: p.owner, OrgUnitID: p.unit,
		TerritoryID: p.territory, ExternalID: na.ext, Version: 1, CreatedAt: now}
}
