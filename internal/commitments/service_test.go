package commitments_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/commitment"
	"github.com/tanggap-id/tanggap/internal/commitments"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

// fakeRates is a RateSource over fixed daily counts per agency and metric.
type fakeRates struct {
	mu    sync.Mutex
	daily map[string][]commitment.DailyCount // key agency/metric
	level map[string]float64
}

func (f *fakeRates) DailyCounts(_ context.Context, q commitments.RateQuery) ([]commitment.DailyCount, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []commitment.DailyCount
	for _, d := range f.daily[q.Agency+"/"+string(q.Metric)] {
		if !d.Date.Before(q.From) && !d.Date.After(q.To) {
			out = append(out, d)
		}
	}
	return out, nil
}

func (f *fakeRates) Level(_ context.Context, q commitments.RateQuery) (*float64, int, error) {
	v, ok := f.level[q.Agency+"/"+string(q.Metric)]
	if !ok {
		return nil, 0, nil
	}
	return &v, 20, nil
}

// set fills every day from..to with n complaints of which ok met the rule.
func (f *fakeRates) set(agency string, m domain.Metric, from, to time.Time, n, ok int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.daily == nil {
		f.daily = map[string][]commitment.DailyCount{}
	}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		f.daily[agency+"/"+string(m)] = append(f.daily[agency+"/"+string(m)], commitment.DailyCount{Date: d, N: n, Successes: ok})
	}
}

type fakeIndex map[string][]commitments.IndexPoint

func (f fakeIndex) IndexPoints(_ context.Context, gov string, _ domain.Metric) ([]commitments.IndexPoint, error) {
	return f[gov], nil
}

func official(year int, v float64) commitments.IndexPoint {
	return commitments.IndexPoint{Year: year, At: time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC), Value: v, Source: domain.SourcePublished}
}

func d(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// at is noon in Jakarta of a date, so "today" is that date.
func at(s string) time.Time { return d(s).Add(5 * time.Hour) }

func ptr(v float64) *float64 { return &v }

type fixture struct {
	svc    *commitments.Service
	acc    *access.Service
	rates  *fakeRates
	index  fakeIndex
	store  *store.Store
	clock  *time.Time
	client *http.Client
}

// catalogOnce loads the catalogue once per store.
var catalogOnce sync.Map

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	now := at("2025-01-01")
	f := &fixture{rates: &fakeRates{level: map[string]float64{}}, index: fakeIndex{}, store: st, clock: &now}
	rec := audit.NewRecorder(st, slog.New(slog.DiscardHandler), time.Now)
	f.acc = access.NewService(st, rec, time.Now)
	ag := agencies.NewService(st, f.acc, rec)
	if _, loaded := catalogOnce.LoadOrStore(st, true); !loaded {
		_, err := ag.LoadCatalog(ctx, access.CLI())
		require.NoError(t, err)
	}
	f.svc = commitments.NewService(st, f.acc, rec, ag, commitments.Options{Now: func() time.Time { return *f.clock },
		RetryBase: time.Minute, MaxAttempts: 3}).WithSources(f.rates, f.index)
	return f
}

func rateCommitment(slug string, value float64, period, deadline string) commitments.Input {
	return commitments.Input{Slug: slug, Title: "Respons LAPOR", SignedOn: commitments.Date{Time: d("2024-12-20")},
		SignatoryName: "Sekda", SignatoryOffice: "Sekretaris Daerah Provinsi Jawa Barat", LeadAgency: "32", Parties: []string{"32.73"},
		Targets: []commitments.TargetInput{{ID: "respons", Metric: "lapor_response_rate", Scope: "single", Baseline: ptr(0.7),
			BaselineAsOf: commitments.Date{Time: d("2024-12-31")}, Value: ptr(value), Direction: "increase",
			MeasurementPeriod: period, Deadline: commitments.Date{Time: d(deadline)}}}}
}

