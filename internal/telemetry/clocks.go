package telemetry

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// GovernmentClocks are the clock counts of one government (a province,
// regency/city or ministry: the label set stays at ~550 codes).
type GovernmentClocks struct {
	Government string
	Open       int
	Overdue    int
}

// ClockSource counts open and overdue clocks per government, e.g. from the
// roll-ups. It runs at scrape time, so it should be one cheap query.
type ClockSource func(ctx context.Context) ([]GovernmentClocks, error)

// clockSourceTimeout bounds one refresh so a slow database cannot hang a scrape.
const clockSourceTimeout = 10 * time.Second

// clockCollector refreshes the open/overdue gauges from its source when
// scraped, no more often than every; between refreshes (and when the source
// fails) it serves the last counts.
type clockCollector struct {
	now   func() time.Time
	every time.Duration
	log   *slog.Logger

	mu      sync.Mutex
	src     ClockSource
	fetched time.Time

	open, overdue *prometheus.GaugeVec
	failures      prometheus.Counter
}

func newClockCollector(now func() time.Time, every time.Duration, log *slog.Logger) *clockCollector {
	return &clockCollector{
		now: now, every: every, log: log,
		open: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: "clocks_open",
			Help: "Open complaint clocks per government code."}, []string{"government"}),
		overdue: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: "clocks_overdue",
			Help: "Open complaint clocks past their due time per government code."}, []string{"government"}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Name: "clock_count_refresh_failures_total",
			Help: "Scrape-time refreshes of the clock counts that failed (the last counts were served)."}),
	}
}

func (c *clockCollector) setSource(src ClockSource) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.src, c.fetched = src, time.Time{}
	c.open.Reset()
	c.overdue.Reset()
}

func (c *clockCollector) Describe(ch chan<- *prometheus.Desc) {
	c.open.Describe(ch)
	c.overdue.Describe(ch)
	c.failures.Describe(ch)
}

func (c *clockCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refresh()
	c.open.Collect(ch)
	c.overdue.Collect(ch)
	c.failures.Collect(ch)
}

// refresh runs with mu held, so concurrent scrapes share one query.
func (c *clockCollector) refresh() {
	now := c.now()
	if c.src == nil || (!c.fetched.IsZero() && now.Sub(c.fetched) < c.every) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), clockSourceTimeout)
	defer cancel()
	rows, err := c.src(ctx)
	if err != nil {
		c.failures.Inc()
		c.log.Warn("metrics: counting clocks failed; serving the last counts", "err", err)
		return
	}
	c.open.Reset()
	c.overdue.Reset()
	for _, r := range rows {
		c.open.WithLabelValues(r.Government).Set(float64(r.Open))
		c.overdue.WithLabelValues(r.Government).Set(float64(r.Overdue))
	}
	c.fetched = now
}
