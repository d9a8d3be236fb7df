package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

var (
	admin   = &echelon.Actor{PersonID: 1, Name: "Ada", Role: echelon.RoleAdmin}
	manager = &echelon.Actor{PersonID: 2, Name: "李明", Role: echelon.RoleRegionalManager, UnitID: 2, UnitPath: "/1/2/"}
	rep     = &echelon.Actor{PersonID: 3, Name: "赵磊", Role: echelon.RoleRep, UnitID: 3, UnitPath: "/1/2/3/"}
)

type deal struct {
	Name   string `json:"name"`
	Amount int64  `json:"amount"`
}

// record writes one entry as actor a (nil: nobody signed in).
func record(t *testing.T, d *db.DB, a *echelon.Actor, action, entity string, id int64, before, after any) {
	t.Helper()
	ctx := context.Background()
	if a != nil {
		ctx = echelon.NewContext(ctx, a)
	}
	if err := d.Tx(ctx, func(tx *db.Tx) error { return audit.Record(ctx, tx, action, entity, id, before, after) }); err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err error, code, key string) {
	t.Helper()
	var e *echelon.Error
	if !errors.As(err, &e) || e.Code != code || e.Key != key {
		t.Fatalf("got %v, want %s %s", err, code, key)
	}
}

func TestService_FindEntries(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := audit.NewService(d)
		start := time.Now().Add(-time.Second)
		record(t, d, manager, "create", "deal", 7, nil, deal{"Shanghai fleet", 120000})
		record(t, d, rep, "update", "deal", 7, deal{"Shanghai fleet", 120000}, deal{"Shanghai fleet", 150000})
		record(t, d, rep, "create", "deal", 8, nil, deal{"Suzhou depot", 9000})
		record(t, d, admin, "update", "person", 7, map[string]string{"name": "Zhao"}, map[string]string{"name": "Zhao Lei"})
		record(t, d, nil, "purge", "session", 0, nil, nil)
		record(t, d, echelon.SystemActor("demo data"), "create", "level", 9, nil, map[string]int{"rank": 5})
		end := time.Now().Add(time.Second)
		ctx := echelon.NewContext(context.Background(), admin)

		for _, tt := range []struct {
			name  string
			f     audit.Filter
			want  []string // action entity/id by actor, newest first
			total int
		}{
			{"All", audit.Filter{}, []string{"create level/9 by demo data", "purge session/0 by system", "update person/7 by Ada", "create deal/8 by 赵磊", "update deal/7 by 赵磊", "create deal/7 by 李明"}, 6},
			{"Entity", audit.Filter{Entity: "deal"}, []string{"create deal/8 by 赵磊", "update deal/7 by 赵磊", "create deal/7 by 李明"}, 3},
			{"EntityAndID", audit.Filter{Entity: "deal", EntityID: "7"}, []string{"update deal/7 by 赵磊", "create deal/7 by 李明"}, 2},
			{"IDAloneSpansEntities", audit.Filter{EntityID: "7"}, []string{"update person/7 by Ada", "update deal/7 by 赵磊", "create deal/7 by 李明"}, 3},
			{"Actor", audit.Filter{ActorID: rep.PersonID}, []string{"create deal/8 by 赵磊", "update deal/7 by 赵磊"}, 2},
			{"ActorAndEntityID", audit.Filter{ActorID: rep.PersonID, Entity: "deal", EntityID: "8"}, []string{"create deal/8 by 赵磊"}, 1},
			{"Action", audit.Filter{Action: "update"}, []string{"update person/7 by Ada", "update deal/7 by 赵磊"}, 2},
			{"NoMatch", audit.Filter{Entity: "deal", EntityID: "9"}, nil, 0},
			{"TimeWindow", audit.Filter{Entity: "deal", From: start, To: end}, []string{"create deal/8 by 赵磊", "update deal/7 by 赵磊", "create deal/7 by 李明"}, 3},
			{"BeforeWindow", audit.Filter{To: start}, nil, 0},
			{"AfterWindow", audit.Filter{From: end}, nil, 0},
			{"Page", audit.Filter{Limit: 2, Offset: 1}, []string{"purge session/0 by system", "update person/7 by Ada"}, 6},
		} {
			t.Run(tt.name, func(t *testing.T) {
				es, total, err := s.FindEntries(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, e := range es {
					got = append(got, fmt.Sprintf("%s %s/%s by %s", e.Action, e.Entity, e.EntityID, e.ActorName))
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.want) || total != tt.total {
					t.Errorf("got %q (total %d)\nwant %q (total %d)", got, total, tt.want, tt.total)
				}
			})
		}

		t.Run("BeforeAndAfterAsRecorded", func(t *testing.T) {
			es, _, err := s.FindEntries(ctx, audit.Filter{Entity: "deal", EntityID: "7", Action: "update"})
			if err != nil || len(es) != 1 {
				t.Fatalf("%v %v", es, err)
			}
			e := es[0]
			var before, after deal
			if json.Unmarshal(e.Before, &before) != nil || before.Amount != 120000 || json.Unmarshal(e.After, &after) != nil || after.Amount != 150000 {
				t.Errorf("before %s after %s", e.Before, e.After)
			}
			if e.ActorID != rep.PersonID || e.At.Before(start) || e.At.After(end) {
				t.Errorf("actor %d at %v", e.ActorID, e.At)
			}
		})

		t.Run("CreationHasNoBefore", func(t *testing.T) {
			es, _, err := s.FindEntries(ctx, audit.Filter{Entity: "deal", EntityID: "8"})
			if err != nil || len(es) != 1 {
				t.Fatalf("%v %v", es, err)
			}
			if es[0].Before != nil || es[0].After == nil {
				t.Errorf("before %s after %s", es[0].Before, es[0].After)
			}
		})

		t.Run("ProgramActorsHaveNoPersonID", func(t *testing.T) {
			es, _, err := s.FindEntries(ctx, audit.Filter{Entity: "level"})
			if err != nil || len(es) != 1 || es[0].ActorID != 0 || es[0].ActorName != "demo data" {
				t.Fatalf("%+v %v", es, err)
			}
		})

		t.Run("LimitIsBounded", func(t *testing.T) {
			for i := 0; i < 205; i++ {
				record(t, d, rep, "view", "report", int64(i), nil, nil)
			}
			for _, limit := range []int{0, -1, 201, 10000} {
				es, total, err := s.FindEntries(ctx, audit.Filter{Entity: "report", Limit: limit})
				if err != nil {
					t.Fatal(err)
				}
				if len(es) != 50 || total != 205 {
					t.Errorf("limit %d: %d entries of %d, want 50 of 205", limit, len(es), total)
				}
			}
			es, _, err := s.FindEntries(ctx, audit.Filter{Entity: "report", Limit: 200})
			if err != nil || len(es) != 200 {
				t.Errorf("limit 200: %d entries (%v)", len(es), err)
			}
		})
	})
}

