// Package open311 is the read side of Open311 GeoReport v2 over Tanggap's
// complaints: report categories as services, complaints as service
// requests (service_request_id = the LAPOR tracking id), statuses open or
// closed, and expected_datetime = the deadline of the clock the request
// waits on. Reporter data never appears; a confidential complaint's text
// is withheld.
package open311

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// DefaultJurisdiction is the jurisdiction_id accepted when none is configured.
const DefaultJurisdiction = "tanggap.id"

const (
	// MaxRequests caps one GET requests answer (the spec suggests 1 000).
	MaxRequests = 1000
	// MaxSpan is the widest start_date..end_date window and the default one.
	MaxSpan = 90 * 24 * time.Hour
	// categoryTTL is how long the distinct categories are cached: listing
	// them scans the complaints.
	categoryTTL = 10 * time.Minute
)

// category describes a known LAPOR report category.
type category struct {
	keywords, group string
}

// knownCategories are the LAPOR categories Tanggap knows (those of the
// synthetic data, after LAPOR's own list), with keywords and a group.
// Categories found only in the data are served too, in group "lainnya".
var knownCategories = map[string]category{
	"Infrastruktur":               {"jalan, jembatan, drainase, lampu jalan", "infrastruktur"},
	"Transportasi":                {"angkutan umum, terminal, parkir, lalu lintas", "infrastruktur"},
	"Kesehatan":                   {"puskesmas, rumah sakit, bpjs, obat", "layanan sosial"},
	"Pendidikan":                  {"sekolah, guru, ppdb, beasiswa", "layanan sosial"},
	"Sosial":                      {"bantuan sosial, bansos, disabilitas, lansia", "layanan sosial"},
	"Ketenagakerjaan":             {"upah, phk, pelatihan kerja, tenaga kerja", "layanan sosial"},
	"Administrasi Kependudukan":   {"ktp, kartu keluarga, akta kelahiran, dukcapil", "administrasi"},
	"Perizinan":                   {"izin usaha, imb, pbg, oss", "administrasi"},
	"Lingkungan Hidup":            {"sampah, limbah, banjir, pencemaran", "lingkungan dan ketertiban"},
	"Ketenteraman dan Ketertiban": {"pkl, satpol pp, keamanan, ketertiban umum", "lingkungan dan ketertiban"},
}

// Slug is a category's stable service code: lower-case ASCII words joined
// by hyphens ("Administrasi Kependudukan" → "administrasi-kependudukan").
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(name) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		case unicode.Is(unicode.Mn, r): // accents dropped by NFKD
		default:
			dash = true
		}
	}
	if b.Len() == 0 {
		return "lainnya"
	}
	return b.String()
}

// Service answers GeoReport v2 reads from the store.
type Service struct {
	store         *store.Store
	now           func() time.Time
	jurisdictions []string

	mu         sync.Mutex
	categories []string
	loadedAt   time.Time
}

// NewService builds the Open311 service. jurisdictions are the accepted
// jurisdiction_id values (empty: DefaultJurisdiction).
func NewService(st *store.Store, now func() time.Time, jurisdictions ...string) *Service {
	var js []string
	for _, j := range jurisdictions {
		if j = strings.TrimSpace(j); j != "" {
			js = append(js, j)
		}
	}
	if len(js) == 0 {
		js = []string{DefaultJurisdiction}
	}
	return &Service{store: st, now: now, jurisdictions: js}
}

// Now is the service's clock (start_date/end_date defaults read it).
func (s *Service) Now() time.Time { return s.now() }

// CheckJurisdiction accepts an empty id (there is one jurisdiction) or a
// configured one; anything else is not found (GeoReport error 404).
func (s *Service) CheckJurisdiction(id string) error {
	if id == "" || slices.Contains(s.jurisdictions, id) {
		return nil
	}
	return fmt.Errorf("jurisdiction_id provided was not found (this server serves %s): %w",
		strings.Join(s.jurisdictions, ", "), domain.ErrNotFound)
}

