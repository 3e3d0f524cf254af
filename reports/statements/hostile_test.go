package statements_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/allot-dev/allot/internal/testutil"
	"github.com/allot-dev/allot/reports"
	"github.com/allot-dev/allot/reports/statements"
	"github.com/shopspring/decimal"
	"golang.org/x/net/html"
)

// Values anyone who can tag a resource, name an agent run or file a draw
// request controls.
const (
	hostileScript = `<script>alert(1)</script>`
	hostileImg    = `"><img src=x onerror=alert(1)>`
)

// hostile is the worked month with hostile values wherever a bill, the
// gateway or a person writes text: the team id, its cost center, a draw's
// cause, agent run ids and resource ids.
func hostile(t testing.TB) statements.Input {
	t.Helper()
	ain := workedAlloc()
	ain.Teams[0].ID = hostileScript
	for i := range ain.Actions {
		if ain.Actions[i].Team == teamSearch {
			ain.Actions[i].Team = hostileScript
		}
	}
	for i := range ain.Costs {
		if ain.Costs[i].Team == teamSearch {
			ain.Costs[i].Team = hostileScript
		}
	}
	for i := range ain.Draws {
		if ain.Draws[i].Team == teamSearch {
			ain.Draws[i].Team = hostileScript
			ain.Draws[i].Cause = hostileScript + ` & | *bold* [link](http://x) ` + hostileImg
		}
	}
	bk := workedBooking()
	delete(bk.Teams, teamSearch)
	bk.Teams[hostileScript] = reports.Booking{Company: "1000", CostCenter: hostileImg}
	in := build(t, ain, bk)
	in.Resources = map[string]map[string]decimal.Decimal{
		hostileScript: {hostileImg: d("150.00"), hostileScript: d("30.00"), "a|b`c": d("1.00")},
	}
	in.AgentRuns = map[string]map[string]map[string]int64{
		hostileScript: {hostileScript: {"chat_call": 3000}, hostileImg: {"agent_step": 100}},
	}
	return in
}

// hostilePages renders the hostile team's statement and the reconciliation.
func hostilePages(t testing.TB) (statementHTML, statementMD, reconHTML, reconMD []byte) {
	t.Helper()
	in := hostile(t)
	st, err := statements.BuildStatement(in, hostileScript)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := statements.BuildReconciliation(in)
	if err != nil {
		t.Fatal(err)
	}
	var a, b, c, e bytes.Buffer
	for _, err := range []error{st.WriteHTML(&a), st.WriteMarkdown(&b), rc.WriteHTML(&c), rc.WriteMarkdown(&e)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return a.Bytes(), b.Bytes(), c.Bytes(), e.Bytes()
}

// TestHostileValuesAreText parses the hostile pages as a browser would
// and checks that every hostile value is text: no script, no img, no
// event handler attribute, and the values read back verbatim.
func TestHostileValuesAreText(t *testing.T) {
	st, _, rc, _ := hostilePages(t)
	for name, page := range map[string][]byte{"statement": st, "reconciliation": rc} {
		t.Run(name, func(t *testing.T) {
			doc, err := html.Parse(bytes.NewReader(page))
			if err != nil {
				t.Fatal(err)
			}
			var text strings.Builder
			var walk func(n *html.Node)
			walk = func(n *html.Node) {
				if n.Type == html.ElementNode {
					switch n.Data {
					case "script", "img", "iframe", "object", "embed", "link", "a":
						t.Errorf("the page has a <%s> element", n.Data)
					}
					for _, a := range n.Attr {
						if strings.HasPrefix(strings.ToLower(a.Key), "on") || a.Key == "src" || a.Key == "href" {
							t.Errorf("<%s> has an attribute %s=%q", n.Data, a.Key, a.Val)
						}
					}
				}
				if n.Type == html.TextNode {
					text.WriteString(n.Data)
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
			}
			walk(doc)
			for _, v := range []string{hostileScript, hostileImg} {
				if !strings.Contains(text.String(), v) {
					t.Errorf("the page's text does not show %q", v)
				}
			}
		})
	}
}

// TestHostileMarkdown: in Markdown, identifiers are code spans and free
// text is backslash-escaped, so no renderer reads a tag or a link.
func TestHostileMarkdown(t *testing.T) {
	_, st, _, rc := hostilePages(t)
	for _, want := range []string{
		"# AI chargeback statement: `" + hostileScript + "`, 2026-10", // heading: a code span
		"| `" + hostileImg + "` | 150.00 |",                           // resource id in a table cell
		"| ``a\\|b`c`` |",                                             // a pipe escaped, a backtick fenced by two
		`cause “\<script\>alert(1)\</script\> \& \| \*bold\* \[link\](http://x) "\>\<img src=x onerror=alert(1)\>”`,
	} {
		if !bytes.Contains(st, []byte(want)) {
			t.Errorf("the statement has no %q", want)
		}
	}
	// Outside code spans no raw tag is left: remove the code spans and look.
	for name, page := range map[string][]byte{"statement": st, "reconciliation": rc} {
		bare := stripCodeSpans(string(page))
		if m := rawTag.FindString(bare); m != "" {
			t.Errorf("%s: an unescaped %q outside code spans:\n%s", name, m, bare)
		}
	}
}

// rawTag is a "<" that no backslash escapes, followed by what could
// start a tag.
var rawTag = regexp.MustCompile(`(^|[^\\])<[A-Za-z/!?]`)

// stripCodeSpans removes `…` and “…“ spans, the way CommonMark pairs
// backtick runs of equal length.
func stripCodeSpans(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '`' {
			b.WriteByte(s[i])
			i++
			continue
		}
		n := 0
		for i+n < len(s) && s[i+n] == '`' {
			n++
		}
		fence := strings.Repeat("`", n)
		end := strings.Index(s[i+n:], fence)
		if end < 0 {
			b.WriteString(s[i:])
			break
		}
		i += n + end + n
	}
	return b.String()
}

func TestHostileTeamIDNamesNoFile(t *testing.T) {
	_, err := statements.Files(hostile(t))
	if !errors.Is(err, statements.ErrTeamID) || !strings.Contains(err.Error(), hostileScript) {
		t.Errorf("Files with a team id that cannot name a file: %v, want ErrTeamID naming it", err)
	}
}

// TestHostileGolden pins the escaped pages; the browser test loads them.
func TestHostileGolden(t *testing.T) {
	st, stMD, rc, rcMD := hostilePages(t)
	testutil.AssertGolden(t, filepath.Join("testdata", "hostile", "statement.html.golden"), st)
	testutil.AssertGolden(t, filepath.Join("testdata", "hostile", "statement.md.golden"), stMD)
	testutil.AssertGolden(t, filepath.Join("testdata", "hostile", "reconciliation.html.golden"), rc)
	testutil.AssertGolden(t, filepath.Join("testdata", "hostile", "reconciliation.md.golden"), rcMD)
}
