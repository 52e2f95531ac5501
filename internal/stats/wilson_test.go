package stats

import (
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestWilsonNewcombe checks the published values of Newcombe (1998), Table I,
// method 3, kept in testdata/stats/wilson_newcombe1998.csv.
func TestWilsonNewcombe(t *testing.T) {
	f, err := os.ReadFile("../../testdata/stats/wilson_newcombe1998.csv")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(f), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	rows, err := csv.NewReader(strings.NewReader(strings.Join(lines, "\n"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 5 {
		t.Fatalf("reference file has %d rows, want header + 4", len(rows))
	}
	for _, row := range rows[1:] {
		t.Run(row[0]+"/"+row[1], func(t *testing.T) {
			s, _ := strconv.Atoi(row[0])
			n, _ := strconv.Atoi(row[1])
			wantLow, _ := strconv.ParseFloat(row[2], 64)
			wantHigh, _ := strconv.ParseFloat(row[3], 64)
			low, high := Wilson95(s, n)
			if round4(low) != wantLow || round4(high) != wantHigh {
				t.Errorf("Wilson95(%d, %d) = %.4f–%.4f, Newcombe 1998 gives %.4f–%.4f", s, n, low, high, wantLow, wantHigh)
			}
		})
	}
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// At 0 and n successes the score interval has closed forms, an oracle
// independent of the general formula: high(0) = z²/(n+z²), low(n) = n/(n+z²).
func TestWilsonEdges(t *testing.T) {
	z2 := Z95 * Z95
	for _, n := range []int{1, 2, 10, 37, 1000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			nf := float64(n)
			low, high := Wilson95(0, n)
			if low != 0 || math.Abs(high-z2/(nf+z2)) > 1e-12 {
				t.Errorf("0/%d: got %v–%v, want 0–%v", n, low, high, z2/(nf+z2))
			}
			low, high = Wilson95(n, n)
			if high != 1 || math.Abs(low-nf/(nf+z2)) > 1e-12 {
				t.Errorf("%d/%d: got %v–%v, want %v–1", n, n, low, high, nf/(nf+z2))
			}
		})
	}
}

func TestWilsonProperties(t *testing.T) {
	for n := 1; n <= 60; n++ {
		for s := 0; s <= n; s++ {
			low, high := Wilson95(s, n)
			p := float64(s) / float64(n)
			if low < 0 || high > 1 || low > p || high < p {
				t.Fatalf("%d/%d: %v–%v does not hold p=%v inside [0,1]", s, n, low, high, p)
			}
			// Symmetry: the interval of failures mirrors the interval of successes.
			fl, fh := Wilson95(n-s, n)
			if math.Abs(low-(1-fh)) > 1e-12 || math.Abs(high-(1-fl)) > 1e-12 {
				t.Fatalf("%d/%d not symmetric with %d/%d", s, n, n-s, n)
			}
			// Wider at higher confidence.
			l99, h99 := Wilson(s, n, 2.5758293035489)
			if l99 > low || h99 < high {
				t.Fatalf("%d/%d: 99%% interval %v–%v narrower than 95%% %v–%v", s, n, l99, h99, low, high)
			}
		}
	}
	if low, high := Wilson95(0, 0); low != 0 || high != 1 {
		t.Errorf("n=0: got %v–%v, want 0–1", low, high)
	}
}
