package statements

import (
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
)

func TestMDCode(t *testing.T) {
	cases := map[string]struct {
		in      string
		inTable bool
		want    string
	}{
		"plain":                {"chat_call", false, "`chat_call`"},
		"tag":                  {"<script>alert(1)</script>", false, "`<script>alert(1)</script>`"},
		"backtick inside":      {"a`b", false, "``a`b``"},
		"two backticks inside": {"a``b", true, "```a``b```"},
		"backtick at the edge": {"`x", false, "`` `x ``"},
		"pipe in a table":      {"a|b", true, "`a\\|b`"},
		"pipe outside a table": {"a|b", false, "`a|b`"},
		"line break folded":    {"a\nb\r\nc", false, "`a b  c`"},
		"empty":                {"", false, ""},
		"spaces at both edges": {" x ", false, "`  x  `"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := mdCode(c.in, c.inTable); got != c.want {
				t.Errorf("mdCode(%q, %v) = %q, want %q", c.in, c.inTable, got, c.want)
			}
		})
	}
}

func TestMDText(t *testing.T) {
	cases := map[string]string{
		"backfill of catalogue embeddings": "backfill of catalogue embeddings",
		"<script>alert(1)</script>":        `\<script\>alert(1)\</script\>`,
		"[x](javascript:alert(1))":         `\[x\](javascript:alert(1))`,
		"a | b & *c* _d_ `e` #f !g ~h":     `a \| b \& \*c\* \_d\_ \` + "`" + `e\` + "`" + ` \#f \!g \~h`,
		"back\\slash":                      `back\\slash`,
		"two\nlines":                       "two lines",
	}
	for in, want := range cases {
		if got := mdText(in); got != want {
			t.Errorf("mdText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKeepTop(t *testing.T) {
	var top []ranked
	// Amounts 0..19 in a scrambled order, with a tie on 17.
	for i, a := range []int{3, 17, 0, 11, 19, 5, 8, 17, 2, 14, 9, 1, 16, 7, 13, 4, 18, 6, 10, 12} {
		top = keepTop(top, ranked{id: fmt.Sprintf("r%02d", i), amount: decimal.NewFromInt(int64(a))}, 4)
		if len(top) > 4 {
			t.Fatalf("kept %d, want at most 4", len(top))
		}
	}
	got := ""
	for _, r := range top {
		got += fmt.Sprintf("%s=%s ", r.id, r.amount)
	}
	// 19 (r04), 18 (r16), then the two 17s by id: r01 before r07.
	if want := "r04=19 r16=18 r01=17 r07=17 "; got != want {
		t.Errorf("top = %q, want %q", got, want)
	}
}

func TestTruncate(t *testing.T) {
	if got := truncate("short", 32); got != "short" {
		t.Errorf("truncate(short) = %q", got)
	}
	id := "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/search-chat"
	got := truncate(id, 32)
	if n := len([]rune(got)); n != 32 || got[:10] != id[:10] || got[len(got)-11:] != "search-chat" {
		t.Errorf("truncate = %q (%d runes): want 32 runes keeping the start and the end", got, n)
	}
}

func TestPriceText(t *testing.T) {
	for in, want := range map[string]string{"0.03602": "0.036020", "0.012007": "0.012007", "0.0120035": "0.0120035", "30": "30.000000"} {
		if got := priceText(decimal.RequireFromString(in)); got != want {
			t.Errorf("priceText(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestPercentOf(t *testing.T) {
	for _, c := range []struct{ part, whole, want string }{
		{"24.01", "96.06", "25.0%"}, {"-0.96", "0.96", "-100.0%"}, {"1", "0", ""}, {"150", "185", "81.1%"}, {"5", "-10", "50.0%"},
	} {
		if got := percentOf(decimal.RequireFromString(c.part), decimal.RequireFromString(c.whole)); got != c.want {
			t.Errorf("percentOf(%s, %s) = %q, want %q", c.part, c.whole, got, c.want)
		}
	}
}

// TestChartGeometry: bars scale to the largest magnitude, negative bars
// run left of a shifted zero axis, and an all-zero chart draws no width.
func TestChartGeometry(t *testing.T) {
	m := func(s string) Money { return Money{Dec: decimal.RequireFromString(s), Places: 2} }
	c := newChart("c", "t", "d", []string{"x"}, []chartRowIn{{"a", []Money{m("300.00")}}, {"b", []Money{m("-100.00")}}})
	// span 400 over 400 px: zero at 230 + 100.
	if c.ZeroX != "330" {
		t.Errorf("zero at %s, want 330", c.ZeroX)
	}
	a, b := c.Rows[0].Bars[0], c.Rows[1].Bars[0]
	if a.X != "330" || a.W != "300" || a.Value != "300.00" || a.Class != "s0" {
		t.Errorf("bar a = %+v, want x 330, width 300", a)
	}
	if b.X != "230" || b.W != "100" || b.Value != "-100.00" || b.Class != "s0 neg" {
		t.Errorf("bar b = %+v, want x 230, width 100, negative", b)
	}
	if len(c.Legend) != 0 {
		t.Errorf("one series has a legend: %+v", c.Legend)
	}
	z := newChart("z", "t", "d", []string{"p", "q"}, []chartRowIn{{"a", []Money{m("0.00"), m("0.00")}}})
	if len(z.Legend) != 2 || z.Rows[0].Bars[0].W != "0" || z.Rows[0].Bars[1].Series != "q" {
		t.Errorf("zero chart = %+v", z)
	}
	third := newChart("t", "t", "d", []string{"x"}, []chartRowIn{{"a", []Money{m("3.00")}}, {"b", []Money{m("1.00")}}})
	if w := third.Rows[1].Bars[0].W; w != "133.3" {
		t.Errorf("1 of 3 over 400 px = %s, want 133.3", w)
	}
}
