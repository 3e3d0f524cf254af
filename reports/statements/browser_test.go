package statements_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/allot-dev/allot/internal/testenv"
	"github.com/allot-dev/allot/reports/statements"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"
)

// pageFacts is what the page's rendered DOM says, read by the test's own
// expression (the pages have no script).
type pageFacts struct {
	Title    string       `json:"title"`
	Charts   []chartFacts `json:"charts"`
	Scripts  int          `json:"scripts"`
	Imgs     int          `json:"imgs"`
	Embeds   int          `json:"embeds"`
	Handlers int          `json:"handlers"`
	Text     string       `json:"text"`
}

type chartFacts struct {
	ID         string     `json:"id"`
	Role       string     `json:"role"`
	Labelled   []string   `json:"labelled"` // the texts aria-labelledby points at
	Title      string     `json:"title"`
	Desc       string     `json:"desc"`
	Bars       []barFacts `json:"bars"`
	DataValues int        `json:"dataValues"`
}

type barFacts struct {
	Value string  `json:"value"`
	Label string  `json:"label"`
	Width float64 `json:"width"`
	Shown string  `json:"shown"` // the value text drawn beside the bar
}

const factsJS = `(() => {
  const text = id => { const e = document.getElementById(id); return e ? e.textContent : ""; };
  const charts = [...document.querySelectorAll("svg")].map(svg => ({
    id: svg.id,
    role: svg.getAttribute("role") || "",
    labelled: (svg.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean).map(text),
    title: (svg.querySelector(":scope > title") || {}).textContent || "",
    desc: (svg.querySelector(":scope > desc") || {}).textContent || "",
    dataValues: svg.querySelectorAll("[data-value]").length,
    bars: [...svg.querySelectorAll("rect.bar")].map(r => {
      const next = r.nextElementSibling;
      return {
        value: r.getAttribute("data-value") || "",
        label: r.getAttribute("data-label") || "",
        width: r.getBBox().width,
        shown: next && next.matches("text.value") ? next.textContent : "",
      };
    }),
  }));
  let handlers = 0;
  for (const e of document.querySelectorAll("*"))
    for (const a of e.attributes) if (a.name.toLowerCase().startsWith("on")) handlers++;
  return {
    title: document.title,
    charts,
    scripts: document.querySelectorAll("script").length,
    imgs: document.querySelectorAll("img").length,
    embeds: document.querySelectorAll("iframe, object, embed, link").length,
    handlers,
    text: document.documentElement.textContent,
  };
})()`

// browserPage is one page to load, with checks of its own.
type browserPage struct {
	name  string
	html  []byte
	check func(t *testing.T, f pageFacts)
	// chartless pages (the tagging-gap report) are checked for everything
	// but charts: they have tables, not charts.
	chartless bool
}

// chartValues returns the data-value of each bar of a chart.
func chartValues(t *testing.T, f pageFacts, id string) []string {
	t.Helper()
	for _, c := range f.Charts {
		if c.ID == id {
			var out []string
			for _, b := range c.Bars {
				out = append(out, b.Value)
			}
			return out
		}
	}
	t.Errorf("no chart %s", id)
	return nil
}

func wantValues(t *testing.T, f pageFacts, id string, want ...string) {
	t.Helper()
	if got := chartValues(t, f, id); !slices.Equal(got, want) {
		t.Errorf("%s values = %v, want %v", id, got, want)
	}
}

func hostileCheck(t *testing.T, f pageFacts) {
	if f.Scripts != 0 || f.Imgs != 0 || f.Embeds != 0 || f.Handlers != 0 {
		t.Errorf("the hostile values made elements: %d script, %d img, %d embedded, %d on* attributes", f.Scripts, f.Imgs, f.Embeds, f.Handlers)
	}
	for _, v := range []string{hostileScript, hostileImg} {
		if !strings.Contains(f.Text, v) {
			t.Errorf("the rendered text does not show %q", v)
		}
	}
}

