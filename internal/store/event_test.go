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

// TestEventsInsertLinkAndOrder: repeats are not created twice, orphans link
// to their complaint, and history reads back in time, kind-order, arrival
// order.
func TestEventsInsertLinkAndOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tree(t, st)
		aid := agencyID(t, st, "32.73")
		at := time.Date(2024, 5, 6, 3, 0, 0, 0, time.UTC)
		ev := func(key string, kind domain.EventKind, at time.Time) store.EventWrite {
			return store.EventWrite{Event: domain.Event{Source: "lapor", TrackingID: "X", EventID: key, Kind: kind, At: at}, AgencyID: aid}
		}
		batch := []store.EventWrite{
			ev("3", domain.EventResponded, at), ev("2", domain.EventAssigned, at), ev("1", domain.EventSubmitted, at.Add(-time.Hour)),
			ev("2", domain.EventAssigned, at), // repeat inside the batch
		}
		var created []bool
		require.NoError(t, st.InBulkTx(ctx, func(ctx context.Context, tx *store.Store) error {
			var err error
			created, err = tx.InsertEvents(ctx, batch, at)
			return err
		}))
		require.Equal(t, []bool{true, true, true, false}, created)
		again, err := st.InsertEvents(ctx, batch[:1], at)
		require.NoError(t, err)
		require.Equal(t, []bool{false}, again)

		a, err := st.AgencyByCode(ctx, "32.73")
		require.NoError(t, err)
		ids, err := st.InsertComplaints(ctx, []store.ComplaintWrite{complaintWrite("X", a, aid, nil)}, at)
		require.NoError(t, err)
		n, err := st.LinkOrphanEvents(ctx, []store.ComplaintKey{{"lapor", "X"}})
		require.NoError(t, err)
		require.EqualValues(t, 3, n)
		evs, err := st.ComplaintEvents(ctx, ids[store.ComplaintKey{"lapor", "X"}])
		require.NoError(t, err)
		var keys []string
		for _, e := range evs {
			keys = append(keys, e.EventID)
			require.Equal(t, "32.73", e.AgencyCode)
		}
		require.Equal(t, []string{"1", "2", "3"}, keys, "same instant: assigned before responded")
	})
}
