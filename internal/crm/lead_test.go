package crm_test

import (
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
)

func TestService_FindLeadByID(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		zhao := f.mustLead(t, f.eastRep, crm.LeadInput{Company: "Zhao Lead Co", ContactName: "Mr Wu"})
		qian := f.mustLead(t, f.eastRep2, crm.LeadInput{Company: "Qian Lead Co"})
		zhou := f.mustLead(t, f.westRep, crm.LeadInput{Company: "Zhou Lead Co"})
		all := []*crm.Lead{zhao, qian, zhou}

		for _, tc := range []struct {
			name string
			who  *org.Person
			sees []*crm.Lead
		}{
			{"RepSeesOnlyTheirOwn", f.eastRep, []*crm.Lead{zhao}},
			{"RepInTheSameTeamSeesOnlyTheirOwn", f.eastRep2, []*crm.Lead{qian}},
			{"RegionalManagerSeesTheRegion", f.eastMgr, []*crm.Lead{zhao, qian}},
			{"OtherRegionalManagerSeesOnlyTheirRegion", f.westMgr, []*crm.Lead{zhou}},
			{"SeniorManagerSeesAll", f.senior, all},
			{"AdminSeesAll", f.admin, all},
			{"MarketingSeesNothing", f.marketing, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ctx := as(tc.who)
				listed, _, err := f.crm.FindLeads(ctx, crm.LeadFilter{})
				if err != nil {
					t.Fatalf("list: %v", err)
				}
				for _, l := range all {
					visible, inList := false, false
					for _, s := range tc.sees {
						visible = visible || s.ID == l.ID
					}
					for _, x := range listed {
						inList = inList || x.ID == l.ID
					}
					if inList != visible {
						t.Errorf("%s's list has %q: %v, want %v", tc.who.Name, l.Company, inList, visible)
					}
					_, err := f.crm.FindLeadByID(ctx, l.ID)
					if visible {
						if err != nil {
							t.Errorf("%s cannot read %q: %v", tc.who.Name, l.Company, err)
						}
						continue
					}
					wantErr(t, err, echelon.ENOTFOUND, "lead.not_found")
					before := f.rows(t)
					_, err = f.crm.UpdateLead(ctx, l.ID, crm.LeadInput{Company: "Hijacked", Version: l.Version})
					wantErr(t, err, echelon.ENOTFOUND, "lead.not_found")
					_, err = f.crm.ConvertLead(ctx, l.ID, crm.LeadConversion{Version: l.Version})
					wantErr(t, err, echelon.ENOTFOUND, "lead.not_found")
					f.unchanged(t, before)
				}
			})
		}

		t.Run("ErrMarketingMayNotCreate", func(t *testing.T) {
			before := f.rows(t)
			_, err := f.crm.CreateLead(as(f.marketing), crm.LeadInput{Company: "Campaign Co"})
			wantErr(t, err, echelon.EFORBIDDEN, "perm.forbidden")
			f.unchanged(t, before)
		})
		t.Run("ErrRepNamesAnotherOwner", func(t *testing.T) {
			before := f.rows(t)
			_, err := f.crm.CreateLead(as(f.eastRep), crm.LeadInput{Company: "Gift Co", OwnerID: f.eastRep2.ID})
			wantErr(t, err, echelon.EINVALID, "account.owner_outside")
			f.unchanged(t, before)
		})
		t.Run("ManagerAssignsALeadToARep", func(t *testing.T) {
			l := f.mustLead(t, f.eastMgr, crm.LeadInput{Company: "Assigned Lead Co", OwnerID: f.eastRep2.ID})
			if _, err := f.crm.FindLeadByID(as(f.eastRep2), l.ID); err != nil {
				t.Errorf("the assigned rep cannot read the lead: %v", err)
			}
		})
	})
}

