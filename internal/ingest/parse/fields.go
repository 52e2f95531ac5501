package parse

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// field is a canonical input field (the English CSV header names of design §5
// plus the optional columns of a LAPOR export).
type field uint8

const (
	fTrackingID field = iota
	fReportType
	fCategory
	fChannel
	fSubmittedAt
	fAgencyCode
	fAnonymous
	fConfidential
	fTitle
	fSummary
	fReporterName
	fReporterContact
	fRegionCode
	fSource
	fSourceUpdatedAt
	fStatus
	fAssignedAt
	fClosedAt
	fEventID
	fKind
	fAt
	fToAgencyCode
	fPublicText
	numFields
)

var fieldNames = [numFields]string{
	"tracking_id", "report_type", "category", "channel", "submitted_at", "agency_code",
	"anonymous", "confidential", "title", "summary", "reporter_name", "reporter_contact",
	"region_code", "source", "source_updated_at", "status", "assigned_at", "closed_at",
	"event_id", "kind", "at", "to_agency_code", "public_text",
}

func (f field) String() string { return fieldNames[f] }

var (
	complaintFields = []field{fTrackingID, fReportType, fCategory, fChannel, fSubmittedAt, fAgencyCode,
		fAnonymous, fConfidential, fTitle, fSummary, fReporterName, fReporterContact, fRegionCode,
		fSource, fSourceUpdatedAt, fStatus, fAssignedAt, fClosedAt}
	eventFields       = []field{fTrackingID, fEventID, fKind, fAt, fAgencyCode, fToAgencyCode, fPublicText, fSource}
	complaintRequired = []field{fTrackingID, fReportType, fSubmittedAt, fAgencyCode}
	eventRequired     = []field{fTrackingID, fKind, fAt}
	fieldByName       = map[string]field{}
	complaintFieldSet [numFields]bool
	eventFieldSet     [numFields]bool
	// normalised LAPOR preset header → field and its preference rank
	complaintAliasList = map[string]alias{}
	eventAliasList     = map[string]alias{}
)

// alias is a preset header: its field and rank (lower is preferred when
// several columns feed one field).
type alias struct {
	f    field
	rank int
}

// laporComplaintPreset is the Indonesian header preset of lapor-policy.md §c,
// in order of preference per field (an ID column beats a name fallback).
var laporComplaintPreset = []struct {
	f       field
	headers []string
}{
	{fTrackingID, []string{"Tracking ID", "TrackingID", "ID Laporan", "Nomor Tracking", "No Tracking", "ID SP4N", "sp4n_id", "complaint_id"}},
	{fReportType, []string{"Klasifikasi", "Klasifikasi Laporan", "Jenis Laporan"}},
	{fCategory, []string{"Kategori", "Kategori Laporan"}},
	{fChannel, []string{"Kanal", "Sumber", "Sumber Laporan"}},
	{fSubmittedAt, []string{"Tanggal Laporan Masuk", "TanggalLaporanMasuk", "Tanggal Laporan", "Tanggal", "created_at", "sp4n_created_at"}},
	{fAgencyCode, []string{"Disposisi Instansi ID", "DisposisiInstansiID", "disposition_id", "Disposisi Instansi", "Instansi", "disposition_name"}},
	{fAnonymous, []string{"Anonim", "is_anonymous"}},
	{fConfidential, []string{"Rahasia", "is_secret"}},
	{fTitle, []string{"Judul", "Judul Laporan", "JudulLaporan"}},
	{fSummary, []string{"Isi", "Isi Laporan", "IsiLaporan"}},
	{fReporterName, []string{"Pelapor", "Nama Pelapor"}},
	{fReporterContact, []string{"Kontak", "Email", "Telepon", "No HP"}},
	{fRegionCode, []string{"Area ID", "AreaID", "AreID", "Kode Wilayah", "Area", "Lokasi"}},
	{fStatus, []string{"Status", "status_name"}},
	{fSourceUpdatedAt, []string{"Tanggal Laporan Aktivitas Terakhir", "TanggalLaporanAktivitasTerakhir", "updated_at"}},
	{fAssignedAt, []string{"Tanggal Disposisi", "TanggalDisposisi"}},
	{fClosedAt, []string{"Tanggal Laporan Ditutup", "TanggalLaporanDitutup"}},
}

// laporEventPreset names event columns as in the LAPOR V3 activity log.
var laporEventPreset = []struct {
	f       field
	headers []string
}{
	{fTrackingID, []string{"Tracking ID", "TrackingID", "ID Laporan", "No Tracking", "complaint_id"}},
	{fEventID, []string{"ID Aktivitas", "log_id"}},
	{fKind, []string{"Jenis", "Aktivitas", "Status", "status_new"}},
	{fAt, []string{"Tanggal", "Waktu", "date", "created_at"}},
	{fAgencyCode, []string{"Instansi", "Instansi Asal", "institution_from"}},
	{fToAgencyCode, []string{"Instansi Tujuan", "institution_to"}},
	{fPublicText, []string{"Isi", "Tanggapan", "content"}},
}

func init() {
	for i, n := range fieldNames {
		fieldByName[n] = field(i)
	}
	for _, f := range complaintFields {
		complaintFieldSet[f] = true
	}
	for _, f := range eventFields {
		eventFieldSet[f] = true
	}
	for _, p := range laporComplaintPreset {
		for i, h := range p.headers {
			complaintAliasList[normHeader(h)] = alias{p.f, i + 1}
		}
	}
	for _, p := range laporEventPreset {
		for i, h := range p.headers {
			eventAliasList[normHeader(h)] = alias{p.f, i + 1}
		}
	}
}

