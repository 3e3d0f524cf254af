package gcpbq

// This file is the test double of the BigQuery REST API (v2) the gcpbq
// tests run against: no BigQuery emulator is available. It speaks the
// requests and JSON shapes cloud.google.com/go/bigquery actually sends and
// decodes (read from the client's code, iterator.go, query.go, job.go):
//
//	GET  /projects/P/datasets/D/tables/T   tables.get: schema, timePartitioning, type
//	POST /projects/P/queries                jobs.query: {query, useLegacySql:false, location,
//	                                        requestId, formatOptions{useInt64Timestamp}}
//	GET  /projects/P/queries/JOB            jobs.getQueryResults: maxResults=0 to wait for
//	                                        the job, then pageToken paging
//
// Rows travel as {"f":[{"v":…}]}: scalars are strings (numbers included,
// TIMESTAMP as microseconds since the epoch because the client asks for
// useInt64Timestamp), a RECORD is {"f":[…]}, a REPEATED field is
// [{"v":…},…], NULL is null. A failed job answers getQueryResults with the
// HTTP error BigQuery returns (the job's errorResult). The "/bigquery/v2"
// path prefix of the real endpoint is accepted too. jobs.insert (the
// client's fallback path, unused by gcpbq's configuration) is answered
// with 501 so a change of path shows up as a test failure.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeResult is the canned answer to the query of one invoice month.
type fakeResult struct {
	schema     []field // result schema, in SELECT order
	rows       [][]any // REST cells, one slice per row
	pageSize   int     // rows per page (the first page rides on the jobs.query response)
	incomplete bool    // jobs.query answers jobComplete=false; getQueryResults completes it
	jobError   string  // non-empty: the job fails with this invalidQuery message
}

// field is a schema field in REST form.
type field struct {
	Name   string  `json:"name"`
	Type   string  `json:"type"`
	Mode   string  `json:"mode,omitempty"`
	Fields []field `json:"fields,omitempty"`
}

type fakeBigQuery struct {
	t       *testing.T
	srv     *httptest.Server
	project string
	// tables maps "dataset.table" to its tables.get answer.
	tables map[string]map[string]any
	// wantSQL maps an invoice month (YYYYMM) to the exact SQL expected.
	wantSQL map[string]string
	results map[string]*fakeResult

	mu    sync.Mutex
	calls []string
	jobs  map[string]*fakeResult
	seq   int
}

