package parse

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// testAgencies is a small catalogue in all three Indonesian zones.
var testAgencies = map[string]string{
	"32.73":        "Asia/Jakarta",  // Kota Bandung
	"32.73.dinkes": "Asia/Jakarta",  // an OPD of Kota Bandung
	"73.71":        "Asia/Makassar", // Kota Makassar
	"91.71":        "Asia/Jayapura", // Kota Jayapura
	"kemenkes":     "Asia/Jakarta",
}

func testLookup(t testing.TB) AgencyLookup {
	locs := map[string]*time.Location{}
	for code, zone := range testAgencies {
		locs[code] = mustZone(t, zone)
	}
	return func(code string) (*time.Location, bool) {
		loc, ok := locs[code]
		return loc, ok
	}
}

// collected is everything a reader yielded.
type collected struct {
	complaints []ComplaintRecord
	events     []EventRecord
	errs       []domain.FieldError
	items      []Item
}

func readAll(t testing.TB, r Reader) collected {
	t.Helper()
	var c collected
	for {
		it, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		c.items = append(c.items, it)
		switch {
		case it.Complaint != nil:
			c.complaints = append(c.complaints, *it.Complaint)
		case it.Event != nil:
			c.events = append(c.events, *it.Event)
		default:
			require.NotEmpty(t, it.Errors, "item without record or errors at line %d", it.Line)
			c.errs = append(c.errs, it.Errors...)
		}
	}
	require.NoError(t, r.Close())
	return c
}

// recordJSON renders the content of complaint records (not their position)
// so that records read from different formats can be compared; times keep
// their offsets.
func recordJSON(t testing.TB, recs []ComplaintRecord) string {
	t.Helper()
	type view struct {
		Complaint domain.Complaint
		Reporter  struct{ Name, Contact string }
		Events    []domain.Event
	}
	var b strings.Builder
	for _, r := range recs {
		v := view{Complaint: r.Complaint, Events: r.Events}
		v.Reporter.Name, v.Reporter.Contact = r.Reporter.Name, r.Reporter.Contact
		js, err := json.Marshal(v)
		require.NoError(t, err)
		b.Write(js)
		b.WriteByte('\n')
	}
	return b.String()
}

// fixtureRow is one complaint in canonical field names.
type fixtureRow map[string]string

var englishComplaintHeader = []string{"tracking_id", "report_type", "category", "channel", "submitted_at",
	"agency_code", "anonymous", "confidential", "title", "summary", "reporter_name", "reporter_contact", "region_code"}

// laporHeader names the same columns as a LAPOR export would.
var laporHeader = map[string]string{
	"tracking_id": "Tracking ID", "report_type": "Klasifikasi", "category": "Kategori", "channel": "Kanal",
	"submitted_at": "Tanggal Laporan Masuk", "agency_code": "Disposisi Instansi ID", "anonymous": "Anonim",
	"confidential": "Rahasia", "title": "Judul Laporan", "summary": "IsiLaporan", "reporter_name": "Nama Pelapor",
	"reporter_contact": "Email", "region_code": "Kode Wilayah",
}

// fixtureRows builds n deterministic complaints. bad maps a row index to
// a field override that makes it invalid.
func fixtureRows(n int, bad map[int][2]string) []fixtureRow {
	codes := []string{"32.73", "32.73.dinkes", "73.71", "91.71", "kemenkes"}
	types := []string{"aspirasi", "pengaduan", "permintaan_informasi"}
	rows := make([]fixtureRow, n)
	for i := range n {
		at := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * 97 * time.Minute)
		r := fixtureRow{
			"tracking_id":      fmt.Sprintf("LAP-%06d", i),
			"report_type":      types[i%3],
			"category":         []string{"Infrastruktur", "Kesehatan", "Pendidikan"}[i%3],
			"channel":          []string{"web", "sms", "mobile", "twitter"}[i%4],
			"submitted_at":     at.Format("2006-01-02 15:04:05"),
			"agency_code":      codes[i%len(codes)],
			"anonymous":        []string{"false", "true"}[boolInt(i%10 == 0)],
			"confidential":     []string{"false", "true"}[boolInt(i%33 == 0)],
			"title":            fmt.Sprintf("Jalan rusak nomor %d", i),
			"summary":          fmt.Sprintf("Isi laporan %d, dengan koma dan \"kutipan\"", i),
			"reporter_name":    fmt.Sprintf("Pelapor Fiktif %06d", i),
			"reporter_contact": fmt.Sprintf("fiktif%06d@contoh.invalid", i),
			"region_code":      "32.73",
		}
		if i%7 == 0 {
			r["submitted_at"] = at.Format("2006-01-02T15:04:05") + "+07:00"
		}
		if i%50 == 0 {
			r["summary"] = fmt.Sprintf("baris pertama %d\nbaris kedua", i) // a quoted field over two lines
		}
		if b, ok := bad[i]; ok {
			r[b[0]] = b[1]
		}
		rows[i] = r
	}
	return rows
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// englishCSV writes rows under the design §5 header, returning the file and
// the first line of each row.
func englishCSV(t testing.TB, rows []fixtureRow) ([]byte, []int) {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	require.NoError(t, w.Write(englishComplaintHeader))
	lines := make([]int, len(rows))
	line := 2
	for i, r := range rows {
		rec := make([]string, len(englishComplaintHeader))
		for j, h := range englishComplaintHeader {
			rec[j] = r[h]
		}
		lines[i] = line
		for _, v := range rec {
			line += strings.Count(v, "\n")
		}
		line++
		require.NoError(t, w.Write(rec))
	}
	w.Flush()
	require.NoError(t, w.Error())
	return buf.Bytes(), lines
}

