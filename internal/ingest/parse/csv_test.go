package parse

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
)

func TestCSV1000RowsWithThreeMalformed(t *testing.T) {
	bad := map[int][2]string{
		101: {"submitted_at", "2024-02-30 10:00:00"},
		502: {"agency_code", "99.99"},
		903: {"report_type", "keluhan"},
	}
	rows := fixtureRows(1000, bad)
	data, lines := englishCSV(t, rows)
	r, err := NewCSV(bytes.NewReader(data), Options{Agencies: testLookup(t)})
	require.NoError(t, err)
	got := readAll(t, r)

	assert.Len(t, got.complaints, 997)
	want := []domain.FieldError{
		{Record: "LAP-000101", Line: lines[101], Field: "submitted_at"},
		{Record: "LAP-000502", Line: lines[502], Field: "agency_code"},
		{Record: "LAP-000903", Line: lines[903], Field: "report_type"},
	}
	reasons := []string{"not a valid local time", `unknown agency code "99.99"`, `unknown report type "keluhan"`}
	require.Len(t, got.errs, 3)
	for i, w := range want {
		e := got.errs[i]
		assert.Equal(t, w.Record, e.Record)
		assert.Equal(t, w.Line, e.Line)
		assert.Equal(t, w.Field, e.Field)
		assert.Contains(t, e.Reason, reasons[i])
	}
	// rows after multi-line fields keep their true line numbers
	for _, c := range got.complaints {
		var idx int
		_, err := fmtSscanf(c.Complaint.TrackingID, &idx)
		require.NoError(t, err)
		require.Equal(t, lines[idx], c.Line, c.Complaint.TrackingID)
	}
	last := got.complaints[len(got.complaints)-1]
	assert.Equal(t, int64(len(data)), last.Offset, "the last record ends at the end of the file")
}

func TestCSVComplaintFields(t *testing.T) {
	wib := mustZone(t, "Asia/Jakarta")
	wit := mustZone(t, "Asia/Jayapura")
	hdr := "tracking_id,report_type,category,channel,submitted_at,agency_code,anonymous,confidential,title,summary,reporter_name,reporter_contact,region_code\n"
	cases := []struct {
		name  string
		row   string
		check func(t *testing.T, c ComplaintRecord)
		field string // expected error field, "" for none
	}{
		{"local time in WIB", "A1,pengaduan,Kesehatan,web,2024-04-05 14:30,32.73,0,0,t,s,n,c,32.73", func(t *testing.T, c ComplaintRecord) {
			assert.True(t, c.Complaint.SubmittedAt.Equal(time.Date(2024, 4, 5, 14, 30, 0, 0, wib)))
			assert.Equal(t, domain.DefaultSource, c.Complaint.Source)
			assert.Equal(t, domain.ReportPengaduan, c.Complaint.ReportType)
			assert.Equal(t, domain.Reporter{Name: "n", Contact: "c"}, c.Reporter)
		}, ""},
		{"local time in WIT agency", "A2,aspirasi,,,2024-04-05 14:30,91.71,,,,,,,", func(t *testing.T, c ComplaintRecord) {
			assert.True(t, c.Complaint.SubmittedAt.Equal(time.Date(2024, 4, 5, 14, 30, 0, 0, wit)))
			assert.False(t, c.Complaint.Anonymous, "empty boolean is false")
		}, ""},
		{"ya/tidak booleans", "A3,aspirasi,,,2024-04-05 14:30,32.73,ya,tidak,,,,,", func(t *testing.T, c ComplaintRecord) {
			assert.True(t, c.Complaint.Anonymous)
			assert.False(t, c.Complaint.Confidential)
		}, ""},
		{"indonesian report type label", "A4,Permintaan Informasi,,,2024-04-05 14:30,32.73,,,,,,,", func(t *testing.T, c ComplaintRecord) {
			assert.Equal(t, domain.ReportPermintaanInformasi, c.Complaint.ReportType)
		}, ""},
		{"missing tracking id", ",aspirasi,,,2024-04-05 14:30,32.73,,,,,,,", nil, "tracking_id"},
		{"missing report type", "A5,,,,2024-04-05 14:30,32.73,,,,,,,", nil, "report_type"},
		{"missing submitted_at", "A6,aspirasi,,,,32.73,,,,,,,", nil, "submitted_at"},
		{"missing agency", "A7,aspirasi,,,2024-04-05 14:30,,,,,,,,", nil, "agency_code"},
		{"unknown agency hides the unzoned time", "A8,aspirasi,,,2024-04-05 14:30,00.00,,,,,,,", nil, "agency_code"},
		{"bad boolean", "A9,aspirasi,,,2024-04-05 14:30,32.73,maybe,,,,,,", nil, "anonymous"},
		{"bad confidential", "A10,aspirasi,,,2024-04-05 14:30,32.73,,2,,,,,", nil, "confidential"},
		{"short row reads as empty fields", "A11,aspirasi,,,2024-04-05 14:30,32.73", func(t *testing.T, c ComplaintRecord) {
			assert.Empty(t, c.Complaint.RegionCode)
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewCSV(strings.NewReader(hdr+tc.row+"\n"), Options{Agencies: testLookup(t)})
			require.NoError(t, err)
			got := readAll(t, r)
			if tc.field != "" {
				require.Len(t, got.errs, 1, "%v", got.errs)
				assert.Equal(t, tc.field, got.errs[0].Field)
				assert.Equal(t, 2, got.errs[0].Line)
				assert.Empty(t, got.complaints)
				return
			}
			require.Empty(t, got.errs)
			require.Len(t, got.complaints, 1)
			tc.check(t, got.complaints[0])
		})
	}
}

