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
)

// Account statuses.
const (
	StatusProspect = "prospect"
	StatusCustomer = "customer"
	StatusInactive = "inactive"
)

func validStatus(s string) bool {
	return s == StatusProspect || s == StatusCustomer || s == StatusInactive
}

// Account is a customer company. An account without an owner sits in the
// public pool (公海) of its org unit.
type Account struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	CreditCode     string     `json:"credit_code,omitempty"`
	Industry       string     `json:"industry"`
	Segment        string     `json:"segment"`
	Province       string     `json:"province"`
	City           string     `json:"city"`
	Address        string     `json:"address"`
	Size           string     `json:"size"`
	Source         string     `json:"source"`
	Phone          string     `json:"phone"`
	Email          string     `json:"email"`
	Status         string     `json:"status"`
	Tags           string     `json:"tags"`
	OwnerID        int64      `json:"owner_id,omitempty"`
	OwnerName      string     `json:"owner_name,omitempty"`
	UnitID         int64      `json:"org_unit_id"`
	UnitName       string     `json:"org_unit_name"`
	UnitPath       string     `json:"-"`
	TerritoryID    int64      `json:"territory_id,omitempty"`
	TerritoryName  string     `json:"territory_name,omitempty"`
	ExternalID     string     `json:"external_id,omitempty"`
	OwnedSince     *time.Time `json:"owned_since,omitempty"`
	LastActivityAt *time.Time `json:"last_activity_at,omitempty"`
	Version        int        `json:"version"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	// Notes says how a new account was placed (its territory, a conflict
	// between territories); it is not stored.
	Notes []*echelon.Error `json:"notes,omitempty"`
}

// InPool reports whether the account has no owner.
func (a *Account) InPool() bool { return a.OwnerID == 0 }

// AccountInput creates an account. A rep's accounts are their own; a
// manager or admin may name an owner in their scope, or none to put the
// account into the pool of UnitID.
type AccountInput struct {
	Name       string `json:"name"`
	CreditCode string `json:"credit_code,omitempty"`
	Industry   string `json:"industry,omitempty"`
	Segment    string `json:"segment,omitempty"`
	Province   string `json:"province,omitempty"`
	City       string `json:"city,omitempty"`
	Address    string `json:"address,omitempty"`
	Size       string `json:"size,omitempty"`
	Source     string `json:"source,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Email      string `json:"email,omitempty"`
	Status     string `json:"status,omitempty"`
	Tags       string `json:"tags,omitempty"`
	OwnerID    int64  `json:"owner_id,omitempty"`
	UnitID     int64  `json:"org_unit_id,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
}

// AccountUpdate changes an account's details; nil fields stay as they are.
// Ownership changes go through Claim, Release and Transfer.
type AccountUpdate struct {
	Name       *string `json:"name,omitempty"`
	CreditCode *string `json:"credit_code,omitempty"`
	Industry   *string `json:"industry,omitempty"`
	Segment    *string `json:"segment,omitempty"`
	Province   *string `json:"province,omitempty"`
	City       *string `json:"city,omitempty"`
	Address    *string `json:"address,omitempty"`
	Size       *string `json:"size,omitempty"`
	Source     *string `json:"source,omitempty"`
	Phone      *string `json:"phone,omitempty"`
	Email      *string `json:"email,omitempty"`
	Status     *string `json:"status,omitempty"`
	Tags       *string `json:"tags,omitempty"`
	Version    int     `json:"version"`
}

// AccountFilter selects accounts. Pool lists the pool accounts the actor may
// claim instead of owned ones.
type AccountFilter struct {
	Query    string
	OwnerID  int64
	UnitID   int64
	Status   string
	Industry string
	Province string
	Pool     bool
	Sort     string // name, updated_at (default descending), last_activity_at, id; "-" descending
	Page
}

const accountColumns = `a.id, a.name, COALESCE(a.credit_code, ''), a.industry, a.segment, a.province, a.city, a.address, a.size,
	a.source, a.phone, a.email, a.status, a.tags, COALESCE(a.owner_id, 0), COALESCE(p.name, ''), a.org_unit_id, u.name, u.path,
	COALESCE(a.territory_id, 0), COALESCE(tr.name, ''), COALESCE(a.external_id, ''), a.owned_since, a.last_activity_at, a.version, a.created_at, a.updated_at
	FROM accounts a JOIN org_units u ON u.id = a.org_unit_id LEFT JOIN people p ON p.id = a.owner_id
	LEFT JOIN territories tr ON tr.id = a.territory_id`

func scanAccount(row scanner) (*Account, error) {
	var a Account
	var owned, last sql.NullTime
	err := row.Scan(&a.ID, &a.Name, &a.CreditCode, &a.Industry, &a.Segment, &a.Province, &a.City, &a.Address, &a.Size,
		&a.Source, &a.Phone, &a.Email, &a.Status, &a.Tags, &a.OwnerID, &a.OwnerName, &a.UnitID, &a.UnitName, &a.UnitPath,
		&a.TerritoryID, &a.TerritoryName, &a.ExternalID, &owned, &last, &a.Version, &a.CreatedAt, &a.UpdatedAt)
	if owned.Valid {
		a.OwnedSince = &owned.Time
	}
	if last.Valid {
		a.LastActivityAt = &last.Time
	}
	return &a, err
}

// accountSorts are the sortable columns; each has an index, so a page of a
// large list is read in order rather than sorted.
var accountSorts = map[string]string{
	"name": "a.name", "updated_at": "a.updated_at", "last_activity_at": "a.last_activity_at", "id": "a.id",
}

// orderBy turns "-col" into "col DESC" for known columns, defaulting to def.
func orderBy(sorts map[string]string, sort, def string) string {
	key, desc := strings.CutPrefix(sort, "-")
	col, ok := sorts[key]
	if !ok {
		return def
	}
	if desc {
		return col + " DESC"
	}
	return col
}

// poolScope is the condition for pool accounts the actor may see and claim:
// unowned accounts whose unit is the actor's unit or one above it.
func poolScope(a *echelon.Actor) (string, []any) {
	if a.IsAdmin() {
		return "a.owner_id IS NULL", nil
	}
	if a.UnitPath == "" || !mayWriteCRM(a) {
		return "1=0", nil
	}
	return "a.owner_id IS NULL AND ? LIKE u.path || '%'", []any{a.UnitPath}
}

// accountSearch is the condition of a search for q: accounts whose name
// key (NameKey, which ignores case, punctuation and legal suffixes)
// contains q's key, found through the keys' two-character pieces. A query
// of punctuation alone has an empty key, which would match every account:
// then the name as typed counts; a one-character query reads the names.
func accountSearch(d db.Dialect, q string) (string, []any) {
	key := NameKey(q)
	switch {
	case key == "":
		return db.ContainsAny("a.name"), []any{db.ContainsPattern(q)}
	case len(Grams(key)) == 0: // one character: no pieces to look up
		return db.ContainsAny("a.name", "a.name_key"), []any{db.ContainsPattern(q), db.ContainsPattern(key)}
	}
	return gramSearch(d, key)
}

// FindAccounts lists accounts in the actor's scope (or the pool) and whether more follow.
func (s *Service) FindAccounts(ctx context.Context, f AccountFilter) ([]*Account, bool, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, false, err
	}
	cond, args := org.PageScope(s.db.Dialect, act, "a.owner_id", "a.org_unit_id", "u.path")
	if f.Pool {
		cond, args = poolScope(act)
	}
	where := []string{cond, "a.merged_into_id IS NULL"}
	add := func(c string, v ...any) { where = append(where, c); args = append(args, v...) }
	if q := strings.TrimSpace(f.Query); q != "" {
		search, v := accountSearch(s.db.Dialect, q)
		add(search, v...)
	}
	if f.OwnerID != 0 {
		add("a.owner_id = ?", f.OwnerID)
	}
	if f.UnitID != 0 {
		add("a.org_unit_id IN (SELECT id FROM org_units WHERE path LIKE (SELECT path FROM org_units WHERE id = ?) || '%')", f.UnitID)
	}
	if f.Status != "" {
		add("a.status = ?", f.Status)
	}
	if f.Industry != "" {
		add("a.industry = ?", f.Industry)
	}
	if f.Province != "" {
		add("a.province = ?", f.Province)
	}
	order := orderBy(accountSorts, f.Sort, "a.updated_at DESC") + ", a.id DESC"
	return findPage(ctx, s, listQuery{what: "accounts", columns: accountColumns, where: where, args: args, order: order,
		planEach: strings.TrimSpace(f.Query) != ""}, f.Page, scanAccount)
}

// canSeeAccount: the record scope, or a pool account the actor may claim.
func canSeeAccount(act *echelon.Actor, a *Account) bool {
	if org.CanSeeRecord(act, a.OwnerID, a.UnitPath) {
		return true
	}
	return a.InPool() && mayWriteCRM(act) && act.UnitPath != "" && strings.HasPrefix(act.UnitPath, a.UnitPath)
}

func findAccount(ctx context.Context, tx *db.Tx, id int64) (*Account, error) {
	a, err := scanAccount(tx.QueryRow(ctx, `SELECT `+accountColumns+` WHERE a.id = ? AND a.merged_into_id IS NULL`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "account.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("crm: find account %d: %w", id, err)
	}
	return a, nil
}

// findVisibleAccount loads an account the actor may see; others are ENOTFOUND.
func findVisibleAccount(ctx context.Context, tx *db.Tx, act *echelon.Actor, id int64) (*Account, error) {
	a, err := findAccount(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !canSeeAccount(act, a) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "account.not_found")
	}
	return a, nil
}

// FindAccountByID returns one account the actor may see.
func (s *Service) FindAccountByID(ctx context.Context, id int64) (*Account, error) {
	return view(ctx, s, func(tx *db.Tx, act *echelon.Actor) (*Account, error) { return findVisibleAccount(ctx, tx, act, id) })
}

// accountFields is the validated, normalised form of an account's details.
type accountFields struct {
	name, key, credit, industry, segment, province, city, address, size, source, phone, email, status, tags string
}

func (in *AccountInput) fields() (accountFields, error) {
	var f accountFields
	var err error
	if f.name, err = text("name", in.Name, maxName, true); err != nil {
		return f, err
	}
	f.key = NameKey(f.name)
	if in.CreditCode != "" {
		var ok bool
		if f.credit, ok = CreditCode(in.CreditCode); !ok {
			return f, echelon.FieldError("credit_code", "account.credit_code_invalid")
		}
	}
	for _, t := range []struct {
		field string
		dst   *string
		v     string
		max   int
	}{
		{"industry", &f.industry, in.Industry, maxShort}, {"segment", &f.segment, in.Segment, maxShort},
		{"province", &f.province, in.Province, maxShort}, {"city", &f.city, in.City, maxShort},
		{"address", &f.address, in.Address, maxName}, {"size", &f.size, in.Size, maxShort},
		{"source", &f.source, in.Source, maxShort}, {"tags", &f.tags, in.Tags, maxName},
	} {
		if *t.dst, err = text(t.field, t.v, t.max, false); err != nil {
			return f, err
		}
	}
	if strings.TrimSpace(in.Phone) != "" {
		if f.phone = PhoneKey(in.Phone); f.phone == "" {
			return f, echelon.FieldError("phone", "phone.invalid")
		}
	}
	if f.email = EmailKey(in.Email); f.email != "" && (!strings.Contains(f.email, "@") || len(f.email) > 254) {
		return f, echelon.FieldError("email", "email.invalid")
	}
	f.status = in.Status
	if f.status == "" {
		f.status = StatusProspect
	}
	if !validStatus(f.status) {
		return f, echelon.FieldError("status", "account.status_invalid")
	}
	return f, nil
}

// input turns an account back into the input shape, so an update can
// re-validate the merged result with the rules of creation.
func (a *Account) input() AccountInput {
	return AccountInput{Name: a.Name, CreditCode: a.CreditCode, Industry: a.Industry, Segment: a.Segment, Province: a.Province,
		City: a.City, Address: a.Address, Size: a.Size, Source: a.Source, Phone: a.Phone, Email: a.Email, Status: a.Status, Tags: a.Tags}
}

// checkDuplicate refuses an account that matches another by normalised
// name, credit code, phone or e-mail. The error names the existing account
// and its owner — facts anyone may learn so as not to chase the same
// customer (撞单) — and nothing else about it.
func checkDuplicate(ctx context.Context, tx *db.Tx, f accountFields, self int64) error {
	if err := serialize(ctx, tx, lockDuplicates, 0); err != nil {
		return err
	}
	type probe struct{ field, cond, v string }
	probes := []probe{{"name", "a.name_key = ?", f.key}}
	if f.credit != "" {
		probes = append(probes, probe{"credit_code", "a.credit_code = ?", f.credit})
	}
	if f.phone != "" {
		probes = append(probes, probe{"phone", "a.phone = ?", f.phone})
	}
	if f.email != "" {
		probes = append(probes, probe{"email", "a.email = ?", f.email})
	}
	for _, p := range probes {
		var id int64
		var name, owner string
		err := tx.QueryRow(ctx, `SELECT a.id, a.name, COALESCE(p.name, '') FROM accounts a LEFT JOIN people p ON p.id = a.owner_id
			WHERE `+p.cond+` AND a.merged_into_id IS NULL AND a.id <> ? LIMIT 1`, p.v, self).Scan(&id, &name, &owner)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("crm: duplicate check by %s: %w", p.field, err)
		}
		e := echelon.Errorf(echelon.ECONFLICT, "account.duplicate", name, id, owner)
		if owner == "" {
			e = echelon.Errorf(echelon.ECONFLICT, "account.duplicate_pool", name, id)
		}
		e.Field = p.field
		return e
	}
	return nil
}

// placeAccount decides the owner and org unit of a new account.
func placeAccount(ctx context.Context, tx *db.Tx, act *echelon.Actor, in AccountInput) (owner, unit int64, err error) {
	switch {
	case act.Role == echelon.RoleRep:
		if in.OwnerID != 0 && in.OwnerID != act.PersonID {
			return 0, 0, echelon.FieldError("owner_id", "account.owner_outside")
		}
		return act.PersonID, act.UnitID, nil
	case in.OwnerID != 0:
		o, err := findOwner(ctx, tx, act, in.OwnerID)
		if err != nil {
			return 0, 0, err
		}
		return o.id, o.unitID, nil
	case in.UnitID == 0:
		return 0, 0, echelon.FieldError("org_unit_id", "account.pool_unit_required")
	}
	var path string
	if err := tx.QueryRow(ctx, `SELECT path FROM org_units WHERE id = ? AND closed_at IS NULL`, in.UnitID).Scan(&path); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, 0, echelon.FieldError("org_unit_id", "unit.not_found")
		}
		return 0, 0, fmt.Errorf("crm: find pool unit: %w", err)
	}
	if !act.IsAdmin() && !org.InSubtree(path, act.UnitPath) {
		return 0, 0, echelon.FieldError("org_unit_id", "unit.not_found")
	}
	return 0, in.UnitID, nil
}

// owner is a person who may own CRM records.
type owner struct {
	id, unitID, levelLimit int64
	unitPath               string
}

// findOwner loads an active person with a unit whom the actor may assign records to.
func findOwner(ctx context.Context, tx *db.Tx, act *echelon.Actor, id int64) (*owner, error) {
	var o owner
	var role echelon.Role
	err := tx.QueryRow(ctx, `SELECT p.id, p.role, COALESCE(p.org_unit_id, 0), COALESCE(u.path, ''), COALESCE(l.account_limit, 0)
		FROM people p LEFT JOIN org_units u ON u.id = p.org_unit_id LEFT JOIN levels l ON l.id = p.level_id
		WHERE p.id = ? AND p.active`, id).Scan(&o.id, &role, &o.unitID, &o.unitPath, &o.levelLimit)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (o.unitID == 0 || !(act.IsAdmin() || org.InSubtree(o.unitPath, act.UnitPath) && act.Role.IsManager() || o.id == act.PersonID))) {
		return nil, echelon.FieldError("owner_id", "account.owner_outside")
	}
	if err != nil {
		return nil, fmt.Errorf("crm: find owner %d: %w", id, err)
	}
	if role != echelon.RoleRep && !role.IsManager() {
		return nil, echelon.FieldError("owner_id", "account.owner_role")
	}
	return &o, nil
}

// CreateAccount adds an account after the duplicate check and, for an
// owned account, the owner's account limit.
func (s *Service) CreateAccount(ctx context.Context, in AccountInput) (*Account, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !mayWriteCRM(act) {
		return nil, forbidden()
	}
	f, err := in.fields()
	if err != nil {
		return nil, err
	}
	ext, err := text("external_id", in.ExternalID, maxShort, false)
	if err != nil {
		return nil, err
	}
	var out *Account
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.createAccount(ctx, tx, act, &territorySet{}, in, f, ext)
		return err
	})
	return out, err
}

func (s *Service) createAccount(ctx context.Context, tx *db.Tx, act *echelon.Actor, ts *territorySet, in AccountInput, f accountFields, ext string) (*Account, error) {
	var p placement
	var err error
	if p.owner, p.unit, err = placeAccount(ctx, tx, act, in); err != nil {
		return nil, err
	}
	if err := checkDuplicate(ctx, tx, f, 0); err != nil {
		return nil, err
	}
	if err := applyTerritory(ctx, tx, ts, f, &p); err != nil {
		return nil, err
	}
	now := s.now()
	var ownedSince any
	if p.owner != 0 {
		if err := checkAccountLimit(ctx, tx, p.owner, 1); err != nil {
			return nil, err
		}
		ownedSince = now
	}
	id, err := tx.InsertID(ctx, `INSERT INTO accounts (name, name_key, credit_code, industry, segment, province, city, address, size,
		source, phone, email, status, tags, owner_id, org_unit_id, territory_id, external_id, owned_since, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.name, f.key, nullStr(f.credit), f.industry, f.segment, f.province, f.city, f.address, f.size,
		f.source, f.phone, f.email, f.status, f.tags, nullID(p.owner), p.unit, nullID(p.territory), nullStr(ext), ownedSince, now, now)
	if db.IsUniqueViolation(err) {
		return nil, echelon.Errorf(echelon.ECONFLICT, "account.external_id_taken", ext)
	}
	if err != nil {
		return nil, fmt.Errorf("crm: insert account: %w", err)
	}
	if err := writeGrams(ctx, tx, map[int64]string{id: f.key}); err != nil {
		return nil, err
	}
	if err := recordOwnership(ctx, tx, id, ownership{action: OwnCreate, to: p.owner, pool: poolOf(p)}, now); err != nil {
		return nil, err
	}
	a, err := findAccount(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := audit.Record(ctx, tx, "create", "account", id, nil, a); err != nil {
		return nil, err
	}
	a.Notes = p.notes
	return a, nil
}

