package open311

import (
	"encoding/xml"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/synth"
)

func TestSlug(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Administrasi Kependudukan", "administrasi-kependudukan"},
		{"Ketenteraman dan Ketertiban", "ketenteraman-dan-ketertiban"},
		{"  Lingkungan   Hidup / Sampah ", "lingkungan-hidup-sampah"},
		{"Pelayanan Publik (Umum)", "pelayanan-publik-umum"},
		{"Énergi", "energi"},
		{"", "lainnya"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) { require.Equal(t, tc.want, Slug(tc.in)) })
	}
}

func TestKnownCategoriesCoverTheSyntheticOnes(t *testing.T) {
	for _, c := range synth.Categories {
		_, ok := knownCategories[c]
		require.True(t, ok, "category %q has no keywords or group", c)
	}
}

func TestParseRequestQuery(t *testing.T) {
	now := time.Date(2025, 10, 9, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name       string
		query      string
		start, end time.Time
		status     string
		ids, codes []string
		errField   string
	}{
		{name: "defaults: last 90 days", query: "", start: now.Add(-MaxSpan), end: now},
		{name: "start only", query: "start_date=2025-09-01T00:00:00Z", start: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC),
			end: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC).Add(MaxSpan)},
		{name: "end only with offset", query: "end_date=2025-09-01T00:00:00%2B07:00", start: time.Date(2025, 8, 31, 17, 0, 0, 0, time.UTC).Add(-MaxSpan),
			end: time.Date(2025, 8, 31, 17, 0, 0, 0, time.UTC)},
		{name: "status list", query: "status=open,closed", start: now.Add(-MaxSpan), end: now, status: ""},
		{name: "status open", query: "status=open", start: now.Add(-MaxSpan), end: now, status: "open"},
		{name: "ids and codes", query: "service_request_id=A,%20B,&service_code=kesehatan", start: now.Add(-MaxSpan), end: now,
			ids: []string{"A", "B"}, codes: []string{"kesehatan"}},
		{name: "too wide", query: "start_date=2025-01-01T00:00:00Z&end_date=2025-06-01T00:00:00Z", errField: "end_date"},
		{name: "reversed", query: "start_date=2025-06-01T00:00:00Z&end_date=2025-05-01T00:00:00Z", errField: "end_date"},
		{name: "no zone", query: "start_date=2025-06-01T00:00:00", errField: "start_date"},
		{name: "bad status", query: "status=pending", errField: "status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := url.ParseQuery(tc.query)
			require.NoError(t, err)
			q, err := ParseRequestQuery(v, now)
			if tc.errField != "" {
				var ve *domain.ValidationError
				require.True(t, errors.As(err, &ve), "%v", err)
				require.Equal(t, tc.errField, ve.Details[0].Field)
				return
			}
			require.NoError(t, err)
			require.True(t, q.Start.Equal(tc.start), "start %s", q.Start)
			require.True(t, q.End.Equal(tc.end), "end %s", q.End)
			require.Equal(t, tc.status, q.Status)
			require.Equal(t, tc.ids, q.IDs)
			require.Equal(t, tc.codes, q.ServiceCodes)
		})
	}
}

func TestToRequest(t *testing.T) {
	wib, _ := time.LoadLocation("Asia/Jakarta")
	due := time.Date(2025, 10, 14, 16, 59, 59, 0, time.UTC)
	base := store.ServiceRequest{TrackingID: "T-1", Category: "Kesehatan", Title: "Obat habis", Summary: "Di puskesmas",
		SubmittedAt: time.Date(2025, 10, 6, 2, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2025, 10, 7, 3, 0, 0, 0, time.UTC),
		AgencyName: "Kota Bandung", TimeZone: "Asia/Jakarta", StatusNote: "Sedang ditangani"}
	open := base
	open.Open = true
	open.Due = &store.ExportClock{Kind: domain.ClockFirstResponse, DueAt: due, LimitDays: 5}
	open.DueAgencyName = "Dinas Kesehatan"
	conf := open
	conf.Confidential = true
	cases := []struct {
		name string
		in   store.ServiceRequest
		want Request
	}{
		{"closed", base, Request{ServiceRequestID: "T-1", Status: "closed", StatusNotes: "Sedang ditangani", ServiceName: "Kesehatan",
			ServiceCode: "kesehatan", Description: "Obat habis — Di puskesmas", AgencyResponsible: "Kota Bandung",
			RequestedDatetime: "2025-10-06T09:00:00+07:00", UpdatedDatetime: ptr("2025-10-07T10:00:00+07:00")}},
		{"open waits on a clock", open, Request{ServiceRequestID: "T-1", Status: "open", StatusNotes: "Sedang ditangani", ServiceName: "Kesehatan",
			ServiceCode: "kesehatan", Description: "Obat habis — Di puskesmas", AgencyResponsible: "Dinas Kesehatan",
			ServiceNotice:     "Tanggapan pertama dalam 5 hari kerja; tenggat 2025-10-14 23:59 WIB",
			RequestedDatetime: "2025-10-06T09:00:00+07:00", UpdatedDatetime: ptr("2025-10-07T10:00:00+07:00"),
			ExpectedDatetime: ptr(due.In(wib).Format(time.RFC3339))}},
		{"confidential withholds text", conf, Request{ServiceRequestID: "T-1", Status: "open", ServiceName: "Kesehatan",
			ServiceCode: "kesehatan", AgencyResponsible: "Dinas Kesehatan",
			ServiceNotice:     "Tanggapan pertama dalam 5 hari kerja; tenggat 2025-10-14 23:59 WIB",
			RequestedDatetime: "2025-10-06T09:00:00+07:00", UpdatedDatetime: ptr("2025-10-07T10:00:00+07:00"),
			ExpectedDatetime: ptr("2025-10-14T23:59:59+07:00")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, ToRequest(tc.in)) })
	}
}

func ptr(s string) *string { return &s }

func TestEncodeXMLUsesTheSpecsElementNames(t *testing.T) {
	cases := []struct {
		name string
		v    any
		root string
		has  []string
	}{
		{"services", []ServiceEntry{{ServiceCode: "a", ServiceName: "A", Type: "realtime"}}, "services", []string{"<service>", "<service_code>a</service_code>", "<metadata>false</metadata>"}},
		{"definition", Definition{ServiceCode: "a"}, "service_definition", []string{"<attributes></attributes>"}},
		{"requests", []Request{{ServiceRequestID: "T-1", Status: "open"}}, "service_requests", []string{"<request>", "<expected_datetime></expected_datetime>"}},
		{"errors", []Error{{Code: 404, Description: "x & y"}}, "errors", []string{"<error>", "<code>404</code>", "<description>x &amp; y</description>"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Encode(XML, tc.v)
			require.NoError(t, err)
			s := string(b)
			require.True(t, strings.HasPrefix(s, `<?xml version="1.0" encoding="utf-8"?>`))
			var root struct{ XMLName xml.Name }
			require.NoError(t, xml.Unmarshal(b, &root))
			require.Equal(t, tc.root, root.XMLName.Local)
			for _, h := range tc.has {
				require.Contains(t, s, h)
			}
		})
	}
	b, err := Encode(JSON, []Request(nil))
	require.NoError(t, err)
	require.Equal(t, "[]", string(b), "an empty list is [] in JSON")
}
