package spbe

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// Move raises one indicator.
type Move struct {
	Indicator int
	Code      string
	Name      string
	Owner     string // owning OPD, from the owners map
	From, To  int
	Steps     int
	Gain      *big.Rat // exact index gain: (To − From) × weight / weights_total
	Cost      int64    // 0 when no costs were given
}

// Plan is the cheapest set of moves reaching a target index.
type Plan struct {
	Target      *big.Rat
	FromExact   *big.Rat
	Reached     *big.Rat // exact index after the moves
	Published   string   // Reached, rounded for publication
	Steps       int
	Cost        int64
	ByCost      bool // true when minimising costs, false when minimising steps
	Moves       []Move
	AlreadyMeet bool
}

// Recommend finds the fewest indicator level steps that bring the exact index
// to at least target, or, when costs is non-nil, the least total cost (ties:
// fewer steps, then the higher index). It is exact: an index contribution is
// level × weight, so with weights scaled to integers (×20 for 59/2020) the
// problem is a multiple-choice knapsack over integer gains, solved by dynamic
// programming over every reachable gain. Greedy choices are wrong once costs
// differ: raising cheap-per-point indicators first can overshoot where a
// dearer step would have finished the job for less (see the tests). Among
// equally good plans the one reaching the highest index wins. target is
// compared with the exact index; to aim at a published value v, pass
// v − 0.005.
//
// costs[n][k] is the cost of raising indicator n from level level_min+k to
// level_min+k+1 (so len = level_max − level_min). With costs given, an
// indicator missing from costs is not raised. owners maps indicator numbers
// to the OPD that owns them, for the listing.
func Recommend(fw *Framework, current map[int]int, target *big.Rat, costs map[int][]int64, owners map[int]string) (Plan, error) {
	if err := checkLevels(fw, current); err != nil {
		return Plan{}, err
	}
	if target == nil {
		return Plan{}, invalidf("target", "is required")
	}
	if err := checkCosts(fw, costs); err != nil {
		return Plan{}, err
	}
	byCost := costs != nil
	var items []knapItem
	var nums []int
	var have int64
	for _, ind := range fw.Indicators {
		lv := current[ind.Number]
		have += int64(lv) * fw.intWeight[ind.Number]
		c, hasCost := costs[ind.Number]
		if byCost && !hasCost || lv == fw.LevelMax {
			continue
		}
		it := knapItem{gain: fw.intWeight[ind.Number], maxSteps: fw.LevelMax - lv}
		for k := 0; k < it.maxSteps; k++ {
			step := int64(1)
			if byCost {
				step = c[lv-fw.LevelMin+k]
			}
			it.stepCost = append(it.stepCost, step)
		}
		items = append(items, it)
		nums = append(nums, ind.Number)
	}
	total := ratInt(fw.totalUnits)
	plan := Plan{Target: new(big.Rat).Set(target), FromExact: new(big.Rat).SetFrac64(have, fw.totalUnits), ByCost: byCost}
	// need = ⌈target × total units⌉ − have, in integer units.
	need := ceilDiv(new(big.Rat).Mul(target, total), 1) - have
	sol, err := solveKnapsack(items, need)
	if err != nil {
		maxUnits := have
		for _, it := range items {
			maxUnits += it.gain * int64(it.maxSteps)
		}
		return Plan{}, fmt.Errorf("%w: target %s, best possible %s", ErrUnreachable, ExactString(target), ExactString(new(big.Rat).SetFrac64(maxUnits, fw.totalUnits)))
	}
	plan.AlreadyMeet = need <= 0
	for i, k := range sol.steps {
		if k == 0 {
			continue
		}
		ind, _ := fw.Indicator(nums[i])
		from := current[ind.Number]
		m := Move{Indicator: ind.Number, Code: ind.Code, Name: ind.label(), Owner: owners[ind.Number], From: from, To: from + k, Steps: k,
			Gain: new(big.Rat).SetFrac64(int64(k)*items[i].gain, fw.totalUnits)}
		if byCost {
			for _, c := range items[i].stepCost[:k] {
				m.Cost += c
			}
		}
		plan.Moves = append(plan.Moves, m)
		plan.Steps += k
		plan.Cost += m.Cost
	}
	sortMoves(plan.Moves)
	plan.Reached = new(big.Rat).SetFrac64(have+sol.gain, fw.totalUnits)
	plan.Published = FormatHalfUp(plan.Reached, fw.Rounding.PublishDecimals)
	return plan, nil
}

// sortMoves lists the biggest gains first, then by indicator number.
func sortMoves(ms []Move) {
	slices.SortStableFunc(ms, func(a, b Move) int {
		if c := b.Gain.Cmp(a.Gain); c != 0 {
			return c
		}
		return a.Indicator - b.Indicator
	})
}

