// Package parse turns complaint and event files (CSV, XLSX, NDJSON) into
// domain records, one row at a time. A bad row yields field errors (record,
// line, field, reason) and the stream goes on; only I/O errors stop it
// (design §3.2, §5). It holds no state beyond the current row, so memory does
// not grow with the input.
//
// # Headers
//
// CSV and XLSX headers are matched ignoring case, spaces and punctuation, in
// this order: the caller's Mapping ("column=field"; "column=-" drops a
// column), the English names of design §5, then the Indonesian preset of a
// LAPOR export (lapor-policy.md §c). Unknown columns are returned as warnings.
// Several columns may feed one field (Disposisi Instansi ID, then Disposisi
// Instansi; Email, then Telepon): the first non-empty one wins.
//
//	field              LAPOR preset headers
//	tracking_id        Tracking ID, TrackingID, ID Laporan, Nomor Tracking, No Tracking, ID SP4N, complaint_id
//	report_type        Klasifikasi, Klasifikasi Laporan, Jenis Laporan
//	category           Kategori, Kategori Laporan
//	channel            Kanal, Sumber, Sumber Laporan
//	submitted_at       Tanggal Laporan Masuk, TanggalLaporanMasuk, Tanggal Laporan, Tanggal, created_at
//	agency_code        Disposisi Instansi ID, DisposisiInstansiID, disposition_id, Disposisi Instansi, Instansi
//	anonymous          Anonim, is_anonymous
//	confidential       Rahasia, is_secret
//	title              Judul, Judul Laporan, JudulLaporan
//	summary            Isi, Isi Laporan, IsiLaporan
//	reporter_name      Pelapor, Nama Pelapor
//	reporter_contact   Kontak, Email, Telepon, No HP
//	region_code        Area ID, AreaID, AreID, Kode Wilayah, Area, Lokasi
//	source_updated_at  Tanggal Laporan Aktivitas Terakhir, TanggalLaporanAktivitasTerakhir, updated_at
//	assigned_at        Tanggal Disposisi, TanggalDisposisi         → derived "assigned" event
//	closed_at          Tanggal Laporan Ditutup, TanggalLaporanDitutup → "completed", or with
//	status             Status, status_name                          Arsip/Ditolak "closed" ("rejected" without disposition)
//
// Event files take tracking_id, event_id, kind, at, agency_code,
// to_agency_code, public_text and source (LAPOR log names: Jenis/Aktivitas/
// status_new, Tanggal/Waktu/date, Instansi/institution_from, Instansi
// Tujuan/institution_to, Isi/Tanggapan/content). KindAuto reads a file as
// events when its header has kind and at but no report type.
//
// # Values
//
// Times: see ParseTime; a local time is read in the zone of the row's agency
// (an event: agency_code, else to_agency_code, else its complaint's). An XLSX
// date cell (a serial day number) is read as local time too. Booleans: see
// ParseBool. Report types and event kinds accept the Indonesian labels and
// LAPOR terms (ParseReportType, ParseEventKind). An event without event_id
// gets domain.EventIdentity. CSV files may be ',' or ';' separated and may
// start with a UTF-8 byte order mark.
//
// # Resuming
//
// Every Item carries Next, the position just after it. Passing it as
// Options.Start makes a new reader continue there: CSV re-reads the header
// from the start of the file and seeks to the byte offset; NDJSON seeks;
// XLSX cannot seek into a zipped sheet, so it skips rows up to row
// Start.Line (its records' Offset is their row number).
package parse
