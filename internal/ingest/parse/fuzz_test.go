package parse

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// checkStream reads r to the end and checks the stream invariants: every
// item is a record or errors, positions move forward, nothing panics.
func checkStream(t *testing.T, r Reader, size int64, byteOffsets bool) {
	t.Helper()
	var last Position
	for range 100_000 {
		it, err := r.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			return // a format error may end the stream; it must not panic
		}
		got := 0
		if it.Complaint != nil {
			got++
		}
		if it.Event != nil {
			got++
		}
		if len(it.Errors) > 0 {
			got++
		}
		if got != 1 {
			t.Fatalf("item at line %d has %d outcomes", it.Line, got)
		}
		if byteOffsets && (it.Next.Offset < last.Offset || it.Next.Offset > size) {
			t.Fatalf("offset %d after %d (size %d)", it.Next.Offset, last.Offset, size)
		}
		if it.Line <= last.Line && last.Line > 0 {
			t.Fatalf("line %d after line %d", it.Line, last.Line)
		}
		if it.Next.Line < it.Line {
			t.Fatalf("resume line %d before row line %d", it.Next.Line, it.Line)
		}
		last = it.Next
	}
	t.Fatal("reader does not end")
}

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("tracking_id,report_type,submitted_at,agency_code\nA,aspirasi,2024-04-05 10:00,32.73\n"))
	f.Add([]byte("tracking_id,event_id,kind,at,agency_code,to_agency_code,public_text\nT,,limpah,2024-04-05 10:00,32.73,,\"a\nb\"\n"))
	f.Add([]byte("\xEF\xBB\xBFTracking ID;Klasifikasi;Tanggal;Instansi\n1;Pengaduan;05/04/2024 10:00;73.71\n"))
	lookup := testLookup(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewCSV(bytes.NewReader(data), Options{Agencies: lookup})
		if err != nil {
			return
		}
		checkStream(t, r, int64(len(data)), true)
	})
}

func FuzzParseNDJSON(f *testing.F) {
	f.Add([]byte(`{"type":"complaint","tracking_id":"A","report_type":"aspirasi","submitted_at":"2024-04-05 10:00","agency_code":"32.73","events":[{"kind":"disposisi","at":"2024-04-05 11:00","to_agency_code":"32.73.dinkes"}]}` + "\n"))
	f.Add([]byte(`{"type":"event","tracking_id":"A","kind":"selesai","at":"2024-04-05T10:00:00+07:00"}` + "\n\n{}\n"))
	f.Add([]byte(`{"type":"complaint","events":null,"anonymous":1}`))
	lookup := testLookup(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewNDJSON(bytes.NewReader(data), Options{Agencies: lookup})
		if err != nil {
			t.Fatal(err)
		}
		checkStream(t, r, int64(len(data)), true)
	})
}

// FuzzXLSXRowMapping fuzzes the row → record mapping XLSX uses, with a fixed
// LAPOR header; cells are separated by tabs.
func FuzzXLSXRowMapping(f *testing.F) {
	f.Add("123\tPengaduan\t45387.6041666\t73.71\t1\tTidak\t02-01-2024 09:00:00\tSelesai\t45390")
	f.Add("A\taspirasi\t2024-04-05 10:00\t32.73\tya\t\t\tArsip\t2024-04-06 10:00")
	f.Add("\t\t-1\t\t\t\t\t\t1e308")
	lookup := testLookup(f)
	names := []string{"TrackingID", "Klasifikasi", "TanggalLaporanMasuk", "DisposisiInstansiID", "Anonim", "Rahasia",
		"TanggalDisposisi", "Status", "TanggalLaporanDitutup"}
	h, err := resolveHeader(names, KindAuto, nil)
	if err != nil {
		f.Fatal(err)
	}
	m := newRowMapper(Options{Agencies: lookup})
	m.parseTime = parseCellTime
	f.Fuzz(func(t *testing.T, row string) {
		it := h.mapRow(m, strings.Split(row, "\t"), 2, Position{Offset: 2, Line: 2})
		if (it.Complaint == nil) == (len(it.Errors) == 0) {
			t.Fatalf("row %q gave record %v and errors %v", row, it.Complaint != nil, it.Errors)
		}
		if c := it.Complaint; c != nil {
			if c.Complaint.TrackingID == "" || !c.Complaint.ReportType.Valid() || c.Complaint.SubmittedAt.IsZero() {
				t.Fatalf("accepted an incomplete complaint: %+v", c.Complaint)
			}
			for _, e := range c.Events {
				if e.EventID == "" || !e.Kind.Valid() {
					t.Fatalf("derived event without identity or kind: %+v", e)
				}
			}
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2024-04-05T14:30:00+07:00", "2024-04-05 14:30", "05-04-2024 14:30:00",
		"05/04/2024 14:30", "2024-04-05 14:30:00.123Z", "0000-01-01T00:00:00-23:59", "2024-02-30 10:00"} {
		f.Add(s)
	}
	wita, err := time.LoadLocation("Asia/Makassar")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, loc := range []*time.Location{nil, wita} {
			got, err := ParseTime(s, loc)
			if err != nil {
				continue
			}
			// whatever was accepted must survive an RFC 3339 round trip
			again, err := ParseTime(got.Format(time.RFC3339Nano), nil)
			if err != nil {
				t.Fatalf("ParseTime(%q) = %v, whose RFC 3339 form does not parse: %v", s, got, err)
			}
			if !again.Equal(got) {
				t.Fatalf("ParseTime(%q) = %v, round trip gives %v", s, got, again)
			}
		}
	})
}
