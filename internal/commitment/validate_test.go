package commitment

import (
	"errors"
	"slices"
	"testing"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// seed is shaped like the Jawa Barat commitment of design §3.6 (province index
// 4.14 → 4.5, regency/city average 3.38 → 3.8, response rate up). Document
// details are placeholders, not the real decree.
func seed() domain.Commitment {
	kabkota := []string{"32.01", "32.02", "32.03"}
	return domain.Commitment{
		ID: "jabar-spbe", Version: 1, EffectiveFrom: d("2024-02-01"), Title: "Komitmen peningkatan SPBE dan layanan pengaduan",
		SignedOn: d("2024-02-01"), SignatoryName: "Example Signatory", SignatoryOffice: "Sekretaris Daerah Provinsi Jawa Barat",
		Parties: append([]string{"32"}, kabkota...),
		Targets: []domain.Target{
			{ID: "prov-index", Metric: domain.MetricSPBEIndex, Scope: domain.ScopeSingle, Parties: []string{"32"},
				Baseline: 4.14, BaselineAsOf: d("2023-12-31"), Value: 4.5, Direction: domain.DirectionIncrease, Deadline: d("2025-12-31")},
			{ID: "kabkota-average", Metric: domain.MetricSPBEIndex, Scope: domain.ScopeGroupAverage, Parties: kabkota,
				Baseline: 3.38, BaselineAsOf: d("2023-12-31"), Value: 3.8, Direction: domain.DirectionIncrease, Deadline: d("2025-12-31")},
			{ID: "response", Metric: domain.MetricLAPORResponseRate, Scope: domain.ScopeEachParty,
				Baseline: 0.6, BaselineAsOf: d("2023-12-31"), Value: 0.9, Direction: domain.DirectionIncrease,
				MeasurementPeriod: "2025", Deadline: d("2025-12-31")},
			{ID: "fast-first-response", Metric: domain.MetricFirstResponseOnTime, Scope: domain.ScopeEachParty,
				Baseline: 0.5, BaselineAsOf: d("2023-12-31"), Value: 0.8, Direction: domain.DirectionIncrease,
				MeasurementPeriod: "rolling90", Deadline: d("2025-12-31"), WorkingDayLimit: 3},
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name       string
		mutate     func(*domain.Commitment)
		wantFields []string
	}{
		{name: "seed is valid", mutate: func(*domain.Commitment) {}},
		{name: "missing header", mutate: func(c *domain.Commitment) {
			c.ID, c.Version, c.Title, c.SignatoryOffice = "", 0, "", ""
		}, wantFields: []string{"id", "version", "title", "signatory_office"}},
		{name: "no parties or targets", mutate: func(c *domain.Commitment) {
			c.Parties, c.Targets = nil, nil
		}, wantFields: []string{"parties", "targets"}},
		{name: "bad target enums", mutate: func(c *domain.Commitment) {
			c.Targets[0].Metric, c.Targets[0].Scope, c.Targets[0].Direction = "index", "all", "up"
		}, wantFields: []string{"targets[0].metric", "targets[0].scope", "targets[0].direction"}},
		{name: "rate above one", mutate: func(c *domain.Commitment) {
			c.Targets[2].Value = 90
		}, wantFields: []string{"targets[2].value"}},
		{name: "deadline before baseline", mutate: func(c *domain.Commitment) {
			c.Targets[1].Deadline = d("2023-06-30")
		}, wantFields: []string{"targets[1].deadline"}},
		{name: "single scope over many parties", mutate: func(c *domain.Commitment) {
			c.Targets[0].Parties = nil
		}, wantFields: []string{"targets[0].parties"}},
		{name: "party outside the commitment", mutate: func(c *domain.Commitment) {
			c.Targets[1].Parties = []string{"32.01", "33.01"}
		}, wantFields: []string{"targets[1].parties"}},
		{name: "duplicate target id and bad period", mutate: func(c *domain.Commitment) {
			c.Targets[3].ID = "response"
			c.Targets[3].MeasurementPeriod = "2025-W01"
		}, wantFields: []string{"targets[3].id", "targets[3].measurement_period"}},
		{name: "working-day limit on an index", mutate: func(c *domain.Commitment) {
			c.Targets[0].WorkingDayLimit = 5
		}, wantFields: []string{"targets[0].working_day_limit"}},
		{name: "spbe domain metric is accepted", mutate: func(c *domain.Commitment) {
			c.Targets[0].Metric = "spbe_domain:D4"
		}},
		{name: "empty spbe domain code", mutate: func(c *domain.Commitment) {
			c.Targets[0].Metric = "spbe_domain:"
		}, wantFields: []string{"targets[0].metric"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := seed()
			tt.mutate(&c)
			err := Validate(c)
			if len(tt.wantFields) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var ve *domain.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("got %v, want a validation error", err)
			}
			var fields []string
			for _, fe := range ve.Details {
				fields = append(fields, fe.Field)
			}
			for _, w := range tt.wantFields {
				if !slices.Contains(fields, w) {
					t.Errorf("fields %v lack %q", fields, w)
				}
			}
		})
	}
}

func TestMetricAndDirection(t *testing.T) {
	kinds := map[domain.Metric]domain.MetricKind{
		domain.MetricLAPORResponseRate: domain.MetricKindRate, domain.MetricFirstResponseOnTime: domain.MetricKindRate,
		domain.MetricCompletionOnTime: domain.MetricKindRate, domain.MetricSPBEIndex: domain.MetricKindLevel,
		"spbe_domain:D2": domain.MetricKindLevel, domain.MetricMedianFirstResponseDays: domain.MetricKindLevel,
		domain.MetricOverdueOpen: domain.MetricKindLevel,
	}
	for m, want := range kinds {
		if !m.Valid() || m.Kind() != want {
			t.Errorf("%s: valid %v kind %s, want valid %s", m, m.Valid(), m.Kind(), want)
		}
	}
	if code, ok := domain.Metric("spbe_domain:D2").SPBEDomain(); !ok || code != "D2" {
		t.Errorf("SPBEDomain = %q, %v", code, ok)
	}
	for in, want := range map[string]domain.Direction{"increase": domain.DirectionIncrease, "AT_LEAST": domain.DirectionIncrease,
		"decrease": domain.DirectionDecrease, " at_most ": domain.DirectionDecrease, "up": ""} {
		if got, ok := domain.ParseDirection(in); got != want || ok != (want != "") {
			t.Errorf("ParseDirection(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
