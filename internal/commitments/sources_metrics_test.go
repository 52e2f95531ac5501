package commitments_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/commitments"
	"github.com/tanggap-id/tanggap/internal/demo"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/ingest/parse"
	"github.com/tanggap-id/tanggap/internal/metrics"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
	"github.com/tanggap-id/tanggap/internal/synth"
)

// TestJabarLAPORTargetMeasuredFromComplaints: on demo-like data (the demo's
// agencies and a smaller synthetic history through the real ingest, clocks
// and roll-ups), the Jawa Barat LAPOR response-rate target of the seed
// commitment is measured through MetricsRates: every party with complaints
// has a value, and the target has a status other than no_data.
func TestJabarLAPORTargetMeasuredFromComplaints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2025, 10, 15, 5, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		log := slog.New(slog.DiscardHandler)
		rec := audit.NewRecorder(st, log, clock)
		acc := access.NewService(st, rec, clock)
		ag := agencies.NewService(st, acc, rec)
		cals := clocks.NewCalendars(st, log, clock)
		clk := clocks.NewService(st, cals, clocks.NewPolicies(st, acc, rec, clock), rec, log, clock)
		m := metrics.NewService(st, log, clock, 10)
		clk.OnClocksReplaced = m.MarkComplaints
		ing := ingest.NewService(st, acc, rec, ingest.Options{Log: log, Now: clock})
		deps := demo.Deps{Agencies: ag, Log: log}
		for _, step := range demo.Steps() {
			if step.Name == "catalogue" || step.Name == "units" {
				_, err := step.Run(ctx, deps)
				require.NoError(t, err, step.Name)
			}
		}
		list, err := demo.JabarAgencies(ctx, ag)
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), "complaints.ndjson")
		fh, err := os.Create(path)
		require.NoError(t, err)
		g := &synth.Generator{Seed: demo.ComplaintSeed, Complaints: 800, Agencies: list,
			From: time.Date(2024, 5, 10, 0, 0, 0, 0, time.UTC), To: now}
		require.NoError(t, synth.WriteNDJSON(fh, g))
		require.NoError(t, fh.Close())
		rep, err := ing.ImportFile(ctx, access.CLI(), ingest.FileImport{Path: path,
			FileOptions: ingest.FileOptions{Kind: parse.KindComplaints, Format: parse.FormatNDJSON}})
		require.NoError(t, err)
		require.Zero(t, rep.Counts.Rejected)
		_, err = clk.RecomputeDirty(ctx)
		require.NoError(t, err)
		_, err = clk.Sweep(ctx, now)
		require.NoError(t, err)
		_, err = m.Rebuild(ctx)
		require.NoError(t, err)

		rates := commitments.NewMetricsRates(m)
		rates.Now = clock
		svc := commitments.NewService(st, acc, rec, ag, commitments.Options{Now: clock, Log: log}).WithSources(rates, nil)
		require.True(t, svc.HasRateSource())
		_, err = svc.Import(ctx, access.CLI(), demo.SeedCommitments(svc.HasRateSource()))
		require.NoError(t, err)

		p, err := svc.Progress(ctx, "jabar-spbe-2024", now)
		require.NoError(t, err)
		var tp *commitments.TargetProgress
		for i := range p.Targets {
			if p.Targets[i].Target.ID == "respons-lapor" {
				tp = &p.Targets[i]
			}
		}
		require.NotNil(t, tp, "the seed commitment carries the LAPOR target once a rate source exists")
		require.NotEqual(t, domain.StatusNoData, tp.Status, tp.Evaluation.Reason)
		require.Len(t, tp.Parties, 28)
		measured := 0
		for _, pp := range tp.Parties {
			if pp.Value == nil {
				continue
			}
			measured++
			require.Positive(t, pp.N, pp.Agency)
			require.NotNil(t, pp.Budget, "%s: a rate target's party has an error budget", pp.Agency)
			// the party's value is its 2025 response rate from the same facts
			days, err := m.DailyCounts(ctx, pp.Agency, domain.MetricLAPORResponseRate, 0, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
				time.Date(2025, 10, 15, 0, 0, 0, 0, time.UTC))
			require.NoError(t, err)
			n, ok := 0, 0
			for _, d := range days {
				n, ok = n+d.N, ok+d.Successes
			}
			require.Equal(t, n, pp.N, pp.Agency)
			require.InDelta(t, float64(ok)/float64(n), *pp.Value, 1e-12, pp.Agency)
		}
		require.Equal(t, 28, measured, "every Jawa Barat government has complaints in 2025")
		t.Logf("respons-lapor on %s: %s (%s)", now.Format(time.DateOnly), tp.Status, tp.Evaluation.Reason)

		// A second measurement within the TTL is served from the cache.
		again, err := svc.Progress(ctx, "jabar-spbe-2024", now)
		require.NoError(t, err)
		require.Equal(t, p.Targets, again.Targets)
	})
}
