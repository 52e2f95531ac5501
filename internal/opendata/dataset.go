// Package opendata publishes Tanggap's data as downloads: CSV, JSON and
// NDJSON exports streamed page by page from the store (memory stays flat at
// any size), an iCalendar feed of the holidays, and for every dataset its
// licence and data dictionary. No export carries reporter data; confidential
// complaints appear only in counts.
package opendata

import "github.com/tanggap-id/tanggap/internal/domain"

// FieldType is a dictionary type.
type FieldType string

const (
	TypeString   FieldType = "string"
	TypeInteger  FieldType = "integer"
	TypeNumber   FieldType = "number"
	TypeBoolean  FieldType = "boolean"
	TypeDateTime FieldType = "datetime" // RFC 3339 with the offset of the agency's zone
	TypeDate     FieldType = "date"     // YYYY-MM-DD
	TypeMonth    FieldType = "month"    // YYYY-MM
	TypeObject   FieldType = "object"   // JSON object (CSV: its JSON text)
)

// Field is one column of a dataset and what it means.
type Field struct {
	Name      string    `json:"name"`
	Type      FieldType `json:"type"`
	Nullable  bool      `json:"nullable,omitempty"`
	Meaning   string    `json:"meaning"`
	MeaningID string    `json:"meaning_id"`
	// FreeText marks citizen-written text: CSV guards it against formulas.
	FreeText bool `json:"free_text,omitempty"`
}

// Licence is a dataset's licence.
type Licence struct {
	ID   string `json:"id"` // SPDX identifier
	Name string `json:"name"`
	URL  string `json:"url"`
}

var (
	// CCBY is Tanggap's own data and derived statistics: reuse with credit.
	CCBY = Licence{ID: "CC-BY-4.0", Name: "Creative Commons Attribution 4.0 International", URL: "https://creativecommons.org/licenses/by/4.0/"}
	// ODbL covers region codes and names from idn-area-data (share-alike).
	ODbL = Licence{ID: "ODbL-1.0", Name: "Open Data Commons Open Database License 1.0", URL: "https://opendatacommons.org/licenses/odbl/1-0/"}
	// CC0 is for facts from official decrees, which carry no copyright
	// (UU 28/2014 on copyright, art. 42).
	CC0 = Licence{ID: "CC0-1.0", Name: "Creative Commons Zero 1.0 Universal", URL: "https://creativecommons.org/publicdomain/zero/1.0/"}
)

// Filter names a query parameter a dataset accepts.
type Filter string

const (
	FilterGovernment Filter = "government" // agency code: that agency and its subtree
	FilterFrom       Filter = "from"       // YYYY-MM-DD, inclusive (WIB)
	FilterTo         Filter = "to"         // YYYY-MM-DD, inclusive (WIB)
)

// Dataset describes one export.
type Dataset struct {
	Name          string   `json:"dataset"`
	TitleID       string   `json:"title_id"`
	TitleEN       string   `json:"title_en"`
	DescriptionID string   `json:"description_id"`
	DescriptionEN string   `json:"description_en"`
	Licence       Licence  `json:"licence"`
	Attribution   string   `json:"attribution"`
	Formats       []Format `json:"formats"`
	Filters       []Filter `json:"filters"`
	// PeriodOn says which time the period filter applies to.
	PeriodOn string   `json:"period_on,omitempty"`
	Notes    []string `json:"notes,omitempty"`
	Fields   []Field  `json:"fields"`
	// Large datasets are offered as NDJSON first.
	Large bool `json:"large,omitempty"`
}

// Has reports whether the dataset is offered in format f.
func (d *Dataset) Has(f Format) bool {
	for _, x := range d.Formats {
		if x == f {
			return true
		}
	}
	return false
}

// Accepts reports whether the dataset takes filter f.
func (d *Dataset) Accepts(f Filter) bool {
	for _, x := range d.Filters {
		if x == f {
			return true
		}
	}
	return false
}

// Dataset names.
const (
	DatasetComplaints      = "complaints"
	DatasetClocks          = "complaint-clocks"
	DatasetComplaintCounts = "complaint-counts"
	DatasetHolidays        = "holidays"
	DatasetSPBE            = "spbe-index"
	DatasetMetrics         = "metrics"
	DatasetCommitments     = "commitments"
)

const (
	attrTanggap = "Tanggap (tanggap.id), from SP4N-LAPOR! complaint records; region codes and names © idn-area-data by fityannugroho (ODbL 1.0)"
	noReporter  = "No reporter name, contact or identity is ever exported."
	noConfid    = "Confidential (rahasia) complaints are left out row by row; they are counted in the complaint-counts dataset."
	periodWIB   = "from/to are calendar dates read in WIB (Asia/Jakarta); to is inclusive."
)

var allPeriod = []Filter{FilterGovernment, FilterFrom, FilterTo}

