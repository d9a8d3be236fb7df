package talent

import (
	"context"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/review"
)

// The grid's three bands of performance and of potential.
const (
	Low    = 1
	Medium = 2
	High   = 3
)

// PerformanceBand places a final review rating (1–5) on the grid: 1–2
// low, 3 medium, 4–5 high.
func PerformanceBand(rating int) int {
	switch {
	case rating >= 4:
		return High
	case rating == 3:
		return Medium
	}
	return Low
}

// Placed is a person on the grid with the released review that placed them.
type Placed struct {
	Person
	ReviewID  int64  `json:"review_id"`
	Period    string `json:"period"`
	Rating    int    `json:"rating"`
	Potential int    `json:"potential"`
}

// Cell is one box of the grid.
type Cell struct {
	Performance int      `json:"performance"` // 1 low … 3 high
	Potential   int      `json:"potential"`   // 1 low … 3 high
	People      []Placed `json:"people"`
}

// Grid is the performance × potential grid (九宫格) of a unit's people,
// from each one's latest released review; people without one are listed
// apart.
type Grid struct {
	Unit Unit `json:"unit"`
	// Cells run from high performance and high potential (top right of the
	// drawing) row by row: Cells[(3-performance)*3 + (potential-1)].
	Cells   [9]Cell  `json:"cells"`
	Unrated []Person `json:"unrated"`
	Rated   int      `json:"rated"`
}

// Grid draws the talent grid of a unit's subtree (0: the reader's own).
func (s *Service) Grid(ctx context.Context, unitID int64) (*Grid, error) {
	var out *Grid
	err := s.db.View(ctx, func(tx *db.Tx) error {
		a, u, err := viewUnit(ctx, tx, unitID)
		if err != nil {
			return err
		}
		people, err := peopleIn(ctx, tx, a, u)
		if err != nil {
			return err
		}
		released, err := review.LatestReleased(ctx, tx, ids(people))
		if err != nil {
			return err
		}
		out = &Grid{Unit: u, Unrated: []Person{}}
		for perf := High; perf >= Low; perf-- {
			for pot := Low; pot <= High; pot++ {
				out.Cells[cellIndex(perf, pot)] = Cell{Performance: perf, Potential: pot, People: []Placed{}}
			}
		}
		for _, p := range people {
			r, ok := released[p.ID]
			if !ok || r.Potential < Low || r.Potential > High {
				out.Unrated = append(out.Unrated, p)
				continue
			}
			c := &out.Cells[cellIndex(PerformanceBand(r.Rating), r.Potential)]
			c.People = append(c.People, Placed{Person: p, ReviewID: r.ReviewID, Period: r.Period, Rating: r.Rating, Potential: r.Potential})
			out.Rated++
		}
		return nil
	})
	return out, err
}

func cellIndex(performance, potential int) int { return (High-performance)*3 + potential - 1 }

// Cell returns the box of a performance and potential band.
func (g *Grid) Cell(performance, potential int) *Cell {
	return &g.Cells[cellIndex(performance, potential)]
}
