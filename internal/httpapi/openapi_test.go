package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
	_ "time/tzdata"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/commitments"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/health"
	"github.com/tanggap-id/tanggap/internal/httpapi"
	"github.com/tanggap-id/tanggap/internal/httpapi/openapi"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/jobs"
	"github.com/tanggap-id/tanggap/internal/metrics"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
	"github.com/tanggap-id/tanggap/internal/workspace"
)

// fullAPI is the router with every /api/v1 service wired on real services
// (SQLite), as serve builds it.
type fullAPI struct {
	engine  *gin.Engine
	metrics *metrics.Service
	jobs    *jobs.Runner
	spbeN   int // indicators of the SPBE framework in force
	admin   string
	bandung string // agency token of Kota Bandung (32.73)
	reader  string
}

// newFullAPI builds it; seed loads the agency catalogue and the published
// SPBE results (the route listing needs neither).
func newFullAPI(t *testing.T, seed bool) *fullAPI {
	t.Helper()
	ctx := context.Background()
	st := storetest.SQLite(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := audit.NewRecorder(st, log, time.Now)
	acc := access.NewService(st, rec, time.Now)
	ag := agencies.NewService(st, acc, rec)
	fws, err := spbeindex.EmbeddedFrameworks()
	require.NoError(t, err)
	sp := spbeindex.NewService(st, acc, rec, ag, fws, time.Now)
	if seed {
		_, err = ag.LoadCatalog(ctx, access.CLI())
		require.NoError(t, err)
		_, err = sp.LoadPublishedResults(ctx, access.CLI())
		require.NoError(t, err)
	}
	cm := commitments.NewService(st, acc, rec, ag, commitments.Options{Log: log}).WithSources(nil, commitments.SPBEIndex{History: sp})
	cals := clocks.NewCalendars(st, log, time.Now)
	pols := clocks.NewPolicies(st, acc, rec, time.Now)
	ck := clocks.NewService(st, cals, pols, rec, log, time.Now)
	m := metrics.NewService(st, log, time.Now, 10)
	ck.OnClocksReplaced = m.MarkComplaints
	ing := ingest.NewService(st, acc, rec, ingest.Options{DataDir: t.TempDir(), Log: log, AfterCommit: func(ctx context.Context) {
		ck.AfterIngest(ctx)
		m.AfterChange(ctx)
	}})
	t.Cleanup(ing.StartWorker(ctx))
	ws := workspace.NewService(st, rec, ck, workspace.Options{Log: log}).WithCommitments(cm)
	reg := jobs.NewRegistry()
	reg.Add(jobs.Job{Name: "noop", Schedule: "0 3 * * *", Description: "does nothing (test)",
		Run: func(context.Context, time.Time) (jobs.Counts, error) { return jobs.Counts{"things": 1}, nil }})
	runner, err := jobs.NewRunner(st, reg, jobs.Options{Replica: "openapi-test", Log: log})
	require.NoError(t, err)
	t.Cleanup(func() { _ = runner.Stop(context.Background()) })

	engine, err := httpapi.NewRouter(httpapi.Deps{Log: log, Store: st, Access: acc, Agencies: ag, SPBE: sp, Ingest: ing,
		Clocks: ck, Policies: pols, Rollups: m, Commitments: cm, Jobs: runner, Workspace: ws,
		Health: health.NewChecker(st), MaxBodyBytes: 64 << 10, MaxUploadBytes: 8 << 20})
	require.NoError(t, err)
	if !seed {
		return &fullAPI{engine: engine}
	}
	tok := func(role access.Role, agency string) string {
		s, _, err := acc.CreateToken(ctx, access.CLI(), access.NewToken{Name: "openapi-" + string(role) + agency, Role: role, AgencyCode: agency})
		require.NoError(t, err)
		return s
	}
	return &fullAPI{engine: engine, metrics: m, jobs: runner, spbeN: len(fws[0].Framework.Indicators),
		admin: tok(access.RoleAdmin, ""), bandung: tok(access.RoleAgency, "32.73"), reader: tok(access.RoleReader, "")}
}

// specPath turns a gin route into the document's template: /api/v1 off,
// :param and *param → {param}.
func specPath(route string) string {
	segs := strings.Split(strings.TrimPrefix(route, openapi.BasePath), "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	s, err := openapi.Load()
	require.NoError(t, err, "the embedded document must parse and validate")
	return s.Doc()
}

func TestOpenAPICoversEveryRoute(t *testing.T) {
	doc := loadSpec(t)
	api := newFullAPI(t, false)

	registered := map[string]bool{}
	for _, r := range api.engine.Routes() {
		if r.Path == openapi.BasePath || strings.HasPrefix(r.Path, openapi.BasePath+"/") {
			registered[r.Method+" "+specPath(r.Path)] = true
		}
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	var missing, stale []string
	for k := range registered {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !registered[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	require.Empty(t, missing, "registered /api/v1 routes missing from openapi.yaml")
	require.Empty(t, stale, "openapi.yaml names routes the router does not have")
	require.Greater(t, len(registered), 50, "the full router was built")
}

func TestSpecPath(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/api/v1/agencies", "/agencies"},
		{"/api/v1/complaints/:source/:tracking_id", "/complaints/{source}/{tracking_id}"},
		{"/api/v1/imports/:id/rejections.csv", "/imports/{id}/rejections.csv"},
		{"/api/v1/files/*path", "/files/{path}"},
	} {
		t.Run(c.in, func(t *testing.T) { require.Equal(t, c.want, specPath(c.in)) })
	}
}

// validator sends real requests and checks each answer against the
// operation the document gives for its method and path.
type validator struct {
	t      *testing.T // the test that built it (for route lookups)
	doc    *openapi3.T
	engine *gin.Engine
	routes []specRoute
	// seen lists the statuses exercised per operation ("GET /agencies").
	seen map[string][]int
}

type specRoute struct {
	key     string // "GET /agencies/{code}"
	method  string
	path    string
	re      *regexp.Regexp
	params  []string
	item    *openapi3.PathItem
	op      *openapi3.Operation
	nParams int
}

var (
	pathParam   = regexp.MustCompile(`\{([^}]+)\}`)
	quotedParam = regexp.MustCompile(`\\\{[^}]+\\\}`)
)

func newValidator(t *testing.T, doc *openapi3.T, engine *gin.Engine) *validator {
	v := &validator{t: t, doc: doc, engine: engine, seen: map[string][]int{}}
	for path, item := range doc.Paths.Map() {
		var names []string
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			names = append(names, m[1])
		}
		// QuoteMeta escapes the braces of {param}: replace their escaped form.
		re := regexp.MustCompile("^" + quotedParam.ReplaceAllString(regexp.QuoteMeta(path), `([^/]+)`) + "$")
		for method, op := range item.Operations() {
			v.routes = append(v.routes, specRoute{key: method + " " + path, method: method, path: path, re: re, params: names,
				item: item, op: op, nParams: len(names)})
		}
	}
	// Static paths win over templates (as in gin): /holidays/versions is
	// not /holidays/{date}.
	sort.Slice(v.routes, func(i, j int) bool { return v.routes[i].nParams < v.routes[j].nParams })
	return v
}

func (v *validator) route(t *testing.T, method, rawPath string) (specRoute, map[string]string) {
	p := strings.TrimPrefix(rawPath, openapi.BasePath)
	for _, r := range v.routes {
		if r.method != method {
			continue
		}
		if m := r.re.FindStringSubmatch(p); m != nil {
			params := map[string]string{}
			for i, n := range r.params {
				params[n], _ = url.PathUnescape(m[i+1])
			}
			return r, params
		}
	}
	t.Fatalf("%s %s: no operation in openapi.yaml", method, rawPath)
	return specRoute{}, nil
}

// request is one call: the body is JSON unless contentType says otherwise.
type request struct {
	method, path, token string
	body                string
	contentType         string
	// checkRequest validates the request itself against the document too
	// (for the well-formed requests, to keep the request schemas honest).
	checkRequest bool
}

func (v *validator) do(t *testing.T, r request, want int) *httptest.ResponseRecorder {
	t.Helper()
	ct := r.contentType
	if ct == "" && r.body != "" {
		ct = "application/json"
	}
	newReq := func() *http.Request {
		var body io.Reader
		if r.body != "" {
			body = strings.NewReader(r.body)
		}
		req := httptest.NewRequest(r.method, r.path, body)
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if r.token != "" {
			req.Header.Set("Authorization", "Bearer "+r.token)
		}
		return req
	}
	sr, params := v.route(t, r.method, strings.SplitN(r.path, "?", 2)[0])
	route := &routers.Route{Spec: v.doc, Path: sr.path, PathItem: sr.item, Method: sr.method, Operation: sr.op}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true}
	if r.checkRequest {
		in := &openapi3filter.RequestValidationInput{Request: newReq(), PathParams: params, Route: route, Options: opts}
		require.NoError(t, openapi3filter.ValidateRequest(context.Background(), in), "%s %s: the request does not match the document", r.method, r.path)
	}
	req := newReq()
	w := httptest.NewRecorder()
	v.engine.ServeHTTP(w, req)
	require.Equal(t, want, w.Code, "%s %s: %s", r.method, r.path, w.Body.String())
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
		Status:                 w.Code, Header: w.Header(), Body: io.NopCloser(bytes.NewReader(w.Body.Bytes())), Options: opts,
	}
	require.NoError(t, openapi3filter.ValidateResponse(context.Background(), in), "%s %s → %d: the response does not match the document\n%s",
		r.method, r.path, w.Code, truncate(w.Body.String(), 2000))
	v.seen[sr.key] = append(v.seen[sr.key], w.Code)
	return w
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var out T
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), w.Body.String())
	return out
}

