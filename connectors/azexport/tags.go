package azexport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

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
		key := strings.TrimSpace(raw)
		if key == "" {
			return nil, fmt.Errorf("tags: empty key (value %q); fix the tag on the resource", val)
		}
		isPadded := key != raw
		if _, dup := tags[key]; dup && isPadded && !padded[key] {
			continue // an unpadded spelling already set it
		}
		tags[key] = val
		padded[key] = isPadded
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
