package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

func mustCreate(t *testing.T, st *store.Store, code, parent string, kind domain.AgencyKind) domain.Agency {
	t.Helper()
	a, err := st.CreateAgency(context.Background(), domain.Agency{Code: code, ParentCode: parent, Kind: kind,
		Name: "Agency " + code, ShortName: code, TimeZone: "Asia/Jakarta", Active: true})
	require.NoError(t, err)
	return a
}

// tree builds ID → 32 → {32.73 → {32.73.A → 32.73.A.1}, 32.04}, 64 → 64.71.
func tree(t *testing.T, st *store.Store) {
	mustCreate(t, st, "ID", "", domain.KindNational)
	mustCreate(t, st, "32", "ID", domain.KindProvinsi)
	mustCreate(t, st, "32.73", "32", domain.KindKota)
	mustCreate(t, st, "32.04", "32", domain.KindKabupaten)
	mustCreate(t, st, "32.73.A", "32.73", domain.KindOPD)
	mustCreate(t, st, "32.73.A.1", "32.73.A", domain.KindOPD)
	mustCreate(t, st, "64", "ID", domain.KindProvinsi)
	mustCreate(t, st, "64.71", "64", domain.KindKota)
}

func TestAgencyTree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tree(t, st)

		a, err := st.AgencyByCode(ctx, "32.73.A.1")
		require.NoError(t, err)
		require.Equal(t, "32.73.A", a.ParentCode)
		require.Equal(t, "32.73", a.GovernmentCode, "a unit belongs to its regency/city")
		p, err := st.AgencyByCode(ctx, "32")
		require.NoError(t, err)
		require.Equal(t, "32", p.GovernmentCode)

		_, err = st.AgencyByCode(ctx, "99")
		require.ErrorIs(t, err, domain.ErrNotFound)

		_, err = st.CreateAgency(ctx, domain.Agency{Code: "32", Kind: domain.KindProvinsi, Name: "dup", TimeZone: "Asia/Jakarta"})
		require.ErrorIs(t, err, domain.ErrConflict)

		cases := []struct {
			anc, node string
			want      bool
		}{
			{"32.73", "32.73", true}, {"32.73", "32.73.A.1", true}, {"32", "32.04", true},
			{"32.73", "32.04", false}, {"32.04", "32.73.A", false}, {"ID", "64.71", true}, {"64", "32.73", false},
		}
		for _, c := range cases {
			got, err := st.IsInSubtree(ctx, c.anc, c.node)
			require.NoError(t, err)
			require.Equal(t, c.want, got, "%s under %s", c.node, c.anc)
		}

		// Listing: children, subtree, kinds, search, pagination.
		kids, err := st.AgencyChildren(ctx, "32")
		require.NoError(t, err)
		require.Equal(t, []string{"32.04", "32.73"}, codes(kids))
		under, total, err := st.ListAgencies(ctx, store.AgencyFilter{Under: "32"})
		require.NoError(t, err)
		require.EqualValues(t, 4, total)
		require.Equal(t, []string{"32.04", "32.73", "32.73.A", "32.73.A.1"}, codes(under))
		opd, _, err := st.ListAgencies(ctx, store.AgencyFilter{Kinds: []domain.AgencyKind{domain.KindOPD}})
		require.NoError(t, err)
		require.Equal(t, []string{"32.73.A", "32.73.A.1"}, codes(opd))
		found, _, err := st.ListAgencies(ctx, store.AgencyFilter{Search: "AGENCY 64"})
		require.NoError(t, err)
		require.Equal(t, []string{"64", "64.71"}, codes(found))
		page, total, err := st.ListAgencies(ctx, store.AgencyFilter{Limit: 3, Offset: 3})
		require.NoError(t, err)
		require.EqualValues(t, 8, total)
		require.Equal(t, []string{"32.73.A", "32.73.A.1", "64"}, codes(page))
		// '_' and '%' in a search are literal characters, not wildcards.
		none, _, err := st.ListAgencies(ctx, store.AgencyFilter{Search: "_"})
		require.NoError(t, err)
		require.Empty(t, none)

		counts, err := st.ChildCounts(ctx, "ID")
		require.NoError(t, err)
		require.Equal(t, map[string]int64{"32": 2, "64": 1}, counts)
		cities, err := st.ChildCounts(ctx, "ID", domain.KindKota)
		require.NoError(t, err)
		require.Equal(t, map[string]int64{"32": 1, "64": 1}, cities, "only grandchildren of the kinds asked")
	})
}

func TestAgencyMoveAndCycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tree(t, st)
		move := func(code, parent string) error {
			return st.InTx(ctx, func(tx *store.Store) error {
				a, err := tx.AgencyByCode(ctx, code)
				if err != nil {
					return err
				}
				a.ParentCode = parent
				_, err = tx.UpdateAgency(ctx, a)
				return err
			})
		}
		// A unit moves with its subtree to another government.
		require.NoError(t, move("32.73.A", "64.71"))
		for _, c := range []struct{ node, anc string }{{"32.73.A", "64.71"}, {"32.73.A.1", "64.71"}, {"32.73.A.1", "64"}} {
			ok, err := st.IsInSubtree(ctx, c.anc, c.node)
			require.NoError(t, err)
			require.True(t, ok, "%s now under %s", c.node, c.anc)
		}
		ok, err := st.IsInSubtree(ctx, "32.73", "32.73.A.1")
		require.NoError(t, err)
		require.False(t, ok)
		leaf, err := st.AgencyByCode(ctx, "32.73.A.1")
		require.NoError(t, err)
		require.Equal(t, "64.71", leaf.GovernmentCode, "government code follows the move")

		// Cycles: under itself or under its own descendant.
		err = move("64.71", "32.73.A.1")
		require.ErrorIs(t, err, domain.ErrInvalid)
		var ve *domain.ValidationError
		require.True(t, errors.As(err, &ve))
		require.Equal(t, "parent_code", ve.Details[0].Field)
		require.ErrorIs(t, move("64", "64"), domain.ErrInvalid)
		// Failed moves change nothing.
		ok, err = st.IsInSubtree(ctx, "64", "32.73.A.1")
		require.NoError(t, err)
		require.True(t, ok)
	})
}

func TestAgencyExternalIDs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		a, err := st.CreateAgency(ctx, domain.Agency{Code: "K1", Kind: domain.KindMinistry, Name: "Kementerian Satu",
			TimeZone: "Asia/Jakarta", Active: true, ExternalIDs: map[string]string{"lapor": "123", "sipd": "X"}})
		require.NoError(t, err)
		require.Equal(t, map[string]string{"lapor": "123", "sipd": "X"}, a.ExternalIDs)
		got, err := st.AgencyByExternalID(ctx, "lapor", "123")
		require.NoError(t, err)
		require.Equal(t, "K1", got.Code)
		_, err = st.CreateAgency(ctx, domain.Agency{Code: "K2", Kind: domain.KindMinistry, Name: "Dua",
			TimeZone: "Asia/Jakarta", ExternalIDs: map[string]string{"lapor": "123"}})
		require.ErrorIs(t, err, domain.ErrConflict, "an external id names one agency")
	})
}

func codes(list []domain.Agency) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Code
	}
	return out
}
