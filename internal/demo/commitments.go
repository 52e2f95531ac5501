package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/commitments"
)

func date(s string) commitments.Date {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return commitments.Date{Time: t}
}

func num(v float64) *float64 { return &v }

// jabarKabKota selects the 27 regencies/cities of Jawa Barat.
var jabarKabKota = commitments.PartySelector{Parent: JawaBarat, Kinds: []string{"kabupaten", "kota"}}

// SeedCommitments are the demo's commitments. The index figures are the
// signed ones (design §3.6), equal to the published 2023 results; deadlines
// are the 2025 evaluation. The signing date of Kalimantan Timur's and the
// 90 % level of the LAPOR target are not in the sources and are demo
// assumptions; the LAPOR baseline is computed from the complaint data.
func SeedCommitments(withLAPOR bool) []commitments.Input {
	jabar := commitments.Input{
		Slug:            "jabar-spbe-2024",
		Title:           "Komitmen bersama peningkatan indeks SPBE dan layanan pengaduan SP4N-LAPOR! di Jawa Barat",
		SignedOn:        date("2024-08-07"),
		SignatoryOffice: "Sekretaris Daerah Provinsi Jawa Barat",
		LeadAgency:      JawaBarat,
		Parties:         []string{JawaBarat},
		PartiesUnder:    []commitments.PartySelector{jabarKabKota},
		Targets: []commitments.TargetInput{
			{ID: "indeks-provinsi", Metric: "spbe_index", Scope: "single", Parties: []string{JawaBarat}, Baseline: num(4.14),
				BaselineAsOf: date("2023-12-31"), Value: num(4.5), Direction: "increase", Deadline: date("2025-12-31")},
			{ID: "rata-rata-kabkota", Metric: "spbe_index", Scope: "group_average", PartiesUnder: &jabarKabKota, Baseline: num(3.38),
				BaselineAsOf: date("2023-12-31"), Value: num(3.8), Direction: "increase", Deadline: date("2025-12-31")},
		},
	}
	if withLAPOR {
		jabar.Targets = append(jabar.Targets, commitments.TargetInput{ID: "respons-lapor", Metric: "lapor_response_rate", Scope: "each_party",
			BaselineAsOf: date("2024-08-07"), Value: num(0.9), Direction: "increase", MeasurementPeriod: "2025", Deadline: date("2025-12-31")})
	}
	return []commitments.Input{
		jabar,
		{Slug: "bandung-spbe-2024", Title: "Peningkatan indeks SPBE Kota Bandung", SignedOn: date("2024-08-07"),
			SignatoryOffice: "Sekretaris Daerah Kota Bandung", LeadAgency: "32.73", Parties: []string{"32.73"},
			Targets: []commitments.TargetInput{{ID: "indeks", Metric: "spbe_index", Scope: "single", Baseline: num(3.98),
				BaselineAsOf: date("2023-12-31"), Value: num(4.5), Direction: "increase", Deadline: date("2025-12-31")}}},
		{Slug: "kaltim-spbe-2024", Title: "Indeks SPBE Provinsi Kalimantan Timur sekurang-kurangnya 3", SignedOn: date("2024-01-02"),
			SignatoryOffice: "Sekretaris Daerah Provinsi Kalimantan Timur", LeadAgency: "64", Parties: []string{"64"},
			ChangeNote: "Tanggal penandatanganan tidak tercantum dalam sumber; tanggal demo.",
			Targets: []commitments.TargetInput{{ID: "indeks", Metric: "spbe_index", Scope: "single", Baseline: num(2.91),
				BaselineAsOf: date("2023-12-31"), Value: num(3), Direction: "at_least", Deadline: date("2025-12-31")}}},
	}
}

// seedCommitments imports the seed commitments (unchanged on a second run)
// and takes today's snapshot.
func seedCommitments(ctx context.Context, d Deps) (string, error) {
	if d.Commitments == nil {
		return "skipped (no commitments service)", nil
	}
	res, err := d.Commitments.Import(ctx, access.CLI(), SeedCommitments(d.Commitments.HasRateSource()))
	if err != nil {
		return "", err
	}
	var parts []string
	for _, r := range res {
		parts = append(parts, r.Slug+" "+r.Outcome)
	}
	rep, err := d.Commitments.Snapshot(ctx, time.Now())
	if err != nil {
		return "", err
	}
	note := ""
	if !d.Commitments.HasRateSource() {
		note = "; LAPOR target left out: no complaint-metrics source"
	}
	return fmt.Sprintf("%s; %d snapshots%s", strings.Join(parts, ", "), rep.Snapshots, note), nil
}
