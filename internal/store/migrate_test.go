package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

// TestMigrationsUpDownUpParity runs every migration up, all the way down and
// up again on both dialects, and checks they end with the same tables and
// columns.
func TestMigrationsUpDownUpParity(t *testing.T) {
	ctx := context.Background()
	schemas := map[string]map[string][]string{}
	open := map[string]func(t *testing.T) store.Options{
		"sqlite": func(t *testing.T) store.Options { return store.Options{SQLitePath: storetest.SQLitePath(t)} },
		"postgres": func(t *testing.T) store.Options {
			return store.Options{DatabaseURL: storetest.PostgresURLForTest(t, true)}
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			st, err := store.Open(ctx, open[name](t))
			require.NoError(t, err)
			defer st.Close()

			cur, latest, err := st.SchemaVersions(ctx)
			require.NoError(t, err)
			require.Zero(t, cur)
			require.Equal(t, store.LatestSchemaVersion(), latest)

			n, err := st.MigrateUp(ctx)
			require.NoError(t, err)
			require.EqualValues(t, latest, n, "every migration applies on a fresh database")
			first, err := st.SchemaColumns(ctx)
			require.NoError(t, err)
			require.Contains(t, first, "agencies")

			n, err = st.MigrateUp(ctx)
			require.NoError(t, err)
			require.Zero(t, n, "a second up is a no-op")

			_, err = st.MigrateDown(ctx, true)
			require.NoError(t, err)
			empty, err := st.SchemaColumns(ctx)
			require.NoError(t, err)
			require.Empty(t, empty, "down removes every table")

			_, err = st.MigrateUp(ctx)
			require.NoError(t, err)
			again, err := st.SchemaColumns(ctx)
			require.NoError(t, err)
			require.Equal(t, first, again, "up after down recreates the same schema")

			statuses, err := st.MigrationStatuses(ctx)
			require.NoError(t, err)
			for _, m := range statuses {
				require.True(t, m.Applied, m.Name)
			}
			schemas[name] = again
		})
	}
	if len(schemas) == 2 {
		require.Equal(t, schemas["postgres"], schemas["sqlite"], "both dialects have the same tables and columns")
	}
}
