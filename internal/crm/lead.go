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

// Lead statuses.
const (
	LeadNew          = "new"
	LeadWorking      = "working"
	LeadConverted    = "converted"
	LeadDisqualified = "disqualified"
)

// Lead is an unqualified prospect; converting it creates an account, a
// contact and an opportunity and keeps the links.
type Lead struct {
	ID                     int64      `json:"id"`
	Company                string     `json:"company"`
	ContactName            string     `json:"contact_name"`
	Phone                  string     `json:"phone"`
	Email                  string     `json:"email"`
	Source                 string     `json:"source"`
	Status                 string     `json:"status"`
	OwnerID                int64      `json:"owner_id"`
	OwnerName              string     `json:"owner_name"`
	ConvertedAccountID     int64      `json:"converted_account_id,omitempty"`
	ConvertedContactID     int64      `json:"converted_contact_id,omitempty"`
	ConvertedOpportunityID int64      `json:"converted_opportunity_id,omitempty"`
	ConvertedAt            *time.Time `json:"converted_at,omitempty"`
	Version                int        `json:"version"`
	CreatedAt              time.Time  `json:"created_at"`
	unitPath               string
}

// LeadInput creates or (with Version) updates a lead.
type LeadInput struct {
	Company     string `json:"company"`
	ContactName string `json:"contact_name,omitempty"`
	Phone       string `json:"phone,omitempty"`
	Email       string `json:"email,omitempty"`
	Source      string `json:"source,omitempty"`
	Status      string `json:"status,omitempty"`
	OwnerID     int64  `json:"owner_id,omitempty"`
	Version     int    `json:"version,omitempty"`
}

func (in *LeadInput) validate() error {
	var err error
	if in.Company, err = text("company", in.Company, maxName, true); err != nil {
		return err
	}
	if in.ContactName, err = text("contact_name", in.ContactName, maxShort, false); err != nil {
		return err
	}
	if in.Source, err = text("source", in.Source, maxShort, false); err != nil {
		return err
	}
	if strings.TrimSpace(in.Phone) != "" {
		if in.Phone = PhoneKey(in.Phone); in.Phone == "" {
			return echelon.FieldError("phone", "phone.invalid")
		}
	}
	if in.Email = EmailKey(in.Email); in.Email != "" && !strings.Contains(in.Email, "@") {
		return echelon.FieldError("email", "email.invalid")
	}
	if in.Status == "" {
		in.Status = LeadNew
	}
	if in.Status != LeadNew && in.Status != LeadWorking && in.Status != LeadDisqualified {
		return echelon.FieldError("status", "lead.status_invalid")
	}
	return nil
}

const leadColumns = `l.id, l.company, l.contact_name, l.phone, l.email, l.source, l.status, l.owner_id, p.name,
	COALESCE(l.converted_account_id, 0), COALESCE(l.converted_contact_id, 0), COALESCE(l.converted_opportunity_id, 0), l.converted_at,
	l.version, l.created_at, u.path
	FROM leads l JOIN people p ON p.id = l.owner_id JOIN org_units u ON u.id = l.org_unit_id`

func scanLead(row scanner) (*Lead, error) {
	var l Lead
	var conv sql.NullTime
	err := row.Scan(&l.ID, &l.Company, &l.ContactName, &l.Phone, &l.Email, &l.Source, &l.Status, &l.OwnerID, &l.OwnerName,
		&l.ConvertedAccountID, &l.ConvertedContactID, &l.ConvertedOpportunityID, &conv, &l.Version, &l.CreatedAt, &l.unitPath)
	if conv.Valid {
		l.ConvertedAt = &conv.Time
	}
	return &l, err
}

// LeadFilter selects leads.
type LeadFilter struct {
	Query  string
	Status string
	Page
}

// FindLeads lists leads in the actor's scope, newest first.
func (s *Service) FindLeads(ctx context.Context, f LeadFilter) ([]*Lead, bool, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, false, err
	}
	cond, args := org.PageScope(s.db.Dialect, act, "l.owner_id", "l.org_unit_id", "u.path")
	where := []string{cond}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, db.ContainsAny("l.company", "l.contact_name"))
		args = append(args, db.ContainsPattern(q), db.ContainsPattern(q))
	}
	if f.Status != "" {
		where = append(where, "l.status = ?")
		args = append(args, f.Status)
	}
	return findPage(ctx, s, listQuery{what: "leads", columns: leadColumns, where: where, args: args, order: "l.created_at DESC, l.id DESC"}, f.Page, scanLead)
}

