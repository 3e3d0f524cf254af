package statements

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// Money is an amount already rounded to its currency's minor unit. It
// prints, and marshals to JSON, as a decimal string with exactly Places
// decimals ("1954.40"), never as a float.
type Money struct {
	Dec    decimal.Decimal
	Places int32
}

// String returns the amount with exactly Places decimals.
func (m Money) String() string { return m.Dec.StringFixed(m.Places) }

// MarshalJSON writes the amount as a JSON string.
func (m Money) MarshalJSON() ([]byte, error) { return json.Marshal(m.String()) }

// IsZero reports whether the amount is zero.
func (m Money) IsZero() bool { return m.Dec.IsZero() }

// IsNegative reports whether the amount is below zero.
func (m Money) IsNegative() bool { return m.Dec.IsNegative() }

// money rounds d (half away from zero) to places decimals.
func money(d decimal.Decimal, places int32) Money {
	return Money{Dec: d.Round(places), Places: places}
}

// percentOf returns (part ÷ whole) as a percentage with one decimal, or ""
// when whole is zero.
func percentOf(part, whole decimal.Decimal) string {
	if whole.IsZero() {
		return ""
	}
	return part.Mul(decimal.NewFromInt(100)).DivRound(whole.Abs(), 1).StringFixed(1) + "%"
}

// signed writes d with a leading + when it is positive, as changes read.
func signed(m Money) string {
	if m.Dec.IsPositive() {
		return "+" + m.String()
	}
	return m.String()
}

// safeName is what a team id must look like to name a statement file.
var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)

// fileName returns the statement file name of a team, or ErrTeamID.
func fileName(team, ext string) (string, error) {
	if !safeName.MatchString(team) || strings.Contains(team, "..") {
		return "", fmt.Errorf("%w: %q cannot name a file; a team id is letters, digits, '-', '_' or '.', at most 100 characters", ErrTeamID, team)
	}
	return DirStatements + "/" + team + ext, nil
}

// oneLine folds line breaks and tabs, which would break a Markdown table
// or heading, into spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\n', '\r', '\t', '\v', '\f', '\u2028', '\u2029':
			return ' '
		}
		return r
	}, s)
}

// mdText escapes free text (a draw's cause, a reason) for Markdown: each
// character CommonMark could read as markup, a link or raw HTML is
// backslash-escaped, so "<script>" shows as text and never as a tag.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range oneLine(s) {
		if strings.ContainsRune(mdSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdSpecial are the characters mdText escapes.
const mdSpecial = "\\`*_[]<>|#!~&{}"

// mdCode writes an identifier (a team, class, agent run or resource id)
// as a Markdown code span, in which nothing is markup or HTML. inTable
// escapes the pipe as GFM tables require (GFM reads \| as | in a cell,
// also inside a code span).
func mdCode(s string, inTable bool) string {
	s = oneLine(s)
	if s == "" {
		return ""
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// truncate shortens s to n runes for a chart label, keeping its start and
// its end (where resource ids differ) around an ellipsis; the tables and
// the bar's title always show the full value.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	head := (n - 1) / 3
	tail := n - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// priceText writes a unit price with the price list's 6 decimals, or in
// full where it has more (a price × a consumer share).
func priceText(d decimal.Decimal) string {
	if d.Equal(d.Round(cost.PricePlaces)) {
		return d.StringFixed(cost.PricePlaces)
	}
	return d.String()
}
