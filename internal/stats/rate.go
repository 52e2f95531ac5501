package stats

import "fmt"

// DefaultMinN is the smallest n for which a rate is shown (design §3.5).
const DefaultMinN = 10

// ReasonInsufficientData is a Rate's reason when n is below the minimum.
const ReasonInsufficientData = "insufficient data"

// Rate is a share with its sample size and 95 % Wilson interval, in the JSON
// shape of design §5. Value is nil (JSON null) when n is below the minimum
// or the counts are impossible; Reason then says why. Low and High are kept
// for small n because the wide interval is the honest picture.
type Rate struct {
	Value  *float64 `json:"value"`
	N      int      `json:"n"`
	Low    float64  `json:"low"`
	High   float64  `json:"high"`
	Reason string   `json:"reason,omitempty"`
}

// NewRate builds the rate successes/n. minN <= 0 means DefaultMinN. Impossible
// counts (negative, or successes > n) come from a bug upstream: they give no
// value and a reason naming the counts rather than a clamped, plausible number.
func NewRate(successes, n, minN int) Rate {
	if minN <= 0 {
		minN = DefaultMinN
	}
	if n < 0 || successes < 0 || successes > n {
		return Rate{N: max(n, 0), Low: 0, High: 1, Reason: fmt.Sprintf("invalid counts: %d successes of %d", successes, n)}
	}
	r := Rate{N: n}
	r.Low, r.High = Wilson95(successes, n)
	if n < minN {
		r.Reason = ReasonInsufficientData
		return r
	}
	v := float64(successes) / float64(n)
	r.Value = &v
	return r
}

// Known reports whether the rate has a value to show.
func (r Rate) Known() bool { return r.Value != nil }
