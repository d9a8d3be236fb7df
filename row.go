package echelon

import "strings"

// Row is one data row of an imported sheet: its line number in the file and
// the cells of the columns the file has, keyed by field name. A field that
// is absent from Cells was not in the file, and an import leaves it
// unchanged on an existing record rather than blanking it.
type Row struct {
	Line  int               `json:"line"`
	Cells map[string]string `json:"cells"`
}

// Has reports whether the file had a column for field.
func (r Row) Has(field string) bool { _, ok := r.Cells[field]; return ok }

// Get returns the trimmed cell of field ("" when absent).
func (r Row) Get(field string) string { return strings.TrimSpace(r.Cells[field]) }

// Row actions.
const (
	RowCreated = "created"
	RowUpdated = "updated"
	RowSkipped = "skipped"
	RowFailed  = "failed"
)

// RowResult says what an import did with one row. Error is set when the
// row failed; Notes record what was mapped or assumed (a misspelt industry
// corrected, a missing account left empty) so nothing changes silently.
type RowResult struct {
	Line   int      `json:"line"`
	Action string   `json:"action"`
	ID     int64    `json:"id,omitempty"`
	Error  *Error   `json:"error,omitempty"`
	Notes  []*Error `json:"notes,omitempty"`
}

// Note adds a remark to the row's result.
func (r *RowResult) Note(key string, args ...any) {
	r.Notes = append(r.Notes, Errorf("note", key, args...))
}
