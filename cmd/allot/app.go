package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/allot-dev/allot/pipeline"
	"github.com/allot-dev/allot/rules"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// version is set with -ldflags "-X main.version=…"; see versionString.
var version = ""

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// app is what every command gets.
type app struct {
	stdout, stderr io.Writer
	log            *slog.Logger
	interactive    bool // stderr is a terminal: show progress
	now            func() time.Time
	http           *http.Client
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, a *app, args []string) error
}

// commands lists every subcommand, in help order.
func commands() []command {
	return []command{
		{"demo", "run a full month on bundled sample data (no configuration, no credentials)", runDemo},
		{"run", "allocate one month: journals, allocations, summary, tagging gaps", runRun},
		{"validate", "check a configuration (and its price list) and report every problem", runValidate},
		{"explain", "show how each line of a resource was resolved: team, class, eval scope", runExplain},
		{"gaps", "write the tagging-gap report (JSON, CSV, Markdown, HTML) for a month", runGaps},
		{"normalize", "convert what a source reads into FOCUS 1.2 CSV or Parquet", runNormalize},
		{"prices", "publish a quarter's price list from a look-back window, or show the one in force", runPrices},
		{"buffer", "reconcile the buffer fund at quarter end and post its journal", runBuffer},
		{"runs", "list the ledger's runs and journal batches", runRuns},
		{"schedule", "run the monthly allocation on the configured cron schedule", runSchedule},
		{"gen", "generate synthetic billing data of any size (for benchmarks)", runGen},
	}
}

// usageError is a mistake on the command line: it prints a hint and exits 2.
type usageError struct {
	msg string
	try string
}

func (e *usageError) Error() string { return e.msg }

// hintError carries a "Try:" suggestion with an error.
type hintError struct {
	err error
	try string
}

func (e *hintError) Error() string { return e.err.Error() }
func (e *hintError) Unwrap() error { return e.err }

const globalUsage = `allot turns the AI part of the cloud bill into per-action chargeback: balanced
ERP journals, team statements and a tagging-gap report.

Usage:
  allot [--log-format text|json] [--log-level debug|info|warn|error] COMMAND [flags]

Commands:
%s
Start here:
  allot demo --out allot-demo          a month of a sample company, end to end
  allot validate --config allot.yaml   check your configuration
  allot run --config allot.yaml --period 2026-10 --out out

Each command has --help. Logs go to stderr (text on a terminal, JSON with
--log-format json); results go to the --out folder.
`

func printUsage(w io.Writer) {
	var b strings.Builder
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, globalUsage, b.String())
}

// Main runs allot with args and returns the exit code: 0 on success, 1 on
// failure, 2 on a command-line mistake.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("allot", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	logFormat := fs.String("log-format", "", "log format: text or json (default: text on a terminal, json otherwise)")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	showVersion := fs.Bool("version", false, "print the version")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout)
			return 0
		}
		fmt.Fprintf(stderr, "Error: %v\n\n", err)
		printUsage(stderr)
		return 2
	}
	if *showVersion {
		fmt.Fprintln(stdout, "allot", versionString())
		return 0
	}
	rest := fs.Args()
	if len(rest) == 0 {
		printUsage(stderr)
		return 2
	}
	if rest[0] == "help" {
		if len(rest) > 1 {
			rest = []string{rest[1], "--help"}
		} else {
			printUsage(stdout)
			return 0
		}
	}
	if rest[0] == "version" {
		fmt.Fprintln(stdout, "allot", versionString())
		return 0
	}
	interactive := isTerminal(stderr)
	log, err := newLogger(stderr, *logFormat, *logLevel, interactive)
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return 2
	}
	a := &app{stdout: stdout, stderr: stderr, log: log, interactive: interactive, now: time.Now, http: &http.Client{Timeout: 60 * time.Second}}
	for _, c := range commands() {
		if c.name != rest[0] {
			continue
		}
		err := c.run(ctx, a, rest[1:])
		return a.exit(err, c.name)
	}
	fmt.Fprintf(stderr, "Error: unknown command %q\n\n", rest[0])
	printUsage(stderr)
	return 2
}

func (a *app) exit(err error, cmd string) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(a.stderr, "Error: %s\n", ue.msg)
		if ue.try != "" {
			fmt.Fprintf(a.stderr, "Try: %s\n", ue.try)
		}
		fmt.Fprintf(a.stderr, "See: allot %s --help\n", cmd)
		return 2
	}
	fmt.Fprintf(a.stderr, "Error: %v\n", err)
	var he *hintError
	if errors.As(err, &he) && he.try != "" {
		fmt.Fprintf(a.stderr, "Try: %s\n", he.try)
	}
	return 1
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func newLogger(w io.Writer, format, level string, interactive bool) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	if format == "" {
		format = "json"
		if interactive {
			format = "text"
		}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

// newFlags returns a flag set whose --help prints usage, a description and
// the flags, and whose errors are usage errors.
func newFlags(a *app, name, usage, description string) *flag.FlagSet {
	fs := flag.NewFlagSet("allot "+name, flag.ContinueOnError)
	fs.SetOutput(a.stdout)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: allot %s %s\n\n%s\nFlags:\n", name, usage, strings.TrimSpace(description)+"\n")
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, turning mistakes into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
		return flag.ErrHelp
	}
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	return nil
}

// env builds the pipeline's environment: storage schemes and source kinds,
// registered explicitly, and progress on a terminal.
func (a *app) env() pipeline.Env {
	e := pipeline.Env{Store: newStoreMux(), Sources: newSourceMux(), Logger: a.log}
	if a.interactive {
		e.Progress = func(source string) func(int64) {
			bar := progressbar.NewOptions64(-1, progressbar.OptionSetWriter(a.stderr), progressbar.OptionSetDescription("reading "+source),
				progressbar.OptionShowCount(), progressbar.OptionSpinnerType(14), progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish())
			return func(n int64) {
				if n < 0 {
					bar.Finish()
					return
				}
				bar.Add64(n)
			}
		}
	}
	return e
}

// loadConfig loads and validates a configuration file.
func loadConfig(path string) (*rules.Config, error) {
	if path == "" {
		return nil, &usageError{msg: "--config is required", try: "allot validate --config allot.yaml"}
	}
	cfg, err := rules.LoadFile(path)
	if err != nil {
		return nil, err
	}
	return cfg, nil
}