// UpdateAccount changes an account's details; the version must match.
func (s *Service) UpdateAccount(ctx context.Context, id int64, up AccountUpdate) (*Account, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *Account
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findVisibleAccount(ctx, tx, act, id)
		if err != nil {
			return err
		}
		out, err = s.updateAccount(ctx, tx, act, before, up)
		return err
	})
	return out, err
}

func (s *Service) updateAccount(ctx context.Context, tx *db.Tx, act *echelon.Actor, before *Account, up AccountUpdate) (*Account, error) {
	id := before.ID
	if !org.CanSeeRecord(act, before.OwnerID, before.UnitPath) {
		return nil, forbidden() // a pool account is claimed before it is edited
	}
	if up.Version != before.Version {
		return nil, audit.StaleError(ctx, tx, "account", id)
	}
	in := before.input()
	for _, p := range []struct {
		dst *string
		src *string
	}{
		{&in.Name, up.Name}, {&in.CreditCode, up.CreditCode}, {&in.Industry, up.Industry}, {&in.Segment, up.Segment},
		{&in.Province, up.Province}, {&in.City, up.City}, {&in.Address, up.Address}, {&in.Size, up.Size},
		{&in.Source, up.Source}, {&in.Phone, up.Phone}, {&in.Email, up.Email}, {&in.Status, up.Status}, {&in.Tags, up.Tags},
	} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	f, err := in.fields()
	if err != nil {
		return nil, err
	}
	current := before.input()
	if was, _ := current.fields(); was == f {
		return before, nil // nothing changes: no new version, no audit entry
	}
	if err := checkDuplicate(ctx, tx, f, id); err != nil {
		return nil, err
	}
	res, err := tx.Exec(ctx, `UPDATE accounts SET name = ?, name_key = ?, credit_code = ?, industry = ?, segment = ?, province = ?,
		city = ?, address = ?, size = ?, source = ?, phone = ?, email = ?, status = ?, tags = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND version = ?`,
		f.name, f.key, nullStr(f.credit), f.industry, f.segment, f.province, f.city, f.address, f.size, f.source, f.phone, f.email,
		f.status, f.tags, s.now(), id, up.Version)
	if err != nil {
		return nil, fmt.Errorf("crm: update account: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, audit.StaleError(ctx, tx, "account", id)
	}
	if was := NameKey(before.Name); f.key != was {
		if err := renameGrams(ctx, tx, id, was, f.key); err != nil {
			return nil, err
		}
	}
	out, err := findAccount(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return out, audit.Record(ctx, tx, "update", "account", id, before, out)
}

// poolOf is the pool a new account enters: its unit when it has no owner.
func poolOf(p placement) int64 {
	if p.owner == 0 {
		return p.unit
	}
	return 0
}
