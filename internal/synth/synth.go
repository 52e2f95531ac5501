// Package synth generates a deterministic, clearly fictitious complaint
// history for the demo, tests and benchmarks. The same configuration always
// yields the same complaints, events and bytes.
package synth

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"regexp"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// Generator describes a synthetic history. Agencies are passed in (codes,
// kinds, parents, zones); nothing is read from a database.
type Generator struct {
	Seed       uint64
	Complaints int
	// From and To bound submission times; zero values mean 2023-01-01 and
	// 2025-12-31 (end of day, WIB). Events after To are not generated, so the
	// newest complaints are still open.
	From, To time.Time
	Agencies []domain.Agency
	// Source of the complaints; empty means domain.DefaultSource.
	Source string
}

// Categories are the complaint categories the generator uses.
var Categories = []string{"Infrastruktur", "Kesehatan", "Pendidikan", "Administrasi Kependudukan",
	"Lingkungan Hidup", "Transportasi", "Sosial", "Ketenteraman dan Ketertiban", "Perizinan", "Ketenagakerjaan"}

// Channels are the submission channels the generator uses.
var Channels = []string{"web", "mobile", "sms", "twitter"}

// ReporterName and ReporterContact give the fictitious identity of the
// reporter of complaint number n (1-based), so tests can look for them.
func ReporterName(n int) string    { return fmt.Sprintf("Pelapor Fiktif %06d", n) }
func ReporterContact(n int) string { return fmt.Sprintf("fiktif%06d@contoh.invalid", n) }

// TrackingID is the tracking id of complaint number n (1-based).
func TrackingID(n int) string { return fmt.Sprintf("SYN-%08d", n) }

// profile is how an agency performs: some are fast and diligent, some slow.
type profile struct {
	speed        float64 // multiplies every delay the agency causes
	respondRate  float64 // share of assigned complaints it ever answers
	completeRate float64 // share of answered complaints it completes
}

type agencyInfo struct {
	domain.Agency
	loc  *time.Location
	prof profile
	opds []int // indexes of OPD units beneath this government
}

type prepared struct {
	agencies []agencyInfo
	govs     []int // agencies complaints are addressed to
	from, to time.Time
	span     int64 // seconds between from and to
	source   string
}

var regionCodeRE = regexp.MustCompile(`^\d{2}(\.\d{2})?$`)

// ErrNoAgencies is returned when the generator has no agency to use.
var ErrNoAgencies = errors.New("synth: no agencies")

func (g *Generator) prepare() (*prepared, error) {
	if len(g.Agencies) == 0 {
		return nil, ErrNoAgencies
	}
	jakarta, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	p := &prepared{from: g.From, to: g.To, source: g.Source}
	if p.from.IsZero() {
		p.from = time.Date(2023, 1, 1, 0, 0, 0, 0, jakarta)
	}
	if p.to.IsZero() {
		p.to = time.Date(2025, 12, 31, 23, 59, 59, 0, jakarta)
	}
	if !p.to.After(p.from) {
		return nil, fmt.Errorf("%w: synth: To must be after From", domain.ErrInvalid)
	}
	p.span = int64(p.to.Sub(p.from) / time.Second)
	if p.source == "" {
		p.source = domain.DefaultSource
	}
	index := map[string]int{}
	zones := map[string]*time.Location{}
	for i, a := range g.Agencies {
		loc, ok := zones[a.TimeZone]
		if !ok {
			if loc, err = time.LoadLocation(a.TimeZone); err != nil || a.TimeZone == "" {
				return nil, fmt.Errorf("%w: synth: agency %q has no valid time zone", domain.ErrInvalid, a.Code)
			}
			zones[a.TimeZone] = loc
		}
		p.agencies = append(p.agencies, agencyInfo{Agency: a, loc: loc, prof: agencyProfile(g.Seed, a.Code)})
		index[a.Code] = i
	}
	for i, a := range p.agencies {
		if a.Kind == domain.KindOPD {
			if pi, ok := index[a.ParentCode]; ok {
				p.agencies[pi].opds = append(p.agencies[pi].opds, i)
			}
		}
	}
	for i, a := range p.agencies {
		if a.Kind.IsGovernment() {
			p.govs = append(p.govs, i)
		}
	}
	if len(p.govs) == 0 { // only units: address them directly
		for i := range p.agencies {
			p.govs = append(p.govs, i)
		}
	}
	return p, nil
}

