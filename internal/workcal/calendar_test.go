package workcal

import (
	"encoding/csv"
	"errors"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/tanggap-id/tanggap/internal/domain"
)

func embeddedCalendar(t testing.TB) *Calendar {
	t.Helper()
	hs, err := LoadEmbedded()
	if err != nil {
		t.Fatalf("LoadEmbedded: %v", err)
	}
	cal, err := New(hs, ContentVersion(hs))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return cal
}

func mustDate(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestGolden runs the hand-checked cases of testdata/workcal/golden.csv; the
// "why" column records how each expected value was counted.
func TestGolden(t *testing.T) {
	cal := embeddedCalendar(t)
	f, err := os.Open("../../testdata/workcal/golden.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows)-1 < 40 {
		t.Fatalf("golden table has %d cases, want at least 40", len(rows)-1)
	}
	for _, r := range rows[1:] {
		name, op, a, b, zone, nStr, want, why := r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]
		t.Run(name, func(t *testing.T) {
			var loc *time.Location
			if zone != "" {
				if loc, err = time.LoadLocation(zone); err != nil {
					t.Fatal(err)
				}
			}
			n := 0
			if nStr != "" {
				if n, err = strconv.Atoi(nStr); err != nil {
					t.Fatal(err)
				}
			}
			instant := func(s string) time.Time {
				ts, err := time.Parse(time.RFC3339, s)
				if err != nil {
					t.Fatal(err)
				}
				return ts
			}
			var got string
			var gotErr error
			switch op {
			case "due":
				var due time.Time
				due, gotErr = cal.Due(instant(a), loc, n)
				got = due.Format(time.RFC3339)
			case "used":
				var used int
				used, gotErr = cal.WorkingDaysUsed(instant(a), instant(b), loc)
				got = strconv.Itoa(used)
			case "between":
				var k int
				k, gotErr = cal.WorkingDaysBetween(mustDate(t, a), mustDate(t, b))
				got = strconv.Itoa(k)
			case "working":
				var w bool
				w, gotErr = cal.IsWorkingDay(mustDate(t, a))
				got = strconv.FormatBool(w)
			case "add":
				var d Date
				d, gotErr = cal.AddWorkingDays(mustDate(t, a), n)
				got = d.String()
			default:
				t.Fatalf("unknown op %q", op)
			}
			if want == "out_of_range" {
				if !errors.Is(gotErr, ErrOutOfRange) || !errors.Is(gotErr, domain.ErrInvalid) {
					t.Fatalf("got %s, err %v; want ErrOutOfRange (%s)", got, gotErr, why)
				}
				return
			}
			if gotErr != nil {
				t.Fatalf("unexpected error %v (%s)", gotErr, why)
			}
			if got != want {
				t.Errorf("got %s, want %s\n  why: %s", got, want, why)
			}
		})
	}
}

// naive is the obvious day-by-day implementation, used as an independent
// oracle here and as the baseline in the benchmarks.
type naive struct {
	holidays    map[Date]bool
	first, last int
}

func newNaive(hs []Holiday) naive {
	n := naive{holidays: map[Date]bool{}, first: hs[0].Date.Year, last: hs[len(hs)-1].Date.Year}
	for _, h := range hs {
		n.holidays[h.Date] = true
	}
	return n
}

func (n naive) working(d Date) bool {
	wd := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Weekday()
	return wd != time.Saturday && wd != time.Sunday && !n.holidays[d]
}

func (n naive) add(d Date, k int) (Date, bool) {
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	for k > 0 {
		t = t.AddDate(0, 0, 1)
		if t.Year() > n.last {
			return Date{}, false
		}
		if n.working(Date{t.Year(), t.Month(), t.Day()}) {
			k--
		}
	}
	return Date{t.Year(), t.Month(), t.Day()}, true
}

func (n naive) between(a, b Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 0, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 0, 0, 0, 0, time.UTC)
	sign := 1
	if tb.Before(ta) {
		ta, tb, sign = tb, ta, -1
	}
	c := 0
	for t := ta.AddDate(0, 0, 1); !t.After(tb); t = t.AddDate(0, 0, 1) {
		if n.working(Date{t.Year(), t.Month(), t.Day()}) {
			c++
		}
	}
	return sign * c
}

