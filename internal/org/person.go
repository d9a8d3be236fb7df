package org

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
	"github.com/echelonhq/echelon/internal/password"
)

// Person is someone who signs in to Echelon.
type Person struct {
	ID          int64        `json:"id"`
	Email       string       `json:"email"`
	Name        string       `json:"name"`
	Phone       string       `json:"phone"`
	Role        echelon.Role `json:"role"`
	UnitID      int64        `json:"org_unit_id,omitempty"`
	UnitName    string       `json:"org_unit_name,omitempty"`
	UnitPath    string       `json:"-"`
	ManagerID   int64        `json:"manager_id,omitempty"`
	ManagerName string       `json:"manager_name,omitempty"`
	LevelID     int64        `json:"level_id,omitempty"`
	LevelCode   string       `json:"level_code,omitempty"`
	LevelNameZh string       `json:"level_name_zh,omitempty"`
	LevelNameEn string       `json:"level_name_en,omitempty"`
	HireDate    string       `json:"hire_date,omitempty"` // YYYY-MM-DD
	Active      bool         `json:"active"`
	Lang        string       `json:"lang"`
	Version     int          `json:"version"`
	CreatedAt   time.Time    `json:"created_at"`
}

// PersonInput creates a person.
type PersonInput struct {
	Email     string       `json:"email"`
	Name      string       `json:"name"`
	Phone     string       `json:"phone,omitempty"`
	Role      echelon.Role `json:"role"`
	UnitID    int64        `json:"org_unit_id,omitempty"`
	ManagerID int64        `json:"manager_id,omitempty"`
	LevelID   int64        `json:"level_id,omitempty"`
	HireDate  string       `json:"hire_date,omitempty"`
	Lang      string       `json:"lang,omitempty"`
	Password  string       `json:"password,omitempty"`
}

// PersonUpdate changes a person; nil fields stay as they are. A non-zero
// Version must match the stored one.
type PersonUpdate struct {
	Name      *string       `json:"name,omitempty"`
	Phone     *string       `json:"phone,omitempty"`
	Role      *echelon.Role `json:"role,omitempty"`
	UnitID    *int64        `json:"org_unit_id,omitempty"`
	ManagerID *int64        `json:"manager_id,omitempty"`
	LevelID   *int64        `json:"level_id,omitempty"`
	HireDate  *string       `json:"hire_date,omitempty"`
	Active    *bool         `json:"active,omitempty"`
	Lang      *string       `json:"lang,omitempty"`
	Version   int           `json:"version,omitempty"`
}

// PersonFilter selects people; zero fields do not filter.
type PersonFilter struct {
	Query  string       // matches name, e-mail or phone
	UnitID int64        // the unit and its subtree
	Role   echelon.Role //
	Active *bool        //
	Sort   string       // name (default), email, role, unit, hire_date; prefix "-" for descending
	Limit  int          // at most 200; default 50
	Offset int
}

const personColumns = `p.id, p.email, p.name, p.phone, p.role, COALESCE(p.org_unit_id, 0), COALESCE(u.name, ''), COALESCE(u.path, ''),
	COALESCE(p.manager_id, 0), COALESCE(m.name, ''), COALESCE(p.level_id, 0), COALESCE(l.code, ''), COALESCE(l.name_zh, ''),
	COALESCE(l.name_en, ''), p.hire_date, p.active, p.lang, p.version, p.created_at
	FROM people p LEFT JOIN org_units u ON u.id = p.org_unit_id
	LEFT JOIN people m ON m.id = p.manager_id LEFT JOIN levels l ON l.id = p.level_id`

func scanPerson(row interface{ Scan(...any) error }) (*Person, error) {
	var p Person
	var hire sql.NullTime
	if err := row.Scan(&p.ID, &p.Email, &p.Name, &p.Phone, &p.Role, &p.UnitID, &p.UnitName, &p.UnitPath, &p.ManagerID, &p.ManagerName,
		&p.LevelID, &p.LevelCode, &p.LevelNameZh, &p.LevelNameEn, &hire, &p.Active, &p.Lang, &p.Version, &p.CreatedAt); err != nil {
		return nil, err
	}
	if hire.Valid {
		p.HireDate = hire.Time.Format(time.DateOnly)
	}
	return &p, nil
}

var personSorts = map[string]string{
	"name": "p.name", "email": "p.email", "role": "p.role", "unit": "u.name", "hire_date": "p.hire_date", "id": "p.id",
}