// agencyProfile derives an agency's performance from the seed and its code
// alone, so it does not change when other agencies are added.
func agencyProfile(seed uint64, code string) profile {
	h := fnv.New64a()
	h.Write([]byte(code))
	r := rand.New(rand.NewPCG(seed^0x5bd1e995, h.Sum64()))
	return profile{
		speed:        math.Exp(math.Log(0.35) + r.Float64()*(math.Log(3.5)-math.Log(0.35))), // 0.35×–3.5×, log-uniform
		respondRate:  0.55 + 0.44*r.Float64(),
		completeRate: 0.6 + 0.38*r.Float64(),
	}
}

// Each calls fn with every complaint in order, its reporter and its events
// (sorted, strictly increasing in time, the first one "submitted"). Nothing is
// kept between complaints, so memory stays flat for any Complaints. It stops
// at fn's first error and returns it.
func (g *Generator) Each(fn func(c domain.Complaint, r domain.Reporter, events []domain.Event) error) error {
	p, err := g.prepare()
	if err != nil {
		return err
	}
	for n := 1; n <= g.Complaints; n++ {
		c, r, evs := p.complaint(g.Seed, n)
		if err := fn(c, r, evs); err != nil {
			return err
		}
	}
	return nil
}

// history builds one complaint's events; each complaint has its own random
// stream, so complaint n is the same whatever Complaints is.
type history struct {
	p      *prepared
	r      *rand.Rand
	c      *domain.Complaint
	loc    *time.Location
	last   time.Time
	events []domain.Event
	done   bool // the horizon was reached
}

func (p *prepared) complaint(seed uint64, n int) (domain.Complaint, domain.Reporter, []domain.Event) {
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	gi := r.IntN(len(p.govs))
	gov := &p.agencies[p.govs[gi]]
	submitted := p.from.Add(time.Duration(r.Int64N(p.span+1)) * time.Second).In(gov.loc)
	// citizens write mostly by day: move three in four night reports into the day
	if h := submitted.Hour(); (h < 6 || h > 21) && r.IntN(4) > 0 {
		submitted = time.Date(submitted.Year(), submitted.Month(), submitted.Day(), 7+r.IntN(14), r.IntN(60), r.IntN(60), 0, gov.loc)
		if submitted.Before(p.from) || submitted.After(p.to) {
			submitted = p.from.In(gov.loc)
		}
	}
	cat := Categories[r.IntN(len(Categories))]
	c := domain.Complaint{
		Source:       p.source,
		TrackingID:   TrackingID(n),
		ReportType:   pickReportType(r),
		Category:     cat,
		Channel:      pickWeighted(r, Channels, []int{45, 30, 15, 10}),
		SubmittedAt:  submitted,
		AgencyCode:   gov.Code,
		Anonymous:    r.Float64() < 0.10,
		Confidential: r.Float64() < 0.03,
	}
	place := gov.Name
	if place == "" {
		place = gov.Code
	}
	if regionCodeRE.MatchString(gov.Code) {
		c.RegionCode = gov.Code
	}
	c.Title, c.Summary = text(r, cat, place)
	rep := domain.Reporter{Name: ReporterName(n), Contact: ReporterContact(n)}

	h := &history{p: p, r: r, c: &c, loc: gov.loc, last: submitted}
	h.add(domain.EventSubmitted, submitted, "", "", "")
	h.run(gov, gi)
	// the complaint's own times read in the zone of the agency it ends with
	c.SubmittedAt = c.SubmittedAt.In(h.loc)
	h.events[0].At = c.SubmittedAt
	upd := h.last.In(h.loc)
	c.SourceUpdatedAt = &upd
	return c, rep, h.events
}

func pickReportType(r *rand.Rand) domain.ReportType {
	switch x := r.IntN(100); {
	case x < 70:
		return domain.ReportPengaduan
	case x < 90:
		return domain.ReportAspirasi
	}
	return domain.ReportPermintaanInformasi
}

