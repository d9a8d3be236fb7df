package review

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
)

// The review's steps (docs/permissions.md, "Performance reviews"):
//   - self review: only the reviewee writes and submits it;
//   - manager review: only the reviewer (never the reviewee) writes the
//     assessment, ratings, comments, proposed rating and potential, and
//     submits it to calibration, where the proposed rating becomes the final
//     one; once the self review's deadline has passed without a submission
//     the reviewer may go ahead without it, so one late person does not
//     hold up the cycle;
//   - calibration: admin or the senior manager (not on their own review)
//     changes the final rating with a reason, each change kept, and
//     releases the review;
//   - released: only the reviewee acknowledges it, with an optional response.
// Checks run in the order of the API: visible (404), allowed (403),
// version (409), state (409), input (422).

// MaxText is the longest assessment, comment, reason or response, in characters.
const MaxText = 10000

// SelfInput is the reviewee's self-assessment; Submit hands it to the reviewer.
type SelfInput struct {
	Text    string         `json:"text"`
	Ratings map[string]int `json:"ratings"`
	Submit  bool           `json:"submit,omitempty"`
	Version int            `json:"version,omitempty"`
}

// ManagerInput is the reviewer's assessment; Submit hands it to calibration.
type ManagerInput struct {
	Text           string         `json:"text"`
	Ratings        map[string]int `json:"ratings"`
	Comments       string         `json:"comments"`
	ProposedRating int            `json:"proposed_rating,omitempty"` // 1–5
	Potential      int            `json:"potential,omitempty"`       // 1 low, 2 medium, 3 high
	Submit         bool           `json:"submit,omitempty"`
	Version        int            `json:"version,omitempty"`
}

// CalibrateInput changes a review's final rating in calibration.
type CalibrateInput struct {
	Rating  int    `json:"rating"`
	Reason  string `json:"reason"`
	Version int    `json:"version,omitempty"`
}

// AcknowledgeInput is the reviewee's acknowledgement, with an optional written response.
type AcknowledgeInput struct {
	Response string `json:"response,omitempty"`
	Version  int    `json:"version,omitempty"`
}

// The potential scale of the talent grid.
const (
	PotentialLow    = 1
	PotentialMedium = 2
	PotentialHigh   = 3
)

// step runs one change of a review in a transaction: load it in scope,
// check the version, let do check and write, audit, and return it shaped.
func (s *Service) step(ctx context.Context, id int64, version int, action string, allowed func(*echelon.Actor, *Review) error,
	do func(*db.Tx, *echelon.Actor, *Review) error) (*Review, error) {
	a, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	var out *Review
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findReview(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := allowed(a, before); err != nil {
			return err
		}
		if err := checkVersion(ctx, tx, "review", id, before.Version, version); err != nil {
			return err
		}
		if err := do(tx, a, before); err != nil {
			return err
		}
		if out, err = findReview(ctx, tx, a, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, action, "review", id, before, out); err != nil {
			return err
		}
		return loadCalibrations(ctx, tx, out)
	})
	if err != nil {
		return nil, err
	}
	out.shape(a, s.today())
	return out, nil
}

func reviewee(a *echelon.Actor, r *Review) error {
	if r.PersonID != a.PersonID {
		return echelon.Errorf(echelon.EFORBIDDEN, "review.not_reviewee")
	}
	return nil
}

func reviewer(a *echelon.Actor, r *Review) error {
	if r.ReviewerID == r.PersonID {
		return echelon.Errorf(echelon.EFORBIDDEN, "review.self_reviewer")
	}
	if r.ReviewerID != a.PersonID {
		return echelon.Errorf(echelon.EFORBIDDEN, "review.not_reviewer")
	}
	return nil
}

func calibrator(a *echelon.Actor, r *Review) error {
	if !canDecide(a) {
		return echelon.Errorf(echelon.EFORBIDDEN, "review.calibrate_forbidden")
	}
	if r.PersonID == a.PersonID {
		return echelon.Errorf(echelon.EFORBIDDEN, "review.calibrate_own")
	}
	return nil
}

