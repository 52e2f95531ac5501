package spbe

import (
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
)

func rat(t testing.TB, s string) *big.Rat {
	t.Helper()
	r, err := ParseDecimal(s)
	require.NoError(t, err)
	return r
}

func TestRoundHalfUp(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2.465", "2.47"},   // Kab. Gayo Lues 2023: half-even or float64 give 2.46
		{"3.4985", "3.50"},  // Kab. Pacitan 2024
		{"1.7995", "1.80"},  // Kab. Boven Digoel 2023
		{"2.4649", "2.46"},  // just below a half
		{"1.795", "1.80"},   // tie, odd hundredth
		{"2.5985", "2.60"},  // Kota Serang 2023 candidate
		{"0.005", "0.01"},   // smallest tie
		{"4.2", "4.20"},     // padding
		{"-2.465", "-2.47"}, // away from zero
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			assert.Equal(t, tc.want, FormatHalfUp(rat(t, tc.in), 2))
		})
	}
}

func TestExactString(t *testing.T) {
	assert.Equal(t, "3.4985", ExactString(rat(t, "3.49850")))
	assert.Equal(t, "23/11", ExactString(big.NewRat(23, 11)))
	assert.Equal(t, "5", ExactString(big.NewRat(10, 2)))
	assert.Equal(t, "0.0005", ExactString(big.NewRat(1, 2000)))
}

func levelsOf(vec []int) map[int]int {
	m := map[int]int{}
	for i, lv := range vec {
		m[i+1] = lv
	}
	return m
}

// TestRegulationVectors runs the worked examples carried in the framework file
// (PermenPANRB 59/2020 Tabel 10-12 and two level vectors built from published
// rows), each through the layer the example is about.
func TestRegulationVectors(t *testing.T) {
	fw := embedded(t)
	require.NotEmpty(t, fw.TestVectors)
	for _, tv := range fw.TestVectors {
		t.Run(tv.ID, func(t *testing.T) {
			switch tv.Kind {
			case "aspect":
				// Aspect index = Σ level × weight / aspect weight.
				a, _ := fw.Aspect(tv.Aspect)
				sum := new(big.Rat)
				for k, lv := range tv.IndicatorLevels {
					n, _ := strconv.Atoi(k)
					ind, _ := fw.Indicator(n)
					require.Equal(t, tv.Aspect, ind.Aspect)
					sum.Add(sum, new(big.Rat).Mul(ind.Weight.Rat(), ratInt(int64(lv))))
				}
				got := sum.Quo(sum, a.Weight.Rat())
				assert.Equal(t, 0, got.Cmp(tv.ExpectedExact.Rat()), "exact %s", ExactString(got))
				assert.Equal(t, tv.ExpectedPublished.String(), FormatHalfUp(got, 2))
				// Score agrees when the rest of the levels are filled in.
				levels := map[int]int{}
				for _, ind := range fw.Indicators {
					levels[ind.Number] = 1
				}
				for k, lv := range tv.IndicatorLevels {
					n, _ := strconv.Atoi(k)
					levels[n] = lv
				}
				r, err := Score(fw, levels)
				require.NoError(t, err)
				for _, p := range r.Aspects {
					if p.Code == tv.Aspect {
						assert.Equal(t, tv.ExpectedPublished.String(), p.Published)
					}
				}
			case "domain":
				d, _ := fw.Domain(tv.Domain)
				sum := new(big.Rat)
				for code, v := range tv.AspectIndices {
					a, _ := fw.Aspect(code)
					require.Equal(t, tv.Domain, a.DomainCode())
					sum.Add(sum, new(big.Rat).Mul(v.Rat(), a.Weight.Rat()))
				}
				got := sum.Quo(sum, d.Weight.Rat())
				assert.Equal(t, 0, got.Cmp(tv.ExpectedExact.Rat()), "exact %s", ExactString(got))
				assert.Equal(t, tv.ExpectedPublished.String(), FormatHalfUp(got, 2))
			case "index":
				in := map[string]*big.Rat{}
				for k, v := range tv.DomainIndices {
					in[k] = v.Rat()
				}
				r, err := IndexFromDomains(fw, in)
				require.NoError(t, err)
				assert.Equal(t, 0, r.Exact.Cmp(tv.ExpectedExact.Rat()), "exact %s", ExactString(r.Exact))
				assert.Equal(t, tv.ExpectedPublished.String(), r.Published)
				assert.Equal(t, tv.ExpectedPredicate[BandPublished], r.PredicatePublished.NameID)
				assert.Equal(t, tv.ExpectedPredicate[BandExact], r.PredicateExact.NameID)
			case "levels":
				r, err := Score(fw, levelsOf(tv.LevelsByIndicatorNumber))
				require.NoError(t, err)
				assert.Equal(t, tv.ExpectedExact.String(), ExactString(r.Exact))
				assert.Equal(t, tv.ExpectedPublished.String(), r.Published)
				assert.Equal(t, tv.ExpectedPredicate[BandPublished], r.PredicatePublished.NameID)
				assert.Equal(t, tv.ExpectedPredicate[BandExact], r.PredicateExact.NameID)
				for _, d := range r.Domains {
					assert.Equal(t, tv.ExpectedDomainsPublished[d.Code].String(), d.Published, d.Code)
				}
			default:
				t.Fatalf("unknown kind %q", tv.Kind)
			}
		})
	}
}

