package totals_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/testorg"
	"github.com/echelonhq/echelon/internal/totals"
)

// TestMaintainedTotalsEqualARecomputation makes random changes through the
// CRM — deals created in every stage with order lines of several product
// series, moved between stages, owners, accounts (in territories or none),
// amounts, lines and dates, a product's series renamed, accounts merged,
// activities logged and moved — and checks after every few that the totals kept change by change equal
// the totals recomputed from the records.
func TestMaintainedTotalsEqualARecomputation(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		o := testorg.New(t, d)
		now := time.Date(2025, 1, 6, 2, 0, 0, 0, time.UTC)
		svc := crm.NewService(d, func() time.Time { return now })
		stages, err := svc.FindStages(testorg.System())
		if err != nil {
			t.Fatal(err)
		}
		reps := []*org.Person{o.EastRep, o.EastRep2, o.WestRep}
		sun := testorg.As(o.Senior)
		for _, p := range []string{"浙江", "江苏"} {
			if _, err := svc.CreateTerritory(sun, crm.TerritoryInput{Name: p, Province: p, UnitID: o.East.ID}); err != nil {
				t.Fatal(err)
			}
		}
		var accounts []int64
		for i := range 6 {
			a, err := svc.CreateAccount(sun, crm.AccountInput{Name: fmt.Sprintf("客户 %d 有限公司", i), OwnerID: reps[i%3].ID,
				Province: []string{"浙江", "江苏", "上海"}[i%3]})
			if err != nil {
				t.Fatal(err)
			}
			accounts = append(accounts, a.ID)
		}
		var products []*crm.Product
		for i, series := range []string{"云", "云", "硬件"} {
			p, err := svc.CreateProduct(testorg.As(o.Admin), crm.ProductInput{Code: fmt.Sprintf("P%d", i), Name: fmt.Sprintf("产品 %d", i),
				Series: series, ListPrice: 100_00})
			if err != nil {
				t.Fatal(err)
			}
			products = append(products, p)
		}
		rng := rand.New(rand.NewPCG(7, 11))
		var deals []int64
		type act struct {
			id      int64
			rep     *org.Person
			at      time.Time
			version int
		}
		var acts []*act
		date := func(back int) string { return now.AddDate(0, 0, -back).Format(time.DateOnly) }
		lines := func() []*crm.LineItem {
			var out []*crm.LineItem
			for range rng.IntN(3) {
				out = append(out, &crm.LineItem{ProductID: products[rng.IntN(len(products))].ID, Quantity: 1 + rng.Int64N(5), UnitPrice: rng.Int64N(50_000_00)})
			}
			return out
		}
		applied := map[string]int{}
		for step := range 240 {
			now = now.Add(time.Duration(rng.IntN(72)) * time.Hour)
			st := stages[rng.IntN(len(stages))]
			var err error
			op := []string{"create", "create", "update", "update", "update", "activity", "move activity", "merge", "rename series"}[rng.IntN(9)]
			switch op {
			case "create":
				in := crm.OpportunityInput{Name: fmt.Sprintf("deal %d", step), OwnerID: reps[rng.IntN(3)].ID, Amount: rng.Int64N(1_000_000_00),
					Currency: []string{"CNY", "CNY", "USD"}[rng.IntN(3)], StageID: st.ID, ExpectedClose: date(-rng.IntN(90)), Lines: lines()}
				if rng.IntN(3) > 0 {
					in.AccountID = accounts[rng.IntN(len(accounts))]
				}
				if st.Outcome == "lost" {
					in.LostReason = "price"
				}
				var x *crm.Opportunity
				if x, err = svc.CreateOpportunity(sun, in); err == nil {
					deals = append(deals, x.ID)
				}
			case "update":
				if len(deals) == 0 {
					continue
				}
				x, ferr := svc.FindOpportunityByID(sun, deals[rng.IntN(len(deals))])
				if ferr != nil {
					t.Fatal(ferr)
				}
				up := crm.OpportunityUpdate{Version: x.Version}
				switch rng.IntN(6) {
				case 0:
					up.StageID = &st.ID
					if st.Outcome == "lost" {
						up.LostReason = new("budget")
					}
				case 1:
					up.Amount = new(rng.Int64N(1_000_000_00))
				case 2:
					up.OwnerID = &reps[rng.IntN(3)].ID
				case 3:
					up.AccountID = &accounts[rng.IntN(len(accounts))]
				case 4:
					up.ExpectedClose = new(date(-rng.IntN(200)))
					if x.Outcome != "open" {
						up.ClosedOn = new(date(rng.IntN(3)))
					}
				case 5:
					up.Lines = new(lines())
				}
				_, err = svc.UpdateOpportunity(sun, x.ID, up)
			case "activity":
				rep := reps[rng.IntN(3)]
				var x *crm.Activity
				x, err = svc.CreateActivity(testorg.As(rep), crm.ActivityInput{Kind: []string{"call", "visit", "meeting", "email", "note"}[rng.IntN(5)],
					Subject: "follow up", At: now.Add(-time.Duration(rng.IntN(24*40)) * time.Hour)})
				if err == nil {
					acts = append(acts, &act{x.ID, rep, x.At, x.Version})
				}
			case "move activity":
				if len(acts) == 0 {
					continue
				}
				a := acts[rng.IntN(len(acts))]
				var x *crm.Activity
				x, err = svc.UpdateActivity(testorg.As(a.rep), a.id, crm.ActivityInput{Kind: "visit", Subject: "moved",
					At: a.at.Add(-time.Duration(rng.IntN(24*60)) * time.Hour), Version: a.version})
				if err == nil {
					a.at, a.version = x.At, x.Version
				}
			case "rename series":
				p := products[rng.IntN(len(products))]
				p, err = svc.UpdateProduct(testorg.As(o.Admin), p.ID, crm.ProductInput{Code: p.Code, Name: p.Name,
					Series: fmt.Sprintf("系列 %d", step), ListPrice: p.ListPrice, Version: p.Version})
				if err == nil {
					products = slices.DeleteFunc(products, func(x *crm.Product) bool { return x.ID == p.ID })
					products = append(products, p)
				}
			case "merge":
				if len(accounts) < 3 {
					continue
				}
				i := rng.IntN(len(accounts) - 1)
				_, err = svc.MergeAccounts(testorg.As(o.Admin), accounts[i], accounts[i+1])
				if err == nil {
					accounts = append(accounts[:i+1], accounts[i+2:]...)
				}
			}
			if err == nil {
				applied[op]++
			}
			if step%20 == 19 {
				compare(t, d, step)
			}
		}
		for _, op := range []string{"create", "update", "activity", "move activity", "merge", "rename series"} {
			if applied[op] == 0 {
				t.Errorf("no %s was applied: the test does not exercise it", op)
			}
		}
		t.Logf("applied: %v", applied)
		ensureSlices(t, d)
	})
}

func compare(t *testing.T, d *db.DB, step int) {
	t.Helper()
	ctx := context.Background()
	err := d.View(ctx, func(tx *db.Tx) error {
		kept, err := totals.Stored(ctx, tx)
		if err != nil {
			return err
		}
		want, err := totals.Recompute(ctx, tx)
		if err != nil {
			return err
		}
		for k, v := range want {
			if kept[k] != v {
				t.Errorf("after step %d: %+v kept %+v, recomputed %+v", step, k, kept[k], v)
			}
		}
		for k, v := range kept {
			if _, ok := want[k]; !ok {
				t.Errorf("after step %d: %+v kept %+v, recomputed nothing", step, k, v)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ensureSlices fails unless some won revenue was kept by a named product
// series and by a territory, so the comparison covered both.
func ensureSlices(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	err := d.View(ctx, func(tx *db.Tx) error {
		kept, err := totals.Stored(ctx, tx)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for k := range kept {
			if k.Dim != "" && (k.Measure == totals.WonSeries || k.Measure == totals.WonArea) {
				seen[k.Measure] = true
			}
		}
		if !seen[totals.WonSeries] || !seen[totals.WonArea] {
			t.Errorf("won revenue by series and territory not exercised: %v", seen)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
