package parse

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
)

func TestFormatsProduceIdenticalRecords(t *testing.T) {
	rows := fixtureRows(300, map[int][2]string{7: {"report_type", "keluhan"}})
	csvData, _ := englishCSV(t, rows)
	opt := Options{Agencies: testLookup(t)}

	rc, err := NewCSV(bytes.NewReader(csvData), opt)
	require.NoError(t, err)
	rn, err := NewNDJSON(bytes.NewReader(ndjsonOf(t, rows)), opt)
	require.NoError(t, err)
	rx, err := NewXLSX(bytes.NewReader(xlsxOf(t, "Laporan", englishComplaintHeader, xlsxRows(rows, englishComplaintHeader))), opt)
	require.NoError(t, err)

	gc, gn, gx := readAll(t, rc), readAll(t, rn), readAll(t, rx)
	require.Len(t, gc.complaints, 299)
	want := recordJSON(t, gc.complaints)
	assert.Equal(t, want, recordJSON(t, gn.complaints), "NDJSON")
	assert.Equal(t, want, recordJSON(t, gx.complaints), "XLSX")
	for _, g := range []collected{gc, gn, gx} {
		require.Len(t, g.errs, 1)
		assert.Equal(t, "report_type", g.errs[0].Field)
		assert.Equal(t, "LAP-000007", g.errs[0].Record)
	}
	assert.Equal(t, 9, gx.errs[0].Line, "XLSX lines are row numbers")
	assert.Equal(t, 8, gn.errs[0].Line, "NDJSON lines are line numbers")
}

func TestXLSX(t *testing.T) {
	opt := Options{Agencies: testLookup(t)}
	t.Run("named sheet, date cells and numbers", func(t *testing.T) {
		// A date cell reaches the reader as an Excel serial day number.
		serial := 45387.0 + (14*60+30)/1440.0 // 2024-04-05 14:30
		data := xlsxOf(t, "Sheet1", []string{"Tracking ID", "Klasifikasi", "Tanggal Laporan Masuk", "Disposisi Instansi ID", "Anonim"},
			[][]any{{12345, "Pengaduan", serial, "73.71", true}, {nil, nil, nil, nil, nil}, {"B-2", "aspirasi", "2024-04-05 08:00", "32.73", 0}})
		r, err := NewXLSX(bytes.NewReader(data), opt)
		require.NoError(t, err)
		got := readAll(t, r)
		require.Empty(t, got.errs)
		require.Len(t, got.complaints, 2, "the blank row is skipped")
		c := got.complaints[0]
		assert.Equal(t, "12345", c.Complaint.TrackingID)
		assert.Equal(t, "2024-04-05T14:30:00+08:00", c.Complaint.SubmittedAt.Format(time.RFC3339))
		assert.True(t, c.Complaint.Anonymous)
		assert.Equal(t, 2, c.Line)
		assert.Equal(t, 4, got.complaints[1].Line)
	})
	t.Run("sheet by name and resume by row", func(t *testing.T) {
		rows := fixtureRows(30, nil)
		data := xlsxOf(t, "Ekspor", englishComplaintHeader, xlsxRows(rows, englishComplaintHeader))
		o := opt
		o.Sheet = "Ekspor"
		o.Start = Position{Line: 11} // rows 2..11 done
		r, err := NewXLSX(bytes.NewReader(data), o)
		require.NoError(t, err)
		got := readAll(t, r)
		require.Len(t, got.complaints, 20)
		assert.Equal(t, "LAP-000010", got.complaints[0].Complaint.TrackingID)
		assert.Equal(t, 12, got.complaints[0].Line)
	})
	t.Run("missing sheet", func(t *testing.T) {
		o := opt
		o.Sheet = "Tidak Ada"
		_, err := NewXLSX(bytes.NewReader(xlsxOf(t, "Sheet1", englishComplaintHeader, nil)), o)
		assert.ErrorIs(t, err, domain.ErrInvalid)
	})
	t.Run("missing columns", func(t *testing.T) {
		_, err := NewXLSX(bytes.NewReader(xlsxOf(t, "Sheet1", []string{"tracking_id"}, nil)), opt)
		assert.ErrorIs(t, err, domain.ErrInvalid)
	})
	t.Run("open file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "ekspor.xlsx")
		require.NoError(t, os.WriteFile(path, xlsxOf(t, "Sheet1", englishComplaintHeader, xlsxRows(fixtureRows(3, nil), englishComplaintHeader)), 0o600))
		r, err := OpenXLSX(path, opt)
		require.NoError(t, err)
		assert.Len(t, readAll(t, r).complaints, 3)
	})
}

