package stats

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tanggap-id/tanggap/internal/domain"
)

func histOf(t *testing.T, days ...int) *Histogram {
	t.Helper()
	var h Histogram
	for _, d := range days {
		if err := h.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	return &h
}

func TestHistogramQuantiles(t *testing.T) {
	tests := []struct {
		name       string
		days       []int
		wantMedian float64
		wantP90    int
		wantP50    int
		wantMin    int
		wantMax    int
	}{
		// Nearest rank: P90 of 10 values is the 9th smallest; median of an even count averages the middle two.
		{name: "one to ten", days: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, wantMedian: 5.5, wantP90: 9, wantP50: 5, wantMin: 1, wantMax: 10},
		{name: "odd count", days: []int{0, 0, 3, 14, 2}, wantMedian: 2, wantP90: 14, wantP50: 2, wantMin: 0, wantMax: 14},
		{name: "single", days: []int{4}, wantMedian: 4, wantP90: 4, wantP50: 4, wantMin: 4, wantMax: 4},
		{name: "ties", days: []int{2, 2, 2, 2, 5}, wantMedian: 2, wantP90: 5, wantP50: 2, wantMin: 2, wantMax: 5},
		// 20 values: rank ⌈0.9·20⌉ = 18 is the first 7; the 10th and 11th are 1 and 3.
		{name: "twenty", days: []int{0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 3, 7, 7, 30}, wantMedian: 2, wantP90: 7, wantP50: 1, wantMin: 0, wantMax: 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := histOf(t, tt.days...)
			if h.N() != len(tt.days) {
				t.Errorf("N = %d, want %d", h.N(), len(tt.days))
			}
			if m, ok := h.Median(); !ok || m != tt.wantMedian {
				t.Errorf("Median = %v, %v; want %v", m, ok, tt.wantMedian)
			}
			if p, ok := h.P90(); !ok || p != tt.wantP90 {
				t.Errorf("P90 = %v, %v; want %v", p, ok, tt.wantP90)
			}
			if p, _ := h.Quantile(0.5); p != tt.wantP50 {
				t.Errorf("Quantile(0.5) = %v, want %v", p, tt.wantP50)
			}
			if v, _ := h.Quantile(0); v != tt.wantMin {
				t.Errorf("Quantile(0) = %v, want min %v", v, tt.wantMin)
			}
			if v, _ := h.Max(); v != tt.wantMax {
				t.Errorf("Max = %v, want %v", v, tt.wantMax)
			}
			if v, _ := h.Quantile(1); v != tt.wantMax {
				t.Errorf("Quantile(1) = %v, want %v", v, tt.wantMax)
			}
		})
	}
}

func TestHistogramEmptyAndInvalid(t *testing.T) {
	var h Histogram
	if _, ok := h.Median(); ok {
		t.Error("empty histogram has a median")
	}
	if _, ok := h.P90(); ok {
		t.Error("empty histogram has a p90")
	}
	if h.CountAtMost(5) != 0 {
		t.Error("empty CountAtMost not 0")
	}
	for _, d := range []int{-1, MaxHistogramDays + 1} {
		if err := h.Add(d); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("Add(%d) = %v, want ErrInvalid", d, err)
		}
	}
	if err := h.AddN(3, -2); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("AddN negative count = %v, want ErrInvalid", err)
	}
	if h.N() != 0 {
		t.Errorf("rejected adds changed N to %d", h.N())
	}
	h2 := histOf(t, 1)
	for _, p := range []float64{-0.1, 1.1} {
		if _, ok := h2.Quantile(p); ok {
			t.Errorf("Quantile(%v) accepted", p)
		}
	}
}

func TestHistogramCountAtMost(t *testing.T) {
	h := histOf(t, 0, 1, 1, 3, 5, 5, 5, 10)
	tests := []struct{ k, want int }{{-1, 0}, {0, 1}, {1, 3}, {2, 3}, {3, 4}, {5, 7}, {9, 7}, {10, 8}, {1000, 8}}
	for _, tt := range tests {
		if got := h.CountAtMost(tt.k); got != tt.want {
			t.Errorf("CountAtMost(%d) = %d, want %d", tt.k, got, tt.want)
		}
	}
	r := h.ShareWithin(5, 5)
	if r.Value == nil || *r.Value != 7.0/8 || r.N != 8 {
		t.Errorf("ShareWithin(5) = %+v, want 7/8 of 8", r)
	}
	if r := h.ShareWithin(5, 0); r.Value != nil || r.Reason != ReasonInsufficientData {
		t.Errorf("ShareWithin below default min n = %+v, want insufficient data", r)
	}
}

// sortedMedian and nearestRank are the oracles: plain definitions over a sorted raw slice.
func sortedMedian(xs []int) float64 {
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}

func nearestRank(xs []int, num, den int) int {
	s := slices.Sorted(slices.Values(xs))
	r := (num*len(s) + den - 1) / den // ⌈p·n⌉ in integers
	return s[max(r, 1)-1]
}

