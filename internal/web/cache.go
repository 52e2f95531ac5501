package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// Public pages are read from roll-ups and stored results, which change at
// most every few minutes (SLA sweep, roll-up refresh). So a public page is
// sent with a validator (a weak ETag: the hash of the rendered body), a
// short lifetime (Cache-Control: public, max-age=60), gzip when the client
// accepts it, and 304 when the client already holds the same body. The
// server also keeps each rendered page for a few seconds (a micro-cache,
// WithPageCache), so a burst of readers costs one render. Workspace pages
// (/kerja) never pass through here: they are private and set no-store.

// Context keys set by the public wrapper.
const (
	ctxPublic   = "web.public"
	ctxLang     = "web.lang"
	ctxCacheKey = "web.cachekey"
	ctxLastMod  = "web.lastmod"
)

// publicMaxAge is the lifetime browsers and proxies may reuse a page for.
const publicMaxAge = "public, max-age=60"

// gzipMin is the smallest body worth compressing.
const gzipMin = 1024

// rendered is a page body ready to send, with its validators.
type rendered struct {
	body, gz []byte
	etag     string
	lastMod  time.Time
	lang     Lang
	expires  time.Time
}

func newRendered(body []byte, lang Lang, lastMod time.Time, compress bool) *rendered {
	sum := sha256.Sum256(body)
	r := &rendered{body: body, etag: `W/"` + hex.EncodeToString(sum[:12]) + `"`, lang: lang, lastMod: lastMod}
	if compress && len(body) >= gzipMin {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		_, _ = zw.Write(body)
		if zw.Close() == nil {
			r.gz = buf.Bytes()
		}
	}
	return r
}

// pageCache keeps rendered public pages per language and URL for ttl. It
// is bounded: when full, expired entries go first, then arbitrary ones.
type pageCache struct {
	mu      sync.RWMutex
	ttl     time.Duration
	max     int
	entries map[string]*rendered
}

func newPageCache(ttl time.Duration, max int) *pageCache {
	return &pageCache{ttl: ttl, max: max, entries: map[string]*rendered{}}
}

func (pc *pageCache) get(key string, now time.Time) (*rendered, bool) {
	pc.mu.RLock()
	e, ok := pc.entries[key]
	pc.mu.RUnlock()
	if !ok || now.After(e.expires) {
		return nil, false
	}
	return e, true
}

func (pc *pageCache) put(key string, r *rendered, now time.Time) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if len(pc.entries) >= pc.max {
		for k, e := range pc.entries {
			if now.After(e.expires) {
				delete(pc.entries, k)
			}
		}
		for k := range pc.entries {
			if len(pc.entries) < pc.max {
				break
			}
			delete(pc.entries, k)
		}
	}
	cp := *r
	cp.expires = now.Add(pc.ttl)
	pc.entries[key] = &cp
}

// WithPageCache keeps each rendered public page for ttl (0 disables it).
// Readers then see figures at most ttl older than the roll-ups, on top of
// the 60 s browsers may keep a page anyway.
func (s *Site) WithPageCache(ttl time.Duration) *Site {
	if ttl > 0 {
		s.engine.cache = newPageCache(ttl, 4096)
	}
	return s
}

// public wraps a public page handler: it fixes the language once (setting
// the cookie when ?lang= asks), answers from the micro-cache when it can,
// and marks the request so render adds the cache validators.
func (s *Site) public(h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		lang := s.engine.langOf(c)
		c.Set(ctxLang, lang)
		c.Set(ctxPublic, true)
		if pc := s.engine.cache; pc != nil {
			key := string(lang) + " " + c.Request.URL.RequestURI()
			if r, ok := pc.get(key, time.Now()); ok {
				s.engine.send(c, http.StatusOK, r)
				return
			}
			c.Set(ctxCacheKey, key)
		}
		h(c)
	}
}

// setLastModified records when the data behind a page last changed.
func setLastModified(c *gin.Context, t time.Time) {
	if t.IsZero() {
		return
	}
	if cur, ok := c.Get(ctxLastMod); ok && cur.(time.Time).After(t) {
		return
	}
	c.Set(ctxLastMod, t)
}

// keep puts a freshly rendered public page in the micro-cache.
func (e *Engine) keep(c *gin.Context, r *rendered) {
	if e.cache == nil {
		return
	}
	if key, ok := c.Get(ctxCacheKey); ok {
		e.cache.put(key.(string), r, time.Now())
	}
}

// etagMatches applies the weak comparison of RFC 9110 §13.1.2.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	if strings.TrimSpace(header) == "*" {
		return true
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(t), "W/") == want {
			return true
		}
	}
	return false
}

func acceptsGzip(c *gin.Context) bool {
	for _, part := range strings.Split(c.GetHeader("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			return !strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0")
		}
	}
	return false
}

// send writes a rendered page. Public pages get the validators, 304 for a
// matching If-None-Match (or, without one, an If-Modified-Since not older
// than Last-Modified), and gzip when accepted.
func (e *Engine) send(c *gin.Context, status int, r *rendered) {
	h := c.Writer.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", string(r.lang))
	h.Set("Vary", "Cookie, Accept-Language, Accept-Encoding")
	_, public := c.Get(ctxPublic)
	if public {
		h.Set("Cache-Control", publicMaxAge)
		h.Set("ETag", r.etag)
		if !r.lastMod.IsZero() {
			h.Set("Last-Modified", r.lastMod.UTC().Format(http.TimeFormat))
		}
		if status == http.StatusOK && notModified(c, r) {
			c.Status(http.StatusNotModified)
			c.Writer.WriteHeaderNow()
			return
		}
	}
	if public && r.gz != nil && acceptsGzip(c) {
		h.Set("Content-Encoding", "gzip")
		c.Data(status, "text/html; charset=utf-8", r.gz)
		return
	}
	c.Data(status, "text/html; charset=utf-8", r.body)
}

func notModified(c *gin.Context, r *rendered) bool {
	if inm := c.GetHeader("If-None-Match"); inm != "" {
		return etagMatches(inm, r.etag)
	}
	if ims := c.GetHeader("If-Modified-Since"); ims != "" && !r.lastMod.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !r.lastMod.Truncate(time.Second).After(t)
	}
	return false
}
