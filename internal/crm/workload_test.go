package crm_test

import (
	"strconv"
	"testing"

	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

func TestService_FindStageTotals(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		acc := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "汇总测试甲"})
		f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "a", AccountID: acc.ID, Amount: 10000})
		f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "b", AccountID: acc.ID, Amount: 20000})
		f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "c", AccountID: acc.ID, Amount: 5000, Currency: "USD"})
		f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "d", AccountID: acc.ID, Amount: 70000, StageID: f.stages["proposal"]})
		f.mustOpportunity(t, f.westRep, crm.OpportunityInput{Name: "w", Amount: 99900})

		got := map[string]*crm.StageTotal{}
		list, err := f.crm.FindStageTotals(as(f.eastRep), crm.OpportunityFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range list {
			got[st.Currency+"/"+itoa(st.StageID)] = st
		}
		if p := got["CNY/"+itoa(f.stages["prospecting"])]; p == nil || p.Count != 2 || p.Amount != 30000 {
			t.Fatalf("eastRep's prospecting in CNY: %+v, want 2 deals worth 300.00", p)
		}
		if u := got["USD/"+itoa(f.stages["prospecting"])]; u == nil || u.Count != 1 || u.Amount != 5000 {
			t.Fatalf("eastRep's prospecting in USD: %+v", u)
		}
		if len(list) != 3 {
			t.Fatalf("eastRep sees %d stage totals, want 3 (westRep's deal is not theirs): %+v", len(list), list)
		}
		all, err := f.crm.FindStageTotals(as(f.senior), crm.OpportunityFilter{})
		if err != nil {
			t.Fatal(err)
		}
		sum := int64(0)
		for _, st := range all {
			if st.Currency == "CNY" {
				sum += st.Amount
			}
		}
		if sum != 10000+20000+70000+99900 {
			t.Fatalf("the senior manager's CNY total is %d", sum)
		}
		if none, err := f.crm.FindStageTotals(as(f.marketing), crm.OpportunityFilter{}); err != nil || len(none) != 0 {
			t.Fatalf("marketing sees totals %+v (%v)", none, err)
		}
	})
}

func TestService_FindDueNextSteps(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		acc := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "跟进测试乙"})
		opp := f.mustOpportunity(t, f.eastRep, crm.OpportunityInput{Name: "跟进商机", AccountID: acc.ID, Amount: 100})
		due := f.clock.Now().Add(-days(1))
		later := f.clock.Now().Add(days(3))
		acc2 := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "跟进测试丁"})
		open := f.mustActivity(t, f.eastRep, crm.ActivityInput{AccountID: acc2.ID, Subject: "首次拜访", NextStep: "发报价", NextStepAt: &due, At: f.clock.Now().Add(-days(2))})
		f.mustActivity(t, f.eastRep, crm.ActivityInput{OpportunityID: opp.ID, Subject: "电话", NextStep: "再约", NextStepAt: &due, At: f.clock.Now().Add(-days(2))})
		f.mustActivity(t, f.eastRep, crm.ActivityInput{OpportunityID: opp.ID, Subject: "已再约", At: f.clock.Now().Add(-days(1))})
		f.mustActivity(t, f.eastRep, crm.ActivityInput{AccountID: acc.ID, OpportunityID: 0, Subject: "将来", NextStep: "下周", NextStepAt: &later, At: f.clock.Now().Add(-days(3))})
		wacc := f.mustAccount(t, f.westRep, crm.AccountInput{Name: "跟进测试丙"})
		f.mustActivity(t, f.westRep, crm.ActivityInput{AccountID: wacc.ID, Subject: "西区", NextStep: "x", NextStepAt: &due})

		list, more, err := f.crm.FindDueNextSteps(as(f.eastRep), f.clock.Now(), crm.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if more || len(list) != 1 || list[0].ID != open.ID {
			names := []string{}
			for _, x := range list {
				names = append(names, x.Subject)
			}
			t.Fatalf("due next steps %v, want only 首次拜访 (the opportunity's was followed up, and with it its account; 将来 is not due; 西区 is not theirs)", names)
		}
	})
}

func TestService_FindReturningAccounts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		quiet := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "沉默客户"})
		busy := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "活跃客户"})
		f.clock.advance(days(25))
		f.mustActivity(t, f.eastRep, crm.ActivityInput{AccountID: busy.ID, Subject: "回访"})
		// The company rule returns accounts after 30 days without an activity.
		list, _, err := f.crm.FindReturningAccounts(as(f.eastRep), 7, crm.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != quiet.ID || list[0].ReturnsOn.Sub(f.clock.Now()) > days(5)+1 {
			t.Fatalf("returning accounts %+v, want only 沉默客户, returning in 5 days", list)
		}
		if other, _, err := f.crm.FindReturningAccounts(as(f.westRep), 7, crm.Page{Limit: 10}); err != nil || len(other) != 0 {
			t.Fatalf("westRep sees eastRep's accounts returning: %+v (%v)", other, err)
		}
		mgr, _, err := f.crm.FindReturningAccounts(as(f.eastMgr), 7, crm.Page{Limit: 10})
		if err != nil || len(mgr) != 1 {
			t.Fatalf("eastMgr sees %d returning accounts (%v), want their rep's one", len(mgr), err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
