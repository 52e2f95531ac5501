package spbe

import (
	"fmt"
	"math/big"
)

// DomainMove raises a domain by a number of indicator level steps.
type DomainMove struct {
	Domain   string
	Name     string
	Steps    int
	From, To *big.Rat // domain index before and (at least) after
	Gain     *big.Rat // index gain guaranteed by the steps
}

// DomainPlan is the coarse plan made when only domain indices are known.
type DomainPlan struct {
	Target    *big.Rat
	FromExact *big.Rat // index computed from the given domain values
	Reached   *big.Rat // index guaranteed after the moves
	Steps     int
	Moves     []DomainMove
	Note      string
}

// DomainGranularityNote explains what RecommendDomains can and cannot know.
const DomainGranularityNote = "Works at domain granularity: individual indicator levels are unknown, " +
	"so each step is one level on some indicator of the domain, counted at the domain's smallest indicator weight, " +
	"and a domain offers only as many steps as its headroom to the top level allows at its largest weight. " +
	"The plan is therefore conservative (it may overshoot). Published domain values are rounded, so the index it starts " +
	"from can be off by up to 0.01; use Recommend with indicator levels for an exact plan."

// RecommendDomains is Recommend for governments whose published result gives
// only domain indices: the fewest level steps, per domain, that certainly
// reach target. See DomainGranularityNote.
func RecommendDomains(fw *Framework, domains map[string]*big.Rat, target *big.Rat) (DomainPlan, error) {
	from, err := IndexFromDomains(fw, domains)
	if err != nil {
		return DomainPlan{}, err
	}
	if target == nil {
		return DomainPlan{}, invalidf("target", "is required")
	}
	sr := new(big.Rat).SetInt(fw.scale)
	type span struct{ min, max int64 }
	weights := map[string]span{}
	for _, ind := range fw.Indicators {
		d := fw.IndicatorDomain(ind.Number)
		w := fw.intWeight[ind.Number]
		s, ok := weights[d]
		if !ok {
			s = span{w, w}
		}
		s.min, s.max = min(s.min, w), max(s.max, w)
		weights[d] = s
	}
	var items []knapItem
	var have = new(big.Rat)
	for _, d := range fw.Domains {
		// Weighted sum of the domain in integer units, and its headroom.
		units := new(big.Rat).Mul(new(big.Rat).Mul(domains[d.Code], d.Weight.Rat()), sr)
		have.Add(have, units)
		top := new(big.Rat).Mul(new(big.Rat).Mul(ratInt(int64(fw.LevelMax)), d.Weight.Rat()), sr)
		head := new(big.Rat).Sub(top, units)
		w := weights[d.Code]
		steps := new(big.Int).Quo(head.Num(), new(big.Int).Mul(head.Denom(), big.NewInt(w.max))).Int64()
		it := knapItem{gain: w.min, maxSteps: int(max(steps, 0))}
		for range it.maxSteps {
			it.stepCost = append(it.stepCost, 1)
		}
		items = append(items, it)
	}
	need := ceilDiv(new(big.Rat).Sub(new(big.Rat).Mul(target, ratInt(fw.totalUnits)), have), 1)
	sol, err := solveKnapsack(items, need)
	if err != nil {
		return DomainPlan{}, fmt.Errorf("%w: target %s from domain indices %s", ErrUnreachable, ExactString(target), from.Published)
	}
	plan := DomainPlan{Target: new(big.Rat).Set(target), FromExact: from.Exact, Note: DomainGranularityNote}
	gained := int64(0)
	for i, d := range fw.Domains {
		k := sol.steps[i]
		if k == 0 {
			continue
		}
		g := int64(k) * items[i].gain
		gained += g
		// Domain index rises by g / (domain weight × scale).
		dGain := new(big.Rat).Quo(ratInt(g), new(big.Rat).Mul(d.Weight.Rat(), sr))
		plan.Moves = append(plan.Moves, DomainMove{
			Domain: d.Code, Name: d.NameID, Steps: k,
			From: new(big.Rat).Set(domains[d.Code]), To: new(big.Rat).Add(domains[d.Code], dGain),
			Gain: new(big.Rat).SetFrac64(g, fw.totalUnits),
		})
		plan.Steps += k
	}
	plan.Reached = new(big.Rat).Add(from.Exact, new(big.Rat).SetFrac64(gained, fw.totalUnits))
	return plan, nil
}
