package ladder_test

import (
	"context"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/ladder"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/testorg"
)

func levelOf(t *testing.T, f *fixture, p *org.Person) string {
	t.Helper()
	return must(f.Org.Org.FindPersonByID(testorg.System(), p.ID)).LevelCode
}

func TestNominations(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		li, sun, wang, zhao := testorg.As(f.EastMgr), testorg.As(f.Senior), testorg.As(f.WestMgr), testorg.As(f.EastRep)
		promote := ladder.NominationInput{PersonID: f.EastRep.ID, Kind: ladder.Promotion, Reason: "Two strong quarters"}
		var n *ladder.Nomination
		t.Run("AManagerNominatesARepOfTheirSubtreeWithTheEvidence", func(t *testing.T) {
			n = must(f.L.Nominate(li, promote))
			if n.State != ladder.Pending || n.From.Code != "junior_rep" || n.To.Code != "mid_rep" || n.ApproverID != f.Senior.ID ||
				n.Evidence == nil || n.Evidence.NextLevel.Code != "mid_rep" || len(n.Evidence.Criteria) != 4 || n.CanDecide {
				t.Fatalf("nomination %+v", n)
			}
		})
		t.Run("ErrRefusals", func(t *testing.T) {
			for name, c := range map[string]struct {
				ctx   context.Context
				in    ladder.NominationInput
				code  string
				field string
			}{
				"a rep may not nominate":                   {zhao, ladder.NominationInput{PersonID: f.EastRep2.ID, Kind: ladder.Promotion, Reason: "x"}, echelon.EFORBIDDEN, ""},
				"marketing may not nominate":               {testorg.As(f.Marketing), promote, echelon.EFORBIDDEN, ""},
				"nobody nominates themselves":              {li, ladder.NominationInput{PersonID: f.EastMgr.ID, Kind: ladder.Promotion, Reason: "x"}, echelon.EFORBIDDEN, ""},
				"someone outside the subtree is unknown":   {wang, promote, echelon.EINVALID, "person_id"},
				"a second pending nomination conflicts":    {sun, promote, echelon.ECONFLICT, ""},
				"a reason is required":                     {li, ladder.NominationInput{PersonID: f.EastRep2.ID, Kind: ladder.Promotion, Reason: " "}, echelon.EINVALID, "reason"},
				"an unknown kind is refused":               {li, ladder.NominationInput{PersonID: f.EastRep2.ID, Kind: "leap", Reason: "x"}, echelon.EINVALID, "kind"},
				"the top of the ladder cannot be promoted": {testorg.As(f.Admin), ladder.NominationInput{PersonID: f.Senior.ID, Kind: ladder.Promotion, Reason: "x"}, echelon.EINVALID, "kind"},
				"a demotion goes down":                     {li, ladder.NominationInput{PersonID: f.EastRep2.ID, Kind: ladder.Demotion, ToLevelID: f.Levels["senior_rep"], Reason: "x"}, echelon.EINVALID, "to_level_id"},
				"someone without a level is not on it":     {testorg.As(f.Admin), ladder.NominationInput{PersonID: f.Marketing.ID, Kind: ladder.Hold, Reason: "x"}, echelon.EINVALID, "person_id"},
			} {
				_, err := f.L.Nominate(c.ctx, c.in)
				var e *echelon.Error
				if !asError(err, &e) || e.Code != c.code || e.Field != c.field {
					t.Errorf("%s: %v", name, err)
				}
			}
		})
		t.Run("OnlyTheNextManagerUpDecides", func(t *testing.T) {
			_, err := f.L.Approve(li, n.ID, ladder.DecisionInput{Reason: "mine"})
			wantCode(t, err, echelon.EFORBIDDEN)
			_, err = f.L.Approve(wang, n.ID, ladder.DecisionInput{Reason: "not mine"})
			wantCode(t, err, echelon.ENOTFOUND)
			_, err = f.L.Approve(zhao, n.ID, ladder.DecisionInput{Reason: "me"})
			wantCode(t, err, echelon.ENOTFOUND)
			_, err = f.L.Approve(sun, n.ID, ladder.DecisionInput{Reason: " "})
			wantCode(t, err, echelon.EINVALID)
			if levelOf(t, f, f.EastRep) != "junior_rep" {
				t.Fatal("a refused approval changed the level")
			}
			todo := must(f.L.FindNominations(sun, ladder.NominationFilter{View: ladder.ViewToDecide}))
			if len(todo) != 1 || todo[0].ID != n.ID || !todo[0].CanDecide {
				t.Fatalf("Sun's nominations to decide %+v", todo)
			}
			if mine := must(f.L.FindNominations(li, ladder.NominationFilter{View: ladder.ViewToDecide})); len(mine) != 0 {
				t.Fatalf("Li may decide %+v", mine)
			}
		})
		t.Run("ARepDoesNotSeeTheirPendingNomination", func(t *testing.T) {
			if list := must(f.L.FindNominations(zhao, ladder.NominationFilter{})); len(list) != 0 {
				t.Fatalf("Zhao sees %+v", list)
			}
		})
		t.Run("ApprovalChangesTheLevelAndKeepsHistory", func(t *testing.T) {
			got := must(f.L.Approve(sun, n.ID, ladder.DecisionInput{Reason: "Agreed", Version: n.Version}))
			if got.State != ladder.Approved || got.DecidedBy != f.Senior.ID || got.DecisionReason != "Agreed" {
				t.Fatalf("approved %+v", got)
			}
			if levelOf(t, f, f.EastRep) != "mid_rep" {
				t.Fatal("the level did not change")
			}
			h := must(f.L.History(zhao, f.EastRep.ID))
			if len(h) != 1 || h[0].From.Code != "junior_rep" || h[0].To.Code != "mid_rep" || h[0].EffectiveOn.String() != "2026-05-15" ||
				h[0].NominationID != n.ID || h[0].Pending || h[0].ChangedBy != "Sun" {
				t.Fatalf("history %+v", h)
			}
			r := must(f.L.Readiness(zhao, f.EastRep.ID))
			if ten := criterion(t, r, ladder.KindTenure); ten.Tenure.Source != "level_change" || ten.Tenure.Since.String() != "2026-05-15" || ten.Tenure.Months != 0 {
				t.Fatalf("tenure after the promotion %+v", ten.Tenure)
			}
			if list := must(f.L.FindNominations(zhao, ladder.NominationFilter{})); len(list) != 1 {
				t.Fatalf("Zhao does not see their approved nomination: %+v", list)
			}
			_, err := f.L.Reject(sun, n.ID, ladder.DecisionInput{Reason: "changed my mind"})
			wantCode(t, err, echelon.ECONFLICT)
		})
		t.Run("AFutureDateWaitsForTheSweep", func(t *testing.T) {
			m := must(f.L.Nominate(li, ladder.NominationInput{PersonID: f.EastRep2.ID, Kind: ladder.Demotion, EffectiveOn: "2026-06-01", Reason: "Missed targets"}))
			must(f.L.Approve(sun, m.ID, ladder.DecisionInput{Reason: "Agreed"}))
			if levelOf(t, f, f.EastRep2) != "mid_rep" {
				t.Fatal("a change dated 1 June applied on 15 May")
			}
			if h := must(f.L.History(li, f.EastRep2.ID)); len(h) != 1 || !h[0].Pending || h[0].To.Code != "junior_rep" {
				t.Fatalf("history %+v", h)
			}
			if n := must(f.L.ApplyDue(testorg.System())); n != 0 {
				t.Fatalf("applied %d before the date", n)
			}
			later := ladder.NewService(d, func() time.Time { return time.Date(2026, 6, 1, 0, 30, 0, 0, echelon.CompanyZone()) })
			if n := must(later.ApplyDue(testorg.System())); n != 1 {
				t.Fatalf("applied %d on the date", n)
			}
			if levelOf(t, f, f.EastRep2) != "junior_rep" {
				t.Fatal("the sweep did not apply the change")
			}
		})
		t.Run("RejectAndWithdraw", func(t *testing.T) {
			m := must(f.L.Nominate(wang, ladder.NominationInput{PersonID: f.WestRep.ID, Kind: ladder.Hold, Reason: "Keep"}))
			_, err := f.L.Withdraw(sun, m.ID, ladder.DecisionInput{})
			wantCode(t, err, echelon.EFORBIDDEN)
			got := must(f.L.Reject(sun, m.ID, ladder.DecisionInput{Reason: "Promote instead"}))
			if got.State != ladder.Rejected || levelOf(t, f, f.WestRep) != "mid_rep" {
				t.Fatalf("rejected %+v", got)
			}
			m = must(f.L.Nominate(wang, ladder.NominationInput{PersonID: f.WestRep.ID, Kind: ladder.Promotion, Reason: "Again"}))
			if got := must(f.L.Withdraw(wang, m.ID, ladder.DecisionInput{})); got.State != ladder.Withdrawn {
				t.Fatalf("withdrawn %+v", got)
			}
		})
		t.Run("AtTheTopASeniorManagerOrAnAdminDecides", func(t *testing.T) {
			m := must(f.L.Nominate(sun, ladder.NominationInput{PersonID: f.WestMgr.ID, Kind: ladder.Hold, Reason: "Steady"}))
			if m.ApproverID != 0 {
				t.Fatalf("Sun has no manager, yet approver %d", m.ApproverID)
			}
			_, err := f.L.Approve(sun, m.ID, ladder.DecisionInput{Reason: "mine"})
			wantCode(t, err, echelon.EFORBIDDEN)
			got := must(f.L.Approve(testorg.As(f.Admin), m.ID, ladder.DecisionInput{Reason: "Fine"}))
			if got.State != ladder.Approved || levelOf(t, f, f.WestMgr) != "regional_manager" {
				t.Fatalf("hold %+v", got)
			}
			h := must(f.L.History(sun, f.WestMgr.ID))
			if len(h) != 1 || h[0].From.Code != h[0].To.Code {
				t.Fatalf("a hold's history %+v", h)
			}
		})
	})
}

