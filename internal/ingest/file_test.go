package ingest_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/ingest/parse"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

func importFile(t *testing.T, f *fixture, path string, kind parse.Kind) ingest.Report {
	t.Helper()
	rep, err := f.svc.ImportFile(context.Background(), access.CLI(), ingest.FileImport{Path: path, FileOptions: ingest.FileOptions{Kind: kind}})
	require.NoError(t, err)
	return rep
}

// TestImportTwiceChangesNothing: the second import of the same file reports
// no new rows and leaves every table count as it was, per format.
func TestImportTwiceChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st, 64)
		cCSV, eCSV, nd := writeSynth(t, f.dir, 150, 7)
		xlsx := filepath.Join(f.dir, "complaints.xlsx")
		csvToXLSX(t, cCSV, xlsx)
		exlsx := filepath.Join(f.dir, "events.xlsx")
		csvToXLSX(t, eCSV, exlsx)

		cases := []struct {
			name  string
			files []string
			kinds []parse.Kind
		}{
			{"ndjson", []string{nd}, []parse.Kind{parse.KindComplaints}},
			{"csv", []string{cCSV, eCSV}, []parse.Kind{parse.KindComplaints, parse.KindEvents}},
			{"xlsx", []string{xlsx, exlsx}, []parse.Kind{parse.KindComplaints, parse.KindEvents}},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := counts(t, st)
				var first []ingest.Report
				for j, p := range c.files {
					first = append(first, importFile(t, f, p, c.kinds[j]))
				}
				after := counts(t, st)
				if i == 0 {
					require.EqualValues(t, 150, first[0].Counts.Created)
					require.Greater(t, first[0].Counts.EventsCreated, int64(150))
					require.EqualValues(t, 150, after["complaints"])
					require.EqualValues(t, 150, after["complaint_reporters"])
					require.Zero(t, after["orphan_events"])
				} else {
					// the same history in another format is already stored
					require.Equal(t, dataCounts(before), dataCounts(after))
				}
				for j, p := range c.files {
					again := importFile(t, f, p, c.kinds[j])
					require.Zero(t, again.Counts.Created+again.Counts.Updated+again.Counts.EventsCreated, "second run of %s", p)
					require.Zero(t, again.Counts.Rejected)
					require.False(t, again.Resumed)
					require.Equal(t, first[j].Counts.Rows(), again.Counts.Rows())
				}
				require.Equal(t, dataCounts(after), dataCounts(counts(t, st)), "table counts unchanged by the second run")
			})
		}
	})
}

// malformedCSV writes n complaint rows where rows at the given 0-based
// indexes break one rule each; it returns their file lines.
func malformedCSV(t *testing.T, path string, n int) map[int]string {
	t.Helper()
	fh, err := os.Create(path)
	require.NoError(t, err)
	w := csv.NewWriter(fh)
	require.NoError(t, w.Write([]string{"tracking_id", "report_type", "category", "channel", "submitted_at", "agency_code",
		"anonymous", "confidential", "title", "summary", "reporter_name", "reporter_contact"}))
	bad := map[int]string{100: "submitted_at", 500: "agency_code", 900: "report_type"}
	lines := map[int]string{}
	for i := 0; i < n; i++ {
		row := []string{fmt.Sprintf("M-%04d", i), "pengaduan", "Kesehatan", "web", "2024-03-04 09:30", "32.73.DINKES",
			"tidak", "0", "Judul", "Isi", fmt.Sprintf("Pelapor Fiktif M%04d", i), fmt.Sprintf("m%04d@contoh.invalid", i)}
		switch bad[i] {
		case "submitted_at":
			row[4] = "2024-13-45 25:61"
		case "agency_code":
			row[5] = "99.99.NOPE"
		case "report_type":
			row[1] = "keluhan"
		}
		if bad[i] != "" {
			lines[i+2] = bad[i] // header is line 1
		}
		require.NoError(t, w.Write(row))
	}
	w.Flush()
	require.NoError(t, w.Error())
	require.NoError(t, fh.Close())
	return lines
}

func readReport(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"line", "record", "field", "reason"}, rows[0])
	return rows[1:]
}

// TestMalformedRowsRejectedValidStored: 1000 rows, 3 broken → 997 stored,
// exactly those 3 lines reported with field and reason.
func TestMalformedRowsRejectedValidStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st, 128)
		path := filepath.Join(f.dir, "mixed.csv")
		want := malformedCSV(t, path, 1000)
		rep := importFile(t, f, path, parse.KindComplaints)
		require.EqualValues(t, 997, rep.Counts.Created)
		require.EqualValues(t, 3, rep.Counts.Rejected)
		require.EqualValues(t, 997, counts(t, st)["complaints"])
		require.Equal(t, path+".rejections.csv", rep.ReportPath)
		got := map[int]string{}
		for _, r := range readReport(t, rep.ReportPath) {
			var line int
			fmt.Sscanf(r[0], "%d", &line)
			require.NotEmpty(t, r[3], "reason")
			got[line] = r[2]
		}
		require.Equal(t, want, got)
	})
}

