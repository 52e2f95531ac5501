package workcal

import (
	"testing"
	"time"
)

// The 60-working-day limit is the longest in the national policy (pengaduan
// berkadar pengawasan). Each benchmark times the indexed calendar for b.N
// calls and the day-by-day loop for a sample of calls in the same run, and
// reports both so the ratio is visible in one line.

const benchLimit = 60

func benchDates(b *testing.B) []Date {
	b.Helper()
	// Receipt days spread over 2023-2027, leaving room for 60 working days.
	ds := make([]Date, 1024)
	start := NewDate(2023, 1, 1)
	for i := range ds {
		ds[i] = start.AddDays((i * 37) % (365*5 - 120))
	}
	return ds
}

func BenchmarkAddWorkingDays(b *testing.B) {
	hs, err := LoadEmbedded()
	if err != nil {
		b.Fatal(err)
	}
	cal := embeddedCalendar(b)
	oracle := newNaive(hs)
	ds := benchDates(b)
	var sink Date

	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		d, err := cal.AddWorkingDays(ds[i&1023], benchLimit)
		if err != nil {
			b.Fatal(err)
		}
		sink = d
	}
	indexed := float64(time.Since(start).Nanoseconds()) / float64(b.N)
	b.StopTimer()

	naiveN := max(b.N/200, 50)
	start = time.Now()
	for i := range naiveN {
		sink, _ = oracle.add(ds[i&1023], benchLimit)
	}
	slow := float64(time.Since(start).Nanoseconds()) / float64(naiveN)
	_ = sink

	b.ReportMetric(indexed, "indexed-ns/op")
	b.ReportMetric(slow, "naive-ns/op")
	b.ReportMetric(slow/indexed, "speedup")
}

func BenchmarkWorkingDaysBetween(b *testing.B) {
	hs, err := LoadEmbedded()
	if err != nil {
		b.Fatal(err)
	}
	cal := embeddedCalendar(b)
	oracle := newNaive(hs)
	ds := benchDates(b)
	ends := make([]Date, len(ds))
	for i, d := range ds {
		if ends[i], err = cal.AddWorkingDays(d, benchLimit); err != nil {
			b.Fatal(err)
		}
	}
	var sink int

	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		n, err := cal.WorkingDaysBetween(ds[i&1023], ends[i&1023])
		if err != nil {
			b.Fatal(err)
		}
		sink += n
	}
	indexed := float64(time.Since(start).Nanoseconds()) / float64(b.N)
	b.StopTimer()

	naiveN := max(b.N/200, 50)
	start = time.Now()
	for i := range naiveN {
		sink += oracle.between(ds[i&1023], ends[i&1023])
	}
	slow := float64(time.Since(start).Nanoseconds()) / float64(naiveN)
	_ = sink

	b.ReportMetric(indexed, "indexed-ns/op")
	b.ReportMetric(slow, "naive-ns/op")
	b.ReportMetric(slow/indexed, "speedup")
}

// BenchmarkDue includes the instant → local date conversion callers pay.
func BenchmarkDue(b *testing.B) {
	cal := embeddedCalendar(b)
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2024, 4, 5, 10, 0, 0, 0, loc)
	for b.Loop() {
		if _, err := cal.Due(at, loc, benchLimit); err != nil {
			b.Fatal(err)
		}
	}
}
