package web

import (
	"fmt"
	"strings"
)

// Lang is a supported page language.
type Lang string

const (
	LangID Lang = "id"
	LangEN Lang = "en"
)

// Langs lists supported languages, default first.
var Langs = []Lang{LangID, LangEN}

// messages is the catalogue of every string pages show. A test fails when a
// key exists in one language and not the other.
var messages = map[Lang]map[string]string{
	LangID: {
		"site.name":          "Tanggap",
		"site.tagline":       "Seberapa cepat pemerintah menjawab pengaduan warga",
		"nav.home":           "Beranda",
		"nav.about":          "Tentang",
		"nav.skip":           "Lewati ke isi",
		"lang.switch":        "English",
		"home.title":         "Provinsi di Indonesia",
		"home.intro":         "Tanggap menghitung apakah instansi pemerintah menjawab pengaduan SP4N-LAPOR! dalam batas waktu hari kerja yang ditetapkan, dan menampilkannya untuk publik. Pilih provinsi untuk melihat kabupaten/kota di dalamnya.",
		"home.count":         "%d provinsi, %d kabupaten/kota",
		"col.code":           "Kode",
		"col.name":           "Nama",
		"col.kind":           "Jenis",
		"col.children":       "Kabupaten/kota",
		"col.units":          "Unit",
		"col.timezone":       "Zona waktu",
		"agency.children":    "Wilayah dan unit di bawahnya",
		"agency.no_children": "Belum ada unit terdaftar di bawah instansi ini.",
		"agency.parent":      "Induk",
		"agency.code":        "Kode Kemendagri",
		"kind.national":      "Nasional",
		"kind.ministry":      "Kementerian",
		"kind.agency":        "Lembaga",
		"kind.provinsi":      "Provinsi",
		"kind.kabupaten":     "Kabupaten",
		"kind.kota":          "Kota",
		"kind.opd":           "Perangkat daerah",
		"about.title":        "Tentang Tanggap",
		"about.body":         "Tanggap adalah layanan terbuka yang menghitung jam layanan setiap pengaduan dalam hari kerja (tanpa akhir pekan, libur nasional, dan cuti bersama), merangkumnya per instansi, melacak komitmen yang ditandatangani, dan menautkannya dengan indeks SPBE.",
		"about.sources":      "Sumber data",
		"about.regions":      "Kode dan nama wilayah: idn-area-data oleh fityannugroho, dari Keputusan Menteri Dalam Negeri tentang kode wilayah; data dilisensikan ODbL 1.0.",
		"about.holidays":     "Hari libur nasional dan cuti bersama: Surat Keputusan Bersama (SKB) 3 Menteri setiap tahun.",
		"about.spbe":         "Hasil evaluasi SPBE 2023–2024: Kementerian PANRB.",
		"footer.license":     "Data wilayah © idn-area-data oleh fityannugroho, ODbL 1.0.",
		"footer.about":       "Sumber dan lisensi",
		"error.not_found":    "Halaman tidak ditemukan",
		"error.internal":     "Terjadi kesalahan. Silakan coba lagi.",
		"error.back":         "Kembali ke beranda",
	},
	LangEN: {
		"site.name":          "Tanggap",
		"site.tagline":       "How fast government answers citizens' complaints",
		"nav.home":           "Home",
		"nav.about":          "About",
		"nav.skip":           "Skip to content",
		"lang.switch":        "Bahasa Indonesia",
		"home.title":         "Provinces of Indonesia",
		"home.intro":         "Tanggap measures whether government agencies answer SP4N-LAPOR! complaints within the legal limits counted in working days, and shows it to the public. Choose a province to see its regencies and cities.",
		"home.count":         "%d provinces, %d regencies/cities",
		"col.code":           "Code",
		"col.name":           "Name",
		"col.kind":           "Kind",
		"col.children":       "Regencies/cities",
		"col.units":          "Units",
		"col.timezone":       "Time zone",
		"agency.children":    "Regions and units beneath",
		"agency.no_children": "No units are registered under this agency yet.",
		"agency.parent":      "Parent",
		"agency.code":        "Kemendagri code",
		"kind.national":      "National",
		"kind.ministry":      "Ministry",
		"kind.agency":        "Agency",
		"kind.provinsi":      "Province",
		"kind.kabupaten":     "Regency",
		"kind.kota":          "City",
		"kind.opd":           "Regional unit",
		"about.title":        "About Tanggap",
		"about.body":         "Tanggap is an open service that runs each complaint's service clocks in working days (excluding weekends, national holidays and collective leave), rolls them up per agency, tracks signed commitments and links them to the SPBE index.",
		"about.sources":      "Data sources",
		"about.regions":      "Region codes and names: idn-area-data by fityannugroho, from the Minister of Home Affairs' decrees on area codes; data licensed ODbL 1.0.",
		"about.holidays":     "National holidays and collective leave: the yearly joint decree (SKB) of three ministers.",
		"about.spbe":         "SPBE evaluation results 2023–2024: Ministry of Administrative and Bureaucratic Reform (KemenPANRB).",
		"footer.license":     "Region data © idn-area-data by fityannugroho, ODbL 1.0.",
		"footer.about":       "Sources and licences",
		"error.not_found":    "Page not found",
		"error.internal":     "Something went wrong. Please try again.",
		"error.back":         "Back to the home page",
	},
}

// translator returns the message function for one language. A missing key
// renders visibly rather than silently blank.
func translator(l Lang) func(key string, args ...any) string {
	cat := messages[l]
	return func(key string, args ...any) string {
		msg, ok := cat[key]
		if !ok {
			return "[" + key + "]"
		}
		if len(args) > 0 {
			return fmt.Sprintf(msg, args...)
		}
		return msg
	}
}

// ParseLang accepts "id"/"en" (any case); anything else is not a language.
func ParseLang(s string) (Lang, bool) {
	switch Lang(strings.ToLower(s)) {
	case LangID:
		return LangID, true
	case LangEN:
		return LangEN, true
	}
	return "", false
}
