package ladder_test

import (
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/ladder"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/testorg"
)

// readinessOf is Zhao's (junior rep) readiness for mid_rep, read by their manager.
func (f *fixture) readinessOf(t *testing.T, p *org.Person) *ladder.Readiness {
	t.Helper()
	return must(f.L.Readiness(testorg.As(f.EastMgr), p.ID))
}

func TestReadiness_Tenure(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.criteria(t, "mid_rep", ladder.CriteriaInput{MinTenureMonths: 12, Version: 1})
		for _, c := range []struct {
			name, hired, status, since string
			months                     int
			soon                       bool
		}{
			{"ExactlyTwelveMonthsIsMet", "2025-05-15", ladder.Met, "2025-05-15", 12, false},
			{"OneDayShortIsNotMetButSoon", "2025-05-16", ladder.NotMet, "2025-05-16", 11, true},
			{"ReachedOnTheLastDayOfTheNextQuarterIsSoon", "2025-09-30", ladder.NotMet, "2025-09-30", 7, true},
			{"ReachedAfterTheNextQuarterIsNotSoon", "2025-10-01", ladder.NotMet, "2025-10-01", 7, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				f.hired(t, f.EastRep, c.hired)
				r := f.readinessOf(t, f.EastRep)
				got := criterion(t, r, ladder.KindTenure)
				if got.Status != c.status || got.Tenure.Months != c.months || got.Tenure.Since.String() != c.since || got.Soon != c.soon ||
					got.Tenure.Source != "hire_date" || got.Tenure.Required != 12 {
					t.Fatalf("tenure %+v %+v", got, got.Tenure)
				}
			})
		}
		t.Run("NoHireDateIsMissingData", func(t *testing.T) {
			empty := ""
			must(f.Org.Org.UpdatePerson(testorg.System(), f.EastRep.ID, org.PersonUpdate{HireDate: &empty}))
			r := f.readinessOf(t, f.EastRep)
			if got := criterion(t, r, ladder.KindTenure); got.Status != ladder.MissingData || got.Tenure.Source != "none" {
				t.Fatalf("tenure %+v", got)
			}
			if r.Bucket != ladder.NotYet || r.Score != 0 || r.Explanation != "0 ÷ 1 = 0%" {
				t.Fatalf("readiness %+v", r)
			}
		})
		t.Run("MonthEndsCountWholeMonths", func(t *testing.T) {
			f.hired(t, f.EastRep, "2025-01-31")
			got := criterion(t, f.readinessOf(t, f.EastRep), ladder.KindTenure)
			if got.Tenure.Months != 15 || got.Tenure.ReachedOn.String() != "2026-01-31" {
				t.Fatalf("tenure %+v", got.Tenure)
			}
		})
	})
}

func TestReadiness_Scorecard(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.criteria(t, "mid_rep", ladder.CriteriaInput{ScoreQuarters: 2, ScoreAverage: 80, ScoreFloor: 60, Version: 1})
		t.Run("NoTemplateIsMissingData", func(t *testing.T) {
			got := criterion(t, f.readinessOf(t, f.EastRep), ladder.KindScorecard)
			if got.Status != ladder.MissingData || got.Scorecard.Quarters[0].Missing != "no_template" || got.Scorecard.Quarters[0].Period != "2026-Q1" ||
				got.Scorecard.Quarters[1].Period != "2025-Q4" {
				t.Fatalf("scorecard %+v %+v", got, got.Scorecard)
			}
		})
		f.scoredByHand(t)
		for _, c := range []struct {
			name    string
			q1, q4  int
			status  string
			average float64
			soon    bool
		}{
			{"AverageExactlyAtThresholdIsMet", 80, 80, ladder.Met, 80, false},
			{"AverageHalfAPointShortIsNotMetButSoon", 80, 79, ladder.NotMet, 79.5, true},
			{"AverageFivePointsShortIsStillSoon", 75, 75, ladder.NotMet, 75, true},
			{"AverageMoreThanFivePointsShortIsNotSoon", 75, 74, ladder.NotMet, 74.5, false},
			{"AQuarterExactlyAtTheFloorIsMet", 100, 60, ladder.Met, 80, false},
			{"AQuarterOnePointBelowTheFloorIsNotMetAndNotSoon", 101, 59, ladder.NotMet, 80, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				f.score(t, f.EastRep, "2026-Q1", c.q1)
				f.score(t, f.EastRep, "2025-Q4", c.q4)
				got := criterion(t, f.readinessOf(t, f.EastRep), ladder.KindScorecard)
				e := got.Scorecard
				if got.Status != c.status || e.Average != c.average || got.Soon != c.soon || e.Quarters[0].Score != float64(c.q1) ||
					e.Quarters[1].Score != float64(c.q4) || e.RequiredAverage != 80 || e.Floor != 60 {
					t.Fatalf("scorecard %+v %+v", got, e)
				}
			})
		}
		t.Run("AQuarterBeforeTheHireIsMissingData", func(t *testing.T) {
			f.hired(t, f.EastRep, "2026-01-01")
			got := criterion(t, f.readinessOf(t, f.EastRep), ladder.KindScorecard)
			if got.Status != ladder.MissingData || got.Scorecard.Quarters[1].Missing != "not_employed" || got.Scorecard.Quarters[0].Missing != "" {
				t.Fatalf("scorecard %+v", got.Scorecard)
			}
		})
	})
}

