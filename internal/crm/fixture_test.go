package crm_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/testorg"
)

// start is the fixture clock's first reading: a Monday, 10:00 in Shanghai.
var start = time.Date(2025, 3, 3, 2, 0, 0, 0, time.UTC)

// clock is the CRM service's clock; tests move it to make time pass for
// the pool's return and lockout rules.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// advance moves the clock forward by d.
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// days is n days as a duration.
func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// fixture is the small sales organisation of internal/testorg with the
// CRM on top, on a clock the tests move:
//
//	Company /1/   senior manager Sun, marketing Ma; admin Ada has no unit
//	├── East      regional manager Li
//	│   └── East-A  reps Zhao (junior_rep) and Qian (mid_rep)
//	└── West      regional manager Wang, rep Zhou (mid_rep)
type fixture struct {
	d      *db.DB
	org    *org.Service
	crm    *crm.Service
	audit  *audit.Service
	clock  *clock
	levels map[string]int64 // level id by code
	stages map[string]int64 // stage id by code

	company, east, eastA, west *org.Unit

	admin, senior, eastMgr, westMgr, eastRep, eastRep2, westRep, marketing *org.Person
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	o := testorg.New(t, d)
	f := &fixture{d: d, org: o.Org, audit: audit.NewService(d), clock: &clock{now: start}, levels: o.Levels, stages: map[string]int64{},
		company: o.Company, east: o.East, eastA: o.EastA, west: o.West,
		admin: o.Admin, senior: o.Senior, eastMgr: o.EastMgr, westMgr: o.WestMgr,
		eastRep: o.EastRep, eastRep2: o.EastRep2, westRep: o.WestRep, marketing: o.Marketing}
	f.crm = crm.NewService(d, f.clock.Now)
	stages, err := f.crm.FindStages(system())
	if err != nil {
		t.Fatalf("find stages: %v", err)
	}
	for _, s := range stages {
		f.stages[s.Code] = s.ID
	}
	return f
}