func findVisibleLead(ctx context.Context, tx *db.Tx, act *echelon.Actor, id int64) (*Lead, error) {
	l, err := scanLead(tx.QueryRow(ctx, `SELECT `+leadColumns+` WHERE l.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !org.CanSeeRecord(act, l.OwnerID, l.unitPath)) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "lead.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("crm: find lead %d: %w", id, err)
	}
	return l, nil
}

// FindLeadByID returns one lead the actor may see.
func (s *Service) FindLeadByID(ctx context.Context, id int64) (*Lead, error) {
	return view(ctx, s, func(tx *db.Tx, act *echelon.Actor) (*Lead, error) { return findVisibleLead(ctx, tx, act, id) })
}

// leadOwner resolves the owner of a lead: a rep owns their own; a manager
// or admin names someone in scope (default themselves).
func leadOwner(ctx context.Context, tx *db.Tx, act *echelon.Actor, ownerID int64) (*owner, error) {
	if ownerID == 0 {
		ownerID = act.PersonID
	}
	if act.Role == echelon.RoleRep && ownerID != act.PersonID {
		return nil, echelon.FieldError("owner_id", "account.owner_outside")
	}
	return findOwner(ctx, tx, act, ownerID)
}

// CreateLead adds a lead.
func (s *Service) CreateLead(ctx context.Context, in LeadInput) (*Lead, error) {
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
	var out *Lead
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		o, err := leadOwner(ctx, tx, act, in.OwnerID)
		if err != nil {
			return err
		}
		now := s.now()
		id, err := tx.InsertID(ctx, `INSERT INTO leads (company, contact_name, phone, email, source, status, owner_id, org_unit_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Company, in.ContactName, in.Phone, in.Email, in.Source, in.Status, o.id, o.unitID, now, now)
		if err != nil {
			return fmt.Errorf("crm: insert lead: %w", err)
		}
		if out, err = findVisibleLead(ctx, tx, act, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "create", "lead", id, nil, out)
	})
	return out, err
}

// UpdateLead changes a lead that is not converted; the version must match.
func (s *Service) UpdateLead(ctx context.Context, id int64, in LeadInput) (*Lead, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out *Lead
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findVisibleLead(ctx, tx, act, id)
		if err != nil {
			return err
		}
		if before.Status == LeadConverted {
			return echelon.Errorf(echelon.ECONFLICT, "lead.converted")
		}
		if in.OwnerID == 0 {
			in.OwnerID = before.OwnerID
		}
		o, err := leadOwner(ctx, tx, act, in.OwnerID)
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE leads SET company = ?, contact_name = ?, phone = ?, email = ?, source = ?, status = ?, owner_id = ?,
			org_unit_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			in.Company, in.ContactName, in.Phone, in.Email, in.Source, in.Status, o.id, o.unitID, s.now(), id, in.Version)
		if err != nil {
			return fmt.Errorf("crm: update lead: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return audit.StaleError(ctx, tx, "lead", id)
		}
		if out, err = findVisibleLead(ctx, tx, act, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "update", "lead", id, before, out)
	})
	return out, err
}

// LeadConversion says what converting a lead creates: a new account from
// the lead (or an existing one), its contact, and optionally an opportunity.
type LeadConversion struct {
	Version     int               `json:"version"`
	AccountID   int64             `json:"account_id,omitempty"` // an existing account instead of a new one
	Account     *AccountInput     `json:"account,omitempty"`    // overrides for the new account
	Opportunity *OpportunityInput `json:"opportunity,omitempty"`
}

// ConvertLead turns a lead into account + contact (+ opportunity) in one
// transaction. The new account goes through the duplicate check: a lead
// for a company someone already owns is refused with who owns it.
func (s *Service) ConvertLead(ctx context.Context, id int64, c LeadConversion) (*Lead, error) {
	act, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *Lead
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findVisibleLead(ctx, tx, act, id)
		if err != nil {
			return err
		}
		if before.Status == LeadConverted {
			return echelon.Errorf(echelon.ECONFLICT, "lead.converted")
		}
		if c.Version != before.Version {
			return audit.StaleError(ctx, tx, "lead", id)
		}
		accountID := c.AccountID
		if accountID == 0 {
			in := AccountInput{Name: before.Company, Phone: before.Phone, Email: before.Email, Source: before.Source, OwnerID: before.OwnerID}
			if c.Account != nil {
				in = *c.Account
				in.OwnerID = before.OwnerID
			}
			f, err := in.fields()
			if err != nil {
				return err
			}
			a, err := s.createAccount(ctx, tx, act, &territorySet{}, in, f, "")
			if err != nil {
				return err
			}
			accountID = a.ID
		} else if _, err := editableAccount(ctx, tx, act, accountID); err != nil {
			return err
		}
		var contactID, oppID int64
		if before.ContactName != "" {
			ct := ContactInput{AccountID: accountID, Name: before.ContactName, Phone: before.Phone, Email: before.Email}
			if err := ct.validate(); err != nil {
				return err
			}
			co, err := s.createContact(ctx, tx, act, ct)
			if err != nil {
				return err
			}
			contactID = co.ID
		}
		if c.Opportunity != nil {
			oi := *c.Opportunity
			oi.AccountID, oi.OwnerID = accountID, before.OwnerID
			o, err := s.createOpportunity(ctx, tx, act, oi)
			if err != nil {
				return err
			}
			oppID = o.ID
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE leads SET status = ?, converted_account_id = ?, converted_contact_id = ?, converted_opportunity_id = ?,
			converted_at = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			LeadConverted, accountID, nullID(contactID), nullID(oppID), now, now, id); err != nil {
			return fmt.Errorf("crm: mark lead converted: %w", err)
		}
		if out, err = findVisibleLead(ctx, tx, act, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "convert", "lead", id, before, out)
	})
	return out, err
}
