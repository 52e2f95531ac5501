package opendata_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/commitments"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/metrics"
	"github.com/tanggap-id/tanggap/internal/opendata"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

// seedMetricsAndCommitments ingests complaints with fictitious reporters into
// Kota Bandung's units, builds clocks and roll-ups, and records a commitment
// with a LAPOR target and one day's snapshots. It returns the reporter
// strings no export may contain.
func seedMetricsAndCommitments(t *testing.T, st *store.Store, now time.Time) []string {
	t.Helper()
	ctx := context.Background()
	clock := func() time.Time { return now }
	log := slog.New(slog.DiscardHandler)
	rec := audit.NewRecorder(st, log, clock)
	acc := access.NewService(st, rec, clock)
	ag := agencies.NewService(st, acc, rec)
	_, err := ag.LoadCatalog(ctx, access.CLI())
	require.NoError(t, err)
	_, err = ag.Create(ctx, access.CLI(), domainOPD("32.73.DINKES", "32.73"))
	require.NoError(t, err)
	clk := clocks.NewService(st, clocks.NewCalendars(st, log, clock), clocks.NewPolicies(st, acc, rec, clock), rec, log, clock)
	m := metrics.NewService(st, log, clock, 10)
	clk.OnClocksReplaced = m.MarkComplaints
	ing := ingest.NewService(st, acc, rec, ingest.Options{Log: log, Now: clock})

	var secrets []string
	var items []json.RawMessage
	for i := range 30 {
		id := fmt.Sprintf("OD-%03d", i)
		sub := time.Date(2025, 3, 3+i%20, 9, 0, 0, 0, time.UTC)
		unit := []string{"32.73", "32.73.DINKES"}[i%2]
		name, contact := fmt.Sprintf("Rahasia Pelapor %03d", i), fmt.Sprintf("pelapor%03d@contoh.invalid", i)
		secrets = append(secrets, name, contact)
		events := []map[string]any{
			{"event_id": id + "-s", "kind": "submitted", "at": sub.Format(time.RFC3339), "agency_code": "32.73"},
			{"event_id": id + "-a", "kind": "assigned", "at": sub.Add(time.Hour).Format(time.RFC3339), "to_agency_code": unit},
		}
		if i%3 != 0 {
			events = append(events, map[string]any{"event_id": id + "-r", "kind": "responded", "at": sub.Add(30 * time.Hour).Format(time.RFC3339), "agency_code": unit})
		}
		b, err := json.Marshal(map[string]any{"tracking_id": id, "report_type": "pengaduan", "channel": "web", "submitted_at": sub.Format(time.RFC3339),
			"agency_code": "32.73", "title": "Jalan rusak", "summary": "Isi", "confidential": i%7 == 0, "reporter_name": name, "reporter_contact": contact,
			"events": events})
		require.NoError(t, err)
		items = append(items, b)
	}
	rep, err := ing.SubmitComplaints(ctx, access.CLI(), "", items)
	require.NoError(t, err)
	require.Len(t, rep.Results, 30)
	_, err = clk.RecomputeDirty(ctx)
	require.NoError(t, err)
	_, err = m.Rebuild(ctx)
	require.NoError(t, err)

	svc := commitments.NewService(st, acc, rec, ag, commitments.Options{Now: clock, Log: log}).WithSources(commitments.NewMetricsRates(m), nil)
	base, target := 0.5, 0.9
	_, err = svc.Create(ctx, access.CLI(), commitments.Input{Slug: "bandung-lapor", Title: "Respons LAPOR Kota Bandung",
		SignedOn: commitments.Date{Time: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)}, SignatoryName: "Sekretaris Daerah",
		SignatoryOffice: "Sekretaris Daerah Kota Bandung", LeadAgency: "32.73", Parties: []string{"32.73"},
		Targets: []commitments.TargetInput{{ID: "respons", Metric: "lapor_response_rate", Scope: "single", Baseline: &base,
			BaselineAsOf: commitments.Date{Time: time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)}, Value: &target, Direction: "increase",
			MeasurementPeriod: "2025", Deadline: commitments.Date{Time: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)}}}})
	require.NoError(t, err)
	snap, err := svc.Snapshot(ctx, now)
	require.NoError(t, err)
	require.Positive(t, snap.Snapshots)
	return secrets
}

// exportText runs one export and returns its bytes.
func exportText(t *testing.T, svc *opendata.Service, name string, f opendata.Format, q opendata.Query) string {
	t.Helper()
	ctx := context.Background()
	ex, err := svc.Prepare(ctx, name, f, q)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, ex.WriteTo(ctx, &buf))
	return buf.String()
}

