package crm_test

import (
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
)

func TestService_CreateProduct(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		erp, err := f.crm.CreateProduct(as(f.admin), crm.ProductInput{Code: " ERP-STD ", Name: "ERP Standard", Series: "ERP",
			ListPrice: 30_000_00, Currency: "cny"})
		if err != nil {
			t.Fatalf("admin creates a product: %v", err)
		}
		if erp.Code != "ERP-STD" || erp.Currency != "CNY" || !erp.Active || erp.ListPrice != 30_000_00 {
			t.Errorf("stored %+v", erp)
		}

		for _, who := range []*org.Person{f.senior, f.eastMgr, f.eastRep, f.marketing} {
			t.Run("ErrOnlyAdminWrites/"+who.Name, func(t *testing.T) {
				before := f.rows(t)
				_, err := f.crm.CreateProduct(as(who), crm.ProductInput{Code: "CRM-" + who.Name, Name: "CRM", ListPrice: 1_00})
				wantErr(t, err, echelon.EFORBIDDEN, "perm.forbidden")
				_, err = f.crm.UpdateProduct(as(who), erp.ID, crm.ProductInput{Code: "ERP-STD", Name: "ERP Cheap", ListPrice: 1, Version: erp.Version})
				wantErr(t, err, echelon.EFORBIDDEN, "perm.forbidden")
				f.unchanged(t, before)
				// Everyone reads the catalogue.
				ps, err := f.crm.FindProducts(as(who), false)
				if err != nil || len(ps) != 1 || ps[0].ID != erp.ID {
					t.Errorf("%s reads the catalogue: %v %v", who.Name, ps, err)
				}
			})
		}

		for _, tc := range []struct {
			name  string
			in    crm.ProductInput
			key   string
			field string
		}{
			{"ErrCodeTaken", crm.ProductInput{Code: "ERP-STD", Name: "Again", ListPrice: 1}, "product.code_taken", "code"},
			{"ErrNegativePrice", crm.ProductInput{Code: "NEG", Name: "Negative", ListPrice: -1}, "amount.invalid", "list_price"},
			{"ErrAbsurdPrice", crm.ProductInput{Code: "BIG", Name: "Huge", ListPrice: echelon.MaxAmount + 1}, "amount.invalid", "list_price"},
			{"ErrBadCurrency", crm.ProductInput{Code: "CUR", Name: "Odd", ListPrice: 1, Currency: "yuan"}, "currency.invalid", "currency"},
			{"ErrNameRequired", crm.ProductInput{Code: "NONAME", ListPrice: 1}, "field.required", "name"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := f.rows(t)
				_, err := f.crm.CreateProduct(as(f.admin), tc.in)
				if e := wantErr(t, err, echelon.EINVALID, tc.key); e.Field != tc.field {
					t.Errorf("error names field %q, want %q", e.Field, tc.field)
				}
				f.unchanged(t, before)
			})
		}

		t.Run("AdminRetiresAProduct", func(t *testing.T) {
			got, err := f.crm.UpdateProduct(as(f.admin), erp.ID, crm.ProductInput{Code: "ERP-STD", Name: "ERP Standard", ListPrice: 32_000_00,
				Active: ptr(false), Version: erp.Version})
			if err != nil || got.Active || got.ListPrice != 32_000_00 {
				t.Fatalf("retire: %+v %v", got, err)
			}
			if ps, _ := f.crm.FindProducts(as(f.eastRep), false); len(ps) != 0 {
				t.Errorf("a retired product is still in the catalogue: %v", ps)
			}
			if ps, _ := f.crm.FindProducts(as(f.admin), true); len(ps) != 1 {
				t.Errorf("the full catalogue has %d products, want 1", len(ps))
			}
			_, err = f.crm.UpdateProduct(as(f.admin), erp.ID, crm.ProductInput{Code: "ERP-STD", Name: "ERP", ListPrice: 1, Version: erp.Version})
			wantErr(t, err, echelon.ECONFLICT, "record.changed")
		})
	})
}

