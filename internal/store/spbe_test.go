package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

func TestSPBEFrameworkVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
		f := domain.SPBEFrameworkRecord{ID: "spbe-59-2020", Version: "sha256:aaaa", Name: "Indeks SPBE", EffectiveFrom: "2020-06-01", Document: []byte(`{"id":"spbe-59-2020"}`), LoadedAt: at}
		created, err := st.UpsertSPBEFramework(ctx, f)
		require.NoError(t, err)
		require.True(t, created)
		created, err = st.UpsertSPBEFramework(ctx, f)
		require.NoError(t, err)
		require.False(t, created, "same id and version is not loaded twice")
		f.Version, f.LoadedAt = "sha256:bbbb", at.Add(time.Hour)
		created, err = st.UpsertSPBEFramework(ctx, f)
		require.NoError(t, err)
		require.True(t, created, "a new version of the file is kept beside the old one")

		list, err := st.ListSPBEFrameworks(ctx)
		require.NoError(t, err)
		require.Len(t, list, 2)
		require.Equal(t, "sha256:bbbb", list[0].Version, "newest load first")
		require.Empty(t, list[0].Document)
		doc, err := st.SPBEFrameworkDocument(ctx, "spbe-59-2020", "sha256:aaaa")
		require.NoError(t, err)
		require.JSONEq(t, `{"id":"spbe-59-2020"}`, string(doc.Document))
		_, err = st.SPBEFrameworkDocument(ctx, "spbe-59-2020", "nope")
		require.ErrorIs(t, err, domain.ErrNotFound)
	})
}

func TestSPBEAssessedLevels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tree(t, st)
		now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
		k := domain.SPBEAssessmentKey{Framework: "spbe-59-2020", Government: "32.73", Year: 2024, Stage: domain.StageSelfAssessment}
		levels := []domain.SPBEAssessedLevel{
			{Indicator: 1, Level: 3, EvidenceURL: "https://example.org/1", OwnerCode: "32.73.A"},
			{Indicator: 42, Level: 4, Note: "LAPOR integrated", Confirmations: map[string]bool{"L1.1": true}},
		}
		n, err := st.UpsertAssessedLevels(ctx, k, levels, now)
		require.NoError(t, err)
		require.Equal(t, 2, n)
		n, err = st.UpsertAssessedLevels(ctx, k, levels, now.Add(time.Hour))
		require.NoError(t, err)
		require.Zero(t, n, "replaying the same levels changes nothing")

		levels[0].Level = 4
		n, err = st.UpsertAssessedLevels(ctx, k, levels[:1], now.Add(2*time.Hour))
		require.NoError(t, err)
		require.Equal(t, 1, n)

		got, err := st.AssessedLevels(ctx, k)
		require.NoError(t, err)
		require.Len(t, got, 2)
		require.Equal(t, 4, got[0].Level)
		require.Equal(t, "32.73.A", got[0].OwnerCode)
		require.Equal(t, now.Add(2*time.Hour), got[0].UpdatedAt)
		require.Equal(t, map[string]bool{"L1.1": true}, got[1].Confirmations)
		require.Equal(t, now, got[1].UpdatedAt, "untouched indicators keep their time")

		other := k
		other.Stage = domain.StageFinal
		got, err = st.AssessedLevels(ctx, other)
		require.NoError(t, err)
		require.Empty(t, got, "stages are separate")

		sets, err := st.SPBEAssessmentSets(ctx, "spbe-59-2020", "32.73")
		require.NoError(t, err)
		require.Equal(t, []store.SPBEAssessmentSet{{Year: 2024, Stage: domain.StageSelfAssessment, Levels: 2}}, sets)

		_, err = st.UpsertAssessedLevels(ctx, k, []domain.SPBEAssessedLevel{{Indicator: 2, Level: 1, OwnerCode: "99.X"}}, now)
		require.ErrorIs(t, err, domain.ErrNotFound, "an unknown owner is refused")
	})
}

func TestSPBEIndexResults(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tree(t, st)
		at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
		res := func(gov string, year int, index string) domain.SPBEIndexResult {
			return domain.SPBEIndexResult{Government: gov, Framework: "spbe-59-2020", FrameworkVersion: "v1", Year: year,
				Stage: domain.StageFinal, Source: domain.SourcePublished, Index: index, Predicate: "Baik",
				Domains: map[string]string{"D1": "3.00", "D2": "2.50"}, Detail: json.RawMessage(`{"note": ""}`), ComputedAt: at}
		}
		for _, r := range []domain.SPBEIndexResult{res("32.73", 2023, "3.98"), res("32.73", 2024, "4.59"), res("32.04", 2024, "3.10"), res("64.71", 2024, "2.90")} {
			ok, err := st.AppendIndexResult(ctx, r)
			require.NoError(t, err)
			require.True(t, ok)
			ok, err = st.AppendIndexResult(ctx, r)
			require.NoError(t, err)
			require.False(t, ok, "the same result again is not appended")
		}
		changed := res("32.04", 2024, "3.12")
		ok, err := st.AppendIndexResult(ctx, changed)
		require.NoError(t, err)
		require.True(t, ok)

		latest, err := st.LatestIndexResults(ctx, store.IndexResultFilter{Framework: "spbe-59-2020", ParentCode: "32", Years: []int{2024}})
		require.NoError(t, err)
		require.Len(t, latest, 2)
		require.Equal(t, "32.04", latest[0].Government)
		require.Equal(t, "3.12", latest[0].Index, "the latest recomputation wins")
		require.Equal(t, "32", latest[0].ParentCode)
		require.Equal(t, domain.KindKabupaten, latest[0].Kind)
		require.Equal(t, map[string]string{"D1": "3.00", "D2": "2.50"}, latest[0].Domains)

		byKind, err := st.LatestIndexResults(ctx, store.IndexResultFilter{Kinds: []domain.AgencyKind{domain.KindKota}, Source: domain.SourcePublished})
		require.NoError(t, err)
		require.Len(t, byKind, 3)

		hist, err := st.IndexHistory(ctx, "32.04", "")
		require.NoError(t, err)
		require.Len(t, hist, 2, "history keeps both values")
		require.Equal(t, "3.10", hist[0].Index)
		require.JSONEq(t, `{"note":""}`, string(hist[0].Detail))

		counts, err := st.CountIndexResults(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 5, counts[domain.SourcePublished])

		_, err = st.AppendIndexResult(ctx, res("99", 2024, "1.00"))
		require.ErrorIs(t, err, domain.ErrNotFound)
	})
}
