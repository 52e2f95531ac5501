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

// TestImportJobLifecycle: checkpoints add up, a rolled-back batch leaves
// neither counts nor rejections, an unfinished job is found by identity
// and a queued upload is claimed once.
func TestImportJobLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		job, err := st.CreateImportJob(ctx, store.ImportJob{Kind: "complaints", Format: "csv", FileName: "a.csv", Identity: "id-1",
			Actor: "cli", ActorRole: "admin", Status: store.ImportRunning}, now)
		require.NoError(t, err)
		require.NoError(t, st.InTx(ctx, func(tx *store.Store) error {
			if err := tx.InsertImportRejections(ctx, job.ID, []domain.FieldError{{Line: 7, Record: "X", Field: "agency_code", Reason: "unknown"}}); err != nil {
				return err
			}
			return tx.CheckpointImportJob(ctx, job.ID, store.ImportCounts{Created: 10, Rejected: 1}, 1234, 12, now)
		}))
		_ = st.InTx(ctx, func(tx *store.Store) error {
			_ = tx.InsertImportRejections(ctx, job.ID, []domain.FieldError{{Line: 20, Reason: "x"}})
			_ = tx.CheckpointImportJob(ctx, job.ID, store.ImportCounts{Created: 5}, 2000, 20, now)
			return domain.ErrConflict // roll back
		})
		got, err := st.UnfinishedImportJob(ctx, "id-1")
		require.NoError(t, err)
		require.Equal(t, job.ID, got.ID)
		require.Equal(t, store.ImportCounts{Created: 10, Rejected: 1}, got.Counts)
		require.EqualValues(t, 1234, got.Offset)
		require.Equal(t, 12, got.Line)
		var rej []domain.FieldError
		require.NoError(t, st.EachImportRejection(ctx, job.ID, func(e domain.FieldError) error { rej = append(rej, e); return nil }))
		require.Equal(t, []domain.FieldError{{Line: 7, Record: "X", Field: "agency_code", Reason: "unknown"}}, rej)

		require.NoError(t, st.FinishImportJob(ctx, job.ID, store.ImportDone, "", "", now))
		_, err = st.UnfinishedImportJob(ctx, "id-1")
		require.ErrorIs(t, err, domain.ErrNotFound)

		q, err := st.CreateImportJob(ctx, store.ImportJob{Kind: "events", Format: "ndjson", FileName: "u.ndjson", StoredPath: "/tmp/u",
			Actor: "token:1", ActorRole: "agency", ActorAgency: "32.73", Status: store.ImportQueued}, now)
		require.NoError(t, err)
		claimed, ok, err := st.ClaimQueuedImportJob(ctx, now, false)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, q.ID, claimed.ID)
		require.Equal(t, store.ImportRunning, claimed.Status)
		_, ok, err = st.ClaimQueuedImportJob(ctx, now, false)
		require.NoError(t, err)
		require.False(t, ok, "claimed once")
		_, ok, err = st.ClaimQueuedImportJob(ctx, now, true)
		require.NoError(t, err)
		require.True(t, ok, "an interrupted running job is taken again at start")
	})
}
