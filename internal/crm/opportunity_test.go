package crm_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
)

// date formats a day relative to the fixture clock.
func (f *fixture) date(offsetDays int) string {
	return f.clock.Now().AddDate(0, 0, offsetDays).Format(time.DateOnly)
}

func TestService_CreateOpportunity(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		own := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Zhao Customer"})
		other := f.mustAccount(t, f.eastRep2, crm.AccountInput{Name: "Qian Customer"})
		pool := f.mustPoolAccount(t, f.eastMgr, f.east, "Pool Customer")

		t.Run("RepOpensADealOnTheirAccount", func(t *testing.T) {
			o := f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "ERP rollout", AccountID: own.ID, Amount: 120_000_00,
				ExpectedClose: f.date(60)})
			if o.OwnerID != f.eastRep.ID || o.UnitID != f.eastA.ID || o.AccountName != own.Name {
				t.Errorf("owner %d unit %d account %q", o.OwnerID, o.UnitID, o.AccountName)
			}
			if o.StageCode != "prospecting" || o.Probability != 10 || o.Currency != "CNY" || o.Amount != 120_000_00 || o.ExpectedClose != f.date(60) {
				t.Errorf("stored %+v", o)
			}
			h, err := f.crm.FindStageHistory(as(f.eastRep), o.ID)
			if err != nil || len(h) != 1 || h[0].FromStageID != 0 || h[0].ToStageID != f.stages["prospecting"] || h[0].ChangedBy != f.eastRep.Name {
				t.Errorf("stage history %+v %v", h, err)
			}
			if len(f.entries(t, "opportunity", o.ID, "create")) != 1 {
				t.Error("the creation is not in the audit log")
			}
		})

		t.Run("AWonDealClosesTodayByDefault", func(t *testing.T) {
			o := f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "Walk-in order", AccountID: own.ID, Amount: 8_000_00,
				StageID: f.stages["won"]})
			if o.ClosedOn != f.date(0) || o.Probability != 100 || o.Outcome != crm.OutcomeWon {
				t.Errorf("closed %q probability %d outcome %q", o.ClosedOn, o.Probability, o.Outcome)
			}
		})

		t.Run("ABackdatedWonDealNamesItsStart", func(t *testing.T) {
			o := f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "Booked late", AccountID: own.ID, Amount: 1_00,
				StageID: f.stages["won"], EngagedOn: f.date(-30), ClosedOn: f.date(-3)})
			if o.ClosedOn != f.date(-3) || o.EngagedOn != f.date(-30) {
				t.Errorf("closed %q engaged %q", o.ClosedOn, o.EngagedOn)
			}
		})

		for _, tc := range []struct {
			name  string
			who   *org.Person
			in    crm.OpportunityInput
			code  string
			key   string
			field string
		}{
			{"ErrNegativeAmount", f.eastRep, crm.OpportunityInput{Amount: -1}, echelon.EINVALID, "amount.invalid", "amount"},
			{"ErrAbsurdAmount", f.eastRep, crm.OpportunityInput{Amount: echelon.MaxAmount + 1}, echelon.EINVALID, "amount.invalid", "amount"},
			{"ErrUnknownStage", f.eastRep, crm.OpportunityInput{StageID: 9999}, echelon.EINVALID, "stage.not_found", "stage_id"},
			{"ErrClosedBeforeItStarted", f.eastRep, crm.OpportunityInput{StageID: f.stages["won"], EngagedOn: f.date(-10), ClosedOn: f.date(-20)},
				echelon.EINVALID, "opportunity.closed_before_start", "closed_on"},
			{"ErrExpectedCloseBeforeItStarted", f.eastRep, crm.OpportunityInput{EngagedOn: f.date(-10), ExpectedClose: f.date(-20)},
				echelon.EINVALID, "opportunity.closed_before_start", "expected_close"},
			{"ErrWonInTheFuture", f.eastRep, crm.OpportunityInput{StageID: f.stages["won"], ClosedOn: f.date(1)},
				echelon.EINVALID, "opportunity.closed_in_future", "closed_on"},
			{"ErrLostInTheFuture", f.eastRep, crm.OpportunityInput{StageID: f.stages["lost"], LostReason: "price", ClosedOn: f.date(7)},
				echelon.EINVALID, "opportunity.closed_in_future", "closed_on"},
			{"ErrLostWithoutReason", f.eastRep, crm.OpportunityInput{StageID: f.stages["lost"], LostReason: "  "},
				echelon.EINVALID, "opportunity.lost_reason_required", "lost_reason"},
			{"ErrNameRequired", f.eastRep, crm.OpportunityInput{Name: " "}, echelon.EINVALID, "field.required", "name"},
			{"ErrProbabilityAbove100", f.eastRep, crm.OpportunityInput{Probability: ptr(101)}, echelon.EINVALID, "stage.probability_invalid", "probability"},
			{"ErrUnknownCurrency", f.eastRep, crm.OpportunityInput{Currency: "RMB1"}, echelon.EINVALID, "currency.invalid", "currency"},
			{"ErrBadDate", f.eastRep, crm.OpportunityInput{ExpectedClose: "2025/06/30"}, echelon.EINVALID, "date.invalid", "expected_close"},
			{"ErrOtherRepsAccount", f.eastRep, crm.OpportunityInput{AccountID: other.ID}, echelon.EINVALID, "account.not_found", "account_id"},
			{"ErrPoolAccount", f.eastRep, crm.OpportunityInput{AccountID: pool.ID}, echelon.EINVALID, "account.not_found", "account_id"},
			{"ErrRepNamesAnotherOwner", f.eastRep, crm.OpportunityInput{OwnerID: f.eastRep2.ID}, echelon.EINVALID, "account.owner_outside", "owner_id"},
			{"ErrManagerNamesAnOwnerOutsideTheRegion", f.eastMgr, crm.OpportunityInput{AccountID: -1, OwnerID: f.westRep.ID}, echelon.EINVALID, "account.owner_outside", "owner_id"},
			{"ErrMarketingMayNotCreate", f.marketing, crm.OpportunityInput{AccountID: -1}, echelon.EFORBIDDEN, "perm.forbidden", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := tc.in
				if in.Name == "" {
					in.Name = "Refused deal"
				}
				switch in.AccountID {
				case 0:
					in.AccountID = own.ID
				case -1:
					in.AccountID = 0
				}
				if in.StageID == 0 {
					in.StageID = f.stages["prospecting"]
				}
				if in.Amount == 0 {
					in.Amount = 1_000_00
				}
				before := f.rows(t)
				_, err := f.crm.CreateOpportunity(as(tc.who), in)
				e := wantErr(t, err, tc.code, tc.key)
				if e.Field != tc.field {
					t.Errorf("error names field %q, want %q", e.Field, tc.field)
				}
				f.unchanged(t, before)
			})
		}
	})
}

