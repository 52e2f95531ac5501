package opendata

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	_ "time/tzdata"

	"github.com/tanggap-id/tanggap/internal/workcal"
)

func TestAppendJSONStringRoundTrips(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Jalan rusak", "Jalan rusak"},
		{"quotes and backslash", `a "b" \c`, `a "b" \c`},
		{"controls", "x\ny\tz\r\x01", "x\ny\tz\r\x01"},
		{"html", "<script>&</script>", "<script>&</script>"},
		{"unicode", "Pengaduan — Jl. Merdeka №5 😀", "Pengaduan — Jl. Merdeka №5 😀"},
		{"separators", "a\u2028b\u2029c", "a\u2028b\u2029c"},
		{"invalid utf-8", "a\xffb", "a\ufffdb"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := appendJSONString(nil, tc.in)
			var got string
			require.NoError(t, json.Unmarshal(b, &got), string(b))
			require.Equal(t, tc.want, got)
			require.NotContains(t, string(b), "<")
		})
	}
}

func TestGuardFormula(t *testing.T) {
	cases := []struct{ in, want string }{
		{"=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"},
		{"+62 811", "'+62 811"},
		{"-jalan", "'-jalan"},
		{"@here", "'@here"},
		{"Jalan rusak", "Jalan rusak"},
		{"", ""},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) { require.Equal(t, tc.want, guardFormula(tc.in)) })
	}
}

func TestICSFoldingAndEscaping(t *testing.T) {
	long := strings.Repeat("Hari Raya Idulfitri 1446 Hijriah — cuti bersama; ", 4) + "é"
	hs := []workcal.Holiday{
		{Date: workcal.Date{Year: 2025, Month: 3, Day: 31}, Kind: "libur_nasional", NameID: long, NameEN: "Eid, day 1", Source: "SKB 3 Menteri\nNo. 1"},
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	require.NoError(t, writeICS(w, hs, "en", "tanggap.id", time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)))
	require.NoError(t, w.Flush())
	out := buf.String()
	require.NotContains(t, strings.ReplaceAll(out, "\r\n", ""), "\n")
	for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		require.LessOrEqual(t, len(l), 75, l)
		require.True(t, utf8.ValidString(l), "folding never splits a UTF-8 sequence: %q", l)
	}
	unfolded := strings.ReplaceAll(out, "\r\n ", "")
	require.Contains(t, unfolded, "SUMMARY;LANGUAGE=en:Eid\\, day 1\r\n")
	require.Contains(t, unfolded, "DESCRIPTION:National holiday. SKB 3 Menteri\\nNo. 1\r\n")
	require.Contains(t, unfolded, "DTSTART;VALUE=DATE:20250331\r\nDTEND;VALUE=DATE:20250401\r\n")
	require.Contains(t, unfolded, "DTSTAMP:20250102T030405Z\r\n")

	buf.Reset()
	w = bufio.NewWriter(&buf)
	require.NoError(t, writeICS(w, hs, "id", "tanggap.id", time.Now()))
	require.NoError(t, w.Flush())
	unfolded = strings.ReplaceAll(buf.String(), "\r\n ", "")
	require.Contains(t, unfolded, "SUMMARY;LANGUAGE=id:"+strings.ReplaceAll(long, ";", `\;`)+"\r\n", "unfolding restores the escaped text")
}

func TestCatalogueIsConsistent(t *testing.T) {
	for _, d := range catalogue() {
		t.Run(d.Name, func(t *testing.T) {
			seen := map[string]bool{}
			for _, f := range d.Fields {
				require.False(t, seen[f.Name], "duplicate field %s", f.Name)
				seen[f.Name] = true
				require.NotContains(t, f.Name, "reporter")
			}
			require.NotEmpty(t, d.Licence.URL)
			require.NotEmpty(t, d.Attribution)
		})
	}
}
