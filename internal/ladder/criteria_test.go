package ladder_test

import (
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/ladder"
	"github.com/echelonhq/echelon/internal/testorg"
)

func TestService_Ladder(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		t.Run("EveryoneReadsTheSeededCriteriaByRank", func(t *testing.T) {
			for _, who := range []*echelon.Actor{testorg.ActorOf(f.EastRep), testorg.ActorOf(f.Marketing), testorg.ActorOf(f.Senior)} {
				list := must(f.L.FindLadder(echelon.NewContext(t.Context(), who)))
				if len(list) != 5 || list[0].Level.Code != "junior_rep" || list[4].Level.Code != "senior_manager" {
					t.Fatalf("ladder %+v", list)
				}
				mid := list[1]
				if mid.MinTenureMonths != 12 || mid.ScoreQuarters != 2 || mid.ScoreAverage != 80 || mid.ScoreFloor != 60 ||
					len(mid.Certifications) != 1 || mid.Competencies["sales_skills"] != 3 || mid.AccountLimit == 0 {
					t.Fatalf("mid_rep criteria %+v", mid)
				}
			}
		})
		good := ladder.CriteriaInput{MinTenureMonths: 6, ScoreQuarters: 2, ScoreAverage: 85, ScoreFloor: 70, Certifications: []string{"key_account"},
			Competencies: map[string]int{"leadership": 2}, AccountLimit: 7, CommissionPlan: "rep-2026", LearningPath: "mid-path",
			TargetBandMin: 10, TargetBandMax: 20.5, Version: 1}
		mid := f.Levels["mid_rep"]
		t.Run("AdminReplacesCriteriaAndTheAccountLimit", func(t *testing.T) {
			c := must(f.L.UpdateCriteria(testorg.As(f.Admin), mid, good))
			if c.Version != 2 || c.AccountLimit != 7 || c.CommissionPlan != "rep-2026" || c.TargetBandMax != 20.5 || c.Certifications[0] != "key_account" {
				t.Fatalf("criteria %+v", c)
			}
			var limit int
			if err := d.View(t.Context(), func(tx *db.Tx) error {
				return tx.QueryRow(t.Context(), `SELECT account_limit FROM levels WHERE id = ?`, mid).Scan(&limit)
			}); err != nil || limit != 7 {
				t.Fatalf("levels.account_limit %d, %v", limit, err)
			}
		})
		t.Run("ErrStaleVersion", func(t *testing.T) {
			_, err := f.L.UpdateCriteria(testorg.As(f.Admin), mid, good)
			wantCode(t, err, echelon.ECONFLICT)
		})
		t.Run("ErrNotAdmin", func(t *testing.T) {
			for _, p := range []*echelon.Actor{testorg.ActorOf(f.Senior), testorg.ActorOf(f.EastMgr), testorg.ActorOf(f.EastRep), testorg.ActorOf(f.Marketing)} {
				_, err := f.L.UpdateCriteria(echelon.NewContext(t.Context(), p), mid, good)
				wantCode(t, err, echelon.EFORBIDDEN)
			}
		})
		t.Run("ErrUnknownReferencesChangeNothing", func(t *testing.T) {
			before := must(f.L.FindCriteria(testorg.As(f.EastRep), mid))
			for field, in := range map[string]ladder.CriteriaInput{
				"certifications[0]":       {Certifications: []string{"astrology"}},
				"competencies.charm":      {Competencies: map[string]int{"charm": 3}},
				"competencies.leadership": {Competencies: map[string]int{"leadership": 6}},
				"kpi_template_id":         {KPITemplateID: 999},
				"score_floor":             {ScoreQuarters: 2, ScoreAverage: 50, ScoreFloor: 60},
				"score_quarters":          {ScoreAverage: 50},
				"target_band_max":         {TargetBandMin: 30, TargetBandMax: 20},
				"commission_plan":         {CommissionPlan: "Plan A!"},
			} {
				in.Version = before.Version
				_, err := f.L.UpdateCriteria(testorg.As(f.Admin), mid, in)
				var e *echelon.Error
				if !asError(err, &e) || e.Code != echelon.EINVALID || e.Field != field {
					t.Errorf("%s: error %v", field, err)
				}
			}
			after := must(f.L.FindCriteria(testorg.As(f.EastRep), mid))
			if after.Version != before.Version || after.AccountLimit != before.AccountLimit {
				t.Fatalf("a refused change changed the criteria: %+v", after)
			}
		})
		t.Run("ErrUnknownLevel", func(t *testing.T) {
			_, err := f.L.FindCriteria(testorg.As(f.EastRep), 9999)
			wantCode(t, err, echelon.ENOTFOUND)
		})
	})
}
