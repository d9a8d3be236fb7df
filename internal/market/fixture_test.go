package market_test

import (
	"errors"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/market"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/testorg"
)

// now is in 2026, after every deal of the fixture (a won deal cannot close in the future).
var now = time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)

// fixture is the test organisation (see testorg) with territories,
// accounts and deals around the second quarter of 2025:
//
//	Shanghai   province 上海, Zhao's (East-A)    accounts Zhao's SMB (a1), Qian's smb (a4)
//	Zhejiang   province 浙江, the East's          account Qian's Enterprise (a2)
//	Guangdong  province 广东, the West's          account Zhou's SMB (a3)
//	Beijing    province 北京, the company's (no region)
//
// Won deals: a1 300,000.00 CNY on 30 Jun 2025 (in), 100,000.00 CNY on 1 Jul
// (out), 20,000.00 USD on 15 May (in, another currency); a4 50,000.00 CNY on
// 1 Apr (in); a3 200,000.00 CNY on 1 May (in); a2 70,000.00 CNY on 31 Mar
// (out) and 40,000.00 CNY on 20 May (in). A lost deal of a1 in May counts
// for nothing.
type fixture struct {
	*testorg.Org
	crm                                    *crm.Service
	svc                                    *market.Service
	shanghai, zhejiang, guangdong, beijing *crm.Territory
	stages                                 map[string]int64
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	f := &fixture{Org: testorg.New(t, d), crm: crm.NewService(d, func() time.Time { return now }),
		svc: market.NewService(d).WithClock(func() time.Time { return now }), stages: map[string]int64{}}
	stages, err := f.crm.FindStages(testorg.System())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range stages {
		f.stages[st.Code] = st.ID
	}
	f.shanghai = f.territory(t, crm.TerritoryInput{Name: "Shanghai", Province: "上海", PersonID: f.EastRep.ID})
	f.zhejiang = f.territory(t, crm.TerritoryInput{Name: "Zhejiang", Province: "浙江", UnitID: f.East.ID})
	f.guangdong = f.territory(t, crm.TerritoryInput{Name: "Guangdong", Province: "广东", UnitID: f.West.ID})
	f.beijing = f.territory(t, crm.TerritoryInput{Name: "Beijing", Province: "北京", UnitID: f.Company.ID})
	a1 := f.account(t, "Zhao SMB Co", "上海", "SMB", f.EastRep)
	a2 := f.account(t, "Qian Enterprise Co", "浙江", "Enterprise", f.EastRep2)
	a3 := f.account(t, "Zhou SMB Co", "广东", "SMB", f.WestRep)
	a4 := f.account(t, "Qian smb Co", "上海", "smb", f.EastRep2)
	f.deal(t, a1, f.EastRep, "won", 300_000_00, "CNY", "2025-06-30")
	f.deal(t, a1, f.EastRep, "won", 100_000_00, "CNY", "2025-07-01")
	f.deal(t, a1, f.EastRep, "won", 20_000_00, "USD", "2025-05-15")
	f.deal(t, a1, f.EastRep, "lost", 999_000_00, "CNY", "2025-05-10")
	f.deal(t, a4, f.EastRep2, "won", 50_000_00, "CNY", "2025-04-01")
	f.deal(t, a3, f.WestRep, "won", 200_000_00, "CNY", "2025-05-01")
	f.deal(t, a2, f.EastRep2, "won", 70_000_00, "CNY", "2025-03-31")
	f.deal(t, a2, f.EastRep2, "won", 40_000_00, "CNY", "2025-05-20")
	return f
}

func (f *fixture) territory(t *testing.T, in crm.TerritoryInput) *crm.Territory {
	t.Helper()
	tr, err := f.crm.CreateTerritory(testorg.System(), in)
	if err != nil {
		t.Fatalf("territory %s: %v", in.Name, err)
	}
	return tr
}

func (f *fixture) account(t *testing.T, name, province, segment string, owner *org.Person) *crm.Account {
	t.Helper()
	a, err := f.crm.CreateAccount(testorg.System(), crm.AccountInput{Name: name, Province: province, Segment: segment, OwnerID: owner.ID})
	if err != nil {
		t.Fatalf("account %s: %v", name, err)
	}
	if a.TerritoryID == 0 {
		t.Fatalf("account %s has no territory", name)
	}
	return a
}

func (f *fixture) deal(t *testing.T, a *crm.Account, owner *org.Person, stage string, amount int64, currency, closed string) {
	t.Helper()
	in := crm.OpportunityInput{Name: a.Name + " " + closed, AccountID: a.ID, OwnerID: owner.ID, Amount: amount, Currency: currency,
		StageID: f.stages[stage], ClosedOn: closed, EngagedOn: "2025-01-02"}
	if stage == "lost" {
		in.LostReason = "price"
	}
	if _, err := f.crm.CreateOpportunity(testorg.System(), in); err != nil {
		t.Fatalf("deal of %s on %s: %v", a.Name, closed, err)
	}
}

// set sets a market size as the system, which may set any.
func (f *fixture) set(t *testing.T, in market.SizeInput) *market.Size {
	t.Helper()
	s, _, err := f.svc.Set(testorg.System(), in)
	if err != nil {
		t.Fatalf("set %+v: %v", in, err)
	}
	return s
}

func wantErr(t *testing.T, err error, code, key string) {
	t.Helper()
	var e *echelon.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v (%T), want %s %s", err, err, code, key)
	}
	if e.Code != code || (key != "" && e.Key != key) {
		t.Fatalf("got %s %s %v, want %s %s", e.Code, e.Key, e.Args, code, key)
	}
}