// TestAgainstNaive compares the O(1) tables with the day-by-day oracle on
// seeded random dates across the whole covered range.
func TestAgainstNaive(t *testing.T) {
	hs, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	cal := embeddedCalendar(t)
	oracle := newNaive(hs)
	rng := rand.New(rand.NewPCG(20240405, 1))
	start := NewDate(2023, 1, 1)
	span := NewDate(2027, 12, 31).days() - start.days() + 1
	for range 3000 {
		a := start.AddDays(rng.IntN(span))
		b := start.AddDays(rng.IntN(span))
		k := rng.IntN(80)
		w, err := cal.IsWorkingDay(a)
		if err != nil || w != oracle.working(a) {
			t.Fatalf("IsWorkingDay(%s) = %v, %v; oracle %v", a, w, err, oracle.working(a))
		}
		if got, want := mustBetween(t, cal, a, b), oracle.between(a, b); got != want {
			t.Fatalf("WorkingDaysBetween(%s, %s) = %d, oracle %d", a, b, got, want)
		}
		got, err := cal.AddWorkingDays(a, k)
		want, ok := oracle.add(a, k)
		if ok != (err == nil) || (ok && got != want) {
			t.Fatalf("AddWorkingDays(%s, %d) = %s, %v; oracle %s, %v", a, k, got, err, want, ok)
		}
		if err == nil && k > 0 {
			// From a working day, going back k working days returns to it.
			if w {
				back, err := cal.AddWorkingDays(got, -k)
				if err != nil || back != a {
					t.Fatalf("AddWorkingDays(%s, %d) then -%d = %s, %v", a, k, k, back, err)
				}
			}
			if n := mustBetween(t, cal, a, got); n != k {
				t.Fatalf("WorkingDaysBetween(%s, AddWorkingDays(.., %d)=%s) = %d", a, k, got, n)
			}
		}
	}
}

func mustBetween(t *testing.T, cal *Calendar, a, b Date) int {
	t.Helper()
	n, err := cal.WorkingDaysBetween(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestYearTotals checks the per-year working-day counts published in
// holidays-id.README.md.
func TestYearTotals(t *testing.T) {
	cal := embeddedCalendar(t)
	want := map[int]int{2023: 239, 2024: 238, 2025: 237, 2026: 240, 2027: 242}
	for y, w := range want {
		t.Run(strconv.Itoa(y), func(t *testing.T) {
			// Working days after Jan 1 up to Dec 31, plus Jan 1 itself (a holiday every year).
			got := mustBetween(t, cal, NewDate(y, 1, 1), NewDate(y, 12, 31))
			if ok, _ := cal.IsWorkingDay(NewDate(y, 1, 1)); ok {
				got++
			}
			if got != w {
				t.Errorf("%d: %d working days, README says %d", y, got, w)
			}
		})
	}
}

func TestCalendarMetadata(t *testing.T) {
	cal := embeddedCalendar(t)
	if f, l := cal.CoveredYears(); f != 2023 || l != 2027 {
		t.Errorf("CoveredYears = %d-%d, want 2023-2027", f, l)
	}
	if !cal.HasYear(2025) || cal.HasYear(2022) || cal.HasYear(2028) {
		t.Error("HasYear wrong at the edges")
	}
	if !strings.HasPrefix(cal.Version(), "hol-") {
		t.Errorf("Version = %q", cal.Version())
	}
	h, ok := cal.Holiday(NewDate(2024, 4, 15))
	if !ok || h.Kind != CutiBersama || h.NameEN != "Collective leave: Eid al-Fitr" {
		t.Errorf("Holiday(2024-04-15) = %+v, %v", h, ok)
	}
	if _, ok := cal.Holiday(NewDate(2024, 4, 13)); ok {
		t.Error("a plain Saturday is not a holiday")
	}
	if _, ok := cal.Holiday(NewDate(2030, 1, 1)); ok {
		t.Error("uncovered date reported as a holiday")
	}
}

func TestNewRejects(t *testing.T) {
	h := func(s string) Holiday {
		return Holiday{Date: mustDate(t, s), Kind: LiburNasional, NameID: "x", Source: "test"}
	}
	cases := []struct {
		name     string
		holidays []Holiday
		version  string
		field    string
	}{
		{"no data", nil, "v", "holidays"},
		{"no version", []Holiday{h("2024-01-01")}, "", "version"},
		{"gap year", []Holiday{h("2023-01-01"), h("2025-01-01")}, "v", "holidays"},
		{"duplicate", []Holiday{h("2024-01-01"), h("2024-01-01")}, "v", "holidays"},
		{"bad kind", []Holiday{{Date: mustDate(t, "2024-01-01"), Kind: "libur"}}, "v", "holidays"},
		{"bad date", []Holiday{{Date: Date{2024, 2, 30}, Kind: LiburNasional}}, "v", "holidays"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.holidays, tc.version)
			var verr *domain.ValidationError
			if !errors.As(err, &verr) || verr.Details[0].Field != tc.field {
				t.Fatalf("New = %v, want a validation error on %q", err, tc.field)
			}
		})
	}
}

func TestInputErrors(t *testing.T) {
	cal := embeddedCalendar(t)
	at := time.Date(2024, 4, 5, 10, 0, 0, 0, time.UTC)
	if _, err := cal.Due(at, nil, 5); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("Due with nil zone: %v", err)
	}
	if _, err := cal.Due(at, time.UTC, -1); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("Due with negative limit: %v", err)
	}
	if _, err := cal.IsWorkingDay(Date{2024, 2, 30}); !errors.Is(err, domain.ErrInvalid) || errors.Is(err, ErrOutOfRange) {
		t.Errorf("impossible date: %v", err)
	}
	if _, err := cal.WorkingDaysUsed(at, at, nil); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("WorkingDaysUsed with nil zone: %v", err)
	}
}
