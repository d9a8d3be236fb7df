package survey_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/survey"
	"github.com/echelonhq/echelon/internal/testorg"
)

func TestService_TheCustomerOpensAndAnswersOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		sent, token := f.send(t, f.EastRep, survey.SendInput{OpportunityID: f.eastWon.ID, Lang: "en"})
		anon := t.Context()
		pub, err := f.survey.Open(anon, token)
		if err != nil {
			t.Fatal(err)
		}
		if *pub != (survey.Public{AccountName: f.eastAcc.Name, OpportunityName: f.eastWon.Name, Lang: "en"}) {
			t.Fatalf("the customer sees %+v", pub)
		}
		unchanged := f.untouched(t)
		for _, c := range []struct {
			name, comment string
			score         int
			field, key    string
		}{
			{"a score below 1", "", 0, "score", "survey.score_range"},
			{"a score above 5", "", 6, "score", "survey.score_range"},
			{"a comment too long", strings.Repeat("好", 2001), 5, "comment", "field.too_long"},
		} {
			_, err := f.survey.Answer(anon, token, c.score, c.comment)
			wantErr(t, err, echelon.EINVALID, c.key, c.field)
			unchanged()
		}
		f.clock.advance(time.Hour)
		if _, err := f.survey.Answer(anon, token, 5, "  服务很好 Very good  "); err != nil {
			t.Fatal(err)
		}
		got, err := f.survey.FindSurveyByID(testorg.As(f.EastRep), sent.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != survey.StatusAnswered || got.Score != 5 || got.Comment != "服务很好 Very good" || got.AnsweredAt == nil ||
			!got.AnsweredAt.Equal(f.clock.Now()) || got.Version != 2 {
			t.Fatalf("after the answer: %+v", got)
		}
		if es := f.entries(t, sent.ID, "answer"); len(es) != 1 || es[0].ActorName != "customer" || es[0].ActorID != 0 {
			t.Fatalf("audit of the answer: %+v; want one entry by the customer", es)
		}
		unchanged = f.untouched(t)
		_, err = f.survey.Answer(anon, token, 1, "changed my mind")
		wantErr(t, err, echelon.ECONFLICT, "survey.answered", "")
		_, err = f.survey.Open(anon, token)
		wantErr(t, err, echelon.ECONFLICT, "survey.answered", "")
		unchanged()
	})
}

func TestService_UnknownAndExpiredLinksAreRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		_, token := f.send(t, f.WestRep, survey.SendInput{AccountID: f.westAcc.ID, ValidDays: 3})
		anon := t.Context()
		unchanged := f.untouched(t)
		for _, bad := range []string{"", "not-a-token", token[:len(token)-1], strings.ToUpper(token)} {
			_, err := f.survey.Open(anon, bad)
			wantErr(t, err, echelon.ENOTFOUND, "survey.link_invalid", "")
			_, err = f.survey.Answer(anon, bad, 5, "")
			wantErr(t, err, echelon.ENOTFOUND, "survey.link_invalid", "")
		}
		f.clock.advance(3*24*time.Hour - time.Second)
		if _, err := f.survey.Open(anon, token); err != nil {
			t.Fatalf("a second before it expires: %v", err)
		}
		f.clock.advance(time.Second)
		_, err := f.survey.Open(anon, token)
		wantErr(t, err, echelon.ECONFLICT, "survey.expired", "")
		_, err = f.survey.Answer(anon, token, 5, "late")
		wantErr(t, err, echelon.ECONFLICT, "survey.expired", "")
		unchanged()
	})
}

func TestService_OfTwoAnswersAtOnceExactlyOneIsTaken(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		sent, token := f.send(t, f.EastRep, survey.SendInput{AccountID: f.eastAcc.ID})
		const n = 8
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = f.survey.Answer(t.Context(), token, i%5+1, "")
			})
		}
		close(start) // the answers set off together, so their transactions overlap
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			wantErr(t, err, echelon.ECONFLICT, "survey.answered", "")
		}
		if won != 1 {
			t.Fatalf("%d answers were taken, want exactly 1 (errors %v)", won, errs)
		}
		got, err := f.survey.FindSurveyByID(testorg.System(), sent.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 || len(f.entries(t, sent.ID, "answer")) != 1 {
			t.Fatalf("version %d and %d audit entries, want 2 and 1", got.Version, len(f.entries(t, sent.ID, "answer")))
		}
	})
}
