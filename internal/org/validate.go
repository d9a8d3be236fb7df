package org

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/echelonhq/echelon"
)

// Field length limits, counted in characters (a Chinese character is one).
const (
	maxNameLen  = 100
	maxEmailLen = 254
	maxPhoneLen = 32
	maxTextLen  = 4000
)

// cleanName trims a name and checks it is present and not too long.
func cleanName(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", echelon.FieldError(field, "field.required")
	}
	if utf8.RuneCountInString(s) > maxNameLen {
		return "", echelon.FieldError(field, "field.too_long", maxNameLen)
	}
	return s, nil
}

// cleanText trims free text and bounds its length; empty is refused.
func cleanText(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", echelon.FieldError(field, "field.required")
	}
	if utf8.RuneCountInString(s) > maxTextLen {
		return "", echelon.FieldError(field, "field.too_long", maxTextLen)
	}
	return s, nil
}

// cleanEmail normalises an e-mail address to lower case and validates it.
func cleanEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", echelon.FieldError("email", "field.required")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || len(s) > maxEmailLen || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") {
		return "", echelon.FieldError("email", "email.invalid")
	}
	return s, nil
}

var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()-]*$`)

// cleanPhone validates an optional phone number.
func cleanPhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if len(s) > maxPhoneLen || !phonePattern.MatchString(s) {
		return "", echelon.FieldError("phone", "phone.invalid")
	}
	return s, nil
}

// parseDate parses an optional YYYY-MM-DD date.
func parseDate(field, s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil, echelon.FieldError(field, "date.invalid")
	}
	return &d, nil
}

// validLang reports whether lang is a supported interface language ("" means the browser's).
func validLang(lang string) bool { return lang == "" || lang == "zh-CN" || lang == "en" }
