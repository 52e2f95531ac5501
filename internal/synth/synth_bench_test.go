package synth

import (
	"io"
	"runtime"
	"strconv"
	"testing"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// BenchmarkEach reports allocations and bytes per complaint at two sizes;
// equal figures show memory does not grow with the number of complaints.
func BenchmarkEach(b *testing.B) {
	for _, n := range []int{1_000, 20_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			g := &Generator{Seed: 1, Complaints: n, Agencies: testAgencies()}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			runs := 0
			for b.Loop() {
				runs++
				if err := g.Each(func(domain.Complaint, domain.Reporter, []domain.Event) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
			runtime.ReadMemStats(&after)
			per := float64(runs * n)
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/per, "allocs/complaint")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/per, "B/complaint")
		})
	}
}

func BenchmarkWriteNDJSON(b *testing.B) {
	g := &Generator{Seed: 1, Complaints: 5_000, Agencies: testAgencies()}
	for b.Loop() {
		if err := WriteNDJSON(io.Discard, g); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*g.Complaints), "ns/complaint")
}
