package review

import (
	"context"
	"fmt"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
)

// Spread counts reviews by rating: index 0 is rating 1.
type Spread [MaxRating]int

// RegionSpread is the calibration view of one region: how many reviews
// have each rating, as proposed by the reviewers and after calibration.
type RegionSpread struct {
	UnitID     int64  `json:"org_unit_id"`
	UnitName   string `json:"org_unit_name"`
	Reviews    int    `json:"reviews"`
	Proposed   Spread `json:"proposed"`
	Calibrated Spread `json:"calibrated"`
	Changed    int    `json:"changed"` // reviews whose calibrated rating differs from the proposed one
}

// Distribution is the calibration view of a cycle: the reviews that have
// reached calibration, by region (the unit below the company holding the
// review's unit), and for all the regions together.
type Distribution struct {
	CycleID int64          `json:"cycle_id"`
	Regions []RegionSpread `json:"regions"`
	Total   RegionSpread   `json:"total"`
}

// Distribution returns the calibration view of a cycle over the reviews the
// reader may see; for admin and managers.
func (s *Service) Distribution(ctx context.Context, cycleID int64) (*Distribution, error) {
	a, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	out := &Distribution{CycleID: cycleID, Regions: []RegionSpread{}}
	err = s.db.View(ctx, func(tx *db.Tx) error {
		if _, err := findCycle(ctx, tx, a, cycleID); err != nil {
			return err
		}
		if !canLead(a) {
			return echelon.Errorf(echelon.EFORBIDDEN, "review.distribution_forbidden")
		}
		cond, args := reviewScope(a)
		rows, err := tx.Query(ctx, `SELECT ru.path, r.proposed_rating, r.final_rating FROM reviews r JOIN org_units ru ON ru.id = r.org_unit_id
			WHERE r.cycle_id = ? AND r.state IN ('calibration', 'released', 'acknowledged') AND `+cond+` ORDER BY ru.path`,
			append([]any{cycleID}, args...)...)
		if err != nil {
			return fmt.Errorf("review: distribution of %d: %w", cycleID, err)
		}
		byRegion := map[string]*RegionSpread{}
		var order []string
		for rows.Next() {
			var path string
			var proposed, final int
			if err := rows.Scan(&path, &proposed, &final); err != nil {
				rows.Close()
				return fmt.Errorf("review: scan distribution: %w", err)
			}
			region := regionPath(path)
			rs := byRegion[region]
			if rs == nil {
				rs = &RegionSpread{}
				byRegion[region] = rs
				order = append(order, region)
			}
			for _, x := range []*RegionSpread{rs, &out.Total} {
				x.Reviews++
				x.Proposed[proposed-1]++
				x.Calibrated[final-1]++
				if proposed != final {
					x.Changed++
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("review: distribution of %d: %w", cycleID, err)
		}
		for _, path := range order {
			rs := byRegion[path]
			if err := tx.QueryRow(ctx, `SELECT id, name FROM org_units WHERE path = ?`, path).Scan(&rs.UnitID, &rs.UnitName); err != nil {
				return fmt.Errorf("review: region %s: %w", path, err)
			}
			out.Regions = append(out.Regions, *rs)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// regionPath is the path of the region holding the unit at path: the unit
// right below the company ("/1/2/3/" → "/1/2/"); the company itself for
// the company's own people.
func regionPath(path string) string {
	ids := strings.Split(strings.Trim(path, "/"), "/")
	if len(ids) > 2 {
		ids = ids[:2]
	}
	return "/" + strings.Join(ids, "/") + "/"
}