func f(name string, t FieldType, en, id string) Field {
	return Field{Name: name, Type: t, Meaning: en, MeaningID: id}
}

func nullable(fl Field) Field { fl.Nullable = true; return fl }

func freeText(fl Field) Field { fl.FreeText = true; return fl }

// clockColumns are the per-kind columns of the complaints dataset: the
// complaint's current clock of that kind (latest cycle, latest start).
func clockColumns() []Field {
	names := map[domain.ClockKind][2]string{
		domain.ClockVerification:  {"verification", "verifikasi"},
		domain.ClockFirstResponse: {"first response", "tanggapan pertama"},
		domain.ClockCompletion:    {"completion", "penyelesaian"},
	}
	var out []Field
	for _, k := range domain.ClockKinds {
		en, id := names[k][0], names[k][1]
		p := string(k) + "_"
		out = append(out,
			nullable(f(p+"agency_code", TypeString, "Agency whose "+en+" clock this is (current cycle)", "Instansi pemilik jam "+id+" (siklus terakhir)")),
			nullable(f(p+"limit_days", TypeInteger, "Legal limit of the "+en+" clock in working days", "Batas waktu "+id+" dalam hari kerja")),
			nullable(f(p+"due_at", TypeDateTime, "Deadline of the "+en+" clock (end of the last allowed working day, pauses added)", "Tenggat "+id+" (akhir hari kerja terakhir, termasuk jeda)")),
			nullable(f(p+"stopped_at", TypeDateTime, "When the "+en+" clock stopped; null while it runs", "Waktu jam "+id+" berhenti; kosong selama berjalan")),
			nullable(f(p+"working_days_used", TypeInteger, "Working days used so far or until the stop, pauses excluded", "Hari kerja terpakai (tanpa jeda)")),
			nullable(f(p+"verdict", TypeString, "open, at_risk, overdue, met or breached", "open, at_risk, overdue, met atau breached")),
		)
	}
	return out
}

