package gateway_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/connectortest"
	"github.com/allot-dev/allot/connectors/gateway"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var (
	oct = cost.Period{Year: 2026, Month: time.October}
	jan = cost.Period{Year: 2027, Month: time.January}
)

func openURL(t testing.TB, url string) *connectors.Source {
	t.Helper()
	var store objstore.Mux
	store.Register(fileblob.Scheme, fileblob.OpenURL)
	var mux connectors.Mux
	mux.Register(connectors.KindGateway, gateway.Open)
	src, err := mux.Open(context.Background(), connectors.Env{Store: &store},
		connectors.Config{Name: "gateway", Kind: connectors.KindGateway, URL: url})
	if err != nil {
		t.Fatalf("Open(%s): %v", url, err)
	}
	return src
}

// Totals computed with Python's json, gzip and csv modules over the raw
// files (timestamps normalized to UTC, request ids counted once), and by
// hand: JSON lines 8 records / 298 actions, CSV 4 records / 123 actions.
func TestConformanceJSONLines(t *testing.T) {
	connectortest.Run(t, connectortest.Case{
		Open:        func(t *testing.T) *connectors.Source { return openURL(t, "file:testdata/jsonl") },
		Period:      oct,
		EmptyPeriod: jan,
		WantLines:   8,
		WantActions: 298,
	})
}

func TestConformanceCSV(t *testing.T) {
	connectortest.Run(t, connectortest.Case{
		Open:        func(t *testing.T) *connectors.Source { return openURL(t, "file:testdata/csv/usage.csv") },
		Period:      oct,
		EmptyPeriod: jan,
		WantLines:   4,
		WantActions: 123,
	})
}

func scanAll(t testing.TB, path string) ([]cost.UsageRecord, error) {
	t.Helper()
	dir, prefix := path, ""
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		dir, prefix = filepath.Dir(path), filepath.Base(path)
	}
	var out []cost.UsageRecord
	err := gateway.New(fileblob.New(dir), prefix).ScanUsage(context.Background(), oct, func(u *cost.UsageRecord) error {
		out = append(out, *u)
		return nil
	})
	return out, err
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestRecordsAsWritten(t *testing.T) {
	recs, err := scanAll(t, "testdata/jsonl")
	if err != nil {
		t.Fatal(err)
	}
	// The driver yields every record: 9 in a.jsonl (one blank line), 3 in b.
	if len(recs) != 12 {
		t.Fatalf("%d records, want 12", len(recs))
	}
	a := "file:testdata/jsonl/2026-10-a.jsonl"
	want := map[int]cost.UsageRecord{
		1: {Timestamp: ts("2026-10-01T08:00:01Z"), Team: "search", ActionClass: "chat_call", Model: "anthropic.claude-3-5-sonnet",
			InputTokens: 900, OutputTokens: 150, RequestID: "req-2", AgentRunID: "run-7", Source: cost.Provenance{Object: a, Line: 2}},
		3: {Timestamp: ts("2026-10-01T22:00:00Z"), Team: "support", ActionClass: "retrieval_call", Model: "text-embedding-3-large",
			InputTokens: 5000, RequestID: "req-3", Source: cost.Provenance{Object: a, Line: 5}},
		4: {Timestamp: ts("2026-10-15T00:00:00Z"), Team: "support", ActionClass: "chat_call", Model: "gpt-5-mini",
			InputTokens: 250000, OutputTokens: 50000, Count: 250, Source: cost.Provenance{Object: a, Line: 6}},
		5: {Timestamp: ts("2026-10-20T10:00:00Z"), Team: "platform", ActionClass: "eval_run", EvalScope: "baseline", Model: "gemini-2.5-pro",
			InputTokens: 10000, OutputTokens: 2000, Count: 40, Source: cost.Provenance{Object: a, Line: 7}},
		11: {Timestamp: ts("2026-10-05T12:00:01Z"), Team: "search", ActionClass: "agent_step", RequestID: "req-6", Count: 3, InputTokens: 30,
			Source: cost.Provenance{Object: "file:testdata/jsonl/2026-10-b.ndjson.gz", Line: 3}},
	}
	for i, w := range want {
		if diff := cmp.Diff(w, recs[i]); diff != "" {
			t.Errorf("record %d (-want +got):\n%s", i, diff)
		}
	}
}

