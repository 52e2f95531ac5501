package web

import (
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
)

// Number, percentage and date formatting per language: Indonesian uses a
// decimal comma and a dot for thousands ("1.234,56"), English the reverse,
// and month names differ ("12 Agu 2024" / "12 Aug 2024").

var monthsShort = map[Lang][12]string{
	LangID: {"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"},
	LangEN: {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
}

// FormatNumber renders v with the given decimals in l's convention.
func FormatNumber(l Lang, v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	thousands, dec := ".", ","
	if l == LangEN {
		thousands, dec = ",", "."
	}
	var b strings.Builder
	if v < 0 && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(dec)
		b.WriteString(frac)
	}
	return b.String()
}

// FormatInt renders an integer with thousands separators.
func FormatInt(l Lang, n int64) string { return FormatNumber(l, float64(n), 0) }

// FormatPercent renders a share (0..1) as a percentage with decimals.
func FormatPercent(l Lang, share float64, decimals int) string {
	return FormatNumber(l, share*100, decimals) + "%"
}

// FormatDate renders a calendar date as "12 Agu 2024" / "12 Aug 2024".
func FormatDate(l Lang, t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return strconv.Itoa(t.Day()) + " " + monthsShort[l][t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// FormatDateTime renders a time in its own zone: "12 Agu 2024 14.30 WIB".
func FormatDateTime(l Lang, t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	sep := "."
	if l == LangEN {
		sep = ":"
	}
	return FormatDate(l, t) + " " + t.Format("15"+sep+"04") + " " + t.Format("MST")
}

// funcsFor returns the template functions bound to one language.
func funcsFor(l Lang) template.FuncMap {
	return template.FuncMap{
		"t":        translator(l),
		"num":      func(v float64, decimals int) string { return FormatNumber(l, v, decimals) },
		"int":      func(n int64) string { return FormatInt(l, n) },
		"pct":      func(share float64, decimals int) string { return FormatPercent(l, share, decimals) },
		"date":     func(t time.Time) string { return FormatDate(l, t) },
		"datetime": func(t time.Time) string { return FormatDateTime(l, t) },
	}
}