// normHeader folds case and drops spaces and punctuation, so "Tracking ID",
// "tracking_id" and "TrackingID" all match.
func normHeader(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Mapping maps input column names to field names (design §5 header names).
// A field name "-" ignores the column without a warning. Column names are
// matched like the built-in headers: case, spaces and punctuation ignored.
type Mapping map[string]string

// ParseMapping reads "column=field" lines; blank lines and lines starting with
// '#' are skipped. The result is also what MappingFromPairs builds.
func ParseMapping(r io.Reader) (Mapping, error) {
	sc := bufio.NewScanner(r)
	var pairs []string
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pairs = append(pairs, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("parse: read mapping: %w", err)
	}
	return MappingFromPairs(pairs)
}

// MappingFromPairs builds a Mapping from "column=field" pairs (for example
// repeated --map flags).
func MappingFromPairs(pairs []string) (Mapping, error) {
	m := Mapping{}
	v := &domain.ValidationError{Message: "invalid column mapping"}
	for i, p := range pairs {
		col, fld, ok := strings.Cut(p, "=")
		col, fld = strings.TrimSpace(col), strings.TrimSpace(fld)
		switch {
		case !ok || col == "":
			v.Details = append(v.Details, domain.FieldError{Line: i + 1, Reason: fmt.Sprintf("%q is not column=field", p)})
			continue
		case fld == "-":
		default:
			if _, known := fieldByName[fld]; !known {
				v.Details = append(v.Details, domain.FieldError{Line: i + 1, Field: fld, Reason: "unknown field; valid: " + strings.Join(fieldNames[:], ", ")})
				continue
			}
		}
		m[col] = fld
	}
	if len(v.Details) > 0 {
		return nil, v
	}
	return m, nil
}

// header says which input columns feed each field, in order of preference: a
// field's value is the first non-empty one.
type header struct {
	kind     Kind
	cols     [numFields][]int
	warnings []domain.FieldError
}

// resolveHeader maps the column names of a CSV or XLSX header row.
func resolveHeader(names []string, kind Kind, m Mapping) (*header, error) {
	user := make(map[string]string, len(m))
	for col, f := range m {
		user[normHeader(col)] = f
	}
	if kind == KindAuto {
		kind = detectKind(names, user)
	}
	h := &header{kind: kind}
	allowed, aliases, required := &complaintFieldSet, complaintAliasList, complaintRequired
	if kind == KindEvents {
		allowed, aliases, required = &eventFieldSet, eventAliasList, eventRequired
	}
	type cand struct{ col, rank int }
	var cands [numFields][]cand
	for i, name := range names {
		n := normHeader(name)
		if uf, ok := user[n]; ok {
			if uf == "-" {
				continue
			}
			f := fieldByName[uf]
			if !allowed[f] {
				return nil, &domain.ValidationError{Message: "invalid column mapping", Details: []domain.FieldError{{
					Field: uf, Reason: fmt.Sprintf("not a field of %s", kind)}}}
			}
			cands[f] = append(cands[f], cand{i, -1}) // user mapping wins
			continue
		}
		if f, ok := fieldByName[canonicalName(n)]; ok && allowed[f] {
			cands[f] = append(cands[f], cand{i, 0})
			continue
		}
		if a, ok := aliases[n]; ok {
			cands[a.f] = append(cands[a.f], cand{i, a.rank})
			continue
		}
		h.warnings = append(h.warnings, domain.FieldError{Line: 1, Field: name, Reason: "unknown column, ignored"})
	}
	for f := range cands {
		c := cands[f]
		sort.SliceStable(c, func(a, b int) bool { return c[a].rank < c[b].rank })
		for _, x := range c {
			h.cols[f] = append(h.cols[f], x.col)
		}
	}
	var missing []domain.FieldError
	for _, f := range required {
		if len(h.cols[f]) == 0 {
			missing = append(missing, domain.FieldError{Line: 1, Field: f.String(), Reason: "required column missing"})
		}
	}
	if len(missing) > 0 {
		return nil, &domain.ValidationError{Message: fmt.Sprintf("%s header lacks required columns", kind), Details: missing}
	}
	return h, nil
}

// normToCanonical maps a normalised header back to the field name it spells.
var normToCanonical = func() map[string]string {
	m := make(map[string]string, numFields)
	for _, n := range fieldNames {
		m[normHeader(n)] = n
	}
	return m
}()

// canonicalName is the field name a normalised header spells, or "".
func canonicalName(norm string) string { return normToCanonical[norm] }

// detectKind reads an events file when the header names the event kind and
// time but no complaint-only field (report type, submission time).
func detectKind(names []string, user map[string]string) Kind {
	var hasKind, hasAt, complaintOnly bool
	for _, name := range names {
		n := normHeader(name)
		fname, mapped := user[n]
		if !mapped {
			fname = canonicalName(n)
		}
		if fname == "" {
			if a, ok := eventAliasList[n]; ok {
				fname = fieldNames[a.f]
			}
			if a, ok := complaintAliasList[n]; ok && (a.f == fReportType || a.f == fSubmittedAt) && fname == "" {
				fname = fieldNames[a.f]
			}
		}
		switch fname {
		case "kind":
			hasKind = true
		case "at":
			hasAt = true
		case "report_type", "submitted_at":
			complaintOnly = true
		}
	}
	if hasKind && hasAt && !complaintOnly {
		return KindEvents
	}
	return KindComplaints
}
