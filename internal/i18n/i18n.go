// Package i18n is Echelon's message catalogue: every string shown to a
// person, in Simplified Chinese and English, looked up by key.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// The supported languages; English is the fallback.
const (
	Chinese = "zh-CN"
	English = "en"
)

// Langs lists the supported languages in display order.
func Langs() []string { return []string{Chinese, English} }

//go:embed messages
var files embed.FS

// Catalog holds the messages of every language.
type Catalog struct {
	msgs map[string]map[string]string
}

// Load reads the embedded catalogues.
func Load() (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]string{}}
	for _, lang := range Langs() {
		m := map[string]string{}
		names, err := fs.Glob(files, path.Join("messages", lang, "*.json"))
		if err != nil {
			return nil, fmt.Errorf("i18n: list %s: %w", lang, err)
		}
		for _, name := range names {
			if err := readInto(m, name); err != nil {
				return nil, err
			}
		}
		c.msgs[lang] = m
	}
	return c, nil
}

// readInto adds the messages of one file to m; a key defined twice is an error.
func readInto(m map[string]string, name string) error {
	b, err := files.ReadFile(name)
	if err != nil {
		return fmt.Errorf("i18n: read %s: %w", name, err)
	}
	var part map[string]string
	if err := json.Unmarshal(b, &part); err != nil {
		return fmt.Errorf("i18n: parse %s: %w", name, err)
	}
	for k, v := range part {
		if _, dup := m[k]; dup {
			return fmt.Errorf("i18n: %s defines %q again", name, k)
		}
		m[k] = v
	}
	return nil
}

// T returns the message for key in lang, formatted with args. A missing
// key shows itself, so a gap is visible rather than blank.
func (c *Catalog) T(lang, key string, args ...any) string {
	m, ok := c.msgs[lang]
	if !ok {
		m = c.msgs[English]
	}
	s, ok := m[key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Has reports whether key exists in lang.
func (c *Catalog) Has(lang, key string) bool {
	_, ok := c.msgs[lang][key]
	return ok
}

// Keys returns the sorted keys of lang.
func (c *Catalog) Keys(lang string) []string {
	keys := make([]string, 0, len(c.msgs[lang]))
	for k := range c.msgs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Normalize maps a stored or requested language to a supported one, or "".
func Normalize(lang string) string {
	l := strings.ToLower(strings.TrimSpace(lang))
	switch {
	case l == "":
		return ""
	case strings.HasPrefix(l, "zh"):
		return Chinese
	case strings.HasPrefix(l, "en"):
		return English
	}
	return ""
}

// Match picks the best supported language from an Accept-Language header,
// honouring q-values; without a match it returns Chinese, the product's
// primary language.
func Match(accept string) string {
	best, bestQ := "", -1.0
	for _, part := range strings.Split(accept, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if lang := Normalize(tag); lang != "" && q > bestQ {
			best, bestQ = lang, q
		}
	}
	if best == "" {
		return Chinese
	}
	return best
}