func TestCSVRecords(t *testing.T) {
	recs, err := scanAll(t, "testdata/csv/usage.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 6 {
		t.Fatalf("%d records, want 6", len(recs))
	}
	if got := recs[2]; got.Team != "support" || got.EvalScope != "none" || got.InputTokens != 4000 || got.Source.Line != 4 {
		t.Errorf("record 2 = %+v, want team trimmed, scope none, 4000 tokens, line 4", got)
	}
	if got := recs[5]; got.InputTokens != 0 || got.OutputTokens != 0 || got.AgentRunID != "run-1" {
		t.Errorf("record 5 = %+v, want NULL tokens read as 0", got)
	}
}

func TestBadRecords(t *testing.T) {
	ok := `{"timestamp":"2026-10-01T00:00:00Z","team":"a"}`
	tests := []struct {
		name, file, content string
		line                int64
		field               string
		sentinel            error
		yielded             int
	}{
		{"bad JSON", "u.jsonl", ok + "\n{\"timestamp\":\n", 2, "", gateway.ErrBadRecord, 1},
		{"JSON array file", "u.json", "[" + ok + "]\n", 1, "", gateway.ErrBadRecord, 0},
		{"two objects on a line", "u.jsonl", ok + ok + "\n", 1, "", gateway.ErrBadRecord, 0},
		{"missing timestamp", "u.jsonl", ok + "\n\n{\"team\":\"a\"}\n", 3, "timestamp", gateway.ErrMissingField, 1},
		{"null timestamp", "u.jsonl", `{"timestamp":null}` + "\n", 1, "timestamp", gateway.ErrMissingField, 0},
		{"timestamp without zone", "u.jsonl", `{"timestamp":"2026-10-01T00:00:00"}` + "\n", 1, "timestamp", gateway.ErrBadValue, 0},
		{"month-first timestamp", "u.jsonl", `{"timestamp":"10/01/2026"}` + "\n", 1, "timestamp", gateway.ErrBadValue, 0},
		{"epoch number timestamp", "u.jsonl", `{"timestamp":1790000000}` + "\n", 1, "timestamp", gateway.ErrBadValue, 0},
		{"negative tokens", "u.jsonl", `{"timestamp":"2026-10-01T00:00:00Z","gen_ai.usage.input_tokens":-3}` + "\n", 1, "gen_ai.usage.input_tokens", gateway.ErrBadValue, 0},
		{"fractional tokens", "u.jsonl", `{"timestamp":"2026-10-01T00:00:00Z","gen_ai":{"usage":{"output_tokens":2.5}}}` + "\n", 1, "gen_ai.usage.output_tokens", gateway.ErrBadValue, 0},
		{"token words", "u.jsonl", `{"timestamp":"2026-10-01T00:00:00Z","gen_ai.usage.input_tokens":"many"}` + "\n", 1, "gen_ai.usage.input_tokens", gateway.ErrBadValue, 0},
		{"count zero", "u.jsonl", `{"timestamp":"2026-10-01T00:00:00Z","count":0}` + "\n", 1, "count", gateway.ErrBadValue, 0},
		{"count fraction", "u.jsonl", `{"timestamp":"2026-10-01T00:00:00Z","count":"1.5"}` + "\n", 1, "count", gateway.ErrBadValue, 0},
		{"count negative", "u.jsonl", `{"timestamp":"2026-10-01T00:00:00Z","count":-2}` + "\n", 1, "count", gateway.ErrBadValue, 0},
		{"unknown eval scope", "u.jsonl", `{"timestamp":"2026-10-01T00:00:00Z","eval_scope":"team"}` + "\n", 1, "eval_scope", gateway.ErrBadValue, 0},
		{"field flat and nested", "u.jsonl", `{"timestamp":"2026-10-01T00:00:00Z","gen_ai.usage.input_tokens":1,"gen_ai":{"usage":{"input_tokens":2}}}` + "\n", 1, "gen_ai.usage.input_tokens", gateway.ErrBadRecord, 0},
		{"text after the object", "u.jsonl", ok + ` x` + "\n", 1, "", gateway.ErrBadRecord, 0},
		{"bad JSON in skipped metadata", "u.jsonl", ok + "\n" + `{"timestamp":"2026-10-01T00:00:00Z","metadata":{"a":[tru]}}` + "\n", 2, "", gateway.ErrBadRecord, 1},
		{"array for a value", "u.jsonl", `{"timestamp":"2026-10-01T00:00:00Z","gen_ai":{"request":{"model":["a"]}}}` + "\n", 1, "gen_ai.request.model", gateway.ErrBadValue, 0},
		{"repeated field", "u.jsonl", `{"timestamp":"2026-10-01T00:00:00Z","team":"a","Team":"b"}` + "\n", 1, "team", gateway.ErrBadRecord, 0},
		{"null after the field", "u.jsonl", `{"timestamp":"2026-10-01T00:00:00Z","team":"a","team":null}` + "\n", 1, "team", gateway.ErrBadRecord, 0},
		{"object for a value", "u.jsonl", `{"timestamp":"2026-10-01T00:00:00Z","team":{"id":"a"}}` + "\n", 1, "team", gateway.ErrBadValue, 0},
		{"CSV without timestamp column", "u.csv", "team,count\na,1\n", 1, "timestamp", gateway.ErrMissingField, 0},
		{"CSV empty timestamp", "u.csv", "timestamp,team\n2026-10-01T00:00:00Z,a\n,b\n", 3, "timestamp", gateway.ErrMissingField, 1},
		{"CSV wrong field count", "u.csv", "timestamp,team\n2026-10-01T00:00:00Z\n", 2, "", gateway.ErrBadFile, 0},
		{"CSV count zero", "u.csv", "timestamp,count\n2026-10-01T00:00:00Z,0\n", 2, "count", gateway.ErrBadValue, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), tc.file)
			os.WriteFile(p, []byte(tc.content), 0o644)
			recs, err := scanAll(t, p)
			var re *connectors.RowError
			if !errors.As(err, &re) {
				t.Fatalf("error = %v, want a *connectors.RowError", err)
			}
			if !errors.Is(err, tc.sentinel) || !errors.Is(err, connectors.ErrBadInput) {
				t.Errorf("error = %v, want %v and connectors.ErrBadInput", err, tc.sentinel)
			}
			if re.Line != tc.line || re.Column != tc.field || !strings.HasSuffix(re.Object, "/"+tc.file) {
				t.Errorf("RowError %s line %d field %q, want %s line %d field %q (%v)", re.Object, re.Line, re.Column, tc.file, tc.line, tc.field, err)
			}
			if len(recs) != tc.yielded {
				t.Errorf("%d records before the error, want %d", len(recs), tc.yielded)
			}
		})
	}
}

