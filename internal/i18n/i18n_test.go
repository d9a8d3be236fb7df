package i18n

import (
	"strings"
	"testing"
)

func TestCatalog_BothLanguagesHaveTheSameKeys(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	zh, en := c.Keys(Chinese), c.Keys(English)
	for _, k := range zh {
		if !c.Has(English, k) {
			t.Errorf("key %q is in zh-CN but not in en", k)
		}
	}
	for _, k := range en {
		if !c.Has(Chinese, k) {
			t.Errorf("key %q is in en but not in zh-CN", k)
		}
	}
	for _, k := range en {
		if strings.Count(c.T(English, k), "%") != strings.Count(c.T(Chinese, k), "%") {
			t.Errorf("key %q: placeholders differ between languages", k)
		}
	}
}

func TestMatch(t *testing.T) {
	cases := map[string]string{
		"":                             Chinese,
		"en-US,en;q=0.9":               English,
		"zh-CN,zh;q=0.9,en;q=0.8":      Chinese,
		"fr-FR, en;q=0.5, zh-TW;q=0.7": Chinese,
		"de":                           Chinese,
		"en;q=0.9, zh;q=0.1":           English,
	}
	for header, want := range cases {
		if got := Match(header); got != want {
			t.Errorf("Match(%q) = %q, want %q", header, got, want)
		}
	}
}
