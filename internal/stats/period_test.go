package stats

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/tanggap-id/tanggap/internal/domain"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParsePeriod(t *testing.T) {
	today := day("2024-05-20")
	tests := []struct {
		in              string
		kind            PeriodKind
		key, start, end string
		days            int
	}{
		{in: "2024-Q1", kind: PeriodQuarter, key: "2024-Q1", start: "2024-01-01", end: "2024-03-31", days: 91}, // leap year
		{in: "2023-q1", kind: PeriodQuarter, key: "2023-Q1", start: "2023-01-01", end: "2023-03-31", days: 90},
		{in: "2024-Q4", kind: PeriodQuarter, key: "2024-Q4", start: "2024-10-01", end: "2024-12-31", days: 92},
		{in: "2024-02", kind: PeriodMonth, key: "2024-02", start: "2024-02-01", end: "2024-02-29", days: 29},
		{in: "2023-02", kind: PeriodMonth, key: "2023-02", start: "2023-02-01", end: "2023-02-28", days: 28},
		{in: "2024-12", kind: PeriodMonth, key: "2024-12", start: "2024-12-01", end: "2024-12-31", days: 31},
		{in: "2024", kind: PeriodYear, key: "2024", start: "2024-01-01", end: "2024-12-31", days: 366},
		{in: " rolling90 ", kind: PeriodRolling90, key: "rolling90", start: "2024-02-21", end: "2024-05-20", days: 90},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePeriod(tt.in, today)
			if err != nil {
				t.Fatal(err)
			}
			if p.Kind != tt.kind || p.Key != tt.key || !p.Start.Equal(day(tt.start)) || !p.End.Equal(day(tt.end)) || p.Days() != tt.days {
				t.Errorf("got %s %s %s..%s (%d days), want %s %s %s..%s (%d days)",
					p.Kind, p.Key, p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly), p.Days(),
					tt.kind, tt.key, tt.start, tt.end, tt.days)
			}
		})
	}
}

func TestParsePeriodErrors(t *testing.T) {
	for _, in := range []string{"", "24", "2024-Q0", "2024-Q5", "2024-13", "2024-00", "2024-3", "2024-W10", "rolling30", "abcd", "2024-03-01", "0999"} {
		t.Run(in, func(t *testing.T) {
			_, err := ParsePeriod(in, day("2024-05-20"))
			var ve *domain.ValidationError
			if !errors.Is(err, domain.ErrInvalid) || !errors.As(err, &ve) || ve.Details[0].Field != "period" {
				t.Fatalf("ParsePeriod(%q) = %v, want a validation error on field period", in, err)
			}
			if !strings.Contains(err.Error(), "period") {
				t.Errorf("message %q does not name the field", err)
			}
		})
	}
}

func TestRollingUsesLocalDate(t *testing.T) {
	jayapura, _ := time.LoadLocation("Asia/Jayapura")
	// 2024-05-20 23:30 UTC is already 21 May in Jayapura (UTC+9).
	now := time.Date(2024, 5, 20, 23, 30, 0, 0, time.UTC).In(jayapura)
	p := Rolling90(now)
	if got := p.End.Format(time.DateOnly); got != "2024-05-21" {
		t.Errorf("rolling end = %s, want the local date 2024-05-21", got)
	}
}

func TestPeriodsOf(t *testing.T) {
	tests := []struct {
		date string
		want []string
	}{
		{"2024-03-31", []string{"2024-03", "2024-Q1", "2024"}},
		{"2024-04-01", []string{"2024-04", "2024-Q2", "2024"}},
		{"2024-12-31", []string{"2024-12", "2024-Q4", "2024"}},
		{"2025-07-15", []string{"2025-07", "2025-Q3", "2025"}},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			ps := PeriodsOf(day(tt.date))
			if len(ps) != len(tt.want) {
				t.Fatalf("got %d periods", len(ps))
			}
			for i, p := range ps {
				if p.Key != tt.want[i] {
					t.Errorf("period %d = %s, want %s", i, p.Key, tt.want[i])
				}
				if !p.Contains(day(tt.date)) {
					t.Errorf("%s does not contain %s", p.Key, tt.date)
				}
			}
		})
	}
}

func TestPeriodContainsAndBounds(t *testing.T) {
	makassar, _ := time.LoadLocation("Asia/Makassar")
	q1 := QuarterPeriod(2024, 1)
	tests := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"first instant local", time.Date(2024, 1, 1, 0, 0, 0, 0, makassar), true},
		{"last second local", time.Date(2024, 3, 31, 23, 59, 59, 0, makassar), true},
		{"next day local", time.Date(2024, 4, 1, 0, 0, 0, 0, makassar), false},
		{"day before", time.Date(2023, 12, 31, 23, 59, 59, 0, makassar), false},
	}
	from, to := q1.Bounds(makassar)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := q1.Contains(tt.at); got != tt.want {
				t.Errorf("Contains = %v, want %v", got, tt.want)
			}
			inBounds := !tt.at.Before(from) && tt.at.Before(to)
			if inBounds != tt.want {
				t.Errorf("Bounds [%v, %v) holds %v = %v, want %v", from, to, tt.at, inBounds, tt.want)
			}
		})
	}
	if want := time.Date(2024, 1, 1, 0, 0, 0, 0, makassar); !from.Equal(want) {
		t.Errorf("from = %v, want %v", from, want)
	}
}

func TestPeriodJSON(t *testing.T) {
	got, err := json.Marshal(QuarterPeriod(2024, 1))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"kind":"quarter","key":"2024-Q1","start":"2024-01-01","end":"2024-03-31"}`; string(got) != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
}