func catalogue() []Dataset {
	complaintFields := []Field{
		f("source", TypeString, "Source system of the complaint (lapor)", "Sistem asal pengaduan (lapor)"),
		f("tracking_id", TypeString, "Tracking number in the source system", "Nomor pelacakan di sistem asal"),
		f("report_type", TypeString, "aspirasi, pengaduan or permintaan_informasi", "aspirasi, pengaduan atau permintaan_informasi"),
		f("category", TypeString, "Report category as given by the source", "Kategori laporan dari sistem asal"),
		f("channel", TypeString, "Submission channel (web, mobile, sms, ...)", "Kanal pengiriman (web, mobile, sms, ...)"),
		f("submitted_at", TypeDateTime, "When the complaint was submitted", "Waktu laporan dikirim"),
		f("agency_code", TypeString, "Code of the agency the complaint is assigned to", "Kode instansi yang menangani"),
		f("agency_name", TypeString, "Name of that agency", "Nama instansi tersebut"),
		f("government_code", TypeString, "Government (province, regency/city, ministry) the agency belongs to", "Pemerintah (provinsi, kabupaten/kota, kementerian) induk instansi"),
		f("region_code", TypeString, "Kemendagri region code of the complaint, when known", "Kode wilayah Kemendagri, bila diketahui"),
		f("time_zone", TypeString, "IANA zone of the agency; every time is written with its offset", "Zona waktu instansi; semua waktu ditulis dengan offset-nya"),
		f("anonymous", TypeBoolean, "The reporter chose to stay anonymous (no identity is exported either way)", "Pelapor memilih anonim (identitas tidak pernah diekspor)"),
		freeText(f("title", TypeString, "Public title", "Judul publik")),
		freeText(f("summary", TypeString, "Public summary", "Ringkasan publik")),
		nullable(f("verified_at", TypeDateTime, "First verification", "Waktu verifikasi pertama")),
		nullable(f("first_response_at", TypeDateTime, "First public response (tindak lanjut)", "Tanggapan publik pertama (tindak lanjut)")),
		nullable(f("completed_at", TypeDateTime, "First completion (selesai)", "Waktu selesai pertama")),
		nullable(f("rejected_at", TypeDateTime, "Rejection, if rejected", "Waktu ditolak, bila ditolak")),
		nullable(f("closed_at", TypeDateTime, "Archiving, if archived", "Waktu diarsipkan, bila diarsipkan")),
		f("cycles", TypeInteger, "Number of cycles (1, plus one per reopening)", "Jumlah siklus (1, tambah satu tiap dibuka kembali)"),
	}
	complaintFields = append(complaintFields, clockColumns()...)
	complaintFields = append(complaintFields, f("updated_at", TypeDateTime, "When Tanggap last changed the record", "Waktu terakhir data diubah di Tanggap"))

	return []Dataset{
		{
			Name: DatasetComplaints, TitleID: "Pengaduan dan tenggatnya", TitleEN: "Complaints and their deadlines",
			DescriptionID: "Satu baris per pengaduan: kolom publik, waktu tonggak (verifikasi, tanggapan pertama, selesai) dan jam layanan terakhir per jenis dengan tenggat dan putusannya.",
			DescriptionEN: "One row per complaint: public fields, milestone times (verification, first response, completion) and the current clock of each kind with its deadline and verdict.",
			Licence:       CCBY, Attribution: attrTanggap, Formats: []Format{NDJSON, CSV, JSON}, Filters: allPeriod, Large: true,
			PeriodOn: "submitted_at",
			Notes:    []string{noReporter, noConfid, periodWIB, "CSV: free-text cells starting with = + - @ get a leading apostrophe so spreadsheets do not run them."},
			Fields:   complaintFields,
		},
		{
			Name: DatasetClocks, TitleID: "Jam layanan pengaduan", TitleEN: "Complaint clocks",
			DescriptionID: "Satu baris per jam layanan (verifikasi, tanggapan pertama, penyelesaian) per instansi dan siklus, dengan batas, tenggat, hari kerja terpakai dan putusan.",
			DescriptionEN: "One row per legal clock (verification, first response, completion) per agency and cycle, with limit, deadline, working days used and verdict.",
			Licence:       CCBY, Attribution: attrTanggap, Formats: []Format{NDJSON, CSV, JSON}, Filters: allPeriod, Large: true,
			PeriodOn: "the complaint's submitted_at", Notes: []string{noReporter, noConfid, periodWIB, "government keeps clocks whose agency lies in that subtree."},
			Fields: []Field{
				f("source", TypeString, "Source system of the complaint", "Sistem asal pengaduan"),
				f("tracking_id", TypeString, "Tracking number of the complaint", "Nomor pelacakan pengaduan"),
				f("kind", TypeString, "verification, first_response or completion", "verification, first_response atau completion"),
				f("agency_code", TypeString, "Agency the clock runs against", "Instansi yang diukur"),
				f("cycle", TypeInteger, "1, then +1 per reopening", "1, lalu +1 tiap dibuka kembali"),
				f("started_at", TypeDateTime, "Clock start", "Mulai jam"),
				f("due_at", TypeDateTime, "Deadline (end of the last allowed working day, pauses added)", "Tenggat (akhir hari kerja terakhir, termasuk jeda)"),
				nullable(f("stopped_at", TypeDateTime, "Clock stop; null while running", "Jam berhenti; kosong selama berjalan")),
				f("limit_days", TypeInteger, "Legal limit in working days", "Batas dalam hari kerja"),
				f("working_days_used", TypeInteger, "Working days used, pauses excluded", "Hari kerja terpakai, tanpa jeda"),
				f("paused_working_days", TypeInteger, "Working days paused for clarification", "Hari kerja dijeda untuk klarifikasi"),
				f("verdict", TypeString, "open, at_risk, overdue, met or breached", "open, at_risk, overdue, met atau breached"),
				f("policy_version", TypeString, "SLA policy version that set the limit", "Versi kebijakan SLA"),
				f("calendar_version", TypeString, "Holiday calendar version used", "Versi kalender hari libur"),
			},
		},
		{
			Name: DatasetComplaintCounts, TitleID: "Jumlah pengaduan per instansi dan bulan", TitleEN: "Complaint counts per agency and month",
			DescriptionID: "Jumlah pengaduan yang diterima per instansi, bulan (zona waktu instansi) dan jenis laporan, termasuk pengaduan rahasia yang dihitung terpisah.",
			DescriptionEN: "Complaints received per agency, month (in the agency's zone) and report type, confidential ones included and counted apart.",
			Licence:       CCBY, Attribution: attrTanggap, Formats: []Format{CSV, JSON, NDJSON}, Filters: allPeriod,
			PeriodOn: "submitted_at", Notes: []string{"The only place confidential complaints appear: as counts.", periodWIB},
			Fields: []Field{
				f("agency_code", TypeString, "Agency code", "Kode instansi"),
				f("agency_name", TypeString, "Agency name", "Nama instansi"),
				f("government_code", TypeString, "Government the agency belongs to", "Pemerintah induk instansi"),
				f("month", TypeMonth, "Month of submission in the agency's zone", "Bulan laporan dikirim (zona waktu instansi)"),
				f("report_type", TypeString, "aspirasi, pengaduan or permintaan_informasi", "aspirasi, pengaduan atau permintaan_informasi"),
				f("received", TypeInteger, "Complaints received (all)", "Pengaduan diterima (semua)"),
				f("confidential", TypeInteger, "Of which confidential (not exported as rows)", "Di antaranya rahasia (tidak diekspor per baris)"),
				f("public", TypeInteger, "Of which public (rows in the complaints dataset)", "Di antaranya publik (baris di dataset pengaduan)"),
			},
		},
		{
			Name: DatasetHolidays, TitleID: "Hari libur nasional dan cuti bersama", TitleEN: "National holidays and collective leave",
			DescriptionID: "Kalender hari kerja yang dipakai untuk menghitung tenggat: hari libur nasional dan cuti bersama menurut SKB 3 Menteri. Juga tersedia sebagai umpan iCalendar.",
			DescriptionEN: "The working-day calendar deadlines are counted with: national holidays and collective leave set by the joint ministerial decree (SKB 3 Menteri). Also an iCalendar feed.",
			Licence:       CC0, Attribution: "Surat Keputusan Bersama (SKB) 3 Menteri tentang hari libur nasional dan cuti bersama; compiled by Tanggap",
			Formats: []Format{CSV, JSON, NDJSON, ICS}, Filters: []Filter{FilterFrom, FilterTo}, PeriodOn: "date",
			Notes: []string{"Official decrees carry no copyright (UU 28/2014 art. 42); the compilation is dedicated to the public domain.", "The .ics feed gives every holiday a stable UID (its date) so subscribed calendars update in place; ?lang=en names holidays in English."},
			Fields: []Field{
				f("date", TypeDate, "The non-working day", "Hari yang bukan hari kerja"),
				f("kind", TypeString, "libur_nasional (national holiday) or cuti_bersama (collective leave)", "libur_nasional atau cuti_bersama"),
				f("name_id", TypeString, "Name in Bahasa Indonesia", "Nama dalam Bahasa Indonesia"),
				f("name_en", TypeString, "Name in English", "Nama dalam bahasa Inggris"),
				f("source", TypeString, "The decree(s) that set the day", "Keputusan yang menetapkannya"),
			},
		},
		{
			Name: DatasetSPBE, TitleID: "Indeks SPBE: hasil resmi, terhitung dan proyeksi", TitleEN: "SPBE index: published, computed and projected",
			DescriptionID: "Indeks SPBE terbaru per pemerintah, kerangka, tahun, tahap dan sumber: hasil resmi KemenPAN-RB, hasil hitungan dari tingkat terasesmen, dan proyeksi dengan indikator pengaduan turunan data.",
			DescriptionEN: "Latest SPBE index per government, framework, year, stage and source: KemenPAN-RB's published results, results computed from assessed levels, and projections with the data-derived complaint indicator.",
			Licence:       CCBY, Attribution: "Published results: Kementerian PANRB (evaluasi SPBE); computed and projected indices: Tanggap; region names © idn-area-data (ODbL 1.0)",
			Formats: []Format{CSV, JSON, NDJSON}, Filters: allPeriod, PeriodOn: "year (years overlapping from..to)",
			Fields: []Field{
				f("government_code", TypeString, "Government code (Kemendagri code or ministry code)", "Kode pemerintah"),
				f("government_name", TypeString, "Government name", "Nama pemerintah"),
				f("kind", TypeString, "provinsi, kabupaten, kota, ministry or agency", "provinsi, kabupaten, kota, ministry atau agency"),
				f("parent_code", TypeString, "Parent in the agency tree", "Induk dalam pohon instansi"),
				f("framework", TypeString, "Framework id (e.g. permenpanrb-59-2020)", "Kerangka penilaian"),
				f("framework_version", TypeString, "Content hash of the framework file used", "Versi berkas kerangka"),
				f("year", TypeInteger, "Evaluation year", "Tahun evaluasi"),
				f("stage", TypeString, "self_assessment, final or target", "self_assessment, final atau target"),
				f("source", TypeString, "published, computed or projected", "published, computed atau projected"),
				f("index", TypeString, "Index as published (rounded, decimal text)", "Indeks seperti dipublikasikan (teks desimal)"),
				nullable(f("index_exact", TypeString, "Exact value when known", "Nilai tepat bila diketahui")),
				f("predicate", TypeString, "Predicate band (e.g. Baik)", "Predikat"),
				nullable(f("banding", TypeString, "Banding note, if any", "Catatan banding")),
				f("domains", TypeObject, "Domain code → domain index", "Kode domain → indeks domain"),
				nullable(f("detail", TypeObject, "Source-specific facts (published note, derived indicator explanation)", "Keterangan sesuai sumber")),
				f("computed_at", TypeDateTime, "When the value was stored", "Waktu nilai disimpan"),
			},
		},
		metricsDataset(),
		commitmentsDataset(),
	}
}

// catalogueByName indexes the fixed catalogue.
var catalogueByName = func() map[string]Dataset {
	m := map[string]Dataset{}
	for _, d := range catalogue() {
		m[d.Name] = d
	}
	return m
}()