func init() {
	// The reference page and its stylesheet are text; kin-openapi knows
	// JSON, YAML, CSV and plain text out of the box.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/css", openapi3filter.PlainBodyDecoder)
}

// oaComplaint is one complaint submitted `daysAgo` days ago to Kota
// Bandung, assigned at once and answered the next day when answered.
func oaComplaint(id string, daysAgo int, answered bool, confidential bool) string {
	sub := time.Now().In(time.FixedZone("WIB", 7*3600)).AddDate(0, 0, -daysAgo).Truncate(time.Hour)
	evs := []string{
		fmt.Sprintf(`{"tracking_id":%q,"kind":"submitted","at":%q,"agency_code":"32.73"}`, id, sub.Format(time.RFC3339)),
		fmt.Sprintf(`{"tracking_id":%q,"kind":"assigned","at":%q,"to_agency_code":"32.73"}`, id, sub.Add(time.Hour).Format(time.RFC3339)),
	}
	if answered {
		evs = append(evs, fmt.Sprintf(`{"tracking_id":%q,"kind":"responded","at":%q,"agency_code":"32.73","public_text":"Sudah ditangani"}`,
			id, sub.Add(25*time.Hour).Format(time.RFC3339)))
	}
	return fmt.Sprintf(`{"tracking_id":%q,"report_type":"pengaduan","category":"jalan","channel":"web","submitted_at":%q,"agency_code":"32.73",`+
		`"confidential":%t,"title":"Jalan rusak %s","summary":"Lubang besar","reporter_name":"Pelapor Fiktif","reporter_contact":"0812-0000-0000",`+
		`"events":[%s]}`, id, sub.Format(time.RFC3339), confidential, id, strings.Join(evs, ","))
}

