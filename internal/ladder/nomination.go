package ladder

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
)

// Nomination kinds.
const (
	Promotion = "promotion" // to the next level by rank
	Demotion  = "demotion"  // to a lower level (the one below by default)
	Hold      = "hold"      // the level stays as it is, on record
)

// Nomination states: pending → approved | rejected | withdrawn.
const (
	Pending   = "pending"
	Approved  = "approved"
	Rejected  = "rejected"
	Withdrawn = "withdrawn"
)

// Nomination proposes a level change for a person, with the readiness
// evidence of the moment it was made.
type Nomination struct {
	ID             int64      `json:"id"`
	PersonID       int64      `json:"person_id"`
	PersonName     string     `json:"person_name"`
	Kind           string     `json:"kind"`
	From           LevelRef   `json:"from"`
	To             LevelRef   `json:"to"`
	EffectiveOn    *Date      `json:"effective_on,omitempty"`
	Reason         string     `json:"reason"`
	Evidence       *Readiness `json:"evidence"`
	State          string     `json:"state"`
	NominatedBy    int64      `json:"nominated_by"`
	NominatorName  string     `json:"nominator_name"`
	ApproverID     int64      `json:"approver_id,omitempty"`
	ApproverName   string     `json:"approver_name,omitempty"`
	DecidedBy      int64      `json:"decided_by,omitempty"`
	DeciderName    string     `json:"decider_name,omitempty"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	DecisionReason string     `json:"decision_reason,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	Version        int        `json:"version"`
	// CanDecide says whether the reader may approve or reject it now.
	CanDecide bool `json:"can_decide"`

	unitPath string
}

// NominationInput nominates a person.
type NominationInput struct {
	PersonID    int64  `json:"person_id"`
	Kind        string `json:"kind"`
	ToLevelID   int64  `json:"to_level_id,omitempty"` // a demotion's level; others are implied
	EffectiveOn string `json:"effective_on,omitempty"`
	Reason      string `json:"reason"`
}

// DecisionInput approves, rejects or withdraws a nomination.
type DecisionInput struct {
	Reason      string `json:"reason"`
	EffectiveOn string `json:"effective_on,omitempty"` // approve: replaces the nomination's date
	Version     int    `json:"version,omitempty"`
}

// Views of the nominations.
const (
	ViewToDecide = "to_decide" // pending ones the reader may decide
	ViewMine     = "mine"      // the reader's own
)

// NominationFilter selects nominations; zero fields do not filter.
type NominationFilter struct {
	PersonID int64
	State    string
	// View is ViewToDecide or ViewMine.
	View string
}

func cleanReason(field, s string, required bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		return "", echelon.FieldError(field, "field.required")
	case utf8.RuneCountInString(s) > 2000:
		return "", echelon.FieldError(field, "field.too_long", 2000)
	}
	return s, nil
}

// Nominate proposes a promotion, demotion or hold for a person of the
// manager's subtree (not themselves); admin may nominate anyone else.
func (s *Service) Nominate(ctx context.Context, in NominationInput) (*Nomination, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() && !a.Role.IsManager() {
		return nil, forbidden()
	}
	if in.PersonID == a.PersonID {
		return nil, echelon.Errorf(echelon.EFORBIDDEN, "ladder.nominate_self")
	}
	if in.Kind != Promotion && in.Kind != Demotion && in.Kind != Hold {
		return nil, echelon.FieldError("kind", "ladder.kind_invalid")
	}
	if in.Reason, err = cleanReason("reason", in.Reason, true); err != nil {
		return nil, err
	}
	eff, err := parseDate("effective_on", in.EffectiveOn)
	if err != nil {
		return nil, err
	}
	var out *Nomination
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		p, err := visiblePerson(ctx, tx, a, in.PersonID)
		if err != nil {
			return echelon.FieldError("person_id", "person.not_found")
		}
		levels, err := ladder(ctx, tx)
		if err != nil {
			return err
		}
		from, to, err := nominatedLevels(levels, p.LevelID, in)
		if err != nil {
			return err
		}
		var pending int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM nominations WHERE person_id = ? AND state = ?`, p.ID, Pending).Scan(&pending); err != nil {
			return fmt.Errorf("ladder: pending nominations: %w", err)
		}
		if pending > 0 {
			return echelon.Errorf(echelon.ECONFLICT, "ladder.nomination_pending")
		}
		ready, err := s.readiness(ctx, tx, []*personRow{p})
		if err != nil {
			return err
		}
		snapshot, err := json.Marshal(ready[0])
		if err != nil {
			return fmt.Errorf("ladder: evidence: %w", err)
		}
		var approver int64
		if a.PersonID != 0 {
			if err := tx.QueryRow(ctx, `SELECT COALESCE(manager_id, 0) FROM people WHERE id = ?`, a.PersonID).Scan(&approver); err != nil {
				return fmt.Errorf("ladder: nominator's manager: %w", err)
			}
		}
		id, err := tx.InsertID(ctx, `INSERT INTO nominations (person_id, kind, from_level_id, to_level_id, effective_on, reason, evidence, state,
			nominated_by, approver_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, in.Kind, from.ID, to.ID, nullDate(eff),
			in.Reason, string(snapshot), Pending, a.PersonID, nullID(approver), s.now().UTC())
		if err != nil {
			return fmt.Errorf("ladder: insert nomination: %w", err)
		}
		if out, err = findNomination(ctx, tx, a, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "create", "nomination", id, nil, out)
	})
	return out, err
}