func TestProgressStatuses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		cli := access.CLI()

		// Already achieved: Bandung's 2024 index 4.59 meets 4.5.
		f.index["32.73"] = []commitments.IndexPoint{official(2023, 3.98), official(2024, 4.59)}
		_, err := f.svc.Create(ctx, cli, commitments.Input{Slug: "bandung-spbe", Title: "Indeks SPBE Kota Bandung",
			SignedOn: commitments.Date{Time: d("2024-08-07")}, SignatoryOffice: "Wali Kota Bandung", Parties: []string{"32.73"},
			Targets: []commitments.TargetInput{{ID: "indeks", Metric: "spbe_index", Scope: "single", Baseline: ptr(3.98),
				BaselineAsOf: commitments.Date{Time: d("2023-12-31")}, Value: ptr(4.5), Direction: "increase",
				Deadline: commitments.Date{Time: d("2025-12-31")}}}})
		require.NoError(t, err)

		// Missed: the first quarter's response rate 70 % against 90 %, deadline passed.
		f.rates.set("32.73", domain.MetricLAPORResponseRate, d("2025-01-01"), d("2025-03-31"), 10, 7)
		_, err = f.svc.Create(ctx, cli, rateCommitment("respons-q1", 0.9, "2025-Q1", "2025-03-31"))
		require.NoError(t, err)

		// Zero volume: no complaint at all in the second quarter.
		_, err = f.svc.Create(ctx, cli, rateCommitment("respons-q2", 0.9, "2025-Q2", "2025-06-30"))
		require.NoError(t, err)

		cases := []struct {
			name, slug string
			on         string
			want       domain.CommitmentStatus
			check      func(t *testing.T, tp commitments.TargetProgress)
		}{
			{"index already achieved", "bandung-spbe", "2025-03-01", domain.StatusAchieved, func(t *testing.T, tp commitments.TargetProgress) {
				require.InDelta(t, 4.59, *tp.Evaluation.Current, 1e-9)
				require.Len(t, tp.Official, 2)
				require.NotNil(t, tp.Projection)
				require.Equal(t, commitment.BasisBetweenEvaluations, tp.Projection.Basis)
			}},
			{"rate missed at its deadline", "respons-q1", "2025-04-10", domain.StatusMissed, func(t *testing.T, tp commitments.TargetProgress) {
				require.InDelta(t, 0.7, *tp.Evaluation.Current, 1e-9)
				require.NotNil(t, tp.Budget)
				require.Equal(t, 900, tp.Budget.N)
				require.True(t, tp.Budget.Exhausted, "270 failures exceed the 90 allowed")
			}},
			{"rate on the way, within the quarter", "respons-q1", "2025-02-01", domain.StatusOffTrack, func(t *testing.T, tp commitments.TargetProgress) {
				require.NotNil(t, tp.Budget.BurnRate7)
				require.InDelta(t, 3.0, *tp.Budget.BurnRate7, 1e-9, "30 % failures against a 10 % allowance")
			}},
			{"zero-volume period", "respons-q2", "2025-05-15", domain.StatusNoData, func(t *testing.T, tp commitments.TargetProgress) {
				require.Nil(t, tp.Evaluation.Current)
				require.NotNil(t, tp.Budget)
				require.Zero(t, tp.Budget.N)
				require.Nil(t, tp.Budget.ProjectedN)
				require.Nil(t, tp.Budget.CanAbsorb)
			}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				p, err := f.svc.Progress(ctx, tc.slug, at(tc.on))
				require.NoError(t, err)
				require.Len(t, p.Targets, 1)
				tp := p.Targets[0]
				require.Equal(t, tc.want, tp.Status, tp.Evaluation.Reason)
				require.NotEmpty(t, tp.Rule)
				tc.check(t, tp)
			})
		}
	})
}

func TestRevisionMidPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		// 85 % answered all year.
		f.rates.set("32.73", domain.MetricLAPORResponseRate, d("2025-01-01"), d("2025-12-31"), 20, 17)
		in := rateCommitment("respons-2025", 0.8, "2025", "2025-12-31")
		v1, err := f.svc.Create(ctx, access.CLI(), in)
		require.NoError(t, err)
		require.Equal(t, 1, v1.Version)

		in.Targets[0].Value = ptr(0.95)
		in.EffectiveFrom = commitments.Date{Time: d("2025-07-01")}
		in.ChangeNote = "raised after the mid-year review"
		v2, err := f.svc.Revise(ctx, access.CLI(), "respons-2025", in)
		require.NoError(t, err)
		require.Equal(t, 2, v2.Version)
		require.Equal(t, []string{"target respons value: 0.8 → 0.95"}, v2.Changes)

		versions, err := f.svc.Versions(ctx, "respons-2025")
		require.NoError(t, err)
		require.Len(t, versions, 2)
		require.InDelta(t, 0.8, versions[0].Targets[0].Value, 0, "the old version stays as it was")

		cases := []struct {
			on          string
			wantVersion int
			want        domain.CommitmentStatus
		}{
			{"2025-06-30", 1, domain.StatusAchieved}, // 0.85 ≥ 0.80
			// 0.85 no longer meets 0.95; the path from 0.70 (2024-12-31) to 0.95 reads 0.8247 on 2025-07-01.
			{"2025-07-01", 2, domain.StatusOnTrack},
		}
		for _, tc := range cases {
			t.Run(tc.on, func(t *testing.T) {
				p, err := f.svc.Progress(ctx, "respons-2025", at(tc.on))
				require.NoError(t, err)
				require.Equal(t, tc.wantVersion, p.Commitment.Version)
				require.Equal(t, tc.want, p.Targets[0].Status, p.Targets[0].Evaluation.Reason)
			})
		}

		// Withdrawal: measurement stops from its date, versions stay.
		_, err = f.svc.Withdraw(ctx, access.CLI(), "respons-2025", "replaced", d("2025-09-01"))
		require.NoError(t, err)
		p, err := f.svc.Progress(ctx, "respons-2025", at("2025-09-02"))
		require.NoError(t, err)
		require.True(t, p.Withdrawn)
		p, err = f.svc.Progress(ctx, "respons-2025", at("2025-08-01"))
		require.NoError(t, err)
		require.False(t, p.Withdrawn)
	})
}

func TestGroupAverageAndComputedBaseline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.index["32.01"] = []commitments.IndexPoint{official(2023, 3.0), official(2024, 3.6)}
		f.index["32.02"] = []commitments.IndexPoint{official(2023, 3.5), official(2024, 3.7)}
		f.index["32.73"] = []commitments.IndexPoint{official(2023, 4.0), official(2024, 4.6)}
		in := commitments.Input{Slug: "rata-rata", Title: "Rata-rata", SignedOn: commitments.Date{Time: d("2024-08-07")},
			SignatoryOffice: "Sekda", LeadAgency: "32", Parties: []string{"32", "32.01", "32.02", "32.73"},
			Targets: []commitments.TargetInput{{ID: "rata", Metric: "spbe_index", Scope: "group_average", Parties: []string{"32.01", "32.02", "32.73"},
				BaselineAsOf: commitments.Date{Time: d("2023-12-31")}, Value: ptr(4.0), Direction: "at_least",
				Deadline: commitments.Date{Time: d("2025-12-31")}}}}
		v, err := f.svc.Create(ctx, access.CLI(), in)
		require.NoError(t, err)
		require.InDelta(t, 3.5, v.Targets[0].Baseline, 1e-9, "mean of the 2023 results")
		require.Equal(t, []string{"rata"}, v.ComputedBaselines)

		p, err := f.svc.Progress(ctx, "rata-rata", at("2025-03-01"))
		require.NoError(t, err)
		tp := p.Targets[0]
		require.Len(t, tp.Official, 2)
		require.InDelta(t, 3.5, tp.Official[0].Value, 1e-9)
		require.InDelta(t, 3.9667, tp.Official[1].Value, 1e-4)
		// Path from 3.5 (2023-12-31) to 4.0 (2025-12-31) on 2024-12-31 is 3.75; 3.97 is ahead.
		require.Equal(t, domain.StatusOnTrack, tp.Status, tp.Evaluation.Reason)
		require.NotNil(t, tp.Group)
		require.Equal(t, "32.01", tp.Group.Parties[0].AgencyCode, "the lowest party lifts the average most")
		require.NotNil(t, tp.Projection.ReachesTargetOn)
	})
}

func TestImportIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.index["32"] = []commitments.IndexPoint{official(2023, 4.14)}
		for _, name := range []string{"jabar.json", "jabar.yaml"} {
			t.Run(name, func(t *testing.T) {
				data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "commitments", name))
				require.NoError(t, err)
				format := "json"
				if filepath.Ext(name) == ".yaml" {
					format = "yaml"
				}
				inputs, err := commitments.ParseFile(data, format)
				require.NoError(t, err)
				first, err := f.svc.Import(ctx, access.CLI(), inputs)
				require.NoError(t, err)
				again, err := f.svc.Import(ctx, access.CLI(), inputs)
				require.NoError(t, err)
				for _, r := range again {
					require.Equal(t, "unchanged", r.Outcome, r.Slug)
				}
				require.Len(t, again, len(first))
			})
		}
		versions, err := f.svc.Versions(ctx, "jabar-spbe-2024")
		require.NoError(t, err)
		require.Len(t, versions, 1, "the YAML file says the same as the JSON one")
		require.Len(t, versions[0].Parties, 28)
		require.Equal(t, []string{"indeks-provinsi"}, versions[0].ComputedBaselines)
		require.InDelta(t, 4.14, versions[0].Targets[0].Baseline, 1e-9, "computed from the 2023 result")
		require.Len(t, versions[0].Targets[1].Parties, 27)

		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "commitments", "jabar.json"))
		require.NoError(t, err)
		inputs, err := commitments.ParseFile(data, "json")
		require.NoError(t, err)
		inputs[0].Targets[2].Value = ptr(0.95)
		res, err := f.svc.Import(ctx, access.CLI(), inputs)
		require.NoError(t, err)
		require.Equal(t, "revised", res[0].Outcome)
		require.Equal(t, 2, res[0].Version)
		require.Equal(t, []string{"target respons-lapor value: 0.9 → 0.95"}, res[0].Changes)
	})
}

func TestWritesNeedScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		in := rateCommitment("scope", 0.9, "2025", "2025-12-31")
		_, err := f.svc.Create(ctx, access.Principal{}, in)
		require.ErrorIs(t, err, domain.ErrUnauthorized)
		_, err = f.svc.Create(ctx, access.Principal{TokenID: 9, Role: access.RoleAgency, AgencyCode: "32.73"}, in)
		require.ErrorIs(t, err, domain.ErrForbidden, "Bandung may not sign for the province")
		_, err = f.svc.Create(ctx, access.Principal{TokenID: 9, Role: access.RoleAgency, AgencyCode: "32"}, in)
		require.NoError(t, err)
		_, err = f.svc.Withdraw(ctx, access.Principal{TokenID: 9, Role: access.RoleReader}, "scope", "", time.Time{})
		require.ErrorIs(t, err, domain.ErrForbidden)
	})
}