func TestCSVEventFields(t *testing.T) {
	hdr := "tracking_id,event_id,kind,at,agency_code,to_agency_code,public_text\n"
	cases := []struct {
		name  string
		row   string
		check func(t *testing.T, e domain.Event)
		field string
	}{
		{"assigned with target", "T1,e1,assigned,2024-04-05 10:00,32.73,32.73.dinkes,", func(t *testing.T, e domain.Event) {
			assert.Equal(t, domain.EventAssigned, e.Kind)
			assert.Equal(t, "e1", e.EventID)
			assert.Equal(t, "32.73.dinkes", e.ToAgencyCode)
		}, ""},
		{"lapor term disposisi", "T1,,disposisi,2024-04-05 10:00,,32.73.dinkes,", func(t *testing.T, e domain.Event) {
			assert.Equal(t, domain.EventAssigned, e.Kind)
			// zone from the target agency when no acting agency is given
			assert.Equal(t, "2024-04-05T10:00:00+07:00", e.At.Format(time.RFC3339))
		}, ""},
		{"empty event id gets the content hash", "T1,,tindak lanjut,2024-04-05T10:00:00+07:00,32.73,,Sudah diperbaiki", func(t *testing.T, e domain.Event) {
			assert.Equal(t, domain.EventResponded, e.Kind)
			want := domain.EventIdentity(domain.Event{TrackingID: "T1", Kind: domain.EventResponded, At: e.At, AgencyCode: "32.73"})
			assert.Equal(t, want, e.EventID)
			assert.True(t, strings.HasPrefix(e.EventID, "h:"))
			assert.Equal(t, "Sudah diperbaiki", e.PublicText)
		}, ""},
		{"limpah needs target", "T1,,limpah,2024-04-05 10:00,32.73,,", nil, "to_agency_code"},
		{"assigned needs target", "T1,,assigned,2024-04-05 10:00,32.73,,", nil, "to_agency_code"},
		{"unknown target", "T1,,forwarded,2024-04-05 10:00,32.73,xx,", nil, "to_agency_code"},
		{"unknown kind", "T1,,eskalasi,2024-04-05 10:00,32.73,,", nil, "kind"},
		{"local time without any agency", "T1,,responded,2024-04-05 10:00,,,", nil, "at"},
		{"offset time without agency is fine", "T1,,responded,2024-04-05T10:00:00+07:00,,,", func(t *testing.T, e domain.Event) {
			assert.Empty(t, e.AgencyCode)
		}, ""},
		{"missing at", "T1,,responded,,32.73,,", nil, "at"},
		{"missing tracking id", ",,responded,2024-04-05 10:00,32.73,,", nil, "tracking_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewCSV(strings.NewReader(hdr+tc.row+"\n"), Options{Agencies: testLookup(t)})
			require.NoError(t, err)
			assert.Equal(t, KindEvents, r.Kind())
			got := readAll(t, r)
			if tc.field != "" {
				require.Len(t, got.errs, 1, "%v", got.errs)
				assert.Equal(t, tc.field, got.errs[0].Field)
				return
			}
			require.Empty(t, got.errs)
			require.Len(t, got.events, 1)
			tc.check(t, got.events[0].Event)
		})
	}
}

