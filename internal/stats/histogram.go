package stats

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// MaxHistogramDays bounds a histogram's range (about 40 years of working days)
// so that a corrupt value cannot make it allocate without limit.
const MaxHistogramDays = 10000

// Histogram counts observations of a whole number of working days (0, 1, 2, ...)
// exactly: one bucket per day, grown on demand. Because nothing is binned,
// histograms of agencies or months merge without loss and every quantile of
// a merge equals the quantile of the pooled raw samples. The zero value is empty
// and ready to use.
//
// Quantiles use the nearest-rank method: Quantile(p) is the smallest observed
// value x such that at least ⌈p·N⌉ observations are ≤ x (p = 0 gives the minimum).
// Median is the ordinary sample median: the middle value, or the mean of the
// two middle values when N is even, so it can end in .5.
type Histogram struct {
	counts []int // counts[d] = observations of d working days; last element non-zero
	n      int
}

// Add records one observation of days working days.
func (h *Histogram) Add(days int) error { return h.AddN(days, 1) }

// AddN records count observations of days working days.
func (h *Histogram) AddN(days, count int) error {
	if days < 0 || days > MaxHistogramDays {
		return domain.Invalidf("days", "%d is outside 0..%d working days", days, MaxHistogramDays)
	}
	if count < 0 {
		return domain.Invalidf("count", "%d is negative", count)
	}
	if count == 0 {
		return nil
	}
	if days >= len(h.counts) {
		h.counts = append(h.counts, make([]int, days+1-len(h.counts))...)
	}
	h.counts[days] += count
	h.n += count
	return nil
}

// Merge adds every observation of o to h. o may be nil.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil || o.n == 0 {
		return
	}
	if len(o.counts) > len(h.counts) {
		h.counts = append(h.counts, make([]int, len(o.counts)-len(h.counts))...)
	}
	for d, c := range o.counts {
		h.counts[d] += c
	}
	h.n += o.n
}

// N is the number of observations.
func (h *Histogram) N() int { return h.n }

// CountAt is the number of observations of exactly days working days.
func (h *Histogram) CountAt(days int) int {
	if days < 0 || days >= len(h.counts) {
		return 0
	}
	return h.counts[days]
}

// CountAtMost is the number of observations of at most k working days, the
// numerator of "share answered within k working days".
func (h *Histogram) CountAtMost(k int) int {
	if k < 0 {
		return 0
	}
	if k >= len(h.counts)-1 {
		return h.n
	}
	total := 0
	for _, c := range h.counts[:k+1] {
		total += c
	}
	return total
}

// ShareWithin is the rate of observations of at most k working days.
func (h *Histogram) ShareWithin(k, minN int) Rate { return NewRate(h.CountAtMost(k), h.n, minN) }

// Min is the smallest observation; false when empty.
func (h *Histogram) Min() (int, bool) { return h.valueAtRank(1) }

// Max is the largest observation; false when empty.
func (h *Histogram) Max() (int, bool) {
	if h.n == 0 {
		return 0, false
	}
	return len(h.counts) - 1, true
}

// valueAtRank returns the r-th smallest observation (1-based).
func (h *Histogram) valueAtRank(r int) (int, bool) {
	if h.n == 0 || r < 1 || r > h.n {
		return 0, false
	}
	cum := 0
	for d, c := range h.counts {
		cum += c
		if cum >= r {
			return d, true
		}
	}
	return 0, false // unreachable while n equals the sum of counts
}

// Quantile is the nearest-rank p-quantile (see Histogram); false when empty
// or p is not in [0, 1].
func (h *Histogram) Quantile(p float64) (int, bool) {
	if h.n == 0 || math.IsNaN(p) || p < 0 || p > 1 {
		return 0, false
	}
	// Round p·N before the ceiling so 0.9·10 is rank 9, not 10 from float error.
	x := p * float64(h.n)
	r := int(math.Ceil(x - x*1e-12))
	return h.valueAtRank(max(r, 1))
}

// P90 is the nearest-rank 90th percentile.
func (h *Histogram) P90() (int, bool) { return h.Quantile(0.9) }

// Median is the sample median (mean of the two middle values when N is even).
func (h *Histogram) Median() (float64, bool) {
	if h.n == 0 {
		return 0, false
	}
	lo, _ := h.valueAtRank((h.n + 1) / 2)
	hi, _ := h.valueAtRank(h.n/2 + 1)
	return (float64(lo) + float64(hi)) / 2, true
}

// DaysSummary is the JSON shape of a working-days distribution (design §5).
// Median and P90 are null below the minimum n, with Reason.
type DaysSummary struct {
	Median *float64 `json:"median"`
	P90    *int     `json:"p90"`
	N      int      `json:"n"`
	Reason string   `json:"reason,omitempty"`
}

