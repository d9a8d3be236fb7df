package crm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
)

// Product is an item of the catalogue sold on opportunities.
type Product struct {
	ID        int64  `json:"id"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	Series    string `json:"series"`
	ListPrice int64  `json:"list_price"` // minor units
	Currency  string `json:"currency"`
	Active    bool   `json:"active"`
	Version   int    `json:"version"`
}

// ProductInput creates or replaces a product (admin only).
type ProductInput struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Series    string `json:"series,omitempty"`
	ListPrice int64  `json:"list_price"`
	Currency  string `json:"currency,omitempty"`
	Active    *bool  `json:"active,omitempty"`
	Version   int    `json:"version,omitempty"`
}

func (in *ProductInput) validate() error {
	var err error
	if in.Code, err = text("code", in.Code, 64, true); err != nil {
		return err
	}
	if in.Name, err = text("name", in.Name, maxName, true); err != nil {
		return err
	}
	if in.Series, err = text("series", in.Series, maxShort, false); err != nil {
		return err
	}
	if in.ListPrice < 0 || in.ListPrice > echelon.MaxAmount {
		return echelon.FieldError("list_price", "amount.invalid")
	}
	if in.Currency, err = currency(in.Currency); err != nil {
		return err
	}
	return nil
}

// currency validates an ISO 4217 code, defaulting to CNY.
func currency(c string) (string, error) {
	c = strings.ToUpper(strings.TrimSpace(c))
	if c == "" {
		return echelon.DefaultCurrency, nil
	}
	if len(c) != 3 || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return "", echelon.FieldError("currency", "currency.invalid")
	}
	return c, nil
}

const productColumns = `id, code, name, series, list_price, currency, active, version FROM products`

func scanProduct(row scanner) (*Product, error) {
	var p Product
	err := row.Scan(&p.ID, &p.Code, &p.Name, &p.Series, &p.ListPrice, &p.Currency, &p.Active, &p.Version)
	return &p, err
}

// FindProducts lists the catalogue; every signed-in person may read it.
func (s *Service) FindProducts(ctx context.Context, includeInactive bool) ([]*Product, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	cond := "active"
	if includeInactive {
		cond = "1=1"
	}
	var out []*Product
	err := s.db.View(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+productColumns+` WHERE `+cond+` ORDER BY series, name`)
		if out, err = collect(rows, err, scanProduct); err != nil {
			return fmt.Errorf("crm: find products: %w", err)
		}
		return nil
	})
	return out, err
}

func findProduct(ctx context.Context, tx *db.Tx, id int64) (*Product, error) {
	p, err := scanProduct(tx.QueryRow(ctx, `SELECT `+productColumns+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "product.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("crm: find product %d: %w", id, err)
	}
	return p, nil
}

// CreateProduct adds a product (admin only).
func (s *Service) CreateProduct(ctx context.Context, in ProductInput) (*Product, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out *Product
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.insertProduct(ctx, tx, in)
		return err
	})
	return out, err
}

func (s *Service) insertProduct(ctx context.Context, tx *db.Tx, in ProductInput) (*Product, error) {
	now := s.now()
	active := in.Active == nil || *in.Active
	id, err := tx.InsertID(ctx, `INSERT INTO products (code, name, series, list_price, currency, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		in.Code, in.Name, in.Series, in.ListPrice, in.Currency, active, now, now)
	if db.IsUniqueViolation(err) {
		return nil, echelon.FieldError("code", "product.code_taken", in.Code)
	}
	if err != nil {
		return nil, fmt.Errorf("crm: insert product: %w", err)
	}
	p, err := findProduct(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return p, audit.Record(ctx, tx, "create", "product", id, nil, p)
}

// UpdateProduct replaces a product (admin only); the version must match when given.
func (s *Service) UpdateProduct(ctx context.Context, id int64, in ProductInput) (*Product, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out *Product
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findProduct(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != before.Version {
			return audit.StaleError(ctx, tx, "product", id)
		}
		active := before.Active
		if in.Active != nil {
			active = *in.Active
		}
		_, err = tx.Exec(ctx, `UPDATE products SET code = ?, name = ?, series = ?, list_price = ?, currency = ?, active = ?,
			version = version + 1, updated_at = ? WHERE id = ?`, in.Code, in.Name, in.Series, in.ListPrice, in.Currency, active, s.now(), id)
		if db.IsUniqueViolation(err) {
			return echelon.FieldError("code", "product.code_taken", in.Code)
		}
		if err != nil {
			return fmt.Errorf("crm: update product: %w", err)
		}
		if out, err = findProduct(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "update", "product", id, before, out)
	})
	return out, err
}
