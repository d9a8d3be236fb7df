package sheet

import (
	"bytes"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// ReadXLSX reads the first worksheet of an XLSX file, streaming its rows.
func ReadXLSX(data []byte) (t *Table, err error) {
	defer func() {
		// excelize can panic on some malformed archives; a bad file is an error, not a crash.
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("sheet: unreadable XLSX file: %v", r)
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("sheet: open XLSX: %w", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, ErrEmpty
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("sheet: read XLSX rows: %w", err)
	}
	defer rows.Close()
	t = &Table{Encoding: "XLSX"}
	for rows.Next() {
		rec, err := rows.Columns()
		if err != nil {
			return nil, fmt.Errorf("sheet: read XLSX row: %w", err)
		}
		if t.Header == nil {
			t.Header = rec
			continue
		}
		t.Rows = append(t.Rows, rec)
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("sheet: read XLSX: %w", err)
	}
	return normalise(t)
}

// WriteXLSX writes one worksheet with a bold header, streaming the rows.
// Every cell is written as text, so nothing in it runs as a formula.
func WriteXLSX(w io.Writer, sheetName string, header []string, rows [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		return fmt.Errorf("sheet: name sheet: %w", err)
	}
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		return fmt.Errorf("sheet: stream writer: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("sheet: style: %w", err)
	}
	cells := func(row []string, style int) []any {
		out := make([]any, len(row))
		for i, c := range row {
			out[i] = excelize.Cell{Value: c, StyleID: style}
		}
		return out
	}
	if err := sw.SetRow("A1", cells(header, bold)); err != nil {
		return fmt.Errorf("sheet: write header: %w", err)
	}
	for i, row := range rows {
		ref, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(ref, cells(row, 0)); err != nil {
			return fmt.Errorf("sheet: write row %d: %w", i+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("sheet: flush: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("sheet: write XLSX: %w", err)
	}
	return nil
}
