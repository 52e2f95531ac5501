package httpapi

import (
	"net"
	"net/netip"
	"strings"

	"github.com/gin-gonic/gin"
)

// ContentSecurityPolicy allows only same-origin scripts, styles and images
// (plus data: images for inline SVG fallbacks): pages carry no inline
// script or style, so an injected one cannot run.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// permissionsPolicy turns off powerful features no Tanggap page uses.
const permissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

// hsts is sent only on HTTPS: on plain HTTP a browser ignores it, and a
// deployment still testing over HTTP must not be pinned to HTTPS by accident.
const hsts = "max-age=31536000; includeSubDomains"

// SecurityHeaders sets the browser hardening headers on every response,
// pages and API alike, before the handler runs so errors carry them too.
// trustedProxies (IPs or CIDRs, as in config) decide whose
// X-Forwarded-Proto: https counts as TLS for HSTS.
func SecurityHeaders(trustedProxies []string) gin.HandlerFunc {
	proxies := parsePrefixes(trustedProxies)
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Permissions-Policy", permissionsPolicy)
		if c.Request.TLS != nil || (forwardedHTTPS(c) && fromProxy(c.Request.RemoteAddr, proxies)) {
			h.Set("Strict-Transport-Security", hsts)
		}
		c.Next()
	}
}

func forwardedHTTPS(c *gin.Context) bool {
	// A chain of proxies may append; the first value is the client's scheme.
	first, _, _ := strings.Cut(c.GetHeader("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(first), "https")
}

func fromProxy(remoteAddr string, proxies []netip.Prefix) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range proxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// parsePrefixes reads IPs and CIDRs; invalid entries are skipped because
// config validation and gin's SetTrustedProxies have already refused them.
func parsePrefixes(list []string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		}
	}
	return out
}