// TestMetricsAndCommitmentsExports: both datasets' CSV header and every JSON
// and NDJSON object have exactly the dictionary's fields with values of the
// declared type (null only where nullable); filters narrow the rows; and no
// reporter name or contact appears anywhere.
func TestMetricsAndCommitmentsExports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Date(2025, 6, 2, 5, 0, 0, 0, time.UTC)
		secrets := seedMetricsAndCommitments(t, st, now)
		svc := opendata.NewService(st, func() time.Time { return now }, "tanggap.id")
		for _, name := range []string{opendata.DatasetMetrics, opendata.DatasetCommitments} {
			t.Run(name, func(t *testing.T) {
				ds, err := svc.Dataset(name)
				require.NoError(t, err)
				var names []string
				for _, fl := range ds.Fields {
					names = append(names, fl.Name)
				}
				csvText := exportText(t, svc, name, opendata.CSV, opendata.Query{})
				recs, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
				require.NoError(t, err)
				require.Equal(t, names, recs[0], "CSV header = dictionary")
				require.Greater(t, len(recs), 1, "the export has rows")

				nd := exportText(t, svc, name, opendata.NDJSON, opendata.Query{})
				sc := bufio.NewScanner(strings.NewReader(nd))
				sc.Buffer(make([]byte, 1<<20), 1<<20)
				rows := 0
				for sc.Scan() {
					var obj map[string]any
					require.NoError(t, json.Unmarshal(sc.Bytes(), &obj), sc.Text())
					require.Len(t, obj, len(ds.Fields))
					for _, fl := range ds.Fields {
						v, ok := obj[fl.Name]
						require.True(t, ok, fl.Name)
						checkType(t, fl, v)
					}
					rows++
				}
				require.Equal(t, len(recs)-1, rows, "CSV and NDJSON carry the same rows")

				var doc struct {
					Dataset string           `json:"dataset"`
					Items   []map[string]any `json:"items"`
				}
				js := exportText(t, svc, name, opendata.JSON, opendata.Query{})
				require.NoError(t, json.Unmarshal([]byte(js), &doc))
				require.Equal(t, name, doc.Dataset)
				require.Len(t, doc.Items, rows)

				for _, text := range []string{csvText, nd, js} {
					for _, s := range secrets {
						require.NotContains(t, text, s, "no reporter data in %s", name)
					}
				}
			})
		}

		// Filters: metrics of a unit's subtree only; a period outside the data has no rows.
		csvText := exportText(t, svc, opendata.DatasetMetrics, opendata.CSV, opendata.Query{Government: "32.73.DINKES"})
		recs, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
		require.NoError(t, err)
		require.Greater(t, len(recs), 1)
		for _, r := range recs[1:] {
			require.Equal(t, "32.73.DINKES", r[0])
		}
		from, to := workcal.Date{Year: 2024, Month: 1, Day: 1}, workcal.Date{Year: 2024, Month: 12, Day: 31}
		csvText = exportText(t, svc, opendata.DatasetMetrics, opendata.CSV, opendata.Query{From: &from, To: &to})
		recs, err = csv.NewReader(strings.NewReader(csvText)).ReadAll()
		require.NoError(t, err)
		require.Len(t, recs, 1, "no roll-up period overlaps 2024")
		csvText = exportText(t, svc, opendata.DatasetCommitments, opendata.CSV, opendata.Query{From: &from, To: &to})
		recs, err = csv.NewReader(strings.NewReader(csvText)).ReadAll()
		require.NoError(t, err)
		require.Len(t, recs, 2, "the target stays, without snapshot columns")
		require.Equal(t, "", recs[1][len(recs[1])-1])
	})
}

// checkType asserts a decoded JSON value has the dictionary's type.
func checkType(t *testing.T, fl opendata.Field, v any) {
	t.Helper()
	if v == nil {
		require.True(t, fl.Nullable, "%s is null but not nullable", fl.Name)
		return
	}
	switch fl.Type {
	case opendata.TypeString:
		require.IsType(t, "", v, fl.Name)
	case opendata.TypeInteger:
		n, ok := v.(float64)
		require.True(t, ok, fl.Name)
		require.Equal(t, float64(int64(n)), n, fl.Name)
	case opendata.TypeNumber:
		require.IsType(t, float64(0), v, fl.Name)
	case opendata.TypeDate:
		_, err := time.Parse(time.DateOnly, v.(string))
		require.NoError(t, err, fl.Name)
	case opendata.TypeDateTime:
		_, err := time.Parse(time.RFC3339, v.(string))
		require.NoError(t, err, fl.Name)
	case opendata.TypeObject:
		require.IsType(t, map[string]any{}, v, fl.Name)
	default:
		t.Fatalf("%s: unexpected type %s", fl.Name, fl.Type)
	}
}

func domainOPD(code, parent string) domain.Agency {
	return domain.Agency{Code: code, Kind: domain.KindOPD, Name: "Unit " + code, ParentCode: parent, TimeZone: "Asia/Jakarta", Active: true}
}
