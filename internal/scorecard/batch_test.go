package scorecard_test

import (
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/scorecard"
	"github.com/echelonhq/echelon/internal/settings"
	"github.com/echelonhq/echelon/internal/testorg"
)

// PersonTotals, which promotion readiness reads for many people at once,
// gives each person the total of their own scorecard, and leaves out
// those without a template.
func TestPersonTotals_EqualEachPersonsScorecard(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		if _, err := f.svc.EnterManual(testorg.As(f.EastMgr), scorecard.ManualInput{Code: "m_teamwork", PersonID: f.EastRep.ID, Period: "2026-Q2", Score: 80, Comment: "steady"}); err != nil {
			t.Fatal(err)
		}
		people := []scorecard.Scored{
			{PersonID: f.EastRep.ID, Role: "rep", LevelID: f.Levels["junior_rep"]},
			{PersonID: f.EastRep2.ID, Role: "rep", LevelID: f.Levels["mid_rep"]},
			{PersonID: f.EastMgr.ID, Role: "regional_manager", LevelID: f.Levels["regional_manager"]},
			{PersonID: f.Marketing.ID, Role: "marketing"},
		}
		var got map[int64]float64
		err := d.View(t.Context(), func(tx *db.Tx) error {
			cal, err := settings.Calendar(t.Context(), tx)
			if err != nil {
				return err
			}
			got, err = scorecard.PersonTotals(t.Context(), tx, people, cal, cal.Quarter(2026, 2), echelon.DefaultCurrency)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := got[f.Marketing.ID]; ok || len(got) != 3 {
			t.Fatalf("totals %v: marketing has no template", got)
		}
		for _, p := range people[:3] {
			card, err := f.svc.Scorecard(testorg.System(), kpi.Ref{PersonID: p.PersonID}, "2026-Q2", "")
			if err != nil {
				t.Fatal(err)
			}
			if got[p.PersonID] != card.Total {
				t.Errorf("person %d: batch total %v, scorecard total %v", p.PersonID, got[p.PersonID], card.Total)
			}
		}
		if got[f.EastRep.ID] == 0 {
			t.Error("Zhao's quarter scores nothing; the test proves little")
		}
	})
}