func TestSnapshotAlertsWebhookWithRetry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		const secret = "a-long-shared-secret"
		var mu sync.Mutex
		var got []commitments.Payload
		calls := 0
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if !commitments.VerifySignature(secret, body, r.Header.Get(commitments.SignatureHeader)) {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			calls++
			if calls == 1 {
				http.Error(w, "try later", http.StatusInternalServerError)
				return
			}
			var p commitments.Payload
			if err := json.Unmarshal(body, &p); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			got = append(got, p)
		}))
		defer recv.Close()

		// On track in January (95 % against 90 %), then a bad February.
		f.rates.set("32.73", domain.MetricLAPORResponseRate, d("2025-01-01"), d("2025-01-31"), 20, 19)
		in := rateCommitment("alerts", 0.9, "2025", "2025-12-31")
		in.Targets[0].Baseline = ptr(0.8)
		_, err := f.svc.Create(ctx, access.CLI(), in)
		require.NoError(t, err)
		_, err = f.svc.Subscribe(ctx, access.CLI(), "alerts", commitments.WebhookInput{URL: recv.URL, Secret: secret})
		require.NoError(t, err)
		_, err = f.svc.Subscribe(ctx, access.CLI(), "alerts", commitments.WebhookInput{URL: "ftp://x", Secret: secret})
		var ve *domain.ValidationError
		require.True(t, errors.As(err, &ve))

		rep, err := f.svc.Snapshot(ctx, at("2025-01-31"))
		require.NoError(t, err)
		require.Equal(t, 1, rep.Snapshots)
		require.Zero(t, rep.Events, "a first snapshot has nothing to change from")

		f.rates.set("32.73", domain.MetricLAPORResponseRate, d("2025-02-01"), d("2025-02-28"), 20, 10)
		now := at("2025-02-28")
		rep, err = f.svc.Snapshot(ctx, now)
		require.NoError(t, err)
		require.Equal(t, 1, rep.Events)
		require.Equal(t, 1, rep.Retrying, "the receiver's 500 is retried")
		rep, err = f.svc.Snapshot(ctx, now)
		require.NoError(t, err)
		require.Zero(t, rep.Events, "re-running a day sends nothing twice")

		// Not yet due: the back-off is one minute.
		dr, err := f.svc.DeliverPending(ctx, now.Add(30*time.Second))
		require.NoError(t, err)
		require.Zero(t, dr.Delivered)
		dr, err = f.svc.DeliverPending(ctx, now.Add(time.Minute))
		require.NoError(t, err)
		require.Equal(t, 1, dr.Delivered)

		require.Len(t, got, 1)
		require.Equal(t, "alerts", got[0].Commitment)
		require.Equal(t, domain.StatusAchieved, got[0].From)
		require.Equal(t, domain.StatusOffTrack, got[0].To)
		require.Equal(t, "32.73", got[0].Party)

		log, err := f.svc.Deliveries(ctx, access.CLI(), "alerts")
		require.NoError(t, err)
		require.Len(t, log, 2)
		require.Equal(t, store.DeliveryRetry, log[0].Outcome)
		require.Equal(t, http.StatusInternalServerError, log[0].StatusCode)
		require.NotNil(t, log[0].NextRetryAt)
		require.Equal(t, store.DeliveryDelivered, log[1].Outcome)
		require.Equal(t, 2, log[1].Attempt)

		series, err := f.svc.Series(ctx, "alerts", "respons")
		require.NoError(t, err)
		require.Len(t, series, 2)
		events, err := f.svc.Events(ctx, "alerts", 0)
		require.NoError(t, err)
		require.Len(t, events, 1)
	})
}

func TestSignature(t *testing.T) {
	body := []byte(`{"a":1}`)
	sig := commitments.Sign("k", body)
	// HMAC-SHA256("k", `{"a":1}`), computed independently with openssl.
	require.Equal(t, "sha256=c3a92ff9e274cdcce27a58c15a78ec6dcbbdbd0038a87e7a11baef2028fd8bff", sig)
	require.True(t, commitments.VerifySignature("k", body, sig))
	require.False(t, commitments.VerifySignature("other", body, sig))
	require.False(t, commitments.VerifySignature("k", []byte(`{"a":2}`), sig))
}
