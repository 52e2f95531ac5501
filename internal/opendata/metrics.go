package opendata

import (
	"context"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/stats"
	"github.com/tanggap-id/tanggap/internal/store"
)

// metricsAgencyBatch is how many agencies' roll-up rows one query reads.
const metricsAgencyBatch = 200

func metricsDataset() Dataset {
	rate := func(name, en, id string) Field {
		return nullable(f(name, TypeNumber, en+"; null below min_n", id+"; kosong bila n di bawah min_n"))
	}
	return Dataset{
		Name: DatasetMetrics, TitleID: "Kinerja penanganan pengaduan per instansi dan periode", TitleEN: "Complaint-handling metrics per agency and period",
		DescriptionID: "Angka roll-up yang juga ditampilkan halaman publik: per instansi, periode (bulan, triwulan, tahun, 90 hari terakhir) dan cakupan (instansi sendiri atau seluruh unit di bawahnya), dengan hitungan di balik setiap rasio.",
		DescriptionEN: "The roll-up figures the public pages show: per agency, period (month, quarter, year, last 90 days) and scope (the agency's own complaints or its whole subtree), with the counts behind every rate.",
		Licence:       CCBY, Attribution: attrTanggap, Formats: []Format{CSV, JSON, NDJSON}, Filters: allPeriod,
		PeriodOn: "the row's period (rows whose period overlaps from..to)",
		Notes: []string{noReporter, "Counts only: no complaint, reporter or confidential content. Definitions: the methodology page (package metrics).",
			"Rates are null below min_n complaints (insufficient data), never shown as 0 or 1.",
			"government keeps the agency and every unit beneath it.", periodWIB},
		Fields: []Field{
			f("agency_code", TypeString, "Agency code", "Kode instansi"),
			f("agency_name", TypeString, "Agency name", "Nama instansi"),
			f("government_code", TypeString, "Government the agency belongs to", "Pemerintah induk instansi"),
			f("scope", TypeString, "own (the agency's own complaints) or subtree (with every unit beneath it)", "own (pengaduan instansi sendiri) atau subtree (termasuk semua unit di bawahnya)"),
			f("period", TypeString, "Period key: YYYY-MM, YYYY-Qn, YYYY or rolling90", "Kunci periode: YYYY-MM, YYYY-Qn, YYYY atau rolling90"),
			f("period_kind", TypeString, "month, quarter, year or rolling90", "month, quarter, year atau rolling90"),
			f("period_start", TypeDate, "First day of the period (agency's local dates)", "Hari pertama periode (tanggal lokal instansi)"),
			f("period_end", TypeDate, "Last day of the period, inclusive", "Hari terakhir periode (termasuk)"),
			f("received", TypeInteger, "Complaints that reached the agency in the period (assigned or forwarded in)", "Pengaduan yang diterima instansi pada periode (disposisi atau limpahan masuk)"),
			f("forwarded_out", TypeInteger, "Of those, passed on to another agency", "Di antaranya dilimpahkan ke instansi lain"),
			f("rejected", TypeInteger, "Of those, rejected", "Di antaranya ditolak"),
			f("assigned", TypeInteger, "received − forwarded_out − rejected: the response rate's denominator", "diterima − dilimpahkan − ditolak: penyebut tingkat tanggapan"),
			f("responded", TypeInteger, "Assigned complaints with a public response by the agency", "Pengaduan dengan tanggapan publik instansi"),
			f("completed", TypeInteger, "Assigned complaints completed", "Pengaduan yang diselesaikan"),
			rate("response_rate", "responded ÷ assigned", "ditanggapi ÷ ditugaskan"),
			f("first_response_due", TypeInteger, "First-response clocks due in the period (deadline cohort): met, breached or overdue", "Jam tanggapan pertama yang jatuh tempo pada periode"),
			f("first_response_on_time", TypeInteger, "Of those, met", "Di antaranya tepat waktu"),
			f("first_response_open_overdue", TypeInteger, "Of those, still running past the deadline", "Di antaranya masih berjalan melewati tenggat"),
			f("first_response_pending", TypeInteger, "Running clocks due in the period, not yet due (outside n)", "Jam berjalan yang belum jatuh tempo (di luar n)"),
			rate("first_response_on_time_rate", "first_response_on_time ÷ first_response_due", "tepat waktu ÷ jatuh tempo"),
			f("completion_due", TypeInteger, "Completion clocks due in the period", "Jam penyelesaian yang jatuh tempo pada periode"),
			f("completion_on_time", TypeInteger, "Of those, met", "Di antaranya tepat waktu"),
			f("completion_open_overdue", TypeInteger, "Of those, still running past the deadline", "Di antaranya masih berjalan melewati tenggat"),
			f("completion_pending", TypeInteger, "Running clocks due in the period, not yet due (outside n)", "Jam berjalan yang belum jatuh tempo (di luar n)"),
			rate("completion_on_time_rate", "completion_on_time ÷ completion_due", "tepat waktu ÷ jatuh tempo"),
			f("first_response_days_n", TypeInteger, "First responses given in the period", "Tanggapan pertama yang diberikan pada periode"),
			nullable(f("first_response_days_median", TypeNumber, "Median working days to first response; null below min_n", "Median hari kerja sampai tanggapan pertama; kosong bila n di bawah min_n")),
			nullable(f("first_response_days_p90", TypeInteger, "90th percentile (nearest rank); null below min_n", "Persentil ke-90; kosong bila n di bawah min_n")),
			f("completion_days_n", TypeInteger, "Completions in the period", "Penyelesaian pada periode"),
			nullable(f("completion_days_median", TypeNumber, "Median working days to completion; null below min_n", "Median hari kerja sampai selesai; kosong bila n di bawah min_n")),
			nullable(f("completion_days_p90", TypeInteger, "90th percentile (nearest rank); null below min_n", "Persentil ke-90; kosong bila n di bawah min_n")),
			f("min_n", TypeInteger, "Smallest n for which a rate or median is published", "n terkecil agar rasio atau median dipublikasikan"),
			f("updated_at", TypeDateTime, "When the row was last refreshed", "Waktu baris terakhir diperbarui"),
		},
	}
}