func TestAcceptedForms(t *testing.T) {
	base := cost.UsageRecord{Timestamp: ts("2026-10-01T10:00:00Z")}
	tests := []struct {
		name, content string
		want          cost.UsageRecord
	}{
		{"offset converted to UTC", `{"timestamp":"2026-10-01T12:00:00+02:00"}`, base},
		{"space separator", `{"timestamp":"2026-10-01 10:00:00Z"}`, base},
		{"upper-case keys", `{"TIMESTAMP":"2026-10-01T10:00:00Z","Team":"x"}`, cost.UsageRecord{Timestamp: base.Timestamp, Team: "x"}},
		{"numbers as strings", `{"timestamp":"2026-10-01T10:00:00Z","gen_ai.usage.input_tokens":" 12 ","count":"2"}`,
			cost.UsageRecord{Timestamp: base.Timestamp, InputTokens: 12, Count: 2}},
		{"null fields absent", `{"timestamp":"2026-10-01T10:00:00Z","team":null,"count":null}`, base},
		{"unknown nested fields", `{"timestamp":"2026-10-01T10:00:00Z","gen_ai":{"system":"openai","response":{"id":"x"}},"tags":[{"a":1}]}`, base},
		{"whitespace trimmed", `{"timestamp":" 2026-10-01T10:00:00Z ","action_class":" chat_call "}`,
			cost.UsageRecord{Timestamp: base.Timestamp, ActionClass: "chat_call"}},
		{"nested keys in any case", `{"timestamp":"2026-10-01T10:00:00Z","GEN_AI":{"Usage":{"input_tokens":5},"request":{"model":"m"}}}`,
			cost.UsageRecord{Timestamp: base.Timestamp, InputTokens: 5, Model: "m"}},
		{"metadata skipped", `{"metadata":{"team":"no","tags":["a",{"b":[1,2]}],"n":1e3},"timestamp":"2026-10-01T10:00:00Z","team":"yes","x":true}`,
			cost.UsageRecord{Timestamp: base.Timestamp, Team: "yes"}},
		{"escaped strings and exact numbers", `{"timestamp":"2026-10-01T10:00:00Z","team":"s\u00e9arch \"a\"","count":12345678901234,"agent_run_id":"r\/1"}`,
			cost.UsageRecord{Timestamp: base.Timestamp, Team: "séarch \"a\"", Count: 12345678901234, AgentRunID: "r/1"}},
		{"repeated unknown keys", `{"timestamp":"2026-10-01T10:00:00Z","x":1,"x":2}`, base},
		{"invalid UTF-8 replaced", "{\"timestamp\":\"2026-10-01T10:00:00Z\",\"team\":\"a\xffb\"}",
			cost.UsageRecord{Timestamp: base.Timestamp, Team: "a\uFFFDb"}},
		{"invalid UTF-8 in a key", "{\"timestamp\":\"2026-10-01T10:00:00Z\",\"te\xffam\":\"x\"}", base},
		{"CRLF and BOM", "\uFEFF" + `{"timestamp":"2026-10-01T10:00:00Z"}` + "\r", base},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "u.jsonl")
			os.WriteFile(p, []byte(tc.content+"\n"), 0o644)
			recs, err := scanAll(t, p)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, recs[0], cmpopts.IgnoreFields(cost.UsageRecord{}, "Source")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestInputs(t *testing.T) {
	src := openURL(t, "file:testdata/jsonl")
	in, err := src.Inputs(context.Background(), oct)
	if err != nil {
		t.Fatal(err)
	}
	if len(in) != 2 || !strings.HasSuffix(in[0].Object, "2026-10-a.jsonl") || !strings.HasSuffix(in[1].Object, "2026-10-b.ndjson.gz") {
		t.Fatalf("inputs = %+v, want a.jsonl and b.ndjson.gz (notes.txt ignored)", in)
	}
	// sha256sum testdata/jsonl/2026-10-a.jsonl
	if want := "sha256:" + jsonlASHA256; in[0].Fingerprint != want {
		t.Errorf("fingerprint %s, want %s", in[0].Fingerprint, want)
	}
	if _, err := src.Inputs(context.Background(), jan); !errors.Is(err, connectors.ErrNotFound) {
		t.Errorf("Inputs(%s) = %v, want ErrNotFound", jan, err)
	}
}

func TestOpenRejectsOptions(t *testing.T) {
	var store objstore.Mux
	store.Register(fileblob.Scheme, fileblob.OpenURL)
	_, err := gateway.Open(context.Background(), connectors.Env{Store: &store},
		connectors.Config{URL: "file:testdata/jsonl", Options: map[string]string{"format": "csv"}})
	if !errors.Is(err, gateway.ErrUnknownOption) {
		t.Fatalf("error = %v, want ErrUnknownOption", err)
	}
}

func TestEmptyFolderNotFound(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "readme.md"), []byte("x"), 0o644)
	_, err := scanAll(t, dir)
	if !errors.Is(err, connectors.ErrNotFound) {
		t.Fatalf("error = %v, want ErrNotFound", err)
	}
}

