package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// maxLimiterClients caps the bucket map: beyond it (e.g. a flood from
// spoofed or rotating addresses within one refill period) new clients share
// one bucket, so memory stays bounded and the flood is still limited.
const maxLimiterClients = 100_000

// overflowClient is the shared bucket of clients beyond the cap.
const overflowClient = "overflow"

// Limiter is a token bucket per client: each client may spend its whole
// per-minute budget at once and gets it back at an even pace. A nil
// *Limiter allows everything (the limit is disabled).
type Limiter struct {
	perSecond  float64
	burst      float64
	idle       time.Duration // an untouched bucket is full again after this long
	maxClients int
	now        func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	nextSweep time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewLimiter allows perMinute requests per client per minute; perMinute <= 0
// disables the limit (nil). now is the clock (nil: time.Now).
func NewLimiter(perMinute int, now func() time.Time) *Limiter {
	if perMinute <= 0 {
		return nil
	}
	if now == nil {
		now = time.Now
	}
	ps := float64(perMinute) / 60
	return &Limiter{
		perSecond: ps, burst: float64(perMinute), idle: time.Minute, maxClients: maxLimiterClients,
		now: now, buckets: make(map[string]*bucket),
	}
}

// Allow spends one token of client's bucket. When none is left it says how
// long until one is.
func (l *Limiter) Allow(client string) (ok bool, retryAfter time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	b := l.buckets[client]
	if b == nil && len(l.buckets) >= l.maxClients {
		client = overflowClient
		b = l.buckets[client]
	}
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[client] = b
	}
	if el := now.Sub(b.last); el > 0 {
		b.tokens = math.Min(l.burst, b.tokens+el.Seconds()*l.perSecond)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.perSecond * float64(time.Second))
}

// clients is the number of buckets held (tests check that idle ones go).
func (l *Limiter) clients() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// sweep drops buckets idle long enough to be full again: a fresh bucket is
// the same, so forgetting them changes no decision. It runs at most once
// per idle period, keeping Allow amortised O(1).
func (l *Limiter) sweep(now time.Time) {
	if now.Before(l.nextSweep) {
		return
	}
	for k, b := range l.buckets {
		if now.Sub(b.last) >= l.idle {
			delete(l.buckets, k)
		}
	}
	l.nextSweep = now.Add(l.idle)
}

// clientKey is who a budget belongs to: the API token when authenticated
// (so agencies behind one NAT do not share), else the client address as
// gin resolves it (X-Forwarded-For only from trusted proxies).
func clientKey(c *gin.Context) string {
	if p := principal(c); p.TokenID != 0 {
		return "token:" + strconv.FormatInt(p.TokenID, 10)
	}
	return "ip:" + c.ClientIP()
}

// RateLimit refuses requests past the client's budget with 429, a
// Retry-After in seconds and the standard error body. Wrap any route or
// group with it (exports); a nil l lets everything through. Put it after
// Authenticate so tokens get their own budget.
func RateLimit(l *Limiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		if ok, wait := l.Allow(clientKey(c)); !ok {
			rejectRateLimited(c, wait)
			return
		}
		c.Next()
	}
}

// RateLimitWrites is RateLimit for POST, PUT, PATCH and DELETE only; reads
// pass untouched.
func RateLimitWrites(l *Limiter) gin.HandlerFunc {
	limit := RateLimit(l)
	return func(c *gin.Context) {
		switch c.Request.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			limit(c)
		default:
			c.Next()
		}
	}
}

func rejectRateLimited(c *gin.Context, wait time.Duration) {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	c.Header("Retry-After", strconv.Itoa(secs))
	c.AbortWithStatusJSON(http.StatusTooManyRequests, ErrorBody{Error: ErrorDetail{
		Code:    "rate_limited",
		Message: "too many requests from this client; retry after " + strconv.Itoa(secs) + " s",
	}})
}
