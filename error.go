package echelon

import (
	"errors"
	"fmt"
)

// Error codes; the web layer maps each to an HTTP status.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EFORBIDDEN    = "forbidden"
	EUNAUTHORIZED = "unauthorized"
	ELOCKED       = "locked"
)

// Error is an error meant for the user. Key names a message in the
// catalogue (internal/i18n) and Args fill its placeholders, so the same
// error reads in Chinese or English depending on who receives it.
type Error struct {
	Code    string `json:"code"`
	Key     string `json:"key"`
	Args    []any  `json:"args,omitempty"`
	Field   string `json:"field,omitempty"`   // the input field at fault, when there is one
	Message string `json:"message,omitempty"` // filled in the reader's language when sent out
}

// Error renders the key and arguments; user-facing text comes from the catalogue.
func (e *Error) Error() string {
	if len(e.Args) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Key)
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.Key, e.Args)
}

// Errorf returns an *Error with the given code, catalogue key and arguments.
func Errorf(code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// FieldError returns an EINVALID error about one input field.
func FieldError(field, key string, args ...any) *Error {
	return &Error{Code: EINVALID, Key: key, Args: args, Field: field}
}

// ErrorCode returns the code of err, or EINTERNAL when err is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EINTERNAL
}
