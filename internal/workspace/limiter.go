package workspace

import (
	"sync"
	"time"
)

// AttemptLimiter caps sign-in attempts per client (IP) in a sliding
// minute, in memory: the account lock stops guessing one password, this
// stops one client spraying many accounts. Each replica counts its own.
type AttemptLimiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	hits   map[string][]time.Time
}

// NewAttemptLimiter allows max attempts per key per window; max 0: no limit.
func NewAttemptLimiter(max int, window time.Duration) *AttemptLimiter {
	return &AttemptLimiter{max: max, window: window, hits: map[string][]time.Time{}}
}

// Allow records an attempt by key at now and reports whether it is within
// the limit.
func (l *AttemptLimiter) Allow(key string, now time.Time) bool {
	if l == nil || l.max <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	cut := now.Add(-l.window)
	kept := l.hits[key][:0]
	for _, t := range l.hits[key] {
		if t.After(cut) {
			kept = append(kept, t)
		}
	}
	if len(l.hits) > 10000 {
		// Bound memory under a spray of addresses: drop idle keys.
		for k, ts := range l.hits {
			if len(ts) == 0 || !ts[len(ts)-1].After(cut) {
				delete(l.hits, k)
			}
		}
	}
	if len(kept) >= l.max {
		l.hits[key] = kept
		return false
	}
	l.hits[key] = append(kept, now)
	return true
}
