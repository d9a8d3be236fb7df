package review

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
)

// Feedback kinds and visibilities.
const (
	Praise      = "praise"
	Development = "development"
	Private     = "private"
	Shared      = "shared"
)

// Feedback is a note about a person. Who writes it: admin and managers,
// about the people of their scope other than themselves (a rep sees no one
// else, so writes none). Who reads it: the person, the author, admin and
// the managers whose subtree holds the person (the manager chain); a shared
// note also the people of the person's own unit (their team).
type Feedback struct {
	ID         int64     `json:"id"`
	PersonID   int64     `json:"person_id"`
	PersonName string    `json:"person_name"`
	AuthorID   int64     `json:"author_id"`
	AuthorName string    `json:"author_name"`
	Kind       string    `json:"kind"`
	Visibility string    `json:"visibility"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
}

// FeedbackInput writes a note.
type FeedbackInput struct {
	PersonID   int64  `json:"person_id"`
	Kind       string `json:"kind"`
	Visibility string `json:"visibility,omitempty"` // private by default
	Body       string `json:"body"`
}

// feedbackScope limits notes (alias f, the person p, their unit u) to what a may read.
func feedbackScope(a *echelon.Actor) (string, []any) {
	switch {
	case a.IsAdmin():
		return "1=1", nil
	case a.Role.IsManager():
		return "(f.person_id = ? OR f.author_id = ? OR u.path LIKE ?)", []any{a.PersonID, a.PersonID, a.UnitPath + "%"}
	}
	return "(f.person_id = ? OR f.author_id = ? OR (f.visibility = 'shared' AND p.org_unit_id = ?))", []any{a.PersonID, a.PersonID, a.UnitID}
}

const feedbackColumns = `f.id, f.person_id, p.name, COALESCE(f.author_id, 0), COALESCE(au.name, ''), f.kind, f.visibility, f.body, f.created_at
	FROM feedback_notes f JOIN people p ON p.id = f.person_id LEFT JOIN org_units u ON u.id = p.org_unit_id
	LEFT JOIN people au ON au.id = f.author_id`

// FindFeedback lists the notes the actor may read, newest first; about one
// person when personID is not zero.
func (s *Service) FindFeedback(ctx context.Context, personID int64) ([]*Feedback, error) {
	a, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := feedbackScope(a)
	if personID != 0 {
		cond += " AND f.person_id = ?"
		args = append(args, personID)
	}
	var out []*Feedback
	err = s.db.View(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+feedbackColumns+` WHERE `+cond+` ORDER BY f.created_at DESC, f.id DESC LIMIT 500`, args...)
		if err != nil {
			return fmt.Errorf("review: list feedback: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var f Feedback
			if err := rows.Scan(&f.ID, &f.PersonID, &f.PersonName, &f.AuthorID, &f.AuthorName, &f.Kind, &f.Visibility, &f.Body, &f.CreatedAt); err != nil {
				return fmt.Errorf("review: scan feedback: %w", err)
			}
			f.CreatedAt = f.CreatedAt.UTC()
			out = append(out, &f)
		}
		return rows.Err()
	})
	return out, err
}

// CreateFeedback writes a note about a person the actor leads.
func (s *Service) CreateFeedback(ctx context.Context, in FeedbackInput) (*Feedback, error) {
	a, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !canLead(a) {
		return nil, echelon.Errorf(echelon.EFORBIDDEN, "feedback.forbidden")
	}
	if !slices.Contains([]string{Praise, Development}, in.Kind) {
		return nil, echelon.FieldError("kind", "feedback.kind_invalid")
	}
	if in.Visibility == "" {
		in.Visibility = Private
	}
	if !slices.Contains([]string{Private, Shared}, in.Visibility) {
		return nil, echelon.FieldError("visibility", "feedback.visibility_invalid")
	}
	body, err := checkText("body", in.Body, true)
	if err != nil {
		return nil, err
	}
	var out *Feedback
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		p, err := subjectInScope(ctx, tx, a, in.PersonID, "person_id")
		if err != nil {
			return err
		}
		f := &Feedback{PersonID: p.ID, PersonName: p.Name, AuthorID: a.PersonID, AuthorName: a.Name, Kind: in.Kind,
			Visibility: in.Visibility, Body: body, CreatedAt: s.now()}
		err = tx.QueryRow(ctx, `INSERT INTO feedback_notes (person_id, author_id, kind, visibility, body, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, f.PersonID, nullID(a.PersonID), f.Kind, f.Visibility, f.Body, f.CreatedAt).Scan(&f.ID)
		if err != nil {
			return fmt.Errorf("review: insert feedback: %w", err)
		}
		out = f
		return audit.Record(ctx, tx, "create", "feedback", f.ID, nil, f)
	})
	return out, err
}