const openapiCommitment = `{"slug":"bandung-spbe","title":"Indeks SPBE Kota Bandung","signed_on":"2024-08-07",
 "signatory_office":"Wali Kota Bandung","lead_agency":"32.73","parties":["32.73"],
 "targets":[{"id":"indeks","metric":"spbe_index","scope":"single","baseline":3.98,"baseline_as_of":"2023-12-31",
  "value":4.5,"direction":"increase","deadline":"2030-12-31"}]}`

// TestOpenAPIResponses calls every documented operation on the full
// router with seeded data and validates each real answer (status, content
// type, body) against the document.
func TestOpenAPIResponses(t *testing.T) {
	doc := loadSpec(t)
	api := newFullAPI(t, true)
	v := newValidator(t, doc, api.engine)
	admin, bandung, reader := api.admin, api.bandung, api.reader
	ok := func(t *testing.T, method, path, token, body string, want int) *httptest.ResponseRecorder {
		t.Helper()
		return v.do(t, request{method: method, path: path, token: token, body: body, checkRequest: true}, want)
	}
	bad := func(t *testing.T, method, path, token, body string, want int) {
		t.Helper()
		v.do(t, request{method: method, path: path, token: token, body: body}, want)
	}

	t.Run("reference", func(t *testing.T) {
		w := ok(t, "GET", "/api/v1/openapi.json", "", "", 200)
		var fromJSON map[string]any
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &fromJSON))
		require.Equal(t, "3.0.3", fromJSON["openapi"])
		_, err := openapi.Parse(w.Body.Bytes())
		require.NoError(t, err, "the served JSON is itself a valid document")
		w = ok(t, "GET", "/api/v1/openapi.yaml", "", "", 200)
		require.Contains(t, w.Body.String(), "openapi: 3.0.3")
		w = ok(t, "GET", "/api/v1/docs", "", "", 200)
		page := w.Body.String()
		require.Contains(t, page, `href="/api/v1/docs.css"`)
		require.Contains(t, page, "/api/v1/complaints/{source}/{tracking_id}")
		require.Contains(t, page, `id="schema-Metrics"`)
		require.NotContains(t, page, "<script", "the page needs no JavaScript")
		require.NotContains(t, page, "style=", "the CSP forbids inline styles")
		w = ok(t, "GET", "/api/v1/docs.css", "", "", 200)
		etag := w.Header().Get("ETag")
		require.NotEmpty(t, etag)
		req := httptest.NewRequest("GET", "/api/v1/docs.css", nil)
		req.Header.Set("If-None-Match", etag)
		w = httptest.NewRecorder()
		api.engine.ServeHTTP(w, req)
		require.Equal(t, http.StatusNotModified, w.Code)
	})

	t.Run("tokens and audit", func(t *testing.T) {
		w := ok(t, "POST", "/api/v1/tokens", admin, `{"name":"ci","role":"reader","expires_in":"90d"}`, 201)
		created := decode[struct{ ID int64 }](t, w)
		ok(t, "GET", "/api/v1/tokens", admin, "", 200)
		bad(t, "GET", "/api/v1/tokens", reader, "", 403)
		bad(t, "POST", "/api/v1/tokens", admin, `{"name":"x","role":"boss"}`, 422)
		ok(t, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.ID), admin, "", 200)
		bad(t, "DELETE", "/api/v1/tokens/999999", admin, "", 404)
		ok(t, "GET", "/api/v1/audit?entity=token", admin, "", 200)
		bad(t, "GET", "/api/v1/audit", reader, "", 403)
	})

	t.Run("agencies", func(t *testing.T) {
		ok(t, "GET", "/api/v1/agencies?parent=32&limit=5", "", "", 200)
		bad(t, "GET", "/api/v1/agencies?limit=0", "", "", 422)
		ok(t, "GET", "/api/v1/agencies/32.73", "", "", 200)
		bad(t, "GET", "/api/v1/agencies/99.99", "", "", 404)
		ok(t, "POST", "/api/v1/agencies", bandung, `{"code":"32.73.UJI","kind":"opd","name":"Dinas Uji","parent_code":"32.73","time_zone":"Asia/Jakarta"}`, 201)
		bad(t, "POST", "/api/v1/agencies", bandung, `{"code":"32.73.UJI","kind":"opd","name":"Dinas Uji","parent_code":"32.73"}`, 409)
		bad(t, "POST", "/api/v1/agencies", bandung, `{"code":"32.04.UJI","kind":"opd","name":"Dinas Uji","parent_code":"32.04"}`, 403)
		bad(t, "POST", "/api/v1/agencies", "", `{"code":"32.73.ANON","kind":"opd","name":"Anon","parent_code":"32.73","time_zone":"Asia/Jakarta"}`, 401)
		bad(t, "POST", "/api/v1/agencies", admin, `{"name":"`+strings.Repeat("x", 70<<10)+`"}`, 413)
		ok(t, "PUT", "/api/v1/agencies/32.73.UJI", bandung, `{"kind":"opd","name":"Dinas Uji Baru","parent_code":"32.73","external_ids":{"lapor":"123"}}`, 200)
	})

	t.Run("complaints and events", func(t *testing.T) {
		ok(t, "POST", "/api/v1/complaints?source=lapor", bandung, oaComplaint("OA-1", 6, false, false), 201)
		ok(t, "POST", "/api/v1/complaints?source=lapor", bandung, oaComplaint("OA-1", 6, false, false), 200)
		bad(t, "POST", "/api/v1/complaints", bandung, `{"tracking_id":"OA-X","report_type":"pengaduan"}`, 422)
		bad(t, "POST", "/api/v1/complaints", bandung, strings.ReplaceAll(oaComplaint("OA-Y", 3, false, false), `"agency_code":"32.73"`, `"agency_code":"32.04"`), 403)
		var batch []string
		for i := range 14 {
			// answered ones give the rates a value; old unanswered ones go overdue
			batch = append(batch, oaComplaint(fmt.Sprintf("OA-B%02d", i), 20+i, i%4 != 0, i == 4))
		}
		w := ok(t, "POST", "/api/v1/complaints/batch?source=lapor", bandung, "["+strings.Join(batch, ",")+"]", 200)
		require.EqualValues(t, 14, decode[struct{ Counts store.ImportCounts }](t, w).Counts.Created, w.Body.String())
		bad(t, "POST", "/api/v1/complaints/batch", bandung, `{"tracking_id":"x"}`, 422)
		responded := time.Now().Add(-2 * time.Hour).Format(time.RFC3339)
		ok(t, "POST", "/api/v1/events?source=lapor", bandung, `{"tracking_id":"OA-1","event_id":"r1","kind":"responded","at":"`+responded+`","agency_code":"32.73"}`, 200)
		bad(t, "POST", "/api/v1/events", "", `{"tracking_id":"OA-1"}`, 401)

		w = ok(t, "GET", "/api/v1/complaints/lapor/OA-1", "", "", 200)
		require.NotContains(t, w.Body.String(), "Pelapor Fiktif")
		w = ok(t, "GET", "/api/v1/complaints/lapor/OA-B04?explain=1", admin, "", 200)
		require.Contains(t, w.Body.String(), `"days"`)
		require.Contains(t, w.Body.String(), `"reporter"`)
		bad(t, "GET", "/api/v1/complaints/lapor/NOPE", "", "", 404)
		bad(t, "GET", "/api/v1/complaints/lapor/OA-1", "tgp_not-a-token", "", 401)
	})

	t.Run("imports", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		require.NoError(t, mw.WriteField("kind", "complaints"))
		fw, err := mw.CreateFormFile("file", "batch.csv")
		require.NoError(t, err)
		sub := time.Now().AddDate(0, 0, -3).Format("2006-01-02 15:04")
		fmt.Fprintf(fw, "tracking_id,report_type,submitted_at,agency_code\nOA-F1,pengaduan,%s,32.73\nOA-F2,pengaduan,%s,99.99\n", sub, sub)
		require.NoError(t, mw.Close())
		w := v.do(t, request{method: "POST", path: "/api/v1/imports", token: bandung, body: buf.String(), contentType: mw.FormDataContentType(), checkRequest: true}, 202)
		job := decode[struct{ ID int64 }](t, w)
		v.do(t, request{method: "POST", path: "/api/v1/imports", token: bandung, body: "x", contentType: "text/plain"}, 422)
		path := fmt.Sprintf("/api/v1/imports/%d", job.ID)
		var view struct {
			Status        string `json:"status"`
			RejectionsURL string `json:"rejections_url"`
		}
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			view = decode[struct {
				Status        string `json:"status"`
				RejectionsURL string `json:"rejections_url"`
			}](t, ok(t, "GET", path, bandung, "", 200))
			if view.Status == store.ImportDone || view.Status == store.ImportFailed || time.Now().After(deadline) {
				break
			}
		}
		require.Equal(t, store.ImportDone, view.Status)
		bad(t, "GET", path, "", "", 401)
		bad(t, "GET", "/api/v1/imports/0", bandung, "", 422)
		bad(t, "GET", "/api/v1/imports/999999", bandung, "", 404)
		w = ok(t, "GET", view.RejectionsURL, bandung, "", 200)
		require.Contains(t, w.Body.String(), "line,record,field,reason")
		bad(t, "GET", "/api/v1/imports/999999/rejections.csv", bandung, "", 404)
	})

	t.Run("clocks", func(t *testing.T) {
		ok(t, "POST", "/api/v1/clocks/recompute", admin, `{"all":true}`, 200)
		v.do(t, request{method: "POST", path: "/api/v1/clocks/recompute", token: admin, checkRequest: true}, 200)
		bad(t, "POST", "/api/v1/clocks/recompute", bandung, `{"all":true}`, 403)
		ok(t, "POST", "/api/v1/clocks/sweep", admin, "", 200)
		bad(t, "POST", "/api/v1/clocks/sweep", "", "", 401)
		_, err := api.metrics.Refresh(context.Background())
		require.NoError(t, err)
	})

	t.Run("metrics", func(t *testing.T) {
		w := ok(t, "GET", "/api/v1/agencies/32.73/metrics?within=5", "", "", 200)
		var f struct {
			Received    int                      `json:"received"`
			FirstOnTime struct{ Value *float64 } `json:"first_response_on_time"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &f))
		require.GreaterOrEqual(t, f.Received, 10, "the seeded complaints are counted: %s", w.Body.String())
		ok(t, "GET", "/api/v1/agencies/32.73/metrics?period="+time.Now().Format("2006"), "", "", 200)
		bad(t, "GET", "/api/v1/agencies/32.73/metrics?subtree=maybe", "", "", 422)
		bad(t, "GET", "/api/v1/agencies/99.99/metrics", "", "", 404)
		ok(t, "GET", "/api/v1/agencies/32.73/trend?months=3", "", "", 200)
		bad(t, "GET", "/api/v1/agencies/32.73/trend?months=0", "", "", 422)
		w = ok(t, "GET", "/api/v1/agencies/32.73/overdue", "", "", 200)
		require.NotContains(t, w.Body.String(), `"total":0`, "old unanswered complaints are overdue")
		ok(t, "GET", "/api/v1/agencies/32.73/at-risk?limit=10", "", "", 200)
		bad(t, "GET", "/api/v1/agencies/32.73/at-risk?limit=501", "", "", 422)
		ok(t, "GET", "/api/v1/leaderboard?parent=32&limit=5", "", "", 200)
		ok(t, "GET", "/api/v1/leaderboard", "", "", 200)
		bad(t, "GET", "/api/v1/leaderboard?order=up", "", "", 422)
	})

	t.Run("holidays", func(t *testing.T) {
		ok(t, "GET", "/api/v1/holidays?year=2025", "", "", 200)
		bad(t, "GET", "/api/v1/holidays?year=x", "", "", 422)
		ok(t, "GET", "/api/v1/holidays/versions?limit=5", "", "", 200)
		add := `{"date":"2025-10-13","kind":"cuti_bersama","name_id":"Cuti uji","name_en":"Test leave","source":"Keppres uji","reason":"test"}`
		ok(t, "POST", "/api/v1/holidays", admin, add, 201)
		bad(t, "POST", "/api/v1/holidays", reader, add, 403)
		bad(t, "POST", "/api/v1/holidays", admin, strings.Replace(add, `"reason":"test"`, `"reason":""`, 1), 422)
		ok(t, "PUT", "/api/v1/holidays/2025-10-13", admin, `{"kind":"cuti_bersama","name_id":"Cuti uji 2","name_en":"Test leave 2","source":"Keppres uji","reason":"rename"}`, 200)
		bad(t, "PUT", "/api/v1/holidays/2025-13-45", admin, `{"kind":"cuti_bersama","name_id":"x","source":"s","reason":"r"}`, 422)
		ok(t, "DELETE", "/api/v1/holidays/2025-10-13?reason=mistake&source=Keppres+uji", admin, "", 200)
		bad(t, "DELETE", "/api/v1/holidays/2025-10-14?reason=mistake&source=Keppres+uji", admin, "", 404)
		csv := "date,kind,name_id,name_en,source\n2025-10-20,cuti_bersama,Cuti impor,Imported leave,Keppres impor\n"
		v.do(t, request{method: "POST", path: "/api/v1/holidays/import?reason=import&source=Keppres+impor", token: admin, body: csv, contentType: "text/csv", checkRequest: true}, 200)
		v.do(t, request{method: "POST", path: "/api/v1/holidays/import?reason=import&source=Keppres+impor", token: bandung, body: csv, contentType: "text/csv"}, 403)
	})

	t.Run("policies", func(t *testing.T) {
		w := ok(t, "GET", "/api/v1/policies", "", "", 200)
		var list struct {
			InForce []struct{ Version string } `json:"in_force"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &list))
		require.NotEmpty(t, list.InForce)
		ok(t, "GET", "/api/v1/policies/"+list.InForce[0].Version, "", "", 200)
		bad(t, "GET", "/api/v1/policies/none", "", "", 404)
		national := `{"reason":"uji","policy":{"version":"nat-uji","name":"Nasional uji","pause_cap_calendar_days":30,"rules":[{"limits":{"verification":3,"first_response":5,"completion":60}}]}}`
		ok(t, "PUT", "/api/v1/policies", admin, national, 201)
		bad(t, "PUT", "/api/v1/policies", bandung, national, 403)
		bad(t, "PUT", "/api/v1/policies", admin, `{"reason":"r","policy":{"version":"n-2","name":"n","rules":[{"limits":{"completion":0}}]}}`, 422)
		override := `{"reason":"Perwal 1/2025","policy":{"version":"bdg-1","name":"Bandung","pause_cap_calendar_days":30,"rules":[{"limits":{"verification":2,"first_response":3,"completion":10}}]}}`
		ok(t, "PUT", "/api/v1/agencies/32.73/policy", admin, override, 201)
		bad(t, "PUT", "/api/v1/agencies/99.99/policy", admin, strings.Replace(override, "bdg-1", "x-1", 1), 404)
	})

	t.Run("spbe", func(t *testing.T) {
		ok(t, "GET", "/api/v1/spbe/frameworks", "", "", 200)
		levels := map[string]int{}
		for i := 1; i <= api.spbeN; i++ {
			levels[fmt.Sprint(i)] = 3
		}
		b, err := json.Marshal(map[string]any{"framework": "spbe-59-2020", "levels": levels})
		require.NoError(t, err)
		ok(t, "POST", "/api/v1/spbe/simulate", "", string(b), 200)
		bad(t, "POST", "/api/v1/spbe/simulate", "", `{"levels":{"x":1}}`, 422)
		bad(t, "POST", "/api/v1/spbe/simulate", "", `{"framework":"nope","levels":{"1":1}}`, 404)
		ok(t, "POST", "/api/v1/spbe/recommend", "", `{"government":"32.73","target":4.03,"costs":{"42":[1,1,1,1]}}`, 200)
		ok(t, "POST", "/api/v1/spbe/recommend", "", `{"government":"32.04","target":"3.8"}`, 200)
		bad(t, "POST", "/api/v1/spbe/recommend", "", `{"government":"32.73"}`, 422)
		ok(t, "GET", "/api/v1/spbe/rankings?province=32&year=2024", "", "", 200)
		ok(t, "GET", "/api/v1/spbe/rankings?kind=kabupaten,kota&year=2024", "", "", 200)
		bad(t, "GET", "/api/v1/spbe/rankings?year=x", "", "", 422)
		ok(t, "GET", "/api/v1/spbe/results/32.73", "", "", 200)
		var full strings.Builder
		full.WriteString(`{"levels":[`)
		for i := 1; i <= api.spbeN; i++ {
			if i > 1 {
				full.WriteString(",")
			}
			fmt.Fprintf(&full, `{"indicator":%d,"level":4}`, i)
		}
		full.WriteString("]}")
		assessment := "/api/v1/spbe/spbe-59-2020/assessments/32.73/2024/self_assessment"
		ok(t, "PUT", assessment, bandung, full.String(), 200)
		bad(t, "PUT", "/api/v1/spbe/spbe-59-2020/assessments/32.04/2024/self_assessment", bandung, full.String(), 403)
		bad(t, "PUT", "/api/v1/spbe/ipd-2026/assessments/32.73/2024/final", admin, full.String(), 404)
		w := ok(t, "GET", assessment, reader, "", 200)
		require.Contains(t, w.Body.String(), `"complete":true`)
		bad(t, "GET", "/api/v1/spbe/spbe-59-2020/assessments/32.73/2024/target", reader, "", 404)
		bad(t, "GET", assessment, "", "", 401)
		bad(t, "GET", "/api/v1/spbe/spbe-59-2020/assessments/32.73/2024/draft", reader, "", 422)
		ok(t, "GET", "/api/v1/spbe/results/32.73", "", "", 200)
	})

	t.Run("commitments", func(t *testing.T) {
		ok(t, "POST", "/api/v1/commitments", bandung, openapiCommitment, 201)
		bad(t, "POST", "/api/v1/commitments", bandung, openapiCommitment, 409)
		bad(t, "POST", "/api/v1/commitments", reader, openapiCommitment, 403)
		ok(t, "GET", "/api/v1/commitments", "", "", 200)
		ok(t, "GET", "/api/v1/commitments?party=32.73&withdrawn=true", "", "", 200)
		ok(t, "GET", "/api/v1/commitments/bandung-spbe", "", "", 200)
		ok(t, "GET", "/api/v1/commitments/bandung-spbe?at=2024-12-31", "", "", 200)
		bad(t, "GET", "/api/v1/commitments/none", "", "", 404)
		bad(t, "GET", "/api/v1/commitments/bandung-spbe?at=yesterday", "", "", 422)
		revised := strings.Replace(openapiCommitment, `"value":4.5`, `"value":4.6`, 1)
		revised = strings.Replace(revised, `"slug":"bandung-spbe",`, `"slug":"bandung-spbe","effective_from":"2025-01-01","change_note":"dinaikkan",`, 1)
		ok(t, "PUT", "/api/v1/commitments/bandung-spbe", bandung, revised, 200)
		ok(t, "GET", "/api/v1/commitments/bandung-spbe/series?target=indeks", "", "", 200)
		ok(t, "GET", "/api/v1/commitments/bandung-spbe/events?limit=10", "", "", 200)
		bad(t, "GET", "/api/v1/commitments/bandung-spbe/events?limit=0", "", "", 422)
		ok(t, "POST", "/api/v1/commitments/bandung-spbe/webhooks", bandung, `{"url":"https://hooks.example.org/tanggap","secret":"s3cret-s3cret-s3cret"}`, 201)
		bad(t, "POST", "/api/v1/commitments/bandung-spbe/webhooks", bandung, `{"url":"ftp://x","secret":"s3cret-s3cret-s3cret"}`, 422)
		ok(t, "GET", "/api/v1/commitments/bandung-spbe/deliveries", bandung, "", 200)
		bad(t, "GET", "/api/v1/commitments/bandung-spbe/deliveries", "", "", 401)
		ok(t, "POST", "/api/v1/commitments/bandung-spbe/withdraw", bandung, `{"note":"diganti","effective_from":"2025-06-01"}`, 200)
		bad(t, "POST", "/api/v1/commitments/none/withdraw", admin, `{"note":"x"}`, 404)
	})

	t.Run("jobs", func(t *testing.T) {
		ok(t, "GET", "/api/v1/jobs", reader, "", 200)
		bad(t, "GET", "/api/v1/jobs", bandung, "", 403)
		ok(t, "POST", "/api/v1/jobs/noop/run", admin, "", 202)
		bad(t, "POST", "/api/v1/jobs/noop/run", reader, "", 403)
		bad(t, "POST", "/api/v1/jobs/nope/run", admin, "", 404)
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			w := ok(t, "GET", "/api/v1/jobs/noop/runs?limit=5", reader, "", 200)
			if strings.Contains(w.Body.String(), `"finished_at"`) || time.Now().After(deadline) {
				break
			}
		}
		ok(t, "GET", "/api/v1/jobs", admin, "", 200) // with a last run now
		bad(t, "GET", "/api/v1/jobs/nope/runs", reader, "", 404)
	})

	t.Run("users", func(t *testing.T) {
		w := ok(t, "POST", "/api/v1/users", admin, `{"username":"siti","display_name":"Siti","email":"siti@example.org","role":"officer","agency_code":"32.73"}`, 201)
		require.Contains(t, w.Body.String(), `"password"`, "a generated password is shown once")
		bad(t, "POST", "/api/v1/users", admin, `{"username":"siti","role":"officer","agency_code":"32.73"}`, 409)
		bad(t, "POST", "/api/v1/users", bandung, `{"username":"budi","role":"officer","agency_code":"32.73"}`, 403)
		ok(t, "GET", "/api/v1/users", admin, "", 200)
		ok(t, "GET", "/api/v1/users/siti", admin, "", 200)
		bad(t, "GET", "/api/v1/users/nobody", admin, "", 404)
		ok(t, "POST", "/api/v1/users/siti/disable", admin, "", 200)
		ok(t, "POST", "/api/v1/users/siti/enable", admin, "", 200)
		ok(t, "POST", "/api/v1/users/siti/unlock", admin, "", 200)
		ok(t, "POST", "/api/v1/users/siti/reset", admin, "", 200)
		ok(t, "POST", "/api/v1/users/siti/reset", admin, `{"password":"Kata-sandi-baru-2025!"}`, 200)
		bad(t, "POST", "/api/v1/users/nobody/disable", admin, "", 404)
		ok(t, "GET", "/api/v1/reporter-access?source=lapor", admin, "", 200)
		bad(t, "GET", "/api/v1/reporter-access", reader, "", 403)
	})

	// Every documented operation was called at least once.
	var missed []string
	for _, r := range v.routes {
		if len(v.seen[r.key]) == 0 {
			missed = append(missed, r.key)
		}
	}
	sort.Strings(missed)
	require.Empty(t, missed, "documented operations not exercised")
	pairs := 0
	for _, codes := range v.seen {
		seen := map[int]bool{}
		for _, c := range codes {
			seen[c] = true
		}
		pairs += len(seen)
	}
	t.Logf("validated %d of %d operations (%d operation×status pairs) against openapi.yaml", len(v.seen), len(v.routes), pairs)
}