func TestService_FindOpportunityByID(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		zhao := f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "Zhao deal", Amount: 1_00})
		qian := f.mustOpportunity(t, f.eastRep2, crm.OpportunityInput{Name: "Qian deal", Amount: 1_00})
		zhou := f.mustOpportunity(t, f.westRep, crm.OpportunityInput{Name: "Zhou deal", Amount: 1_00})
		all := []*crm.Opportunity{zhao, qian, zhou}

		for _, tc := range []struct {
			name string
			who  *org.Person
			sees []*crm.Opportunity
		}{
			{"RepSeesOnlyTheirOwn", f.eastRep, []*crm.Opportunity{zhao}},
			{"RepInTheSameTeamSeesOnlyTheirOwn", f.eastRep2, []*crm.Opportunity{qian}},
			{"RegionalManagerSeesTheRegion", f.eastMgr, []*crm.Opportunity{zhao, qian}},
			{"OtherRegionalManagerSeesOnlyTheirRegion", f.westMgr, []*crm.Opportunity{zhou}},
			{"SeniorManagerSeesAll", f.senior, all},
			{"AdminSeesAll", f.admin, all},
			{"MarketingSeesNothing", f.marketing, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ctx := as(tc.who)
				listed, _, err := f.crm.FindOpportunities(ctx, crm.OpportunityFilter{})
				if err != nil {
					t.Fatalf("list: %v", err)
				}
				for _, o := range all {
					visible := false
					for _, s := range tc.sees {
						visible = visible || s.ID == o.ID
					}
					inList := false
					for _, l := range listed {
						inList = inList || l.ID == o.ID
					}
					if inList != visible {
						t.Errorf("%s's list has %q: %v, want %v", tc.who.Name, o.Name, inList, visible)
					}
					_, err := f.crm.FindOpportunityByID(ctx, o.ID)
					_, herr := f.crm.FindStageHistory(ctx, o.ID)
					if visible {
						if err != nil || herr != nil {
							t.Errorf("%s cannot read %q: %v %v", tc.who.Name, o.Name, err, herr)
						}
						continue
					}
					wantErr(t, err, echelon.ENOTFOUND, "opportunity.not_found")
					wantErr(t, herr, echelon.ENOTFOUND, "opportunity.not_found")
					before := f.rows(t)
					_, err = f.crm.UpdateOpportunity(ctx, o.ID, crm.OpportunityUpdate{Amount: ptr(int64(1)), Version: o.Version})
					wantErr(t, err, echelon.ENOTFOUND, "opportunity.not_found")
					f.unchanged(t, before)
				}
			})
		}
	})
}

