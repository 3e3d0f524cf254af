package rules

import (
	"fmt"
	"regexp"
	"regexp/syntax"
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

// Covers reports whether every non-empty string p matches is also matched
// by q, for the cases it can decide; false means "not proven". It is used
// to report shadowed rules. Proven cases: equal patterns; q = "*"; q a
// regular expression matching anything (re:, re:.*, re:^.*$); a literal p
// that q matches; and a glob p under a glob q of the forms A*, *B, *M* or
// A*B whose literal parts p's own first, last or any part contain.
//
// The pattern "*" alone also matches an empty field (a rule with
// resource_id "*" applies to lines without a resource id); no other
// pattern does, so only "*" covers "*".
func (q *Pattern) Covers(p *Pattern) bool {
	if q.src == "*" || q.src == p.src {
		return true
	}
	if p.src == "*" {
		return false
	}
	if q.re != nil {
		switch q.src {
		case "re:", "re:.*", "re:^.*", "re:.*$", "re:^.*$", "re:(?s).*", "re:(?s)^.*$":
			return true
		}
	}
	if p.re == nil && len(p.parts) == 1 {
		return q.Match(p.src)
	}
	if q.re != nil || p.re != nil || len(q.parts) == 1 {
		return false
	}
	// Both are globs with at least one '*'. Every string p matches starts
	// with p's first part, ends with its last and contains each part.
	pFirst, pLast := p.parts[0], p.parts[len(p.parts)-1]
	switch {
	case len(q.parts) == 2: // A*B (A or B may be empty)
		a, b := q.parts[0], q.parts[1]
		return strings.HasPrefix(pFirst, a) && strings.HasSuffix(pLast, b)
	case len(q.parts) == 3 && q.parts[0] == "" && q.parts[2] == "": // *M*
		for _, part := range p.parts {
			if strings.Contains(part, q.parts[1]) {
				return true
			}
		}
	}
	return false
}

// NeverMatches reports whether the pattern provably matches no non-empty
// string: a regular expression that can only match the empty string
// (re:^$) or nothing at all (re:[^\x00-\x{10FFFF}]). As a field pattern it
// never matches a line, since only "*" applies to empty fields. False
// means "not proven".
func (p *Pattern) NeverMatches() bool {
	if p.re == nil {
		return p.src == ""
	}
	re, err := syntax.Parse(strings.TrimPrefix(p.src, "re:"), syntax.Perl)
	if err != nil {
		return false
	}
	return onlyEmpty(re.Simplify())
}

// onlyEmpty reports whether re matches at most the empty string: nothing
// (OpNoMatch), or the text anchors ^ and $ with nothing between them.
func onlyEmpty(re *syntax.Regexp) bool {
	if noMatch(re) {
		return true
	}
	switch re.Op {
	case syntax.OpCapture:
		return onlyEmpty(re.Sub[0])
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if !onlyEmpty(s) {
				return false
			}
		}
		return true
	case syntax.OpConcat:
		begin, end := false, false
		for _, s := range re.Sub {
			switch s.Op {
			case syntax.OpBeginText:
				begin = true
			case syntax.OpEndText:
				end = true
			case syntax.OpEmptyMatch:
			default:
				if noMatch(s) {
					return true
				}
				return false
			}
		}
		return begin && end
	}
	return false
}

// noMatch reports whether re matches nothing: OpNoMatch or an empty
// character class.
func noMatch(re *syntax.Regexp) bool {
	return re.Op == syntax.OpNoMatch || re.Op == syntax.OpCharClass && len(re.Rune) == 0
}
