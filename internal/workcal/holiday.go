package workcal

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tanggap-id/tanggap/config/catalog"
	"github.com/tanggap-id/tanggap/internal/domain"
)

// HolidayKind says why offices are closed on a day.
type HolidayKind string

const (
	// LiburNasional is a national public holiday (SKB 3 Menteri or Keppres).
	LiburNasional HolidayKind = "libur_nasional"
	// CutiBersama is a collective leave day set by the same decree.
	CutiBersama HolidayKind = "cuti_bersama"
)

// Valid reports whether k is a known kind.
func (k HolidayKind) Valid() bool { return k == LiburNasional || k == CutiBersama }

// Holiday is one non-working day of the national calendar. Holidays on a
// weekend are kept: they are still holidays and pages name them.
type Holiday struct {
	Date   Date
	Kind   HolidayKind
	NameID string
	NameEN string
	Source string // the decree(s) that set the day
}

var holidayColumns = []string{"date", "kind", "name_id", "name_en", "source"}

// ParseHolidaysCSV reads the holidays-id.csv format: a header naming the
// columns date, kind, name_id, name_en, source (any order, extra columns
// ignored) and one row per day. Every bad row is reported by line and field in
// one *domain.ValidationError.
func ParseHolidaysCSV(r io.Reader) ([]Holiday, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, domain.Invalid("header", "empty holiday file")
		}
		return nil, fmt.Errorf("workcal: read holiday header: %w", errors.Join(domain.ErrInvalid, err))
	}
	col := map[string]int{}
	for i, name := range header {
		col[strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))] = i
	}
	verr := &domain.ValidationError{Message: "invalid holiday file"}
	for _, name := range holidayColumns {
		if _, ok := col[name]; !ok {
			verr.Details = append(verr.Details, domain.FieldError{Line: 1, Field: name, Reason: "missing column"})
		}
	}
	if len(verr.Details) > 0 {
		return nil, verr
	}

	var out []Holiday
	seen := map[Date]int{} // date → line first seen
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			verr.Details = append(verr.Details, domain.FieldError{Line: line, Reason: err.Error()})
			continue
		}
		field := func(name string) string {
			if i := col[name]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		bad := func(name, reason string) {
			verr.Details = append(verr.Details, domain.FieldError{Line: line, Field: name, Reason: reason})
		}
		h := Holiday{
			Kind:   HolidayKind(field("kind")),
			NameID: field("name_id"),
			NameEN: field("name_en"),
			Source: field("source"),
		}
		d, err := ParseDate(field("date"))
		if err != nil {
			bad("date", err.Error())
		} else if first, dup := seen[d]; dup {
			bad("date", fmt.Sprintf("%s already listed on line %d", d, first))
		} else {
			seen[d] = line
			h.Date = d
		}
		if !h.Kind.Valid() {
			bad("kind", fmt.Sprintf("%q: want %s or %s", h.Kind, LiburNasional, CutiBersama))
		}
		if h.NameID == "" {
			bad("name_id", "required")
		}
		if h.Source == "" {
			bad("source", "required: the decree that sets the day")
		}
		out = append(out, h)
	}
	if len(verr.Details) > 0 {
		return nil, verr
	}
	slices.SortFunc(out, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return out, nil
}

// LoadEmbedded parses the holiday calendar shipped in the catalog package.
func LoadEmbedded() ([]Holiday, error) {
	f, err := catalog.FS.Open(catalog.Holidays)
	if err != nil {
		return nil, fmt.Errorf("workcal: open embedded holidays: %w", err)
	}
	defer f.Close()
	hs, err := ParseHolidaysCSV(f)
	if err != nil {
		return nil, fmt.Errorf("workcal: embedded %s: %w", catalog.Holidays, err)
	}
	return hs, nil
}

// ContentVersion derives a calendar version from the holiday rows themselves
// ("hol-" + 12 hex digits of a SHA-256 over date and kind): any added, removed
// or re-kinded day gives a new version, and the same data always the same one.
// Names and sources do not change what counts, so they are left out.
func ContentVersion(holidays []Holiday) string {
	hs := slices.Clone(holidays)
	slices.SortFunc(hs, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	h := sha256.New()
	for _, x := range hs {
		fmt.Fprintf(h, "%s,%s\n", x.Date, x.Kind)
	}
	return "hol-" + hex.EncodeToString(h.Sum(nil))[:12]
}
