package crm

import "testing"

func TestNameKey_MatchesTheSameCompanyWrittenDifferently(t *testing.T) {
	same := [][]string{
		{"华为技术有限公司", "华为技术", "  华为技术 有限公司 ", "华为技术股份有限公司"},
		{"ＡＣＭＥ　Co., Ltd.", "Acme Co Ltd", "acme", "ACME Inc.", "Acme Corporation", "Acme, Limited"},
		{"阿里巴巴（中国）有限公司", "阿里巴巴(中国)有限公司", "阿里巴巴 中国"},
		{"Betasoloin", "betasoloin  LLC"},
	}
	for _, group := range same {
		want := NameKey(group[0])
		for _, name := range group[1:] {
			if got := NameKey(name); got != want {
				t.Errorf("NameKey(%q) = %q, want %q (as %q)", name, got, want, group[0])
			}
		}
	}
}

func TestNameKey_KeepsDifferentCompaniesApart(t *testing.T) {
	pairs := [][2]string{
		{"华为技术有限公司", "华为终端有限公司"},
		{"Acme Corporation", "Acme Group"},
		{"Company", "Co"},
	}
	for _, p := range pairs {
		if NameKey(p[0]) == NameKey(p[1]) {
			t.Errorf("%q and %q share the key %q", p[0], p[1], NameKey(p[0]))
		}
	}
	if NameKey("有限公司") == "" {
		t.Error("a name that is only a suffix must not become empty")
	}
}

func TestPhoneKey(t *testing.T) {
	same := []string{"+86 138-0000-0000", "13800000000", "0086 138 0000 0000", "８６１３８００００００００"}
	for _, p := range same {
		if got := PhoneKey(p); got != "13800000000" {
			t.Errorf("PhoneKey(%q) = %q", p, got)
		}
	}
	if PhoneKey("123") != "" {
		t.Error("a short number must not be a key")
	}
}

func TestCreditCode(t *testing.T) {
	valid := []string{"91350100M000100Y43", "91110000802100433B", " 91110108551385082q "}
	for _, c := range valid {
		if _, ok := CreditCode(c); !ok {
			t.Errorf("CreditCode(%q) refused a valid code", c)
		}
	}
	invalid := []string{"91350100M000100Y44", "9135010OM000100Y43", "123", ""}
	for _, c := range invalid {
		if _, ok := CreditCode(c); ok {
			t.Errorf("CreditCode(%q) accepted an invalid code", c)
		}
	}
}