// TestHistogramMergeProperty: the median and p90 of merged histograms equal
// those of the concatenated raw samples, for random agency-like samples.
func TestHistogramMergeProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 3))
	for iter := range 500 {
		parts := 1 + rng.IntN(6)
		var all []int
		var merged Histogram
		for range parts {
			size := rng.IntN(40)
			var raw []int
			for range size {
				// Mostly short waits with a long tail, as response times are.
				d := rng.IntN(6)
				if rng.IntN(10) == 0 {
					d = rng.IntN(200)
				}
				raw = append(raw, d)
			}
			all = append(all, raw...)
			merged.Merge(histOf(t, raw...))
		}
		if merged.N() != len(all) {
			t.Fatalf("iter %d: N %d, want %d", iter, merged.N(), len(all))
		}
		if len(all) == 0 {
			continue
		}
		if m, _ := merged.Median(); m != sortedMedian(all) {
			t.Fatalf("iter %d: merged median %v, raw median %v (%v)", iter, m, sortedMedian(all), all)
		}
		if p, _ := merged.P90(); p != nearestRank(all, 9, 10) {
			t.Fatalf("iter %d: merged p90 %v, raw %v", iter, p, nearestRank(all, 9, 10))
		}
		if p, _ := merged.Quantile(0.75); p != nearestRank(all, 3, 4) {
			t.Fatalf("iter %d: merged p75 %v, raw %v", iter, p, nearestRank(all, 3, 4))
		}
		// Merging is order-independent: the pooled histogram built directly is equal.
		if direct := histOf(t, all...); !direct.Equal(&merged) {
			t.Fatalf("iter %d: merged %s != direct %s", iter, merged.String(), direct.String())
		}
	}
}

func TestHistogramEncoding(t *testing.T) {
	tests := []struct {
		name     string
		days     []int
		wantText string
	}{
		{name: "empty", wantText: ""},
		{name: "sparse", days: []int{0, 0, 0, 2, 2, 14}, wantText: "0:3,2:2,14:1"},
		{name: "tail", days: []int{5, 9999}, wantText: "5:1,9999:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := histOf(t, tt.days...)
			if h.String() != tt.wantText {
				t.Errorf("String = %q, want %q", h.String(), tt.wantText)
			}
			var fromText Histogram
			if err := fromText.UnmarshalText([]byte(tt.wantText)); err != nil || !fromText.Equal(h) {
				t.Errorf("text round trip: %v, %s", err, fromText.String())
			}
			bin, _ := h.MarshalBinary()
			var fromBin Histogram
			if err := fromBin.UnmarshalBinary(bin); err != nil || !fromBin.Equal(h) {
				t.Errorf("binary round trip: %v, %s", err, fromBin.String())
			}
			// By value on purpose: the field must still encode through MarshalText.
			js, err := json.Marshal(struct {
				Days Histogram `json:"days"`
			}{*h})
			if err != nil {
				t.Fatal(err)
			}
			var back struct {
				Days Histogram `json:"days"`
			}
			if want := `{"days":"` + tt.wantText + `"}`; string(js) != want {
				t.Errorf("JSON = %s, want %s", js, want)
			}
			if err := json.Unmarshal(js, &back); err != nil || !back.Days.Equal(h) {
				t.Errorf("JSON round trip %s: %v", js, err)
			}
		})
	}
	// A day's counts fit in a few bytes: 3 pairs of small varints plus header.
	bin, _ := histOf(t, 0, 0, 0, 2, 2, 14).MarshalBinary()
	if len(bin) != 8 {
		t.Errorf("binary size %d bytes, want 8 (version, count, 3×(gap, count))", len(bin))
	}
}

func TestHistogramDecodeErrors(t *testing.T) {
	texts := []string{"1", "a:1", "1:0", "2:1,1:1", "1:1,1:1", "1:-3", "-1:2", "10001:1", ","}
	for _, s := range texts {
		t.Run("text "+s, func(t *testing.T) {
			h := histOf(t, 7)
			if err := h.UnmarshalText([]byte(s)); !errors.Is(err, domain.ErrInvalid) {
				t.Errorf("UnmarshalText(%q) = %v, want ErrInvalid", s, err)
			}
			if h.String() != "7:1" {
				t.Errorf("failed decode changed the histogram to %q", h.String())
			}
		})
	}
	good, _ := histOf(t, 1, 3).MarshalBinary()
	bins := map[string][]byte{
		"empty":         {},
		"bad version":   append([]byte{9}, good[1:]...),
		"truncated":     good[:len(good)-1],
		"trailing byte": append(slices.Clone(good), 0),
		"zero count":    {1, 1, 0, 0},
		"beyond limit":  {1, 1, 0x91, 0x4e, 1}, // day 10001
	}
	for name, b := range bins {
		t.Run("binary "+name, func(t *testing.T) {
			var h Histogram
			if err := h.UnmarshalBinary(b); !errors.Is(err, domain.ErrInvalid) {
				t.Errorf("UnmarshalBinary = %v, want ErrInvalid", err)
			}
		})
	}
	var h Histogram
	if err := h.UnmarshalBinary([]byte{1, 1, 0x90, 0x4e, 1}); err != nil || h.String() != "10000:1" {
		t.Errorf("day %d at the limit: %v, %q", MaxHistogramDays, err, h.String())
	}
}
