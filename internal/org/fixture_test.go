package org_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/auth"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/password"
)

// testPassword is every fixture person's password.
const testPassword = "correct horse battery"

// cheap keeps password hashing fast in tests; the format is the production one.
var cheap = password.Params{Memory: 1024, Time: 1, Threads: 1}

// company is a small sales organisation built through the real services:
//
//	Company /1/        senior manager Sun; marketing Ma, product Pan, customer service Cao; admin Ada has no unit
//	├── East           regional manager Li (reports to Sun)
//	│   └── East Team  reps Zhao and Qian (report to Li)
//	└── West           regional manager Wang (reports to Sun)
//	    └── West Team  rep Zhou (reports to Wang)
type company struct {
	d      *db.DB
	org    *org.Service
	audit  *audit.Service
	levels map[string]int64 // level id by code

	root, east, eastTeam, west, westTeam *org.Unit

	admin, senior, eastMgr, westMgr, eastRep, eastRep2, westRep *org.Person
	marketing, product, service                                 *org.Person
}

// newCompany builds the company in d.
func newCompany(t *testing.T, d *db.DB) *company {
	t.Helper()
	c := &company{d: d, org: org.NewService(d, cheap), audit: audit.NewService(d), levels: map[string]int64{}}
	ctx := system()
	levels, err := c.org.FindLevels(ctx)
	if err != nil {
		t.Fatalf("find levels: %v", err)
	}
	for _, l := range levels {
		c.levels[l.Code] = l.ID
	}
	if c.root, err = c.org.FindUnitByID(ctx, 1); err != nil {
		t.Fatalf("find company unit: %v", err)
	}
	c.east = c.mustUnit(t, org.UnitInput{ParentID: c.root.ID, Kind: org.KindRegion, Name: "East"})
	c.eastTeam = c.mustUnit(t, org.UnitInput{ParentID: c.east.ID, Kind: org.KindTeam, Name: "East Team"})
	c.west = c.mustUnit(t, org.UnitInput{ParentID: c.root.ID, Kind: org.KindRegion, Name: "West"})
	c.westTeam = c.mustUnit(t, org.UnitInput{ParentID: c.west.ID, Kind: org.KindTeam, Name: "West Team"})

	c.admin = c.mustPerson(t, "ada", echelon.RoleAdmin, nil, nil, "")
	c.senior = c.mustPerson(t, "sun", echelon.RoleSeniorManager, c.root, nil, "senior_manager")
	c.eastMgr = c.mustPerson(t, "li", echelon.RoleRegionalManager, c.east, c.senior, "regional_manager")
	c.westMgr = c.mustPerson(t, "wang", echelon.RoleRegionalManager, c.west, c.senior, "regional_manager")
	c.eastRep = c.mustPerson(t, "zhao", echelon.RoleRep, c.eastTeam, c.eastMgr, "junior_rep")
	c.eastRep2 = c.mustPerson(t, "qian", echelon.RoleRep, c.eastTeam, c.eastMgr, "mid_rep")
	c.westRep = c.mustPerson(t, "zhou", echelon.RoleRep, c.westTeam, c.westMgr, "senior_rep")
	c.marketing = c.mustPerson(t, "ma", echelon.RoleMarketing, c.root, nil, "")
	c.product = c.mustPerson(t, "pan", echelon.RoleProduct, c.root, nil, "")
	c.service = c.mustPerson(t, "cao", echelon.RoleCustomerService, c.root, nil, "")
	return c
}

// everyone lists the fixture people.
func (c *company) everyone() []*org.Person {
	return []*org.Person{c.admin, c.senior, c.eastMgr, c.westMgr, c.eastRep, c.eastRep2, c.westRep, c.marketing, c.product, c.service}
}

// mustUnit creates a unit as the system.
func (c *company) mustUnit(t *testing.T, in org.UnitInput) *org.Unit {
	t.Helper()
	u, err := c.org.CreateUnit(system(), in)
	if err != nil {
		t.Fatalf("create unit %q: %v", in.Name, err)
	}
	return u
}

// mustPerson creates a person named after their e-mail's local part, with testPassword.
func (c *company) mustPerson(t *testing.T, login string, role echelon.Role, unit *org.Unit, manager *org.Person, level string) *org.Person {
	t.Helper()
	in := org.PersonInput{
		Email: login + "@example.com", Name: strings.ToUpper(login[:1]) + login[1:], Role: role,
		HireDate: "2023-03-01", Password: testPassword,
	}
	if unit != nil {
		in.UnitID = unit.ID
	}
	if manager != nil {
		in.ManagerID = manager.ID
	}
	if level != "" {
		in.LevelID = c.levels[level]
	}
	p, err := c.org.CreatePerson(system(), in)
	if err != nil {
		t.Fatalf("create person %s: %v", login, err)
	}
	return p
}

