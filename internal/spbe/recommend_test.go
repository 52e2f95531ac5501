package spbe

import (
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
)

func allLevels(fw *Framework, lv int) map[int]int {
	m := map[int]int{}
	for _, ind := range fw.Indicators {
		m[ind.Number] = lv
	}
	return m
}

func applyMoves(current map[int]int, moves []Move) map[int]int {
	out := map[int]int{}
	for k, v := range current {
		out[k] = v
	}
	for _, m := range moves {
		out[m.Indicator] = m.To
	}
	return out
}

func TestRecommendFewestSteps(t *testing.T) {
	fw := embedded(t)
	owners := map[int]string{42: "Diskominfo", 45: "Dinas Kesehatan"}
	// All at 3 (index 3.00), target 3.5: 1000 integer units (weight × 20) are
	// needed. 17 steps give at most 12·60 + 5·55 = 995 (the six 3.00-weight
	// indicators twice, then 2.75s), so 18 steps, and among 18-step plans the
	// highest reaches 12·60 + 6·55 = 1050 units → 3.525.
	plan, err := Recommend(fw, allLevels(fw, 3), rat(t, "3.5"), nil, owners)
	require.NoError(t, err)
	assert.Equal(t, 18, plan.Steps)
	assert.Equal(t, "3.525", ExactString(plan.Reached))
	assert.Equal(t, "3.53", plan.Published)
	assert.False(t, plan.ByCost)
	r, err := Score(fw, applyMoves(allLevels(fw, 3), plan.Moves))
	require.NoError(t, err)
	assert.Equal(t, 0, r.Exact.Cmp(plan.Reached), "Reached is what Score says")
	first := plan.Moves[0]
	assert.Equal(t, 42, first.Indicator, "largest gains first, then by number")
	assert.Equal(t, "Diskominfo", first.Owner)
	assert.Equal(t, 3, first.From)
	assert.Equal(t, 5, first.To)
	assert.Equal(t, "0.06", ExactString(first.Gain))
}

// TestRecommendBeatsGreedyOnCost: only indicators 1 (1.30), 11 (2.50) and 42
// (3.00) may move, at costs 3, 7 and 10 a step. Reaching +0.06 (120 units)
// greedily by gain per cost raises indicator 1 twice (52 units, cost 6), then
// 11 twice (152 units, cost 20). The optimum is 11 twice and 1 once: 126
// units for 17.
func TestRecommendBeatsGreedyOnCost(t *testing.T) {
	fw := embedded(t)
	costs := map[int][]int64{1: {3, 3, 3, 3}, 11: {7, 7, 7, 7}, 42: {10, 10, 10, 10}}
	plan, err := Recommend(fw, allLevels(fw, 3), rat(t, "3.06"), costs, nil)
	require.NoError(t, err)
	assert.True(t, plan.ByCost)
	assert.Equal(t, int64(17), plan.Cost)
	assert.Equal(t, 3, plan.Steps)
	assert.Equal(t, "3.063", ExactString(plan.Reached))
	got := map[int]int{}
	for _, m := range plan.Moves {
		got[m.Indicator] = m.To
	}
	assert.Equal(t, map[int]int{11: 5, 1: 4}, got)
}

func TestRecommendEdges(t *testing.T) {
	fw := embedded(t)
	t.Run("target already met", func(t *testing.T) {
		plan, err := Recommend(fw, allLevels(fw, 3), rat(t, "2.99"), nil, nil)
		require.NoError(t, err)
		assert.True(t, plan.AlreadyMeet)
		assert.Empty(t, plan.Moves)
		assert.Equal(t, "3", ExactString(plan.Reached))
	})
	t.Run("unreachable", func(t *testing.T) {
		_, err := Recommend(fw, allLevels(fw, 3), rat(t, "5.01"), nil, nil)
		require.ErrorIs(t, err, ErrUnreachable)
		assert.ErrorIs(t, err, domain.ErrInvalid)
		assert.Contains(t, err.Error(), "best possible 5")
	})
	t.Run("unreachable with only some indicators costed", func(t *testing.T) {
		_, err := Recommend(fw, allLevels(fw, 3), rat(t, "3.2"), map[int][]int64{42: {1, 1, 1, 1}}, nil)
		require.ErrorIs(t, err, ErrUnreachable)
		assert.Contains(t, err.Error(), "best possible 3.06")
	})
	t.Run("bad costs", func(t *testing.T) {
		_, err := Recommend(fw, allLevels(fw, 3), rat(t, "3.2"), map[int][]int64{42: {1, 1}, 99: {1, 1, 1, 1}, 7: {1, -1, 1, 1}}, nil)
		require.ErrorIs(t, err, domain.ErrInvalid)
		assert.Contains(t, err.Error(), `field "costs.42": needs 4 step costs`)
		assert.Contains(t, err.Error(), `field "costs.99": framework spbe-59-2020 has no indicator 99`)
		assert.Contains(t, err.Error(), `field "costs.7[1]": cost -1 is out of range`)
	})
	t.Run("missing level", func(t *testing.T) {
		lv := allLevels(fw, 3)
		delete(lv, 42)
		_, err := Recommend(fw, lv, rat(t, "3.2"), nil, nil)
		require.ErrorIs(t, err, domain.ErrInvalid)
		assert.Contains(t, err.Error(), "indicator 42")
	})
}