// TestOpenAPIEnumsFollowTheCode checks documented enums that the code
// exports, so a new value there is not silently missing here.
func TestOpenAPIEnumsFollowTheCode(t *testing.T) {
	doc := loadSpec(t)
	var sortEnum []string
	for _, p := range doc.Paths.Value("/leaderboard").Get.Parameters {
		if p.Value.Name == "sort" {
			for _, e := range p.Value.Schema.Value.Enum {
				sortEnum = append(sortEnum, e.(string))
			}
		}
	}
	require.ElementsMatch(t, metrics.SortKeys(), sortEnum, "GET /leaderboard sort")
	var kinds []string
	for _, e := range doc.Components.Schemas["AgencyKind"].Value.Enum {
		kinds = append(kinds, e.(string))
	}
	var want []string
	for _, k := range domain.AgencyKinds {
		want = append(want, string(k))
	}
	require.ElementsMatch(t, want, kinds, "AgencyKind")
}

// TestOpenAPIValidationCatchesDrift shows the response check can fail: an
// answer with a field the document does not name, or without one it
// requires, or with an undocumented status, is refused.
func TestOpenAPIValidationCatchesDrift(t *testing.T) {
	doc := loadSpec(t)
	v := newValidator(t, doc, nil)
	sr, params := v.route(t, http.MethodGet, "/api/v1/agencies/32.73")
	route := &routers.Route{Spec: doc, Path: sr.path, PathItem: sr.item, Method: sr.method, Operation: sr.op}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	agency := `{"code":"32.73","kind":"kota","name":"Kota Bandung","short_name":"Bandung","time_zone":"Asia/Jakarta","active":true,` +
		`"created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z","children":[]}`
	cases := []struct {
		name   string
		status int
		body   string
		ok     bool
	}{
		{"as documented", 200, agency, true},
		{"an undocumented field", 200, strings.Replace(agency, `"active":true`, `"active":true,"colour":"red"`, 1), false},
		{"a required field missing", 200, strings.Replace(agency, `,"children":[]`, ``, 1), false},
		{"a wrong type", 200, strings.Replace(agency, `"active":true`, `"active":"yes"`, 1), false},
		{"a wrong enum value", 200, strings.Replace(agency, `"kind":"kota"`, `"kind":"city"`, 1), false},
		{"an undocumented status", 409, `{"error":{"code":"conflict","message":"x"}}`, false},
		{"the error shape", 404, `{"error":{"code":"not_found","message":"x","details":[{"field":"code","reason":"r"}]}}`, true},
		{"an error in another shape", 404, `{"message":"x"}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/agencies/32.73", nil)
			in := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
				Status:                 c.status, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
				Body: io.NopCloser(strings.NewReader(c.body)), Options: opts,
			}
			err := openapi3filter.ValidateResponse(context.Background(), in)
			if c.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}