// setAccountLimit sets how many accounts people of a level may own.
func (f *fixture) setAccountLimit(t *testing.T, level string, limit int) {
	t.Helper()
	ctx := context.Background()
	err := f.d.Tx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE levels SET account_limit = ? WHERE code = ?`, limit, level)
		return err
	})
	if err != nil {
		t.Fatalf("set account limit of %s: %v", level, err)
	}
}

// system is the context of work done by the program itself.
func system() context.Context { return testorg.System() }

// as returns a context in which p is signed in.
func as(p *org.Person) context.Context { return testorg.As(p) }

// mustAccount creates an account as p.
func (f *fixture) mustAccount(t *testing.T, p *org.Person, in crm.AccountInput) *crm.Account {
	t.Helper()
	a, err := f.crm.CreateAccount(as(p), in)
	if err != nil {
		t.Fatalf("%s creates account %q: %v", p.Name, in.Name, err)
	}
	return a
}

// mustPoolAccount creates, as p, an unowned account in the pool of unit.
func (f *fixture) mustPoolAccount(t *testing.T, p *org.Person, unit *org.Unit, name string) *crm.Account {
	t.Helper()
	a := f.mustAccount(t, p, crm.AccountInput{Name: name, UnitID: unit.ID})
	if !a.InPool() {
		t.Fatalf("account %q was created with owner %d, want it in the pool", name, a.OwnerID)
	}
	return a
}

// mustOpportunity creates an opportunity as p in the prospecting stage unless in names one.
func (f *fixture) mustOpportunity(t *testing.T, p *org.Person, in crm.OpportunityInput) *crm.Opportunity {
	t.Helper()
	if in.StageID == 0 {
		in.StageID = f.stages["prospecting"]
	}
	o, err := f.crm.CreateOpportunity(as(p), in)
	if err != nil {
		t.Fatalf("%s creates opportunity %q: %v", p.Name, in.Name, err)
	}
	return o
}

// mustContact creates a contact as p.
func (f *fixture) mustContact(t *testing.T, p *org.Person, in crm.ContactInput) *crm.Contact {
	t.Helper()
	c, err := f.crm.CreateContact(as(p), in)
	if err != nil {
		t.Fatalf("%s creates contact %q: %v", p.Name, in.Name, err)
	}
	return c
}

// mustActivity logs an activity as p.
func (f *fixture) mustActivity(t *testing.T, p *org.Person, in crm.ActivityInput) *crm.Activity {
	t.Helper()
	if in.Kind == "" {
		in.Kind = "call"
	}
	if in.Subject == "" {
		in.Subject = "Follow-up call"
	}
	if in.At.IsZero() {
		in.At = f.clock.Now()
	}
	x, err := f.crm.CreateActivity(as(p), in)
	if err != nil {
		t.Fatalf("%s logs activity %q: %v", p.Name, in.Subject, err)
	}
	return x
}

// mustLead creates a lead as p.
func (f *fixture) mustLead(t *testing.T, p *org.Person, in crm.LeadInput) *crm.Lead {
	t.Helper()
	l, err := f.crm.CreateLead(as(p), in)
	if err != nil {
		t.Fatalf("%s creates lead %q: %v", p.Name, in.Company, err)
	}
	return l
}

// account reads an account again as the system.
func (f *fixture) account(t *testing.T, id int64) *crm.Account {
	t.Helper()
	a, err := f.crm.FindAccountByID(system(), id)
	if err != nil {
		t.Fatalf("reload account %d: %v", id, err)
	}
	return a
}

// opportunity reads an opportunity again as the system.
func (f *fixture) opportunity(t *testing.T, id int64) *crm.Opportunity {
	t.Helper()
	o, err := f.crm.FindOpportunityByID(system(), id)
	if err != nil {
		t.Fatalf("reload opportunity %d: %v", id, err)
	}
	return o
}

// entries returns the audit entries of one action on one entity, newest first.
func (f *fixture) entries(t *testing.T, entity string, id int64, action string) []audit.Entry {
	t.Helper()
	es, _, err := f.audit.FindEntries(system(), audit.Filter{Entity: entity, EntityID: fmt.Sprint(id), Action: action, Limit: 200})
	if err != nil {
		t.Fatalf("find audit entries: %v", err)
	}
	return es
}

// ownership returns an account's ownership history as the system, newest first.
func (f *fixture) ownership(t *testing.T, id int64) []*crm.OwnershipEvent {
	t.Helper()
	h, err := f.crm.FindOwnership(system(), id)
	if err != nil {
		t.Fatalf("ownership of account %d: %v", id, err)
	}
	return h
}

// rows counts what every CRM write may create or change, so a refused
// write can be shown to have left the database alone.
type rows struct {
	accounts, ownership, contacts, opportunities, lines, stageHistory, leads, activities, products, stages, audit int
	versions                                                                                                      int
}

func (f *fixture) rows(t *testing.T) rows {
	t.Helper()
	var r rows
	ctx := context.Background()
	err := f.d.View(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT
			(SELECT COUNT(*) FROM accounts), (SELECT COUNT(*) FROM account_ownership), (SELECT COUNT(*) FROM contacts),
			(SELECT COUNT(*) FROM opportunities), (SELECT COUNT(*) FROM opportunity_products), (SELECT COUNT(*) FROM stage_history),
			(SELECT COUNT(*) FROM leads), (SELECT COUNT(*) FROM activities), (SELECT COUNT(*) FROM products),
			(SELECT COUNT(*) FROM stages), (SELECT COUNT(*) FROM audit_log),
			(SELECT COALESCE(SUM(version), 0) FROM accounts) + (SELECT COALESCE(SUM(version), 0) FROM contacts) +
			(SELECT COALESCE(SUM(version), 0) FROM opportunities) + (SELECT COALESCE(SUM(version), 0) FROM leads) +
			(SELECT COALESCE(SUM(version), 0) FROM activities) + (SELECT COALESCE(SUM(version), 0) FROM products) +
			(SELECT COALESCE(SUM(version), 0) FROM stages)`).
			Scan(&r.accounts, &r.ownership, &r.contacts, &r.opportunities, &r.lines, &r.stageHistory, &r.leads, &r.activities,
				&r.products, &r.stages, &r.audit, &r.versions)
	})
	if err != nil {
		t.Fatalf("count rows: %v", err)
	}
	return r
}

// unchanged fails the test when a refused write changed the database.
func (f *fixture) unchanged(t *testing.T, before rows) {
	t.Helper()
	if after := f.rows(t); after != before {
		t.Errorf("a refused write changed the database:\nbefore %+v\nafter  %+v", before, after)
	}
}

// wantErr checks err's code and catalogue key and returns the error.
func wantErr(t *testing.T, err error, code, key string) *echelon.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s %s", code, key)
	}
	var e *echelon.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v (%T), want %s %s", err, err, code, key)
	}
	if e.Code != code || e.Key != key {
		t.Fatalf("got %s %s %v, want %s %s", e.Code, e.Key, e.Args, code, key)
	}
	return e
}

// wantCode checks only the error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := echelon.ErrorCode(err); got != code {
		t.Fatalf("got error %v (code %q), want code %q", err, got, code)
	}
}

// wantArgs checks the arguments an error passes to its message.
func wantArgs(t *testing.T, e *echelon.Error, want ...any) {
	t.Helper()
	same := len(e.Args) == len(want)
	for i := 0; same && i < len(want); i++ {
		same = fmt.Sprint(e.Args[i]) == fmt.Sprint(want[i])
	}
	if !same {
		t.Fatalf("%s arguments %v, want %v", e.Key, e.Args, want)
	}
}

func ptr[T any](v T) *T { return &v }

// atOnce runs fn(0) … fn(n-1) each in its own goroutine, releasing them
// together so that their transactions overlap, and waits for all of them.
func atOnce(n int, fn func(i int)) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			fn(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

// accountIDs lists the ids of accounts.
func accountIDs(as []*crm.Account) []int64 {
	var ids []int64
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	return ids
}

// contains reports whether ids holds id.
func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
