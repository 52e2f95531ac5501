package spbe

import (
	"encoding/json"
)

// Simulation is a what-if result in the API's shape (design §5):
// {index, predicate, domains:[{code,index}], aspects:[{code,index}]}, plus the
// exact value and the cut-off flag. Numbers are published-rounded decimals
// written as JSON numbers exactly as printed ("3.50", not 3.5000000001).
type Simulation struct {
	Framework   string      `json:"framework"`
	Index       json.Number `json:"index"`
	IndexExact  string      `json:"index_exact"`
	Predicate   string      `json:"predicate"`
	PredicateEN string      `json:"predicate_en"`
	Banding     string      `json:"banding"`
	NearCutoff  bool        `json:"near_cutoff"`
	// PredicateOtherRule is the predicate under the other banding rule, set
	// only when the two rules disagree.
	PredicateOtherRule string    `json:"predicate_other_rule,omitempty"`
	Domains            []SimPart `json:"domains"`
	Aspects            []SimPart `json:"aspects"`
}

// SimPart is one domain's or aspect's index.
type SimPart struct {
	Code  string      `json:"code"`
	Index json.Number `json:"index"`
}

// Simulate scores any set of indicator levels (see Score) and shapes the
// result for the what-if API.
func Simulate(fw *Framework, levels map[int]int) (Simulation, error) {
	r, err := Score(fw, levels)
	if err != nil {
		return Simulation{}, err
	}
	return r.Simulation(), nil
}

// Simulation shapes a Result for the what-if API.
func (r Result) Simulation() Simulation {
	s := Simulation{
		Framework:   r.Framework,
		Index:       json.Number(r.Published),
		IndexExact:  ExactString(r.Exact),
		Predicate:   r.Predicate.NameID,
		PredicateEN: r.Predicate.NameEN,
		Banding:     r.Banding,
		NearCutoff:  r.NearCutoff,
		Domains:     []SimPart{},
		Aspects:     []SimPart{},
	}
	if r.Ambiguous() {
		s.PredicateOtherRule = r.PredicateExact.NameID
		if r.Banding == BandExact {
			s.PredicateOtherRule = r.PredicatePublished.NameID
		}
	}
	for _, d := range r.Domains {
		s.Domains = append(s.Domains, SimPart{Code: d.Code, Index: json.Number(d.Published)})
	}
	for _, a := range r.Aspects {
		s.Aspects = append(s.Aspects, SimPart{Code: a.Code, Index: json.Number(a.Published)})
	}
	return s
}
