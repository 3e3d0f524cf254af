package azexport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/allot-dev/allot/cost"
)

// parseTags parses an Azure Tags cell: a JSON object ({"team":"search"},
// MCA and FocusCost) or its members without the outer braces
// ("team": "search","env": "prod", EA). An empty cell, {} and null mean no
// tags.
//
// Keys are kept as spelled, except that surrounding whitespace is trimmed
// (" org" is "org"). Keys that differ only by case stay separate entries:
// the tagging layer compares Azure keys case-insensitively and reports the
// variants. When two keys are equal after trimming, a key written without
// surrounding whitespace wins over a padded one; between equally written
// keys the last one wins, as in JSON.parse. Values are strings; numbers and
// booleans keep their JSON text, null becomes "" and a nested object or
// array keeps its compact JSON text.
func parseTags(s string) (cost.Tags, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "{}" || s == "null" {
		return nil, nil
	}
	if tags, ok := parseSimpleTags(s); ok {
		return tags, nil
	}
	return parseTagsJSON(s)
}

// parseTagsJSON is parseTags with the JSON decoder, for any cell.
func parseTagsJSON(s string) (cost.Tags, error) {
	if !strings.HasPrefix(s, "{") {
		s = "{" + s + "}"
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return nil, tagSyntax(err)
	}
	tags := cost.Tags{}
	padded := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, tagSyntax(err)
		}
		raw, ok := tok.(string)
		if !ok {
			return nil, errors.New("tags: a key is not a string; want JSON such as {\"team\":\"search\"}")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, tagSyntax(err)
		}
		val, err := tagValue(v)
		if err != nil {
			return nil, fmt.Errorf("tags: key %q: %w", raw, err)
		}
		if strings.TrimSpace(raw) == "" {
			return nil, fmt.Errorf("tags: empty key (value %q); fix the tag on the resource", val)
		}
		putTag(tags, padded, raw, val)
	}
	if _, err := dec.Token(); err != nil {
		return nil, tagSyntax(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("tags: text after the closing brace; want one JSON object")
	}
	if len(tags) == 0 {
		return nil, nil
	}
	return tags, nil
}

func tagValue(v json.RawMessage) (string, error) {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0:
		return "", errors.New("no value")
	case v[0] == '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", err
		}
		return s, nil
	case bytes.Equal(v, []byte("null")):
		return "", nil
	case v[0] == '{' || v[0] == '[':
		var b bytes.Buffer
		if err := json.Compact(&b, v); err != nil {
			return "", err
		}
		return b.String(), nil
	}
	return string(v), nil // number, true, false
}

func tagSyntax(err error) error {
	return fmt.Errorf("tags: not a JSON object (%v); want {\"team\":\"search\"} or \"team\": \"search\"", err)
}

// putTag stores one member with the precedence parseTags documents.
func putTag(tags cost.Tags, padded map[string]bool, raw, val string) {
	key := strings.TrimSpace(raw)
	isPadded := key != raw
	if _, dup := tags[key]; dup && isPadded && !padded[key] {
		return // an unpadded spelling already set it
	}
	tags[key] = val
	padded[key] = isPadded
}

// parseSimpleTags is parseTags' fast path for the common cell: members
// whose keys and values are strings without escapes or control
// characters. It reports false for anything else, which the JSON decoder
// then reads (or rejects) with the same rules.
func parseSimpleTags(s string) (cost.Tags, bool) {
	if strings.HasPrefix(s, "{") {
		if !strings.HasSuffix(s, "}") {
			return nil, false
		}
		s = s[1 : len(s)-1]
	}
	if !utf8.ValidString(s) {
		return nil, false
	}
	tags := cost.Tags{}
	padded := map[string]bool{}
	i := 0
	str := func() (string, bool) {
		if i >= len(s) || s[i] != '"' {
			return "", false
		}
		j := i + 1
		for j < len(s) && s[j] != '"' {
			if s[j] == '\\' || s[j] < 0x20 {
				return "", false
			}
			j++
		}
		if j >= len(s) {
			return "", false
		}
		v := s[i+1 : j]
		i = j + 1
		return v, true
	}
	space := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
	}
	for {
		space()
		if i == len(s) {
			break
		}
		k, ok := str()
		if !ok || strings.TrimSpace(k) == "" {
			return nil, false
		}
		space()
		if i >= len(s) || s[i] != ':' {
			return nil, false
		}
		i++
		space()
		v, ok := str()
		if !ok {
			return nil, false
		}
		putTag(tags, padded, k, v)
		space()
		if i == len(s) {
			break
		}
		if s[i] != ',' {
			return nil, false
		}
		i++
		space()
		if i == len(s) {
			return nil, false // trailing comma: let the decoder report it
		}
	}
	if len(tags) == 0 {
		return nil, true
	}
	return tags, true
}
