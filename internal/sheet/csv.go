package sheet

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// ReadCSV parses CSV bytes. A UTF-8 BOM is dropped; UTF-16 with a BOM is
// decoded; text that is not UTF-8 is tried as GB18030 (a superset of GBK)
// and refused with ErrEncoding when that fails too. Commas, semicolons and
// tabs are recognised as separators from the header line.
func ReadCSV(data []byte) (*Table, error) {
	enc := "UTF-8"
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		dec, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder().Bytes(data)
		if err != nil || !validText(dec) {
			return nil, ErrEncoding
		}
		data, enc = dec, "UTF-16"
	case !validText(data):
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil || !validText(dec) || bytes.ContainsRune(dec, '\uFFFD') {
			return nil, ErrEncoding
		}
		data, enc = dec, "GB18030"
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = separator(data)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	t := &Table{Encoding: enc}
	for line := 1; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("sheet: CSV line %d: %w", line, err)
		}
		if t.Header == nil {
			t.Header = rec
			continue
		}
		t.Rows = append(t.Rows, rec)
	}
	return normalise(t)
}

// separator guesses the field separator from the first line.
func separator(data []byte) rune {
	first, _, _ := bytes.Cut(data, []byte{'\n'})
	best, n := ',', bytes.Count(first, []byte{','})
	for _, c := range []rune{';', '\t'} {
		if k := bytes.Count(first, []byte(string(c))); k > n {
			best, n = c, k
		}
	}
	return best
}

// WriteCSV writes a table as UTF-8 CSV with a BOM (so spreadsheet programs
// read Chinese correctly). Cells that a spreadsheet would run as a formula
// are neutralised with a leading apostrophe.
func WriteCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := w.Write([]byte{0xEF, 0xBB, 0xBF}); err != nil {
		return fmt.Errorf("sheet: write BOM: %w", err)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("sheet: write header: %w", err)
	}
	out := make([]string, 0, len(header))
	for _, row := range rows {
		out = out[:0]
		for _, c := range row {
			out = append(out, Safe(c))
		}
		if err := cw.Write(out); err != nil {
			return fmt.Errorf("sheet: write row: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}

// Safe neutralises a cell that spreadsheet programs would evaluate as a
// formula (starting with =, +, -, @, tab or carriage return) by prefixing
// an apostrophe. Plain numbers such as -12.50 are left alone.
func Safe(c string) string {
	if c == "" || !strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return c
	}
	if _, err := strconv.ParseFloat(c, 64); err == nil {
		return c
	}
	return "'" + c
}