func TestCertifications(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		in := ladder.CertificationInput{PersonID: f.EastRep.ID, Code: "product_basics", IssuedOn: "2026-01-10", ExpiresOn: "2028-01-10", Note: "passed"}
		t.Run("AManagerRecordsForTheirSubtree", func(t *testing.T) {
			c := must(f.L.RecordCertification(testorg.As(f.EastMgr), in))
			if c.PersonName != "Zhao" || c.IssuedOn.String() != "2026-01-10" || c.ExpiresOn.String() != "2028-01-10" {
				t.Fatalf("certification %+v", c)
			}
		})
		t.Run("ErrRefusals", func(t *testing.T) {
			for name, c := range map[string]struct {
				who   *org.Person
				in    ladder.CertificationInput
				code  string
				field string
			}{
				"a rep may not record":                  {f.EastRep, in, echelon.EFORBIDDEN, ""},
				"marketing may not record":              {f.Marketing, in, echelon.EFORBIDDEN, ""},
				"a manager may not record their own":    {f.EastMgr, ladder.CertificationInput{PersonID: f.EastMgr.ID, Code: "product_basics", IssuedOn: "2026-01-01"}, echelon.EFORBIDDEN, ""},
				"another region's rep is unknown":       {f.WestMgr, in, echelon.EINVALID, "person_id"},
				"an unknown certification is refused":   {f.EastMgr, ladder.CertificationInput{PersonID: f.EastRep.ID, Code: "astrology", IssuedOn: "2026-01-01"}, echelon.EINVALID, "code"},
				"an expiry before the issue is refused": {f.EastMgr, ladder.CertificationInput{PersonID: f.EastRep.ID, Code: "key_account", IssuedOn: "2026-01-01", ExpiresOn: "2025-01-01"}, echelon.EINVALID, "expires_on"},
				"an issue date is required":             {f.EastMgr, ladder.CertificationInput{PersonID: f.EastRep.ID, Code: "key_account"}, echelon.EINVALID, "issued_on"},
			} {
				_, err := f.L.RecordCertification(testorg.As(c.who), c.in)
				var e *echelon.Error
				if !asError(err, &e) || e.Code != c.code || e.Field != c.field {
					t.Errorf("%s: %v", name, err)
				}
			}
		})
		t.Run("ReadsAreScoped", func(t *testing.T) {
			if l := must(f.L.FindCertifications(testorg.As(f.EastRep), 0)); len(l) != 1 {
				t.Fatalf("Zhao reads %+v", l)
			}
			if l := must(f.L.FindCertifications(testorg.As(f.WestMgr), 0)); len(l) != 0 {
				t.Fatalf("Wang reads %+v", l)
			}
			_, err := f.L.FindCertifications(testorg.As(f.EastRep2), f.EastRep.ID)
			wantCode(t, err, echelon.ENOTFOUND)
		})
		t.Run("TheCatalogue", func(t *testing.T) {
			if l := must(f.L.FindCertificationTypes(testorg.As(f.Marketing))); len(l) != 4 {
				t.Fatalf("catalogue %+v", l)
			}
			_, err := f.L.CreateCertificationType(testorg.As(f.Senior), ladder.CertificationType{Code: "negotiation", NameZh: "谈判", NameEn: "Negotiation"})
			wantCode(t, err, echelon.EFORBIDDEN)
			must(f.L.CreateCertificationType(testorg.As(f.Admin), ladder.CertificationType{Code: "negotiation", NameZh: "谈判", NameEn: "Negotiation"}))
			_, err = f.L.CreateCertificationType(testorg.As(f.Admin), ladder.CertificationType{Code: "negotiation", NameZh: "谈判", NameEn: "Negotiation"})
			wantCode(t, err, echelon.ECONFLICT)
		})
	})
}
