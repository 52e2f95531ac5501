// Package web renders the public pages: server-side html/template with
// embedded assets, readable without JavaScript, in Bahasa Indonesia by
// default with an English switch. Handlers fill typed view models from
// services; templates never query.
package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages lists every page template; each is parsed with the layout once at
// start-up, so a broken template fails the start, not a request.
var pages = []string{"home", "agency", "about", "error", "spbe_province", "spbe_agency", "complaint", "komitmen", "commitment",
	"kerja_masuk", "kerja_antrean", "kerja_aduan", "kerja_komitmen", "kerja_pengaturan", "scorecard", "data",
	"leaderboard", "methodology", "spbe_index"}

// Engine holds the parsed templates.
type Engine struct {
	pages       map[string]*template.Template
	defaultLang Lang
	log         *slog.Logger
	banners     []BannerSource
	cache       *pageCache // nil: no micro-cache (WithPageCache)
}

// Banner is a site-wide notice: a message key and its arguments.
type Banner struct {
	Key  string
	Args []any
}

// BannerSource supplies notices shown on every page (e.g. a holiday
// calendar missing next year).
type BannerSource func(ctx context.Context) []Banner

// AddBanners registers a source of site-wide notices. Call before serving.
func (e *Engine) AddBanners(src BannerSource) { e.banners = append(e.banners, src) }

// NewEngine parses every page.
func NewEngine(defaultLang Lang, log *slog.Logger) (*Engine, error) {
	e := &Engine{pages: map[string]*template.Template{}, defaultLang: defaultLang, log: log}
	// Placeholder funcs so parsing knows the names; Render binds the real,
	// per-language ones on a clone.
	funcs := funcsFor(defaultLang)
	for _, p := range pages {
		t, err := template.New(p).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", p, err)
		}
		e.pages[p] = t
	}
	return e, nil
}

// Alternate is a link to the same page in another language.
type Alternate struct {
	Lang Lang
	URL  string
}

// View is what every page template receives.
type View struct {
	Lang       Lang
	OtherLang  Lang
	Title      string
	SwitchURL  string
	Alternates []Alternate
	Banners    []string
	Nav        []navItem
	Data       any
}

// navItem is one link of the site's main navigation.
type navItem struct {
	URL, Key string
	Current  bool
}

// mainNav is the header navigation, in order.
var mainNav = []navItem{{"/", "nav.home", false}, {"/peringkat", "nav.board", false}, {"/komitmen", "nav.commitments", false},
	{"/spbe", "nav.spbe", false}, {"/metodologi", "nav.method", false}, {"/data", "nav.data", false}, {"/tentang", "nav.about", false}}

// navFor marks the section the path belongs to.
func navFor(path string) []navItem {
	out := make([]navItem, len(mainNav))
	for i, n := range mainNav {
		n.Current = path == n.URL || (n.URL != "/" && strings.HasPrefix(path, n.URL+"/")) ||
			(n.URL == "/peringkat" && (strings.HasPrefix(path, "/kinerja/") || strings.HasPrefix(path, "/wilayah/")))
		out[i] = n
	}
	return out
}

// Render writes page with data in the request's language; titleKey is a
// message key.
func (e *Engine) Render(c *gin.Context, status int, page, titleKey string, data any) {
	e.render(c, status, page, titleKey, true, data)
}

// RenderTitled is Render with a literal title (e.g. an agency's name).
func (e *Engine) RenderTitled(c *gin.Context, status int, page, title string, data any) {
	e.render(c, status, page, title, false, data)
}

func (e *Engine) render(c *gin.Context, status int, page, title string, translate bool, data any) {
	lang := e.langOf(c)
	base, ok := e.pages[page]
	if !ok {
		e.log.Error("web: unknown page", "page", page)
		c.Status(http.StatusInternalServerError)
		return
	}
	t, err := base.Clone()
	if err != nil {
		e.log.Error("web: clone", "err", err)
		c.Status(http.StatusInternalServerError)
		return
	}
	tr := translator(lang)
	t.Funcs(funcsFor(lang))
	if translate {
		title = tr(title)
	}
	v := View{Lang: lang, OtherLang: other(lang), Title: title, Data: data,
		SwitchURL: withLang(c.Request.URL, other(lang)), Nav: navFor(c.Request.URL.Path)}
	for _, l := range Langs {
		v.Alternates = append(v.Alternates, Alternate{Lang: l, URL: withLang(c.Request.URL, l)})
	}
	for _, src := range e.banners {
		for _, b := range src(c.Request.Context()) {
			v.Banners = append(v.Banners, tr(b.Key, b.Args...))
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		e.log.ErrorContext(c.Request.Context(), "web: render", "page", page, "err", err)
		c.Status(http.StatusInternalServerError)
		return
	}
	var lastMod time.Time
	if t, ok := c.Get(ctxLastMod); ok {
		lastMod = t.(time.Time)
	}
	_, public := c.Get(ctxPublic)
	r := newRendered(buf.Bytes(), lang, lastMod, public)
	if status == http.StatusOK {
		e.keep(c, r)
	}
	e.send(c, status, r)
}

// langCookie remembers an explicit choice.
const langCookie = "lang"

// langOf picks the language: an explicit ?lang= (remembered in a cookie),
// else the cookie, else the configured default.
func (e *Engine) langOf(c *gin.Context) Lang {
	if l, ok := c.Get(ctxLang); ok { // fixed by the public wrapper
		return l.(Lang)
	}
	if l, ok := ParseLang(c.Query("lang")); ok {
		c.SetSameSite(http.SameSiteLaxMode)
		c.SetCookie(langCookie, string(l), 365*24*3600, "/", "", false, false)
		return l
	}
	if v, err := c.Cookie(langCookie); err == nil {
		if l, ok := ParseLang(v); ok {
			return l
		}
	}
	return e.defaultLang
}

func other(l Lang) Lang {
	if l == LangEN {
		return LangID
	}
	return LangEN
}

func withLang(u *url.URL, l Lang) string {
	q := u.Query()
	q.Set("lang", string(l))
	return u.Path + "?" + q.Encode()
}

func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		fsrv.ServeHTTP(w, r)
	})
}
