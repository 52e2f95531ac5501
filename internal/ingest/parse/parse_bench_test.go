package parse

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"
)

// benchRead reads an input of n rows and reports allocations and bytes per
// row; flat figures across sizes show the reader streams.
func benchRead(b *testing.B, n int, open func(data []byte) (Reader, error), data []byte) {
	b.Helper()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	runs := 0
	for b.Loop() {
		runs++
		r, err := open(data)
		if err != nil {
			b.Fatal(err)
		}
		rows := 0
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
		if rows != n {
			b.Fatalf("read %d rows, want %d", rows, n)
		}
	}
	runtime.ReadMemStats(&after)
	rows := float64(runs * n)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/rows, "allocs/row")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/rows, "B/row")
}

func BenchmarkReadCSV(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		data, _ := englishCSV(b, fixtureRows(n, nil))
		opt := Options{Agencies: testLookup(b)}
		b.Run(itoa(n)+"rows", func(b *testing.B) {
			benchRead(b, n, func(d []byte) (Reader, error) { return NewCSV(bytes.NewReader(d), opt) }, data)
		})
	}
}

func BenchmarkReadNDJSON(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		data := ndjsonOf(b, fixtureRows(n, nil))
		opt := Options{Agencies: testLookup(b)}
		b.Run(itoa(n)+"rows", func(b *testing.B) {
			benchRead(b, n, func(d []byte) (Reader, error) { return NewNDJSON(bytes.NewReader(d), opt) }, data)
		})
	}
}

func BenchmarkReadXLSX(b *testing.B) {
	n := 2_000
	data := xlsxOf(b, "Sheet1", englishComplaintHeader, xlsxRows(fixtureRows(n, nil), englishComplaintHeader))
	opt := Options{Agencies: testLookup(b)}
	benchRead(b, n, func(d []byte) (Reader, error) { return NewXLSX(bytes.NewReader(d), opt) }, data)
}
