package commitments

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/tanggap-id/tanggap/internal/commitment"
	"github.com/tanggap-id/tanggap/internal/metrics"
)

// DefaultMetricsTTL is how long MetricsRates reuses an answer: the SLA sweep
// refreshes the figures every 10 minutes, so a page shown within that time
// reads the answer the last measurement computed.
const DefaultMetricsTTL = 10 * time.Minute

// MetricsRates is the RateSource over the complaint roll-ups' facts
// (metrics.Service.DailyCounts and Level, which define each cohort). Daily
// cohorts are finer than the stored monthly roll-ups, so each answer reads
// the facts of the party's subtree over the range; answers are kept for TTL
// so the commitments board, rendered on request, does not read them again
// on every view (the daily snapshot job fills the cache first).
type MetricsRates struct {
	Metrics *metrics.Service
	TTL     time.Duration    // 0: DefaultMetricsTTL; < 0: no cache
	Now     func() time.Time // nil: time.Now

	mu    sync.Mutex
	cache map[cacheKey]cached
}

type cacheKey struct {
	level bool
	q     string
}

type cached struct {
	at    time.Time
	daily []commitment.DailyCount
	value *float64
	n     int
}

var _ RateSource = (*MetricsRates)(nil)

// NewMetricsRates builds the adapter with the default cache.
func NewMetricsRates(m *metrics.Service) *MetricsRates { return &MetricsRates{Metrics: m} }

func (r *MetricsRates) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *MetricsRates) ttl() time.Duration {
	if r.TTL == 0 {
		return DefaultMetricsTTL
	}
	return r.TTL
}

func keyOf(level bool, q RateQuery) cacheKey {
	return cacheKey{level: level, q: q.Agency + "|" + string(q.Metric) + "|" + q.From.Format(time.DateOnly) + "|" +
		q.To.Format(time.DateOnly) + "|" + strconv.Itoa(q.WithinDays)}
}

func (r *MetricsRates) get(k cacheKey) (cached, bool) {
	if r.ttl() < 0 {
		return cached{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.cache[k]
	if !ok || r.now().Sub(c.at) >= r.ttl() {
		return cached{}, false
	}
	return c, true
}

func (r *MetricsRates) put(k cacheKey, c cached) {
	if r.ttl() < 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cache == nil {
		r.cache = map[cacheKey]cached{}
	}
	now := r.now()
	for key, old := range r.cache { // drop stale answers so the map stays small
		if now.Sub(old.at) >= r.ttl() {
			delete(r.cache, key)
		}
	}
	c.at = now
	r.cache[k] = c
}

// DailyCounts implements RateSource.
func (r *MetricsRates) DailyCounts(ctx context.Context, q RateQuery) ([]commitment.DailyCount, error) {
	k := keyOf(false, q)
	if c, ok := r.get(k); ok {
		return c.daily, nil
	}
	days, err := r.Metrics.DailyCounts(ctx, q.Agency, q.Metric, q.WithinDays, q.From, q.To)
	if err != nil {
		return nil, err
	}
	out := make([]commitment.DailyCount, len(days))
	for i, d := range days {
		out[i] = commitment.DailyCount{Date: d.Date, N: d.N, Successes: d.Successes}
	}
	r.put(k, cached{daily: out})
	return out, nil
}

// Level implements RateSource.
func (r *MetricsRates) Level(ctx context.Context, q RateQuery) (*float64, int, error) {
	k := keyOf(true, q)
	if c, ok := r.get(k); ok {
		return c.value, c.n, nil
	}
	v, n, err := r.Metrics.Level(ctx, q.Agency, q.Metric, q.From, q.To)
	if err != nil {
		return nil, 0, err
	}
	r.put(k, cached{value: v, n: n})
	return v, n, nil
}
