package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

func commitmentVersion(version int, value float64) domain.CommitmentVersion {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	return domain.CommitmentVersion{
		Commitment: domain.Commitment{ID: "uji", Version: version, EffectiveFrom: day("2024-08-07").AddDate(0, 0, version-1),
			Title: "Uji", SignedOn: day("2024-08-07"), SignatoryOffice: "Sekda", Parties: []string{"32", "32.73"},
			Targets: []domain.Target{{ID: "t", Metric: domain.MetricSPBEIndex, Scope: domain.ScopeEachParty, Parties: []string{"32.73"},
				Baseline: 3.98, BaselineAsOf: day("2023-12-31"), Value: value, Direction: domain.DirectionIncrease, Deadline: day("2025-12-31")}}},
		State: domain.CommitmentActive, LeadAgency: "32", Changes: []string{"x"}, ComputedBaselines: []string{"t"},
		CreatedAt: time.Date(2024, 8, 7, 1, 2, 3, 0, time.UTC), CreatedBy: "cli",
	}
}

func TestCommitmentVersionsRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		require.NoError(t, st.CreateCommitment(ctx, commitmentVersion(1, 4.5)))
		require.ErrorIs(t, st.CreateCommitment(ctx, commitmentVersion(1, 4.5)), domain.ErrConflict)
		require.ErrorIs(t, st.AddCommitmentVersion(ctx, commitmentVersion(3, 4.6)), domain.ErrConflict, "versions have no gaps")
		require.NoError(t, st.AddCommitmentVersion(ctx, commitmentVersion(2, 4.6)))

		vs, err := st.CommitmentVersions(ctx, "uji")
		require.NoError(t, err)
		require.Len(t, vs, 2)
		require.Equal(t, commitmentVersion(1, 4.5), vs[0])
		require.InDelta(t, 4.6, vs[1].Targets[0].Value, 0)

		list, err := st.ListCommitments(ctx, store.CommitmentFilter{Party: "32.73"})
		require.NoError(t, err)
		require.Len(t, list, 1)
		list, err = st.ListCommitments(ctx, store.CommitmentFilter{Party: "64"})
		require.NoError(t, err)
		require.Empty(t, list)
		_, err = st.CommitmentVersions(ctx, "none")
		require.ErrorIs(t, err, domain.ErrNotFound)
	})
}

func TestCommitmentSnapshotsEventsDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		require.NoError(t, st.CreateCommitment(ctx, commitmentVersion(1, 4.5)))
		v := 4.0
		snap := func(day int, status domain.CommitmentStatus) store.CommitmentSnapshot {
			return store.CommitmentSnapshot{Commitment: "uji", Target: "t", Party: "32.73", On: time.Date(2025, 1, day, 0, 0, 0, 0, time.UTC),
				Version: 1, Value: &v, Status: status, Budget: []byte(`{"n":1}`), TakenAt: time.Now()}
		}
		prev, err := st.PutCommitmentSnapshot(ctx, snap(1, domain.StatusOnTrack))
		require.NoError(t, err)
		require.Empty(t, prev)
		prev, err = st.PutCommitmentSnapshot(ctx, snap(2, domain.StatusAtRisk))
		require.NoError(t, err)
		require.Equal(t, domain.StatusOnTrack, prev)
		prev, err = st.PutCommitmentSnapshot(ctx, snap(2, domain.StatusOffTrack))
		require.NoError(t, err)
		require.Equal(t, domain.StatusOnTrack, prev, "the same day is replaced, compared with the day before")
		series, err := st.CommitmentSnapshots(ctx, "uji", "")
		require.NoError(t, err)
		require.Len(t, series, 2)
		require.Equal(t, domain.StatusOffTrack, series[1].Status)
		require.JSONEq(t, `{"n":1}`, string(series[1].Budget))

		e := store.CommitmentEvent{Commitment: "uji", Target: "t", Party: "32.73", On: series[1].On, From: domain.StatusOnTrack,
			To: domain.StatusOffTrack, CreatedAt: time.Now()}
		ev, created, err := st.InsertCommitmentEvent(ctx, e)
		require.NoError(t, err)
		require.True(t, created)
		_, created, err = st.InsertCommitmentEvent(ctx, e)
		require.NoError(t, err)
		require.False(t, created)

		party, err := st.CreateCommitmentWebhook(ctx, store.CommitmentWebhook{AgencyCode: "32.73", URL: "https://a", Secret: "s", CreatedAt: time.Now()})
		require.NoError(t, err)
		whole, err := st.CreateCommitmentWebhook(ctx, store.CommitmentWebhook{Commitment: "uji", URL: "https://b", Secret: "s", CreatedAt: time.Now()})
		require.NoError(t, err)
		_, err = st.CreateCommitmentWebhook(ctx, store.CommitmentWebhook{AgencyCode: "64", URL: "https://c", Secret: "s", CreatedAt: time.Now()})
		require.NoError(t, err)
		hooks, err := st.CommitmentWebhooksFor(ctx, "uji", "32.73")
		require.NoError(t, err)
		require.Len(t, hooks, 2)
		require.ElementsMatch(t, []int64{party.ID, whole.ID}, []int64{hooks[0].ID, hooks[1].ID})
		hooks, err = st.CommitmentWebhooksFor(ctx, "uji", "")
		require.NoError(t, err)
		require.Len(t, hooks, 1, "a group event goes to the commitment's subscribers only")

		due := time.Date(2025, 1, 2, 3, 0, 0, 0, time.UTC)
		d, err := st.QueueCommitmentDelivery(ctx, store.CommitmentDelivery{EventID: ev.ID, WebhookID: whole.ID, Attempt: 1, DueAt: due})
		require.NoError(t, err)
		list, err := st.DueCommitmentDeliveries(ctx, due.Add(-time.Second), 10)
		require.NoError(t, err)
		require.Empty(t, list)
		list, err = st.DueCommitmentDeliveries(ctx, due, 10)
		require.NoError(t, err)
		require.Len(t, list, 1)
		d.Outcome, d.StatusCode, d.AttemptedAt = store.DeliveryDelivered, 200, &due
		won, err := st.FinishCommitmentDelivery(ctx, d)
		require.NoError(t, err)
		require.True(t, won)
		won, err = st.FinishCommitmentDelivery(ctx, d)
		require.NoError(t, err)
		require.False(t, won, "a finished attempt is not finished twice")
	})
}