// pages collects the pages to load: the worked month, the hostile pages,
// and the demo's pages where their golden files exist.
func pages(t *testing.T) []browserPage {
	files, err := statements.Files(worked(t))
	if err != nil {
		t.Fatal(err)
	}
	stHTML, _, rcHTML, _ := hostilePages(t)
	out := []browserPage{
		{name: "worked-statement-search", html: files["statements/search.html"], check: func(t *testing.T, f pageFacts) {
			// The hand-worked figures of TestWorkedStatement.
			wantValues(t, f, "chart-classes", "120.07", "72.04", "12.01", "-100.00")
			wantValues(t, f, "chart-change", "96.06", "120.07", "0.00", "72.04", "0.00", "12.01", "0.96", "0.00", "0.00", "-100.00", "97.02", "104.12")
			wantValues(t, f, "chart-runs", "79.25", "34.94", "1.20")
			wantValues(t, f, "chart-resources", "150.00", "30.00", "5.00")
		}},
		{name: "worked-statement-support", html: files["statements/support.html"], check: func(t *testing.T, f pageFacts) {
			wantValues(t, f, "chart-classes", "240.14")
		}},
		{name: "worked-reconciliation", html: files["reconciliation.html"], check: func(t *testing.T, f pageFacts) {
			wantValues(t, f, "chart-bill", "380.00", "577.71", "344.26", "30.01", "120.07")
			wantValues(t, f, "chart-classes", "466.42", "270.00", "87.28", "90.00", "24.01", "15.00", "0.00", "5.00")
			wantValues(t, f, "chart-buffer", "500.00", "16.63", "-100.00", "416.63")
		}},
		{name: "hostile-statement", html: stHTML, check: hostileCheck},
		{name: "hostile-reconciliation", html: rcHTML, check: hostileCheck},
	}
	demo, _ := filepath.Glob(filepath.Join("..", "..", "cmd", "allot", "testdata", "demo", "*", "*.html.golden"))
	more, _ := filepath.Glob(filepath.Join("..", "..", "cmd", "allot", "testdata", "demo", "*", "statements", "*.html.golden"))
	for _, p := range append(demo, more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(filepath.Join("..", "..", "cmd", "allot", "testdata"), p)
		out = append(out, browserPage{name: strings.NewReplacer("/", "-", ".html.golden", "").Replace(filepath.ToSlash(rel)), html: b,
			chartless: strings.HasSuffix(p, "tagging-gaps.html.golden")})
	}
	return out
}

// startBrowser starts headless Chromium for the test.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	bin := testenv.NeedChromium(t)
	// Flags: headless, no sandbox (CI containers run as root), and nothing
	// that reaches the network.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	return browserCtx
}

// loadPage opens path in a new tab and returns what its DOM says and
// every uncaught exception, console error, browser log error and dialog
// of its load. A dialog is dismissed so that a page that opens one
// cannot hang the test.
func loadPage(t *testing.T, browserCtx context.Context, path string) (pageFacts, []string) {
	t.Helper()
	var mu sync.Mutex
	var problems []string
	note := func(s string) {
		mu.Lock()
		problems = append(problems, s)
		mu.Unlock()
	}
	tabCtx, cancelTab := chromedp.NewContext(browserCtx)
	defer cancelTab()
	// A guard against a hung page, not a timing assertion.
	ctx, cancel := context.WithTimeout(tabCtx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			note("uncaught exception: " + e.ExceptionDetails.Text + describe(e.ExceptionDetails.Exception))
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				note("console." + string(e.Type))
			}
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				note(fmt.Sprintf("browser log error (%s): %s", e.Entry.Source, e.Entry.Text))
			}
		case *page.EventJavascriptDialogOpening:
			note("a " + string(e.Type) + " dialog opened: " + e.Message)
			// The listener must not send commands itself.
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}); err != nil {
		t.Fatal(err)
	}
	u := url.URL{Scheme: "file", Path: path}
	if err := chromedp.Do(ctx, chromedp.Navigate(u.String())); err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	f, err := chromedp.Run(ctx, chromedp.Evaluate[pageFacts](factsJS))
	if err != nil {
		t.Fatalf("read the DOM of %s: %v", path, err)
	}
	// The listener sees each event before the reply to a later command,
	// so every message of the load is in problems now.
	mu.Lock()
	defer mu.Unlock()
	return f, append([]string(nil), problems...)
}

