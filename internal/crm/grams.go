package crm

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/echelonhq/echelon/internal/db"
)

// An account is found by any part of its name. A LIKE over every name in
// a manager's scope reads the whole table (a second per search at 100,000
// accounts), and Chinese searches are often two characters, too short for
// trigram indexes. So every account's name key is also kept as its
// distinct two-character pieces (account_name_grams): a search takes the
// accounts holding all of its pieces, then checks the whole key.

// Grams are the distinct two-character pieces of a name key, in order.
func Grams(key string) []string {
	r := []rune(key)
	seen := map[string]bool{}
	var out []string
	for i := 0; i+1 < len(r); i++ {
		if g := string(r[i : i+2]); !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// gramsPerInsert bounds the rows of one multi-row insert of grams.
const gramsPerInsert = 400

// writeGrams records the pieces of the name keys of accounts (id → key),
// in key order: B-tree pages are then filled one after the other instead
// of at random.
func writeGrams(ctx context.Context, tx *db.Tx, keys map[int64]string) error {
	type row struct {
		gram string
		id   int64
	}
	var rows []row
	for id, key := range keys {
		for _, g := range Grams(key) {
			rows = append(rows, row{g, id})
		}
	}
	slices.SortFunc(rows, func(a, b row) int { return cmp.Or(cmp.Compare(a.gram, b.gram), cmp.Compare(a.id, b.id)) })
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO account_name_grams (gram, account_id) VALUES `+db.RowMarks(2, len(args)/2)+` ON CONFLICT DO NOTHING`, args...)
		args = args[:0]
		if err != nil {
			return fmt.Errorf("crm: record name pieces: %w", err)
		}
		return nil
	}
	for _, r := range rows {
		args = append(args, r.gram, r.id)
		if len(args) == 2*gramsPerInsert {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// renameGrams replaces the pieces of account id's name key was by those of key.
func renameGrams(ctx context.Context, tx *db.Tx, id int64, was, key string) error {
	if old := Grams(was); len(old) > 0 {
		args := []any{id}
		for _, g := range old {
			args = append(args, g)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM account_name_grams WHERE account_id = ? AND gram IN (`+
			db.Marks(len(old))+`)`, args...); err != nil {
			return fmt.Errorf("crm: drop name pieces of %d: %w", id, err)
		}
	}
	return writeGrams(ctx, tx, map[int64]string{id: key})
}

// gramSearch is the condition that an account's name key contains key,
// answered from the pieces when key has any. A key of two characters is
// one piece, which is the whole answer; a longer one takes the accounts
// holding all its pieces and checks they make the key in a row (the check
// alone also misleads PostgreSQL's estimates, so it is left out when not
// needed).
func gramSearch(d db.Dialect, key string) (string, []any) {
	grams := Grams(key)
	if len([]rune(key)) == 2 {
		return db.InSubquery(d, "a.id", `SELECT account_id FROM account_name_grams WHERE gram = ?`), []any{grams[0]}
	}
	args := make([]any, 0, len(grams)+2)
	for _, g := range grams {
		args = append(args, g)
	}
	cond := db.InSubquery(d, "a.id", `SELECT account_id FROM account_name_grams WHERE gram IN (`+db.Marks(len(grams))+
		`) GROUP BY account_id HAVING COUNT(*) = ?`) + ` AND a.name_key LIKE ? ESCAPE '\'`
	return cond, append(args, len(grams), db.ContainsPattern(key))
}
