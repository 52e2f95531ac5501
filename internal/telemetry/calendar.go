package telemetry

import (
	"context"
	"log/slog"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// CalendarSource says how many whole years after the current (Jakarta) year
// the holiday calendar covers: 0 means next year is still missing, -1 that
// even the current year is.
type CalendarSource func(ctx context.Context) (int, error)

// calendarCollector exports tanggap_calendar_years_ahead only once it is
// known: a default 0 would read as "next year missing" and page someone.
type calendarCollector struct {
	desc *prometheus.Desc
	log  *slog.Logger

	mu    sync.Mutex
	src   CalendarSource
	years int
	known bool
}

func newCalendarCollector(log *slog.Logger) *calendarCollector {
	return &calendarCollector{log: log, desc: prometheus.NewDesc(Namespace+"_calendar_years_ahead",
		"Whole years after the current one that the holiday calendar covers (0: next year is missing).", nil, nil)}
}

func (c *calendarCollector) set(years int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.years, c.known = years, true
}

func (c *calendarCollector) setSource(src CalendarSource) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.src = src
}

func (c *calendarCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *calendarCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.src != nil {
		ctx, cancel := context.WithTimeout(context.Background(), clockSourceTimeout)
		years, err := c.src(ctx)
		cancel()
		if err != nil {
			c.log.Warn("metrics: reading calendar coverage failed; serving the last value", "err", err)
		} else {
			c.years, c.known = years, true
		}
	}
	if c.known {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(c.years))
	}
}
