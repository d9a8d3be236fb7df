package demo_test

import (
	"context"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/demo"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/testorg"
)

// The first run offers the demo company to an administrator of an empty
// installation only, and loads it once.
func TestTheFirstRunOffersTheDemoToAnAdministratorOfAnEmptyDatabase(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		people := org.NewService(d, testorg.Cheap)
		svc := demo.NewService(d, people, tiny)
		admin, err := people.CreatePerson(testorg.System(), org.PersonInput{Email: "first@example.com", Name: "First admin", Role: echelon.RoleAdmin, Password: "password123"})
		if err != nil {
			t.Fatal(err)
		}
		as := testorg.As(admin)
		if ok, err := svc.Offered(as); !ok || err != nil {
			t.Fatalf("an empty database is not offered the demo: %v %v", ok, err)
		}
		var phases [][2]int
		res, err := svc.Load(as, func(done, total int) { phases = append(phases, [2]int{done, total}) })
		if err != nil {
			t.Fatal(err)
		}
		if res.Senior == "" || res.People == 0 || len(phases) == 0 || phases[len(phases)-1][0] != phases[len(phases)-1][1] {
			t.Errorf("load: %+v, phases %v", res, phases)
		}
		if ok, err := svc.Offered(as); ok || err != nil {
			t.Errorf("offered again after the load: %v %v", ok, err)
		}
		if _, err := svc.Load(as, nil); echelon.ErrorCode(err) != echelon.ECONFLICT {
			t.Errorf("a second load: %v, want conflict", err)
		}
		// Anyone but an administrator is refused, and never offered it.
		rep := echelon.NewContext(context.Background(), &echelon.Actor{PersonID: admin.ID + 1, Name: "rep", Role: echelon.RoleRep})
		if ok, _ := svc.Offered(rep); ok {
			t.Error("a rep is offered the demo")
		}
		if _, err := svc.Load(rep, nil); echelon.ErrorCode(err) != echelon.EFORBIDDEN {
			t.Errorf("a rep loading the demo: %v, want forbidden", err)
		}
	})
}
