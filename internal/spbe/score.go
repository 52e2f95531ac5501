package spbe

import (
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strconv"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// PartIndex is a domain's or an aspect's index.
type PartIndex struct {
	Code      string
	Exact     *big.Rat
	Published string // rounded half-up to the framework's publish decimals
}

// Result is a scored index.
//
// Arithmetic is exact (big.Rat) throughout; only Published is rounded, half-up
// to fw.Rounding.PublishDecimals (2 for 59/2020): 2.465 → 2.47, 3.4985 → 3.50.
// Predicate applies the framework's banding rule (published_2dp by default:
// the rounded value is banded, so the label never contradicts the shown
// number). PredicateExact and PredicatePublished give both rules; they differ
// only for exact values in [cut − 0.005, cut), which NearCutoff also flags.
type Result struct {
	Framework          string
	Exact              *big.Rat
	Published          string
	Rounded            *big.Rat
	Banding            string
	Predicate          Predicate
	PredicateExact     Predicate
	PredicatePublished Predicate
	// NearCutoff: the exact index is within rounding.flag_window (0.005) of a
	// predicate cut-off, inclusive; Cutoff is that cut-off.
	NearCutoff bool
	Cutoff     *big.Rat
	Domains    []PartIndex
	Aspects    []PartIndex
}

// Ambiguous reports whether the two banding rules give different predicates.
func (r Result) Ambiguous() bool { return r.PredicateExact.NameID != r.PredicatePublished.NameID }

// Score computes the index from one level per indicator, as PermenPANRB
// 59/2020 does: aspect index = Σ(level × indicator weight) / aspect weight,
// domain index = Σ(aspect index × aspect weight) / domain weight, index =
// Σ(domain index × domain weight) / weights_total. Every indicator needs a
// level in level_min..level_max; a missing or unknown one is an error naming it.
func Score(fw *Framework, levels map[int]int) (Result, error) {
	if err := checkLevels(fw, levels); err != nil {
		return Result{}, err
	}
	aspectSum := map[string]*big.Rat{}
	for _, a := range fw.Aspects {
		aspectSum[a.Code] = new(big.Rat)
	}
	for _, ind := range fw.Indicators {
		c := new(big.Rat).Mul(ind.Weight.Rat(), ratInt(int64(levels[ind.Number])))
		aspectSum[ind.Aspect].Add(aspectSum[ind.Aspect], c)
	}
	dec := fw.Rounding.PublishDecimals
	res := Result{Framework: fw.ID}
	domainSum := map[string]*big.Rat{}
	for _, d := range fw.Domains {
		domainSum[d.Code] = new(big.Rat)
	}
	total := new(big.Rat)
	for _, a := range fw.Aspects {
		idx := new(big.Rat).Quo(aspectSum[a.Code], a.Weight.Rat())
		res.Aspects = append(res.Aspects, PartIndex{Code: a.Code, Exact: idx, Published: FormatHalfUp(idx, dec)})
		// aspect index × aspect weight is the aspect's weighted sum again.
		if s, ok := domainSum[a.DomainCode()]; ok {
			s.Add(s, new(big.Rat).Mul(idx, a.Weight.Rat()))
		} else {
			total.Add(total, new(big.Rat).Mul(idx, a.Weight.Rat()))
		}
	}
	for _, d := range fw.Domains {
		idx := new(big.Rat).Quo(domainSum[d.Code], d.Weight.Rat())
		res.Domains = append(res.Domains, PartIndex{Code: d.Code, Exact: idx, Published: FormatHalfUp(idx, dec)})
		total.Add(total, new(big.Rat).Mul(idx, d.Weight.Rat()))
	}
	fw.classify(&res, total.Quo(total, fw.WeightsTotal.Rat()))
	return res, nil
}

func checkLevels(fw *Framework, levels map[int]int) error {
	var details []domain.FieldError
	for _, ind := range fw.Indicators {
		lv, ok := levels[ind.Number]
		field := "levels." + strconv.Itoa(ind.Number)
		switch {
		case !ok:
			details = append(details, domain.FieldError{Field: field, Reason: fmt.Sprintf("missing level for indicator %d (%s)", ind.Number, ind.label())})
		case lv < fw.LevelMin || lv > fw.LevelMax:
			details = append(details, domain.FieldError{Field: field, Reason: fmt.Sprintf("level %d of indicator %d (%s) is outside %d..%d", lv, ind.Number, ind.label(), fw.LevelMin, fw.LevelMax)})
		}
	}
	var unknown []int
	for n := range levels {
		if _, ok := fw.indicatorAt[n]; !ok {
			unknown = append(unknown, n)
		}
	}
	slices.Sort(unknown)
	for _, n := range unknown {
		details = append(details, domain.FieldError{Field: "levels." + strconv.Itoa(n), Reason: fmt.Sprintf("framework %s has no indicator %d", fw.ID, n)})
	}
	if len(details) > 0 {
		return &domain.ValidationError{Message: "invalid indicator levels", Details: details}
	}
	return nil
}

func (ind Indicator) label() string {
	if ind.ShortNameID != "" {
		return ind.ShortNameID
	}
	return ind.NameID
}

// IndexFromDomains computes the index from domain indices alone, for
// published results where only those are known: Σ(D × domain weight) /
// weights_total. Published domain values are themselves rounded, so the
// result can differ from the official index by up to ±0.01 (observed maximum
// 0.0077 on the 2023/2024 results); ExactCandidates narrows it down. Values
// below level_min are accepted because official results contain them (Kab.
// Banyuasin 2023 has D4 = 0.30).
func IndexFromDomains(fw *Framework, domains map[string]*big.Rat) (Result, error) {
	if len(fw.Domains) == 0 {
		return Result{}, invalidf("domains", "framework %s has no domains", fw.ID)
	}
	if err := checkDomainValues(fw, domains); err != nil {
		return Result{}, err
	}
	dec := fw.Rounding.PublishDecimals
	res := Result{Framework: fw.ID}
	total := new(big.Rat)
	for _, d := range fw.Domains {
		v := domains[d.Code]
		res.Domains = append(res.Domains, PartIndex{Code: d.Code, Exact: new(big.Rat).Set(v), Published: FormatHalfUp(v, dec)})
		total.Add(total, new(big.Rat).Mul(v, d.Weight.Rat()))
	}
	fw.classify(&res, total.Quo(total, fw.WeightsTotal.Rat()))
	return res, nil
}

func checkDomainValues(fw *Framework, domains map[string]*big.Rat) error {
	var details []domain.FieldError
	top := ratInt(int64(fw.LevelMax))
	for _, d := range fw.Domains {
		v, ok := domains[d.Code]
		switch {
		case !ok || v == nil:
			details = append(details, domain.FieldError{Field: "domains." + d.Code, Reason: fmt.Sprintf("missing index for domain %s (%s)", d.Code, d.NameID)})
		case v.Sign() < 0 || v.Cmp(top) > 0:
			details = append(details, domain.FieldError{Field: "domains." + d.Code, Reason: fmt.Sprintf("index %s is outside 0..%d", ExactString(v), fw.LevelMax)})
		}
	}
	for code := range domains {
		if _, ok := fw.domainAt[code]; !ok {
			details = append(details, domain.FieldError{Field: "domains." + code, Reason: fmt.Sprintf("framework %s has no domain %s", fw.ID, code)})
		}
	}
	if len(details) > 0 {
		sort.Slice(details, func(i, j int) bool { return details[i].Field < details[j].Field })
		return &domain.ValidationError{Message: "invalid domain indices", Details: details}
	}
	return nil
}

func (fw *Framework) classify(res *Result, exact *big.Rat) {
	dec := fw.Rounding.PublishDecimals
	res.Exact = exact
	res.Rounded = RoundHalfUp(exact, dec)
	res.Published = res.Rounded.FloatString(dec)
	res.Banding = fw.Rounding.Banding
	res.PredicateExact = fw.Band(exact)
	res.PredicatePublished = fw.Band(res.Rounded)
	res.Predicate = res.PredicatePublished
	if res.Banding == BandExact {
		res.Predicate = res.PredicateExact
	}
	res.Cutoff, res.NearCutoff = fw.nearCutoff(exact)
}

// Band returns the predicate band a value falls in: the first band, from the
// top, whose min the value reaches (min inclusive).
func (fw *Framework) Band(v *big.Rat) Predicate {
	for _, p := range fw.Predicates {
		if v.Cmp(p.Min.Rat()) >= 0 {
			return p
		}
	}
	return fw.Predicates[len(fw.Predicates)-1]
}

// BandWith returns the predicate under an explicit banding rule.
func (fw *Framework) BandWith(banding string, exact *big.Rat) Predicate {
	if banding == BandExact {
		return fw.Band(exact)
	}
	return fw.Band(RoundHalfUp(exact, fw.Rounding.PublishDecimals))
}

// Cutoffs are the predicate boundaries (every band's min except the bottom one).
func (fw *Framework) Cutoffs() []*big.Rat {
	var out []*big.Rat
	for _, p := range fw.Predicates[:len(fw.Predicates)-1] {
		out = append(out, p.Min.Rat())
	}
	return out
}

func (fw *Framework) nearCutoff(exact *big.Rat) (*big.Rat, bool) {
	window := fw.Rounding.FlagWindow.Rat()
	for _, c := range fw.Cutoffs() {
		if absRat(subRat(exact, c)).Cmp(window) <= 0 {
			return c, true
		}
	}
	return nil, false
}

// ExactCandidates lists every exact index consistent with rounded domain
// indices, in ascending order. Each domain's weighted sum is an integer
// multiple of the gcd of its indicators' integer weights (1/10 steps for D1,
// 1/11 for D3, 1/182 for D4 in 59/2020), so only a few values round to a
// published domain index. The official index must be one of these.
func ExactCandidates(fw *Framework, domains map[string]*big.Rat) ([]*big.Rat, error) {
	if len(fw.Domains) == 0 {
		return nil, invalidf("domains", "framework %s has no domains", fw.ID)
	}
	if err := checkDomainValues(fw, domains); err != nil {
		return nil, err
	}
	half := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Mul(big.NewInt(2), new(big.Int).Exp(ten, big.NewInt(int64(fw.Rounding.PublishDecimals)), nil)))
	sr := new(big.Rat).SetInt(fw.scale)
	sums := []int64{0}
	for _, d := range fw.Domains {
		var g int64
		for _, ind := range fw.Indicators {
			if fw.IndicatorDomain(ind.Number) == d.Code {
				g = gcd(g, fw.intWeight[ind.Number])
			}
		}
		wUnits := new(big.Rat).Mul(d.Weight.Rat(), sr) // domain weight in integer units
		lo := new(big.Rat).Mul(subRat(domains[d.Code], half), wUnits)
		hi := new(big.Rat).Mul(new(big.Rat).Add(domains[d.Code], half), wUnits)
		maxK := new(big.Rat).Mul(ratInt(int64(fw.LevelMax)), wUnits).Num().Int64()
		var ks []int64
		// K/g ranges over integers with lo ≤ K < hi (half-up rounding).
		for k := ceilDiv(lo, g) * g; ratInt(k).Cmp(hi) < 0; k += g {
			if k >= 0 && k <= maxK {
				ks = append(ks, k)
			}
		}
		if len(ks) == 0 {
			return nil, invalidf("domains."+d.Code, "no exact value rounds to %s", FormatHalfUp(domains[d.Code], fw.Rounding.PublishDecimals))
		}
		var next []int64
		for _, s := range sums {
			for _, k := range ks {
				next = append(next, s+k)
			}
		}
		if len(next) > 100000 {
			return nil, invalidf("domains", "too many exact candidates")
		}
		sums = next
	}
	slices.Sort(sums)
	sums = slices.Compact(sums)
	out := make([]*big.Rat, len(sums))
	for i, s := range sums {
		out[i] = new(big.Rat).SetFrac64(s, fw.totalUnits)
	}
	return out, nil
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	if a < 0 {
		return -a
	}
	return a
}

// ceilDiv returns ⌈r / g⌉ for a rational r and positive integer g.
func ceilDiv(r *big.Rat, g int64) int64 {
	x := new(big.Rat).Quo(r, ratInt(g))
	q, m := new(big.Int).QuoRem(x.Num(), x.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Int64()
}