// randomFramework builds a small valid framework file: 1-2 domains, 1-3
// aspects, 2-6 indicators with weights in 0.05 steps, total = sum of weights.
func randomFramework(t *testing.T, rng *rand.Rand) *Framework {
	t.Helper()
	nInd := 2 + rng.IntN(5)
	nAsp := 1 + rng.IntN(min(3, nInd))
	nDom := 1 + rng.IntN(min(2, nAsp))
	levelMin := rng.IntN(2) // 0..4 or 1..5
	type w = json.Number
	cents := func(c int) w { return w(fmt.Sprintf("%d.%02d", c/100, c%100)) }
	aspCents := make([]int, nAsp)
	var inds []map[string]any
	for i := 0; i < nInd; i++ {
		a := i % nAsp
		c := 5 * (1 + rng.IntN(100)) // 0.05 .. 5.00
		aspCents[a] += c
		inds = append(inds, map[string]any{"number": i + 1, "code": fmt.Sprintf("R%d", i+1), "aspect": fmt.Sprintf("A%d", a+1),
			"name_id": fmt.Sprintf("Indikator %d", i+1), "name_en": "x", "weight": cents(c)})
	}
	domCents := make([]int, nDom)
	var asps []map[string]any
	for a := 0; a < nAsp; a++ {
		d := a % nDom
		domCents[d] += aspCents[a]
		asps = append(asps, map[string]any{"code": fmt.Sprintf("A%d", a+1), "number": a + 1, "domain": fmt.Sprintf("D%d", d+1),
			"name_id": "a", "name_en": "a", "weight": cents(aspCents[a])})
	}
	var doms []map[string]any
	total := 0
	for d := 0; d < nDom; d++ {
		total += domCents[d]
		doms = append(doms, map[string]any{"code": fmt.Sprintf("D%d", d+1), "number": d + 1, "name_id": "d", "name_en": "d", "weight": cents(domCents[d])})
	}
	file := map[string]any{
		"schema_version": 1, "id": "random", "name": "acak", "name_en": "random", "effective_from": "2040-01-01", "effective_to": nil,
		"level_min": levelMin, "level_max": levelMin + 4, "weight_unit": "points", "weights_total": cents(total),
		"level_scales": map[string]any{}, "domains": doms, "aspects": asps, "indicators": inds,
		"predicates": []map[string]any{{"min": 3, "name_id": "Tinggi", "name_en": "High"}, {"min": 0, "name_id": "Rendah", "name_en": "Low"}},
		"rounding":   map[string]any{"publish_decimals": 2, "mode": "half_up", "banding": "published_2dp", "flag_window": 0.005},
	}
	data, err := json.Marshal(file)
	require.NoError(t, err)
	fw, err := ParseFramework("random.json", data)
	require.NoError(t, err, string(data))
	return fw
}

type bruteBest struct {
	found   bool
	cost    int64
	steps   int
	reached *big.Rat
}

// bruteForce tries every level vector at or above current and scores each
// with Score (exact rationals, not the knapsack's integer units).
func bruteForce(t *testing.T, fw *Framework, current map[int]int, target *big.Rat, costs map[int][]int64) bruteBest {
	var best bruteBest
	levels := map[int]int{}
	var rec func(i int, cost int64, steps int)
	rec = func(i int, cost int64, steps int) {
		if i == len(fw.Indicators) {
			r, err := Score(fw, levels)
			require.NoError(t, err)
			if r.Exact.Cmp(target) < 0 {
				return
			}
			better := !best.found || cost < best.cost || cost == best.cost && (steps < best.steps || steps == best.steps && r.Exact.Cmp(best.reached) > 0)
			if better {
				best = bruteBest{true, cost, steps, r.Exact}
			}
			return
		}
		n := fw.Indicators[i].Number
		top := fw.LevelMax
		if _, ok := costs[n]; costs != nil && !ok {
			top = current[n] // not costed: stays put
		}
		var extra int64
		for lv := current[n]; lv <= top; lv++ {
			if lv > current[n] {
				if costs != nil {
					extra += costs[n][lv-1-fw.LevelMin]
				} else {
					extra++
				}
			}
			levels[n] = lv
			rec(i+1, cost+extra, steps+lv-current[n])
		}
	}
	rec(0, 0, 0)
	return best
}

func TestRecommendAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(20240601, 42))
	counts := map[string]int{}
	for c := 0; c < 200; c++ {
		fw := randomFramework(t, rng)
		current := map[int]int{}
		for _, ind := range fw.Indicators {
			current[ind.Number] = fw.LevelMin + rng.IntN(fw.LevelMax-fw.LevelMin+1)
		}
		var costs map[int][]int64
		if c%2 == 1 {
			costs = map[int][]int64{}
			for _, ind := range fw.Indicators {
				if rng.IntN(5) == 0 {
					continue // not raisable
				}
				for k := 0; k < fw.LevelMax-fw.LevelMin; k++ {
					costs[ind.Number] = append(costs[ind.Number], int64(rng.IntN(20)))
				}
			}
		}
		// Targets from 0.1 below the current index to 0.15 above the top.
		now, err := Score(fw, current)
		require.NoError(t, err)
		span := new(big.Rat).Sub(ratInt(int64(fw.LevelMax)), now.Exact)
		spanMilli, _ := new(big.Rat).Mul(span, ratInt(1000)).Float64()
		target := new(big.Rat).Add(now.Exact, big.NewRat(int64(rng.IntN(int(spanMilli)+251)-100), 1000))
		t.Run(fmt.Sprintf("case %d", c), func(t *testing.T) {
			want := bruteForce(t, fw, current, target, costs)
			plan, err := Recommend(fw, current, target, costs, nil)
			if !want.found {
				require.ErrorIs(t, err, ErrUnreachable)
				counts["unreachable"]++
				return
			}
			require.NoError(t, err)
			counts["solved"]++
			if plan.AlreadyMeet {
				counts["already met"]++
			}
			assert.Equal(t, want.steps, plan.Steps, "steps")
			assert.Equal(t, want.cost*boolInt(costs != nil), plan.Cost, "cost")
			assert.Equal(t, ExactString(want.reached), ExactString(plan.Reached), "reached")
			r, err := Score(fw, applyMoves(current, plan.Moves))
			require.NoError(t, err)
			assert.Equal(t, 0, r.Exact.Cmp(plan.Reached))
			assert.GreaterOrEqual(t, r.Exact.Cmp(target), 0)
			var sumCost int64
			for _, m := range plan.Moves {
				sumCost += m.Cost
				assert.Greater(t, m.To, m.From)
				if costs != nil {
					assert.Contains(t, costs, m.Indicator, "only costed indicators move")
				}
			}
			assert.Equal(t, plan.Cost, sumCost)
		})
	}
	t.Logf("brute-force comparison: %v", counts)
	assert.Greater(t, counts["unreachable"], 0)
	assert.Greater(t, counts["solved"]-counts["already met"], 100)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func TestRecommendDomains(t *testing.T) {
	fw := embedded(t)
	t.Run("all domains at 3", func(t *testing.T) {
		// Need 1000 units. D4 steps are counted at 2.75 (55 units), the best
		// per step, so ⌈1000/55⌉ = 19 steps; reached 3 + 1045/2000.
		d := map[string]*big.Rat{"D1": rat(t, "3"), "D2": rat(t, "3"), "D3": rat(t, "3"), "D4": rat(t, "3")}
		plan, err := RecommendDomains(fw, d, rat(t, "3.5"))
		require.NoError(t, err)
		assert.Equal(t, 19, plan.Steps)
		require.Len(t, plan.Moves, 1)
		assert.Equal(t, "D4", plan.Moves[0].Domain)
		assert.Equal(t, "3.5225", ExactString(plan.Reached))
		assert.Contains(t, plan.Note, "domain granularity")
	})
	t.Run("unreachable", func(t *testing.T) {
		d := map[string]*big.Rat{"D1": rat(t, "5"), "D2": rat(t, "5"), "D3": rat(t, "5"), "D4": rat(t, "4.99")}
		_, err := RecommendDomains(fw, d, rat(t, "5"))
		require.ErrorIs(t, err, ErrUnreachable)
	})
	// Whatever indicators the steps land on, the plan must hold: realise each
	// domain's steps on its lightest indicators with room and score the result.
	t.Run("guarantee holds for the worst realisation", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 11))
		for c := 0; c < 50; c++ {
			levels := map[int]int{}
			for _, ind := range fw.Indicators {
				levels[ind.Number] = 1 + rng.IntN(4)
			}
			r, err := Score(fw, levels)
			require.NoError(t, err)
			domains := map[string]*big.Rat{}
			for _, d := range r.Domains {
				domains[d.Code] = d.Exact
			}
			target := new(big.Rat).Add(r.Exact, big.NewRat(int64(1+rng.IntN(800)), 1000))
			plan, err := RecommendDomains(fw, domains, target)
			if err != nil {
				require.ErrorIs(t, err, ErrUnreachable)
				continue
			}
			for _, m := range plan.Moves {
				for k := 0; k < m.Steps; k++ {
					lightest := 0
					for _, ind := range fw.Indicators {
						if fw.IndicatorDomain(ind.Number) != m.Domain || levels[ind.Number] == fw.LevelMax {
							continue
						}
						if lightest == 0 || fw.intWeight[ind.Number] < fw.intWeight[lightest] {
							lightest = ind.Number
						}
					}
					require.NotZero(t, lightest, "case %d: plan asks for more steps in %s than exist", c, m.Domain)
					levels[lightest]++
				}
			}
			after, err := Score(fw, levels)
			require.NoError(t, err)
			assert.GreaterOrEqual(t, after.Exact.Cmp(target), 0, "case %d", c)
			assert.GreaterOrEqual(t, after.Exact.Cmp(plan.Reached), 0, "case %d: Reached is a lower bound", c)
		}
	})
}