// editable refuses a change to a review that is not in state want.
func editable(r *Review, want string) error {
	switch {
	case r.IsReleased():
		return echelon.Errorf(echelon.ECONFLICT, "review.released")
	case r.State == StateDraft:
		return echelon.Errorf(echelon.ECONFLICT, "review.not_open")
	case r.State == want:
		return nil
	case r.State == StateSelf:
		return echelon.Errorf(echelon.ECONFLICT, "review.awaiting_self", r.selfDue)
	case r.State == StateManager:
		return echelon.Errorf(echelon.ECONFLICT, "review.awaiting_manager")
	}
	return echelon.Errorf(echelon.ECONFLICT, "review.in_calibration")
}

// checkRatings checks competency ratings against the cycle's competencies;
// a submission must rate every one.
func checkRatings(field string, r *Review, ratings map[string]int, submit bool) error {
	for code, v := range ratings {
		if !slices.Contains(r.Competencies, code) {
			return echelon.FieldError(field, "review.competency_invalid", code)
		}
		if v < MinRating || v > MaxRating {
			return echelon.FieldError(field, "review.rating_range", MinRating, MaxRating)
		}
	}
	if submit {
		for _, code := range r.Competencies {
			if ratings[code] == 0 {
				return echelon.FieldError(field, "review.rating_missing", code)
			}
		}
	}
	return nil
}

func checkText(field, text string, required bool) (string, error) {
	text = strings.TrimSpace(text)
	if required && text == "" {
		return "", echelon.FieldError(field, "review.text_required")
	}
	if len([]rune(text)) > MaxText {
		return "", echelon.FieldError(field, "review.text_long", MaxText)
	}
	return text, nil
}

// SaveSelf saves the reviewee's self-assessment and, with Submit, hands the
// review to the reviewer (every competency rated and some text needed).
func (s *Service) SaveSelf(ctx context.Context, id int64, in SelfInput) (*Review, error) {
	action := "self_save"
	if in.Submit {
		action = "self_submit"
	}
	return s.step(ctx, id, in.Version, action, reviewee, func(tx *db.Tx, a *echelon.Actor, r *Review) error {
		if err := editable(r, StateSelf); err != nil {
			return err
		}
		text, err := checkText("text", in.Text, in.Submit)
		if err != nil {
			return err
		}
		if in.Ratings == nil {
			in.Ratings = map[string]int{}
		}
		if err := checkRatings("ratings", r, in.Ratings, in.Submit); err != nil {
			return err
		}
		state := StateSelf
		if in.Submit {
			state = StateManager
		}
		_, err = tx.Exec(ctx, `UPDATE reviews SET self_text = ?, self_ratings = ?, state = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			text, mustJSON(in.Ratings), state, s.now(), r.ID)
		if err != nil {
			return fmt.Errorf("review: save self review %d: %w", r.ID, err)
		}
		return nil
	})
}

// SaveManager saves the reviewer's assessment and, with Submit, hands the
// review to calibration with the proposed rating as its final rating
// (every competency, the proposed rating and the potential needed).
func (s *Service) SaveManager(ctx context.Context, id int64, in ManagerInput) (*Review, error) {
	action := "manager_save"
	if in.Submit {
		action = "manager_submit"
	}
	return s.step(ctx, id, in.Version, action, reviewer, func(tx *db.Tx, a *echelon.Actor, r *Review) error {
		if !r.selfLapsed(s.today()) {
			if err := editable(r, StateManager); err != nil {
				return err
			}
		}
		text, err := checkText("text", in.Text, in.Submit)
		if err != nil {
			return err
		}
		comments, err := checkText("comments", in.Comments, false)
		if err != nil {
			return err
		}
		if in.Ratings == nil {
			in.Ratings = map[string]int{}
		}
		if err := checkRatings("ratings", r, in.Ratings, in.Submit); err != nil {
			return err
		}
		if in.ProposedRating != 0 && (in.ProposedRating < MinRating || in.ProposedRating > MaxRating) || in.Submit && in.ProposedRating == 0 {
			return echelon.FieldError("proposed_rating", "review.rating_range", MinRating, MaxRating)
		}
		if in.Potential != 0 && (in.Potential < PotentialLow || in.Potential > PotentialHigh) || in.Submit && in.Potential == 0 {
			return echelon.FieldError("potential", "review.potential_range")
		}
		state, final := StateManager, any(nil)
		if in.Submit {
			state, final = StateCalibration, in.ProposedRating
		}
		_, err = tx.Exec(ctx, `UPDATE reviews SET manager_text = ?, manager_ratings = ?, manager_comments = ?, proposed_rating = ?, potential = ?,
			final_rating = ?, state = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			text, mustJSON(in.Ratings), comments, nullRating(in.ProposedRating), nullRating(in.Potential), final, state, s.now(), r.ID)
		if err != nil {
			return fmt.Errorf("review: save manager review %d: %w", r.ID, err)
		}
		return nil
	})
}