// Summary gives median and p90 unless N < minN (minN <= 0: DefaultMinN).
func (h *Histogram) Summary(minN int) DaysSummary {
	if minN <= 0 {
		minN = DefaultMinN
	}
	s := DaysSummary{N: h.n}
	if h.n < minN {
		s.Reason = ReasonInsufficientData
		return s
	}
	m, _ := h.Median()
	p, _ := h.P90()
	s.Median, s.P90 = &m, &p
	return s
}

// Equal reports whether both histograms hold the same observations.
func (h *Histogram) Equal(o *Histogram) bool {
	if h.n != o.n || len(h.counts) != len(o.counts) {
		return false
	}
	for d, c := range h.counts {
		if o.counts[d] != c {
			return false
		}
	}
	return true
}

// String is the text form: "days:count" pairs for non-empty days in
// ascending order, comma-separated ("" when empty), e.g. "0:3,2:5,14:1".
func (h Histogram) String() string {
	var b strings.Builder
	for d, c := range h.counts {
		if c == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(d))
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(c))
	}
	return b.String()
}

// MarshalText encodes the text form; JSON uses it too (a string). The
// encoders have value receivers so a Histogram field encodes even when its
// struct is passed by value.
func (h Histogram) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText decodes the text form. Days must be strictly ascending and
// counts positive, so each histogram has exactly one encoding.
func (h *Histogram) UnmarshalText(text []byte) error {
	var out Histogram
	prev := -1
	if len(text) > 0 {
		for _, pair := range strings.Split(string(text), ",") {
			ds, cs, ok := strings.Cut(pair, ":")
			if !ok {
				return domain.Invalidf("histogram", "pair %q is not days:count", pair)
			}
			d, err1 := strconv.Atoi(ds)
			c, err2 := strconv.Atoi(cs)
			if err1 != nil || err2 != nil {
				return domain.Invalidf("histogram", "pair %q is not days:count", pair)
			}
			if d <= prev {
				return domain.Invalidf("histogram", "days %d not ascending", d)
			}
			if c <= 0 {
				return domain.Invalidf("histogram", "count %d for day %d must be positive", c, d)
			}
			if err := out.AddN(d, c); err != nil {
				return fmt.Errorf("histogram: %w", err)
			}
			prev = d
		}
	}
	*h = out
	return nil
}

const histogramBinaryVersion = 1

// MarshalBinary encodes a version byte, the number of non-empty days, then
// per day the uvarint gap from the previous day and the uvarint count.
// A typical month of one agency fits in a few dozen bytes.
func (h Histogram) MarshalBinary() ([]byte, error) {
	pairs := 0
	for _, c := range h.counts {
		if c > 0 {
			pairs++
		}
	}
	buf := make([]byte, 0, 2+pairs*3)
	buf = append(buf, histogramBinaryVersion)
	buf = binary.AppendUvarint(buf, uint64(pairs))
	next := 0
	for d, c := range h.counts {
		if c == 0 {
			continue
		}
		buf = binary.AppendUvarint(buf, uint64(d-next))
		buf = binary.AppendUvarint(buf, uint64(c))
		next = d + 1
	}
	return buf, nil
}

var errHistogramBinary = errors.New("malformed histogram encoding")

// UnmarshalBinary decodes MarshalBinary's output, rejecting trailing bytes.
func (h *Histogram) UnmarshalBinary(data []byte) error {
	bad := func(why string) error {
		return fmt.Errorf("%w: %w: %s", domain.ErrInvalid, errHistogramBinary, why)
	}
	if len(data) == 0 || data[0] != histogramBinaryVersion {
		return bad("unknown version")
	}
	data = data[1:]
	read := func() (uint64, bool) {
		v, k := binary.Uvarint(data)
		if k <= 0 {
			return 0, false
		}
		data = data[k:]
		return v, true
	}
	pairs, ok := read()
	if !ok || pairs > MaxHistogramDays+1 {
		return bad("bad pair count")
	}
	var out Histogram
	next := uint64(0)
	for range pairs {
		gap, ok1 := read()
		c, ok2 := read()
		if !ok1 || !ok2 {
			return bad("truncated")
		}
		if gap > MaxHistogramDays || c == 0 || c > math.MaxInt32 {
			return bad("value out of range")
		}
		d := next + gap
		if err := out.AddN(int(d), int(c)); err != nil {
			return bad(err.Error())
		}
		next = d + 1
	}
	if len(data) != 0 {
		return bad("trailing bytes")
	}
	*h = out
	return nil
}