func newFakeBigQuery(t *testing.T, project string) *fakeBigQuery {
	f := &fakeBigQuery{t: t, project: project, tables: map[string]map[string]any{},
		wantSQL: map[string]string{}, results: map[string]*fakeResult{}, jobs: map[string]*fakeResult{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// URL returns the source URL of table dataset.table on the fake.
func (f *fakeBigQuery) URL(dataset, table string, query ...string) string {
	u := "bigquery://" + f.project + "/" + dataset + "." + table + "?endpoint=" + f.srv.URL
	for _, q := range query {
		u += "&" + q
	}
	return u
}

// Calls returns the API calls seen so far.
func (f *fakeBigQuery) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeBigQuery) record(call string) {
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.mu.Unlock()
}

var (
	tablePath   = regexp.MustCompile(`^/projects/([^/]+)/datasets/([^/]+)/tables/([^/]+)$`)
	queriesPath = regexp.MustCompile(`^/projects/([^/]+)/queries$`)
	resultsPath = regexp.MustCompile(`^/projects/([^/]+)/queries/([^/]+)$`)
	jobsPath    = regexp.MustCompile(`^/projects/([^/]+)/jobs$`)
	monthInSQL  = regexp.MustCompile(`invoice\.month = '(\d{6})'`)
)

func (f *fakeBigQuery) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/bigquery/v2")
	switch {
	case r.Method == http.MethodGet && tablePath.MatchString(path):
		m := tablePath.FindStringSubmatch(path)
		f.record("tables.get " + m[2] + "." + m[3])
		tb, ok := f.tables[m[2]+"."+m[3]]
		if !ok || m[1] != f.project {
			apiError(w, http.StatusNotFound, "notFound", "Not found: Table "+m[1]+":"+m[2]+"."+m[3])
			return
		}
		writeJSON(w, tb)
	case r.Method == http.MethodPost && queriesPath.MatchString(path):
		f.query(w, r, queriesPath.FindStringSubmatch(path)[1])
	case r.Method == http.MethodGet && resultsPath.MatchString(path):
		f.getQueryResults(w, r, resultsPath.FindStringSubmatch(path)[2])
	case r.Method == http.MethodPost && jobsPath.MatchString(path):
		f.record("jobs.insert")
		apiError(w, http.StatusNotImplemented, "notImplemented", "fake BigQuery: jobs.insert is not implemented (gcpbq uses jobs.query)")
	default:
		f.record(r.Method + " " + path)
		apiError(w, http.StatusNotFound, "notFound", "fake BigQuery: no route for "+r.Method+" "+path)
	}
}

func (f *fakeBigQuery) query(w http.ResponseWriter, r *http.Request, project string) {
	var req struct {
		Query         string `json:"query"`
		UseLegacySQL  *bool  `json:"useLegacySql"`
		Location      string `json:"location"`
		FormatOptions *struct {
			UseInt64Timestamp bool `json:"useInt64Timestamp"`
		} `json:"formatOptions"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, "invalid", "fake BigQuery: bad jobs.query body: "+err.Error())
		return
	}
	m := monthInSQL.FindStringSubmatch(req.Query)
	if m == nil {
		f.t.Errorf("fake BigQuery: query without invoice.month filter:\n%s", req.Query)
		apiError(w, http.StatusBadRequest, "invalidQuery", "fake BigQuery: no invoice.month filter")
		return
	}
	month := m[1]
	f.record("jobs.query " + month + " location=" + req.Location)
	if req.UseLegacySQL == nil || *req.UseLegacySQL || req.FormatOptions == nil || !req.FormatOptions.UseInt64Timestamp {
		f.t.Errorf("fake BigQuery: jobs.query wants standard SQL and int64 timestamps, got %+v", req)
	}
	if want, ok := f.wantSQL[month]; !ok || req.Query != want {
		f.t.Errorf("fake BigQuery: SQL for %s differs from the expected SQL:\ngot:\n%s\nwant:\n%s", month, req.Query, want)
		apiError(w, http.StatusBadRequest, "invalidQuery", "fake BigQuery: unexpected SQL")
		return
	}
	res, ok := f.results[month]
	if !ok {
		res = &fakeResult{}
	}
	f.mu.Lock()
	f.seq++
	jobID := fmt.Sprintf("job_allot_%s_%d", month, f.seq)
	f.jobs[jobID] = res
	f.mu.Unlock()
	resp := map[string]any{
		"kind":         "bigquery#queryResponse",
		"jobReference": map[string]any{"projectId": project, "jobId": jobID, "location": "US"},
		"queryId":      "q-" + jobID,
	}
	if res.incomplete {
		resp["jobComplete"] = false
		writeJSON(w, resp)
		return
	}
	if res.jobError != "" {
		apiError(w, http.StatusBadRequest, "invalidQuery", res.jobError)
		return
	}
	for k, v := range res.page(0) {
		resp[k] = v
	}
	resp["jobComplete"] = true
	writeJSON(w, resp)
}

func (f *fakeBigQuery) getQueryResults(w http.ResponseWriter, r *http.Request, jobID string) {
	q := r.URL.Query()
	f.record("jobs.getQueryResults maxResults=" + q.Get("maxResults") + " pageToken=" + q.Get("pageToken"))
	f.mu.Lock()
	res, ok := f.jobs[jobID]
	f.mu.Unlock()
	if !ok {
		apiError(w, http.StatusNotFound, "notFound", "Not found: Job "+f.project+":US."+jobID)
		return
	}
	if q.Get("formatOptions.useInt64Timestamp") != "true" {
		f.t.Errorf("fake BigQuery: getQueryResults without formatOptions.useInt64Timestamp=true: %s", r.URL.RawQuery)
	}
	if res.jobError != "" {
		// A failed job: BigQuery answers with the job's errorResult.
		apiError(w, http.StatusBadRequest, "invalidQuery", res.jobError)
		return
	}
	resp := map[string]any{
		"kind":         "bigquery#getQueryResultsResponse",
		"jobReference": map[string]any{"projectId": f.project, "jobId": jobID, "location": "US"},
		"jobComplete":  true,
	}
	if q.Get("maxResults") == "0" {
		resp["schema"] = map[string]any{"fields": res.schema}
		resp["totalRows"] = strconv.Itoa(len(res.rows))
		writeJSON(w, resp)
		return
	}
	page := 0
	if tok := q.Get("pageToken"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "page-"))
		if err != nil || !strings.HasPrefix(tok, "page-") {
			apiError(w, http.StatusBadRequest, "invalid", "fake BigQuery: bad page token "+tok)
			return
		}
		page = n
	}
	for k, v := range res.page(page) {
		resp[k] = v
	}
	writeJSON(w, resp)
}

// page returns schema, rows, totalRows and the next page token of page i.
func (res *fakeResult) page(i int) map[string]any {
	size := res.pageSize
	if size <= 0 {
		size = len(res.rows) + 1
	}
	lo := min(i*size, len(res.rows))
	hi := min(lo+size, len(res.rows))
	rows := make([]any, 0, hi-lo)
	for _, cells := range res.rows[lo:hi] {
		f := make([]any, len(cells))
		for j, c := range cells {
			f[j] = map[string]any{"v": c}
		}
		rows = append(rows, map[string]any{"f": f})
	}
	out := map[string]any{
		"schema":    map[string]any{"fields": res.schema},
		"rows":      rows,
		"totalRows": strconv.Itoa(len(res.rows)),
	}
	if hi < len(res.rows) {
		out["pageToken"] = fmt.Sprintf("page-%d", i+1)
	}
	return out
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	json.NewEncoder(w).Encode(v)
}

// apiError writes a Google API error body, as BigQuery does.
func apiError(w http.ResponseWriter, code int, reason, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": code, "message": msg, "status": http.StatusText(code),
		"errors": []any{map[string]any{"message": msg, "domain": "global", "reason": reason}},
	}})
}

// REST cell values.

// vStr is a STRING cell; "" is NULL.
func vStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// vNum is a NUMERIC or BIGNUMERIC cell (a decimal string); "" is NULL.
func vNum(s string) any { return vStr(s) }

func vInt(n int64) any { return strconv.FormatInt(n, 10) }

func vTime(t time.Time) any { return strconv.FormatInt(t.UnixMicro(), 10) }

func vBool(b bool) any { return strconv.FormatBool(b) }

// vRecord is a RECORD cell.
func vRecord(cells ...any) any {
	f := make([]any, len(cells))
	for i, c := range cells {
		f[i] = map[string]any{"v": c}
	}
	return map[string]any{"f": f}
}

// vRepeated is a REPEATED cell.
func vRepeated(elems ...any) any {
	out := make([]any, len(elems))
	for i, e := range elems {
		out[i] = map[string]any{"v": e}
	}
	return out
}

// Schemas.

func fStr(name string) field   { return field{Name: name, Type: "STRING", Mode: "NULLABLE"} }
func fFloat(name string) field { return field{Name: name, Type: "FLOAT", Mode: "NULLABLE"} }
func fTime(name string) field  { return field{Name: name, Type: "TIMESTAMP", Mode: "NULLABLE"} }
func fRecord(name string, fs ...field) field {
	return field{Name: name, Type: "RECORD", Mode: "NULLABLE", Fields: fs}
}
func fRepeated(name string, fs ...field) field {
	return field{Name: name, Type: "RECORD", Mode: "REPEATED", Fields: fs}
}

var (
	kvFields  = []field{fStr("key"), fStr("value")}
	tagFields = []field{fStr("key"), fStr("value"), {Name: "inherited", Type: "BOOLEAN", Mode: "NULLABLE"}, fStr("namespace")}
)

// exportSchema is the schema of a Cloud Billing export table (FORMATS §2.2,
// RCDV dumps): detailed adds resource and price.
func exportSchema(detailed, withTags bool) []field {
	fs := []field{
		fStr("billing_account_id"),
		fRecord("service", fStr("id"), fStr("description")),
		fRecord("sku", fStr("id"), fStr("description")),
		fTime("usage_start_time"), fTime("usage_end_time"),
		fRecord("project", fStr("id"), fStr("number"), fStr("name"), fRepeated("labels", kvFields...),
			fStr("ancestry_numbers"), fRepeated("ancestors", fStr("resource_name"), fStr("display_name"))),
		fRepeated("labels", kvFields...),
		fRepeated("system_labels", kvFields...),
		fRecord("location", fStr("location"), fStr("country"), fStr("region"), fStr("zone")),
	}
	if detailed {
		fs = append(fs, fRecord("resource", fStr("name"), fStr("global_name")))
	}
	if withTags {
		fs = append(fs, fRepeated("tags", tagFields...))
	}
	fs = append(fs, fTime("export_time"), fFloat("cost"), fStr("currency"), fFloat("currency_conversion_rate"),
		fRecord("usage", fFloat("amount"), fStr("unit"), fFloat("amount_in_pricing_units"), fStr("pricing_unit")),
		fRepeated("credits", fStr("name"), fFloat("amount"), fStr("full_name"), fStr("id"), fStr("type")),
		fRecord("invoice", fStr("month"), fStr("publisher_type")),
		fStr("cost_type"),
		fRecord("adjustment_info", fStr("id"), fStr("description"), fStr("mode"), fStr("type")),
		fFloat("cost_at_list"), fStr("transaction_type"), fStr("seller_name"))
	if detailed {
		fs = append(fs, fRecord("price", field{Name: "effective_price", Type: "NUMERIC"}, field{Name: "tier_start_amount", Type: "NUMERIC"},
			fStr("unit"), field{Name: "pricing_unit_quantity", Type: "NUMERIC"}))
	}
	return fs
}

// tableResource is a tables.get answer for an ingestion-time partitioned table.
func tableResource(project, dataset, table string, schema []field) map[string]any {
	return map[string]any{
		"kind":             "bigquery#table",
		"id":               project + ":" + dataset + "." + table,
		"tableReference":   map[string]any{"projectId": project, "datasetId": dataset, "tableId": table},
		"schema":           map[string]any{"fields": schema},
		"timePartitioning": map[string]any{"type": "DAY"},
		"type":             "TABLE",
		"numRows":          "123456",
	}
}
