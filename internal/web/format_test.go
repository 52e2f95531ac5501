package web

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFormatting(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	cases := []struct {
		name string
		got  string
		want string
	}{
		{"id decimal comma", FormatNumber(LangID, 3.42, 2), "3,42"},
		{"en decimal point", FormatNumber(LangEN, 3.42, 2), "3.42"},
		{"id thousands", FormatNumber(LangID, 1234567.891, 2), "1.234.567,89"},
		{"en thousands", FormatNumber(LangEN, 1234567.891, 2), "1,234,567.89"},
		{"negative", FormatNumber(LangID, -0.5, 1), "-0,5"},
		{"negative zero", FormatNumber(LangID, -0.0001, 2), "0,00"},
		{"three digits", FormatInt(LangID, 999), "999"},
		{"four digits", FormatInt(LangEN, 1000), "1,000"},
		{"nan", FormatNumber(LangEN, math.NaN(), 2), "–"},
		{"percent id", FormatPercent(LangID, 0.8766, 1), "87,7%"},
		{"percent en", FormatPercent(LangEN, 1, 0), "100%"},
		{"date id", FormatDate(LangID, time.Date(2024, 8, 12, 0, 0, 0, 0, wib)), "12 Agu 2024"},
		{"date en", FormatDate(LangEN, time.Date(2024, 8, 12, 0, 0, 0, 0, wib)), "12 Aug 2024"},
		{"datetime id", FormatDateTime(LangID, time.Date(2024, 5, 3, 14, 30, 0, 0, wib)), "3 Mei 2024 14.30 WIB"},
		{"datetime en", FormatDateTime(LangEN, time.Date(2024, 10, 3, 9, 5, 0, 0, wib)), "3 Oct 2024 09:05 WIB"},
		{"zero date", FormatDate(LangID, time.Time{}), "–"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { require.Equal(t, c.want, c.got) })
	}
}