// categoryNames returns every category name served: the known ones and
// those found in the data, sorted.
func (s *Service) categoryNames(ctx context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.categories != nil && s.now().Sub(s.loadedAt) < categoryTTL {
		return s.categories, nil
	}
	found, err := s.store.ComplaintCategories(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(knownCategories)+len(found))
	for n := range knownCategories {
		names = append(names, n)
	}
	names = append(names, found...)
	slices.Sort(names)
	s.categories, s.loadedAt = slices.Compact(names), s.now()
	return s.categories, nil
}

func entry(name string) ServiceEntry {
	cat, ok := knownCategories[name]
	if !ok {
		cat = category{keywords: strings.ToLower(name), group: "lainnya"}
	}
	return ServiceEntry{ServiceCode: Slug(name), ServiceName: name, Metadata: false, Type: "realtime",
		Keywords: cat.keywords, Group: cat.group,
		Description: "Pengaduan, aspirasi dan permintaan informasi SP4N-LAPOR! kategori " + name + "."}
}

// Services lists the report categories as GeoReport services.
func (s *Service) Services(ctx context.Context) ([]ServiceEntry, error) {
	names, err := s.categoryNames(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ServiceEntry, 0, len(names))
	seen := map[string]bool{}
	for _, n := range names {
		e := entry(n)
		if !seen[e.ServiceCode] { // two spellings of one category: one code
			seen[e.ServiceCode] = true
			out = append(out, e)
		}
	}
	return out, nil
}

// namesOf returns the category names whose code is one of codes.
func (s *Service) namesOf(ctx context.Context, codes []string) ([]string, error) {
	names, err := s.categoryNames(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if slices.Contains(codes, Slug(n)) {
			out = append(out, n)
		}
	}
	return out, nil
}

// Definition returns a service's definition. No service has metadata, so
// its attributes are empty; an unknown code is not found.
func (s *Service) Definition(ctx context.Context, code string) (Definition, error) {
	names, err := s.namesOf(ctx, []string{code})
	if err != nil {
		return Definition{}, err
	}
	if len(names) == 0 {
		return Definition{}, fmt.Errorf("service_code %q not found: %w", code, domain.ErrNotFound)
	}
	return Definition{ServiceCode: code, Attributes: []Attribute{}}, nil
}

// RequestQuery is a parsed GET requests query.
type RequestQuery struct {
	IDs          []string // overrides every other filter
	ServiceCodes []string
	Start, End   time.Time
	Status       string // "open", "closed" or "" (both)
}

// ParseRequestQuery reads the spec's filters: service_request_id and
// service_code (comma lists), start_date and end_date (W3C datetimes,
// defaulting to the 90 days before now and at most 90 days apart) and
// status (open, closed or both, comma delimited).
func ParseRequestQuery(v url.Values, now time.Time) (RequestQuery, error) {
	var q RequestQuery
	q.IDs = commaList(v.Get("service_request_id"))
	if len(q.IDs) > MaxRequests {
		return q, domain.Invalidf("service_request_id", "at most %d ids at once", MaxRequests)
	}
	q.ServiceCodes = commaList(v.Get("service_code"))
	for _, st := range commaList(v.Get("status")) {
		if st != "open" && st != "closed" {
			return q, domain.Invalidf("status", "%q is not a status: use open, closed or both comma delimited", st)
		}
		if q.Status != "" && q.Status != st {
			q.Status = "both"
		} else {
			q.Status = st
		}
	}
	if q.Status == "both" {
		q.Status = ""
	}
	start, err := parseDatetime(v.Get("start_date"), "start_date")
	if err != nil {
		return q, err
	}
	end, err := parseDatetime(v.Get("end_date"), "end_date")
	if err != nil {
		return q, err
	}
	switch {
	case start.IsZero() && end.IsZero():
		end = now
		start = end.Add(-MaxSpan)
	case end.IsZero():
		end = start.Add(MaxSpan)
	case start.IsZero():
		start = end.Add(-MaxSpan)
	}
	if end.Before(start) {
		return q, domain.Invalid("end_date", "end_date is before start_date")
	}
	if end.Sub(start) > MaxSpan {
		return q, domain.Invalid("end_date", "start_date and end_date may not span more than 90 days")
	}
	q.Start, q.End = start, end
	return q, nil
}

