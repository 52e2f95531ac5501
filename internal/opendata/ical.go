package opendata

import (
	"bufio"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tanggap-id/tanggap/internal/workcal"
)

// iCalendar (RFC 5545) feed of the working-day calendar's holidays, for
// calendar apps to subscribe to. Lines end in CRLF and are folded at 75
// octets without splitting a UTF-8 sequence (§3.1); TEXT values escape
// backslash, semicolon, comma and newlines (§3.3.11).

const icsMaxLine = 75

// icsWriter writes content lines.
type icsWriter struct {
	w   *bufio.Writer
	err error
}

// line writes one content line, folded.
func (iw *icsWriter) line(s string) {
	if iw.err != nil {
		return
	}
	limit := icsMaxLine
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		iw.write(s[:cut])
		iw.write("\r\n ")
		s = s[cut:]
		limit = icsMaxLine - 1 // continuation lines begin with the space
	}
	iw.write(s)
	iw.write("\r\n")
}

func (iw *icsWriter) write(s string) {
	if iw.err == nil {
		_, iw.err = iw.w.WriteString(s)
	}
}

var icsEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

// icsText escapes a TEXT value.
func icsText(s string) string { return icsEscaper.Replace(s) }

func icsDate(d workcal.Date) string {
	return strings.ReplaceAll(d.String(), "-", "")
}

// icsHolidayKind names a holiday kind in a feed.
var icsHolidayKind = map[string][2]string{
	"libur_nasional": {"Libur nasional", "National holiday"},
	"cuti_bersama":   {"Cuti bersama", "Collective leave"},
}

// writeICS writes holidays as a calendar; lang "en" prefers English names.
// domain names the UIDs (stable per date: one holiday per day).
func writeICS(w *bufio.Writer, hs []workcal.Holiday, lang, uidDomain string, now time.Time) error {
	iw := &icsWriter{w: w}
	name := "Hari libur nasional dan cuti bersama (Indonesia)"
	if lang == "en" {
		name = "Indonesian national holidays and collective leave"
	}
	iw.line("BEGIN:VCALENDAR")
	iw.line("VERSION:2.0")
	iw.line("PRODID:-//Tanggap//Working-day calendar//" + strings.ToUpper(lang))
	iw.line("CALSCALE:GREGORIAN")
	iw.line("METHOD:PUBLISH")
	iw.line("X-WR-CALNAME:" + icsText(name))
	iw.line("X-WR-TIMEZONE:Asia/Jakarta")
	stamp := now.UTC().Format("20060102T150405Z")
	for _, h := range hs {
		summary := h.NameID
		if lang == "en" && h.NameEN != "" {
			summary = h.NameEN
		}
		kind := icsHolidayKind[string(h.Kind)]
		kindName := kind[0]
		if lang == "en" {
			kindName = kind[1]
		}
		if kindName == "" {
			kindName = string(h.Kind)
		}
		iw.line("BEGIN:VEVENT")
		iw.line("UID:holiday-" + h.Date.String() + "@" + uidDomain)
		iw.line("DTSTAMP:" + stamp)
		iw.line("DTSTART;VALUE=DATE:" + icsDate(h.Date))
		iw.line("DTEND;VALUE=DATE:" + icsDate(h.Date.AddDays(1)))
		iw.line("SUMMARY;LANGUAGE=" + lang + ":" + icsText(summary))
		desc := kindName
		if h.Source != "" {
			desc += ". " + h.Source
		}
		iw.line("DESCRIPTION:" + icsText(desc))
		iw.line("CATEGORIES:" + icsText(kindName))
		iw.line("TRANSP:TRANSPARENT")
		iw.line("END:VEVENT")
	}
	iw.line("END:VCALENDAR")
	return iw.err
}