func TestService_FindEntries_AdminOnly(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := audit.NewService(d)
		record(t, d, rep, "create", "deal", 1, nil, deal{"Mine", 1})
		for _, a := range []*echelon.Actor{
			manager, rep,
			{PersonID: 4, Name: "Sun", Role: echelon.RoleSeniorManager, UnitID: 1, UnitPath: "/1/"},
			{PersonID: 5, Name: "Ma", Role: echelon.RoleMarketing, UnitID: 1, UnitPath: "/1/"},
			{PersonID: 6, Name: "Pan", Role: echelon.RoleProduct, UnitID: 1, UnitPath: "/1/"},
			{PersonID: 7, Name: "Cao", Role: echelon.RoleCustomerService, UnitID: 1, UnitPath: "/1/"},
		} {
			t.Run("Err"+string(a.Role), func(t *testing.T) {
				// Not even their own entries.
				es, _, err := s.FindEntries(echelon.NewContext(context.Background(), a), audit.Filter{ActorID: a.PersonID})
				wantErr(t, err, echelon.EFORBIDDEN, "audit.forbidden")
				if es != nil {
					t.Errorf("got %d entries", len(es))
				}
			})
		}
		t.Run("ErrNobodySignedIn", func(t *testing.T) {
			_, _, err := s.FindEntries(context.Background(), audit.Filter{})
			wantErr(t, err, echelon.EUNAUTHORIZED, "auth.required")
		})
		t.Run("OKAdmin", func(t *testing.T) {
			es, total, err := s.FindEntries(echelon.NewContext(context.Background(), admin), audit.Filter{})
			if err != nil || total != 1 || len(es) != 1 {
				t.Fatalf("%d of %d: %v", len(es), total, err)
			}
		})
	})
}

func TestRecord_RollsBackWithTheChange(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := echelon.NewContext(context.Background(), rep)
		boom := errors.New("the change failed")
		err := d.Tx(ctx, func(tx *db.Tx) error {
			if err := audit.Record(ctx, tx, "create", "deal", 1, nil, deal{"Lost", 1}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
		_, total, err := audit.NewService(d).FindEntries(echelon.NewContext(context.Background(), admin), audit.Filter{})
		if err != nil || total != 0 {
			t.Errorf("%d entries survive a rolled-back change (%v)", total, err)
		}
	})
}

func TestRecord_ErrUnmarshallable(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := echelon.NewContext(context.Background(), rep)
		err := d.Tx(ctx, func(tx *db.Tx) error {
			return audit.Record(ctx, tx, "create", "deal", 1, nil, map[string]any{"f": func() {}})
		})
		if err == nil || echelon.ErrorCode(err) != echelon.EINTERNAL {
			t.Errorf("got %v, want an internal error", err)
		}
	})
}
