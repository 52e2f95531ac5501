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

func complaintWrite(id string, agency domain.Agency, agencyID int64, upd *time.Time) store.ComplaintWrite {
	wib := time.FixedZone("WIB", 7*3600)
	return store.ComplaintWrite{
		Complaint: domain.Complaint{Source: "lapor", TrackingID: id, ReportType: domain.ReportPengaduan, Category: "Kesehatan",
			Channel: "web", SubmittedAt: time.Date(2024, 4, 1, 8, 30, 15, 123456789, wib), AgencyCode: agency.Code,
			RegionCode: "32.73", Confidential: true, Title: "Judul", Summary: "Isi", SourceUpdatedAt: upd},
		Reporter: domain.Reporter{Name: "Pelapor Fiktif " + id, Contact: id + "@contoh.invalid"},
		AgencyID: agencyID, GovernmentCode: agency.GovernmentCode,
	}
}

func agencyID(t *testing.T, st *store.Store, code string) int64 {
	t.Helper()
	refs, err := st.AgencyRefs(context.Background())
	require.NoError(t, err)
	for _, r := range refs {
		if r.Code == code {
			return r.ID
		}
	}
	t.Fatalf("no agency %s", code)
	return 0
}

// TestComplaintRoundTrip writes complaints in a bulk transaction (COPY on
// PostgreSQL) and reads back the same fields, times at microsecond
// precision in UTC, the reporter only through the ingest and reporter reads.
func TestComplaintRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tree(t, st)
		a, err := st.AgencyByCode(ctx, "32.73.A")
		require.NoError(t, err)
		aid := agencyID(t, st, a.Code)
		upd := time.Date(2024, 4, 2, 1, 0, 0, 0, time.UTC)
		now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		var ids map[store.ComplaintKey]int64
		err = st.InBulkTx(ctx, func(ctx context.Context, tx *store.Store) error {
			var err error
			ids, err = tx.InsertComplaints(ctx, []store.ComplaintWrite{complaintWrite("A", a, aid, &upd), complaintWrite("B", a, aid, nil)}, now)
			return err
		})
		require.NoError(t, err)
		require.Len(t, ids, 2)

		got, err := st.ComplaintsForIngest(ctx, []store.ComplaintKey{{"lapor", "A"}, {"lapor", "B"}, {"lapor", "missing"}, {"other", "A"}})
		require.NoError(t, err)
		require.Len(t, got, 2)
		w := complaintWrite("A", a, aid, &upd)
		sc := got[store.ComplaintKey{"lapor", "A"}]
		require.Equal(t, ids[store.ComplaintKey{"lapor", "A"}], sc.ID)
		require.True(t, sc.Complaint.SubmittedAt.Equal(w.Complaint.SubmittedAt.Truncate(time.Microsecond)))
		require.True(t, sc.Complaint.SourceUpdatedAt.Equal(upd))
		require.Nil(t, got[store.ComplaintKey{"lapor", "B"}].Complaint.SourceUpdatedAt)
		sc.Complaint.SubmittedAt, sc.Complaint.SourceUpdatedAt = time.Time{}, nil
		w.Complaint.SubmittedAt, w.Complaint.SourceUpdatedAt = time.Time{}, nil
		require.Equal(t, w.Complaint, sc.Complaint)
		require.Equal(t, w.Reporter, sc.Reporter)

		pub, err := st.ComplaintByKey(ctx, store.ComplaintKey{"lapor", "A"})
		require.NoError(t, err)
		require.Equal(t, "/ID/32/32.73/32.73.A/", pub.AgencyPath)
		_, err = st.ComplaintByKey(ctx, store.ComplaintKey{"lapor", "nope"})
		require.ErrorIs(t, err, domain.ErrNotFound)

		// inserting a known key again is a conflict, not a silent duplicate
		err = st.InBulkTx(ctx, func(ctx context.Context, tx *store.Store) error {
			_, err := tx.InsertComplaints(ctx, []store.ComplaintWrite{complaintWrite("A", a, aid, nil)}, now)
			return err
		})
		require.ErrorIs(t, err, domain.ErrConflict)

		// an update without reporter removes the reporter row
		b := complaintWrite("B", a, aid, nil)
		b.Reporter = domain.Reporter{}
		b.Complaint.Title = "Baru"
		require.NoError(t, st.UpdateComplaint(ctx, ids[store.ComplaintKey{"lapor", "B"}], b, now))
		r, err := st.ComplaintReporter(ctx, ids[store.ComplaintKey{"lapor", "B"}])
		require.NoError(t, err)
		require.Equal(t, domain.Reporter{}, r)
		c, err := st.IngestTableCounts(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2, c["complaints"])
		require.EqualValues(t, 1, c["complaint_reporters"])
	})
}
