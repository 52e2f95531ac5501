package clock

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

// randomHistory builds a plausible but messy history: ties at the same
// instant, forwards across zones, unanswered clarifications, reopens. The
// whole history and its deadlines stay inside the covered years.
func randomHistory(rng *rand.Rand) (domain.Complaint, []domain.Event, time.Time) {
	codes := []string{"A", "B", "C"}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, wib).Add(time.Duration(rng.IntN(900*24)) * time.Hour).Add(time.Duration(rng.IntN(60)) * time.Minute)
	types := domain.ReportTypes
	c := domain.Complaint{
		Source: "lapor", TrackingID: fmt.Sprintf("R%d", rng.IntN(1e6)),
		ReportType: types[rng.IntN(len(types))], SubmittedAt: start, AgencyCode: codes[rng.IntN(len(codes))],
	}
	if rng.IntN(3) == 0 {
		c.Category = "berkadar_pengawasan"
	}
	var evs []domain.Event
	add := func(kind domain.EventKind, t time.Time, agency, to string) {
		e := domain.Event{Source: c.Source, TrackingID: c.TrackingID, Kind: kind, At: t, AgencyCode: agency, ToAgencyCode: to}
		if rng.IntN(2) == 0 {
			e.EventID = fmt.Sprintf("ev-%d", len(evs))
		}
		evs = append(evs, e)
	}
	if rng.IntN(4) > 0 {
		add(domain.EventSubmitted, start, "", "")
	}
	kinds := []domain.EventKind{
		domain.EventVerified, domain.EventAssigned, domain.EventAssigned, domain.EventForwarded,
		domain.EventResponded, domain.EventResponded, domain.EventClarificationRequested,
		domain.EventClarificationReceived, domain.EventCompleted, domain.EventReopened, domain.EventClosed, domain.EventRejected,
	}
	t := start
	for range 3 + rng.IntN(12) {
		switch rng.IntN(6) {
		case 0: // same instant: exercises the tie-break
		case 1, 2:
			t = t.Add(time.Duration(1+rng.IntN(600)) * time.Minute)
		default:
			t = t.Add(time.Duration(1+rng.IntN(6*24)) * time.Hour)
		}
		k := kinds[rng.IntN(len(kinds))]
		if k == domain.EventRejected && rng.IntN(3) > 0 {
			k = domain.EventVerified
		}
		to, agency := "", ""
		if k.NeedsTarget() {
			to = codes[rng.IntN(len(codes))]
		}
		if rng.IntN(2) == 0 {
			agency = codes[rng.IntN(len(codes))]
		}
		add(k, t, agency, to)
	}
	now := t.Add(time.Duration(rng.IntN(30*24)) * time.Hour)
	return c, evs, now
}

func TestProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 20240405))
	eng := engine()
	hs := testCal.Holidays()
	// seen guards the generator: every verdict and feature must occur, or
	// the properties below would hold vacuously.
	seen := map[string]int{}
	for i := range 400 {
		c, evs, now := randomHistory(rng)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			base, err := eng.Compute(c, evs, now)
			if err != nil {
				t.Fatalf("Compute: %v\nevents: %+v", err, evs)
			}

			// Shuffled input gives identical clocks.
			shuffled := append([]domain.Event(nil), evs...)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			again, err := eng.Compute(c, shuffled, now)
			if err != nil || !reflect.DeepEqual(base, again) {
				t.Fatalf("shuffled events changed the clocks (err %v)\n%+v\n%+v", err, base, again)
			}

			// Explanations: counted days are working days and sum to
			// WorkingDaysUsed; paused days sum to PausedWorkingDays.
			for _, ck := range base {
				seen[string(ck.Verdict)]++
				if len(ck.Pauses) > 0 {
					seen["paused"]++
				}
				for _, p := range ck.Pauses {
					if p.Capped {
						seen["capped"]++
					}
				}
				if ck.Cycle > 1 {
					seen["reopened"]++
				}
				_, loc, _ := testAgencies(ck.AgencyCode)
				checkExplain(t, ck, loc, now)
				if ck.WorkingDaysUsed < 0 || ck.PausedWorkingDays < 0 {
					t.Fatalf("negative counts: %+v", ck)
				}
			}

			// A pause never shortens a deadline; without pauses the due date is
			// exactly the calendar's Due.
			var noPause []domain.Event
			for _, e := range evs {
				if e.Kind != domain.EventClarificationRequested && e.Kind != domain.EventClarificationReceived {
					noPause = append(noPause, e)
				}
			}
			plain, err := eng.Compute(c, noPause, now)
			if err != nil || len(plain) != len(base) {
				t.Fatalf("without pauses: %v, %d clocks vs %d", err, len(plain), len(base))
			}
			for j, p := range plain {
				_, loc, _ := testAgencies(p.AgencyCode)
				due, err := testCal.Due(p.StartedAt, loc, p.LimitDays)
				if err != nil || !due.Equal(p.DueAt) {
					t.Fatalf("unpaused due %v, calendar says %v (%v)", p.DueAt, due, err)
				}
				if base[j].DueAt.Before(p.DueAt) {
					t.Fatalf("pause shortened the deadline: %v < %v", base[j].DueAt, p.DueAt)
				}
				if len(base[j].Pauses) == 0 && !base[j].DueAt.Equal(p.DueAt) {
					t.Fatalf("no pause but due moved: %v vs %v", base[j].DueAt, p.DueAt)
				}
			}

			// Stopped clocks do not change when now moves forward.
			later, err := eng.Compute(c, evs, now.Add(time.Duration(1+rng.IntN(90))*24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			for j, ck := range base {
				if ck.Stopped() && !reflect.DeepEqual(ck, later[j]) {
					t.Fatalf("stopped clock changed with now:\n%+v\n%+v", ck, later[j])
				}
			}

			// A holiday added after a clock's stop leaves its counts and
			// verdict alone; its due date can only move if the new holiday
			// falls between stop and due, and then only later.
			for j, ck := range base {
				if !ck.Stopped() {
					continue
				}
				_, loc, _ := testAgencies(ck.AgencyCode)
				day := workcal.DateOf(*ck.StoppedAt, loc).AddDays(1 + rng.IntN(20))
				if ok, err := testCal.IsWorkingDay(day); err != nil || !ok {
					continue
				}
				cal2, err := workcal.New(append(append([]workcal.Holiday(nil), hs...),
					workcal.Holiday{Date: day, Kind: workcal.CutiBersama, NameID: "Uji", Source: "test"}), "test-plus-one")
				if err != nil {
					t.Fatal(err)
				}
				eng2 := eng
				eng2.Calendar = cal2
				got, err := eng2.Compute(c, evs, now)
				if err != nil {
					t.Fatal(err)
				}
				g := got[j]
				if g.CalendarVersion != "test-plus-one" {
					t.Fatalf("calendar version %q", g.CalendarVersion)
				}
				g.CalendarVersion = ck.CalendarVersion
				seen["holiday-after-stop"]++
				if day.After(workcal.DateOf(ck.DueAt, loc)) {
					if !reflect.DeepEqual(g, ck) {
						t.Fatalf("holiday %s after stop and due changed the clock:\n%+v\n%+v", day, ck, g)
					}
					continue
				}
				if g.DueAt.Before(ck.DueAt) {
					t.Fatalf("holiday %s moved the due date earlier", day)
				}
				seen["holiday-before-due"]++
				g.DueAt = ck.DueAt
				if !reflect.DeepEqual(g, ck) {
					t.Fatalf("holiday %s after stop changed more than the due date:\n%+v\n%+v", day, ck, g)
				}
				break // one extra calendar per history keeps the run short
			}
		})
	}
	for _, k := range []string{"open", "at_risk", "overdue", "met", "breached", "paused", "capped", "reopened", "holiday-after-stop", "holiday-before-due"} {
		if seen[k] == 0 {
			t.Errorf("generator never produced %q: %v", k, seen)
		}
	}
	t.Logf("coverage of random histories: %v", seen)
}
