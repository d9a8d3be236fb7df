package db

// InList is a condition that a column holds one of a list of values,
// with the arguments it takes.
type InList struct {
	Cond string
	Args []any
}

// sqliteInList is the most values one SQLite IN list holds.
const sqliteInList = 500

// InLists splits "column holds one of values" into as few conditions as
// the dialect allows, one per statement. PostgreSQL takes the whole list
// as one array parameter, so a bulk lookup is one statement whatever its
// length (planned as one pass over the table or one probe per value);
// SQLite has no arrays and gets IN lists of at most 500 values.
func (t *Tx) InLists(column string, values []string) []InList {
	if len(values) == 0 {
		return nil
	}
	if t.dialect == Postgres {
		return []InList{{Cond: column + " = ANY(?)", Args: []any{values}}}
	}
	var out []InList
	for len(values) > 0 {
		n := min(len(values), sqliteInList)
		args := make([]any, n)
		for i, v := range values[:n] {
			args[i] = v
		}
		out = append(out, InList{Cond: column + " IN (" + Marks(n) + ")", Args: args})
		values = values[n:]
	}
	return out
}
