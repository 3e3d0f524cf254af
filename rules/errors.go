package rules

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Sentinel errors, tested with errors.Is on a *FieldError.
var (
	ErrSyntax      = errors.New("not valid YAML")
	ErrUnknownKey  = errors.New("unknown key")
	ErrType        = errors.New("wrong type")
	ErrRequired    = errors.New("required")
	ErrInvalid     = errors.New("invalid value")
	ErrDuplicate   = errors.New("duplicate")
	ErrUnknownTeam = errors.New("not a registered team")
	ErrNegative    = errors.New("must not be negative")
	ErrOutOfRange  = errors.New("out of range")
	ErrQuarter     = errors.New("price list is for another quarter")
	ErrNoRate      = errors.New("no exchange rate")
)

// FieldError is one problem in a configuration or price list file: where it
// is (file, line, column and key path) and what is wrong.
type FieldError struct {
	File   string
	Line   int
	Column int
	Path   string // key path, e.g. teams[1].forecast
	Err    error
}

func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// Errors is every problem found in one file, in file order.
type Errors []*FieldError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return fmt.Sprintf("%d problem(s) in the configuration:\n  %s", len(es), strings.Join(lines, "\n  "))
}

// Unwrap lets errors.Is and errors.As see each FieldError.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].File != es[j].File {
			return es[i].File < es[j].File
		}
		if (es[i].Line == 0) != (es[j].Line == 0) {
			return es[j].Line == 0 // errors without a line go last
		}
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Column < es[j].Column
	})
	return es
}