// laporCSV writes rows as a LAPOR export: Indonesian headers, labels,
// ya/tidak and d-m-Y times, columns in another order, ';' separated.
func laporCSV(t testing.TB, rows []fixtureRow) []byte {
	t.Helper()
	order := []string{"agency_code", "tracking_id", "title", "summary", "submitted_at", "report_type",
		"category", "channel", "anonymous", "confidential", "reporter_name", "reporter_contact", "region_code"}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	hdr := make([]string, len(order))
	for i, f := range order {
		hdr[i] = laporHeader[f]
	}
	require.NoError(t, w.Write(hdr))
	labels := map[string]string{"aspirasi": "Aspirasi", "pengaduan": "Pengaduan", "permintaan_informasi": "Permintaan Informasi",
		"true": "Ya", "false": "Tidak"}
	for _, r := range rows {
		rec := make([]string, len(order))
		for i, f := range order {
			v := r[f]
			if l, ok := labels[v]; ok && (f == "report_type" || f == "anonymous" || f == "confidential") {
				v = l
			}
			if f == "submitted_at" && !strings.Contains(v, "+") {
				if tm, err := time.Parse("2006-01-02 15:04:05", v); err == nil {
					v = tm.Format("02-01-2006 15:04:05")
				}
			}
			rec[i] = v
		}
		require.NoError(t, w.Write(rec))
	}
	w.Flush()
	return buf.Bytes()
}

// ndjsonOf writes rows as NDJSON complaint objects, booleans as JSON
// booleans.
func ndjsonOf(t testing.TB, rows []fixtureRow) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, r := range rows {
		obj := map[string]any{"type": "complaint"}
		for k, v := range r {
			switch v {
			case "true":
				obj[k] = true
			case "false":
				obj[k] = false
			default:
				obj[k] = v
			}
		}
		js, err := json.Marshal(obj)
		require.NoError(t, err)
		buf.Write(js)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// xlsxOf writes rows to a workbook with excelize's StreamWriter.
func xlsxOf(t testing.TB, sheet string, header []string, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if sheet != "Sheet1" {
		require.NoError(t, f.SetSheetName("Sheet1", sheet))
		_, err := f.NewSheet("Catatan") // a second sheet, so that picking matters
		require.NoError(t, err)
	}
	sw, err := f.NewStreamWriter(sheet)
	require.NoError(t, err)
	hdr := make([]any, len(header))
	for i, h := range header {
		hdr[i] = h
	}
	require.NoError(t, sw.SetRow("A1", hdr))
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		require.NoError(t, err)
		require.NoError(t, sw.SetRow(cell, r))
	}
	require.NoError(t, sw.Flush())
	var buf bytes.Buffer
	require.NoError(t, f.Write(&buf))
	return buf.Bytes()
}

func xlsxRows(rows []fixtureRow, header []string) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		rec := make([]any, len(header))
		for j, h := range header {
			rec[j] = r[h]
		}
		out[i] = rec
	}
	return out
}

func itoa(i int) string { return fmt.Sprint(i) }

// fmtSscanf reads the number of a fixture tracking id.
func fmtSscanf(id string, n *int) (int, error) { return fmt.Sscanf(id, "LAP-%d", n) }
