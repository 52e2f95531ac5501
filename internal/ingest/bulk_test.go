package ingest_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/ingest/parse"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

// TestBulkImportWithOrphans runs batches large enough for PostgreSQL's
// direct COPY path over complaints some of whose events were stored before
// them: those count as unchanged and are linked, the rest are created once,
// every complaint is marked dirty, and the stored history equals a fresh
// import of the same file; a replay changes nothing.
func TestBulkImportWithOrphans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st, 1000)
		_, eCSV, nd := writeSynth(t, f.dir, 300, 9)

		b, err := os.ReadFile(eCSV)
		require.NoError(t, err)
		rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
		require.NoError(t, err)
		events := int64(len(rows) - 1)
		orphans := [][]string{rows[0]}
		for i, r := range rows[1:] {
			if i%3 == 0 {
				orphans = append(orphans, r)
			}
		}
		orphanPath := filepath.Join(f.dir, "orphans.csv")
		fh, err := os.Create(orphanPath)
		require.NoError(t, err)
		require.NoError(t, csv.NewWriter(fh).WriteAll(orphans))
		require.NoError(t, fh.Close())
		rep := importFile(t, f, orphanPath, parse.KindEvents)
		stored := int64(len(orphans) - 1)
		require.Equal(t, stored, rep.Counts.Created)
		require.Equal(t, stored, counts(t, st)["orphan_events"])

		rep = importFile(t, f, nd, parse.KindComplaints)
		require.EqualValues(t, 300, rep.Counts.Created)
		require.Equal(t, events-stored, rep.Counts.EventsCreated)
		require.Equal(t, stored, rep.Counts.EventsUnchanged, "orphans stored before are not created again")
		c := counts(t, st)
		require.EqualValues(t, 300, c["complaints"])
		require.EqualValues(t, 300, c["complaint_reporters"])
		require.Equal(t, events, c["complaint_events"])
		require.Zero(t, c["orphan_events"])
		require.EqualValues(t, 300, c["dirty_complaints"])

		ref := newFixture(t, storetest.Backends()[backendIndex(st)].Open(t), 1000)
		importFile(t, ref, nd, parse.KindComplaints)
		want, err := ref.st.EventDigest(ctx)
		require.NoError(t, err)
		got, err := st.EventDigest(ctx)
		require.NoError(t, err)
		require.Equal(t, want, got)

		again := importFile(t, f, nd, parse.KindComplaints)
		require.EqualValues(t, 300, again.Counts.Unchanged)
		require.Zero(t, again.Counts.Created+again.Counts.EventsCreated)
		require.Equal(t, events, again.Counts.EventsUnchanged)
		require.Equal(t, dataCounts(c), dataCounts(counts(t, st)))
	})
}
