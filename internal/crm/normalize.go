package crm

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Duplicate detection (查重) compares normalised keys, never raw input.

// legalSuffixesZh are company-form endings that do not tell two companies apart.
var legalSuffixesZh = []string{"股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "公司"}

// legalSuffixesEn are English company-form words, compared after lower-casing.
var legalSuffixesEn = map[string]bool{
	"co": true, "company": true, "corp": true, "corporation": true, "inc": true, "incorporated": true,
	"ltd": true, "limited": true, "llc": true, "plc": true, "gmbh": true, "group": false,
}

// NameKey normalises a company name for duplicate checks: full-width to
// half-width (NFKC), lower case, punctuation and spaces removed, and common
// legal suffixes such as 有限公司, Co., Ltd. and Inc. dropped.
// "  ACME Co., Ltd. " and "Acme" share a key; so do 华为技术有限公司 and 华为技术.
func NameKey(name string) string {
	s := strings.ToLower(norm.NFKC.String(name))
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	for len(words) > 1 && legalSuffixesEn[words[len(words)-1]] {
		words = words[:len(words)-1]
	}
	key := strings.Join(words, "")
	for changed := true; changed; {
		changed = false
		for _, suf := range legalSuffixesZh {
			if k := strings.TrimSuffix(key, suf); k != key && k != "" {
				key, changed = k, true
			}
		}
	}
	return key
}

// PhoneKey keeps the digits of a phone number and drops China's country
// code, so +86 138-0000-0000 and 13800000000 match, and so do
// +86 21 5555 0000 and 021-5555-0000: a landline written with the country
// code loses its trunk 0, which the key puts back. Short numbers give "".
func PhoneKey(phone string) string {
	var b strings.Builder
	for _, r := range norm.NFKC.String(phone) {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	// Domestic numbers start with 0 (landline) or 1 (mobile), so 0086 or a
	// leading 86 on a number too long to be local is the country code.
	national, intl := strings.CutPrefix(d, "0086")
	if !intl && len(d) >= 12 && strings.HasPrefix(d, "86") {
		national, intl = d[2:], true
	}
	if intl {
		d = national
		if mobile := len(d) == 11 && d[0] == '1'; !mobile && !strings.HasPrefix(d, "0") && len(d) >= 9 {
			d = "0" + d
		}
	}
	if len(d) < 7 {
		return ""
	}
	return d
}

// EmailKey lower-cases and trims an e-mail address.
func EmailKey(email string) string {
	return strings.ToLower(strings.TrimSpace(norm.NFKC.String(email)))
}

// creditCodeChars are the characters of a unified social credit code
// (统一社会信用代码, GB 32100-2015), in value order; I, O, S, V and Z are unused.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCode normalises a unified social credit code and checks its
// format and check character. It returns the upper-case code and whether it is valid.
func CreditCode(code string) (string, bool) {
	c := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(norm.NFKC.String(code)), " ", ""))
	if len(c) != 18 {
		return c, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditCodeChars, c[i])
		if v < 0 {
			return c, false
		}
		sum += v * creditCodeWeights[i]
	}
	check := (31 - sum%31) % 31
	return c, c[17] == creditCodeChars[check]
}
