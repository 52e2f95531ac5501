package parse

import (
	"errors"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func TestParseTime(t *testing.T) {
	wib := mustZone(t, "Asia/Jakarta")
	wita := mustZone(t, "Asia/Makassar")
	cases := []struct {
		name    string
		in      string
		loc     *time.Location
		want    string // RFC 3339 instant expected, "" for an error
		wantErr error
	}{
		{"rfc3339 offset", "2024-04-05T14:30:00+07:00", nil, "2024-04-05T07:30:00Z", nil},
		{"rfc3339 Z", "2024-04-05T14:30:00Z", wib, "2024-04-05T14:30:00Z", nil},
		{"rfc3339 space separator", "2024-04-05 14:30:00+08:00", nil, "2024-04-05T06:30:00Z", nil},
		{"rfc3339 fraction", "2024-04-05T14:30:00.250+07:00", nil, "2024-04-05T07:30:00.25Z", nil},
		{"offset wins over agency zone", "2024-04-05T14:30:00+09:00", wib, "2024-04-05T05:30:00Z", nil},
		{"local seconds WIB", "2024-04-05 14:30:15", wib, "2024-04-05T07:30:15Z", nil},
		{"local minutes WITA", "2024-04-05 14:30", wita, "2024-04-05T06:30:00Z", nil},
		{"local T separator", "2024-04-05T14:30:00", wib, "2024-04-05T07:30:00Z", nil},
		{"local fraction", "2024-04-05 14:30:00.5", wib, "2024-04-05T07:30:00.5Z", nil},
		{"lapor d-m-Y H:i:s", "05-04-2024 14:30:00", wib, "2024-04-05T07:30:00Z", nil},
		{"lapor d/m/Y H:i", "05/04/2024 14:30", wib, "2024-04-05T07:30:00Z", nil},
		{"surrounding space", "  2024-04-05 14:30  ", wib, "2024-04-05T07:30:00Z", nil},
		{"local without zone", "2024-04-05 14:30", nil, "", ErrNeedsZone},
		{"dmy without zone", "05/04/2024 14:30", nil, "", ErrNeedsZone},
		{"month 13", "2024-13-05 10:00", wib, "", nil},
		{"feb 30", "2024-02-30 10:00:00", wib, "", nil},
		{"hour 25", "2024-02-10 25:00", wib, "", nil},
		{"date only", "2024-04-05", wib, "", nil},
		{"empty", "", wib, "", nil},
		{"words", "kemarin sore jam tiga", wib, "", nil},
		{"offset without colon", "2024-04-05T14:30:00+0700", wib, "", nil},
		{"us order slash", "04/25/2024 10:00", wib, "", nil},
		{"year 0 local", "0000-01-01 00:00", wib, "", nil},
		{"year 1969 offset", "1969-12-31T23:59:59Z", nil, "", nil},
		{"year 2200", "2200-01-01T00:00:00+07:00", nil, "", nil},
		{"earliest year", "1970-01-01T07:00:00+07:00", nil, "1970-01-01T00:00:00Z", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTime(tc.in, tc.loc)
			if tc.want == "" {
				require.Error(t, err)
				if tc.wantErr != nil {
					assert.True(t, errors.Is(err, tc.wantErr), "error %v is not %v", err, tc.wantErr)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got.UTC().Format(time.RFC3339Nano))
		})
	}
	t.Run("local keeps agency zone", func(t *testing.T) {
		got, err := ParseTime("2024-04-05 14:30", wita)
		require.NoError(t, err)
		assert.Equal(t, "2024-04-05T14:30:00+08:00", got.Format(time.RFC3339))
	})
}

func TestParseBool(t *testing.T) {
	cases := []struct {
		in      string
		want    bool
		wantErr bool
	}{
		{"true", true, false}, {"TRUE", true, false}, {"1", true, false}, {"ya", true, false},
		{"Ya", true, false}, {"y", true, false}, {"yes", true, false},
		{"false", false, false}, {"0", false, false}, {"tidak", false, false}, {"Tidak", false, false},
		{"t", false, false}, {"no", false, false}, {"", false, false}, {"  ", false, false},
		{"2", false, true}, {"benar", false, true}, {"ya tidak", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseBool(tc.in)
			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseReportType(t *testing.T) {
	cases := []struct {
		in   string
		want domain.ReportType
	}{
		{"aspirasi", domain.ReportAspirasi},
		{"Aspirasi", domain.ReportAspirasi},
		{"PENGADUAN", domain.ReportPengaduan},
		{"permintaan_informasi", domain.ReportPermintaanInformasi},
		{"Permintaan Informasi", domain.ReportPermintaanInformasi},
		{"permintaan-informasi", domain.ReportPermintaanInformasi},
		{"keluhan", ""},
		{"informasi", ""},
		{"", ""},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseReportType(tc.in)
			if tc.want == "" {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseEventKind(t *testing.T) {
	cases := []struct {
		in   string
		want domain.EventKind
	}{
		{"submitted", domain.EventSubmitted},
		{"clarification_requested", domain.EventClarificationRequested},
		{"Clarification Received", domain.EventClarificationReceived},
		{"disposisi", domain.EventAssigned},
		{"Tindak Lanjut", domain.EventResponded},
		{"selesai", domain.EventCompleted},
		{"Limpah", domain.EventForwarded},
		{"bukan wewenang", domain.EventForwarded},
		{"Bukan-Wewenang", domain.EventForwarded},
		{"tunda", domain.EventClarificationRequested},
		{"verifikasi", domain.EventVerified},
		{"Terverifikasi", domain.EventVerified},
		{"arsip", domain.EventClosed},
		{"ditolak", domain.EventRejected},
		{"eskalasi", ""}, // no generic kind (lapor-policy.md §b)
		{"proses", ""},
		{"", ""},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseEventKind(tc.in)
			if tc.want == "" {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	t.Run("every domain kind reads as itself", func(t *testing.T) {
		for _, k := range domain.EventKinds {
			got, err := ParseEventKind(string(k))
			require.NoError(t, err)
			assert.Equal(t, k, got)
		}
	})
}

func TestMappingFromPairs(t *testing.T) {
	cases := []struct {
		name    string
		pairs   []string
		want    Mapping
		wantErr string
	}{
		{"simple", []string{"No Aduan=tracking_id", " Waktu = submitted_at "}, Mapping{"No Aduan": "tracking_id", "Waktu": "submitted_at"}, ""},
		{"ignore column", []string{"Catatan=-"}, Mapping{"Catatan": "-"}, ""},
		{"unknown field", []string{"x=nomor"}, nil, "unknown field"},
		{"no equals", []string{"tracking_id"}, nil, "not column=field"},
		{"empty column", []string{"=title"}, nil, "not column=field"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MappingFromPairs(tc.pairs)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, domain.ErrInvalid)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
