package crm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
)

// accountFile is n new account rows named "Firm 0000"… with distinct
// phones; change adjusts a row's cells by its index.
func accountFile(n int, change func(i int, cells map[string]string)) []echelon.Row {
	rows := make([]echelon.Row, n)
	for i := range rows {
		cells := map[string]string{"name": fmt.Sprintf("Firm %04d", i), "phone": fmt.Sprintf("0571%08d", i)}
		if change != nil {
			change(i, cells)
		}
		rows[i] = echelon.Row{Line: i + 2, Cells: cells}
	}
	return rows
}

// importFile imports rows as the actor in ctx in a transaction it rolls
// back, checks that each created account has its ownership row and audit
// entry, and returns the results and the progress told.
func (f *fixture) importFile(t *testing.T, ctx context.Context, rows []echelon.Row) ([]*echelon.RowResult, []int) {
	t.Helper()
	var res []*echelon.RowResult
	var done []int
	err := f.d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if res, err = f.crm.ImportAccountFileInTx(ctx, tx, rows, func(n int) { done = append(done, n) }); err != nil {
			return err
		}
		createdWithHistory(t, tx, res)
		return db.ErrRollback
	})
	if !errors.Is(err, db.ErrRollback) || len(res) != len(rows) {
		t.Fatalf("import of %d rows: %d results, %v", len(rows), len(res), err)
	}
	return res, done
}

// createdWithHistory checks that every account an import created has one
// ownership row and one audit entry of its creation, which names its
// stored fields.
func createdWithHistory(t *testing.T, tx *db.Tx, res []*echelon.RowResult) {
	t.Helper()
	var ids []int64
	for _, r := range res {
		if r.Action == echelon.RowCreated {
			ids = append(ids, r.ID)
		}
	}
	ctx := context.Background()
	var n int
	var after string
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM accounts a WHERE a.id >= ?
		AND (SELECT COUNT(*) FROM account_ownership o WHERE o.account_id = a.id AND o.action = 'create') = 1
		AND (SELECT COUNT(*) FROM audit_log l WHERE l.entity = 'account' AND l.entity_id = CAST(a.id AS TEXT) AND l.action = 'create') = 1`,
		slices.Min(ids)).Scan(&n); err != nil {
		t.Fatalf("history of the created accounts: %v", err)
	}
	if n != len(ids) {
		t.Fatalf("%d of %d created accounts have an ownership row and an audit entry", n, len(ids))
	}
	if err := tx.QueryRow(ctx, `SELECT after_json FROM audit_log WHERE entity = 'account' AND entity_id = ?`,
		strconv.FormatInt(ids[0], 10)).Scan(&after); err != nil {
		t.Fatalf("audit entry of account %d: %v", ids[0], err)
	}
	var a struct {
		ID      int64  `json:"id"`
		Name    string `json:"name"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal([]byte(after), &a); err != nil || a.ID != ids[0] || a.Name != "Firm 0000" || a.Version != 1 {
		t.Fatalf("audit entry of account %d: %s (%v)", ids[0], after, err)
	}
}

// failures lists the rows that failed, by index, with their error key.
func failures(res []*echelon.RowResult) map[int]string {
	out := map[int]string{}
	for i, r := range res {
		if r.Action == echelon.RowFailed {
			out[i] = r.Error.Key
		}
	}
	return out
}

func TestService_ImportAccountFileInTx_DuplicatesAcrossChunks(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		old := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Old Trading", Phone: "010-12345678"})
		rows := accountFile(1205, func(i int, cells map[string]string) {
			switch i {
			case 1100: // a phone of line 12, in the first chunk
				cells["phone"] = "0571 00000010"
			case 1150: // the name of an account already in the database
				cells["name"] = "OLD TRADING"
			case 1200: // twice the same name in the second chunk
				cells["name"] = "Firm 1199"
			}
		})
		res, done := f.importFile(t, as(f.admin), rows)
		want := map[int]string{1100: "import.duplicate_in_file", 1150: "account.duplicate", 1200: "import.duplicate_in_file"}
		if got := failures(res); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("failed rows %v, want %v", got, want)
		}
		wantArgs(t, res[1100].Error, "Firm 0010", 12)
		wantArgs(t, res[1150].Error, old.Name, old.ID, f.eastRep.Name)
		if res[1100].Error.Field != "phone" || res[1150].Error.Field != "name" {
			t.Errorf("fields %q, %q", res[1100].Error.Field, res[1150].Error.Field)
		}
		if !slices.Equal(done, []int{1000, 1205}) {
			t.Errorf("progress %v, want after each chunk", done)
		}
	})
}

func TestService_ImportAccountFileInTx_UpdatesMoveDuplicateKeys(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		x := f.mustAccount(t, f.eastRep, crm.AccountInput{Name: "Moving Co", Phone: "021-11112222", ExternalID: "X1"})
		rows := accountFile(1210, func(i int, cells map[string]string) {
			switch i {
			case 5: // X1 takes a new phone and city
				clear(cells)
				cells["external_id"], cells["phone"], cells["city"] = "X1", "021-33334444", "上海"
			case 1100: // the phone X1 took
				cells["phone"] = "02133334444"
			case 1101: // the phone X1 left
				cells["phone"] = "02111112222"
			case 1200: // X1 again, in the second chunk: it is changed from where the first update left it
				clear(cells)
				cells["external_id"], cells["city"] = "X1", "杭州"
			}
		})
		res, _ := f.importFile(t, as(f.admin), rows)
		if got := failures(res); len(got) != 1 || got[1100] != "account.duplicate" {
			t.Fatalf("failed rows %v, want only 1100 as a duplicate of X1", got)
		}
		wantArgs(t, res[1100].Error, x.Name, x.ID, f.eastRep.Name)
		if res[5].Action != echelon.RowUpdated || res[1200].Action != echelon.RowUpdated || res[1101].Action != echelon.RowCreated {
			t.Fatalf("rows 5, 1101, 1200: %+v %+v %+v", res[5], res[1101], res[1200])
		}
	})
}

func TestService_ImportAccountFileInTx_AccountLimitAcrossChunks(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.setAccountLimit(t, "junior_rep", 2)
		defer f.setAccountLimit(t, "junior_rep", 50)
		rows := accountFile(1003, func(i int, cells map[string]string) {
			if i >= 999 { // one at the end of the first chunk, three in the second
				cells["owner_email"] = f.eastRep.Email
			}
		})
		res, _ := f.importFile(t, as(f.admin), rows)
		want := map[int]string{1001: "pool.limit_reached", 1002: "pool.limit_reached"}
		if got := failures(res); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("failed rows %v, want %v", got, want)
		}
		wantArgs(t, res[1001].Error, 2, 2)
	})
}
