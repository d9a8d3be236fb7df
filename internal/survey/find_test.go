package survey_test

import (
	"slices"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/survey"
	"github.com/echelonhq/echelon/internal/testorg"
)

// ids lists the ids of surveys.
func ids(ss []*survey.Survey) []int64 {
	var out []int64
	for _, s := range ss {
		out = append(out, s.ID)
	}
	return out
}

func TestService_EachRoleListsAndReadsTheSurveysInItsScope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		east, _ := f.send(t, f.EastRep, survey.SendInput{OpportunityID: f.eastWon.ID})
		east2, _ := f.send(t, f.EastRep2, survey.SendInput{AccountID: f.eastAcc2.ID})
		west, _ := f.send(t, f.WestRep, survey.SendInput{AccountID: f.westAcc.ID})
		all := []int64{east.ID, east2.ID, west.ID}
		for _, c := range []struct {
			name string
			who  *org.Person
			want []int64
		}{
			{"admin sees every survey", f.Admin, all},
			{"the senior manager sees every survey below them", f.Senior, all},
			{"the East's manager sees the East's", f.EastMgr, []int64{east.ID, east2.ID}},
			{"the West's manager sees the West's", f.WestMgr, []int64{west.ID}},
			{"a rep sees their own", f.EastRep, []int64{east.ID}},
			{"another rep sees theirs", f.EastRep2, []int64{east2.ID}},
			{"marketing sees none", f.Marketing, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, more, err := f.survey.FindSurveys(testorg.As(c.who), survey.Filter{Sort: "id"})
				if err != nil || more {
					t.Fatalf("list: more %v, %v", more, err)
				}
				if !slices.Equal(ids(got), c.want) {
					t.Fatalf("sees %v, want %v", ids(got), c.want)
				}
				for _, id := range all {
					_, err := f.survey.FindSurveyByID(testorg.As(c.who), id)
					if slices.Contains(c.want, id) != (err == nil) {
						t.Fatalf("reads survey %d: %v; in scope %v", id, err, slices.Contains(c.want, id))
					}
					if err != nil {
						wantErr(t, err, echelon.ENOTFOUND, "survey.not_found", "")
					}
				}
			})
		}
	})
}

func TestService_FindSurveysFiltersAndPagesWithoutCounting(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		expired, _ := f.send(t, f.EastRep, survey.SendInput{AccountID: f.eastAcc.ID, ValidDays: 1})
		f.clock.advance(48 * time.Hour)
		answered, token := f.send(t, f.EastRep, survey.SendInput{OpportunityID: f.eastWon.ID})
		if _, err := f.survey.Answer(t.Context(), token, 4, "Good service"); err != nil {
			t.Fatal(err)
		}
		pending, _ := f.send(t, f.WestRep, survey.SendInput{OpportunityID: f.westWon.ID, Lang: "en"})
		as := testorg.As(f.Admin)
		for _, c := range []struct {
			name string
			f    survey.Filter
			want []int64
		}{
			{"newest first by default", survey.Filter{}, []int64{pending.ID, answered.ID, expired.ID}},
			{"answered", survey.Filter{Status: survey.StatusAnswered}, []int64{answered.ID}},
			{"pending", survey.Filter{Status: survey.StatusPending}, []int64{pending.ID}},
			{"expired", survey.Filter{Status: survey.StatusExpired}, []int64{expired.ID}},
			{"by score", survey.Filter{Score: 4}, []int64{answered.ID}},
			{"by another score", survey.Filter{Score: 5}, nil},
			{"by the rep it counts for", survey.Filter{PersonID: f.WestRep.ID}, []int64{pending.ID}},
			{"by unit subtree", survey.Filter{UnitID: f.East.ID, Sort: "id"}, []int64{expired.ID, answered.ID}},
			{"by account", survey.Filter{AccountID: f.eastAcc.ID, Sort: "-id"}, []int64{answered.ID, expired.ID}},
			{"by deal", survey.Filter{OpportunityID: f.westWon.ID}, []int64{pending.ID}},
			{"answered first when sorted by answer", survey.Filter{Sort: "-answered_at"}, []int64{answered.ID, pending.ID, expired.ID}},
			{"unanswered last either way", survey.Filter{Sort: "answered_at"}, []int64{answered.ID, expired.ID, pending.ID}},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, _, err := f.survey.FindSurveys(as, c.f)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ids(got), c.want) {
					t.Fatalf("got %v, want %v", ids(got), c.want)
				}
			})
		}
		t.Run("a page says whether more follow", func(t *testing.T) {
			first, more, err := f.survey.FindSurveys(as, survey.Filter{Limit: 2})
			if err != nil || !more || len(first) != 2 {
				t.Fatalf("first page: %d items, more %v, %v", len(first), more, err)
			}
			last, more, err := f.survey.FindSurveys(as, survey.Filter{Limit: 2, Offset: 2})
			if err != nil || more || !slices.Equal(ids(last), []int64{expired.ID}) {
				t.Fatalf("last page: %v, more %v, %v", ids(last), more, err)
			}
		})
		t.Run("an unknown status or score is refused", func(t *testing.T) {
			_, _, err := f.survey.FindSurveys(as, survey.Filter{Status: "lost"})
			wantErr(t, err, echelon.EINVALID, "survey.status_invalid", "status")
			_, _, err = f.survey.FindSurveys(as, survey.Filter{Score: 6})
			wantErr(t, err, echelon.EINVALID, "survey.score_range", "score")
		})
	})
}
