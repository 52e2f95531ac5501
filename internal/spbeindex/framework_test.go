package spbeindex_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

// A second framework file is stored, listed and scored with no code change.
func TestFrameworksAreData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := setup(t, st, false)
		extra, err := spbeindex.LoadFrameworkFiles(os.DirFS("../../testdata/spbe"), "test-framework*.json")
		require.NoError(t, err)
		require.Len(t, extra, 2)
		emb, err := spbeindex.EmbeddedFrameworks()
		require.NoError(t, err)
		svc := spbeindex.NewService(st, f.acc, f.rec, f.ag, append(emb, extra...), func() time.Time { return f.now })

		loads, err := svc.LoadFrameworks(ctx, access.CLI())
		require.NoError(t, err)
		require.Len(t, loads, 3)
		for _, l := range loads {
			require.True(t, l.Loaded, l.ID)
		}
		again, err := svc.LoadFrameworks(ctx, access.CLI())
		require.NoError(t, err)
		for _, l := range again {
			require.False(t, l.Loaded, "%s: the same version is not loaded twice", l.ID)
		}
		list, err := svc.ListFrameworks(ctx)
		require.NoError(t, err)
		ids := []string{}
		for _, r := range list {
			ids = append(ids, r.ID)
			require.Regexp(t, `^sha256:[0-9a-f]{16}$`, r.Version)
		}
		require.ElementsMatch(t, []string{"spbe-59-2020", "test-2dom", "test-flat"}, ids)

		// test-flat: weights 45/30/25 and its own bands (≥ 4.0 Memuaskan).
		// Levels 5, 4, 3: (225 + 120 + 75) / 100 = 4.20.
		sim, err := svc.Simulate("test-flat", map[int]int{1: 5, 2: 4, 3: 3})
		require.NoError(t, err)
		require.Equal(t, "4.20", sim.Index.String())
		require.Equal(t, "Memuaskan", sim.Predicate)
		// Levels 1, 4, 5: (45 + 120 + 125) / 100 = 2.90, Baik under test-flat's bands.
		sim, err = svc.Simulate("test-flat", map[int]int{1: 1, 2: 4, 3: 5})
		require.NoError(t, err)
		require.Equal(t, "2.90", sim.Index.String())
		require.Equal(t, "Baik", sim.Predicate)

		_, err = f.svc.LoadFrameworks(ctx, access.Principal{Role: access.RoleReader, TokenID: 1})
		require.Error(t, err, "only admins load frameworks")
	})
}