// FindPeople returns the people the actor may see that match f, and their total count.
func (s *Service) FindPeople(ctx context.Context, f PersonFilter) ([]*Person, int, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, 0, err
	}
	cond, args := personScope(a)
	where := []string{cond}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := db.ContainsPattern(strings.ToLower(q))
		where = append(where, db.ContainsAny("LOWER(p.name)", "p.email", "p.phone"))
		args = append(args, like, like, like)
	}
	if f.UnitID != 0 {
		where = append(where, "u.path LIKE (SELECT path FROM org_units WHERE id = ?) || '%'")
		args = append(args, f.UnitID)
	}
	if f.Role != "" {
		where = append(where, "p.role = ?")
		args = append(args, f.Role)
	}
	if f.Active != nil {
		where = append(where, "p.active = ?")
		args = append(args, *f.Active)
	}
	col := "p.name"
	sortKey, desc := strings.CutPrefix(f.Sort, "-")
	if c, ok := personSorts[sortKey]; ok {
		col = c
	}
	// Empty values (no unit, no hire date) go last either way; SQLite and
	// PostgreSQL would otherwise place NULLs at opposite ends.
	order := "(" + col + " IS NULL), " + col
	if desc {
		order += " DESC"
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	cnd := strings.Join(where, " AND ")
	var out []*Person
	var total int
	err = s.db.View(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM people p LEFT JOIN org_units u ON u.id = p.org_unit_id WHERE `+cnd, args...).Scan(&total); err != nil {
			return fmt.Errorf("org: count people: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT `+personColumns+` WHERE `+cnd+` ORDER BY `+order+`, p.id LIMIT ? OFFSET ?`,
			append(args, f.Limit, f.Offset)...)
		if err != nil {
			return fmt.Errorf("org: find people: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPerson(rows)
			if err != nil {
				return fmt.Errorf("org: scan person: %w", err)
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, total, err
}

// FindPersonByID returns one person; someone outside the actor's scope is ENOTFOUND.
func (s *Service) FindPersonByID(ctx context.Context, id int64) (*Person, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var p *Person
	err = s.db.View(ctx, func(tx *db.Tx) error {
		p, err = findVisiblePerson(ctx, tx, a, id)
		return err
	})
	return p, err
}

func findPerson(ctx context.Context, tx *db.Tx, id int64) (*Person, error) {
	p, err := scanPerson(tx.QueryRow(ctx, `SELECT `+personColumns+` WHERE p.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "person.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("org: find person %d: %w", id, err)
	}
	return p, nil
}

func findVisiblePerson(ctx context.Context, tx *db.Tx, a *echelon.Actor, id int64) (*Person, error) {
	p, err := findPerson(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !canSeePerson(a, p) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "person.not_found")
	}
	return p, nil
}

func canSeePerson(a *echelon.Actor, p *Person) bool {
	return a.IsAdmin() || p.ID == a.PersonID || (a.Role.IsManager() && inSubtree(p.UnitPath, a.UnitPath))
}

// CreatePerson adds a person. Admin may add anyone anywhere; a manager adds
// people of a lower role into their own subtree.
func (s *Service) CreatePerson(ctx context.Context, in PersonInput) (*Person, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *Person
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		out, err = s.createPerson(ctx, tx, a, in)
		return err
	})
	return out, err
}

func (s *Service) createPerson(ctx context.Context, tx *db.Tx, a *echelon.Actor, in PersonInput) (*Person, error) {
	if !in.Role.Valid() {
		return nil, echelon.FieldError("role", "role.invalid")
	}
	if !a.Role.Outranks(in.Role) {
		return nil, forbidden()
	}
	email, err := cleanEmail(in.Email)
	if err != nil {
		return nil, err
	}
	name, err := cleanName("name", in.Name)
	if err != nil {
		return nil, err
	}
	phone, err := cleanPhone(in.Phone)
	if err != nil {
		return nil, err
	}
	hire, err := parseDate("hire_date", in.HireDate)
	if err != nil {
		return nil, err
	}
	if !validLang(in.Lang) {
		return nil, echelon.FieldError("lang", "lang.invalid")
	}
	p := &Person{Role: in.Role, UnitID: in.UnitID, ManagerID: in.ManagerID, LevelID: in.LevelID}
	if err := checkPlacement(ctx, tx, a, p, true); err != nil {
		return nil, err
	}
	hash := ""
	if in.Password != "" {
		if hash, err = s.HashPassword(in.Password); err != nil {
			return nil, err
		}
	}
	now := time.Now().UTC()
	id, err := tx.InsertID(ctx, `INSERT INTO people (email, name, phone, role, org_unit_id, manager_id, level_id, hire_date, active, lang, password_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		email, name, phone, in.Role, nullID(in.UnitID), nullID(in.ManagerID), nullID(in.LevelID), hire, true, in.Lang, hash, now, now)
	if db.IsUniqueViolation(err) {
		return nil, echelon.Errorf(echelon.ECONFLICT, "person.email_taken", email)
	}
	if err != nil {
		return nil, fmt.Errorf("org: insert person: %w", err)
	}
	out, err := findPerson(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return out, audit.Record(ctx, tx, "create", "person", id, nil, out)
}

// HashPassword checks pw's length and hashes it with the service's
// parameters, for tools that set many people's password at once.
func (s *Service) HashPassword(pw string) (string, error) {
	if n := len([]rune(pw)); n < password.MinLength || n > password.MaxLength {
		return "", echelon.FieldError("password", "password.length", password.MinLength, password.MaxLength)
	}
	h, err := password.Hash(pw, s.pw)
	if err != nil {
		return "", fmt.Errorf("org: hash password: %w", err)
	}
	return h, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// checkPlacement validates where p sits: every role but admin belongs to an
// open unit the actor may place people in; the manager is an active person
// on the unit's chain (the unit or an ancestor), never p itself, without a
// cycle; the level exists. Only a newly chosen manager must be active: one
// who has left does not block changes to their reports' level or role.
func checkPlacement(ctx context.Context, tx *db.Tx, a *echelon.Actor, p *Person, newManager bool) error {
	if p.UnitID == 0 {
		if p.Role != echelon.RoleAdmin {
			return echelon.FieldError("org_unit_id", "field.required")
		}
		p.UnitPath = ""
	} else {
		u, err := findVisibleUnit(ctx, tx, a, p.UnitID)
		if err != nil {
			return echelon.FieldError("org_unit_id", "unit.not_found")
		}
		if u.ClosedAt != nil {
			return echelon.FieldError("org_unit_id", "unit.closed")
		}
		if !canPlacePeopleIn(a, u.Path) {
			return forbidden()
		}
		p.UnitPath = u.Path
	}
	if p.ManagerID != 0 {
		if p.ManagerID == p.ID {
			return echelon.FieldError("manager_id", "person.manager_self")
		}
		m, err := findPerson(ctx, tx, p.ManagerID)
		if err != nil && echelon.ErrorCode(err) != echelon.ENOTFOUND {
			return err
		}
		// Someone the actor may not see is as unknown as an unused id, unless
		// they sit on the chain above (a manager's own manager, say), so that
		// neither their existence nor their status leaks out of scope.
		onChain := err == nil && m.UnitPath != "" && strings.HasPrefix(p.UnitPath, m.UnitPath)
		if err != nil || (!onChain && !canSeePerson(a, m)) {
			return echelon.FieldError("manager_id", "person.not_found")
		}
		if newManager && !m.Active {
			return echelon.FieldError("manager_id", "person.inactive")
		}
		if !onChain {
			return echelon.FieldError("manager_id", "person.manager_outside")
		}
		if newManager && m.Role != echelon.RoleAdmin && !m.Role.IsManager() {
			return echelon.FieldError("manager_id", "person.manager_role")
		}
		if p.ID != 0 {
			if err := checkManagerCycle(ctx, tx, p.ID, m.ID); err != nil {
				return err
			}
		}
	}
	if p.LevelID != 0 {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM levels WHERE id = ?`, p.LevelID).Scan(&n); err != nil {
			return fmt.Errorf("org: check level: %w", err)
		}
		if n == 0 {
			return echelon.FieldError("level_id", "level.not_found")
		}
	}
	return nil
}

// checkManagerCycle refuses a manager whose own chain of managers leads back to the person.
func checkManagerCycle(ctx context.Context, tx *db.Tx, personID, managerID int64) error {
	seen := map[int64]bool{}
	for id := managerID; id != 0; {
		if id == personID {
			return echelon.FieldError("manager_id", "person.manager_cycle")
		}
		if seen[id] {
			return nil // a cycle already stored elsewhere; not this person's
		}
		seen[id] = true
		if err := tx.QueryRow(ctx, `SELECT COALESCE(manager_id, 0) FROM people WHERE id = ?`, id).Scan(&id); err != nil {
			return fmt.Errorf("org: walk manager chain: %w", err)
		}
	}
	return nil
}

// UpdatePerson changes a person. Everyone edits their own name, phone and
// language; admin edits anyone; a manager edits people in their subtree.
// Only admin changes a role, and nobody changes their own role, level,
// unit, manager or active flag.
func (s *Service) UpdatePerson(ctx context.Context, id int64, up PersonUpdate) (*Person, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *Person
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findVisiblePerson(ctx, tx, a, id)
		if err != nil {
			return err
		}
		out, err = updatePerson(ctx, tx, a, before, up)
		return err
	})
	return out, err
}

func updatePerson(ctx context.Context, tx *db.Tx, a *echelon.Actor, before *Person, up PersonUpdate) (*Person, error) {
	id := before.ID
	if err := checkEditRights(a, before, up); err != nil {
		return nil, err
	}
	if up.Version != 0 && up.Version != before.Version {
		return nil, conflictVersion()
	}
	p := *before
	if err := applyUpdate(&p, up); err != nil {
		return nil, err
	}
	if placementChanged(up) {
		if err := checkPlacement(ctx, tx, a, &p, up.ManagerID != nil); err != nil {
			return nil, err
		}
		if err := checkReportsStayOnChain(ctx, tx, &p); err != nil {
			return nil, err
		}
	}
	hire, err := parseDate("hire_date", p.HireDate)
	if err != nil {
		return nil, err
	}
	_, err = tx.Exec(ctx, `UPDATE people SET name = ?, phone = ?, role = ?, org_unit_id = ?, manager_id = ?, level_id = ?,
		hire_date = ?, active = ?, lang = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		p.Name, p.Phone, p.Role, nullID(p.UnitID), nullID(p.ManagerID), nullID(p.LevelID), hire, p.Active, p.Lang, time.Now().UTC(), id)
	if err != nil {
		return nil, fmt.Errorf("org: update person: %w", err)
	}
	if before.Active && !p.Active {
		if err := endAccess(ctx, tx, id); err != nil {
			return nil, err
		}
	}
	if before.LevelID != 0 && p.LevelID != before.LevelID && p.LevelID != 0 {
		if err := recordLevelChange(ctx, tx, a, id, before.LevelID, p.LevelID); err != nil {
			return nil, err
		}
	}
	out, err := findPerson(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return out, audit.Record(ctx, tx, "update", "person", id, before, out)
}

// checkEditRights applies the who-may-change-what table (docs/permissions.md).
func checkEditRights(a *echelon.Actor, p *Person, up PersonUpdate) error {
	self := a.PersonID == p.ID
	restricted := up.Role != nil || up.UnitID != nil || up.ManagerID != nil || up.LevelID != nil || up.Active != nil || up.HireDate != nil
	switch {
	case self && (up.Role != nil || up.ManagerID != nil || up.Active != nil):
		return echelon.Errorf(echelon.EFORBIDDEN, "person.self_restricted")
	case self && !a.IsAdmin() && restricted:
		return echelon.Errorf(echelon.EFORBIDDEN, "person.self_restricted")
	case up.Role != nil && !a.IsAdmin():
		return echelon.Errorf(echelon.EFORBIDDEN, "person.role_admin_only")
	case self || a.IsAdmin():
		return nil
	case a.Role.IsManager() && inSubtree(p.UnitPath, a.UnitPath) && a.Role.Outranks(p.Role):
		return nil
	}
	return forbidden()
}

func placementChanged(up PersonUpdate) bool {
	return up.Role != nil || up.UnitID != nil || up.ManagerID != nil || up.LevelID != nil
}

func applyUpdate(p *Person, up PersonUpdate) error {
	var err error
	if up.Name != nil {
		if p.Name, err = cleanName("name", *up.Name); err != nil {
			return err
		}
	}
	if up.Phone != nil {
		if p.Phone, err = cleanPhone(*up.Phone); err != nil {
			return err
		}
	}
	if up.Role != nil {
		if !up.Role.Valid() {
			return echelon.FieldError("role", "role.invalid")
		}
		p.Role = *up.Role
	}
	if up.UnitID != nil {
		p.UnitID = *up.UnitID
	}
	if up.ManagerID != nil {
		p.ManagerID = *up.ManagerID
	}
	if up.LevelID != nil {
		p.LevelID = *up.LevelID
	}
	if up.HireDate != nil {
		p.HireDate = strings.TrimSpace(*up.HireDate)
	}
	if up.Active != nil {
		p.Active = *up.Active
	}
	if up.Lang != nil {
		if !validLang(*up.Lang) {
			return echelon.FieldError("lang", "lang.invalid")
		}
		p.Lang = *up.Lang
	}
	return nil
}

// checkReportsStayOnChain refuses moving p to a unit (or out of every unit)
// that would leave people who report to p, or open units p manages, with a
// manager outside their unit chain.
func checkReportsStayOnChain(ctx context.Context, tx *db.Tx, p *Person) error {
	var reports, units int
	err := tx.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM people r JOIN org_units ru ON ru.id = r.org_unit_id
			WHERE r.manager_id = ? AND r.active AND (? = '' OR ru.path NOT LIKE ?)),
		(SELECT COUNT(*) FROM org_units u WHERE u.manager_id = ? AND u.closed_at IS NULL AND (? = '' OR u.path NOT LIKE ?))`,
		p.ID, p.UnitPath, p.UnitPath+"%", p.ID, p.UnitPath, p.UnitPath+"%").Scan(&reports, &units)
	if err != nil {
		return fmt.Errorf("org: check reports: %w", err)
	}
	if reports > 0 {
		return echelon.Errorf(echelon.ECONFLICT, "person.move_strands_reports", reports)
	}
	if units > 0 {
		return echelon.Errorf(echelon.ECONFLICT, "person.move_strands_units", units)
	}
	return nil
}

// endAccess ends every session and API token of a deactivated person at once.
func endAccess(ctx context.Context, tx *db.Tx, id int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE person_id = ?`, id); err != nil {
		return fmt.Errorf("org: end sessions: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE person_id = ? AND revoked_at IS NULL`, time.Now().UTC(), id); err != nil {
		return fmt.Errorf("org: revoke tokens: %w", err)
	}
	return nil
}

// SetPassword sets a person's password. Someone changing their own must
// give the current one; an admin resets anyone else's. Either way every
// session and API token of the person ends, so a stolen session or token
// does not outlive the change.
func (s *Service) SetPassword(ctx context.Context, id int64, current, pw string) error {
	a, err := actor(ctx)
	if err != nil {
		return err
	}
	self := a.PersonID == id
	if !self && !a.IsAdmin() {
		return forbidden()
	}
	hash, err := s.HashPassword(pw)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *db.Tx) error {
		if _, err := findVisiblePerson(ctx, tx, a, id); err != nil {
			return err
		}
		if self {
			var stored string
			if err := tx.QueryRow(ctx, `SELECT password_hash FROM people WHERE id = ?`, id).Scan(&stored); err != nil {
				return fmt.Errorf("org: read password: %w", err)
			}
			if ok, _ := password.Verify(current, stored); !ok {
				return echelon.FieldError("current_password", "password.current_wrong")
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE people SET password_hash = ?, failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?`,
			hash, time.Now().UTC(), id); err != nil {
			return fmt.Errorf("org: set password: %w", err)
		}
		if err := endAccess(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "set_password", "person", id, nil, nil)
	})
}

// HasAdmin reports whether an active administrator exists; start-up creates
// the first one when none does.
func (s *Service) HasAdmin(ctx context.Context) (bool, error) {
	var n int
	err := s.db.View(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM people WHERE role = ? AND active`, echelon.RoleAdmin).Scan(&n)
	})
	if err != nil {
		return false, fmt.Errorf("org: count admins: %w", err)
	}
	return n > 0, nil
}

// recordLevelChange keeps a change of level made on the person's record in
// the level history the ladder keeps (nominations write theirs there too),
// effective today in the company's zone, so tenure in the level counts from
// now. A first placement on the ladder is not a change: tenure counts from
// the hire date.
func recordLevelChange(ctx context.Context, tx *db.Tx, a *echelon.Actor, person, from, to int64) error {
	now := time.Now()
	y, m, d := now.In(echelon.CompanyZone()).Date()
	_, err := tx.Exec(ctx, `INSERT INTO level_changes (person_id, from_level_id, to_level_id, effective_on, reason, changed_by, applied_at, created_at)
		VALUES (?, ?, ?, ?, '', ?, ?, ?)`, person, nullID(from), to, time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nullID(a.PersonID), now.UTC(), now.UTC())
	if err != nil {
		return fmt.Errorf("org: record level change of %d: %w", person, err)
	}
	return nil
}
