package web

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/workspace"
)

// The agency workspace (/kerja): sign-in, the SLA queue, the officer's
// complaint view, the supervisor's commitments view and digest settings.
// Pages are server-rendered and work without JavaScript; every form carries
// a CSRF token, and every response is private and uncached.

const (
	sessionCookie = "tanggap_session"
	// signInCookie holds the double-submit token of the sign-in form, which
	// has no session to tie a synchroniser token to yet.
	signInCookie = "tanggap_signin"
	csrfField    = "csrf_token"
	currentKey   = "workspace.current"
)

// WorkspaceOptions configures the workspace pages.
type WorkspaceOptions struct {
	// TrustedProxies (IPs or CIDRs) whose X-Forwarded-Proto: https marks a
	// request as HTTPS, which makes the session cookie Secure.
	TrustedProxies []string
	// BaseURL makes CSV links absolute (empty: relative links).
	BaseURL string
	// SignInPerMinute caps sign-in attempts per client IP (0: 20).
	SignInPerMinute int
	Now             func() time.Time
}

// Workspace serves /kerja.
type Workspace struct {
	engine  *Engine
	svc     *workspace.Service
	log     *slog.Logger
	opts    WorkspaceOptions
	limiter *workspace.AttemptLimiter
	proxies []netip.Prefix
}

// NewWorkspace builds the workspace pages.
func NewWorkspace(engine *Engine, svc *workspace.Service, log *slog.Logger, opts WorkspaceOptions) *Workspace {
	if opts.SignInPerMinute <= 0 {
		opts.SignInPerMinute = 20
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	w := &Workspace{engine: engine, svc: svc, log: log, opts: opts,
		limiter: workspace.NewAttemptLimiter(opts.SignInPerMinute, time.Minute)}
	for _, s := range opts.TrustedProxies {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			w.proxies = append(w.proxies, p.Masked())
		} else if a, err := netip.ParseAddr(s); err == nil {
			w.proxies = append(w.proxies, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		}
	}
	return w
}

// WithWorkspace adds the agency workspace to the site.
func (s *Site) WithWorkspace(w *Workspace) *Site {
	s.workspace = w
	return s
}

func (s *Site) registerWorkspace(r *gin.Engine) {
	if s.workspace != nil {
		s.workspace.Register(r)
	}
}

// Register adds the workspace routes.
func (w *Workspace) Register(r *gin.Engine) {
	g := r.Group("/kerja", w.private)
	g.GET("/masuk", w.signInForm)
	g.POST("/masuk", w.signIn)
	a := g.Group("", w.requireSession, w.requireCSRF)
	a.GET("", w.queue)
	a.GET("/antrean.csv", w.queueCSV)
	a.GET("/aduan/:source/:tracking_id", w.complaint)
	a.GET("/komitmen", w.supervision)
	a.GET("/pengaturan", w.settingsForm)
	a.POST("/pengaturan", w.saveSettings)
	a.POST("/keluar", w.signOut)
	a.POST("/keluar-semua", w.signOutEverywhere)
}

// private keeps workspace pages out of every cache: they hold personal data.
func (w *Workspace) private(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	c.Next()
}

// secure reports whether the browser reached us over HTTPS (directly, or
// through a trusted proxy that says so).
func (w *Workspace) secure(c *gin.Context) bool {
	if c.Request.TLS != nil {
		return true
	}
	first, _, _ := strings.Cut(c.GetHeader("X-Forwarded-Proto"), ",")
	if !strings.EqualFold(strings.TrimSpace(first), "https") {
		return false
	}
	host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
	if err != nil {
		host = c.Request.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	for _, p := range w.proxies {
		if p.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}

func (w *Workspace) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: "/kerja", MaxAge: maxAge, HttpOnly: true,
		Secure: w.secure(c), SameSite: http.SameSiteLaxMode})
}

func (w *Workspace) client(c *gin.Context) workspace.Client {
	return workspace.Client{IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
}

func current(c *gin.Context) workspace.Current {
	v, _ := c.Get(currentKey)
	cur, _ := v.(workspace.Current)
	return cur
}

// requireSession lets signed-in requests through and sends others to the
// sign-in page, remembering where they were going.
func (w *Workspace) requireSession(c *gin.Context) {
	secret, _ := c.Cookie(sessionCookie)
	cur, err := w.svc.Authenticate(c.Request.Context(), secret)
	if err != nil {
		if !errors.Is(err, domain.ErrUnauthorized) {
			w.fail(c, err)
			c.Abort()
			return
		}
		if secret != "" {
			w.setCookie(c, sessionCookie, "", -1)
		}
		next := ""
		if c.Request.Method == http.MethodGet {
			next = c.Request.URL.RequestURI()
		}
		c.Redirect(http.StatusSeeOther, "/kerja/masuk"+nextQuery(next))
		c.Abort()
		return
	}
	c.Set(currentKey, cur)
	c.Next()
}

func nextQuery(next string) string {
	if next == "" || next == "/kerja" {
		return ""
	}
	return "?next=" + url.QueryEscape(next)
}

// safeNext accepts only a workspace path on this site, so the sign-in form
// cannot be used to redirect elsewhere.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/kerja") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/kerja"
}