func TestService_UpdateOpportunity(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		acct := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Zhao Customer"})
		other := f.mustAccount(t, f.eastRep2, crm.AccountInput{Name: "Qian Customer"})

		t.Run("StageChangesAreKeptWithWhoMadeThem", func(t *testing.T) {
			o := f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "Pipeline deal", AccountID: acct.ID, Amount: 50_000_00})
			f.clock.advance(time.Hour)
			got, err := f.crm.UpdateOpportunity(as(f.eastRep), o.ID, crm.OpportunityUpdate{StageID: ptr(f.stages["qualification"]), Version: o.Version})
			if err != nil {
				t.Fatalf("move to qualification: %v", err)
			}
			if got.StageCode != "qualification" || got.Probability != 30 || got.Version != o.Version+1 {
				t.Errorf("after the move: stage %q probability %d version %d", got.StageCode, got.Probability, got.Version)
			}
			f.clock.advance(time.Hour)
			got, err = f.crm.UpdateOpportunity(as(f.eastMgr), o.ID, crm.OpportunityUpdate{StageID: ptr(f.stages["won"]), Version: got.Version})
			if err != nil {
				t.Fatalf("manager marks it won: %v", err)
			}
			if got.Outcome != crm.OutcomeWon || got.ClosedOn != f.date(0) || got.Probability != 100 {
				t.Errorf("won deal: outcome %q closed %q probability %d", got.Outcome, got.ClosedOn, got.Probability)
			}
			// A change that keeps the stage adds no history.
			if _, err := f.crm.UpdateOpportunity(as(f.eastMgr), o.ID, crm.OpportunityUpdate{Name: ptr("Pipeline deal (signed)"), Version: got.Version}); err != nil {
				t.Fatalf("rename: %v", err)
			}
			h, err := f.crm.FindStageHistory(as(f.eastRep), o.ID)
			if err != nil {
				t.Fatalf("history: %v", err)
			}
			want := []struct {
				from, to string
				by       string
				at       time.Time
			}{
				{"", "prospecting", f.eastRep.Name, start},
				{"prospecting", "qualification", f.eastRep.Name, start.Add(time.Hour)},
				{"qualification", "won", f.eastMgr.Name, start.Add(2 * time.Hour)},
			}
			if len(h) != len(want) {
				t.Fatalf("%d history rows, want %d: %+v", len(h), len(want), h)
			}
			for i, w := range want {
				if h[i].FromStageID != f.stages[w.from] || h[i].ToStageID != f.stages[w.to] || h[i].ChangedBy != w.by || !h[i].ChangedAt.Equal(w.at) {
					t.Errorf("history row %d: %+v, want %s→%s by %s at %v", i, h[i], w.from, w.to, w.by, w.at)
				}
			}
		})

		for _, tc := range []struct {
			name  string
			up    crm.OpportunityUpdate
			key   string
			field string
		}{
			{"ErrLostWithoutReason", crm.OpportunityUpdate{StageID: ptr(f.stages["lost"])}, "opportunity.lost_reason_required", "lost_reason"},
			{"ErrNegativeAmount", crm.OpportunityUpdate{Amount: ptr(int64(-500))}, "amount.invalid", "amount"},
			{"ErrAbsurdAmount", crm.OpportunityUpdate{Amount: ptr(echelon.MaxAmount * 2)}, "amount.invalid", "amount"},
			{"ErrUnknownStage", crm.OpportunityUpdate{StageID: ptr(int64(9999))}, "stage.not_found", "stage_id"},
			{"ErrWonInTheFuture", crm.OpportunityUpdate{StageID: ptr(f.stages["won"]), ClosedOn: ptr(f.date(3))}, "opportunity.closed_in_future", "closed_on"},
			{"ErrClosedBeforeItStarted", crm.OpportunityUpdate{StageID: ptr(f.stages["lost"]), LostReason: ptr("budget cut"), ClosedOn: ptr(f.date(-400))},
				"opportunity.closed_before_start", "closed_on"},
			{"ErrOtherRepsAccount", crm.OpportunityUpdate{AccountID: ptr(other.ID)}, "account.not_found", "account_id"},
			{"ErrRepHandsTheDealToAnotherRep", crm.OpportunityUpdate{OwnerID: ptr(f.eastRep2.ID)}, "account.owner_outside", "owner_id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				o := f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "Deal " + tc.name, AccountID: acct.ID, Amount: 10_00})
				tc.up.Version = o.Version
				before := f.rows(t)
				_, err := f.crm.UpdateOpportunity(as(f.eastRep), o.ID, tc.up)
				if e := wantErr(t, err, echelon.EINVALID, tc.key); e.Field != tc.field {
					t.Errorf("error names field %q, want %q", e.Field, tc.field)
				}
				f.unchanged(t, before)
			})
		}

		t.Run("ErrStaleVersionNamesWhoChangedWhat", func(t *testing.T) {
			o := f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "Contested deal", AccountID: acct.ID, Amount: 10_000_00})
			if _, err := f.crm.UpdateOpportunity(as(f.eastMgr), o.ID, crm.OpportunityUpdate{Amount: ptr(int64(12_000_00)), Version: o.Version}); err != nil {
				t.Fatalf("manager's update: %v", err)
			}
			before := f.rows(t)
			_, err := f.crm.UpdateOpportunity(as(f.eastRep), o.ID, crm.OpportunityUpdate{Amount: ptr(int64(9_000_00)), Version: o.Version})
			e := wantErr(t, err, echelon.ECONFLICT, "record.changed")
			if len(e.Args) != 3 || e.Args[0] != f.eastMgr.Name || e.Args[2] != "amount" {
				t.Errorf("stale error args %v, want [%s <time> amount]", e.Args, f.eastMgr.Name)
			}
			f.unchanged(t, before)
			if got := f.opportunity(t, o.ID); got.Amount != 12_000_00 {
				t.Errorf("amount %d after the refused update, want the manager's 1200000", got.Amount)
			}
		})

		t.Run("OnlyOneOfEightSimultaneousEditorsWins", func(t *testing.T) {
			o := f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "Hot deal", AccountID: acct.ID, Amount: 1_000_00})
			editors := []*org.Person{f.eastRep, f.eastMgr, f.senior, f.admin, f.eastRep, f.eastMgr, f.senior, f.admin}
			// Each editor opens the deal, then all save at once the version they loaded.
			loaded := make([]*crm.Opportunity, len(editors))
			for i, who := range editors {
				var err error
				if loaded[i], err = f.crm.FindOpportunityByID(as(who), o.ID); err != nil {
					t.Fatalf("%s opens the deal: %v", who.Name, err)
				}
			}
			errs := make([]error, len(editors))
			atOnce(len(editors), func(i int) {
				_, errs[i] = f.crm.UpdateOpportunity(as(editors[i]), o.ID,
					crm.OpportunityUpdate{Amount: ptr(int64(i+2) * 1_000_00), Version: loaded[i].Version})
			})

			winner := -1
			for i, err := range errs {
				if err == nil {
					if winner >= 0 {
						t.Fatalf("editors %d and %d both saved", winner, i)
					}
					winner = i
					continue
				}
				e := wantErr(t, err, echelon.ECONFLICT, "record.changed")
				if len(e.Args) != 3 || e.Args[2] != "amount" {
					t.Errorf("editor %d told %v", i, e.Args)
				}
			}
			if winner < 0 {
				t.Fatalf("nobody saved: %v", errs)
			}
			got := f.opportunity(t, o.ID)
			if want := int64(winner+2) * 1_000_00; got.Amount != want {
				t.Errorf("final amount %d, want the winner's %d", got.Amount, want)
			}
			if got.Version != o.Version+1 {
				t.Errorf("version %d, want %d: more than one write landed", got.Version, o.Version+1)
			}
			if n := len(f.entries(t, "opportunity", o.ID, "update")); n != 1 {
				t.Errorf("%d updates audited, want 1", n)
			}
		})

		t.Run("LinesSetTheAmount", func(t *testing.T) {
			p, err := f.crm.CreateProduct(as(f.admin), crm.ProductInput{Code: "ERP-STD", Name: "ERP Standard", ListPrice: 30_000_00})
			if err != nil {
				t.Fatalf("create product: %v", err)
			}
			o := f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "Licences", AccountID: acct.ID,
				Lines: []*crm.LineItem{{ProductID: p.ID, Quantity: 3, UnitPrice: 28_000_00}}})
			if o.Amount != 84_000_00 || len(o.Lines) != 1 || o.Lines[0].ProductName != "ERP Standard" {
				t.Fatalf("amount %d lines %+v", o.Amount, o.Lines)
			}
			before := f.rows(t)
			_, err = f.crm.UpdateOpportunity(as(f.eastRep), o.ID, crm.OpportunityUpdate{
				Lines: &[]*crm.LineItem{{ProductID: p.ID, Quantity: 0, UnitPrice: 1}}, Version: o.Version})
			if e := wantErr(t, err, echelon.EINVALID, "line.quantity_invalid"); !strings.HasPrefix(e.Field, "lines[0]") {
				t.Errorf("error names field %q", e.Field)
			}
			_, err = f.crm.UpdateOpportunity(as(f.eastRep), o.ID, crm.OpportunityUpdate{
				Lines: &[]*crm.LineItem{{ProductID: p.ID + 100, Quantity: 1, UnitPrice: 1}}, Version: o.Version})
			wantErr(t, err, echelon.EINVALID, "product.not_found")
			f.unchanged(t, before)
		})
	})
}

