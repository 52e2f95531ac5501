package spbeindex_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"testing/fstest"
	"time"
	_ "time/tzdata"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/config/catalog"
	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/metrics"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

// responseRateFramework is the shipped framework with one change: level 3
// of indicator 42 also needs response_rate ≥ 0.9 (a rule a framework file
// may state; the shipped rule reads the response rate only in its quality
// warning).
func responseRateFramework(t *testing.T) spbeindex.FrameworkFile {
	t.Helper()
	b, err := catalog.FS.ReadFile("spbe-framework-59-2020.json")
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	doc["id"] = "spbe-59-2020-rr"
	rules := doc["derived_indicators"].([]any)[0].(map[string]any)["rules"].([]any)
	found := false
	for _, r := range rules {
		rule := r.(map[string]any)
		if rule["level"].(float64) == 3 {
			rule["all_of"] = append(rule["all_of"].([]any), map[string]any{"metric": "response_rate", "op": ">=", "value": 0.9})
			found = true
		}
	}
	require.True(t, found)
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	files, err := spbeindex.LoadFrameworkFiles(fstest.MapFS{"spbe-framework-rr.json": {Data: out}}, "*.json")
	require.NoError(t, err)
	require.Len(t, files, 1)
	return files[0]
}

// complaintLoop is the app's chain on a fixed clock: ingest, clock
// recompute, roll-up refresh, and the metrics source the index reads.
type complaintLoop struct {
	ingest  *ingest.Service
	clocks  *clocks.Service
	metrics *metrics.Service
	now     func() time.Time
}

func newLoop(t *testing.T, f *fixture) *complaintLoop {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clock := func() time.Time { return f.now }
	cals := clocks.NewCalendars(f.st, log, clock)
	pols := clocks.NewPolicies(f.st, f.acc, f.rec, clock)
	l := &complaintLoop{clocks: clocks.NewService(f.st, cals, pols, f.rec, log, clock), metrics: metrics.NewService(f.st, log, clock, 10), now: clock}
	l.clocks.OnClocksReplaced = l.metrics.MarkComplaints
	l.ingest = ingest.NewService(f.st, f.acc, f.rec, ingest.Options{Log: log, Now: clock})
	return l
}

// add ingests n complaints to Kota Bandung submitted from day on, each
// assigned the next hour; verified and answered say which events follow.
func (l *complaintLoop) add(t *testing.T, prefix string, n int, day time.Time, verified, answered bool) {
	t.Helper()
	ctx := context.Background()
	var objs []map[string]any
	for i := range n {
		sub := day.AddDate(0, 0, i%20).Add(time.Duration(i%5) * time.Hour)
		at := func(h int) string { return sub.Add(time.Duration(h) * time.Hour).Format(time.RFC3339) }
		id := fmt.Sprintf("%s-%03d", prefix, i)
		events := []map[string]any{{"event_id": id + "-s", "kind": "submitted", "at": at(0), "agency_code": "32.73"}}
		if verified {
			events = append(events, map[string]any{"event_id": id + "-v", "kind": "verified", "at": at(1), "agency_code": "32.73"})
		}
		events = append(events, map[string]any{"event_id": id + "-a", "kind": "assigned", "at": at(2), "to_agency_code": "32.73"})
		if answered {
			events = append(events, map[string]any{"event_id": id + "-r", "kind": "responded", "at": at(26), "agency_code": "32.73"})
		}
		objs = append(objs, map[string]any{"tracking_id": id, "report_type": "pengaduan", "channel": "web", "submitted_at": at(0),
			"agency_code": "32.73", "title": "Jalan rusak " + id, "reporter_name": "Pelapor Fiktif", "events": events})
	}
	items := make([]json.RawMessage, len(objs))
	for i, o := range objs {
		b, err := json.Marshal(o)
		require.NoError(t, err)
		items[i] = b
	}
	rep, err := l.ingest.SubmitComplaints(ctx, access.CLI(), "", items)
	require.NoError(t, err)
	for _, r := range rep.Results {
		require.NotEqual(t, ingest.Outcome("rejected"), r.Outcome, "%+v", r)
	}
	rc, err := l.clocks.RecomputeDirty(ctx)
	require.NoError(t, err)
	require.Zero(t, rc.Failed)
	_, err = l.clocks.Sweep(ctx, l.now())
	require.NoError(t, err)
	_, err = l.metrics.Refresh(ctx)
	require.NoError(t, err)
}