// metricsRows streams the stored roll-up rows, a batch of agencies at a time.
func (e *Export) metricsRows(ctx context.Context, enc encoder, vals []any) error {
	st := e.svc.store
	agencies, err := st.RollupAgencies(ctx)
	if err != nil {
		return err
	}
	prefix := ""
	if e.q.Government != "" {
		g, err := st.RollupAgencyByCodes(ctx, []string{e.q.Government})
		if err != nil {
			return err
		}
		if len(g) == 1 {
			prefix = g[0].Path
		}
	}
	byID := map[int64]store.RollupAgency{}
	var ids []int64
	for _, a := range agencies {
		if strings.HasPrefix(a.Path, prefix) {
			byID[a.ID] = a
			ids = append(ids, a.ID)
		}
	}
	from, to := "", "9999-12-31"
	if e.q.From != nil {
		from = e.q.From.String()
	}
	if e.q.To != nil {
		to = e.q.To.String()
	}
	minN := stats.DefaultMinN
	for len(ids) > 0 {
		batch := ids[:min(metricsAgencyBatch, len(ids))]
		ids = ids[len(batch):]
		rows, err := st.Rollups(ctx, store.RollupFilter{AgencyIDs: batch})
		if err != nil {
			return err
		}
		for i := range rows {
			r := &rows[i]
			if r.PeriodEnd < from || r.PeriodStart > to { // ISO dates compare as text
				continue
			}
			a := byID[r.AgencyID]
			c := r.Counts
			fr, cp := r.FirstResponseDays.Summary(minN), r.CompletionDays.Summary(minN)
			vals = append(vals[:0], a.Code, a.Name, a.GovernmentCode, r.Scope, r.PeriodKey, string(r.PeriodKind), r.PeriodStart, r.PeriodEnd,
				c.Received, c.ForwardedOut, c.Rejected, c.Assigned, c.Responded, c.Completed, rateValue(c.Responded, c.Assigned, minN),
				c.FRDue, c.FROnTime, c.FROpenOverdue, c.FRPending, rateValue(c.FROnTime, c.FRDue, minN),
				c.CPDue, c.CPOnTime, c.CPOpenOverdue, c.CPPending, rateValue(c.CPOnTime, c.CPDue, minN),
				r.FirstResponseDays.N(), floatOrNil(fr.Median), intOrNil(fr.P90),
				r.CompletionDays.N(), floatOrNil(cp.Median), intOrNil(cp.P90), minN, r.UpdatedAt.UTC().Truncate(time.Second))
			if err := enc.row(vals); err != nil {
				return err
			}
		}
	}
	return nil
}

// rateValue is the published rate: null below minN, as on the pages.
func rateValue(num, den int64, minN int) any {
	r := stats.NewRate(int(num), int(den), minN)
	if r.Value == nil {
		return nil
	}
	return *r.Value
}

func floatOrNil(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func intOrNil(v *int) any {
	if v == nil {
		return nil
	}
	return *v
}