// nominatedLevels are the levels a nomination moves between.
func nominatedLevels(levels []*Criteria, current int64, in NominationInput) (from, to LevelRef, err error) {
	at := -1
	for i, l := range levels {
		if l.Level.ID == current {
			at = i
		}
	}
	if at < 0 {
		return from, to, echelon.FieldError("person_id", "ladder.no_level")
	}
	from = levels[at].Level
	switch in.Kind {
	case Promotion:
		if at+1 == len(levels) {
			return from, to, echelon.FieldError("kind", "ladder.at_top")
		}
		return from, levels[at+1].Level, nil
	case Demotion:
		if in.ToLevelID == 0 {
			if at == 0 {
				return from, to, echelon.FieldError("kind", "ladder.at_bottom")
			}
			return from, levels[at-1].Level, nil
		}
		for _, l := range levels[:at] {
			if l.Level.ID == in.ToLevelID && l.Level.Rank < from.Rank {
				return from, l.Level, nil
			}
		}
		return from, to, echelon.FieldError("to_level_id", "ladder.demotion_level_invalid")
	}
	return from, from, nil
}

// Approve approves a pending nomination: the person's level changes on
// the effective date (today when none is given), recorded in the level history.
func (s *Service) Approve(ctx context.Context, id int64, in DecisionInput) (*Nomination, error) {
	return s.decide(ctx, id, in, Approved)
}

// Reject rejects a pending nomination with a reason.
func (s *Service) Reject(ctx context.Context, id int64, in DecisionInput) (*Nomination, error) {
	return s.decide(ctx, id, in, Rejected)
}

// Withdraw withdraws a pending nomination (its nominator, or an admin).
func (s *Service) Withdraw(ctx context.Context, id int64, in DecisionInput) (*Nomination, error) {
	return s.decide(ctx, id, in, Withdrawn)
}

// decide moves a pending nomination to state. Checks in order: visible
// (404), pending and version (409), allowed (403), input (422), the
// person's level unchanged since (409).
func (s *Service) decide(ctx context.Context, id int64, in DecisionInput, state string) (*Nomination, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *Nomination
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		before, err := findNomination(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if before.State != Pending {
			return echelon.Errorf(echelon.ECONFLICT, "ladder.nomination_decided")
		}
		if in.Version != 0 && in.Version != before.Version {
			return audit.StaleError(ctx, tx, "nomination", id)
		}
		switch {
		case state == Withdrawn && before.NominatedBy != a.PersonID && !a.IsAdmin():
			return forbidden()
		case state != Withdrawn && before.NominatedBy == a.PersonID:
			return echelon.Errorf(echelon.EFORBIDDEN, "ladder.decide_own")
		case state != Withdrawn && !before.CanDecide:
			return forbidden()
		}
		if in.Reason, err = cleanReason("reason", in.Reason, state != Withdrawn); err != nil {
			return err
		}
		if state == Approved {
			if err := s.approve(ctx, tx, a, before, in); err != nil {
				return err
			}
		}
		now := s.now().UTC()
		res, err := tx.Exec(ctx, `UPDATE nominations SET state = ?, decided_by = ?, decided_at = ?, decision_reason = ?, version = version + 1
			WHERE id = ? AND version = ?`, state, nullID(a.PersonID), now, in.Reason, id, before.Version)
		if err != nil {
			return fmt.Errorf("ladder: decide nomination %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return audit.StaleError(ctx, tx, "nomination", id)
		}
		if out, err = findNomination(ctx, tx, a, id); err != nil {
			return err
		}
		b, af := *before, *out
		b.Evidence, af.Evidence = nil, nil // kept once, in the entry of the nomination's creation
		action := map[string]string{Approved: "approve", Rejected: "reject", Withdrawn: "withdraw"}[state]
		return audit.Record(ctx, tx, action, "nomination", id, &b, &af)
	})
	return out, err
}