func commaList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseDatetime reads a W3C datetime with its zone (Z or ±hh:mm).
func parseDatetime(s, field string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, domain.Invalidf(field, "%q is not a W3C datetime with a zone, e.g. 2025-10-01T00:00:00+07:00", s)
	}
	return t, nil
}

// Requests answers GET requests, newest first, at most MaxRequests.
func (s *Service) Requests(ctx context.Context, q RequestQuery) ([]Request, error) {
	f := store.ServiceRequestFilter{TrackingIDs: q.IDs, Limit: MaxRequests}
	if len(q.IDs) == 0 {
		f.From, f.To, f.Status = q.Start, q.End.Add(time.Nanosecond), q.Status // end_date is inclusive
		if len(q.ServiceCodes) > 0 {
			names, err := s.namesOf(ctx, q.ServiceCodes)
			if err != nil {
				return nil, err
			}
			if len(names) == 0 {
				return []Request{}, nil
			}
			f.Categories = names
		}
	}
	rows, err := s.store.ServiceRequests(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]Request, len(rows))
	for i, r := range rows {
		out[i] = ToRequest(r)
	}
	return out, nil
}

// Request answers GET request: the requests with this tracking id (one,
// unless several sources share it), not found when there is none.
func (s *Service) Request(ctx context.Context, id string) ([]Request, error) {
	out, err := s.Requests(ctx, RequestQuery{IDs: []string{id}})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("service_request_id %q not found: %w", id, domain.ErrNotFound)
	}
	return out, nil
}

var kindNotice = map[domain.ClockKind]string{
	domain.ClockVerification:  "Verifikasi",
	domain.ClockFirstResponse: "Tanggapan pertama",
	domain.ClockCompletion:    "Penyelesaian",
}

// ToRequest maps a stored complaint onto a GeoReport request.
func ToRequest(r store.ServiceRequest) Request {
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil {
		loc = time.FixedZone("WIB", 7*3600)
	}
	w3c := func(t time.Time) string { return t.In(loc).Format(time.RFC3339) }
	out := Request{
		ServiceRequestID:  r.TrackingID,
		Status:            "closed",
		ServiceName:       r.Category,
		ServiceCode:       Slug(r.Category),
		AgencyResponsible: r.AgencyName,
		RequestedDatetime: w3c(r.SubmittedAt),
	}
	if r.Category == "" {
		out.ServiceName = "Lainnya"
	}
	if !r.UpdatedAt.IsZero() {
		u := w3c(r.UpdatedAt)
		out.UpdatedDatetime = &u
	}
	if r.Open {
		out.Status = "open"
	}
	if !r.Confidential {
		out.Description = r.Title
		if r.Summary != "" && r.Summary != r.Title {
			if out.Description != "" {
				out.Description += " — "
			}
			out.Description += r.Summary
		}
		out.StatusNotes = r.StatusNote
	}
	if r.Open && r.Due != nil {
		d := w3c(r.Due.DueAt)
		out.ExpectedDatetime = &d
		out.AgencyResponsible = r.DueAgencyName
		due := r.Due.DueAt.In(loc)
		zone := domain.IndonesianZones[r.TimeZone]
		if zone == "" {
			zone = due.Format("-07:00")
		}
		out.ServiceNotice = fmt.Sprintf("%s dalam %d hari kerja; tenggat %s %s", kindNotice[r.Due.Kind], r.Due.LimitDays,
			due.Format("2006-01-02 15:04"), zone)
	}
	return out
}

// HostOf is the host of a public base URL ("" when unset or unparsable),
// accepted as a jurisdiction_id beside DefaultJurisdiction.
func HostOf(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
