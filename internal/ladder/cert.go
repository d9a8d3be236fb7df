package ladder

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
)

// CertificationType is an entry of the certification catalogue.
type CertificationType struct {
	Code   string `json:"code"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
}

// Certification is a certification a person holds (or held: it may have expired).
type Certification struct {
	ID         int64     `json:"id"`
	PersonID   int64     `json:"person_id"`
	PersonName string    `json:"person_name"`
	Code       string    `json:"code"`
	IssuedOn   Date      `json:"issued_on"`
	ExpiresOn  *Date     `json:"expires_on,omitempty"`
	Note       string    `json:"note"`
	RecordedAt time.Time `json:"recorded_at"`
}

// CertificationInput records a certification.
type CertificationInput struct {
	PersonID  int64  `json:"person_id"`
	Code      string `json:"code"`
	IssuedOn  string `json:"issued_on"`
	ExpiresOn string `json:"expires_on,omitempty"`
	Note      string `json:"note,omitempty"`
}

func certificationCodes(ctx context.Context, tx *db.Tx) (map[string]bool, error) {
	rs, err := tx.Query(ctx, `SELECT code FROM certification_types`)
	if err != nil {
		return nil, fmt.Errorf("ladder: certification types: %w", err)
	}
	defer rs.Close()
	out := map[string]bool{}
	for rs.Next() {
		var c string
		if err := rs.Scan(&c); err != nil {
			return nil, fmt.Errorf("ladder: scan certification type: %w", err)
		}
		out[c] = true
	}
	return out, rs.Err()
}

// FindCertificationTypes lists the catalogue; every signed-in person may read it.
func (s *Service) FindCertificationTypes(ctx context.Context) ([]CertificationType, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	out := []CertificationType{}
	err := s.db.View(ctx, func(tx *db.Tx) error {
		rs, err := tx.Query(ctx, `SELECT code, name_zh, name_en FROM certification_types ORDER BY code`)
		if err != nil {
			return fmt.Errorf("ladder: certification types: %w", err)
		}
		defer rs.Close()
		for rs.Next() {
			var t CertificationType
			if err := rs.Scan(&t.Code, &t.NameZh, &t.NameEn); err != nil {
				return fmt.Errorf("ladder: scan certification type: %w", err)
			}
			out = append(out, t)
		}
		return rs.Err()
	})
	return out, err
}

var certCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// CreateCertificationType adds an entry to the catalogue (admin only).
func (s *Service) CreateCertificationType(ctx context.Context, in CertificationType) (*CertificationType, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() {
		return nil, forbidden()
	}
	in.Code, in.NameZh, in.NameEn = strings.TrimSpace(in.Code), strings.TrimSpace(in.NameZh), strings.TrimSpace(in.NameEn)
	switch {
	case !certCode.MatchString(in.Code):
		return nil, echelon.FieldError("code", "ladder.certification_code_invalid")
	case in.NameZh == "":
		return nil, echelon.FieldError("name_zh", "field.required")
	case in.NameEn == "":
		return nil, echelon.FieldError("name_en", "field.required")
	case utf8.RuneCountInString(in.NameZh) > 100:
		return nil, echelon.FieldError("name_zh", "field.too_long", 100)
	case utf8.RuneCountInString(in.NameEn) > 100:
		return nil, echelon.FieldError("name_en", "field.too_long", 100)
	}
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO certification_types (code, name_zh, name_en) VALUES (?, ?, ?)`, in.Code, in.NameZh, in.NameEn)
		if db.IsUniqueViolation(err) {
			return echelon.Errorf(echelon.ECONFLICT, "ladder.certification_code_taken", in.Code)
		}
		if err != nil {
			return fmt.Errorf("ladder: insert certification type: %w", err)
		}
		return audit.RecordKey(ctx, tx, "create", "certification_type", in.Code, nil, in)
	})
	if err != nil {
		return nil, err
	}
	return &in, nil
}

// personRow is what the ladder reads of a person.
type personRow struct {
	ID        int64
	Name      string
	Role      echelon.Role
	UnitID    int64
	UnitName  string
	UnitPath  string
	ManagerID int64
	LevelID   int64
	HireDate  time.Time // zero when unknown
	Active    bool
}

const personRowColumns = `p.id, p.name, p.role, COALESCE(p.org_unit_id, 0), COALESCE(u.name, ''), COALESCE(u.path, ''),
	COALESCE(p.manager_id, 0), COALESCE(p.level_id, 0), p.hire_date, p.active FROM people p LEFT JOIN org_units u ON u.id = p.org_unit_id`