func TestNDJSON(t *testing.T) {
	opt := Options{Agencies: testLookup(t)}
	in := strings.Join([]string{
		`{"type":"complaint","tracking_id":"N1","report_type":"pengaduan","submitted_at":"2024-04-05 08:00","agency_code":"91.71","anonymous":"ya","confidential":1,"prioritas":"tinggi",` +
			`"events":[{"kind":"submitted","at":"2024-04-05 08:00"},{"kind":"disposisi","at":"2024-04-06 09:00","to_agency_code":"32.73.dinkes","event_id":"x9"}]}`,
		``,
		`{"type":"event","tracking_id":"N1","kind":"selesai","at":"2024-04-10T10:00:00+09:00","agency_code":"91.71"}`,
		`{"type":"complaint","tracking_id":"N2","report_type":"aspirasi","submitted_at":"2024-04-05 08:00","agency_code":"91.71","events":[{"kind":"terbang","at":"x"},{"tracking_id":"N3","kind":"verified","at":"2024-04-05 09:00"}]}`,
		`{"type":"complaint","tracking_id":"N4","report_type":"aspirasi","submitted_at":"2024-04-05 08:00","agency_code":{"code":"91.71"}}`,
		`not json`,
		`{"type":"keluhan"}`,
		`{"tracking_id":"N5"}`,
		`{"type":"event","tracking_id":"N6","kind":"verified","at":"2024-04-05 09:00","agency_code":"32.73"}`,
	}, "\n") // no final newline
	r, err := NewNDJSON(strings.NewReader(in), opt)
	require.NoError(t, err)
	got := readAll(t, r)

	require.Len(t, got.complaints, 1)
	c := got.complaints[0]
	assert.True(t, c.Complaint.Anonymous)
	assert.True(t, c.Complaint.Confidential)
	require.Len(t, c.Events, 2)
	assert.Equal(t, "N1", c.Events[0].TrackingID, "embedded events inherit the tracking id")
	assert.Equal(t, "2024-04-05T08:00:00+09:00", c.Events[0].At.Format(time.RFC3339), "and the complaint's zone")
	assert.Equal(t, domain.EventAssigned, c.Events[1].Kind)
	assert.Equal(t, "x9", c.Events[1].EventID)
	assert.Equal(t, "2024-04-06T09:00:00+07:00", c.Events[1].At.Format(time.RFC3339), "the target agency's zone first")

	require.Len(t, got.events, 2)
	assert.Equal(t, domain.EventCompleted, got.events[0].Event.Kind)
	assert.Equal(t, 3, got.events[0].Line)
	assert.Equal(t, int64(len(in)), got.events[1].Offset)
	assert.Equal(t, 9, got.events[1].Line)

	type fe struct {
		line   int
		record string
		field  string
	}
	var errs []fe
	for _, e := range got.errs {
		errs = append(errs, fe{e.Line, e.Record, e.Field})
	}
	assert.Equal(t, []fe{
		{4, "N2", "events[0].at"}, {4, "N2", "events[0].kind"}, {4, "N2", "events[1].tracking_id"},
		{5, "N4", "agency_code"},
		{6, "", ""},
		{7, "", "type"},
		{8, "", "type"},
	}, sortFE(errs, func(a fe) string { return itoa(a.line) + a.field }))
	require.Len(t, r.Warnings(), 1)
	assert.Equal(t, "prioritas", r.Warnings()[0].Field)
}

func TestNDJSONResumeAndLongLine(t *testing.T) {
	rows := fixtureRows(50, nil)
	data := ndjsonOf(t, rows)
	long := append([]byte(`{"type":"complaint","summary":"`), bytes.Repeat([]byte("a"), MaxNDJSONLine)...)
	long = append(long, "\"}\n"...)
	data = append(append(data[:0:0], long...), data...)
	r, err := NewNDJSON(bytes.NewReader(data), Options{Agencies: testLookup(t)})
	require.NoError(t, err)
	all := readAll(t, r)
	require.Len(t, all.errs, 1)
	assert.Contains(t, all.errs[0].Reason, "longer than")
	require.Len(t, all.complaints, 50)

	start := all.items[20].Next
	r2, err := NewNDJSON(bytes.NewReader(data), Options{Agencies: testLookup(t), Start: start})
	require.NoError(t, err)
	rest := readAll(t, r2)
	require.Len(t, rest.complaints, 30)
	assert.Equal(t, all.items[21].Line, rest.items[0].Line)
	assert.Equal(t, recordJSON(t, all.complaints[20:]), recordJSON(t, rest.complaints))
}

func sortFE[T any](xs []T, key func(T) string) []T {
	out := append([]T(nil), xs...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && key(out[j]) < key(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
