package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

// TestBulkDirectPaths covers the rows a bulk transaction is told are new:
// on PostgreSQL they are COPYed straight into their tables (ids from the
// sequence, no conflict rule), elsewhere they take the ordinary inserts.
// Both must store the same rows, skip repeats within a call and leave
// stored identities alone.
func TestBulkDirectPaths(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tree(t, st)
		a, err := st.AgencyByCode(ctx, "32.73")
		require.NoError(t, err)
		aid := agencyID(t, st, "32.73")
		at := time.Date(2024, 5, 6, 3, 0, 0, 0, time.UTC)
		const n = 250 // above the size from which the bulk path COPYs

		// an orphan stored before its complaint
		orphan := store.EventWrite{Event: domain.Event{Source: "lapor", TrackingID: "B-0007", EventID: "B-0007-e0",
			Kind: domain.EventSubmitted, At: at}, AgencyID: aid}
		_, err = st.InsertEvents(ctx, []store.EventWrite{orphan}, at)
		require.NoError(t, err)

		ws := make([]store.ComplaintWrite, n)
		for i := range ws {
			ws[i] = complaintWrite(fmt.Sprintf("B-%04d", i), a, aid, nil)
		}
		ws[3].Reporter = domain.Reporter{} // no reporter row
		var ids map[store.ComplaintKey]int64
		var linked map[store.EventKey]bool
		var created []bool
		var evs []store.EventWrite
		require.NoError(t, st.InBulkTx(ctx, func(ctx context.Context, tx *store.Store) error {
			if ids, err = tx.InsertComplaints(ctx, ws, at); err != nil {
				return err
			}
			keys := make([]store.ComplaintKey, 0, n)
			for k := range ids {
				keys = append(keys, k)
			}
			if linked, err = tx.LinkOrphanEventKeys(ctx, keys); err != nil {
				return err
			}
			for i := range n {
				k := store.ComplaintKey{Source: "lapor", TrackingID: fmt.Sprintf("B-%04d", i)}
				for j := range 2 {
					e := store.EventWrite{ComplaintID: ids[k], AgencyID: aid, Event: domain.Event{Source: k.Source, TrackingID: k.TrackingID,
						EventID: fmt.Sprintf("%s-e%d", k.TrackingID, j), Kind: domain.EventSubmitted, At: at.Add(time.Duration(j) * time.Hour)}}
					e.New = !linked[store.EventKey{Source: k.Source, TrackingID: k.TrackingID, EventID: e.Event.EventID}]
					if i == 20 && j == 1 {
						e.New = false // a new event may still take the ordinary insert
					}
					evs = append(evs, e)
				}
			}
			evs = append(evs, evs[10]) // a repeat within the call
			if created, err = tx.InsertEvents(ctx, evs, at); err != nil {
				return err
			}
			newIDs := make([]int64, 0, n)
			for _, id := range ids {
				newIDs = append(newIDs, id)
			}
			return tx.MarkNewComplaintsDirty(ctx, newIDs, at)
		}))

		require.Len(t, ids, n)
		seen := map[int64]bool{}
		for _, id := range ids {
			require.NotZero(t, id)
			require.False(t, seen[id], "ids are distinct")
			seen[id] = true
		}
		require.Equal(t, map[store.EventKey]bool{{Source: "lapor", TrackingID: "B-0007", EventID: "B-0007-e0"}: true}, linked)
		require.Len(t, created, 2*n+1)
		for i, c := range created {
			want := i < 2*n && evs[i].Event.EventID != "B-0007-e0"
			require.Equal(t, want, c, "event %d (%s)", i, evs[i].Event.EventID)
		}

		got, err := st.ComplaintsForIngest(ctx, []store.ComplaintKey{{"lapor", "B-0000"}, {"lapor", "B-0003"}})
		require.NoError(t, err)
		require.Equal(t, ws[0].Reporter, got[store.ComplaintKey{"lapor", "B-0000"}].Reporter)
		require.Equal(t, ids[store.ComplaintKey{"lapor", "B-0000"}], got[store.ComplaintKey{"lapor", "B-0000"}].ID)
		require.Equal(t, domain.Reporter{}, got[store.ComplaintKey{"lapor", "B-0003"}].Reporter)
		c, err := st.IngestTableCounts(ctx)
		require.NoError(t, err)
		require.EqualValues(t, n, c["complaints"])
		require.EqualValues(t, n-1, c["complaint_reporters"])
		require.EqualValues(t, 2*n, c["complaint_events"])
		require.EqualValues(t, n, c["dirty_complaints"])
		require.Zero(t, c["orphan_events"])
		history, err := st.ComplaintEvents(ctx, ids[store.ComplaintKey{"lapor", "B-0007"}])
		require.NoError(t, err)
		require.Len(t, history, 2, "the linked orphan and the new event")

		// A later complaint id comes after the reserved ones.
		more, err := st.InsertComplaints(ctx, []store.ComplaintWrite{complaintWrite("B-late", a, aid, nil)}, at)
		require.NoError(t, err)
		require.False(t, seen[more[store.ComplaintKey{"lapor", "B-late"}]])

		// Storing a known key again: a direct COPY fails whole with
		// ErrConflict (the importer then retries without it); the ordinary
		// inserts keep the stored rows.
		again := make([]store.EventWrite, len(evs))
		copy(again, evs)
		for i := range again {
			again[i].New = true
		}
		err = st.InBulkTx(ctx, func(ctx context.Context, tx *store.Store) error {
			_, err := tx.InsertEvents(ctx, again, at)
			return err
		})
		errC := st.InBulkTx(ctx, func(ctx context.Context, tx *store.Store) error {
			_, err := tx.InsertComplaints(ctx, ws, at)
			return err
		})
		require.ErrorIs(t, errC, domain.ErrConflict, "a stored complaint key is never inserted twice")
		if st.Dialect() == store.Postgres {
			require.ErrorIs(t, err, domain.ErrConflict)
		} else {
			require.NoError(t, err)
		}
		c2, err := st.IngestTableCounts(ctx)
		require.NoError(t, err)
		require.Equal(t, c["complaint_events"], c2["complaint_events"])
		require.Equal(t, c["complaints"]+1, c2["complaints"])
	})
}