func TestService_UpdateOpportunity_RetiredProduct(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		acct := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Zhao Customer"})
		product := func(code, name string) *crm.Product {
			p, err := f.crm.CreateProduct(as(f.admin), crm.ProductInput{Code: code, Name: name, ListPrice: 10_000_00})
			if err != nil {
				t.Fatalf("create product %s: %v", code, err)
			}
			return p
		}
		erp, legacy := product("ERP-STD", "ERP Standard"), product("LEG-1", "Legacy Suite")
		line := func(p *crm.Product, qty int64) *crm.LineItem {
			return &crm.LineItem{ProductID: p.ID, Quantity: qty, UnitPrice: 10_000_00}
		}
		old := f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "Old deal", AccountID: acct.ID,
			Lines: []*crm.LineItem{line(legacy, 2), line(erp, 1)}})
		if _, err := f.crm.UpdateProduct(as(f.admin), legacy.ID, crm.ProductInput{Code: legacy.Code, Name: legacy.Name,
			ListPrice: legacy.ListPrice, Active: ptr(false), Version: legacy.Version}); err != nil {
			t.Fatalf("retire the product: %v", err)
		}

		t.Run("AnOldDealKeepsShowingItsRetiredLine", func(t *testing.T) {
			got, err := f.crm.FindOpportunityByID(as(f.eastRep), old.ID)
			if err != nil || len(got.Lines) != 2 || got.Lines[0].ProductName != "Legacy Suite" {
				t.Fatalf("old deal %+v %v", got, err)
			}
		})

		t.Run("SavingAnOldDealWithoutTouchingItsLinesWorks", func(t *testing.T) {
			got, err := f.crm.UpdateOpportunity(as(f.eastRep), old.ID, crm.OpportunityUpdate{Name: ptr("Old deal (renewal)"),
				StageID: ptr(f.stages["qualification"]), Version: old.Version})
			if err != nil {
				t.Fatalf("save the old deal: %v", err)
			}
			if got.Version != old.Version+1 || len(got.Lines) != 2 || got.Amount != 30_000_00 {
				t.Errorf("after the save: version %d lines %+v amount %d", got.Version, got.Lines, got.Amount)
			}
			old = got
		})

		t.Run("TheFormMaySendTheRetiredLineBackUnchanged", func(t *testing.T) {
			// The retired line comes back second, and the other line changes.
			got, err := f.crm.UpdateOpportunity(as(f.eastRep), old.ID, crm.OpportunityUpdate{
				Lines: &[]*crm.LineItem{line(erp, 3), line(legacy, 2)}, Amount: ptr(int64(0)), Version: old.Version})
			if err != nil {
				t.Fatalf("save with the lines sent back: %v", err)
			}
			if len(got.Lines) != 2 || got.Lines[1].ProductID != legacy.ID || got.Amount != 50_000_00 {
				t.Errorf("after the save: lines %+v amount %d", got.Lines, got.Amount)
			}
			old = got
		})

		for _, tc := range []struct {
			name  string
			lines []*crm.LineItem
			field string
		}{
			{"ErrMoreOfTheRetiredProduct", []*crm.LineItem{line(erp, 3), line(legacy, 5)}, "lines[1].product_id"},
			{"ErrASecondLineOfTheRetiredProduct", []*crm.LineItem{line(legacy, 2), line(erp, 3), line(legacy, 2)}, "lines[2].product_id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := f.rows(t)
				_, err := f.crm.UpdateOpportunity(as(f.eastRep), old.ID, crm.OpportunityUpdate{Lines: &tc.lines, Version: old.Version})
				e := wantErr(t, err, echelon.EINVALID, "product.inactive")
				wantArgs(t, e, "Legacy Suite")
				if e.Field != tc.field {
					t.Errorf("error names field %q, want %q", e.Field, tc.field)
				}
				f.unchanged(t, before)
			})
		}

		t.Run("ErrANewDealWithTheRetiredProduct", func(t *testing.T) {
			before := f.rows(t)
			_, err := f.crm.CreateOpportunity(as(f.eastRep), crm.OpportunityInput{Name: "New deal", AccountID: acct.ID,
				StageID: f.stages["prospecting"], Lines: []*crm.LineItem{line(erp, 1), line(legacy, 1)}})
			if e := wantErr(t, err, echelon.EINVALID, "product.inactive"); e.Field != "lines[1].product_id" {
				t.Errorf("error names field %q", e.Field)
			}
			f.unchanged(t, before)
		})

		t.Run("ErrAddingTheRetiredProductToAnotherDeal", func(t *testing.T) {
			o := f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "Current deal", AccountID: acct.ID, Lines: []*crm.LineItem{line(erp, 1)}})
			before := f.rows(t)
			_, err := f.crm.UpdateOpportunity(as(f.eastMgr), o.ID, crm.OpportunityUpdate{
				Lines: &[]*crm.LineItem{line(erp, 1), line(legacy, 2)}, Version: o.Version})
			wantArgs(t, wantErr(t, err, echelon.EINVALID, "product.inactive"), "Legacy Suite")
			f.unchanged(t, before)
		})

		t.Run("RemovingTheRetiredLineWorks", func(t *testing.T) {
			got, err := f.crm.UpdateOpportunity(as(f.eastRep), old.ID, crm.OpportunityUpdate{
				Lines: &[]*crm.LineItem{line(erp, 3)}, Version: old.Version})
			if err != nil || len(got.Lines) != 1 || got.Lines[0].ProductID != erp.ID {
				t.Fatalf("remove the retired line: %+v %v", got, err)
			}
		})
	})
}

