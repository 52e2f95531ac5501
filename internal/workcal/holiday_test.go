package workcal

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
)

func TestLoadEmbedded(t *testing.T) {
	hs, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 135 {
		t.Fatalf("%d rows, README says 135", len(hs))
	}
	perYear := map[int][2]int{}
	for _, h := range hs {
		c := perYear[h.Date.Year]
		if h.Kind == LiburNasional {
			c[0]++
		} else {
			c[1]++
		}
		perYear[h.Date.Year] = c
	}
	// Libur nasional and cuti bersama counts from holidays-id.README.md.
	want := map[int][2]int{2023: {16, 11}, 2024: {19, 10}, 2025: {17, 11}, 2026: {17, 8}, 2027: {18, 8}}
	for y, w := range want {
		if perYear[y] != w {
			t.Errorf("%d: got %v (LN, CB), want %v", y, perYear[y], w)
		}
	}
}

func TestParseHolidaysCSV(t *testing.T) {
	const header = "date,kind,name_id,name_en,source\n"
	cases := []struct {
		name   string
		in     string
		want   int
		line   int
		field  string
		reason string
	}{
		{name: "ok, columns reordered, extra column", in: "source,name_en,kind,date,name_id,extra\nSKB,New Year,libur_nasional,2024-01-01,Tahun Baru,x\n", want: 1},
		{name: "sorted on output", in: header + "2024-02-08,libur_nasional,Isra,Isra,SKB\n2024-01-01,libur_nasional,Tahun Baru,NY,SKB\n", want: 2},
		{name: "empty file", in: "", field: "header", reason: "empty"},
		{name: "missing column", in: "date,kind,name_id,name_en\n", line: 1, field: "source", reason: "missing column"},
		{name: "bad date", in: header + "2024-02-30,libur_nasional,X,X,SKB\n", line: 2, field: "date", reason: "YYYY-MM-DD"},
		{name: "bad kind", in: header + "2024-01-01,libur,X,X,SKB\n", line: 2, field: "kind", reason: "libur_nasional"},
		{name: "no name", in: header + "2024-01-01,libur_nasional,,X,SKB\n", line: 2, field: "name_id", reason: "required"},
		{name: "no source", in: header + "2024-01-01,cuti_bersama,X,X,\n", line: 2, field: "source", reason: "decree"},
		{name: "duplicate names first line", in: header + "2024-01-01,libur_nasional,X,X,S\n2024-01-01,cuti_bersama,Y,Y,S\n", line: 3, field: "date", reason: "line 2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hs, err := ParseHolidaysCSV(strings.NewReader(tc.in))
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(hs) != tc.want {
					t.Fatalf("%d rows, want %d", len(hs), tc.want)
				}
				for i := 1; i < len(hs); i++ {
					if !hs[i-1].Date.Before(hs[i].Date) {
						t.Fatalf("not sorted: %v", hs)
					}
				}
				return
			}
			var verr *domain.ValidationError
			if !errors.As(err, &verr) || !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			d := verr.Details[0]
			if d.Line != tc.line || d.Field != tc.field || !strings.Contains(d.Reason, tc.reason) {
				t.Errorf("detail = %+v, want line %d field %q reason ~%q", d, tc.line, tc.field, tc.reason)
			}
		})
	}
}

func TestContentVersion(t *testing.T) {
	hs, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	v := ContentVersion(hs)
	rev := append([]Holiday(nil), hs...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	if ContentVersion(rev) != v {
		t.Error("row order changed the version")
	}
	renamed := append([]Holiday(nil), hs...)
	renamed[0].NameEN = "renamed"
	if ContentVersion(renamed) != v {
		t.Error("a name change should not change what counts")
	}
	added := append(append([]Holiday(nil), hs...), Holiday{Date: NewDate(2024, 4, 16), Kind: CutiBersama})
	if ContentVersion(added) == v {
		t.Error("an added day must bump the version")
	}
}

func TestDate(t *testing.T) {
	cases := []struct {
		name string
		got  any
		want any
	}{
		{"weekday 2024-04-05", NewDate(2024, 4, 5).Weekday(), time.Friday},
		{"weekday 1970-01-01", NewDate(1970, 1, 1).Weekday(), time.Thursday},
		{"weekday 1969-12-31", NewDate(1969, 12, 31).Weekday(), time.Wednesday},
		{"normalise Feb 30", NewDate(2024, 2, 30), Date{2024, 3, 1}},
		{"normalise month 13", NewDate(2024, 13, 1), Date{2025, 1, 1}},
		{"normalise month 0", NewDate(2024, 0, 1), Date{2023, 12, 1}},
		{"leap day valid", Date{2024, 2, 29}.Valid(), true},
		{"non-leap day invalid", Date{2025, 2, 29}.Valid(), false},
		{"1900 not leap", Date{1900, 2, 29}.Valid(), false},
		{"2000 leap", Date{2000, 2, 29}.Valid(), true},
		{"add across year", NewDate(2024, 12, 31).AddDays(1), Date{2025, 1, 1}},
		{"add negative", NewDate(2024, 3, 1).AddDays(-1), Date{2024, 2, 29}},
		{"string", NewDate(2024, 4, 5).String(), "2024-04-05"},
		{"end of day WIT", NewDate(2024, 4, 5).End(mustZone(t, "Asia/Jayapura")).Format(time.RFC3339), "2024-04-05T23:59:59+09:00"},
		{"date of instant in WIT", DateOf(time.Date(2024, 4, 4, 16, 0, 0, 0, time.UTC), mustZone(t, "Asia/Jayapura")), Date{2024, 4, 5}},
		{"date of instant in WIB", DateOf(time.Date(2024, 4, 4, 16, 0, 0, 0, time.UTC), mustZone(t, "Asia/Jakarta")), Date{2024, 4, 4}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
	// Day arithmetic agrees with the time package over a wide range.
	for z := -800000; z <= 800000; z += 997 {
		d := dateFromDays(z)
		tt := time.Unix(int64(z)*86400, 0).UTC()
		if d.Year != tt.Year() || d.Month != tt.Month() || d.Day != tt.Day() || d.Weekday() != tt.Weekday() || d.days() != z {
			t.Fatalf("day %d: %v (%v), time says %v", z, d, d.Weekday(), tt)
		}
	}
	if _, err := ParseDate("2024-02-30"); err == nil {
		t.Error("ParseDate accepted 2024-02-30")
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
