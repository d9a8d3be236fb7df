package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
)

// Level is a rung of the echelon ladder (初级销售代表 … 高级销售经理).
type Level struct {
	ID      int64  `json:"id"`
	Code    string `json:"code"`
	NameZh  string `json:"name_zh"`
	NameEn  string `json:"name_en"`
	Rank    int    `json:"rank"`
	People  int    `json:"people"`
	Version int    `json:"version"`
}

// LevelInput creates or replaces a level's editable fields.
type LevelInput struct {
	Code    string `json:"code"`
	NameZh  string `json:"name_zh"`
	NameEn  string `json:"name_en"`
	Rank    int    `json:"rank"`
	Version int    `json:"version,omitempty"`
}

var levelCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

func (in *LevelInput) validate() error {
	if !levelCode.MatchString(in.Code) {
		return echelon.FieldError("code", "level.code_invalid")
	}
	var err error
	if in.NameZh, err = cleanName("name_zh", in.NameZh); err != nil {
		return err
	}
	if in.NameEn, err = cleanName("name_en", in.NameEn); err != nil {
		return err
	}
	if in.Rank < 1 || in.Rank > 1000 {
		return echelon.FieldError("rank", "level.rank_invalid")
	}
	return nil
}

const levelColumns = `l.id, l.code, l.name_zh, l.name_en, l.rank, (SELECT COUNT(*) FROM people p WHERE p.level_id = l.id AND p.active), l.version FROM levels l`

func scanLevel(row interface{ Scan(...any) error }) (*Level, error) {
	var l Level
	err := row.Scan(&l.ID, &l.Code, &l.NameZh, &l.NameEn, &l.Rank, &l.People, &l.Version)
	return &l, err
}

// FindLevels returns the ladder ordered by rank; every signed-in person may read it.
func (s *Service) FindLevels(ctx context.Context) ([]*Level, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	var out []*Level
	err := s.db.View(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+levelColumns+` ORDER BY l.rank, l.id`)
		if err != nil {
			return fmt.Errorf("org: find levels: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			l, err := scanLevel(rows)
			if err != nil {
				return fmt.Errorf("org: scan level: %w", err)
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	return out, err
}

func findLevel(ctx context.Context, tx *db.Tx, id int64) (*Level, error) {
	l, err := scanLevel(tx.QueryRow(ctx, `SELECT `+levelColumns+` WHERE l.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "level.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("org: find level %d: %w", id, err)
	}
	return l, nil
}

// CreateLevel adds a level to the ladder (admin only).
func (s *Service) CreateLevel(ctx context.Context, in LevelInput) (*Level, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out *Level
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		now := time.Now().UTC()
		id, err := tx.InsertID(ctx, `INSERT INTO levels (code, name_zh, name_en, rank, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			in.Code, in.NameZh, in.NameEn, in.Rank, now, now)
		if db.IsUniqueViolation(err) {
			return echelon.Errorf(echelon.ECONFLICT, "level.code_taken", in.Code)
		}
		if err != nil {
			return fmt.Errorf("org: insert level: %w", err)
		}
		if out, err = findLevel(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "create", "level", id, nil, out)
	})
	return out, err
}

// UpdateLevel replaces a level's code, names and rank (admin only).
func (s *Service) UpdateLevel(ctx context.Context, id int64, in LevelInput) (*Level, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out *Level
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findLevel(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != before.Version {
			return conflictVersion()
		}
		_, err = tx.Exec(ctx, `UPDATE levels SET code = ?, name_zh = ?, name_en = ?, rank = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			in.Code, in.NameZh, in.NameEn, in.Rank, time.Now().UTC(), id)
		if db.IsUniqueViolation(err) {
			return echelon.Errorf(echelon.ECONFLICT, "level.code_taken", in.Code)
		}
		if err != nil {
			return fmt.Errorf("org: update level: %w", err)
		}
		if out, err = findLevel(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "update", "level", id, before, out)
	})
	return out, err
}

func requireAdmin(ctx context.Context) error {
	a, err := actor(ctx)
	if err != nil {
		return err
	}
	if !a.IsAdmin() {
		return forbidden()
	}
	return nil
}

// RoleStatement is the written responsibility of a role, shown on each person's page.
type RoleStatement struct {
	Role    echelon.Role `json:"role"`
	BodyZh  string       `json:"body_zh"`
	BodyEn  string       `json:"body_en"`
	Version int          `json:"version"`
}

// FindRoleStatements returns the statement of every role; every signed-in person may read them.
func (s *Service) FindRoleStatements(ctx context.Context) ([]*RoleStatement, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	byRole := map[echelon.Role]*RoleStatement{}
	err := s.db.View(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT role, body_zh, body_en, version FROM role_statements`)
		if err != nil {
			return fmt.Errorf("org: find role statements: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r RoleStatement
			if err := rows.Scan(&r.Role, &r.BodyZh, &r.BodyEn, &r.Version); err != nil {
				return fmt.Errorf("org: scan role statement: %w", err)
			}
			byRole[r.Role] = &r
		}
		return rows.Err()
	})
	var out []*RoleStatement
	for _, r := range echelon.Roles {
		if st, ok := byRole[r]; ok {
			out = append(out, st)
		}
	}
	return out, err
}

// RoleStatementInput replaces a role's statement.
type RoleStatementInput struct {
	BodyZh  string `json:"body_zh"`
	BodyEn  string `json:"body_en"`
	Version int    `json:"version,omitempty"`
}

// UpdateRoleStatement replaces the statement of a role (admin only).
func (s *Service) UpdateRoleStatement(ctx context.Context, role echelon.Role, in RoleStatementInput) (*RoleStatement, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if !role.Valid() {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "role.invalid")
	}
	zh, err := cleanText("body_zh", in.BodyZh)
	if err != nil {
		return nil, err
	}
	en, err := cleanText("body_en", in.BodyEn)
	if err != nil {
		return nil, err
	}
	out := &RoleStatement{Role: role, BodyZh: zh, BodyEn: en}
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		var before RoleStatement
		before.Role = role
		if err := tx.QueryRow(ctx, `SELECT body_zh, body_en, version FROM role_statements WHERE role = ?`, role).
			Scan(&before.BodyZh, &before.BodyEn, &before.Version); err != nil {
			return fmt.Errorf("org: find role statement %s: %w", role, err)
		}
		if in.Version != 0 && in.Version != before.Version {
			return conflictVersion()
		}
		out.Version = before.Version + 1
		if _, err := tx.Exec(ctx, `UPDATE role_statements SET body_zh = ?, body_en = ?, version = ?, updated_at = ? WHERE role = ?`,
			zh, en, out.Version, time.Now().UTC(), role); err != nil {
			return fmt.Errorf("org: update role statement: %w", err)
		}
		return audit.RecordKey(ctx, tx, "update", "role_statement", string(role), before, out)
	})
	return out, err
}