// TestShuffledEventsStoreSameState: events in file order and shuffled,
// before or after their complaints, end in the same stored history.
func TestShuffledEventsStoreSameState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st, 50)
		cCSV, eCSV, _ := writeSynth(t, f.dir, 80, 11)
		importFile(t, f, cCSV, parse.KindComplaints)
		importFile(t, f, eCSV, parse.KindEvents)
		sorted, err := st.EventDigest(ctx)
		require.NoError(t, err)

		// a second database: shuffled events first (orphans), complaints after
		other := newFixture(t, storetest.Backends()[backendIndex(st)].Open(t), 50)
		shuffled := filepath.Join(other.dir, "events-shuffled.csv")
		shuffleCSV(t, eCSV, shuffled, 3)
		rep := importFile(t, other, shuffled, parse.KindEvents)
		if rep.ReportPath != "" {
			t.Log(readReport(t, rep.ReportPath)[:3])
		}
		require.Zero(t, rep.Counts.Rejected)
		require.Equal(t, counts(t, other.st)["complaint_events"], counts(t, other.st)["orphan_events"], "all events wait for their complaints")
		importFile(t, other, cCSV, parse.KindComplaints)
		require.Zero(t, counts(t, other.st)["orphan_events"], "orphans linked when complaints arrive")
		got, err := other.st.EventDigest(ctx)
		require.NoError(t, err)
		require.Equal(t, sorted, got)
	})
}

func backendIndex(st *store.Store) int {
	if st.Dialect() == store.Postgres {
		return 1
	}
	return 0
}

func shuffleCSV(t *testing.T, in, out string, seed uint64) {
	t.Helper()
	b, err := os.ReadFile(in)
	require.NoError(t, err)
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	require.NoError(t, err)
	body := rows[1:]
	r := rand.New(rand.NewPCG(seed, seed))
	r.Shuffle(len(body), func(i, j int) { body[i], body[j] = body[j], body[i] })
	fh, err := os.Create(out)
	require.NoError(t, err)
	w := csv.NewWriter(fh)
	require.NoError(t, w.WriteAll(rows))
	require.NoError(t, fh.Close())
}

// TestResumeAfterCrash stops an import after k committed batches (as a
// kill would) and re-runs it: the job resumes and the totals are exactly
// the file's, with nothing duplicated.
func TestResumeAfterCrash(t *testing.T) {
	for _, format := range []string{"ndjson", "csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				f := newFixture(t, st, 40)
				cCSV, _, nd := writeSynth(t, f.dir, 300, 5)
				path := nd
				switch format {
				case "csv":
					path = cCSV
				case "xlsx":
					path = filepath.Join(f.dir, "c.xlsx")
					csvToXLSX(t, cCSV, path)
				}
				crash := errors.New("simulated crash")
				batches := 0
				fi := ingest.FileImport{Path: path, FileOptions: ingest.FileOptions{Kind: parse.KindComplaints},
					Progress: func(ingest.Progress) error {
						if batches++; batches == 3 {
							return crash
						}
						return nil
					}}
				rep, err := f.svc.ImportFile(ctx, access.CLI(), fi)
				require.ErrorIs(t, err, crash)
				require.EqualValues(t, 120, rep.Counts.Created, "three batches of 40 committed")
				require.EqualValues(t, 120, counts(t, st)["complaints"])

				fi.Progress = nil
				rep, err = f.svc.ImportFile(ctx, access.CLI(), fi)
				require.NoError(t, err)
				require.True(t, rep.Resumed)
				require.EqualValues(t, 300, rep.Counts.Created, "totals include the first run")
				require.Zero(t, rep.Counts.Unchanged, "no row was read twice")
				c := counts(t, st)
				require.EqualValues(t, 300, c["complaints"])
				require.EqualValues(t, 300, c["complaint_reporters"])
				require.EqualValues(t, 1, c["import_jobs"], "the same job was resumed")

				// a fresh database importing in one go stores the same events
				ref := newFixture(t, storetest.Backends()[backendIndex(st)].Open(t), 1000)
				importFile(t, ref, path, parse.KindComplaints)
				want, err := ref.st.EventDigest(ctx)
				require.NoError(t, err)
				got, err := st.EventDigest(ctx)
				require.NoError(t, err)
				require.Equal(t, want, got)
			})
		})
	}
}

// TestDryRunWritesNothing validates a file and reports what would happen.
func TestDryRunWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st, 100)
		path := filepath.Join(f.dir, "mixed.csv")
		malformedCSV(t, path, 250)
		rep, err := f.svc.ImportFile(context.Background(), access.CLI(), ingest.FileImport{Path: path, DryRun: true,
			FileOptions: ingest.FileOptions{Kind: parse.KindComplaints}})
		require.NoError(t, err)
		require.EqualValues(t, 249, rep.Counts.Created)
		require.EqualValues(t, 1, rep.Counts.Rejected)
		require.Len(t, readReport(t, rep.ReportPath), 1)
		c := counts(t, st)
		require.Zero(t, c["complaints"]+c["import_jobs"]+c["dirty_complaints"])
	})
}