func TestReadiness_CertificationsAndCompetencies(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.criteria(t, "mid_rep", ladder.CriteriaInput{Certifications: []string{"key_account", "product_basics"},
			Competencies: map[string]int{"product_knowledge": 3, "sales_skills": 3}, Version: 1})
		li := testorg.As(f.EastMgr)
		record := func(code, issued, expires string) {
			must(f.L.RecordCertification(li, ladder.CertificationInput{PersonID: f.EastRep.ID, Code: code, IssuedOn: issued, ExpiresOn: expires}))
		}
		t.Run("NothingHeldAndNoReview", func(t *testing.T) {
			r := f.readinessOf(t, f.EastRep)
			certs, comps := criterion(t, r, ladder.KindCertifications), criterion(t, r, ladder.KindCompetencies)
			if certs.Status != ladder.NotMet || len(certs.Certifications.Missing) != 2 || comps.Status != ladder.MissingData || comps.Competencies.ReviewID != 0 {
				t.Fatalf("certs %+v comps %+v", certs.Certifications, comps.Competencies)
			}
		})
		t.Run("ExpiredYesterdayOrIssuedTomorrowIsNotHeld", func(t *testing.T) {
			record("key_account", "2024-01-01", "2026-05-14")
			record("product_basics", "2026-05-16", "")
			got := criterion(t, f.readinessOf(t, f.EastRep), ladder.KindCertifications)
			if got.Status != ladder.NotMet || len(got.Certifications.Held) != 0 {
				t.Fatalf("certifications %+v", got.Certifications)
			}
		})
		t.Run("ExpiringTodayAndIssuedTodayAreHeld", func(t *testing.T) {
			record("key_account", "2025-01-01", "2026-05-15")
			record("product_basics", "2026-05-15", "")
			got := criterion(t, f.readinessOf(t, f.EastRep), ladder.KindCertifications)
			if got.Status != ladder.Met || len(got.Certifications.Held) != 2 || got.Certifications.Held[0].ExpiresOn.String() != "2026-05-15" {
				t.Fatalf("certifications %+v", got.Certifications)
			}
		})
		t.Run("RatingsExactlyAtThresholdAreMet", func(t *testing.T) {
			id := f.released(t, f.EastRep, `{"product_knowledge":3,"sales_skills":4,"leadership":1}`)
			got := criterion(t, f.readinessOf(t, f.EastRep), ladder.KindCompetencies)
			if got.Status != ladder.Met || got.Competencies.ReviewID != id || got.Competencies.Period != "2026-Q1" || len(got.Competencies.Ratings) != 2 ||
				got.Competencies.Ratings[0] != (ladder.CompetencyRating{Code: "product_knowledge", Rating: 3, Required: 3, Met: true}) {
				t.Fatalf("competencies %+v", got.Competencies)
			}
		})
		t.Run("ARatingOneBelowIsNotMet", func(t *testing.T) {
			f.released(t, f.EastRep, `{"product_knowledge":2,"sales_skills":4}`)
			r := f.readinessOf(t, f.EastRep)
			got := criterion(t, r, ladder.KindCompetencies)
			if got.Status != ladder.NotMet || got.Soon || got.Competencies.Ratings[0].Met {
				t.Fatalf("competencies %+v", got)
			}
			if r.Met != 1 || r.Applicable != 2 || r.Score != 0.5 || r.Bucket != ladder.NotYet || r.Explanation != "1 ÷ 2 = 50%" {
				t.Fatalf("readiness %+v", r)
			}
		})
		t.Run("ARequiredRatingLeftOutIsMissingData", func(t *testing.T) {
			f.released(t, f.EastRep, `{"product_knowledge":5}`)
			got := criterion(t, f.readinessOf(t, f.EastRep), ladder.KindCompetencies)
			if got.Status != ladder.MissingData || got.Competencies.Ratings[1].Rating != 0 {
				t.Fatalf("competencies %+v", got.Competencies)
			}
		})
		t.Run("AllMetIsReadyNow", func(t *testing.T) {
			f.released(t, f.EastRep, `{"product_knowledge":5,"sales_skills":5}`)
			r := f.readinessOf(t, f.EastRep)
			if r.Bucket != ladder.ReadyNow || r.Score != 1 || r.NextLevel.Code != "mid_rep" || r.Level.Code != "junior_rep" {
				t.Fatalf("readiness %+v", r)
			}
		})
	})
}

