package spbeindex_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/spbe"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

func recommend(t *testing.T, f *fixture) {
	ctx := context.Background()
	ff, err := f.svc.Framework("")
	require.NoError(t, err)
	fw := ff.Framework

	// Only published domain values: a domain-granularity plan, said so.
	dom, err := f.svc.Recommend(ctx, spbeindex.RecommendRequest{Government: "32.04", Target: rat("4.2")})
	require.NoError(t, err)
	require.Equal(t, spbeindex.GranularityDomain, dom.Granularity)
	require.Equal(t, spbeindex.Basis{Year: 2024, Stage: domain.StageFinal, Source: domain.SourcePublished}, dom.Basis)
	require.Contains(t, dom.Note, "domain granularity")
	require.NotEmpty(t, dom.DomainMoves)
	require.GreaterOrEqual(t, rat(dom.ReachedExact).Cmp(rat("4.195")), 0, "the plan reaches a value published as ≥ 4.20")

	// With a complete assessment the plan is per indicator and exact.
	levels := allLevels(t, f, 3)
	levels[41].OwnerCode = "" // indicator 42
	k := domain.SPBEAssessmentKey{Government: "32.04", Year: 2024, Stage: domain.StageFinal}
	_, err = f.svc.PutAssessment(ctx, access.CLI(), k, levels)
	require.NoError(t, err)
	ind, err := f.svc.Recommend(ctx, spbeindex.RecommendRequest{Government: "32.04", Target: rat("3.5")})
	require.NoError(t, err)
	require.Equal(t, spbeindex.GranularityIndicator, ind.Granularity)
	require.Equal(t, "3.00", ind.From)
	require.Equal(t, "3.50", ind.Reached)
	// Oracle: each step adds at most max weight / 100, so a lower bound on
	// the steps is ceil((3.495 − 3) / (3.00/100)) = 17; the plan must
	// match spbe.Recommend on the same levels and no plan may be shorter.
	cur := map[int]int{}
	for _, l := range levels {
		cur[l.Indicator] = l.Level
	}
	plan, err := spbe.Recommend(fw, cur, rat("3.495"), nil, nil)
	require.NoError(t, err)
	require.Equal(t, plan.Steps, ind.Steps)
	require.GreaterOrEqual(t, ind.Steps, 17)
	after := map[int]int{}
	for n, l := range cur {
		after[n] = l
	}
	for _, m := range ind.Moves {
		require.Equal(t, cur[m.Indicator], m.From)
		after[m.Indicator] = m.To
	}
	res, err := spbe.Score(fw, after)
	require.NoError(t, err)
	require.Equal(t, "3.50", res.Published, "applying the moves gives the target")

	// Costs: make indicator 1 free-ish and the others dear; the plan uses costs.
	costs := map[int][]int64{}
	for _, ind := range fw.Indicators {
		costs[ind.Number] = []int64{100, 100, 100, 100}
	}
	costs[42] = []int64{1, 1, 1, 1}
	byCost, err := f.svc.Recommend(ctx, spbeindex.RecommendRequest{Government: "32.04", Target: rat("3.05"), Costs: costs})
	require.NoError(t, err)
	require.True(t, byCost.ByCost)
	require.Equal(t, 42, byCost.Moves[0].Indicator, "the cheap indicator is raised first")

	_, err = f.svc.Recommend(ctx, spbeindex.RecommendRequest{Government: "32.04", Target: rat("6")})
	require.ErrorIs(t, err, domain.ErrInvalid)
	_, err = f.svc.Recommend(ctx, spbeindex.RecommendRequest{Government: "99", Target: rat("3")})
	require.ErrorIs(t, err, domain.ErrNotFound)
}

// fakeMetrics stands in for the complaint roll-ups.
type fakeMetrics struct {
	values map[string]*big.Rat
	asked  []string
}

func (m *fakeMetrics) DerivedMetrics(_ context.Context, _ string, from, to time.Time, metrics []string) (map[string]*big.Rat, error) {
	m.asked = metrics
	return m.values, nil
}

func TestProjectIndexFollowsComplaintData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := setup(t, st, false)
		ff, _ := f.svc.Framework("")
		rule, ok := ff.Framework.DerivedRuleFor(42)
		require.True(t, ok)
		conf := map[string]bool{}
		for _, p := range rule.Preconditions() {
			if p.Level <= 3 {
				conf[p.ID] = true // a person confirmed levels 1–3's preconditions
			}
		}
		levels := allLevels(t, f, 3)
		levels[41].Confirmations = conf
		k := domain.SPBEAssessmentKey{Government: "32.73", Year: 2025, Stage: domain.StageSelfAssessment}
		_, err := f.svc.PutAssessment(ctx, access.CLI(), k, levels)
		require.NoError(t, err)

		good := &fakeMetrics{values: map[string]*big.Rat{
			"complaints_received": rat("120"), "complaints_submitted_online": rat("100"),
			"verified_share": rat("0.9"), "status_tracked_share": rat("0.85"),
			"response_rate": rat("0.95"), "first_response_on_time_rate": rat("0.85"),
		}}
		p1, err := f.svc.ProjectIndex(ctx, access.CLI(), "", "32.73", 2025, good)
		require.NoError(t, err)
		require.True(t, p1.Stored)
		require.Equal(t, 3, p1.Derived[0].Level)
		require.Equal(t, "3.00", p1.Result.Index, "derived 3 = assessed 3")
		require.Contains(t, good.asked, "verified_share")

		same, err := f.svc.ProjectIndex(ctx, access.CLI(), "", "32.73", 2025, good)
		require.NoError(t, err)
		require.False(t, same.Stored, "an unchanged projection is not stored twice")

		// Verification falls below 80 %: level 3 is no longer backed.
		bad := &fakeMetrics{values: map[string]*big.Rat{}}
		for k, v := range good.values {
			bad.values[k] = v
		}
		bad.values["verified_share"] = rat("0.7")
		bad.values["response_rate"] = rat("0.5")
		p2, err := f.svc.ProjectIndex(ctx, access.CLI(), "", "32.73", 2025, bad)
		require.NoError(t, err)
		require.Equal(t, 2, p2.Derived[0].Level)
		require.Equal(t, 3, p2.Derived[0].AssessedLevel)
		require.Equal(t, "2.97", p2.Result.Index, "one level less on a 3.00 % indicator")
		var ids []string
		for _, w := range p2.Derived[0].Warnings {
			ids = append(ids, w.ID)
		}
		require.ElementsMatch(t, []string{"assessed-above-backed", "i42-performance"}, ids)

		hist, err := f.svc.History(ctx, "32.73")
		require.NoError(t, err)
		var projected []string
		for _, h := range hist {
			if h.Source == domain.SourceProjected {
				projected = append(projected, h.Index)
			}
		}
		require.Equal(t, []string{"3.00", "2.97"}, projected, "the history keeps both projections")

		ov, err := f.svc.Overview(ctx, "32.73")
		require.NoError(t, err)
		require.Len(t, ov.Derived, 1)
		require.Equal(t, 2, ov.Derived[0].Level, "the page shows the newest projection")

		_, err = f.svc.ProjectIndex(ctx, access.CLI(), "", "32.04", 2025, good)
		require.ErrorIs(t, err, domain.ErrNotFound, "no assessment to project from")
		_, err = f.svc.ProjectIndex(ctx, access.Principal{Role: access.RoleAgency, AgencyCode: "32.04", TokenID: 2}, "", "32.73", 2025, good)
		require.ErrorIs(t, err, domain.ErrForbidden)
	})
}
