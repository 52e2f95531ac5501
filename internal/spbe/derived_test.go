package spbe

import (
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// goodMetrics back every level of the indicator-42 rule.
func goodMetrics() map[string]*big.Rat {
	return map[string]*big.Rat{
		"complaints_received":         big.NewRat(120, 1),
		"complaints_submitted_online": big.NewRat(90, 1),
		"verified_share":              Ratio(110, 120),
		"status_tracked_share":        Ratio(100, 120),
		"lapor_synced_share":          Ratio(40, 45),
		"review_age_days":             big.NewRat(400, 1),
		"response_rate":               Ratio(112, 120),
		"first_response_on_time_rate": Ratio(95, 112),
	}
}

var allConfirmed = map[string]bool{"L1.1": true, "L2.2": true, "L3.3": true, "L4.1.2": true, "L4.2": true, "L5.2": true}

func TestDeriveIndicator42(t *testing.T) {
	fw := embedded(t)
	rule, ok := fw.DerivedRuleFor(42)
	require.True(t, ok)
	var ids []string
	for _, p := range rule.Preconditions() {
		ids = append(ids, p.ID)
	}
	require.Equal(t, []string{"L1.1", "L2.2", "L3.3", "L4.1.2", "L4.2", "L5.2"}, ids)

	with := func(edit func(m map[string]*big.Rat)) map[string]*big.Rat {
		m := goodMetrics()
		edit(m)
		return m
	}
	except := func(id string, v bool) map[string]bool {
		m := map[string]bool{}
		for k, c := range allConfirmed {
			m[k] = c
		}
		m[id] = v
		return m
	}
	tests := []struct {
		name          string
		in            DerivedInputs
		level         int
		pending       int
		outcomes      []Outcome // per level 1..5, cumulative
		warnings      []string  // "id/severity"
		explainSubstr []string
	}{
		{name: "everything backed and confirmed", in: DerivedInputs{Metrics: goodMetrics(), Confirmations: allConfirmed, AssessedLevel: 5},
			level: 5, pending: 5, outcomes: []Outcome{Backed, Backed, Backed, Backed, Backed}},
		{name: "nothing confirmed yet", in: DerivedInputs{Metrics: goodMetrics(), AssessedLevel: 4},
			level: 0, pending: 5, outcomes: []Outcome{PendingConfirmation, PendingConfirmation, PendingConfirmation, PendingConfirmation, PendingConfirmation},
			warnings:      []string{"assessed-above-backed/info"},
			explainSubstr: []string{"[unconfirmed] confirmed by a person: Complaint information"}},
		{name: "verification below 80 % caps at level 2", in: DerivedInputs{Metrics: with(func(m map[string]*big.Rat) { m["verified_share"] = Ratio(79, 100) }), Confirmations: allConfirmed, AssessedLevel: 4},
			level: 2, pending: 2, outcomes: []Outcome{Backed, Backed, NotBacked, NotBacked, NotBacked},
			warnings:      []string{"assessed-above-backed/warning"},
			explainSubstr: []string{"[fail] verified_share = 0.79, needs >= 0.8", "Assessed level 4 is higher than the complaint data backs (level 2)"}},
		{name: "exactly 80 % passes", in: DerivedInputs{Metrics: with(func(m map[string]*big.Rat) { m["verified_share"] = Ratio(4, 5) }), Confirmations: allConfirmed, AssessedLevel: 5},
			level: 5, pending: 5, outcomes: []Outcome{Backed, Backed, Backed, Backed, Backed}},
		{name: "no LAPOR complaints but integration confirmed", in: DerivedInputs{Metrics: with(func(m map[string]*big.Rat) { m["lapor_synced_share"] = nil }), Confirmations: allConfirmed, AssessedLevel: 4},
			level: 5, pending: 5, outcomes: []Outcome{Backed, Backed, Backed, Backed, Backed},
			explainSubstr: []string{"[fail] lapor_synced_share >= 0.8: unknown (no data)", "[pass] any of:"}},
		{name: "no LAPOR sync and no other integration", in: DerivedInputs{Metrics: with(func(m map[string]*big.Rat) { m["lapor_synced_share"] = Ratio(1, 2) }), Confirmations: except("L4.1.2", false), AssessedLevel: 4},
			level: 3, pending: 3, outcomes: []Outcome{Backed, Backed, Backed, NotBacked, NotBacked},
			warnings: []string{"assessed-above-backed/warning"}},
		{name: "review 730 days old is too old", in: DerivedInputs{Metrics: with(func(m map[string]*big.Rat) { m["review_age_days"] = big.NewRat(730, 1) }), Confirmations: allConfirmed, AssessedLevel: 4},
			level: 4, pending: 4, outcomes: []Outcome{Backed, Backed, Backed, Backed, NotBacked}},
		{name: "denied precondition at level 1 blocks everything", in: DerivedInputs{Metrics: goodMetrics(), Confirmations: except("L1.1", false), AssessedLevel: 1},
			level: 0, pending: 0, outcomes: []Outcome{NotBacked, NotBacked, NotBacked, NotBacked, NotBacked},
			warnings: []string{"assessed-above-backed/warning"}},
		{name: "performance warning: response rate 85 % with 25 complaints", in: DerivedInputs{Metrics: with(func(m map[string]*big.Rat) {
			m["complaints_received"] = big.NewRat(25, 1)
			m["response_rate"] = Ratio(17, 20)
		}), Confirmations: allConfirmed, AssessedLevel: 3},
			level: 5, pending: 5, outcomes: []Outcome{Backed, Backed, Backed, Backed, Backed},
			warnings:      []string{"i42-performance/warning"},
			explainSubstr: []string{"[fail] response_rate = 0.85, needs >= 0.9", "[pass] complaints_received = 25, needs >= 20"}},
		{name: "no performance warning below 20 complaints", in: DerivedInputs{Metrics: with(func(m map[string]*big.Rat) {
			m["complaints_received"] = big.NewRat(19, 1)
			m["response_rate"] = Ratio(10, 19)
		}), Confirmations: allConfirmed, AssessedLevel: 3},
			level: 5, pending: 5, outcomes: []Outcome{Backed, Backed, Backed, Backed, Backed}},
		{name: "no performance warning for assessed level 2", in: DerivedInputs{Metrics: with(func(m map[string]*big.Rat) {
			m["first_response_on_time_rate"] = Ratio(1, 2)
		}), Confirmations: allConfirmed, AssessedLevel: 2},
			level: 5, pending: 5, outcomes: []Outcome{Backed, Backed, Backed, Backed, Backed}},
		{name: "on-time rate unknown counts as failing", in: DerivedInputs{Metrics: with(func(m map[string]*big.Rat) {
			m["first_response_on_time_rate"] = nil
		}), Confirmations: allConfirmed, AssessedLevel: 3},
			level: 5, pending: 5, outcomes: []Outcome{Backed, Backed, Backed, Backed, Backed},
			warnings: []string{"i42-performance/warning"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := DeriveLevel(rule, tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.level, res.Level, "level")
			assert.Equal(t, tc.pending, res.PendingLevel, "pending level")
			var outs []Outcome
			for _, lc := range res.Levels {
				outs = append(outs, lc.Outcome)
			}
			assert.Equal(t, tc.outcomes, outs)
			var ws []string
			for _, w := range res.Warnings {
				ws = append(ws, w.ID+"/"+w.Severity)
			}
			assert.Equal(t, tc.warnings, ws)
			assert.Equal(t, "product_rule", res.RuleStatus)
			text := strings.Join(res.Explain(), "\n")
			assert.Contains(t, text, "Tanggap's proposal, not regulation")
			for _, s := range tc.explainSubstr {
				assert.Contains(t, text, s)
			}
		})
	}
	t.Run("unknown metric is an error", func(t *testing.T) {
		_, err := DeriveLevel(rule, DerivedInputs{Metrics: map[string]*big.Rat{"respons_rate": big.NewRat(1, 1)}})
		require.ErrorIs(t, err, domain.ErrInvalid)
		assert.Contains(t, err.Error(), "respons_rate")
	})
	t.Run("ratio of zero complaints is unknown", func(t *testing.T) {
		assert.Nil(t, Ratio(0, 0))
	})
}