func pickWeighted(r *rand.Rand, xs []string, w []int) string {
	total := 0
	for _, v := range w {
		total += v
	}
	x := r.IntN(total)
	for i, v := range w {
		if x < v {
			return xs[i]
		}
		x -= v
	}
	return xs[len(xs)-1]
}

// run plays the complaint's life: verification, disposition, possible
// forwarding and clarification, response, completion, reopening, archive.
func (h *history) run(gov *agencyInfo, gi int) {
	r := h.r
	// 1. verification by the LAPOR admin / receiving government
	verifyDays := 1 + r.Float64()*4 // mostly 1–5 working days
	if r.IntN(10) == 0 {
		verifyDays = 5 + r.Float64()*10
	}
	if r.IntN(100) < 2 {
		return // never verified
	}
	if r.IntN(100) < 5 {
		h.step(domain.EventRejected, verifyDays, gov.Code, "", "Laporan tidak dapat diproses: informasi kurang lengkap.")
		return
	}
	h.step(domain.EventVerified, verifyDays, gov.Code, "", "")
	// 2. disposition to the government itself or one of its units
	current := gov
	if len(gov.opds) > 0 && r.IntN(10) < 7 {
		current = &h.p.agencies[gov.opds[r.IntN(len(gov.opds))]]
	}
	if !h.step(domain.EventAssigned, r.Float64()*0.8, gov.Code, current.Code, "") {
		return
	}
	h.c.AgencyCode = current.Code
	// 3. limpah: not this agency's authority
	if r.IntN(100) < 8 && len(h.p.govs) > 1 {
		j := r.IntN(len(h.p.govs) - 1)
		if j >= gi {
			j++ // any other government
		}
		to := &h.p.agencies[h.p.govs[j]]
		if !h.step(domain.EventForwarded, current.prof.speed*(1+r.Float64()*3), current.Code, to.Code, "Bukan wewenang, dilimpahkan.") {
			return
		}
		current = to
		h.c.AgencyCode = current.Code
		h.loc = to.loc // office hours of the receiving agency from now on
		if len(to.opds) > 0 && r.IntN(2) == 0 {
			unit := &h.p.agencies[to.opds[r.IntN(len(to.opds))]]
			if !h.step(domain.EventAssigned, r.Float64(), to.Code, unit.Code, "") {
				return
			}
			current = unit
			h.c.AgencyCode = current.Code
		}
	}
	prof := current.prof
	// 4. clarification (tunda) before the first answer
	if r.IntN(10) == 0 {
		h.step(domain.EventClarificationRequested, prof.speed*(0.5+r.Float64()*2), current.Code, "", "Mohon lengkapi lokasi dan foto pendukung.")
		if r.IntN(10) < 8 {
			h.step(domain.EventClarificationReceived, 1+r.Float64()*9, "", "", "")
		} else {
			h.step(domain.EventClosed, 22, current.Code, "", "Diarsipkan: data tidak dilengkapi.")
			return
		}
	}
	// 5. follow-up (tindak lanjut), or silence
	if r.Float64() >= prof.respondRate {
		return
	}
	h.step(domain.EventResponded, prof.speed*lognormal(r, 3), current.Code, "", "Laporan sedang ditindaklanjuti oleh petugas.")
	if r.Float64() >= prof.completeRate {
		return
	}
	h.step(domain.EventCompleted, prof.speed*lognormal(r, 6), current.Code, "", "Laporan telah selesai ditindaklanjuti.")
	// 6. reporter not satisfied
	if r.IntN(100) < 4 {
		h.step(domain.EventReopened, 1+r.Float64()*4, "", "", "")
		if r.IntN(10) < 7 {
			h.step(domain.EventResponded, prof.speed*lognormal(r, 3), current.Code, "", "Tindak lanjut tambahan telah dilakukan.")
			h.step(domain.EventCompleted, prof.speed*lognormal(r, 4), current.Code, "", "Laporan telah selesai ditindaklanjuti.")
		}
	}
	// 7. archive after the reporter's silence
	if r.IntN(10) < 3 {
		h.step(domain.EventClosed, 10, "", "", "")
	}
}

