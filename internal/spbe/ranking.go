package spbe

import (
	"math/big"
	"slices"
	"strings"
)

// RankEntry is one government's index for ranking. Previous is last year's
// index, nil when it has none.
type RankEntry struct {
	Code     string
	Name     string
	Index    *big.Rat
	Previous *big.Rat
}

// Ranked is a RankEntry with its place.
type Ranked struct {
	RankEntry
	// Rank uses competition ranking: equal indices share a rank and the next
	// rank skips (1, 2, 2, 4), so a rank always says how many are ahead.
	Rank int
	Tied bool
	// Change is Index − Previous; nil without a previous value.
	Change *big.Rat
	// PreviousRank is the rank last year among the entries that have a
	// previous value; 0 without one.
	PreviousRank int
}

// Rank orders governments by index, highest first; ties are listed by name,
// then code, so the order is stable across runs. Pass published (rounded)
// indices to rank as the public sees them.
func Rank(entries []RankEntry) []Ranked {
	out := make([]Ranked, len(entries))
	for i, e := range entries {
		out[i] = Ranked{RankEntry: e}
		if e.Previous != nil {
			out[i].Change = new(big.Rat).Sub(e.Index, e.Previous)
		}
	}
	byName := func(a, b Ranked) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	}
	slices.SortStableFunc(out, func(a, b Ranked) int {
		if c := b.Index.Cmp(a.Index); c != 0 {
			return c
		}
		return byName(a, b)
	})
	for i := range out {
		out[i].Rank = i + 1
		if i > 0 && out[i].Index.Cmp(out[i-1].Index) == 0 {
			out[i].Rank = out[i-1].Rank
			out[i].Tied, out[i-1].Tied = true, true
		}
	}
	// Previous ranks: same rule over last year's values.
	var prev []*big.Rat
	for _, r := range out {
		if r.Previous != nil {
			prev = append(prev, r.Previous)
		}
	}
	for i := range out {
		if out[i].Previous == nil {
			continue
		}
		ahead := 0
		for _, p := range prev {
			if p.Cmp(out[i].Previous) > 0 {
				ahead++
			}
		}
		out[i].PreviousRank = ahead + 1
	}
	return out
}

// GroupAverage is the exact mean of a group's indices and that mean rounded
// half-up to decimals, e.g. the 27 Jawa Barat regencies/cities: 91.26 / 27 =
// 3.38 exactly in 2023. Averaging the published values is how a group target
// ("average 3.38 → 3.8") is stated.
func GroupAverage(values []*big.Rat, decimals int) (*big.Rat, string, error) {
	if len(values) == 0 {
		return nil, "", invalidf("values", "cannot average an empty group")
	}
	sum := new(big.Rat)
	for i, v := range values {
		if v == nil {
			return nil, "", invalidf("values", "value %d is missing", i)
		}
		sum.Add(sum, v)
	}
	mean := sum.Quo(sum, ratInt(int64(len(values))))
	return mean, FormatHalfUp(mean, decimals), nil
}