// TestProjectionFollowsComplaintDataEndToEnd (issue 8 acceptance): complaint
// data that crosses a rule threshold, ingested and carried through clocks and
// roll-ups to the real metrics source, changes the derived level and the
// projected index, and the history keeps both results.
func TestProjectionFollowsComplaintDataEndToEnd(t *testing.T) {
	cases := []struct {
		name      string
		framework func(t *testing.T) *spbeindex.FrameworkFile
		// the second batch: verified? answered?
		verified, answered bool
		warnings           []string
		metric             string
		before, after      string
	}{
		{name: "shipped rule: verification share falls below 80 %", verified: false, answered: false,
			warnings: []string{"assessed-above-backed", "i42-performance"}, metric: metrics.DerivedVerifiedShare, before: "1.0000", after: "0.5000"},
		{name: "response-rate rule: response rate falls below 90 %", framework: func(t *testing.T) *spbeindex.FrameworkFile {
			ff := responseRateFramework(t)
			return &ff
		}, verified: true, answered: false,
			warnings: []string{"assessed-above-backed", "i42-performance"}, metric: metrics.DerivedResponseRate, before: "1.0000", after: "0.5000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				f := setup(t, st, false)
				f.now = time.Date(2025, 6, 2, 3, 0, 0, 0, time.UTC)
				fwID := ""
				if tc.framework != nil {
					ff := tc.framework(t)
					emb, err := spbeindex.EmbeddedFrameworks()
					require.NoError(t, err)
					f.svc = spbeindex.NewService(st, f.acc, f.rec, f.ag, append(emb, *ff), func() time.Time { return f.now })
					fwID = ff.Framework.ID
				}
				ff, err := f.svc.Framework(fwID)
				require.NoError(t, err)
				rule, ok := ff.Framework.DerivedRuleFor(42)
				require.True(t, ok)
				conf := map[string]bool{}
				for _, p := range rule.Preconditions() {
					if p.Level <= 3 {
						conf[p.ID] = true
					}
				}
				levels := allLevels(t, f, 3)
				for i := range levels {
					if levels[i].Indicator == 42 {
						levels[i].Confirmations = conf
					}
				}
				_, err = f.svc.PutAssessment(ctx, access.CLI(), domain.SPBEAssessmentKey{Framework: ff.Framework.ID, Government: "32.73", Year: 2025,
					Stage: domain.StageSelfAssessment}, levels)
				require.NoError(t, err)

				loop := newLoop(t, f)
				loop.add(t, "A", 40, time.Date(2025, 1, 6, 9, 0, 0, 0, wibZone), true, true)
				p1, err := f.svc.ProjectIndex(ctx, access.CLI(), fwID, "32.73", 2025, loop.metrics)
				require.NoError(t, err)
				require.Equal(t, 3, p1.Derived[0].Level, "%v", p1.Derived[0].Explanation)
				require.Equal(t, "3.00", p1.Result.Index)
				require.Empty(t, p1.Derived[0].Warnings)
				require.Equal(t, "40.0000", p1.Derived[0].Metrics[metrics.DerivedReceived])
				require.Equal(t, tc.before, p1.Derived[0].Metrics[tc.metric])

				// The second batch: 40 more, past their deadlines, never answered.
				loop.add(t, "B", 40, time.Date(2025, 2, 3, 9, 0, 0, 0, wibZone), tc.verified, tc.answered)
				p2, err := f.svc.ProjectIndex(ctx, access.CLI(), fwID, "32.73", 2025, loop.metrics)
				require.NoError(t, err)
				require.True(t, p2.Stored)
				require.Equal(t, 2, p2.Derived[0].Level, "%v", p2.Derived[0].Explanation)
				require.Equal(t, 3, p2.Derived[0].AssessedLevel)
				require.Equal(t, "2.97", p2.Result.Index, "one level less on a 3.00 % indicator")
				require.Equal(t, "0.5000", p2.Derived[0].Metrics[metrics.DerivedResponseRate])
				require.Equal(t, tc.after, p2.Derived[0].Metrics[tc.metric])
				var ids []string
				for _, w := range p2.Derived[0].Warnings {
					ids = append(ids, w.ID)
				}
				require.ElementsMatch(t, tc.warnings, ids)

				hist, err := f.svc.History(ctx, "32.73")
				require.NoError(t, err)
				var projected []string
				for _, h := range hist {
					if h.Source == domain.SourceProjected && h.Framework == ff.Framework.ID {
						projected = append(projected, h.Index)
					}
				}
				require.Equal(t, []string{"3.00", "2.97"}, projected, "the history keeps both projections")
			})
		})
	}
}

var wibZone = func() *time.Location {
	l, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		panic(err)
	}
	return l
}()

// TestProjectAllProjectsGovernmentsWithAssessments: the daily job projects
// only governments with a complete assessment, counts the others, and a
// second run with unchanged data stores nothing new.
func TestProjectAllProjectsGovernmentsWithAssessments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := setup(t, st, false)
		f.now = time.Date(2025, 6, 2, 3, 0, 0, 0, time.UTC)
		_, err := f.svc.PutAssessment(ctx, access.CLI(), domain.SPBEAssessmentKey{Government: "32.73", Year: 2024, Stage: domain.StageFinal}, allLevels(t, f, 3))
		require.NoError(t, err)
		// an incomplete assessment is not a basis
		_, err = f.svc.PutAssessment(ctx, access.CLI(), domain.SPBEAssessmentKey{Government: "32.04", Year: 2025, Stage: domain.StageSelfAssessment},
			[]domain.SPBEAssessedLevel{{Indicator: 42, Level: 4}})
		require.NoError(t, err)
		loop := newLoop(t, f)
		loop.add(t, "A", 30, time.Date(2025, 1, 6, 9, 0, 0, 0, wibZone), true, true)

		rep, err := f.svc.ProjectAll(ctx, 2025, loop.metrics, nil)
		require.NoError(t, err)
		require.Equal(t, 1, rep.Projected)
		require.Equal(t, 1, rep.Stored)
		require.Zero(t, rep.Failed)
		require.Equal(t, rep.Governments-1, rep.WithoutLevels)
		require.Greater(t, rep.Governments, 500, "every government of the catalogue is looked at")

		again, err := f.svc.ProjectAll(ctx, 2025, loop.metrics, nil)
		require.NoError(t, err)
		require.Equal(t, 1, again.Projected)
		require.Zero(t, again.Stored, "unchanged data, unchanged history")

		hist, err := f.svc.History(ctx, "32.73")
		require.NoError(t, err)
		n := 0
		for _, h := range hist {
			if h.Source == domain.SourceProjected {
				n++
				require.Equal(t, 2025, h.Year)
			}
		}
		require.Equal(t, 1, n)
	})
}