// TestBrowser loads every page in headless Chromium and proves that it
// loads with no script error, console error or dialog, that every chart
// is labelled and has its data in the rendered DOM, and that hostile
// values are text.
func TestBrowser(t *testing.T) {
	browserCtx := startBrowser(t)
	dir := t.TempDir()
	for i, p := range pages(t) {
		t.Run(p.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("%02d-%s.html", i, p.name))
			if err := os.WriteFile(path, p.html, 0o644); err != nil {
				t.Fatal(err)
			}
			f, problems := loadPage(t, browserCtx, path)
			for _, pr := range append(problems, pageProblems(f)...) {
				if p.chartless && pr == noChart {
					continue
				}
				t.Error(pr)
			}
			if p.check != nil {
				p.check(t, f)
			}
		})
	}
}

// TestBrowserCatchesBrokenPages proves the checks above can fail: a page
// with a script error, an injected handler that opens an alert, an
// unlabelled chart and a bar without its data is caught on each count.
func TestBrowserCatchesBrokenPages(t *testing.T) {
	browserCtx := startBrowser(t)
	path := filepath.Join(t.TempDir(), "broken.html")
	broken := `<!DOCTYPE html><html><head><meta charset="utf-8"><title>broken</title></head><body>
<p>` + hostileImg + `</p>
<script>notAFunction();</script>
<svg class="chart" id="c" role="img" width="100" height="20"><title>t</title><rect class="bar" x="0" y="0" width="0" height="5"></rect></svg>
</body></html>`
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	f, problems := loadPage(t, browserCtx, path)
	all := strings.Join(append(problems, pageProblems(f)...), "\n")
	for _, want := range []string{"uncaught exception", "notAFunction", "alert dialog opened", "<script> elements",
		`chart "c": role "img", title "t", desc ""`, "0 elements with data-value"} {
		if !strings.Contains(all, want) {
			t.Errorf("the broken page's problems do not mention %q:\n%s", want, all)
		}
	}
	if f.Imgs != 1 || f.Handlers != 1 {
		t.Errorf("the broken page has %d img and %d on* attributes, want 1 and 1", f.Imgs, f.Handlers)
	}
}

func describe(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	return " " + o.Description
}

// pageProblems lists what is wrong with any page: no title, a script, no
// chart, a chart not labelled by its title and description, or a bar
// without a decimal data-value that it shows and, when not zero, draws.
const noChart = "the page has no chart"

func pageProblems(f pageFacts) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if strings.TrimSpace(f.Title) == "" {
		add("the page has no <title>")
	}
	if f.Scripts != 0 {
		add("the page has %d <script> elements; it needs none", f.Scripts)
	}
	if len(f.Charts) == 0 {
		add(noChart)
	}
	for _, c := range f.Charts {
		if c.Role != "img" || c.Title == "" || c.Desc == "" || len(c.Labelled) != 2 || c.Labelled[0] != c.Title || c.Labelled[1] != c.Desc {
			add("chart %q: role %q, title %q, desc %q, aria-labelledby → %q: want role img labelled by its title and desc", c.ID, c.Role, c.Title, c.Desc, c.Labelled)
		}
		if len(c.Bars) == 0 || c.DataValues != len(c.Bars) {
			add("chart %q: %d bars, %d elements with data-value; want every bar to carry its value, and at least one", c.ID, len(c.Bars), c.DataValues)
		}
		for _, b := range c.Bars {
			v, err := decimal.NewFromString(b.Value)
			switch {
			case err != nil:
				add("chart %q: bar %q has data-value %q, not a decimal", c.ID, b.Label, b.Value)
			case b.Shown != b.Value:
				add("chart %q: bar %q shows %q but its data-value is %q", c.ID, b.Label, b.Shown, b.Value)
			case !v.IsZero() && !(b.Width > 0):
				add("chart %q: bar %q of %s has no width", c.ID, b.Label, b.Value)
			case !strings.HasSuffix(b.Label, ": "+b.Value):
				add("chart %q: bar label %q does not end with its value %s", c.ID, b.Label, b.Value)
			}
		}
	}
	return out
}
