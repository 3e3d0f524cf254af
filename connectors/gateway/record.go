package gateway

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/allot-dev/allot/cost"
)

// The record fields, named after the OpenTelemetry GenAI attributes where
// they exist (SPEC §10). Keys are matched case-insensitively.
const (
	keyTimestamp    = "timestamp"
	keyTeam         = "team"
	keyActionClass  = "action_class"
	keyModel        = "gen_ai.request.model"
	keyInputTokens  = "gen_ai.usage.input_tokens"
	keyOutputTokens = "gen_ai.usage.output_tokens"
	keyCount        = "count"
	keyEvalScope    = "eval_scope"
	keyAgentRunID   = "agent_run_id"
	keyRequestID    = "request_id"
)

// slot numbers the known fields so a record can tell a repeated field.
type slot int

const (
	sTimestamp slot = iota
	sTeam
	sActionClass
	sModel
	sInputTokens
	sOutputTokens
	sCount
	sEvalScope
	sAgentRunID
	sRequestID
	numSlots
)

var slotNames = [numSlots]string{keyTimestamp, keyTeam, keyActionClass, keyModel, keyInputTokens,
	keyOutputTokens, keyCount, keyEvalScope, keyAgentRunID, keyRequestID}

// slotOfBytes returns the slot of a key, its spaces trimmed, matched
// case-insensitively (simple Unicode case folding), or -1.
func slotOfBytes(key []byte) slot {
	k := bytes.TrimSpace(key)
	for i, n := range slotNames {
		if len(n) == len(k) && strings.EqualFold(n, string(k)) {
			return slot(i)
		}
	}
	return -1
}

// slotOf returns the slot of a key, matched case-insensitively, or -1.
func slotOf(key string) slot { return slotOfBytes([]byte(key)) }

// fieldError is a problem with one field of a record; the decoder adds the
// object and line.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

func bad(field string, sentinel error, format string, args ...any) error {
	return &fieldError{field: field, err: fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)}
}

// builder collects one record's values, then checks and converts them.
type builder struct {
	vals [numSlots]string
	set  [numSlots]bool
}

func (b *builder) reset() { *b = builder{} }

// put records the value of a known field. A field given twice (as a flat
// dotted key and as a nested object, or as a repeated key) is an error.
func (b *builder) put(s slot, v string) error {
	if b.set[s] {
		return bad(slotNames[s], ErrBadRecord, "%s is given twice in one record", slotNames[s])
	}
	b.vals[s], b.set[s] = strings.TrimSpace(v), true
	return nil
}

// record converts the collected values into u.
func (b *builder) record(u *cost.UsageRecord) error {
	*u = cost.UsageRecord{}
	ts := b.vals[sTimestamp]
	if ts == "" {
		return bad(keyTimestamp, ErrMissingField, "timestamp is missing; every record needs an RFC 3339 time such as 2026-10-01T12:00:00Z")
	}
	t, err := parseTimestamp(ts)
	if err != nil {
		return &fieldError{field: keyTimestamp, err: err}
	}
	u.Timestamp = t
	u.Team = b.vals[sTeam]
	u.ActionClass = b.vals[sActionClass]
	u.Model = b.vals[sModel]
	u.AgentRunID = b.vals[sAgentRunID]
	u.RequestID = b.vals[sRequestID]
	if s := b.vals[sEvalScope]; s != "" {
		if !cost.ValidEvalScope(s) {
			return bad(keyEvalScope, ErrBadValue, "eval_scope %q is not one of none, domain, baseline", s)
		}
		u.EvalScope = s
	}
	if u.InputTokens, err = whole(keyInputTokens, b.vals[sInputTokens], 0); err != nil {
		return err
	}
	if u.OutputTokens, err = whole(keyOutputTokens, b.vals[sOutputTokens], 0); err != nil {
		return err
	}
	if b.vals[sCount] != "" {
		if u.Count, err = whole(keyCount, b.vals[sCount], 1); err != nil {
			return err
		}
	}
	return nil
}

// whole parses a non-negative whole number of at least min. Empty is 0.
func whole(field, s string, min int64) (int64, error) {
	if s == "" {
		return 0, nil
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			switch {
			case s[0] == '-':
				return 0, bad(field, ErrBadValue, "%s is %s, a negative number; want a whole number of at least %d", field, s, min)
			case strings.ContainsAny(s, ".eE"):
				return 0, bad(field, ErrBadValue, "%s is %s, not a whole number; want digits only, such as 42", field, s)
			}
			return 0, bad(field, ErrBadValue, "%s is %q, not a whole number; want digits only, such as 42", field, s)
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, bad(field, ErrBadValue, "%s %s is too large", field, s)
	}
	if n < min {
		return 0, bad(field, ErrBadValue, "%s is %d; want a whole number of at least %d", field, n, min)
	}
	return n, nil
}

// parseTimestamp reads an RFC 3339 time with a zone (Z or an offset); a
// space may stand for the T. A time without a zone is an error: the
// gateway's clock zone cannot be guessed.
func parseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil && len(s) > 10 && s[10] == ' ' {
		t, err = time.Parse(time.RFC3339Nano, s[:10]+"T"+s[11:])
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: timestamp %q is not an RFC 3339 time with a zone; want 2026-10-01T12:00:00Z or 2026-10-01T14:00:00+02:00", ErrBadValue, s)
	}
	return t.UTC(), nil
}