func TestReadiness_BucketsAndScope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.criteria(t, "mid_rep", ladder.CriteriaInput{MinTenureMonths: 12, Version: 1})
		f.criteria(t, "senior_rep", ladder.CriteriaInput{MinTenureMonths: 12, ScoreQuarters: 1, ScoreAverage: 90, ScoreFloor: 0, Version: 1})
		f.scoredByHand(t)
		f.hired(t, f.EastRep, "2025-07-01") // 10 months, 12 reached 2026-07-01: soon
		f.score(t, f.EastRep2, "2026-Q1", 50)
		t.Run("TheManagerSeesTheirSubtreeByBucket", func(t *testing.T) {
			b := must(f.L.ReadinessBoard(testorg.As(f.EastMgr), 0))
			names := func(list []ladder.Readiness) (out []string) {
				for _, r := range list {
					out = append(out, r.Name)
				}
				return out
			}
			if got := names(b.ReadySoon); len(got) != 1 || got[0] != "Zhao" {
				t.Errorf("ready soon %v", got)
			}
			// Li, a regional manager, is measured against the seeded criteria of the senior manager level.
			if got := names(b.NotYet); len(got) != 2 || got[0] != "Qian" || got[1] != "Li" {
				t.Errorf("not yet %v", got)
			}
			for _, r := range append(b.ReadyNow, append(b.ReadySoon, b.NotYet...)...) {
				if r.Name == "Zhou" || r.Name == "Wang" {
					t.Errorf("the West's %s is in the East manager's view", r.Name)
				}
			}
		})
		t.Run("TheSeniorManagerNarrowsToAUnit", func(t *testing.T) {
			b := must(f.L.ReadinessBoard(testorg.As(f.Senior), f.West.ID))
			all := append(b.ReadyNow, append(b.ReadySoon, b.NotYet...)...)
			if len(all) != 2 {
				t.Fatalf("the West's board %+v", all)
			}
		})
		t.Run("ErrAManagerAsksForAnotherRegion", func(t *testing.T) {
			_, err := f.L.ReadinessBoard(testorg.As(f.EastMgr), f.West.ID)
			wantCode(t, err, echelon.ENOTFOUND)
		})
		t.Run("ARepSeesOnlyThemselves", func(t *testing.T) {
			b := must(f.L.ReadinessBoard(testorg.As(f.EastRep), 0))
			if len(b.ReadySoon) != 1 || len(b.NotYet)+len(b.ReadyNow) != 0 {
				t.Fatalf("rep's board %+v", b)
			}
			_, err := f.L.Readiness(testorg.As(f.EastRep), f.EastRep2.ID)
			wantCode(t, err, echelon.ENOTFOUND)
			_, err = f.L.Readiness(testorg.As(f.EastMgr), f.WestRep.ID)
			wantCode(t, err, echelon.ENOTFOUND)
		})
		t.Run("TheTopOfTheLadderAndPeopleWithoutALevel", func(t *testing.T) {
			if r := must(f.L.Readiness(testorg.As(f.Senior), f.Senior.ID)); r.Bucket != ladder.AtTop || r.NextLevel != nil {
				t.Fatalf("senior %+v", r)
			}
			if r := must(f.L.Readiness(testorg.As(f.Marketing), f.Marketing.ID)); r.Bucket != ladder.NoLevel {
				t.Fatalf("marketing %+v", r)
			}
		})
	})
}
