package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Every layer wraps one of these with %w; the HTTP layer maps
// them to status codes in one place and the CLI to exit codes.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrInvalid      = errors.New("invalid input")
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	// ErrUnavailable marks a dependency (the database) that is down; clients may retry.
	ErrUnavailable = errors.New("service unavailable")
)

// FieldError says what is wrong with one field of one record. Line is the
// 1-based line (file) or 0-based batch index (API) of the record; 0 with
// Record empty means "not tied to a line".
type FieldError struct {
	Record string `json:"record,omitempty"`
	Line   int    `json:"line,omitempty"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

func (e FieldError) Error() string {
	var b strings.Builder
	if e.Record != "" {
		fmt.Fprintf(&b, "%s ", e.Record)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d ", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, "field %q: ", e.Field)
	}
	b.WriteString(e.Reason)
	return b.String()
}

// ValidationError collects field errors; it unwraps to ErrInvalid.
type ValidationError struct {
	Message string
	Details []FieldError
}

func (e *ValidationError) Error() string {
	if len(e.Details) == 0 {
		return e.Message
	}
	parts := make([]string, 0, len(e.Details))
	for _, d := range e.Details {
		parts = append(parts, d.Error())
	}
	msg := e.Message
	if msg == "" {
		msg = "invalid input"
	}
	return msg + ": " + strings.Join(parts, "; ")
}

func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Invalid builds a ValidationError for a single field.
func Invalid(field, reason string) error {
	return &ValidationError{Message: "invalid input", Details: []FieldError{{Field: field, Reason: reason}}}
}

// Invalidf is Invalid with a formatted reason.
func Invalidf(field, format string, args ...any) error {
	return Invalid(field, fmt.Sprintf(format, args...))
}
