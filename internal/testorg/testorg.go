// Package testorg builds, for tests, a small sales organisation through
// the real services, and the contexts to act in it as each of its people.
package testorg

import (
	"context"
	"strings"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/password"
)

// Cheap keeps password hashing fast in tests; the format is the production one.
var Cheap = password.Params{Memory: 1024, Time: 1, Threads: 1}

// Org is the organisation:
//
//	Company /1/   senior manager Sun, marketing Ma; admin Ada has no unit
//	├── East      regional manager Li
//	│   └── East-A  reps Zhao (junior_rep) and Qian (mid_rep)
//	└── West      regional manager Wang, rep Zhou (mid_rep)
type Org struct {
	DB     *db.DB
	Org    *org.Service
	Levels map[string]int64 // level id by code

	Company, East, EastA, West *org.Unit

	Admin, Senior, EastMgr, WestMgr, EastRep, EastRep2, WestRep, Marketing *org.Person
}

// New builds the organisation in d.
func New(t testing.TB, d *db.DB) *Org {
	t.Helper()
	o := &Org{DB: d, Org: org.NewService(d, Cheap), Levels: map[string]int64{}}
	ctx := System()
	levels, err := o.Org.FindLevels(ctx)
	if err != nil {
		t.Fatalf("find levels: %v", err)
	}
	for _, l := range levels {
		o.Levels[l.Code] = l.ID
	}
	if o.Company, err = o.Org.FindUnitByID(ctx, 1); err != nil {
		t.Fatalf("find company unit: %v", err)
	}
	if o.Company.Path != "/1/" {
		t.Fatalf("company path %q, want /1/", o.Company.Path)
	}
	o.East = o.Unit(t, org.UnitInput{ParentID: o.Company.ID, Kind: org.KindRegion, Name: "East"})
	o.EastA = o.Unit(t, org.UnitInput{ParentID: o.East.ID, Kind: org.KindTeam, Name: "East-A"})
	o.West = o.Unit(t, org.UnitInput{ParentID: o.Company.ID, Kind: org.KindRegion, Name: "West"})

	o.Admin = o.Person(t, "ada", echelon.RoleAdmin, nil, nil, "")
	o.Senior = o.Person(t, "sun", echelon.RoleSeniorManager, o.Company, nil, "senior_manager")
	o.EastMgr = o.Person(t, "li", echelon.RoleRegionalManager, o.East, o.Senior, "regional_manager")
	o.WestMgr = o.Person(t, "wang", echelon.RoleRegionalManager, o.West, o.Senior, "regional_manager")
	o.EastRep = o.Person(t, "zhao", echelon.RoleRep, o.EastA, o.EastMgr, "junior_rep")
	o.EastRep2 = o.Person(t, "qian", echelon.RoleRep, o.EastA, o.EastMgr, "mid_rep")
	o.WestRep = o.Person(t, "zhou", echelon.RoleRep, o.West, o.WestMgr, "mid_rep")
	o.Marketing = o.Person(t, "ma", echelon.RoleMarketing, o.Company, nil, "")
	return o
}

// Unit creates an org unit.
func (o *Org) Unit(t testing.TB, in org.UnitInput) *org.Unit {
	t.Helper()
	u, err := o.Org.CreateUnit(System(), in)
	if err != nil {
		t.Fatalf("create unit %q: %v", in.Name, err)
	}
	return u
}

// Person creates a person named after the login, capitalised.
func (o *Org) Person(t testing.TB, login string, role echelon.Role, unit *org.Unit, manager *org.Person, level string) *org.Person {
	t.Helper()
	in := org.PersonInput{Email: login + "@example.com", Name: strings.ToUpper(login[:1]) + login[1:], Role: role, HireDate: "2023-03-01"}
	if unit != nil {
		in.UnitID = unit.ID
	}
	if manager != nil {
		in.ManagerID = manager.ID
	}
	if level != "" {
		in.LevelID = o.Levels[level]
	}
	p, err := o.Org.CreatePerson(System(), in)
	if err != nil {
		t.Fatalf("create person %s: %v", login, err)
	}
	return p
}

// System is the context of work done by the program itself.
func System() context.Context {
	return echelon.NewContext(context.Background(), echelon.SystemActor("test"))
}

// As returns a context in which p is signed in.
func As(p *org.Person) context.Context {
	return echelon.NewContext(context.Background(), ActorOf(p))
}

// ActorOf builds the actor the sign-in of p would produce.
func ActorOf(p *org.Person) *echelon.Actor {
	return &echelon.Actor{PersonID: p.ID, Name: p.Name, Role: p.Role, UnitID: p.UnitID, UnitPath: p.UnitPath}
}
