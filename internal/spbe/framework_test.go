package spbe

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/config/catalog"
	"github.com/tanggap-id/tanggap/internal/domain"
)

func embedded(t testing.TB) *Framework {
	t.Helper()
	fws, err := LoadEmbedded()
	require.NoError(t, err)
	fw, ok := fws.ByID("spbe-59-2020")
	require.True(t, ok)
	return fw
}

func testFramework(t testing.TB, file string) *Framework {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "spbe", file))
	require.NoError(t, err)
	fw, err := ParseFramework(file, data)
	require.NoError(t, err)
	return fw
}

func TestLoadEmbedded(t *testing.T) {
	fw := embedded(t)
	assert.Equal(t, "spbe-framework-59-2020.json", fw.File())
	assert.Len(t, fw.Domains, 4)
	assert.Len(t, fw.Aspects, 8)
	assert.Len(t, fw.Indicators, 47)
	ind, ok := fw.Indicator(42)
	require.True(t, ok)
	assert.Equal(t, "A8", ind.Aspect)
	assert.Equal(t, "D4", fw.IndicatorDomain(42))
	assert.Equal(t, "3.00", ind.Weight.String())
	assert.Len(t, ind.Levels, 5)
	_, ok = fw.DerivedRuleFor(42)
	assert.True(t, ok)
	assert.Equal(t, BandExact, fw.Rounding.BandingForYear(2024))
	assert.Equal(t, BandPublished, fw.Rounding.BandingForYear(2023))
	assert.Equal(t, BandPublished, fw.Rounding.BandingForYear(2030), "a year without observation uses the default")
}

// mutate decodes the embedded 59/2020 file, applies f and re-encodes it, so
// each validation case starts from a valid file and breaks one thing.
func mutate(t *testing.T, f func(m map[string]any)) []byte {
	t.Helper()
	data, err := catalog.FS.ReadFile(catalog.SPBEFramework)
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	require.NoError(t, dec.Decode(&m))
	f(m)
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return out
}

func at(m map[string]any, key string, i int) map[string]any {
	return m[key].([]any)[i].(map[string]any)
}

