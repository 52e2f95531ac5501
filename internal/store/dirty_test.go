package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

// TestDirtyMarks: marks are idempotent, and clearing keeps a mark made
// after the clock engine read it.
func TestDirtyMarks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tree(t, st)
		a, err := st.AgencyByCode(ctx, "32.73")
		require.NoError(t, err)
		t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		ids, err := st.InsertComplaints(ctx, []store.ComplaintWrite{complaintWrite("D1", a, agencyID(t, st, "32.73"), nil),
			complaintWrite("D2", a, agencyID(t, st, "32.73"), nil)}, t0)
		require.NoError(t, err)
		d1, d2 := ids[store.ComplaintKey{"lapor", "D1"}], ids[store.ComplaintKey{"lapor", "D2"}]
		require.NoError(t, st.MarkComplaintsDirty(ctx, []int64{d1, d2, d1, 0}, t0))
		list, err := st.DirtyComplaints(ctx, 10)
		require.NoError(t, err)
		require.Len(t, list, 2)
		require.NoError(t, st.MarkComplaintsDirty(ctx, []int64{d1}, t0.Add(time.Minute))) // re-marked meanwhile
		for _, d := range list {
			require.NoError(t, st.ClearDirtyComplaint(ctx, d))
		}
		left, err := st.DirtyComplaints(ctx, 10)
		require.NoError(t, err)
		require.Equal(t, []store.DirtyComplaint{{ComplaintID: d1, MarkedAt: t0.Add(time.Minute)}}, left)
	})
}
