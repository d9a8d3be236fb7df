// Package sheet reads and writes the tables people exchange with Echelon:
// CSV (UTF-8, or GBK/GB18030 as Chinese spreadsheets often save it) and
// XLSX. It knows nothing of what the columns mean.
package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"
)

// Table is a sheet's header and rows. Row i of Rows is line i+2 of the
// file (the header is line 1), which is how reports refer to it.
type Table struct {
	Header   []string
	Rows     [][]string
	Encoding string // the encoding the file was read in, e.g. "UTF-8" or "GB18030"
}

// MaxBytes bounds the size of a file read into memory.
const MaxBytes = 256 << 20

// ErrEncoding reports a file that is neither UTF-8 nor GB18030 text.
var ErrEncoding = errors.New("sheet: the file is not UTF-8 or GBK/GB18030 text; save it as UTF-8 CSV or XLSX")

// ErrFormat reports a file whose name ends in neither .csv nor .xlsx.
var ErrFormat = errors.New("sheet: only .csv and .xlsx files can be read")

// ErrEmpty reports a file without a header row.
var ErrEmpty = errors.New("sheet: the file has no header row")

// Read reads a CSV or XLSX file, chosen by the file name's extension.
func Read(r io.Reader, name string) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("sheet: read %s: %w", name, err)
	}
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("sheet: %s is larger than %d MiB", name, MaxBytes>>20)
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".csv", ".txt":
		return ReadCSV(data)
	case ".xlsx":
		return ReadXLSX(data)
	}
	return nil, ErrFormat
}

// normalise trims the header cells, drops trailing empty rows and pads or
// keeps rows as they are (a short row means empty trailing cells).
func normalise(t *Table) (*Table, error) {
	for len(t.Rows) > 0 && blank(t.Rows[len(t.Rows)-1]) {
		t.Rows = t.Rows[:len(t.Rows)-1]
	}
	if len(t.Header) == 0 || blank(t.Header) {
		return nil, ErrEmpty
	}
	for i, h := range t.Header {
		t.Header[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	}
	return t, nil
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Cell returns cell j of row, or "" when the row is short.
func Cell(row []string, j int) string {
	if j < 0 || j >= len(row) {
		return ""
	}
	return row[j]
}

// validText reports whether b is UTF-8 without NUL bytes.
func validText(b []byte) bool { return utf8.Valid(b) && !bytes.ContainsRune(b, 0) }