func nullRating(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// Calibrate changes the final rating of a review in calibration, keeping
// who changed it, when, from what, to what and why.
func (s *Service) Calibrate(ctx context.Context, id int64, in CalibrateInput) (*Review, error) {
	return s.step(ctx, id, in.Version, "calibrate", calibrator, func(tx *db.Tx, a *echelon.Actor, r *Review) error {
		if err := editable(r, StateCalibration); err != nil {
			return err
		}
		if in.Rating < MinRating || in.Rating > MaxRating {
			return echelon.FieldError("rating", "review.rating_range", MinRating, MaxRating)
		}
		if in.Rating == r.FinalRating {
			return echelon.FieldError("rating", "review.calibrate_same", r.FinalRating)
		}
		reason, err := checkText("reason", in.Reason, true)
		if err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `INSERT INTO review_calibrations (review_id, from_rating, to_rating, reason, changed_by, changed_at)
			VALUES (?, ?, ?, ?, ?, ?)`, r.ID, r.FinalRating, in.Rating, reason, nullID(a.PersonID), now); err != nil {
			return fmt.Errorf("review: record calibration of %d: %w", r.ID, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE reviews SET final_rating = ?, version = version + 1, updated_at = ? WHERE id = ?`, in.Rating, now, r.ID); err != nil {
			return fmt.Errorf("review: calibrate %d: %w", r.ID, err)
		}
		return nil
	})
}

// Release makes the final rating of a calibrated review visible to the person.
func (s *Service) Release(ctx context.Context, id int64, version int) (*Review, error) {
	return s.step(ctx, id, version, "release", calibrator, func(tx *db.Tx, a *echelon.Actor, r *Review) error {
		switch {
		case r.IsReleased():
			return echelon.Errorf(echelon.ECONFLICT, "review.already_released")
		case r.State != StateCalibration:
			return echelon.Errorf(echelon.ECONFLICT, "review.release_early")
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE reviews SET state = 'released', released_at = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			now, now, r.ID); err != nil {
			return fmt.Errorf("review: release %d: %w", r.ID, err)
		}
		return nil
	})
}

// Acknowledge records that the reviewee has read their released review,
// with an optional written response.
func (s *Service) Acknowledge(ctx context.Context, id int64, in AcknowledgeInput) (*Review, error) {
	return s.step(ctx, id, in.Version, "acknowledge", reviewee, func(tx *db.Tx, a *echelon.Actor, r *Review) error {
		switch r.State {
		case StateAcknowledged:
			return echelon.Errorf(echelon.ECONFLICT, "review.already_acknowledged")
		case StateReleased:
		default:
			return echelon.Errorf(echelon.ECONFLICT, "review.not_released")
		}
		response, err := checkText("response", in.Response, false)
		if err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE reviews SET state = 'acknowledged', acknowledged_at = ?, response = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			now, response, now, r.ID); err != nil {
			return fmt.Errorf("review: acknowledge %d: %w", r.ID, err)
		}
		return nil
	})
}
