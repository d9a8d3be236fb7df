// Package audit records every change made through Echelon — who, when,
// what, before and after — in the same transaction as the change, and lets
// administrators read the log. Nothing in the product edits or deletes it.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
)

// Entry is one recorded change.
type Entry struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	ActorID   int64           `json:"actor_id,omitempty"`
	ActorName string          `json:"actor_name"`
	Action    string          `json:"action"`
	Entity    string          `json:"entity"`
	EntityID  string          `json:"entity_id"`
	Before    json.RawMessage `json:"before,omitempty"`
	After     json.RawMessage `json:"after,omitempty"`
}

// Record writes an audit entry inside tx for the actor in ctx (or "system"
// when there is none). before and after are marshalled to JSON; pass nil
// for a side that does not exist (creation, deletion).
func Record(ctx context.Context, tx *db.Tx, action, entity string, id int64, before, after any) error {
	return RecordKey(ctx, tx, action, entity, strconv.FormatInt(id, 10), before, after)
}

// RecordKey is Record for entities whose key is not a numeric id.
func RecordKey(ctx context.Context, tx *db.Tx, action, entity, key string, before, after any) error {
	var actorID any
	actorName := "system"
	if a := echelon.ActorFrom(ctx); a != nil {
		actorName = a.Name
		if a.PersonID != 0 {
			actorID = a.PersonID
		}
	}
	b, err := marshal(before)
	if err != nil {
		return fmt.Errorf("audit: before of %s %s: %w", entity, key, err)
	}
	af, err := marshal(after)
	if err != nil {
		return fmt.Errorf("audit: after of %s %s: %w", entity, key, err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (at, actor_id, actor_name, action, entity, entity_id, before_json, after_json)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, time.Now().UTC(), actorID, actorName, action, entity, key, b, af)
	if err != nil {
		return fmt.Errorf("audit: record %s %s: %w", action, entity, err)
	}
	return nil
}

func marshal(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// Filter selects audit entries; zero fields do not filter.
type Filter struct {
	Entity   string
	EntityID string
	ActorID  int64
	Action   string
	From, To time.Time
	Limit    int
	Offset   int
}

// Service reads the audit log.
type Service struct{ db *db.DB }

// NewService returns an audit reader over d.
func NewService(d *db.DB) *Service { return &Service{db: d} }

// FindEntries returns matching entries, newest first, and the total count.
// Only administrators may read the audit log.
func (s *Service) FindEntries(ctx context.Context, f Filter) ([]Entry, int, error) {
	a := echelon.ActorFrom(ctx)
	if a == nil {
		return nil, 0, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	if !a.IsAdmin() {
		return nil, 0, echelon.Errorf(echelon.EFORBIDDEN, "audit.forbidden")
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if f.Entity != "" {
		add("entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		add("entity_id = ?", f.EntityID)
	}
	if f.ActorID != 0 {
		add("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if !f.From.IsZero() {
		add("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.UTC())
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var out []Entry
	var total int
	err := s.db.View(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log`+cond, args...).Scan(&total); err != nil {
			return fmt.Errorf("audit: count: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT id, at, COALESCE(actor_id, 0), actor_name, action, entity, entity_id, before_json, after_json
			FROM audit_log`+cond+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		if err != nil {
			return fmt.Errorf("audit: query: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var e Entry
			var before, after string
			if err := rows.Scan(&e.ID, &e.At, &e.ActorID, &e.ActorName, &e.Action, &e.Entity, &e.EntityID, &before, &after); err != nil {
				return fmt.Errorf("audit: scan: %w", err)
			}
			e.Before, e.After = raw(before), raw(after)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, total, err
}

func raw(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

// Change summarises the latest recorded change of one record: who made it,
// when, and which top-level fields differ between before and after.
type Change struct {
	ActorName string
	At        time.Time
	Fields    []string
}

// LastChange returns the latest change of an entity, for telling a second
// editor what happened since they loaded the record.
func LastChange(ctx context.Context, tx *db.Tx, entity string, id int64) (*Change, error) {
	var c Change
	var before, after string
	err := tx.QueryRow(ctx, `SELECT actor_name, at, before_json, after_json FROM audit_log
		WHERE entity = ? AND entity_id = ? ORDER BY id DESC LIMIT 1`, entity, strconv.FormatInt(id, 10)).Scan(&c.ActorName, &c.At, &before, &after)
	if err != nil {
		return nil, fmt.Errorf("audit: last change of %s %d: %w", entity, id, err)
	}
	if before == "" {
		return &c, nil // a creation: there is no "before" to compare fields with
	}
	var b, a map[string]json.RawMessage
	_ = json.Unmarshal([]byte(before), &b)
	_ = json.Unmarshal([]byte(after), &a)
	for k, v := range a {
		if k == "version" || k == "updated_at" {
			continue
		}
		if string(b[k]) != string(v) {
			c.Fields = append(c.Fields, k)
		}
	}
	sort.Strings(c.Fields)
	return &c, nil
}

// Item is one record of a batch written by a bulk operation (an import).
type Item struct {
	ID    int64
	After any
}

// RecordBatch writes one creation entry per item with multi-row inserts, in
// the caller's transaction, for the actor in ctx.
func RecordBatch(ctx context.Context, tx *db.Tx, action, entity string, items []Item) error {
	var actorID any
	actorName := "system"
	if a := echelon.ActorFrom(ctx); a != nil {
		actorName = a.Name
		if a.PersonID != 0 {
			actorID = a.PersonID
		}
	}
	now := time.Now().UTC()
	const batch = 200
	for start := 0; start < len(items); start += batch {
		end := min(start+batch, len(items))
		args := make([]any, 0, (end-start)*8)
		for _, it := range items[start:end] {
			after, err := marshal(it.After)
			if err != nil {
				return fmt.Errorf("audit: after of %s %d: %w", entity, it.ID, err)
			}
			args = append(args, now, actorID, actorName, action, entity, strconv.FormatInt(it.ID, 10), "", after)
		}
		q := `INSERT INTO audit_log (at, actor_id, actor_name, action, entity, entity_id, before_json, after_json) VALUES ` +
			db.RowMarks(8, end-start)
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("audit: record %d %s entries: %w", end-start, entity, err)
		}
	}
	return nil
}