func TestParseFrameworkValidation(t *testing.T) {
	const file = "spbe-framework-59-2020.json"
	tests := []struct {
		name   string
		mutate func(m map[string]any)
		want   []string // substrings of the error, each "file: field: reason"
	}{
		{"unchanged file is valid", func(map[string]any) {}, nil},
		{"negative indicator weight", func(m map[string]any) { at(m, "indicators", 12)["weight"] = json.Number("-2.50") },
			[]string{file + ": indicators[12].weight: must be a positive number", file + ": aspects[1].weight: is 10.00 but its indicators' weights sum to 5"}},
		{"indicator weight off by 0.01 breaks its aspect sum", func(m map[string]any) { at(m, "indicators", 0)["weight"] = json.Number("1.31") },
			[]string{file + ": aspects[0].weight: is 13.00 but its indicators' weights sum to 13.01", "weights_total: is 100.00 but the indicator weights sum to 100.01"}},
		{"aspect weight no longer matches its domain", func(m map[string]any) {
			at(m, "aspects", 3)["weight"] = json.Number("6")
			at(m, "indicators", 18)["weight"] = json.Number("3.50")
		}, []string{file + ": domains[1].weight: is 25.00 but its aspects' weights sum to 26"}},
		{"domain weights do not add to 100", func(m map[string]any) {
			at(m, "domains", 0)["weight"] = json.Number("14")
		}, []string{file + ": domains[0].weight: is 14 but its aspects' weights sum to 13", file + ": weights_total: is 100.00 but the domain weights sum to 101"}},
		{"duplicate indicator number", func(m map[string]any) { at(m, "indicators", 5)["number"] = json.Number("5") },
			[]string{file + ": indicators[5].number: duplicate indicator number 5"}},
		{"unknown aspect", func(m map[string]any) { at(m, "indicators", 46)["aspect"] = "A9" },
			[]string{file + `: indicators[46].aspect: unknown aspect "A9"`}},
		{"criterion for level 6", func(m map[string]any) {
			at(m, "indicators", 41)["levels"].(map[string]any)["6"] = "beyond the scale"
		}, []string{file + ": indicators[41].levels.6: level 6 is outside 1..5"}},
		{"test vector level 0", func(m map[string]any) {
			at(m, "test_vectors", 0)["indicator_levels"].(map[string]any)["11"] = json.Number("0")
		}, []string{file + ": test_vectors[0].indicator_levels.11: level 0 is outside 1..5"}},
		{"overlapping bands", func(m map[string]any) { at(m, "predicates", 2)["min"] = json.Number("3.6") },
			[]string{file + ": predicates[2].min: 3.6 is not below the previous band's min 3.5"}},
		{"gap between bands", func(m map[string]any) { at(m, "predicates", 1)["max"] = json.Number("4.1") },
			[]string{file + ": predicates[1].max: 4.1 leaves a gap or overlap: the band above starts at 4.2"}},
		{"bottom band above 0", func(m map[string]any) { at(m, "predicates", 4)["min"] = json.Number("1") },
			[]string{file + ": predicates[4].min: the lowest band must start at 0"}},
		{"unknown banding rule", func(m map[string]any) { m["rounding"].(map[string]any)["banding"] = "rounded" },
			[]string{file + `: rounding.banding: must be "published_2dp" or "exact"`}},
		{"typo in a field name", func(m map[string]any) { at(m, "domains", 0)["wieght"] = json.Number("13") },
			[]string{file + `: json: json: unknown field "wieght"`}},
		{"derived rule reads an undeclared metric", func(m map[string]any) {
			rule := at(m, "derived_indicators", 0)["rules"].([]any)[2].(map[string]any)
			rule["all_of"].([]any)[0].(map[string]any)["metric"] = "verifed_share"
		}, []string{file + `: derived_indicators[0].rules[2].all_of[0].metric: "verifed_share" is not declared in inputs`}},
		{"derived rule skips a level", func(m map[string]any) {
			at(m, "derived_indicators", 0)["rules"].([]any)[3].(map[string]any)["level"] = json.Number("5")
		}, []string{file + ": derived_indicators[0].rules[3].level: is 5, want 4"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fw, err := ParseFramework(file, mutate(t, tc.mutate))
			if tc.want == nil {
				require.NoError(t, err)
				require.NotNil(t, fw)
				return
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, domain.ErrInvalid), "unwraps to ErrInvalid")
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// TestSecondFrameworkNoCodeChange scores a framework with other weights, other
// bands, the other banding rule and a wider flag window, read from a file.
// Expected values are worked out by hand in the comments.
func TestSecondFrameworkNoCodeChange(t *testing.T) {
	fw := testFramework(t, "test-framework.json")
	tests := []struct {
		name          string
		levels        map[int]int
		exact         string
		published     string
		predicate     string // by the file's rule (exact)
		predicatePub  string // by published_2dp
		near          bool
		domains       []string
		aspects       []string
		aspectsExacts []string
	}{
		{
			// P1 = (4·25 + 3·15)/40 = 145/40 = 3.625; P2 = (2+3)·17.5/35 = 2.5;
			// P3 = (5·10.25 + 1·14.75)/25 = 66/25 = 2.64; X2 = (87.5 + 66)/60 = 2.5583;
			// index = (145 + 153.5)/100 = 2.985 → 2.99 half-up, below the 3.0 cut by 0.015.
			name: "half-up tie below a cut", levels: map[int]int{1: 4, 2: 3, 3: 2, 4: 3, 5: 5, 6: 1},
			exact: "2.985", published: "2.99", predicate: "Sedang", predicatePub: "Sedang", near: false,
			domains: []string{"3.63", "2.56"}, aspects: []string{"3.63", "2.50", "2.64"},
			aspectsExacts: []string{"3.625", "2.5", "2.64"},
		},
		{
			// P1 = 80/40 = 2; P2 = 105/35 = 3; P3 = (41 + 73.75)/25 = 4.59;
			// X2 = 219.75/60 = 3.6625 → 3.66; index = 299.75/100 = 2.9975 → 3.00:
			// exact banding says Sedang, the published value would say Baik.
			name: "within the flag window of 3.0", levels: map[int]int{1: 2, 2: 2, 3: 2, 4: 4, 5: 4, 6: 5},
			exact: "2.9975", published: "3.00", predicate: "Sedang", predicatePub: "Baik", near: true,
			domains: []string{"2.00", "3.66"}, aspects: []string{"2.00", "3.00", "4.59"},
			aspectsExacts: []string{"2", "3", "4.59"},
		},
		{
			// all 5 → 5.00, top band; all 1 → 1.00, bottom band.
			name: "top", levels: map[int]int{1: 5, 2: 5, 3: 5, 4: 5, 5: 5, 6: 5},
			exact: "5", published: "5.00", predicate: "Istimewa", predicatePub: "Istimewa",
			domains: []string{"5.00", "5.00"}, aspects: []string{"5.00", "5.00", "5.00"}, aspectsExacts: []string{"5", "5", "5"},
		},
		{
			name: "bottom", levels: map[int]int{1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1},
			exact: "1", published: "1.00", predicate: "Rendah", predicatePub: "Rendah",
			domains: []string{"1.00", "1.00"}, aspects: []string{"1.00", "1.00", "1.00"}, aspectsExacts: []string{"1", "1", "1"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Score(fw, tc.levels)
			require.NoError(t, err)
			assert.Equal(t, tc.exact, ExactString(r.Exact))
			assert.Equal(t, tc.published, r.Published)
			assert.Equal(t, BandExact, r.Banding)
			assert.Equal(t, tc.predicate, r.Predicate.NameID)
			assert.Equal(t, tc.predicate, r.PredicateExact.NameID)
			assert.Equal(t, tc.predicatePub, r.PredicatePublished.NameID)
			assert.Equal(t, tc.near, r.NearCutoff)
			var ds, as, ax []string
			for _, d := range r.Domains {
				ds = append(ds, d.Published)
			}
			for _, a := range r.Aspects {
				as = append(as, a.Published)
				ax = append(ax, ExactString(a.Exact))
			}
			assert.Equal(t, tc.domains, ds)
			assert.Equal(t, tc.aspects, as)
			assert.Equal(t, tc.aspectsExacts, ax)
		})
	}
}

func TestFrameworkWithoutDomains(t *testing.T) {
	fw := testFramework(t, "test-framework-flat.json")
	tests := []struct {
		name      string
		levels    map[int]int
		published string
		predicate string
		aspects   []string
	}{
		// K1 = 3; K2 = (4·30 + 2·25)/55 = 170/55 = 3.0909; index = (135 + 170)/100 = 3.05.
		{"baik", map[int]int{1: 3, 2: 4, 3: 2}, "3.05", "Baik", []string{"3.00", "3.09"}},
		// Σ = 180 + 120 + 75 = 375 → 3.75; K2 = 195/55 = 3.5454 → 3.55.
		{"sangat baik under the successor's bands", map[int]int{1: 4, 2: 4, 3: 3}, "3.75", "Sangat Baik", []string{"4.00", "3.55"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Score(fw, tc.levels)
			require.NoError(t, err)
			assert.Equal(t, tc.published, r.Published)
			assert.Equal(t, tc.predicate, r.Predicate.NameID)
			assert.Empty(t, r.Domains)
			var as []string
			for _, a := range r.Aspects {
				as = append(as, a.Published)
			}
			assert.Equal(t, tc.aspects, as)
		})
	}
	_, err := IndexFromDomains(fw, nil)
	assert.ErrorIs(t, err, domain.ErrInvalid)
}

func TestLoadFSRejectsDuplicateIDs(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "spbe", "test-framework.json"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "spbe-framework-a.json"), data, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "spbe-framework-b.json"), data, 0o600))
	_, err = LoadFS(os.DirFS(dir), "spbe-framework-*.json")
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), `framework "test-2dom" defined twice`), err.Error())
}
