package focus

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/allot-dev/allot/cost"
)

// parseTags reads a FOCUS Tags cell: a JSON object whose values are
// strings, numbers, booleans or null (the FOCUS KeyValueFormat). Values
// become strings exactly as written: a number keeps its text (1.50 stays
// "1.50"), true and false stay "true" and "false" (a valueless tag key is
// true in FOCUS), and null becomes the empty string, so the key is still
// seen. Nested objects and arrays are errors, and so is a key given twice
// with different values. An empty object gives nil.
//
// Strings without escapes are sliced from s, not copied.
func parseTags(s string) (cost.Tags, error) {
	p := tagParser{s: s}
	p.space()
	if !p.eat('{') {
		return nil, p.fail("want a JSON object such as {\"team\":\"search\"}")
	}
	p.space()
	if p.eat('}') {
		return nil, p.end()
	}
	var tags cost.Tags
	for {
		p.space()
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if !p.eat(':') {
			return nil, p.fail("want ':' after the key")
		}
		p.space()
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		if tags == nil {
			tags = make(cost.Tags, 4)
		}
		if old, dup := tags[key]; dup && old != val {
			return nil, fmt.Errorf("%w: tag key %q appears twice with different values (%q and %q); FOCUS tag keys are unique",
				ErrBadTags, key, old, val)
		}
		tags[key] = val
		p.space()
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			return tags, p.end()
		}
		return nil, p.fail("want ',' or '}' after a value")
	}
}

type tagParser struct {
	s string
	i int
}

func (p *tagParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *tagParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *tagParser) end() error {
	p.space()
	if p.i != len(p.s) {
		return p.fail("unexpected text after the object")
	}
	return nil
}

func (p *tagParser) fail(what string) error {
	shown := p.s
	if len(shown) > 120 {
		shown = shown[:120] + "…"
	}
	return fmt.Errorf("%w: not a FOCUS key-value JSON object: %s at byte %d of %q", ErrBadTags, what, p.i+1, shown)
}

// str reads a JSON string.
func (p *tagParser) str() (string, error) {
	if !p.eat('"') {
		return "", p.fail("want a quoted string")
	}
	start := p.i
	escaped := false
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			raw := p.s[start:p.i]
			p.i++
			if !utf8.ValidString(raw) {
				p.i = start
				return "", p.fail("invalid UTF-8 in a string")
			}
			if !escaped {
				return raw, nil
			}
			var out string
			if err := json.Unmarshal([]byte(p.s[start-1:p.i]), &out); err != nil {
				p.i = start
				return "", p.fail("bad escape in a string")
			}
			return out, nil
		case c == '\\':
			escaped = true
			p.i += 2
		case c < 0x20:
			return "", p.fail("control character in a string")
		default:
			p.i++
		}
	}
	return "", p.fail("unterminated string")
}

// value reads a string, number, true, false or null as text.
func (p *tagParser) value() (string, error) {
	if p.i >= len(p.s) {
		return "", p.fail("want a value")
	}
	switch c := p.s[p.i]; {
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == '{' || c == '[':
		return "", p.fail("tag values must be strings, numbers, booleans or null, not objects or arrays")
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(p.s)-p.i >= len(lit) && p.s[p.i:p.i+len(lit)] == lit {
			p.i += len(lit)
			if lit == "null" {
				return "", nil
			}
			return lit, nil
		}
	}
	return "", p.fail("want a string, number, true, false or null")
}

// number reads a JSON number and returns its text unchanged.
func (p *tagParser) number() (string, error) {
	start := p.i
	p.eat('-')
	if p.eat('0') {
		// a leading zero stands alone
	} else if !p.digits() {
		return "", p.fail("bad number")
	}
	if p.eat('.') && !p.digits() {
		return "", p.fail("bad number: want digits after '.'")
	}
	if p.eat('e') || p.eat('E') {
		if !p.eat('+') {
			p.eat('-')
		}
		if !p.digits() {
			return "", p.fail("bad number: want digits in the exponent")
		}
	}
	return p.s[start:p.i], nil
}

func (p *tagParser) digits() bool {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}