func TestService_CreateStage(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		stages, err := f.crm.FindStages(as(f.eastRep))
		if err != nil || len(stages) != 6 || stages[0].Code != "prospecting" || stages[5].Code != "lost" {
			t.Fatalf("the seeded pipeline: %v %v", stages, err)
		}

		for _, who := range []*org.Person{f.senior, f.eastMgr, f.eastRep, f.marketing} {
			t.Run("ErrOnlyAdminWrites/"+who.Name, func(t *testing.T) {
				before := f.rows(t)
				_, err := f.crm.CreateStage(as(who), crm.StageInput{Code: "demo_" + who.Name, NameZh: "演示", NameEn: "Demo", Probability: 40, Position: 25})
				wantErr(t, err, echelon.EFORBIDDEN, "perm.forbidden")
				_, err = f.crm.UpdateStage(as(who), f.stages["proposal"], crm.StageInput{Code: "proposal", NameZh: "方案", NameEn: "Proposal", Probability: 99, Position: 30})
				wantErr(t, err, echelon.EFORBIDDEN, "perm.forbidden")
				f.unchanged(t, before)
			})
		}

		t.Run("AdminAddsAStage", func(t *testing.T) {
			s, err := f.crm.CreateStage(as(f.admin), crm.StageInput{Code: "demo", NameZh: "产品演示", NameEn: "Demo", Probability: 45, Position: 25})
			if err != nil || s.Outcome != crm.OutcomeOpen || !s.Active {
				t.Fatalf("create stage: %+v %v", s, err)
			}
			stages, _ := f.crm.FindStages(as(f.eastRep))
			if stages[2].Code != "demo" {
				t.Errorf("stage order %v: demo must follow qualification", stages)
			}
			o := f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "Demo deal", Amount: 1_00, StageID: s.ID})
			if o.Probability != 45 {
				t.Errorf("probability %d, want the stage's 45", o.Probability)
			}
		})

		t.Run("ErrOutcomeOfAStageInUse", func(t *testing.T) {
			f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "Proposal deal", Amount: 1_00, StageID: f.stages["proposal"]})
			before := f.rows(t)
			_, err := f.crm.UpdateStage(as(f.admin), f.stages["proposal"], crm.StageInput{Code: "proposal", NameZh: "方案报价", NameEn: "Proposal",
				Probability: 60, Position: 30, Outcome: crm.OutcomeWon})
			wantErr(t, err, echelon.EINVALID, "stage.outcome_in_use")
			f.unchanged(t, before)
		})

		t.Run("ErrRetiredStageTakesNoNewDeals", func(t *testing.T) {
			if _, err := f.crm.UpdateStage(as(f.admin), f.stages["negotiation"], crm.StageInput{Code: "negotiation", NameZh: "商务谈判",
				NameEn: "Negotiation", Probability: 80, Position: 40, Active: ptr(false)}); err != nil {
				t.Fatalf("retire stage: %v", err)
			}
			before := f.rows(t)
			_, err := f.crm.CreateOpportunity(as(f.eastRep), crm.OpportunityInput{Name: "Late deal", Amount: 1_00, StageID: f.stages["negotiation"]})
			wantErr(t, err, echelon.EINVALID, "stage.inactive")
			f.unchanged(t, before)
		})

		for _, tc := range []struct {
			name string
			in   crm.StageInput
			key  string
		}{
			{"ErrCodeTaken", crm.StageInput{Code: "won", NameZh: "赢", NameEn: "Won", Probability: 100, Outcome: crm.OutcomeWon}, "stage.code_taken"},
			{"ErrProbabilityAbove100", crm.StageInput{Code: "sure", NameZh: "必成", NameEn: "Sure", Probability: 120}, "stage.probability_invalid"},
			{"ErrUnknownOutcome", crm.StageInput{Code: "maybe", NameZh: "也许", NameEn: "Maybe", Probability: 50, Outcome: "pending"}, "stage.outcome_invalid"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := f.rows(t)
				_, err := f.crm.CreateStage(as(f.admin), tc.in)
				wantErr(t, err, echelon.EINVALID, tc.key)
				f.unchanged(t, before)
			})
		}
	})
}