// requireCSRF refuses a state-changing request without the session's token.
func (w *Workspace) requireCSRF(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	if !workspace.ValidCSRF(current(c), c.PostForm(csrfField)) {
		w.forbidden(c, "kerja.csrf_failed")
		c.Abort()
		return
	}
	c.Next()
}

func (w *Workspace) forbidden(c *gin.Context, key string) {
	w.engine.Render(c, http.StatusForbidden, "error", key, nil)
}

func (w *Workspace) fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, domain.ErrNotFound):
		w.engine.Render(c, http.StatusNotFound, "error", "error.not_found", nil)
	case errors.Is(err, domain.ErrForbidden):
		w.forbidden(c, "kerja.forbidden")
	case errors.Is(err, domain.ErrInvalid):
		w.engine.Render(c, http.StatusUnprocessableEntity, "error", "kerja.invalid", nil)
	default:
		w.log.ErrorContext(c.Request.Context(), "workspace page failed", "route", c.FullPath(), "err", err)
		w.engine.Render(c, http.StatusInternalServerError, "error", "error.internal", nil)
	}
}

// shell is what every signed-in page shows around its content: who is
// signed in, the workspace menu and the sign-out forms.
type shell struct {
	Username, DisplayName, Role, Agency string
	CSRF                                string
	Active                              string
	Supervisor                          bool
}

func shellOf(cur workspace.Current, active string) shell {
	return shell{Username: cur.User.Username, DisplayName: cur.User.DisplayName, Role: cur.User.Role, Agency: cur.User.AgencyCode,
		CSRF: cur.Session.CSRFToken, Active: active}
}

type signInData struct {
	CSRF, Next, Username string
	ErrorKey, NoticeKey  string
	LockedUntil          string
}

func (w *Workspace) signInForm(c *gin.Context) {
	secret, _ := c.Cookie(sessionCookie)
	if _, err := w.svc.Authenticate(c.Request.Context(), secret); err == nil {
		c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
		return
	}
	d := signInData{Next: c.Query("next")}
	switch c.Query("keluar") {
	case "1":
		d.NoticeKey = "kerja.signed_out"
	case "semua":
		d.NoticeKey = "kerja.signed_out_all"
	}
	w.renderSignIn(c, http.StatusOK, d)
}

func (w *Workspace) renderSignIn(c *gin.Context, status int, d signInData) {
	tok, err := c.Cookie(signInCookie)
	if err != nil || len(tok) < 20 {
		tok = newFormToken()
		w.setCookie(c, signInCookie, tok, 3600)
	}
	d.CSRF = tok
	w.engine.Render(c, status, "kerja_masuk", "kerja.signin_title", d)
}

func (w *Workspace) signIn(c *gin.Context) {
	ctx := c.Request.Context()
	d := signInData{Next: c.PostForm("next"), Username: c.PostForm("username")}
	tok, _ := c.Cookie(signInCookie)
	if tok == "" || !constantEqual(tok, c.PostForm(csrfField)) {
		w.forbidden(c, "kerja.csrf_failed")
		return
	}
	if !w.limiter.Allow(c.ClientIP(), w.opts.Now()) {
		d.ErrorKey = "kerja.signin_rate"
		c.Header("Retry-After", "60")
		w.renderSignIn(c, http.StatusTooManyRequests, d)
		return
	}
	in, err := w.svc.SignIn(ctx, c.PostForm("username"), c.PostForm("password"), w.client(c))
	if err != nil {
		var le *workspace.LockedError
		switch {
		case errors.As(err, &le):
			d.ErrorKey, d.LockedUntil = "kerja.signin_locked", FormatDateTime(w.engine.langOf(c), le.Until.In(jakartaZone))
		case errors.Is(err, domain.ErrUnauthorized):
			d.ErrorKey = "kerja.signin_failed"
		default:
			w.fail(c, err)
			return
		}
		w.renderSignIn(c, http.StatusUnauthorized, d)
		return
	}
	w.setCookie(c, signInCookie, "", -1)
	w.setCookie(c, sessionCookie, in.Secret, int(w.svc.Options().SessionAbsolute/time.Second))
	c.Redirect(http.StatusSeeOther, safeNext(d.Next))
}

func (w *Workspace) signOut(c *gin.Context) {
	if err := w.svc.SignOut(c.Request.Context(), current(c)); err != nil {
		w.fail(c, err)
		return
	}
	w.setCookie(c, sessionCookie, "", -1)
	c.Redirect(http.StatusSeeOther, "/kerja/masuk?keluar=1")
}

func (w *Workspace) signOutEverywhere(c *gin.Context) {
	if _, err := w.svc.SignOutEverywhere(c.Request.Context(), current(c)); err != nil {
		w.fail(c, err)
		return
	}
	w.setCookie(c, sessionCookie, "", -1)
	c.Redirect(http.StatusSeeOther, "/kerja/masuk?keluar=semua")
}

var jakartaZone = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Jakarta"); err == nil {
		return l
	}
	return time.FixedZone("WIB", 7*3600)
}()

func itoa(n int) string { return strconv.Itoa(n) }
