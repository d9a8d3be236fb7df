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

// Contact is a person at a customer account. Contacts follow their
// account's scope: whoever may edit the account may edit its contacts.
type Contact struct {
	ID          int64     `json:"id"`
	AccountID   int64     `json:"account_id"`
	AccountName string    `json:"account_name"`
	Name        string    `json:"name"`
	Title       string    `json:"title"`
	Phone       string    `json:"phone"`
	Mobile      string    `json:"mobile"`
	Email       string    `json:"email"`
	WeChat      string    `json:"wechat"`
	ExternalID  string    `json:"external_id,omitempty"`
	Version     int       `json:"version"`
	UpdatedAt   time.Time `json:"updated_at"`
	ownerID     int64
	unitPath    string
}

// ContactInput creates or (with Version) replaces a contact's details.
type ContactInput struct {
	AccountID  int64  `json:"account_id"`
	Name       string `json:"name"`
	Title      string `json:"title,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Mobile     string `json:"mobile,omitempty"`
	Email      string `json:"email,omitempty"`
	WeChat     string `json:"wechat,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
	Version    int    `json:"version,omitempty"`
}

func (in *ContactInput) validate() error {
	var err error
	if in.Name, err = text("name", in.Name, maxShort, true); err != nil {
		return err
	}
	for _, f := range []struct {
		field string
		v     *string
	}{{"title", &in.Title}, {"wechat", &in.WeChat}, {"external_id", &in.ExternalID}} {
		if *f.v, err = text(f.field, *f.v, maxShort, false); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		field string
		v     *string
	}{{"phone", &in.Phone}, {"mobile", &in.Mobile}} {
		if strings.TrimSpace(*f.v) == "" {
			*f.v = ""
			continue
		}
		if *f.v = PhoneKey(*f.v); *f.v == "" {
			return echelon.FieldError(f.field, "phone.invalid")
		}
	}
	if in.Email = EmailKey(in.Email); in.Email != "" && (!strings.Contains(in.Email, "@") || len(in.Email) > 254) {
		return echelon.FieldError("email", "email.invalid")
	}
	return nil
}

const contactColumns = `c.id, c.account_id, a.name, c.name, c.title, c.phone, c.mobile, c.email, c.wechat, COALESCE(c.external_id, ''),
	c.version, c.updated_at, COALESCE(a.owner_id, 0), u.path
	FROM contacts c JOIN accounts a ON a.id = c.account_id JOIN org_units u ON u.id = a.org_unit_id`

func scanContact(row scanner) (*Contact, error) {
	var c Contact
	err := row.Scan(&c.ID, &c.AccountID, &c.AccountName, &c.Name, &c.Title, &c.Phone, &c.Mobile, &c.Email, &c.WeChat, &c.ExternalID,
		&c.Version, &c.UpdatedAt, &c.ownerID, &c.unitPath)
	return &c, err
}

// ContactFilter selects contacts.
type ContactFilter struct {
	Query     string
	AccountID int64
	Page
}

// FindContacts lists contacts of accounts in the actor's scope.
func (s *Service) FindContacts(ctx context.Context, f ContactFilter) ([]*Contact, bool, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, false, err
	}
	cond, args := org.PageScope(s.db.Dialect, act, "a.owner_id", "a.org_unit_id", "u.path")
	where := []string{cond, "a.merged_into_id IS NULL"}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, db.ContainsAny("c.name", "c.email", "c.mobile"))
		args = append(args, db.ContainsPattern(q), db.ContainsPattern(strings.ToLower(q)), db.ContainsPattern(q))
	}
	if f.AccountID != 0 {
		where = append(where, "c.account_id = ?")
		args = append(args, f.AccountID)
	}
	return findPage(ctx, s, listQuery{what: "contacts", columns: contactColumns, where: where, args: args, order: "c.name, c.id"}, f.Page, scanContact)
}

