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

func TestExportQueries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tree(t, st)
		refs, err := st.AgencyRefs(ctx)
		require.NoError(t, err)
		ids := map[string]store.AgencyRef{}
		for _, r := range refs {
			ids[r.Code] = r
		}
		// seven complaints a day apart from 2025-10-01 02:00 UTC; every third is
		// confidential; odd ones go to 64.71, even ones to 32.73.A
		var ws []store.ComplaintWrite
		for i := 0; i < 7; i++ {
			code := "32.73.A"
			if i%2 == 1 {
				code = "64.71"
			}
			c := domain.Complaint{Source: "lapor", TrackingID: fmt.Sprintf("E-%d", i), ReportType: domain.ReportPengaduan,
				AgencyCode: code, SubmittedAt: time.Date(2025, 10, 1+i, 2, 0, 0, 0, time.UTC), Confidential: i%3 == 0,
				Title: "t", Category: "Kesehatan"}
			ws = append(ws, store.ComplaintWrite{Complaint: c, Reporter: domain.Reporter{Name: "Secret Name", Contact: "secret@x"},
				AgencyID: ids[code].ID, GovernmentCode: ids[code].GovernmentCode})
		}
		_, err = st.InsertComplaints(ctx, ws, time.Now())
		require.NoError(t, err)

		collect := func(f store.ExportFilter, page int) []string {
			var out []string
			require.NoError(t, st.EachExportComplaint(ctx, f, page, func(c *store.ExportComplaint) error {
				out = append(out, c.TrackingID)
				return nil
			}))
			return out
		}
		cases := []struct {
			name string
			f    store.ExportFilter
			want []string
		}{
			{"all public, across pages", store.ExportFilter{}, []string{"E-1", "E-2", "E-4", "E-5"}},
			{"subtree", store.ExportFilter{AgencyCode: "32"}, []string{"E-2", "E-4"}},
			{"unit subtree", store.ExportFilter{AgencyCode: "32.73.A"}, []string{"E-2", "E-4"}},
			{"period", store.ExportFilter{From: time.Date(2025, 10, 2, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 10, 5, 0, 0, 0, 0, time.UTC)},
				[]string{"E-1", "E-2"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				for _, page := range []int{1, 2, 1000} {
					require.Equal(t, tc.want, collect(tc.f, page), "page size %d", page)
				}
			})
		}
		err = st.EachExportComplaint(ctx, store.ExportFilter{AgencyCode: "99"}, 10, func(*store.ExportComplaint) error { return nil })
		require.ErrorIs(t, err, domain.ErrNotFound)

		t.Run("counts include confidential ones per local month", func(t *testing.T) {
			var got []store.ComplaintCount
			require.NoError(t, st.EachComplaintCount(ctx, store.ExportFilter{}, func(n store.ComplaintCount) error {
				got = append(got, n)
				return nil
			}))
			require.Len(t, got, 2)
			byCode := map[string]store.ComplaintCount{}
			for _, n := range got {
				byCode[n.AgencyCode] = n
				require.Equal(t, "2025-10", n.Month)
			}
			require.Equal(t, int64(4), byCode["32.73.A"].Received) // E-0, 2, 4, 6
			require.Equal(t, int64(2), byCode["32.73.A"].Confidential)
			require.Equal(t, int64(3), byCode["64.71"].Received) // E-1, 3, 5
			require.Equal(t, int64(1), byCode["64.71"].Confidential)
		})

		t.Run("service requests", func(t *testing.T) {
			rs, err := st.ServiceRequests(ctx, store.ServiceRequestFilter{TrackingIDs: []string{"E-0", "E-1"}})
			require.NoError(t, err)
			require.Len(t, rs, 2)
			require.Equal(t, "E-1", rs[0].TrackingID, "newest first")
			require.True(t, rs[1].Confidential)
			require.Empty(t, rs[1].Title, "a confidential complaint's text stays in the database")
			require.True(t, rs[0].Open, "no terminal event: open")
			rs, err = st.ServiceRequests(ctx, store.ServiceRequestFilter{Status: "closed"})
			require.NoError(t, err)
			require.Empty(t, rs)
			cats, err := st.ComplaintCategories(ctx)
			require.NoError(t, err)
			require.Equal(t, []string{"Kesehatan"}, cats)
		})
	})
}
