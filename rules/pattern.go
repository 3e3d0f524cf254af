package rules

import (
	"fmt"
	"regexp"
	"strings"
)

// Pattern matches one field of a line item: a glob where * matches any run
// of characters (everything else literal, case-sensitive), or a Go regular
// expression written after "re:" (unanchored unless it anchors itself).
type Pattern struct {
	src   string
	parts []string // glob literal parts between '*'
	star0 bool     // glob starts with '*'
	starN bool     // glob ends with '*'
	re    *regexp.Regexp
}

// CompilePattern compiles a glob or an re: pattern.
func CompilePattern(s string) (*Pattern, error) {
	p := &Pattern{src: s}
	if rest, ok := strings.CutPrefix(s, "re:"); ok {
		re, err := regexp.Compile(rest)
		if err != nil {
			return nil, fmt.Errorf("pattern %q: %v", s, err)
		}
		p.re = re
		return p, nil
	}
	p.parts = strings.Split(s, "*")
	p.star0 = strings.HasPrefix(s, "*")
	p.starN = strings.HasSuffix(s, "*")
	return p, nil
}

// MustCompilePattern is CompilePattern that panics; for tests and defaults.
func MustCompilePattern(s string) *Pattern {
	p, err := CompilePattern(s)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the pattern as written.
func (p *Pattern) String() string { return p.src }

// IsRegexp reports whether the pattern is a regular expression.
func (p *Pattern) IsRegexp() bool { return p.re != nil }

// Match reports whether s matches.
func (p *Pattern) Match(s string) bool {
	if p.re != nil {
		return p.re.MatchString(s)
	}
	if len(p.parts) == 1 {
		return s == p.parts[0]
	}
	first, last := p.parts[0], p.parts[len(p.parts)-1]
	if !strings.HasPrefix(s, first) || len(s) < len(first)+len(last) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, mid := range p.parts[1 : len(p.parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return true
}

// Covers reports whether every string p matches is also matched by q, for
// the cases it can decide: equal patterns, q = "*", and a literal p that q
// matches. It is used to report shadowed rules; false means "not proven".
func (q *Pattern) Covers(p *Pattern) bool {
	if q.src == p.src || q.src == "*" {
		return true
	}
	if p.re == nil && len(p.parts) == 1 {
		return q.Match(p.src)
	}
	return false
}
