package ladder_test

import (
	"testing"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/testorg"
)

// A level set on the person's record (PATCH /people/{id}) is kept in the
// level history like a nomination's, and tenure in the level restarts.
func TestALevelSetOnThePersonsRecordIsInTheHistory(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		mid := f.Levels["mid_rep"]
		if _, err := f.Org.Org.UpdatePerson(testorg.As(f.Admin), f.EastRep.ID, org.PersonUpdate{LevelID: &mid}); err != nil {
			t.Fatal(err)
		}
		hist := must(f.L.History(testorg.As(f.EastMgr), f.EastRep.ID))
		if len(hist) != 1 || hist[0].To.Code != "mid_rep" || hist[0].From == nil || hist[0].From.Code != "junior_rep" || hist[0].Pending {
			t.Fatalf("history %+v, want junior_rep → mid_rep applied", hist)
		}
		r := must(f.L.Readiness(testorg.As(f.EastMgr), f.EastRep.ID))
		var tenure int
		for _, c := range r.Criteria {
			if c.Tenure != nil {
				tenure++
				if c.Tenure.Source != "level_change" || c.Tenure.Months != 0 {
					t.Errorf("tenure %+v, want counted from today's level change", c.Tenure)
				}
			}
		}
		if tenure != 1 {
			t.Errorf("%d tenure criteria for senior_rep, want 1", tenure)
		}
	})
}
