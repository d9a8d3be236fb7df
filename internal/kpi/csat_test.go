package kpi_test

import (
	"context"
	"testing"
	"time"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/testorg"
)

// TestCSATAveragesTheAnswersOfThePeriod checks the CSAT KPI: the average
// score of the surveys answered in the period (in the company's zone),
// attributed to the rep they were sent for, adding up the unit's subtree,
// with the answers as its evidence.
func TestCSATAveragesTheAnswersOfThePeriod(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		o := testorg.New(t, d)
		ctx := context.Background()
		answer := func(p *org.Person, unit *org.Unit, score int, at time.Time) {
			t.Helper()
			err := d.Tx(ctx, func(tx *db.Tx) error {
				acc, err := tx.InsertID(ctx, `INSERT INTO accounts (name, name_key, status, owner_id, org_unit_id, created_at, updated_at)
					VALUES (?, ?, 'customer', ?, ?, ?, ?)`, "客户"+at.String(), at.String(), p.ID, unit.ID, at, at)
				if err != nil {
					return err
				}
				_, err = tx.Exec(ctx, `INSERT INTO surveys (account_id, person_id, org_unit_id, token_hash, lang, sent_at, expires_at, answered_at, score)
					VALUES (?, ?, ?, ?, 'zh-CN', ?, ?, ?, ?)`, acc, p.ID, unit.ID, at.String(), at.UTC(), at.AddDate(0, 1, 0).UTC(), at.UTC(), score)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		cst := time.FixedZone("CST", 8*3600)
		answer(o.EastRep, o.EastA, 5, time.Date(2026, 5, 3, 10, 0, 0, 0, cst))
		answer(o.EastRep, o.EastA, 4, time.Date(2026, 5, 31, 23, 30, 0, 0, cst)) // still May in Shanghai
		answer(o.EastRep2, o.EastA, 2, time.Date(2026, 5, 10, 10, 0, 0, 0, cst))
		answer(o.EastRep, o.EastA, 1, time.Date(2026, 6, 1, 0, 30, 0, 0, cst)) // June
		svc := kpi.NewService(d)
		csat := func(ref kpi.Ref) kpi.Value {
			t.Helper()
			card, err := svc.Card(testorg.As(o.EastMgr), ref, "2026-05", "")
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range card.Results {
				if r.Code == kpi.CSAT {
					return r.Value
				}
			}
			t.Fatal("no csat on the card")
			return kpi.Value{}
		}
		if v := csat(kpi.Ref{PersonID: o.EastRep.ID}); v != (kpi.Value{Num: 9, Den: 2}) {
			t.Errorf("Zhao's May CSAT = %v, want 9/2", v)
		}
		if v := csat(kpi.Ref{UnitID: o.East.ID}); v != (kpi.Value{Num: 11, Den: 3}) {
			t.Errorf("the East's May CSAT = %v, want 11/3", v)
		}
		ev, err := svc.Evidence(testorg.As(o.EastRep), kpi.Ref{}, kpi.CSAT, "2026-05", "", 0, 10)
		if err != nil || ev.Count != 2 || ev.Amount != 9 || len(ev.Rows) != 2 || ev.Rows[0].Kind != "survey" {
			t.Errorf("Zhao's CSAT evidence: %+v %v", ev, err)
		}
		if _, err := svc.Card(testorg.As(o.WestRep), kpi.Ref{PersonID: o.EastRep.ID}, "2026-05", ""); err == nil {
			t.Error("Zhou read Zhao's CSAT")
		}
	})
}