func findVisibleContact(ctx context.Context, tx *db.Tx, act *echelon.Actor, id int64) (*Contact, error) {
	c, err := scanContact(tx.QueryRow(ctx, `SELECT `+contactColumns+` WHERE c.id = ? AND a.merged_into_id IS NULL`, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !org.CanSeeRecord(act, c.ownerID, c.unitPath)) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "contact.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("crm: find contact %d: %w", id, err)
	}
	return c, nil
}

// FindContactByID returns one contact the actor may see.
func (s *Service) FindContactByID(ctx context.Context, id int64) (*Contact, error) {
	return view(ctx, s, func(tx *db.Tx, act *echelon.Actor) (*Contact, error) { return findVisibleContact(ctx, tx, act, id) })
}

// editableAccount loads an account whose records the actor may change:
// in their record scope (a pool account must be claimed first).
func editableAccount(ctx context.Context, tx *db.Tx, act *echelon.Actor, id int64) (*Account, error) {
	a, err := findAccount(ctx, tx, id)
	if err != nil || !org.CanSeeRecord(act, a.OwnerID, a.UnitPath) {
		return nil, echelon.FieldError("account_id", "account.not_found")
	}
	return a, nil
}

// CreateContact adds a contact to an account the actor may edit.
func (s *Service) CreateContact(ctx context.Context, in ContactInput) (*Contact, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !mayWriteCRM(act) {
		return nil, forbidden()
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out *Contact
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.createContact(ctx, tx, act, in)
		return err
	})
	return out, err
}

func (s *Service) createContact(ctx context.Context, tx *db.Tx, act *echelon.Actor, in ContactInput) (*Contact, error) {
	if _, err := editableAccount(ctx, tx, act, in.AccountID); err != nil {
		return nil, err
	}
	now := s.now()
	id, err := tx.InsertID(ctx, `INSERT INTO contacts (account_id, name, title, phone, mobile, email, wechat, external_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.AccountID, in.Name, in.Title, in.Phone, in.Mobile, in.Email, in.WeChat, nullStr(in.ExternalID), now, now)
	if db.IsUniqueViolation(err) {
		return nil, echelon.FieldError("external_id", "contact.external_id_taken", in.ExternalID)
	}
	if err != nil {
		return nil, fmt.Errorf("crm: insert contact: %w", err)
	}
	c, err := findVisibleContact(ctx, tx, act, id)
	if err != nil {
		return nil, err
	}
	return c, audit.Record(ctx, tx, "create", "contact", id, nil, c)
}

// UpdateContact replaces a contact's details; the version must match.
func (s *Service) UpdateContact(ctx context.Context, id int64, in ContactInput) (*Contact, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out *Contact
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findVisibleContact(ctx, tx, act, id)
		if err != nil {
			return err
		}
		out, err = s.updateContact(ctx, tx, act, before, in)
		return err
	})
	return out, err
}

func (s *Service) updateContact(ctx context.Context, tx *db.Tx, act *echelon.Actor, before *Contact, in ContactInput) (*Contact, error) {
	if in.AccountID == 0 {
		in.AccountID = before.AccountID
	}
	if _, err := editableAccount(ctx, tx, act, in.AccountID); err != nil {
		return nil, err
	}
	res, err := tx.Exec(ctx, `UPDATE contacts SET account_id = ?, name = ?, title = ?, phone = ?, mobile = ?, email = ?, wechat = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		in.AccountID, in.Name, in.Title, in.Phone, in.Mobile, in.Email, in.WeChat, s.now(), before.ID, in.Version)
	if err != nil {
		return nil, fmt.Errorf("crm: update contact: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, audit.StaleError(ctx, tx, "contact", before.ID)
	}
	out, err := findVisibleContact(ctx, tx, act, before.ID)
	if err != nil {
		return nil, err
	}
	return out, audit.Record(ctx, tx, "update", "contact", before.ID, before, out)
}
