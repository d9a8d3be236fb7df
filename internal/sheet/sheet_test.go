package sheet

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestReadCSV_UTF8WithBOMAndGBK(t *testing.T) {
	text := "客户名称,城市\n华为技术有限公司,深圳\n阿里巴巴,杭州\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"UTF-8":     []byte(text),
		"UTF-8 BOM": append([]byte{0xEF, 0xBB, 0xBF}, text...),
		"GBK":       []byte(gbk),
	} {
		tab, err := ReadCSV(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(tab.Header, []string{"客户名称", "城市"}) || len(tab.Rows) != 2 || tab.Rows[0][0] != "华为技术有限公司" {
			t.Fatalf("%s: read %q %q", name, tab.Header, tab.Rows)
		}
	}
}

func TestReadCSV_RefusesBinaryClearly(t *testing.T) {
	_, err := ReadCSV([]byte{0x00, 0x01, 0xFF, 0xFE, 0x80, 0x81})
	if !errors.Is(err, ErrEncoding) {
		t.Fatalf("binary input: err = %v, want ErrEncoding", err)
	}
}

func TestRead_RefusesUnknownExtension(t *testing.T) {
	if _, err := Read(strings.NewReader("a,b"), "data.xls"); !errors.Is(err, ErrFormat) {
		t.Fatalf("err = %v, want ErrFormat", err)
	}
}

func TestWriteCSV_NeutralisesFormulas(t *testing.T) {
	var buf bytes.Buffer
	rows := [][]string{{"=HYPERLINK(\"http://x\")", "+1+1", "-12.50", "@SUM(A1)", "普通文本"}}
	if err := WriteCSV(&buf, []string{"a", "b", "c", "d", "e"}, rows); err != nil {
		t.Fatal(err)
	}
	tab, err := ReadCSV(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"'=HYPERLINK(\"http://x\")", "'+1+1", "-12.50", "'@SUM(A1)", "普通文本"}
	if !reflect.DeepEqual(tab.Rows[0], want) {
		t.Fatalf("exported cells %q, want %q", tab.Rows[0], want)
	}
}

func TestXLSX_RoundTrip(t *testing.T) {
	var buf bytes.Buffer
	header := []string{"名称", "金额"}
	rows := [][]string{{"华为", "1,234.56"}, {"=1+1", "-3.00"}}
	if err := WriteXLSX(&buf, "客户", header, rows); err != nil {
		t.Fatal(err)
	}
	tab, err := Read(&buf, "export.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tab.Header, header) || !reflect.DeepEqual(tab.Rows, rows) {
		t.Fatalf("round trip: %q %q", tab.Header, tab.Rows)
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"))
	f.Add([]byte("\xef\xbb\xbf名称;城市\n\"x;y\";z\n"))
	f.Add([]byte{0xB0, 0xA1, ',', 0xB0, 0xA2, '\n'})
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ReadCSV(data)
		if err == nil && len(tab.Header) == 0 {
			t.Fatal("a table without a header was accepted")
		}
	})
}

func FuzzReadXLSX(f *testing.F) {
	var buf bytes.Buffer
	_ = WriteXLSX(&buf, "s", []string{"a"}, [][]string{{"1"}})
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04not really a zip"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ReadXLSX(data)
		if err == nil && len(tab.Header) == 0 {
			t.Fatal("a table without a header was accepted")
		}
	})
}
