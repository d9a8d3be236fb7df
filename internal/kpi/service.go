package kpi

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/settings"
)

// Service computes KPIs for the subjects in the reader's scope.
type Service struct{ db *db.DB }

// NewService returns the KPI service.
func NewService(d *db.DB) *Service { return &Service{db: d} }

// Ref names a subject: an org unit or a person (one of the two).
type Ref struct {
	UnitID   int64
	PersonID int64
}

// Named is a subject with its name, as the reader may see it.
type Named struct {
	Subject
	Name string `json:"name"`
}

// Result is one KPI's value.
type Result struct {
	Code  string `json:"code"`
	Unit  string `json:"unit"`
	Value Value  `json:"value"`
}

// Card is a subject's KPIs in a period.
type Card struct {
	Subject  Named    `json:"subject"`
	Period   string   `json:"period"`
	Currency string   `json:"currency"`
	Results  []Result `json:"results"`
}

// resolve loads the subject if the actor may see its figures: admin any;
// a manager their subtree's units and people; anyone themselves.
func resolve(ctx context.Context, tx *db.Tx, a *echelon.Actor, ref Ref) (Named, error) {
	notFound := echelon.Errorf(echelon.ENOTFOUND, "kpi.subject_not_found")
	var n Named
	var path string
	var err error
	if ref.PersonID != 0 {
		n.PersonID = ref.PersonID
		err = tx.QueryRow(ctx, `SELECT p.name, COALESCE(u.path, '') FROM people p LEFT JOIN org_units u ON u.id = p.org_unit_id WHERE p.id = ?`,
			ref.PersonID).Scan(&n.Name, &path)
	} else {
		n.UnitID = ref.UnitID
		err = tx.QueryRow(ctx, `SELECT name, path FROM org_units WHERE id = ?`, ref.UnitID).Scan(&n.Name, &path)
		n.UnitPath = path
	}
	if err == sql.ErrNoRows {
		return n, notFound
	}
	if err != nil {
		return n, fmt.Errorf("kpi: subject: %w", err)
	}
	switch {
	case a.IsAdmin(), ref.PersonID != 0 && ref.PersonID == a.PersonID:
		return n, nil
	case a.Role.IsManager() && path != "" && org.InSubtree(path, a.UnitPath):
		return n, nil
	}
	return n, notFound
}

// Scope is a subject as the actor may read it, in a period.
type Scope struct {
	Subject  Named
	Period   period.Period
	Calendar period.Calendar
	Currency string
}

// Open resolves a subject and a period address for the actor in ctx.
func (s *Service) Open(ctx context.Context, tx *db.Tx, ref Ref, at, currency string) (*Scope, error) {
	a := echelon.ActorFrom(ctx)
	if a == nil {
		return nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	if ref.UnitID == 0 && ref.PersonID == 0 {
		var err error
		if ref, err = defaultRef(ctx, tx, a); err != nil {
			return nil, err
		}
	}
	subj, err := resolve(ctx, tx, a, ref)
	if err != nil {
		return nil, err
	}
	cal, err := settings.Calendar(ctx, tx)
	if err != nil {
		return nil, err
	}
	p := cal.Of(period.KindYear, cal.MonthAt(time.Now())) // the current fiscal year unless asked
	if strings.TrimSpace(at) != "" {
		if p, err = cal.Parse(at); err != nil {
			return nil, echelon.FieldError("period", "period.invalid", at)
		}
	}
	currency = strings.ToUpper(strings.TrimSpace(currency))
	if currency == "" {
		currency = echelon.DefaultCurrency
	}
	if len(currency) != 3 {
		return nil, echelon.FieldError("currency", "currency.invalid")
	}
	return &Scope{Subject: subj, Period: p, Calendar: cal, Currency: currency}, nil
}

// defaultRef is whom the reader sees first: a manager their unit, an admin
// the company, anyone else themselves.
func defaultRef(ctx context.Context, tx *db.Tx, a *echelon.Actor) (Ref, error) {
	switch {
	case a.Role.IsManager() && a.UnitID != 0:
		return Ref{UnitID: a.UnitID}, nil
	case a.IsAdmin():
		var root int64
		if err := tx.QueryRow(ctx, `SELECT id FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1`).Scan(&root); err != nil {
			return Ref{}, fmt.Errorf("kpi: company unit: %w", err)
		}
		return Ref{UnitID: root}, nil
	}
	return Ref{PersonID: a.PersonID}, nil
}

// Card computes every KPI of the library for a subject in a period.
func (s *Service) Card(ctx context.Context, ref Ref, at, currency string) (*Card, error) {
	var card *Card
	err := s.db.View(ctx, func(tx *db.Tx) error {
		sc, err := s.Open(ctx, tx, ref, at, currency)
		if err != nil {
			return err
		}
		card, err = sc.Card(ctx, tx)
		return err
	})
	return card, err
}

// Card computes the library's KPIs for the scope, from one read of the totals.
func (sc *Scope) Card(ctx context.Context, tx *db.Tx) (*Card, error) {
	f, err := LoadFigures(ctx, tx, sc.Subject.Subject, sc.Period.First, sc.Period.Last())
	if err != nil {
		return nil, err
	}
	card := &Card{Subject: sc.Subject, Period: sc.Period.String(), Currency: sc.Currency}
	for _, code := range Codes() {
		d, _ := Find(code)
		card.Results = append(card.Results, Result{Code: d.Code, Unit: d.Unit, Value: d.Value(f, sc.Currency)})
	}
	return card, nil
}