// jsonlASHA256 is sha256sum testdata/jsonl/2026-10-a.jsonl.
const jsonlASHA256 = "5b255111d2c800600717956abb7377b7e05dd38c444d7d60129d756bf0109c30"

// FuzzJSONLines feeds arbitrary lines to the JSON lines reader: it must
// never panic, and whatever it rejects it rejects as bad input naming the
// file and a line of it.
func FuzzJSONLines(f *testing.F) {
	for _, s := range []string{
		`{"timestamp":"2026-10-01T00:00:00Z","team":"a","gen_ai":{"usage":{"input_tokens":3}},"metadata":{"x":[1,{"y":null}]}}`,
		`{"timestamp":"2026-10-01T00:00:00Z","count":"2","GEN_AI.usage.output_tokens":1e3}`,
		`[1,2]`, `{"timestamp":`, `{"a":"\ud800"}`, "{\"team\":\"\xff\"}", `{} {}`, `{"gen_ai":{"usage":[]}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		checkScan(t, "u.jsonl", content)
	})
}

// FuzzCSV is FuzzJSONLines for the CSV form: arbitrary content never
// panics, and whatever it rejects it rejects as bad input naming the file
// and a line of it.
func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"timestamp,team,action_class,count\n2026-10-01T00:00:00Z,search,chat_call,2\n",
		"timestamp,team\n2026-10-01T00:00:00Z,\"a\n",
		"\"ti\"mestamp,team\n", "timestamp\n\"", "timestamp,count\n2026-10-01,x\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		checkScan(t, "u.csv", content)
	})
}

// checkScan scans content as a file named name: the records it accepts
// have a timestamp and a line, and what it rejects it rejects as bad input
// naming the file and a line of it.
func checkScan(t *testing.T, name, content string) {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	recs, err := scanAll(t, p)
	if err == nil || errors.Is(err, connectors.ErrNotFound) {
		for _, r := range recs {
			if r.Timestamp.IsZero() || r.Source.Line < 1 {
				t.Fatalf("record %+v without a timestamp or a line", r)
			}
		}
		return
	}
	var re *connectors.RowError
	if !errors.As(err, &re) || !errors.Is(err, connectors.ErrBadInput) || re.Line < 1 || !strings.HasSuffix(re.Object, "/"+name) {
		t.Fatalf("error %v: want a RowError of bad input with the file and a line", err)
	}
}
