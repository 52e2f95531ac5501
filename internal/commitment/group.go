package commitment

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// PartyValue is one party's current value of a group target's metric; nil when unknown.
type PartyValue struct {
	AgencyCode string   `json:"agency_code"`
	Value      *float64 `json:"value"`
}

// PartyContribution is one party's weight in a group target.
type PartyContribution struct {
	AgencyCode string  `json:"agency_code"`
	Value      float64 `json:"value"`
	// Contribution is what the party adds to the group value: value ÷ n for an average, value for a total.
	Contribution float64 `json:"contribution"`
	// Gap is how far the party is from the target value in the target's direction (positive: short of it).
	Gap float64 `json:"gap"`
	// Lift is how much the group value moves toward the target if this party alone closes its gap:
	// max(gap, 0) ÷ n for an average; for a total to decrease, the party's whole value.
	Lift float64 `json:"lift"`
	// GroupIfReached is the group value if this party and every party ranked above it closed their gap.
	GroupIfReached float64 `json:"group_if_reached"`
}

// GroupBreakdown ranks the parties of a group target by how much they can move it.
type GroupBreakdown struct {
	TargetID string             `json:"target_id"`
	Scope    domain.TargetScope `json:"scope"`
	Value    float64            `json:"value"` // the group average or total over known parties
	Target   float64            `json:"target"`
	N        int                `json:"n"`
	Missing  []string           `json:"missing,omitempty"`
	// PartiesNeeded is how many of the top-ranked parties must close their gap for the
	// group to meet the target: 0 when it already does, null when closing every gap
	// is not enough (a total to raise has no per-party gap).
	PartiesNeeded *int                `json:"parties_needed"`
	Parties       []PartyContribution `json:"parties"`
	Method        string              `json:"method"`
}

// Group breaks a group_average or group_total target down by party, largest
// lift first (ties by agency code). Parties without a value are listed in
// Missing and left out of the group value.
func Group(t domain.Target, values []PartyValue) (GroupBreakdown, error) {
	if t.Scope != domain.ScopeGroupAverage && t.Scope != domain.ScopeGroupTotal {
		return GroupBreakdown{}, domain.Invalidf("scope", "a group breakdown needs group_average or group_total, got %q", t.Scope)
	}
	g := GroupBreakdown{TargetID: t.ID, Scope: t.Scope, Target: t.Value}
	seen := map[string]bool{}
	var sum float64
	for _, pv := range values {
		if seen[pv.AgencyCode] {
			return GroupBreakdown{}, domain.Invalidf("parties", "party %q appears twice", pv.AgencyCode)
		}
		seen[pv.AgencyCode] = true
		if pv.Value == nil {
			g.Missing = append(g.Missing, pv.AgencyCode)
			continue
		}
		g.N++
		sum += *pv.Value
		g.Parties = append(g.Parties, PartyContribution{AgencyCode: pv.AgencyCode, Value: *pv.Value})
	}
	slices.Sort(g.Missing)
	if g.N == 0 {
		g.Method = "no party has a value"
		g.Parties = []PartyContribution{}
		return g, nil
	}
	n := float64(g.N)
	sign := 1.0 // +1: the group value must rise
	if t.Direction == domain.DirectionDecrease {
		sign = -1
	}
	average := t.Scope == domain.ScopeGroupAverage
	g.Value = sum
	if average {
		g.Value = sum / n
		g.Method = fmt.Sprintf("unweighted mean over %d parties; a party's lift is its gap to %g divided by %d", g.N, t.Value, g.N)
	} else {
		g.Method = fmt.Sprintf("sum over %d parties; a party's lift is its whole value when the total must fall", g.N)
	}
	for i := range g.Parties {
		pc := &g.Parties[i]
		pc.Gap = sign * (t.Value - pc.Value)
		switch {
		case average:
			pc.Contribution = pc.Value / n
			pc.Lift = max(pc.Gap, 0) / n
		default:
			pc.Contribution = pc.Value
			if sign < 0 {
				pc.Lift = max(pc.Value, 0)
			}
		}
	}
	slices.SortFunc(g.Parties, func(a, b PartyContribution) int {
		return cmp.Or(cmp.Compare(b.Lift, a.Lift), cmp.Compare(a.AgencyCode, b.AgencyCode))
	})
	cum := g.Value
	if meets(t.Direction, cum, t.Value) {
		g.PartiesNeeded = new(int)
	}
	for i := range g.Parties {
		cum += sign * g.Parties[i].Lift
		g.Parties[i].GroupIfReached = cum
		if g.PartiesNeeded == nil && meets(t.Direction, cum, t.Value) {
			k := i + 1
			g.PartiesNeeded = &k
		}
	}
	return g, nil
}
