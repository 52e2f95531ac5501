package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/stats"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

func TestRollupRowsRoundTripAndFilter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		for _, a := range []domain.Agency{
			{Code: "32", Kind: domain.KindProvinsi, Name: "Jawa Barat"},
			{Code: "32.73", ParentCode: "32", Kind: domain.KindKota, Name: "Kota Bandung"},
			{Code: "32.04", ParentCode: "32", Kind: domain.KindKabupaten, Name: "Kab. Bandung"},
		} {
			a.TimeZone, a.Active = "Asia/Jakarta", true
			_, err := st.CreateAgency(ctx, a)
			require.NoError(t, err)
		}
		list, err := st.RollupAgencies(ctx)
		require.NoError(t, err)
		id := map[string]int64{}
		for _, a := range list {
			id[a.Code] = a.ID
		}
		require.Equal(t, id["32"], list[1].ParentID)

		at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
		var h stats.Histogram
		require.NoError(t, h.AddN(3, 4))
		require.NoError(t, h.Add(11))
		rows := []store.Rollup{
			{AgencyID: id["32.73"], Scope: store.RollupOwn, PeriodKey: "2025-03", PeriodKind: stats.PeriodMonth, PeriodStart: "2025-03-01",
				PeriodEnd: "2025-03-31", Counts: store.RollupCounts{Received: 5, Assigned: 4, Responded: 3, FRDue: 5, FROnTime: 4}, FirstResponseDays: h, UpdatedAt: at},
			{AgencyID: id["32.04"], Scope: store.RollupOwn, PeriodKey: "2025-03", PeriodKind: stats.PeriodMonth, UpdatedAt: at},
			{AgencyID: id["32.73"], Scope: store.RollupSubtree, PeriodKey: "2025-Q1", PeriodKind: stats.PeriodQuarter, UpdatedAt: at},
		}
		require.NoError(t, st.InsertRollups(ctx, rows))
		got, err := st.Rollups(ctx, store.RollupFilter{Scope: store.RollupOwn, AgencyIDs: []int64{id["32.73"]}, Keys: []string{"2025-03"}})
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, rows[0], got[0], "a row reads back as written, histogram included")

		for name, c := range map[string]struct {
			f    store.RollupFilter
			want int
		}{
			"children of 32":   {store.RollupFilter{ParentIDs: []int64{id["32"]}}, 3},
			"prefix 2025-":     {store.RollupFilter{KeyPrefix: "2025-"}, 3},
			"prefix 2024-":     {store.RollupFilter{KeyPrefix: "2024-"}, 0},
			"subtree scope":    {store.RollupFilter{Scope: store.RollupSubtree}, 1},
			"key in list":      {store.RollupFilter{Keys: []string{"2025-Q1", "2025"}}, 1},
			"agency and scope": {store.RollupFilter{Scope: store.RollupOwn, AgencyIDs: []int64{id["32.04"]}}, 1},
		} {
			t.Run(name, func(t *testing.T) {
				got, err := st.Rollups(ctx, c.f)
				require.NoError(t, err)
				require.Len(t, got, c.want)
			})
		}
		require.NoError(t, st.DeleteRollups(ctx, store.RollupFilter{Scope: store.RollupOwn, Keys: []string{"2025-03"}}))
		left, err := st.Rollups(ctx, store.RollupFilter{})
		require.NoError(t, err)
		require.Len(t, left, 1)

		// dirty marks: a renewed mark survives clearing the old one
		require.NoError(t, st.MarkRollupMonths(ctx, []store.RollupMonth{{AgencyID: id["32"], Month: "2025-03"}, {AgencyID: id["32"], Month: "2025-03"}}, at))
		d, err := st.DirtyRollupMonths(ctx, 10)
		require.NoError(t, err)
		require.Len(t, d, 1)
		require.NoError(t, st.MarkRollupMonths(ctx, []store.RollupMonth{{AgencyID: id["32"], Month: "2025-03"}}, at.Add(time.Second)))
		require.NoError(t, st.ClearRollupMonths(ctx, d))
		n, err := st.CountDirtyRollupMonths(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)

		v, err := st.RollupState(ctx, "x")
		require.NoError(t, err)
		require.Empty(t, v)
		require.NoError(t, st.SetRollupState(ctx, "x", "2025-03-04", at))
		require.NoError(t, st.SetRollupState(ctx, "x", "2025-03-05", at))
		v, err = st.RollupState(ctx, "x")
		require.NoError(t, err)
		require.Equal(t, "2025-03-05", v)
	})
}
