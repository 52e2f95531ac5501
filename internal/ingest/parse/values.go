package parse

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// ErrNeedsZone is returned by ParseTime for a local time when no zone is known.
var ErrNeedsZone = errors.New("local time needs the agency's time zone")

var (
	localISOLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04"}
	localDashDMY    = []string{"02-01-2006 15:04:05", "02-01-2006 15:04"}
	localSlashDMY   = []string{"02/01/2006 15:04:05", "02/01/2006 15:04"}
)

// ParseTime reads an RFC 3339 time with offset, or a local time
// "YYYY-MM-DD HH:MM[:SS]" (also "DD-MM-YYYY HH:MM[:SS]" and
// "DD/MM/YYYY HH:MM[:SS]" as LAPOR exports write them) in loc, in the years
// 1970–2199. The layout is
// picked from the shape of s, so a bad value costs one parse attempt, not one
// per layout.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) < 16 {
		return time.Time{}, fmt.Errorf("%q is not a time (want RFC 3339 or YYYY-MM-DD HH:MM[:SS])", s)
	}
	var layouts []string
	switch {
	case s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == 't' || s[10] == ' '):
		if hasOffset(s) {
			b := []byte(s)
			b[10] = 'T' // RFC 3339 allows a space there; time.RFC3339 does not
			t, err := time.Parse(time.RFC3339Nano, string(b))
			if err != nil {
				return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", s)
			}
			return plausible(s, t)
		}
		if s[10] != ' ' {
			b := []byte(s)
			b[10] = ' '
			s = string(b)
		}
		layouts = localISOLayouts
	case s[2] == '-' && s[5] == '-':
		layouts = localDashDMY
	case s[2] == '/' && s[5] == '/':
		layouts = localSlashDMY
	default:
		return time.Time{}, fmt.Errorf("%q is not a time (want RFC 3339 or YYYY-MM-DD HH:MM[:SS])", s)
	}
	if loc == nil {
		return time.Time{}, ErrNeedsZone
	}
	layout := layouts[1]
	if len(s) >= 19 && s[16] == ':' {
		layout = layouts[0]
	}
	t, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a valid local time (%s)", s, layout)
	}
	return plausible(s, t)
}

// Years outside this range are typing or export errors. The bound also keeps
// out the pre-1932 local mean times of Indonesian zones, whose offsets have
// seconds that RFC 3339 cannot write.
const minYear, maxYear = 1970, 2199

func plausible(s string, t time.Time) (time.Time, error) {
	if y := t.Year(); y < minYear || y > maxYear {
		return time.Time{}, fmt.Errorf("%q is outside the years %d-%d", s, minYear, maxYear)
	}
	return t, nil
}

// hasOffset reports whether an ISO date-time ends with Z or ±hh:mm.
func hasOffset(s string) bool {
	last := s[len(s)-1]
	if last == 'Z' || last == 'z' {
		return true
	}
	if len(s) >= 22 {
		c := s[len(s)-6]
		return (c == '+' || c == '-') && s[len(s)-3] == ':'
	}
	return false
}

// ParseBool reads true/false, 1/0, ya/tidak, y/t, yes/no (any case); empty is
// false.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "ya", "y", "yes":
		return true, nil
	case "false", "0", "tidak", "t", "no", "n", "":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean (true/false, 1/0, ya/tidak)", s)
}

// normValue folds a vocabulary value: lower case, runs of other characters
// become one '_' ("Permintaan Informasi" → "permintaan_informasi").
func normValue(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	sep := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			b.WriteRune(r)
			continue
		}
		sep = true
	}
	return b.String()
}

// ParseReportType reads a report type, in English or as LAPOR labels it.
func ParseReportType(s string) (domain.ReportType, error) {
	switch t := domain.ReportType(normValue(s)); t {
	case domain.ReportAspirasi, domain.ReportPengaduan, domain.ReportPermintaanInformasi:
		return t, nil
	}
	return "", fmt.Errorf("unknown report type %q; valid: aspirasi, pengaduan, permintaan_informasi", s)
}

// laporEventTerms maps the unambiguous LAPOR status and action words of
// lapor-policy.md §b to event kinds. "arsip" is read as closed (archived
// after follow-up); an archive before disposition must be sent as rejected.
var laporEventTerms = map[string]domain.EventKind{
	"laporan_masuk":         domain.EventSubmitted,
	"masuk":                 domain.EventSubmitted,
	"verifikasi":            domain.EventVerified,
	"terverifikasi":         domain.EventVerified,
	"sudah_terverifikasi":   domain.EventVerified,
	"disahkan":              domain.EventVerified,
	"ditolak":               domain.EventRejected,
	"dihapus":               domain.EventRejected,
	"disposisi":             domain.EventAssigned,
	"didisposisi":           domain.EventAssigned,
	"limpah":                domain.EventForwarded,
	"dilimpahkan":           domain.EventForwarded,
	"bukan_wewenang":        domain.EventForwarded,
	"teruskan":              domain.EventForwarded,
	"diteruskan":            domain.EventForwarded,
	"tindak_lanjut":         domain.EventResponded,
	"ditindaklanjuti":       domain.EventResponded,
	"sudah_ditindaklanjuti": domain.EventResponded,
	"tl":                    domain.EventResponded,
	"tunda":                 domain.EventClarificationRequested,
	"ditunda":               domain.EventClarificationRequested,
	"tanggapan_pelapor":     domain.EventClarificationReceived,
	"data_dilengkapi":       domain.EventClarificationReceived,
	"selesai":               domain.EventCompleted,
	"dibuka_kembali":        domain.EventReopened,
	"arsip":                 domain.EventClosed,
	"arsipkan":              domain.EventClosed,
	"diarsip":               domain.EventClosed,
	"diarsipkan":            domain.EventClosed,
}

// ParseEventKind reads an event kind (domain.EventKinds) or a LAPOR term.
func ParseEventKind(s string) (domain.EventKind, error) {
	n := normValue(s)
	if k := domain.EventKind(n); k.Valid() {
		return k, nil
	}
	if k, ok := laporEventTerms[n]; ok {
		return k, nil
	}
	return "", fmt.Errorf("unknown event kind %q", s)
}
