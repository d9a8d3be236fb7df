package survey_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/survey"
	"github.com/echelonhq/echelon/internal/testorg"
)

// clock is the services' clock, in nanoseconds since 1970; tests move it
// to let survey links expire. Answers read it from several goroutines.
type clock struct{ unixNano atomic.Int64 }

func (c *clock) Now() time.Time { return time.Unix(0, c.unixNano.Load()).UTC() }

func (c *clock) advance(d time.Duration) { c.unixNano.Add(int64(d)) }

// fixture is testorg's company with CRM records of its own:
//
//	eastAcc, eastWon, eastOpen, eastLost   eastRep's (East-A)
//	eastAcc2                               eastRep2's (East-A)
//	westAcc, westWon                       westRep's (West)
//	eastPool                               unowned, in the East's pool
type fixture struct {
	*testorg.Org
	d      *db.DB
	clock  *clock
	crm    *crm.Service
	survey *survey.Service
	audit  *audit.Service

	eastAcc, eastAcc2, westAcc, eastPool *crm.Account
	eastWon, eastOpen, eastLost, westWon *crm.Opportunity
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	c := &clock{}
	c.unixNano.Store(time.Date(2025, 3, 3, 2, 0, 0, 0, time.UTC).UnixNano())
	f := &fixture{Org: testorg.New(t, d), d: d, clock: c, crm: crm.NewService(d, c.Now), survey: survey.NewService(d, c.Now), audit: audit.NewService(d)}
	stages := f.stages(t)
	f.eastAcc = f.account(t, f.EastRep, "东方精密 East Precision")
	f.eastAcc2 = f.account(t, f.EastRep2, "East Logistics")
	f.westAcc = f.account(t, f.WestRep, "West Energy")
	pool, err := f.crm.CreateAccount(testorg.As(f.EastMgr), crm.AccountInput{Name: "East Pool Trading", UnitID: f.East.ID})
	if err != nil {
		t.Fatalf("pool account: %v", err)
	}
	f.eastPool = pool
	f.eastWon = f.deal(t, f.EastRep, f.eastAcc, "Line automation", crm.OpportunityInput{StageID: stages["won"]})
	f.eastOpen = f.deal(t, f.EastRep, f.eastAcc, "Second line", crm.OpportunityInput{StageID: stages["proposal"]})
	f.eastLost = f.deal(t, f.EastRep, f.eastAcc, "Spare parts", crm.OpportunityInput{StageID: stages["lost"], LostReason: "price"})
	f.westWon = f.deal(t, f.WestRep, f.westAcc, "Turbine retrofit", crm.OpportunityInput{StageID: stages["won"]})
	return f
}

func (f *fixture) stages(t *testing.T) map[string]int64 {
	t.Helper()
	all, err := f.crm.FindStages(testorg.System())
	if err != nil {
		t.Fatalf("stages: %v", err)
	}
	out := map[string]int64{}
	for _, st := range all {
		out[st.Code] = st.ID
	}
	return out
}

func (f *fixture) account(t *testing.T, owner *org.Person, name string) *crm.Account {
	t.Helper()
	a, err := f.crm.CreateAccount(testorg.As(owner), crm.AccountInput{Name: name})
	if err != nil {
		t.Fatalf("account %s: %v", name, err)
	}
	return a
}

func (f *fixture) deal(t *testing.T, owner *org.Person, a *crm.Account, name string, in crm.OpportunityInput) *crm.Opportunity {
	t.Helper()
	in.Name, in.AccountID, in.Amount = name, a.ID, 1000000
	o, err := f.crm.CreateOpportunity(testorg.As(owner), in)
	if err != nil {
		t.Fatalf("deal %s: %v", name, err)
	}
	return o
}

// send sends a survey as p and fails the test if it is refused.
func (f *fixture) send(t *testing.T, p *org.Person, in survey.SendInput) (*survey.Survey, string) {
	t.Helper()
	sv, token, err := f.survey.Send(testorg.As(p), in)
	if err != nil {
		t.Fatalf("%s sends %+v: %v", p.Name, in, err)
	}
	return sv, token
}

// untouched reads what a survey write may change — the surveys, their
// answers and versions, the audit log — and returns a check that fails the
// test when it changed since: a refused call must leave the database alone.
func (f *fixture) untouched(t *testing.T) func() {
	t.Helper()
	before := f.footprint(t)
	return func() {
		t.Helper()
		if after := f.footprint(t); after != before {
			t.Errorf("a refused call changed the database: %s, then %s", before, after)
		}
	}
}

func (f *fixture) footprint(t *testing.T) string {
	t.Helper()
	var surveys, answered, versions, audits int
	ctx := context.Background()
	if err := f.d.View(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM surveys), (SELECT COUNT(*) FROM surveys WHERE answered_at IS NOT NULL),
			(SELECT COALESCE(SUM(version), 0) FROM surveys), (SELECT COUNT(*) FROM audit_log)`).Scan(&surveys, &answered, &versions, &audits)
	}); err != nil {
		t.Fatalf("footprint: %v", err)
	}
	return fmt.Sprintf("%d surveys, %d answered, versions %d, %d audit entries", surveys, answered, versions, audits)
}

// entries returns the audit entries of one survey and action.
func (f *fixture) entries(t *testing.T, id int64, action string) []audit.Entry {
	t.Helper()
	es, _, err := f.audit.FindEntries(testorg.System(), audit.Filter{Entity: "survey", EntityID: fmt.Sprint(id), Action: action, Limit: 50})
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	return es
}

// wantErr checks that err is the *echelon.Error of code, key and field
// ("" for none), so a refusal is the one a person is meant to read.
func wantErr(t *testing.T, err error, code, key, field string) {
	t.Helper()
	e, ok := errors.AsType[*echelon.Error](err)
	if !ok || e.Code != code || e.Key != key || e.Field != field {
		t.Fatalf("got %v (field %q), want %s %s on %q", err, fieldOf(e), code, key, field)
	}
}

func fieldOf(e *echelon.Error) string {
	if e == nil {
		return ""
	}
	return e.Field
}