func TestCSVHeader(t *testing.T) {
	t.Run("missing required columns are named", func(t *testing.T) {
		_, err := NewCSV(strings.NewReader("tracking_id,category,report_type\nA,b,aspirasi\n"), Options{Agencies: testLookup(t)})
		require.Error(t, err)
		assert.ErrorIs(t, err, domain.ErrInvalid)
		var ve *domain.ValidationError
		require.ErrorAs(t, err, &ve)
		var fields []string
		for _, d := range ve.Details {
			fields = append(fields, d.Field)
		}
		assert.Equal(t, []string{"submitted_at", "agency_code"}, fields)
	})
	t.Run("extra columns are warnings", func(t *testing.T) {
		in := "tracking_id,report_type,submitted_at,agency_code,Catatan Internal,prioritas\nA,aspirasi,2024-04-05 10:00,32.73,x,y\n"
		r, err := NewCSV(strings.NewReader(in), Options{Agencies: testLookup(t)})
		require.NoError(t, err)
		var cols []string
		for _, w := range r.Warnings() {
			cols = append(cols, w.Field)
		}
		assert.Equal(t, []string{"Catatan Internal", "prioritas"}, cols)
		assert.Len(t, readAll(t, r).complaints, 1)
	})
	t.Run("empty input", func(t *testing.T) {
		_, err := NewCSV(strings.NewReader(""), Options{Agencies: testLookup(t)})
		assert.ErrorIs(t, err, domain.ErrInvalid)
	})
	t.Run("no agency lookup", func(t *testing.T) {
		_, err := NewCSV(strings.NewReader("x\n"), Options{})
		assert.ErrorIs(t, err, ErrNoAgencies)
	})
	t.Run("user mapping and ignored column", func(t *testing.T) {
		m, err := ParseMapping(strings.NewReader("# mapping of a city's own export\nNo Aduan = tracking_id\nJenis=report_type\nWaktu Masuk=submitted_at\nOPD=agency_code\nCatatan=-\n"))
		require.NoError(t, err)
		in := "No Aduan,Jenis,Waktu Masuk,OPD,Catatan\nK-1,Pengaduan,05/04/2024 09:15,32.73.dinkes,abc\n"
		r, err := NewCSV(strings.NewReader(in), Options{Agencies: testLookup(t), Mapping: m})
		require.NoError(t, err)
		assert.Empty(t, r.Warnings())
		got := readAll(t, r)
		require.Len(t, got.complaints, 1)
		c := got.complaints[0].Complaint
		assert.Equal(t, "K-1", c.TrackingID)
		assert.Equal(t, "32.73.dinkes", c.AgencyCode)
		assert.Equal(t, "2024-04-05T09:15:00+07:00", c.SubmittedAt.Format(time.RFC3339))
	})
	t.Run("mapping to an event field in a complaint file", func(t *testing.T) {
		_, err := NewCSV(strings.NewReader("a,b\n"), Options{Agencies: testLookup(t), Kind: KindComplaints, Mapping: Mapping{"a": "kind"}})
		assert.ErrorIs(t, err, domain.ErrInvalid)
	})
	t.Run("BOM and semicolons", func(t *testing.T) {
		in := "\xEF\xBB\xBFtracking_id;report_type;submitted_at;agency_code\nA;aspirasi;2024-04-05 10:00;32.73\n"
		r, err := NewCSV(strings.NewReader(in), Options{Agencies: testLookup(t)})
		require.NoError(t, err)
		got := readAll(t, r)
		require.Len(t, got.complaints, 1)
		assert.Equal(t, "A", got.complaints[0].Complaint.TrackingID)
		assert.Equal(t, int64(len(in)), got.complaints[0].Offset)
	})
	t.Run("source column overrides the default", func(t *testing.T) {
		in := "tracking_id,report_type,submitted_at,agency_code,source\nA,aspirasi,2024-04-05 10:00,32.73,sapawarga\nB,aspirasi,2024-04-05 10:00,32.73,\n"
		r, err := NewCSV(strings.NewReader(in), Options{Agencies: testLookup(t)})
		require.NoError(t, err)
		got := readAll(t, r)
		require.Len(t, got.complaints, 2)
		assert.Equal(t, "sapawarga", got.complaints[0].Complaint.Source)
		assert.Equal(t, "lapor", got.complaints[1].Complaint.Source)
	})
}

