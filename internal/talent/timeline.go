package talent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/ladder"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/review"
)

// Kinds of events on a development timeline.
const (
	EventLevel         = "level"
	EventCertification = "certification"
	EventNomination    = "nomination"
	EventReview        = "review"
	EventFeedback      = "feedback"
	EventPlan          = "improvement_plan"
)

// Event is one dated entry of a timeline; exactly one of its records is set.
type Event struct {
	At            time.Time             `json:"at"`
	Kind          string                `json:"kind"`
	Level         *ladder.LevelChange   `json:"level,omitempty"`
	Certification *ladder.Certification `json:"certification,omitempty"`
	Nomination    *ladder.Nomination    `json:"nomination,omitempty"`
	Review        *review.Review        `json:"review,omitempty"`
	Feedback      *review.Feedback      `json:"feedback,omitempty"`
	Plan          *review.Plan          `json:"improvement_plan,omitempty"`
}

// Development is a person's development page: where they stand on the
// ladder now and everything that moved them, newest first.
type Development struct {
	Person    Person            `json:"person"`
	HireDate  *time.Time        `json:"hire_date,omitempty"`
	Readiness *ladder.Readiness `json:"readiness,omitempty"`
	Timeline  []Event           `json:"timeline"`
}

// Development gathers a person's timeline — level history, certifications,
// nominations, reviews (with the scorecard frozen in each), feedback and
// improvement plans — for a reader who may see the person: themselves, a
// manager above them, an admin. Each part is read through its own service,
// so it shows what that service lets the reader see (a rep sees a review's
// rating only once it is released, feedback by its visibility).
func (s *Service) Development(ctx context.Context, personID int64) (*Development, error) {
	a := echelon.ActorFrom(ctx)
	if a == nil {
		return nil, echelon.Errorf(echelon.EUNAUTHORIZED, "auth.required")
	}
	out := &Development{Timeline: []Event{}}
	err := s.db.View(ctx, func(tx *db.Tx) error {
		var path string
		var hired sql.NullTime
		err := tx.QueryRow(ctx, `SELECT `+personFields+`, COALESCE(u.path, ''), p.hire_date`+personFrom+` WHERE p.id = ?`, personID).Scan(
			out.Person.fields(&path, &hired)...)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && personID != a.PersonID && !org.CanSeeRecord(a, personID, path)) {
			return echelon.Errorf(echelon.ENOTFOUND, "person.not_found")
		}
		if err != nil {
			return fmt.Errorf("talent: person %d: %w", personID, err)
		}
		if hired.Valid {
			out.HireDate = &hired.Time
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.gather(ctx, out); err != nil {
		return nil, err
	}
	sort.SliceStable(out.Timeline, func(i, j int) bool { return out.Timeline[i].At.After(out.Timeline[j].At) })
	return out, nil
}

// gather reads each part of the timeline through its service.
func (s *Service) gather(ctx context.Context, d *Development) error {
	id := d.Person.ID
	add := func(e Event) { d.Timeline = append(d.Timeline, e) }
	levels, err := s.ladder.History(ctx, id)
	if err != nil {
		return err
	}
	for i := range levels {
		add(Event{At: levels[i].EffectiveOn.Time, Kind: EventLevel, Level: &levels[i]})
	}
	certs, err := s.ladder.FindCertifications(ctx, id)
	if err != nil {
		return err
	}
	for i := range certs {
		add(Event{At: certs[i].IssuedOn.Time, Kind: EventCertification, Certification: &certs[i]})
	}
	noms, err := s.ladder.FindNominations(ctx, ladder.NominationFilter{PersonID: id})
	if err != nil {
		return err
	}
	for _, n := range noms {
		add(Event{At: n.CreatedAt, Kind: EventNomination, Nomination: n})
	}
	reviews, err := s.reviews.FindReviews(ctx, review.Filter{PersonID: id})
	if err != nil {
		return err
	}
	for _, r := range reviews {
		at := r.UpdatedAt
		if r.ReleasedAt != nil {
			at = *r.ReleasedAt
		}
		add(Event{At: at, Kind: EventReview, Review: r})
	}
	notes, err := s.reviews.FindFeedback(ctx, id)
	if err != nil {
		return err
	}
	for _, f := range notes {
		add(Event{At: f.CreatedAt, Kind: EventFeedback, Feedback: f})
	}
	plans, err := s.reviews.FindPlans(ctx, id)
	if err != nil {
		return err
	}
	for _, p := range plans {
		add(Event{At: p.OpenedAt, Kind: EventPlan, Plan: p})
	}
	if d.Person.LevelID != 0 {
		r, err := s.ladder.Readiness(ctx, id)
		if err != nil {
			return err
		}
		d.Readiness = r
	}
	return nil
}