func checkCosts(fw *Framework, costs map[int][]int64) error {
	var details []domain.FieldError
	want := fw.LevelMax - fw.LevelMin
	keys := make([]int, 0, len(costs))
	for n := range costs {
		keys = append(keys, n)
	}
	slices.Sort(keys)
	for _, n := range keys {
		f := "costs." + strconv.Itoa(n)
		if _, ok := fw.indicatorAt[n]; !ok {
			details = append(details, domain.FieldError{Field: f, Reason: fmt.Sprintf("framework %s has no indicator %d", fw.ID, n)})
			continue
		}
		if len(costs[n]) != want {
			details = append(details, domain.FieldError{Field: f, Reason: fmt.Sprintf("needs %d step costs (level %d→%d … %d→%d), got %d", want, fw.LevelMin, fw.LevelMin+1, fw.LevelMax-1, fw.LevelMax, len(costs[n]))})
			continue
		}
		for k, c := range costs[n] {
			if c < 0 || c > math.MaxInt64/1024 {
				details = append(details, domain.FieldError{Field: fmt.Sprintf("%s[%d]", f, k), Reason: fmt.Sprintf("cost %d is out of range", c)})
			}
		}
	}
	if len(details) > 0 {
		return &domain.ValidationError{Message: "invalid step costs", Details: details}
	}
	return nil
}

// knapItem is one thing that can be raised in steps of equal gain.
type knapItem struct {
	gain     int64   // integer gain per step
	maxSteps int     // steps available
	stepCost []int64 // cost of the 1st, 2nd, … step
}

type knapSolution struct {
	steps []int // steps taken per item
	cost  int64
	count int // total steps
	gain  int64
}

// maxKnapStates bounds the DP table (items × reachable gains).
const maxKnapStates = 50_000_000

// solveKnapsack picks a number of steps per item so the summed gain is at
// least need, minimising (total cost, total steps) and then maximising the
// gain. dp[g] is the best (cost, steps) reaching exactly gain g; all gains up
// to the maximum are tracked so the result is optimal, not greedy.
func solveKnapsack(items []knapItem, need int64) (knapSolution, error) {
	sol := knapSolution{steps: make([]int, len(items))}
	if need <= 0 {
		return sol, nil
	}
	// Divide out the common factor of the gains to shrink the table.
	var g0 int64
	for _, it := range items {
		g0 = gcd(g0, it.gain)
	}
	if g0 == 0 {
		return sol, ErrUnreachable
	}
	need = (need + g0 - 1) / g0
	var maxG int64
	for _, it := range items {
		maxG += it.gain / g0 * int64(it.maxSteps)
	}
	if maxG < need {
		return sol, ErrUnreachable
	}
	if maxG*int64(len(items)+1) > maxKnapStates {
		return sol, invalidf("target", "the framework's weights are too fine-grained to plan exactly (%d states)", maxG*int64(len(items)+1))
	}
	const unset = -1
	cost := make([]int64, maxG+1)
	count := make([]int32, maxG+1)
	for i := range cost {
		cost[i] = unset
	}
	cost[0] = 0
	choice := make([][]uint8, len(items))
	var reach int64
	for i, it := range items {
		choice[i] = make([]uint8, maxG+1)
		g := it.gain / g0
		nextCost := slices.Clone(cost)
		nextCount := slices.Clone(count)
		for s := int64(0); s <= reach; s++ {
			if cost[s] == unset {
				continue
			}
			c := cost[s]
			for k := 1; k <= it.maxSteps; k++ {
				c += it.stepCost[k-1]
				t := s + int64(k)*g
				n := count[s] + int32(k)
				if nextCost[t] == unset || c < nextCost[t] || c == nextCost[t] && n < nextCount[t] {
					nextCost[t], nextCount[t] = c, n
					choice[i][t] = uint8(k)
				}
			}
		}
		reach += g * int64(it.maxSteps)
		cost, count = nextCost, nextCount
	}
	best := int64(unset)
	for t := need; t <= maxG; t++ {
		if cost[t] == unset {
			continue
		}
		// Later t wins ties, so the plan keeps the most margin.
		if best == unset || cost[t] < cost[best] || cost[t] == cost[best] && count[t] <= count[best] {
			best = t
		}
	}
	if best == unset {
		return sol, ErrUnreachable
	}
	sol.cost, sol.count, sol.gain = cost[best], int(count[best]), best*g0
	for i, t := len(items)-1, best; i >= 0; i-- {
		k := int(choice[i][t])
		sol.steps[i] = k
		t -= int64(k) * (items[i].gain / g0)
	}
	return sol, nil
}