func TestService_ImportOpportunitiesInTx_RetiredProduct(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		legacy, err := f.crm.CreateProduct(as(f.admin), crm.ProductInput{Code: "LEG-1", Name: "Legacy Suite", ListPrice: 10_000_00})
		if err != nil {
			t.Fatalf("create product: %v", err)
		}
		row := func(ext string) echelon.Row {
			return echelon.Row{Line: 2, Cells: map[string]string{"external_id": ext, "name": "Deal " + ext, "stage": "prospecting",
				"amount": "20000.00", "product": "Legacy Suite", "quantity": "2"}}
		}
		// importRow imports one row as the rep; a failed row rolls back like the importer does.
		importRow := func(t *testing.T, r echelon.Row) *echelon.RowResult {
			t.Helper()
			var res []*echelon.RowResult
			err := f.d.Tx(context.Background(), func(tx *db.Tx) error {
				var err error
				if res, err = f.crm.ImportOpportunitiesInTx(as(f.eastRep), tx, []echelon.Row{r}); err != nil {
					return err
				}
				if res[0].Error != nil {
					return res[0].Error
				}
				return nil
			})
			if len(res) != 1 || (err != nil && res[0].Error == nil) {
				t.Fatalf("import %v: %v %v", r.Cells, res, err)
			}
			return res[0]
		}
		if res := importRow(t, row("OPP-1")); res.Action != echelon.RowCreated {
			t.Fatalf("first import: %+v", res)
		}
		if _, err := f.crm.UpdateProduct(as(f.admin), legacy.ID, crm.ProductInput{Code: legacy.Code, Name: legacy.Name,
			ListPrice: legacy.ListPrice, Active: ptr(false), Version: legacy.Version}); err != nil {
			t.Fatalf("retire the product: %v", err)
		}

		t.Run("ReimportingTheSameDealSkipsIt", func(t *testing.T) {
			before := f.rows(t)
			if res := importRow(t, row("OPP-1")); res.Action != echelon.RowSkipped || res.Error != nil {
				t.Errorf("re-import: %+v %v", res, res.Error)
			}
			f.unchanged(t, before)
		})

		t.Run("ErrANewDealWithTheRetiredProduct", func(t *testing.T) {
			before := f.rows(t)
			res := importRow(t, row("OPP-2"))
			if res.Action != echelon.RowFailed {
				t.Fatalf("import of a new deal: %+v", res)
			}
			wantArgs(t, wantErr(t, res.Error, echelon.EINVALID, "product.inactive"), "Legacy Suite")
			f.unchanged(t, before)
		})
	})
}