func TestService_ConvertLead(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		taken := f.mustAccount(t, f.westRep, crm.AccountInput{Name: "深圳星河科技有限公司"})

		t.Run("ALeadBecomesAccountContactAndDeal", func(t *testing.T) {
			l := f.mustLead(t, f.eastRep, crm.LeadInput{Company: "杭州云帆科技有限公司", ContactName: "吴经理",
				Phone: "+86 139 0000 1111", Email: "wu@yunfan.example", Source: "展会"})
			got, err := f.crm.ConvertLead(as(f.eastRep), l.ID, crm.LeadConversion{Version: l.Version,
				Opportunity: &crm.OpportunityInput{Name: "云帆 ERP", StageID: f.stages["qualification"], Amount: 300_000_00}})
			if err != nil {
				t.Fatalf("convert: %v", err)
			}
			if got.Status != crm.LeadConverted || got.ConvertedAt == nil || got.ConvertedAccountID == 0 ||
				got.ConvertedContactID == 0 || got.ConvertedOpportunityID == 0 {
				t.Fatalf("converted lead %+v", got)
			}
			ctx := as(f.eastRep)
			a, err := f.crm.FindAccountByID(ctx, got.ConvertedAccountID)
			if err != nil || a.Name != "杭州云帆科技有限公司" || a.OwnerID != f.eastRep.ID || a.Phone != "13900001111" || a.Source != "展会" {
				t.Errorf("account %+v %v", a, err)
			}
			c, err := f.crm.FindContactByID(ctx, got.ConvertedContactID)
			if err != nil || c.Name != "吴经理" || c.AccountID != a.ID || c.Email != "wu@yunfan.example" {
				t.Errorf("contact %+v %v", c, err)
			}
			o, err := f.crm.FindOpportunityByID(ctx, got.ConvertedOpportunityID)
			if err != nil || o.AccountID != a.ID || o.OwnerID != f.eastRep.ID || o.StageCode != "qualification" || o.Amount != 300_000_00 {
				t.Errorf("opportunity %+v %v", o, err)
			}
			wantHistory(t, f.ownership(t, a.ID), "create:-→Zhao")
			if len(f.entries(t, "lead", l.ID, "convert")) != 1 {
				t.Error("the conversion is not in the audit log")
			}

			before := f.rows(t)
			_, err = f.crm.ConvertLead(ctx, l.ID, crm.LeadConversion{Version: got.Version})
			wantErr(t, err, echelon.ECONFLICT, "lead.converted")
			_, err = f.crm.UpdateLead(ctx, l.ID, crm.LeadInput{Company: "Renamed", Version: got.Version})
			wantErr(t, err, echelon.ECONFLICT, "lead.converted")
			f.unchanged(t, before)
		})

		t.Run("ErrCompanyAlreadyOwnedCreatesNothing", func(t *testing.T) {
			l := f.mustLead(t, f.eastRep, crm.LeadInput{Company: "深圳星河科技", ContactName: "陈总"})
			before := f.rows(t)
			_, err := f.crm.ConvertLead(as(f.eastRep), l.ID, crm.LeadConversion{Version: l.Version,
				Opportunity: &crm.OpportunityInput{Name: "星河 CRM", StageID: f.stages["prospecting"], Amount: 1_00}})
			e := wantErr(t, err, echelon.ECONFLICT, "account.duplicate")
			wantArgs(t, e, taken.Name, taken.ID, f.westRep.Name)
			f.unchanged(t, before)
			if got, _ := f.crm.FindLeadByID(as(f.eastRep), l.ID); got.Status != crm.LeadNew {
				t.Errorf("refused lead has status %q", got.Status)
			}
		})

		t.Run("ErrInvalidDealCreatesNothing", func(t *testing.T) {
			l := f.mustLead(t, f.eastRep, crm.LeadInput{Company: "Half Done Co", ContactName: "Ms Lin"})
			before := f.rows(t)
			_, err := f.crm.ConvertLead(as(f.eastRep), l.ID, crm.LeadConversion{Version: l.Version,
				Opportunity: &crm.OpportunityInput{Name: "Lost already", StageID: f.stages["lost"], Amount: 1_00}})
			wantErr(t, err, echelon.EINVALID, "opportunity.lost_reason_required")
			f.unchanged(t, before)
			accounts, _, _ := f.crm.FindAccounts(as(f.eastRep), crm.AccountFilter{Query: "Half Done"})
			if len(accounts) != 0 {
				t.Errorf("a failed conversion left account %q behind", accounts[0].Name)
			}
		})

		t.Run("ErrStaleVersion", func(t *testing.T) {
			l := f.mustLead(t, f.eastRep, crm.LeadInput{Company: "Busy Lead Co"})
			if _, err := f.crm.UpdateLead(as(f.eastMgr), l.ID, crm.LeadInput{Company: "Busy Lead Co", Status: crm.LeadWorking, Version: l.Version}); err != nil {
				t.Fatalf("manager's update: %v", err)
			}
			before := f.rows(t)
			_, err := f.crm.ConvertLead(as(f.eastRep), l.ID, crm.LeadConversion{Version: l.Version})
			e := wantErr(t, err, echelon.ECONFLICT, "record.changed")
			if e.Args[0] != f.eastMgr.Name || e.Args[2] != "status" {
				t.Errorf("stale error args %v", e.Args)
			}
			f.unchanged(t, before)
		})

		t.Run("ManagerConvertsARepsLeadForTheRep", func(t *testing.T) {
			l := f.mustLead(t, f.eastRep2, crm.LeadInput{Company: "Team Lead Co", ContactName: "Mr He"})
			got, err := f.crm.ConvertLead(as(f.eastMgr), l.ID, crm.LeadConversion{Version: l.Version})
			if err != nil {
				t.Fatalf("convert: %v", err)
			}
			a, err := f.crm.FindAccountByID(as(f.eastRep2), got.ConvertedAccountID)
			if err != nil || a.OwnerID != f.eastRep2.ID {
				t.Errorf("the rep does not own the converted account: %+v %v", a, err)
			}
		})

		t.Run("IntoAnExistingAccount", func(t *testing.T) {
			own := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Existing Customer"})
			l := f.mustLead(t, f.eastRep, crm.LeadInput{Company: "Existing Customer", ContactName: "Ms Gao"})
			got, err := f.crm.ConvertLead(as(f.eastRep), l.ID, crm.LeadConversion{Version: l.Version, AccountID: own.ID})
			if err != nil || got.ConvertedAccountID != own.ID {
				t.Fatalf("convert into an existing account: %+v %v", got, err)
			}
			other := f.mustAccount(t, f.eastRep2, crm.AccountInput{Name: "Someone Else's Customer"})
			l2 := f.mustLead(t, f.eastRep, crm.LeadInput{Company: "Someone Else's Customer", ContactName: "Mr Xu"})
			before := f.rows(t)
			_, err = f.crm.ConvertLead(as(f.eastRep), l2.ID, crm.LeadConversion{Version: l2.Version, AccountID: other.ID})
			wantErr(t, err, echelon.EINVALID, "account.not_found")
			f.unchanged(t, before)
		})
	})
}