// approve records the level change of an approved nomination.
func (s *Service) approve(ctx context.Context, tx *db.Tx, a *echelon.Actor, n *Nomination, in DecisionInput) error {
	eff, err := parseDate("effective_on", in.EffectiveOn)
	if err != nil {
		return err
	}
	if eff.IsZero() && n.EffectiveOn != nil {
		eff = n.EffectiveOn.Time
	}
	if eff.IsZero() {
		eff = s.today()
	}
	var current int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(level_id, 0) FROM people WHERE id = ?`, n.PersonID).Scan(&current); err != nil {
		return fmt.Errorf("ladder: level of person %d: %w", n.PersonID, err)
	}
	var waiting int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM level_changes WHERE person_id = ? AND applied_at IS NULL`, n.PersonID).Scan(&waiting); err != nil {
		return fmt.Errorf("ladder: pending level changes: %w", err)
	}
	if current != n.From.ID || waiting > 0 {
		return echelon.Errorf(echelon.ECONFLICT, "ladder.level_moved")
	}
	from := n.From
	reason := n.Reason
	if in.Reason != "" {
		reason = in.Reason
	}
	change := LevelChange{PersonID: n.PersonID, From: &from, To: n.To, EffectiveOn: Date{eff}, Reason: reason, NominationID: n.ID}
	cid, err := s.recordChange(ctx, tx, change, a.PersonID)
	if err != nil {
		return err
	}
	return audit.Record(ctx, tx, "create", "level_change", cid, nil, change)
}

// FindNomination returns one nomination the reader may see.
func (s *Service) FindNomination(ctx context.Context, id int64) (*Nomination, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var out *Nomination
	err = s.db.View(ctx, func(tx *db.Tx) (err error) {
		out, err = findNomination(ctx, tx, a, id)
		return err
	})
	return out, err
}

// FindNominations lists the nominations the reader may see, newest first.
func (s *Service) FindNominations(ctx context.Context, f NominationFilter) ([]*Nomination, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if f.View != "" && f.View != ViewToDecide && f.View != ViewMine {
		return nil, echelon.FieldError("view", "ladder.view_invalid")
	}
	if f.State != "" && f.State != Pending && f.State != Approved && f.State != Rejected && f.State != Withdrawn {
		return nil, echelon.FieldError("state", "ladder.state_invalid")
	}
	out := []*Nomination{}
	err = s.db.View(ctx, func(tx *db.Tx) error {
		cond, args := nominationScope(a)
		if f.PersonID != 0 {
			if _, err := visiblePerson(ctx, tx, a, f.PersonID); err != nil {
				return err
			}
			cond, args = cond+" AND n.person_id = ?", append(args, f.PersonID)
		}
		if f.State != "" {
			cond, args = cond+" AND n.state = ?", append(args, f.State)
		}
		if f.View == ViewMine {
			cond, args = cond+" AND n.nominated_by = ?", append(args, a.PersonID)
		}
		list, err := nominations(ctx, tx, a, cond, args...)
		for _, n := range list {
			if f.View != ViewToDecide || n.CanDecide {
				out = append(out, n)
			}
		}
		return err
	})
	return out, err
}