// lognormal draws working days with the given median and a long right tail.
func lognormal(r *rand.Rand, median float64) float64 {
	return median * math.Exp(0.8*r.NormFloat64())
}

// step adds an event days working days (fractions allowed) after the last
// one, during office hours in the complaint's zone. It reports false once
// the horizon (To) is passed: the rest of the history has not happened yet.
func (h *history) step(kind domain.EventKind, days float64, agency, to, text string) bool {
	if h.done {
		return false
	}
	at := addWorkingDays(h.last, days, h.r, h.loc)
	if !at.After(h.last) {
		at = h.last.Add(time.Duration(1+h.r.IntN(59)) * time.Minute)
	}
	if at.After(h.p.to) {
		h.done = true
		return false
	}
	h.add(kind, at, agency, to, text)
	return true
}

func (h *history) add(kind domain.EventKind, at time.Time, agency, to, text string) {
	h.last = at
	h.events = append(h.events, domain.Event{
		Source: h.p.source, TrackingID: h.c.TrackingID, EventID: fmt.Sprintf("%s-%02d", h.c.TrackingID, len(h.events)+1),
		Kind: kind, At: at, AgencyCode: agency, ToAgencyCode: to, PublicText: text,
	})
}

// addWorkingDays moves t forward by whole working days (Monday–Friday; the
// generator knows no holidays) and lands at an office hour; a fraction
// below one day stays on the same day when there is time left.
func addWorkingDays(t time.Time, days float64, r *rand.Rand, loc *time.Location) time.Time {
	t = t.In(loc)
	whole := int(days)
	frac := days - float64(whole)
	if whole == 0 {
		next := t.Add(time.Duration(frac * 8 * float64(time.Hour)))
		if next.Hour() < 17 && next.Day() == t.Day() && isWorkday(next) {
			return next.Truncate(time.Second)
		}
		whole = 1
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	for whole > 0 {
		d = d.AddDate(0, 0, 1)
		if isWorkday(d) {
			whole--
		}
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 8+r.IntN(8), r.IntN(60), r.IntN(60), 0, loc)
}

func isWorkday(t time.Time) bool {
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// text builds a public title and summary for a category.
func text(r *rand.Rand, category, place string) (string, string) {
	subjects := map[string][]string{
		"Infrastruktur":               {"Jalan berlubang", "Lampu penerangan jalan mati", "Drainase tersumbat", "Jembatan rusak"},
		"Kesehatan":                   {"Antrean puskesmas terlalu lama", "Obat tidak tersedia", "Layanan BPJS ditolak"},
		"Pendidikan":                  {"Pungutan di sekolah", "Bantuan PIP belum cair", "Ruang kelas rusak"},
		"Administrasi Kependudukan":   {"KTP elektronik belum jadi", "Kartu keluarga salah data", "Akta kelahiran tertunda"},
		"Lingkungan Hidup":            {"Sampah menumpuk", "Pencemaran sungai", "Pembakaran sampah liar"},
		"Transportasi":                {"Angkutan umum tidak beroperasi", "Parkir liar", "Halte rusak"},
		"Sosial":                      {"Bansos tidak tepat sasaran", "Data DTKS belum diperbarui"},
		"Ketenteraman dan Ketertiban": {"Kebisingan malam hari", "Pedagang di trotoar"},
		"Perizinan":                   {"Izin usaha lambat", "Pungutan pengurusan izin"},
		"Ketenagakerjaan":             {"Upah di bawah UMK", "Pelatihan kerja dibatalkan"},
	}
	s := subjects[category]
	subject := "Keluhan layanan"
	if len(s) > 0 {
		subject = s[r.IntN(len(s))]
	}
	title := fmt.Sprintf("%s (laporan fiktif)", subject)
	summary := fmt.Sprintf("%s di wilayah %s sejak %d hari lalu. Mohon segera ditindaklanjuti. Data ini fiktif.", subject, place, 1+r.IntN(30))
	return title, summary
}
