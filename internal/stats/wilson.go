// Package stats holds the statistics behind published metrics: rates with
// Wilson intervals, exact working-day histograms and reporting periods. It is
// pure: no I/O and no clock reads.
package stats

import "math"

// Z95 is the two-sided 95 % standard normal quantile, Φ⁻¹(0.975).
const Z95 = 1.959963984540054

// Wilson returns the Wilson score interval (without continuity correction)
// for successes out of n at normal quantile z. n <= 0 gives the whole range
// [0, 1]; successes outside [0, n] are clamped. The bounds at 0 and n are
// exact so an all-success sample never shows a high below 1 from rounding.
func Wilson(successes, n int, z float64) (low, high float64) {
	if n <= 0 {
		return 0, 1
	}
	s := min(max(successes, 0), n)
	nf, sf, z2 := float64(n), float64(s), z*z
	// (2s + z² ± z·sqrt(z² + 4s(n−s)/n)) / (2(n + z²)), Newcombe (1998) method 3.
	centre := 2*sf + z2
	spread := z * math.Sqrt(z2+4*sf*(nf-sf)/nf)
	denom := 2 * (nf + z2)
	low, high = (centre-spread)/denom, (centre+spread)/denom
	if s == 0 {
		low = 0
	}
	if s == n {
		high = 1
	}
	return max(low, 0), min(high, 1)
}

// Wilson95 is Wilson at 95 % confidence.
func Wilson95(successes, n int) (low, high float64) { return Wilson(successes, n, Z95) }
