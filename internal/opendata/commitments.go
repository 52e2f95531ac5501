package opendata

import (
	"context"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/store"
)

func commitmentsDataset() Dataset {
	return Dataset{
		Name: DatasetCommitments, TitleID: "Komitmen yang ditandatangani, target dan capaiannya", TitleEN: "Signed commitments, their targets and snapshots",
		DescriptionID: "Satu baris per potret harian target komitmen (per pihak, atau kelompok bila pihak kosong), dengan dokumen komitmen dan versi target yang diukur. Target tanpa potret muncul sekali dengan kolom potret kosong.",
		DescriptionEN: "One row per daily snapshot of a commitment target (per party, or the group when party is empty), with the commitment document and the target version it measured. A target without snapshots appears once with empty snapshot columns.",
		Licence:       CCBY, Attribution: "Commitment documents: the signing governments; measurements: Tanggap",
		Formats: []Format{CSV, JSON, NDJSON}, Filters: allPeriod,
		PeriodOn: "snapshot_on (targets without snapshots are kept)",
		Notes: []string{"government keeps commitments where that agency is a party (in any version) or the lead agency; it is not a subtree filter.",
			"Every version of a commitment is listed: a revision keeps the old targets, each snapshot names the version it measured.",
			"Signatories are public officials acting in office; no complainant data is in this dataset.", periodWIB},
		Fields: []Field{
			f("commitment", TypeString, "Commitment id (slug)", "Id komitmen"),
			f("version", TypeInteger, "Version of the commitment", "Versi komitmen"),
			f("state", TypeString, "active or withdrawn", "active atau withdrawn"),
			f("effective_from", TypeDate, "Date the version takes effect", "Tanggal versi berlaku"),
			freeText(f("title", TypeString, "Title of the signed document", "Judul dokumen")),
			nullable(f("number", TypeString, "Document number", "Nomor dokumen")),
			f("signed_on", TypeDate, "Date signed", "Tanggal penandatanganan"),
			nullable(freeText(f("signatory_name", TypeString, "Signatory (a public official)", "Penanda tangan (pejabat publik)"))),
			freeText(f("signatory_office", TypeString, "Signatory's office", "Jabatan penanda tangan")),
			nullable(f("document_url", TypeString, "Link to the document", "Tautan dokumen")),
			f("lead_agency", TypeString, "Agency code of the signing office", "Kode instansi penanda tangan"),
			f("parties", TypeString, "Party agency codes, space-separated", "Kode instansi para pihak, dipisah spasi"),
			f("target", TypeString, "Target id (stable across versions)", "Id target"),
			f("metric", TypeString, "spbe_index, spbe_domain:<code>, lapor_response_rate, first_response_on_time, completion_on_time, median_first_response_days or overdue_open", "Metrik target"),
			f("scope", TypeString, "each_party, group_average, group_total or single", "Cakupan target"),
			f("target_parties", TypeString, "Parties this target applies to, space-separated", "Pihak yang dikenai target, dipisah spasi"),
			f("baseline", TypeNumber, "Baseline value", "Nilai awal"),
			f("baseline_as_of", TypeDate, "Date of the baseline", "Tanggal nilai awal"),
			f("target_value", TypeNumber, "Target value", "Nilai target"),
			f("direction", TypeString, "increase, decrease, at_least or at_most", "Arah target"),
			nullable(f("measurement_period", TypeString, "Period rates are measured over (e.g. 2025)", "Periode pengukuran")),
			f("deadline", TypeDate, "Deadline", "Tenggat"),
			nullable(f("working_day_limit", TypeInteger, "The target's own working-day limit, if stricter than the legal one", "Batas hari kerja target sendiri")),
			nullable(f("snapshot_on", TypeDate, "Day of the snapshot", "Tanggal potret")),
			nullable(f("snapshot_party", TypeString, "Party measured; empty for the group's row", "Pihak yang diukur; kosong untuk kelompok")),
			nullable(f("value", TypeNumber, "Value measured that day; null without data", "Nilai terukur hari itu")),
			nullable(f("n", TypeInteger, "Complaints or clocks behind a rate", "Jumlah pengaduan atau jam di balik rasio")),
			nullable(f("status", TypeString, "achieved, on_track, at_risk, off_track, missed or no_data", "Status")),
			nullable(f("reason", TypeString, "Why the status (the rule applied)", "Alasan status")),
			nullable(f("budget", TypeObject, "Error budget of a rate target (late or unanswered complaints the period can still absorb, burn rates)", "Anggaran galat target rasio")),
			nullable(f("projection", TypeObject, "Trend projection of a level target", "Proyeksi tren target tingkat")),
			nullable(f("taken_at", TypeDateTime, "When the snapshot was taken", "Waktu potret diambil")),
		},
	}
}

// commitmentRows streams every commitment version's targets with their
// snapshots; commitments are few, each is read with its snapshots at once.
func (e *Export) commitmentRows(ctx context.Context, enc encoder, vals []any) error {
	st := e.svc.store
	list, err := st.ListCommitments(ctx, store.CommitmentFilter{Party: e.q.Government, IncludeWithdrawn: true})
	if err != nil {
		return err
	}
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	for _, versions := range list {
		if len(versions) == 0 {
			continue
		}
		snaps, err := st.CommitmentSnapshots(ctx, versions[0].ID, "")
		if err != nil {
			return err
		}
		for _, v := range versions {
			for _, t := range v.Targets {
				head := append(vals[:0], v.ID, v.Version, string(v.State), day(v.EffectiveFrom), v.Title, emptyNil(v.Number), day(v.SignedOn),
					emptyNil(v.SignatoryName), v.SignatoryOffice, emptyNil(v.DocumentURL), v.LeadAgency, strings.Join(v.Parties, " "),
					t.ID, string(t.Metric), string(t.Scope), strings.Join(v.TargetParties(t), " "), t.Baseline, day(t.BaselineAsOf),
					t.Value, string(t.Direction), emptyNil(t.MeasurementPeriod), day(t.Deadline), zeroNil(t.WorkingDayLimit))
				n := len(head)
				wrote := false
				for _, sn := range snaps {
					if sn.Version != v.Version || sn.Target != t.ID || !e.inPeriod(sn.On) {
						continue
					}
					row := append(head[:n], day(sn.On), emptyNil(sn.Party), floatOrNil(sn.Value), zeroNil(sn.N), string(sn.Status),
						emptyNil(sn.Reason), rawOrNil(sn.Budget), rawOrNil(sn.Projection), sn.TakenAt.UTC().Truncate(time.Second))
					if err := enc.row(row); err != nil {
						return err
					}
					wrote = true
				}
				if !wrote {
					if err := enc.row(append(head[:n], nil, nil, nil, nil, nil, nil, nil, nil, nil)); err != nil {
						return err
					}
				}
				vals = head
			}
		}
	}
	return nil
}

// inPeriod applies the from/to filter to a civil date.
func (e *Export) inPeriod(d time.Time) bool {
	s := d.Format(time.DateOnly)
	return (e.q.From == nil || s >= e.q.From.String()) && (e.q.To == nil || s <= e.q.To.String())
}

func zeroNil(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func rawOrNil(b []byte) any {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	return Raw(b)
}
