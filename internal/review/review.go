// Package review runs performance reviews (PRODUCT.md 2.5): review
// templates and cycles, the review of each person from self-assessment to
// acknowledgement, calibration by the senior manager, continuous feedback
// notes and improvement plans. Scope follows the org tree: a rep sees their
// own reviews, a manager the reviews of their subtree, admin all.
package review

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/scorecard"
)

// Competency codes rated in a review, on a scale of 1 to 5.
const (
	ProductKnowledge = "product_knowledge"
	SalesSkills      = "sales_skills"
	CustomerService  = "customer_service"
	MarketAnalysis   = "market_analysis"
	Leadership       = "leadership"
)

// Competencies lists the competency codes in display order.
var Competencies = []string{ProductKnowledge, SalesSkills, CustomerService, MarketAnalysis, Leadership}

// Scorer scores a person in a period; the review freezes its answer when a cycle opens.
type Scorer interface {
	Scorecard(ctx context.Context, ref kpi.Ref, at, currency string) (*scorecard.Scorecard, error)
}

// Service runs review templates, cycles, reviews, feedback and improvement plans.
type Service struct {
	db    *db.DB
	cards Scorer
	clock func() time.Time
}

// NewService returns the review service over d; cards freezes scorecards
// into reviews, clock tells the time (time.Now outside tests).
func NewService(d *db.DB, cards Scorer, clock func() time.Time) *Service {
	return &Service{db: d, cards: cards, clock: clock}
}

func (s *Service) now() time.Time { return s.clock().UTC() }

// today is the date in the company's zone, as 'YYYY-MM-DD'.
func (s *Service) today() string { return s.clock().In(echelon.CompanyZone()).Format(time.DateOnly) }

// signedIn returns the actor of ctx; nobody signed in may not call the service.
func signedIn(ctx context.Context) (*echelon.Actor, error) {
	if a := echelon.ActorFrom(ctx); a != nil {
		return a, nil
	}
	return nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
}

// canDecide reports whether a may change templates, calibrate and release:
// admin and the senior manager.
func canDecide(a *echelon.Actor) bool { return a.IsAdmin() || a.Role == echelon.RoleSeniorManager }

// canLead reports whether a may run cycles, write feedback and open plans:
// admin and managers.
func canLead(a *echelon.Actor) bool { return a.IsAdmin() || a.Role.IsManager() }

// person is someone a review, a note or a plan is about.
type person struct {
	ID        int64
	Name      string
	Role      echelon.Role
	UnitID    int64
	UnitPath  string
	ManagerID int64
}

// findPerson loads a person with their unit; sql.ErrNoRows when there is none.
func findPerson(ctx context.Context, tx *db.Tx, id int64) (*person, error) {
	var p person
	err := tx.QueryRow(ctx, `SELECT p.id, p.name, p.role, COALESCE(p.org_unit_id, 0), COALESCE(u.path, ''), COALESCE(p.manager_id, 0)
		FROM people p LEFT JOIN org_units u ON u.id = p.org_unit_id WHERE p.id = ?`, id).
		Scan(&p.ID, &p.Name, &p.Role, &p.UnitID, &p.UnitPath, &p.ManagerID)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// canSeePerson is the people scope of docs/permissions.md: admin all, a
// manager themselves and their subtree, anyone else themselves.
func canSeePerson(a *echelon.Actor, p *person) bool {
	switch {
	case a.IsAdmin():
		return true
	case p.ID == a.PersonID:
		return true
	case a.Role.IsManager():
		return org.InSubtree(p.UnitPath, a.UnitPath)
	}
	return false
}

// subjectInScope loads the person a note or a plan is about: someone the
// actor leads (in scope and not themselves); field names the input.
func subjectInScope(ctx context.Context, tx *db.Tx, a *echelon.Actor, id int64, field string) (*person, error) {
	p, err := findPerson(ctx, tx, id)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !canSeePerson(a, p)) {
		return nil, echelon.FieldError(field, "person.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("review: find person %d: %w", id, err)
	}
	if p.ID == a.PersonID {
		return nil, echelon.FieldError(field, "review.about_self")
	}
	return p, nil
}

// reviewerOf is whoever reviews p: their manager, or else the nearest
// manager of a unit on the chain above them; never p themselves, and only
// an admin or a manager. Zero when there is nobody.
func reviewerOf(ctx context.Context, tx *db.Tx, p *person) (int64, error) {
	if p.ManagerID != 0 && p.ManagerID != p.ID {
		return p.ManagerID, nil
	}
	ids := strings.Split(strings.Trim(p.UnitPath, "/"), "/")
	for i := len(ids) - 1; i >= 0 && p.UnitPath != ""; i-- {
		unit, err := strconv.ParseInt(ids[i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("review: unit path %q: %w", p.UnitPath, err)
		}
		var mgr int64
		err = tx.QueryRow(ctx, `SELECT COALESCE(u.manager_id, 0) FROM org_units u
			LEFT JOIN people m ON m.id = u.manager_id
			WHERE u.id = ? AND m.active AND m.role IN ('admin', 'senior_manager', 'regional_manager')`, unit).Scan(&mgr)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("review: manager of unit %d: %w", unit, err)
		}
		if mgr != 0 && mgr != p.ID {
			return mgr, nil
		}
	}
	return 0, nil
}

// checkVersion is the optimistic lock: a non-zero version must be the stored one.
func checkVersion(ctx context.Context, tx *db.Tx, entity string, id int64, stored, given int) error {
	if given != 0 && given != stored {
		return audit.StaleError(ctx, tx, entity, id)
	}
	return nil
}
