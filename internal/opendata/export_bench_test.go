package opendata

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
	"github.com/tanggap-id/tanggap/internal/synth"
)

// fillComplaints stores n synthetic complaints (with reporters and events)
// under one regency.
func fillComplaints(b *testing.B, st *store.Store, n int) {
	ctx := context.Background()
	for _, a := range []domain.Agency{
		{Code: "ID", Kind: domain.KindNational, Name: "Indonesia"},
		{Code: "32", ParentCode: "ID", Kind: domain.KindProvinsi, Name: "Jawa Barat"},
		{Code: "32.73", ParentCode: "32", Kind: domain.KindKota, Name: "Kota Bandung"},
	} {
		a.TimeZone, a.ShortName, a.Active = "Asia/Jakarta", a.Code, true
		if _, err := st.CreateAgency(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	a, err := st.AgencyRefs(ctx)
	if err != nil {
		b.Fatal(err)
	}
	id := a[len(a)-1].ID
	g := &synth.Generator{Seed: 1, Complaints: n, Agencies: []domain.Agency{{Code: "32.73", Kind: domain.KindKota, TimeZone: "Asia/Jakarta", Name: "Kota Bandung"}}}
	var batch []store.ComplaintWrite
	flush := func() {
		if _, err := st.InsertComplaints(ctx, batch, time.Now()); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	if err := g.Each(func(c domain.Complaint, r domain.Reporter, _ []domain.Event) error {
		batch = append(batch, store.ComplaintWrite{Complaint: c, Reporter: r, AgencyID: id, GovernmentCode: "32.73"})
		if len(batch) == 2000 {
			flush()
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	flush()
}

// peakHeap runs fn while sampling the live heap and returns the highest
// HeapInuse seen above the level before fn.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > base && m.HeapInuse-base > peak {
				peak = m.HeapInuse - base
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	return peak
}

// BenchmarkExportMemory streams the complaints export (NDJSON and CSV) of N
// and 4N complaints and reports the peak live heap of each and their ratio:
// a streaming export's ratio stays near 1 however large N grows, where a
// buffering one would approach 4.
func BenchmarkExportMemory(b *testing.B) {
	const small = 5000
	sizes := []int{small, 4 * small}
	stores := make([]*store.Store, len(sizes))
	for i, n := range sizes {
		stores[i] = storetest.SQLite(b)
		fillComplaints(b, stores[i], n)
	}
	for _, f := range []Format{NDJSON, CSV} {
		b.Run(string(f), func(b *testing.B) {
			peaks := make([]uint64, len(sizes))
			for b.Loop() {
				for i, st := range stores {
					svc := NewService(st, time.Now, "")
					ex, err := svc.Prepare(context.Background(), DatasetComplaints, f, Query{})
					if err != nil {
						b.Fatal(err)
					}
					var err2 error
					p := peakHeap(func() { err2 = ex.WriteTo(context.Background(), io.Discard) })
					if err2 != nil {
						b.Fatal(err2)
					}
					peaks[i] = max(peaks[i], p)
				}
			}
			for i, n := range sizes {
				b.ReportMetric(float64(peaks[i])/(1<<20), fmt.Sprintf("peak-heap-MB/%d", n))
			}
			b.ReportMetric(float64(peaks[1])/float64(max(peaks[0], 1)), "heap-ratio-4x/1x")
		})
	}
}
