package httpapi

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type fakeClock struct{ t time.Time }

func (f *fakeClock) now() time.Time          { return f.t }
func (f *fakeClock) advance(d time.Duration) { f.t = f.t.Add(d) }
func newFakeClock() *fakeClock               { return &fakeClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)} }
func allowN(l *Limiter, client string, n int) int {
	ok := 0
	for range n {
		if a, _ := l.Allow(client); a {
			ok++
		}
	}
	return ok
}

func TestLimiterBuckets(t *testing.T) {
	cases := []struct {
		name      string
		perMinute int
		run       func(t *testing.T, l *Limiter, clk *fakeClock)
	}{
		{"burst of a minute's budget, then refused with the wait for one token", 6, func(t *testing.T, l *Limiter, clk *fakeClock) {
			require.Equal(t, 6, allowN(l, "a", 10))
			ok, wait := l.Allow("a")
			require.False(t, ok)
			require.InDelta(t, 10*time.Second, wait, float64(time.Millisecond)) // 6/min = one per 10 s
			clk.advance(4 * time.Second)
			_, wait = l.Allow("a")
			require.InDelta(t, 6*time.Second, wait, float64(time.Millisecond))
		}},
		{"tokens come back at an even pace", 6, func(t *testing.T, l *Limiter, clk *fakeClock) {
			require.Equal(t, 6, allowN(l, "a", 6))
			clk.advance(25 * time.Second)
			require.Equal(t, 2, allowN(l, "a", 5))
			clk.advance(time.Hour)
			require.Equal(t, 6, allowN(l, "a", 10), "refill stops at the burst")
		}},
		{"clients have separate budgets", 2, func(t *testing.T, l *Limiter, clk *fakeClock) {
			require.Equal(t, 2, allowN(l, "token:1", 5))
			require.Equal(t, 2, allowN(l, "token:2", 5))
			require.Equal(t, 2, allowN(l, "ip:203.0.113.9", 5))
		}},
		{"a clock stepping back grants nothing", 2, func(t *testing.T, l *Limiter, clk *fakeClock) {
			require.Equal(t, 2, allowN(l, "a", 2))
			clk.advance(-time.Hour)
			require.Equal(t, 0, allowN(l, "a", 2))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			tc.run(t, NewLimiter(tc.perMinute, clk.now), clk)
		})
	}
}

func TestLimiterDisabled(t *testing.T) {
	for _, n := range []int{0, -5} {
		l := NewLimiter(n, nil)
		require.Nil(t, l)
		require.Equal(t, 1000, allowN(l, "a", 1000))
	}
}

func TestLimiterForgetsIdleClients(t *testing.T) {
	clk := newFakeClock()
	l := NewLimiter(60, clk.now)
	for i := range 500 {
		l.Allow(fmt.Sprintf("ip:10.0.%d.%d", i/256, i%256))
	}
	require.Equal(t, 500, l.clients())
	clk.advance(30 * time.Second)
	l.Allow("ip:192.0.2.1")
	require.Equal(t, 501, l.clients(), "not idle for a full refill yet")
	clk.advance(61 * time.Second)
	l.Allow("ip:192.0.2.2")
	require.Equal(t, 1, l.clients(), "idle buckets were full again and are dropped")
}

func TestLimiterCapsClients(t *testing.T) {
	clk := newFakeClock()
	l := NewLimiter(3, clk.now)
	l.maxClients = 10
	for i := range 10 {
		l.Allow(fmt.Sprint("c", i))
	}
	// Past the cap, new clients share one bucket: bounded memory, still limited.
	require.Equal(t, 3, allowN(l, "new-1", 2)+allowN(l, "new-2", 2))
	require.Equal(t, 11, l.clients())
	require.Equal(t, 2, allowN(l, "c0", 5), "known clients keep their own bucket")
}