// TestRegulationTables restates Tabel 10-12 independently of the JSON copy.
func TestRegulationTables(t *testing.T) {
	fw := embedded(t)
	t.Run("tabel 12 from domains", func(t *testing.T) {
		r, err := IndexFromDomains(fw, map[string]*big.Rat{"D1": rat(t, "3.70"), "D2": rat(t, "3.40"), "D3": rat(t, "3.00"), "D4": rat(t, "3.20")})
		require.NoError(t, err)
		assert.Equal(t, "3.282", ExactString(r.Exact)) // 328.20 / 100
		assert.Equal(t, "3.28", r.Published)
		assert.Equal(t, "Baik", r.Predicate.NameID)
		assert.False(t, r.NearCutoff)
	})
	t.Run("tabel 10 and 11 from levels", func(t *testing.T) {
		levels := map[int]int{}
		for n := 1; n <= 47; n++ {
			levels[n] = 3
		}
		// Tabel 10: A2 = (3+4+3+2)·2.50/10 = 3.00. Tabel 11 uses A3 = 4.00, A4 = 3.00.
		levels[11], levels[12], levels[13], levels[14] = 3, 4, 3, 2
		for n := 15; n <= 18; n++ {
			levels[n] = 4
		}
		r, err := Score(fw, levels)
		require.NoError(t, err)
		assert.Equal(t, "3.00", r.Aspects[1].Published)
		assert.Equal(t, "4.00", r.Aspects[2].Published)
		assert.Equal(t, "3.40", r.Domains[1].Published) // 85.00 / 25
		assert.Equal(t, "3.4", ExactString(r.Domains[1].Exact))
		// Everything else at 3; A2's levels also sum to 12, so only A3's four
		// extra levels count: index = 3 + 4 · 2.50/100 = 3.1.
		assert.Equal(t, "3.1", ExactString(r.Exact))
	})
}

func TestScoreErrors(t *testing.T) {
	fw := embedded(t)
	full := func() map[int]int {
		m := map[int]int{}
		for n := 1; n <= 47; n++ {
			m[n] = 2
		}
		return m
	}
	tests := []struct {
		name   string
		edit   func(m map[int]int)
		fields []string
		reason string
	}{
		{"missing indicator 42", func(m map[int]int) { delete(m, 42) }, []string{"levels.42"},
			"missing level for indicator 42 (Layanan Pengaduan Pelayanan Publik)"},
		{"two missing", func(m map[int]int) { delete(m, 3); delete(m, 40) }, []string{"levels.3", "levels.40"}, "missing level for indicator 3"},
		{"level 6", func(m map[int]int) { m[7] = 6 }, []string{"levels.7"}, "level 6 of indicator 7"},
		{"level 0", func(m map[int]int) { m[7] = 0 }, []string{"levels.7"}, "is outside 1..5"},
		{"unknown indicator", func(m map[int]int) { m[48] = 3 }, []string{"levels.48"}, "has no indicator 48"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := full()
			tc.edit(m)
			_, err := Score(fw, m)
			require.ErrorIs(t, err, domain.ErrInvalid)
			var ve *domain.ValidationError
			require.ErrorAs(t, err, &ve)
			var fields []string
			for _, d := range ve.Details {
				fields = append(fields, d.Field)
			}
			assert.Equal(t, tc.fields, fields)
			assert.Contains(t, err.Error(), tc.reason)
		})
	}
}