// nominationScope limits nominations (alias n, the person p in unit u):
// admin all; a manager those of their subtree, those they made and those
// they are to decide; the person their approved ones.
func nominationScope(a *echelon.Actor) (string, []any) {
	if a.IsAdmin() {
		return "1=1", nil
	}
	cond := "(n.nominated_by = ? OR n.approver_id = ? OR (n.person_id = ? AND n.state = 'approved')"
	args := []any{a.PersonID, a.PersonID, a.PersonID}
	if a.Role.IsManager() && a.UnitPath != "" {
		cond, args = cond+" OR u.path LIKE ?", append(args, a.UnitPath+"%")
	}
	return cond + ")", args
}

func findNomination(ctx context.Context, tx *db.Tx, a *echelon.Actor, id int64) (*Nomination, error) {
	cond, args := nominationScope(a)
	list, err := nominations(ctx, tx, a, "n.id = ? AND "+cond, append([]any{id}, args...)...)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "ladder.nomination_not_found")
	}
	return list[0], nil
}

func nominations(ctx context.Context, tx *db.Tx, a *echelon.Actor, cond string, args ...any) ([]*Nomination, error) {
	rs, err := tx.Query(ctx, `SELECT n.id, n.person_id, p.name, COALESCE(u.path, ''), n.kind, f.id, f.code, f.name_zh, f.name_en, f.rank,
		t.id, t.code, t.name_zh, t.name_en, t.rank, n.effective_on, n.reason, n.evidence, n.state, n.nominated_by, nb.name,
		COALESCE(n.approver_id, 0), COALESCE(ap.name, ''), COALESCE(n.decided_by, 0), COALESCE(db.name, ''), n.decided_at,
		n.decision_reason, n.created_at, n.version, COALESCE(nb.manager_id, 0)
		FROM nominations n JOIN people p ON p.id = n.person_id LEFT JOIN org_units u ON u.id = p.org_unit_id
		JOIN levels f ON f.id = n.from_level_id JOIN levels t ON t.id = n.to_level_id
		JOIN people nb ON nb.id = n.nominated_by LEFT JOIN people ap ON ap.id = n.approver_id LEFT JOIN people db ON db.id = n.decided_by
		WHERE `+cond+` ORDER BY n.created_at DESC, n.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("ladder: nominations: %w", err)
	}
	defer rs.Close()
	var out []*Nomination
	for rs.Next() {
		var n Nomination
		var eff, decided sql.NullTime
		var evidence string
		var nominatorsManager int64
		if err := rs.Scan(&n.ID, &n.PersonID, &n.PersonName, &n.unitPath, &n.Kind, &n.From.ID, &n.From.Code, &n.From.NameZh, &n.From.NameEn,
			&n.From.Rank, &n.To.ID, &n.To.Code, &n.To.NameZh, &n.To.NameEn, &n.To.Rank, &eff, &n.Reason, &evidence, &n.State, &n.NominatedBy,
			&n.NominatorName, &n.ApproverID, &n.ApproverName, &n.DecidedBy, &n.DeciderName, &decided, &n.DecisionReason, &n.CreatedAt,
			&n.Version, &nominatorsManager); err != nil {
			return nil, fmt.Errorf("ladder: scan nomination: %w", err)
		}
		if eff.Valid {
			n.EffectiveOn = &Date{dayOf(eff.Time)}
		}
		if decided.Valid {
			at := decided.Time.UTC()
			n.DecidedAt = &at
		}
		if err := json.Unmarshal([]byte(evidence), &n.Evidence); err != nil {
			return nil, fmt.Errorf("ladder: evidence of nomination %d: %w", n.ID, err)
		}
		n.CanDecide = n.State == Pending && mayDecide(a, &n)
		out = append(out, &n)
	}
	return out, rs.Err()
}

// mayDecide is the approval rule: never one's own nomination; admin
// always; else the nominator's manager, or — when the nominator has none
// (the top of the organisation) — a senior manager whose subtree holds the person.
func mayDecide(a *echelon.Actor, n *Nomination) bool {
	switch {
	case n.NominatedBy == a.PersonID:
		return false
	case a.IsAdmin():
		return true
	case n.ApproverID != 0:
		return n.ApproverID == a.PersonID
	}
	return a.Role == echelon.RoleSeniorManager && org.InSubtree(n.unitPath, a.UnitPath)
}
