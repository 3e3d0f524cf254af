package main

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/rules"
)

//go:embed all:demodata
var demoData embed.FS

// demoPeriod is the month the bundled data covers.
var demoPeriod = cost.Period{Year: 2026, Month: 10}

const demoHelp = `
Runs a complete month (October 2026) of a sample company on bundled data:
three teams (search, support and the AI platform team), a FOCUS export of
AWS Bedrock, Azure OpenAI and Vertex AI cost, and the inference gateway's
usage records with all four action classes. The month includes a burst
(search draws on the buffer fund), platform-owned eval and registry cost,
an unregistered team on the gateway and untagged or mistagged bill lines
(the tagging gaps). No configuration and no credentials are needed.

It writes the inputs to DIR/input (edit them and rerun with allot run), a
fresh SQLite ledger beside them, the reports to DIR and the journal batch to
DIR/journals, as the configured output.

Examples:
  allot demo
  allot demo --out /tmp/demo --model finops
`

var modelLine = regexp.MustCompile(`(?m)^model: \w+`)

func runDemo(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "demo", "[--out DIR] [--model platform|finops|it]", demoHelp)
	out := fs.String("out", "allot-demo", "folder for the inputs, reports and journals")
	model := fs.String("model", "platform", "operating model: platform, finops or it")
	if err := parse(fs, args); err != nil {
		return err
	}
	if _, ok := cost.ParseModel(*model); !ok {
		return &usageError{msg: fmt.Sprintf("--model %q: want platform, finops or it", *model)}
	}
	input := filepath.Join(*out, "input")
	if err := writeDemoInputs(input, *model); err != nil {
		return err
	}
	cfgPath := filepath.Join(input, "allot.yaml")
	cfg, err := rules.LoadFile(cfgPath)
	if err != nil {
		return fmt.Errorf("demo: the bundled configuration does not load (a bug): %w", err)
	}
	fmt.Fprintf(a.stdout, "allot demo: %s model on Acme's %s; inputs in %s\n\n", *model, demoPeriod, input)
	return runPeriod(ctx, a, cfg, demoPeriod, *out)
}

// writeDemoInputs copies the bundled inputs to dir, sets the model and
// starts a fresh ledger, so the demo is the same month every time.
func writeDemoInputs(dir, model string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	err := fs.WalkDir(demoData, "demodata", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("demodata", path)
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := demoData.ReadFile(path)
		if err != nil {
			return err
		}
		if rel == "allot.yaml" {
			b = modelLine.ReplaceAll(b, []byte("model: "+model))
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		return fmt.Errorf("demo: writing inputs: %w", err)
	}
	return nil
}