func TestNearCutoffAndBanding(t *testing.T) {
	fw := embedded(t)
	tests := []struct {
		name               string
		domains            [4]string
		exact, published   string
		pred, predExact    string
		near, ambiguous    bool
		cutoff             string
		wantPredicateOther string
	}{
		// 13·4.7 + 25·3 + 16.5·(23/11) + 45.5·(717/182) = 349.85 → 3.4985: both rules named.
		{name: "pacitan-like 3.4985", domains: [4]string{"4.7", "3", "23/11", "717/182"},
			exact: "3.4985", published: "3.50", pred: "Sangat Baik", predExact: "Baik", near: true, ambiguous: true, cutoff: "3.5"},
		// exactly on a cut: same band under both rules, still flagged.
		{name: "exactly 4.2", domains: [4]string{"4.2", "4.2", "4.2", "4.2"},
			exact: "4.2", published: "4.20", pred: "Memuaskan", predExact: "Memuaskan", near: true, cutoff: "4.2"},
		{name: "3.28 far from cuts", domains: [4]string{"3.70", "3.40", "3.00", "3.20"},
			exact: "3.282", published: "3.28", pred: "Baik", predExact: "Baik"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := map[string]*big.Rat{}
			for i, s := range tc.domains {
				r, ok := new(big.Rat).SetString(s)
				require.True(t, ok)
				in["D"+strconv.Itoa(i+1)] = r
			}
			r, err := IndexFromDomains(fw, in)
			require.NoError(t, err)
			assert.Equal(t, tc.exact, ExactString(r.Exact))
			assert.Equal(t, tc.published, r.Published)
			assert.Equal(t, BandPublished, r.Banding)
			assert.Equal(t, tc.pred, r.Predicate.NameID)
			assert.Equal(t, tc.predExact, r.PredicateExact.NameID)
			assert.Equal(t, tc.near, r.NearCutoff)
			assert.Equal(t, tc.ambiguous, r.Ambiguous())
			if tc.near {
				assert.Equal(t, tc.cutoff, ExactString(r.Cutoff))
			}
			assert.Equal(t, tc.predExact, fw.BandWith(BandExact, r.Exact).NameID)
			assert.Equal(t, tc.pred, fw.BandWith(BandPublished, r.Exact).NameID)
		})
	}
}

func TestIndexFromDomainsErrors(t *testing.T) {
	fw := embedded(t)
	_, err := IndexFromDomains(fw, map[string]*big.Rat{"D1": rat(t, "3"), "D2": rat(t, "3"), "D4": rat(t, "5.01")})
	require.ErrorIs(t, err, domain.ErrInvalid)
	assert.Contains(t, err.Error(), `field "domains.D3": missing index for domain D3`)
	assert.Contains(t, err.Error(), `field "domains.D4": index 5.01 is outside 0..5`)
	// Below level_min is accepted: Kab. Banyuasin 2023 has D4 = 0.30.
	r, err := IndexFromDomains(fw, map[string]*big.Rat{"D1": rat(t, "1.60"), "D2": rat(t, "1.00"), "D3": rat(t, "1.00"), "D4": rat(t, "0.30")})
	require.NoError(t, err)
	assert.Equal(t, "Kurang", r.Predicate.NameID)
}

// TestSimulateShape checks the what-if API shape against a golden file whose
// numbers are the Kab. Pacitan-like vector worked out by hand:
// A1 = 47/10, A2..A4 = 3, A5 = 2, A6 = 7/3, A7 = 39/10, A8 = 4; D3 = 34.5/16.5,
// D4 = 179.25/45.5; index 349.85/100.
func TestSimulateShape(t *testing.T) {
	fw := embedded(t)
	var vec []int
	for _, tv := range fw.TestVectors {
		if tv.ID == "synthetic-like-kab-pacitan-2024" {
			vec = tv.LevelsByIndicatorNumber
		}
	}
	require.Len(t, vec, 47)
	s, err := Simulate(fw, levelsOf(vec))
	require.NoError(t, err)
	got, err := json.MarshalIndent(s, "", "  ")
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "spbe", "simulate-pacitan.golden.json"))
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))
	assert.Contains(t, string(got), `"index": 3.50`, "index is a JSON number printed with 2 decimals")
}