func TestEnglishAndLaporPresetAgree(t *testing.T) {
	rows := fixtureRows(120, nil)
	en, _ := englishCSV(t, rows)
	id := laporCSV(t, rows)
	re, err := NewCSV(bytes.NewReader(en), Options{Agencies: testLookup(t)})
	require.NoError(t, err)
	ri, err := NewCSV(bytes.NewReader(id), Options{Agencies: testLookup(t)})
	require.NoError(t, err)
	assert.Empty(t, ri.Warnings())
	ge, gi := readAll(t, re), readAll(t, ri)
	require.Empty(t, ge.errs)
	require.Empty(t, gi.errs)
	require.Len(t, gi.complaints, 120)
	assert.Equal(t, recordJSON(t, ge.complaints), recordJSON(t, gi.complaints))
}

func TestLaporPresetDerivedEvents(t *testing.T) {
	in := "TrackingID;Pelapor;JudulLaporan;IsiLaporan;Kategori;DisposisiInstansiID;Klasifikasi;Status;TanggalDisposisi;TanggalLaporanMasuk;TanggalLaporanAktivitasTerakhir;TanggalLaporanDitutup\n" +
		"100;Pelapor Fiktif;Judul;Isi;Kesehatan;73.71;Pengaduan;Selesai;02-01-2024 09:00:00;01-01-2024 08:00:00;10-01-2024 16:00:00;10-01-2024 16:00:00\n" +
		"101;Pelapor Fiktif;Judul;Isi;Kesehatan;73.71;Aspirasi;Arsip;;01-01-2024 08:00:00;;03-01-2024 10:00:00\n" +
		"102;Pelapor Fiktif;Judul;Isi;Kesehatan;73.71;Aspirasi;Proses;02-01-2024 09:00:00;01-01-2024 08:00:00;;\n"
	r, err := NewCSV(strings.NewReader(in), Options{Agencies: testLookup(t)})
	require.NoError(t, err)
	assert.Empty(t, r.Warnings())
	got := readAll(t, r)
	require.Empty(t, got.errs)
	require.Len(t, got.complaints, 3)
	kinds := func(c ComplaintRecord) []domain.EventKind {
		var ks []domain.EventKind
		for _, e := range c.Events {
			ks = append(ks, e.Kind)
		}
		return ks
	}
	c0 := got.complaints[0]
	assert.Equal(t, []domain.EventKind{domain.EventAssigned, domain.EventCompleted}, kinds(c0))
	assert.Equal(t, "73.71", c0.Events[0].ToAgencyCode)
	assert.Equal(t, "2024-01-02T09:00:00+08:00", c0.Events[0].At.Format(time.RFC3339), "WITA agency")
	require.NotNil(t, c0.Complaint.SourceUpdatedAt)
	assert.Equal(t, "2024-01-10T16:00:00+08:00", c0.Complaint.SourceUpdatedAt.Format(time.RFC3339))
	assert.Equal(t, "Pelapor Fiktif", c0.Reporter.Name)
	assert.Equal(t, []domain.EventKind{domain.EventRejected}, kinds(got.complaints[1]), "archived without disposition")
	assert.Equal(t, []domain.EventKind{domain.EventAssigned}, kinds(got.complaints[2]))
}

func TestCSVResume(t *testing.T) {
	rows := fixtureRows(200, map[int][2]string{60: {"agency_code", "nope"}})
	data, _ := englishCSV(t, rows)
	full, err := NewCSV(bytes.NewReader(data), Options{Agencies: testLookup(t)})
	require.NoError(t, err)
	all := readAll(t, full)
	require.Len(t, all.items, 200)

	for _, cut := range []int{0, 49, 50, 60, 150, 199} { // 50 ends after a two-line field
		t.Run("after item "+itoa(cut), func(t *testing.T) {
			start := all.items[cut].Next
			r, err := NewCSV(bytes.NewReader(data), Options{Agencies: testLookup(t), Start: start})
			require.NoError(t, err)
			rest := readAll(t, r)
			require.Len(t, rest.items, 200-cut-1)
			for i, it := range rest.items {
				want := all.items[cut+1+i]
				assert.Equal(t, want.Line, it.Line)
				assert.Equal(t, want.Next, it.Next)
				assert.Equal(t, want.Errors, it.Errors)
			}
			assert.Equal(t, recordJSON(t, all.complaints[len(all.complaints)-len(rest.complaints):]), recordJSON(t, rest.complaints))
		})
	}
	t.Run("resume needs a seeker", func(t *testing.T) {
		_, err := NewCSV(strings.NewReader(string(data)), Options{Agencies: testLookup(t), Start: Position{Offset: 10, Line: 1}})
		require.NoError(t, err) // strings.Reader seeks
		_, err = NewCSV(bytes.NewBuffer(data), Options{Agencies: testLookup(t), Start: Position{Offset: 10, Line: 1}})
		assert.Error(t, err)
	})
}