func scanPersonRow(r interface{ Scan(...any) error }) (*personRow, error) {
	var p personRow
	var hire sql.NullTime
	if err := r.Scan(&p.ID, &p.Name, &p.Role, &p.UnitID, &p.UnitName, &p.UnitPath, &p.ManagerID, &p.LevelID, &hire, &p.Active); err != nil {
		return nil, err
	}
	if hire.Valid {
		p.HireDate = dayOf(hire.Time)
	}
	return &p, nil
}

// visiblePerson loads a person the actor may see; anyone else is not found.
func visiblePerson(ctx context.Context, tx *db.Tx, a *echelon.Actor, id int64) (*personRow, error) {
	p, err := scanPersonRow(tx.QueryRow(ctx, `SELECT `+personRowColumns+` WHERE p.id = ?`, id))
	if err == sql.ErrNoRows || (err == nil && !canSeePerson(a, p.ID, p.UnitPath)) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "person.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("ladder: person %d: %w", id, err)
	}
	return p, nil
}

// RecordCertification records a certification: a manager for the people of
// their subtree (not themselves), an admin for anyone.
func (s *Service) RecordCertification(ctx context.Context, in CertificationInput) (*Certification, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() && !a.Role.IsManager() {
		return nil, forbidden()
	}
	if in.PersonID == a.PersonID && !a.IsAdmin() {
		return nil, forbidden()
	}
	issued, err := parseDate("issued_on", in.IssuedOn)
	if err != nil {
		return nil, err
	}
	if issued.IsZero() {
		return nil, echelon.FieldError("issued_on", "field.required")
	}
	expires, err := parseDate("expires_on", in.ExpiresOn)
	if err != nil {
		return nil, err
	}
	if !expires.IsZero() && expires.Before(issued) {
		return nil, echelon.FieldError("expires_on", "ladder.expires_before_issued")
	}
	if in.Note = strings.TrimSpace(in.Note); utf8.RuneCountInString(in.Note) > 500 {
		return nil, echelon.FieldError("note", "field.too_long", 500)
	}
	var out *Certification
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		if _, err := visiblePerson(ctx, tx, a, in.PersonID); err != nil {
			return echelon.FieldError("person_id", "person.not_found")
		}
		known, err := certificationCodes(ctx, tx)
		if err != nil {
			return err
		}
		if !known[in.Code] {
			return echelon.FieldError("code", "ladder.certification_unknown", in.Code)
		}
		id, err := tx.InsertID(ctx, `INSERT INTO certifications (person_id, code, issued_on, expires_on, note, recorded_by, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, in.PersonID, in.Code, issued, nullDate(expires), in.Note, nullID(a.PersonID), s.now().UTC())
		if err != nil {
			return fmt.Errorf("ladder: insert certification: %w", err)
		}
		list, err := certifications(ctx, tx, `c.id = ?`, id)
		if err != nil {
			return err
		}
		out = &list[0]
		return audit.Record(ctx, tx, "create", "certification", id, nil, out)
	})
	return out, err
}

// FindCertifications lists the certifications of the people the actor may
// see (of one person when personID is not 0), newest first.
func (s *Service) FindCertifications(ctx context.Context, personID int64) ([]Certification, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out []Certification
	err = s.db.View(ctx, func(tx *db.Tx) error {
		cond, args := personScope(a)
		if personID != 0 {
			if _, err := visiblePerson(ctx, tx, a, personID); err != nil {
				return err
			}
			cond, args = "c.person_id = ?", []any{personID}
		}
		out, err = certifications(ctx, tx, cond, args...)
		return err
	})
	return out, err
}

func certifications(ctx context.Context, tx *db.Tx, cond string, args ...any) ([]Certification, error) {
	rs, err := tx.Query(ctx, `SELECT c.id, c.person_id, p.name, c.code, c.issued_on, c.expires_on, c.note, c.recorded_at
		FROM certifications c JOIN people p ON p.id = c.person_id LEFT JOIN org_units u ON u.id = p.org_unit_id
		WHERE `+cond+` ORDER BY c.issued_on DESC, c.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("ladder: certifications: %w", err)
	}
	defer rs.Close()
	out := []Certification{}
	for rs.Next() {
		var c Certification
		var issued time.Time
		var expires sql.NullTime
		if err := rs.Scan(&c.ID, &c.PersonID, &c.PersonName, &c.Code, &issued, &expires, &c.Note, &c.RecordedAt); err != nil {
			return nil, fmt.Errorf("ladder: scan certification: %w", err)
		}
		c.IssuedOn = Date{dayOf(issued)}
		if expires.Valid {
			c.ExpiresOn = &Date{dayOf(expires.Time)}
		}
		out = append(out, c)
	}
	return out, rs.Err()
}
