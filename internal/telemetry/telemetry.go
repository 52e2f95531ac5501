// Package telemetry holds Tanggap's Prometheus metrics: one private registry
// per process (built in cli and passed down, never global), the metric
// families and the methods that feed them. Every label has a bounded value
// set: route templates (never raw paths), government codes, job names and
// fixed outcome/status words; anything else collapses to "other".
package telemetry

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every Tanggap metric.
const Namespace = "tanggap"

// BuildInfo names the running binary; cli fills it from its own BuildInfo.
type BuildInfo struct {
	Version   string
	Commit    string
	GoVersion string
}

// Outcomes of one ingested row (mirror ingest.Outcome without importing it).
const (
	RowCreated   = "created"
	RowUpdated   = "updated"
	RowUnchanged = "unchanged"
	RowStale     = "stale"
	RowRejected  = "rejected"
)

// Import job statuses (mirror the store's import job states).
const (
	ImportQueued  = "queued"
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

// Outcomes of one scheduled job run.
const (
	JobSucceeded = "success"
	JobFailed    = "failure"
	JobSkipped   = "skipped" // e.g. another replica held the slot
)

// other is the label value for anything outside a family's known set, so a
// caller's mistake cannot grow the series count.
const other = "other"

var (
	rowOutcomes   = set(RowCreated, RowUpdated, RowUnchanged, RowStale, RowRejected)
	importStates  = set(ImportQueued, ImportRunning, ImportDone, ImportFailed)
	jobOutcomes   = set(JobSucceeded, JobFailed, JobSkipped)
	httpMethods   = set(http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions)
	httpBuckets   = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 120}
	jobBuckets    = []float64{.1, .5, 1, 5, 15, 60, 300, 900, 1800, 3600, 7200}
	defaultMinGap = 30 * time.Second
)

func set(vs ...string) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[v] = true
	}
	return m
}

func bounded(known map[string]bool, v string) string {
	if known[v] {
		return v
	}
	return other
}

// Options tune New; the zero value is fine.
type Options struct {
	Log *slog.Logger
	// Now is the clock used to rate-limit clock-count refreshes; nil: time.Now.
	Now func() time.Time
	// ClockRefreshEvery is the least time between two calls of the clock
	// count source; scrapes in between reuse the last counts. 0: 30s.
	ClockRefreshEvery time.Duration
}

// Metrics is the registry and every family Tanggap exports.
type Metrics struct {
	reg *prometheus.Registry
	log *slog.Logger

	httpRequests   *prometheus.CounterVec
	httpDuration   *prometheus.HistogramVec
	ingestRows     *prometheus.CounterVec
	importJobs     *prometheus.CounterVec
	jobRuns        *prometheus.CounterVec
	jobDuration    *prometheus.HistogramVec
	jobLastSuccess *prometheus.GaugeVec
	calendar       *calendarCollector
	clocks         *clockCollector
}

// New builds the registry with the Go and process collectors, build info
// and Tanggap's families.
func New(bi BuildInfo, opts Options) *Metrics {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ClockRefreshEvery <= 0 {
		opts.ClockRefreshEvery = defaultMinGap
	}
	m := &Metrics{reg: prometheus.NewRegistry(), log: opts.Log}
	f := factory{reg: m.reg}

	build := f.gaugeVec("build_info", "Version, commit and Go version of the running binary (value is always 1).", "version", "commit", "goversion")
	build.WithLabelValues(bi.Version, bi.Commit, bi.GoVersion).Set(1)

	m.httpRequests = f.counterVec("http_requests_total", "HTTP requests by method, route template and status.", "method", "route", "status")
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "http_request_duration_seconds",
		Help: "HTTP request latency by method, route template and status.", Buckets: httpBuckets}, []string{"method", "route", "status"})
	m.reg.MustRegister(m.httpDuration)

	m.ingestRows = f.counterVec("ingest_rows_total", "Ingested complaint rows by outcome (created, updated, unchanged, stale, rejected).", "outcome")
	m.importJobs = f.counterVec("import_jobs_total", "Import jobs that entered each status (queued, running, done, failed).", "status")

	m.jobRuns = f.counterVec("job_runs_total", "Scheduled job runs by job and outcome (success, failure, skipped).", "job", "outcome")
	m.jobDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "job_duration_seconds",
		Help: "Duration of scheduled job runs.", Buckets: jobBuckets}, []string{"job"})
	m.reg.MustRegister(m.jobDuration)
	m.jobLastSuccess = f.gaugeVec("job_last_success_timestamp_seconds", "Unix time at which each job last finished successfully.", "job")

	m.calendar = newCalendarCollector(opts.Log)
	m.reg.MustRegister(m.calendar)

	m.clocks = newClockCollector(opts.Now, opts.ClockRefreshEvery, opts.Log)
	m.reg.MustRegister(m.clocks)

	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

type factory struct{ reg *prometheus.Registry }

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help}, labels)
	f.reg.MustRegister(v)
	return v
}

func (f factory) gaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: name, Help: help}, labels)
	f.reg.MustRegister(v)
	return v
}

// Registry is the private registry (tests gather from it; other packages
// may register their own collectors on it).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		Registry:            m.reg, // counts its own scrape errors
		ErrorLog:            slog.NewLogLogger(m.log.Handler(), slog.LevelError),
		MaxRequestsInFlight: 4,
	})
}

// ObserveHTTP records one finished request. route is the route template
// ("/api/v1/agencies/:code"), never the raw path; empty means unmatched.
func (m *Metrics) ObserveHTTP(method, route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	lv := []string{bounded(httpMethods, method), route, strconv.Itoa(status)}
	m.httpRequests.WithLabelValues(lv...).Inc()
	m.httpDuration.WithLabelValues(lv...).Observe(d.Seconds())
}

// IngestRows adds n rows with the given outcome (RowCreated ... RowRejected).
func (m *Metrics) IngestRows(outcome string, n int) {
	if n <= 0 {
		return
	}
	m.ingestRows.WithLabelValues(bounded(rowOutcomes, outcome)).Add(float64(n))
}

// ImportJobStatus counts an import job entering status (ImportQueued ...).
func (m *Metrics) ImportJobStatus(status string) {
	m.importJobs.WithLabelValues(bounded(importStates, status)).Inc()
}

// JobRun records one run of a scheduled job that took d and ended at
// finished; a successful run also moves the job's last-success time.
func (m *Metrics) JobRun(job, outcome string, d time.Duration, finished time.Time) {
	outcome = bounded(jobOutcomes, outcome)
	m.jobRuns.WithLabelValues(job, outcome).Inc()
	if outcome == JobSkipped {
		return // a skipped run did no work; its duration would skew the histogram
	}
	m.jobDuration.WithLabelValues(job).Observe(d.Seconds())
	if outcome == JobSucceeded {
		m.jobLastSuccess.WithLabelValues(job).Set(float64(finished.UnixNano()) / 1e9)
	}
}

// SetCalendarYearsAhead records how many years after the current one the
// holiday calendar covers (e.g. from the coverage-check job).
func (m *Metrics) SetCalendarYearsAhead(years int) { m.calendar.set(years) }

// SetCalendarSource installs a function asked for the calendar coverage at
// each scrape, so the gauge never goes stale while the process runs.
func (m *Metrics) SetCalendarSource(src CalendarSource) { m.calendar.setSource(src) }

// SetClockSource installs the function that counts open and overdue clocks
// per government; it is called at scrape time, at most once per refresh
// interval. nil removes it.
func (m *Metrics) SetClockSource(src ClockSource) { m.clocks.setSource(src) }