// reload reads a person again as the system.
func (c *company) reload(t *testing.T, p *org.Person) *org.Person {
	t.Helper()
	got, err := c.org.FindPersonByID(system(), p.ID)
	if err != nil {
		t.Fatalf("reload person %d: %v", p.ID, err)
	}
	return got
}

// reloadUnit reads a unit again as the system.
func (c *company) reloadUnit(t *testing.T, u *org.Unit) *org.Unit {
	t.Helper()
	got, err := c.org.FindUnitByID(system(), u.ID)
	if err != nil {
		t.Fatalf("reload unit %d: %v", u.ID, err)
	}
	return got
}

// newAuth returns an authentication service over the company's database.
func (c *company) newAuth(t *testing.T) *auth.Service {
	t.Helper()
	s, err := auth.NewService(c.d, auth.DefaultConfig(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("auth service: %v", err)
	}
	return s
}

// system is the context of work done by the program itself.
func system() context.Context {
	return echelon.NewContext(context.Background(), echelon.SystemActor("test"))
}

// as returns a context in which p is signed in.
func as(p *org.Person) context.Context {
	return echelon.NewContext(context.Background(), actorOf(p))
}

// actorOf builds the actor the sign-in of p would produce.
func actorOf(p *org.Person) *echelon.Actor {
	return &echelon.Actor{PersonID: p.ID, Name: p.Name, Role: p.Role, UnitID: p.UnitID, UnitPath: p.UnitPath}
}

// entries returns the audit entries about one entity, newest first.
func (c *company) entries(t *testing.T, entity string, id int64) []audit.Entry {
	t.Helper()
	es, _, err := c.audit.FindEntries(system(), audit.Filter{Entity: entity, EntityID: fmt.Sprint(id), Limit: 200})
	if err != nil {
		t.Fatalf("find audit entries: %v", err)
	}
	return es
}

// auditFilter selects the entries of one action on one entity.
func auditFilter(entity string, id int64, action string) audit.Filter {
	return audit.Filter{Entity: entity, EntityID: fmt.Sprint(id), Action: action, Limit: 200}
}

// auditKey selects the entries about an entity whose key is not numeric.
func auditKey(entity, key string) audit.Filter {
	return audit.Filter{Entity: entity, EntityID: key, Limit: 200}
}

// state is a fingerprint of everything a failed write must leave alone:
// row counts, and version sums that every update raises.
type state struct {
	people, units, levels, audit, sessions, tokens int
	personVersions, unitVersions, levelVersions    int
	statementVersions, activePeople, closedUnits   int
}

func (c *company) state(t *testing.T) state {
	t.Helper()
	var s state
	ctx := context.Background()
	err := c.d.View(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT
			(SELECT COUNT(*) FROM people), (SELECT COUNT(*) FROM org_units), (SELECT COUNT(*) FROM levels),
			(SELECT COUNT(*) FROM audit_log), (SELECT COUNT(*) FROM sessions),
			(SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL),
			(SELECT COALESCE(SUM(version), 0) FROM people), (SELECT COALESCE(SUM(version), 0) FROM org_units),
			(SELECT COALESCE(SUM(version), 0) FROM levels), (SELECT COALESCE(SUM(version), 0) FROM role_statements),
			(SELECT COUNT(*) FROM people WHERE active), (SELECT COUNT(*) FROM org_units WHERE closed_at IS NOT NULL)`).
			Scan(&s.people, &s.units, &s.levels, &s.audit, &s.sessions, &s.tokens, &s.personVersions, &s.unitVersions,
				&s.levelVersions, &s.statementVersions, &s.activePeople, &s.closedUnits)
	})
	if err != nil {
		t.Fatalf("read state: %v", err)
	}
	return s
}

// unchanged fails the test when the database differs from before.
func (c *company) unchanged(t *testing.T, before state) {
	t.Helper()
	if after := c.state(t); after != before {
		t.Errorf("a refused write changed the database:\nbefore %+v\nafter  %+v", before, after)
	}
}

// wantErr checks err's code and catalogue key.
func wantErr(t *testing.T, err error, code, key string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s %s", code, key)
	}
	var e *echelon.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v (%T), want %s %s", err, err, code, key)
	}
	if e.Code != code || e.Key != key {
		t.Fatalf("got %s %s, want %s %s", e.Code, e.Key, code, key)
	}
}

// wantFieldErr checks err is EINVALID with the key, about field.
func wantFieldErr(t *testing.T, err error, field, key string) {
	t.Helper()
	wantErr(t, err, echelon.EINVALID, key)
	var e *echelon.Error
	errors.As(err, &e)
	if e.Field != field {
		t.Fatalf("error %s names field %q, want %q", e.Key, e.Field, field)
	}
}

// wantCode checks only the error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := echelon.ErrorCode(err); got != code {
		t.Fatalf("got error %v (code %q), want code %q", err, got, code)
	}
}

func ptr[T any](v T) *T { return &v }
