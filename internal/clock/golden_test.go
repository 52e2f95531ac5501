package clock

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/slapolicy"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

type goldenAgency struct {
	Kind domain.AgencyKind `json:"kind"`
	Zone string            `json:"zone"`
}

type goldenPause struct {
	From        string `json:"from"`
	To          string `json:"to"`
	WorkingDays int    `json:"working_days"`
	Capped      bool   `json:"capped"`
	Ongoing     bool   `json:"ongoing"`
}

type goldenClock struct {
	Kind              domain.ClockKind `json:"kind"`
	AgencyCode        string           `json:"agency_code"`
	Cycle             int              `json:"cycle"`
	StartedAt         string           `json:"started_at"`
	DueAt             string           `json:"due_at"`
	StoppedAt         string           `json:"stopped_at"`
	LimitDays         int              `json:"limit_days"`
	WorkingDaysUsed   int              `json:"working_days_used"`
	PausedWorkingDays int              `json:"paused_working_days"`
	Verdict           domain.Verdict   `json:"verdict"`
	Pauses            []goldenPause    `json:"pauses"`
}

type goldenCase struct {
	Name      string                  `json:"name"`
	Why       []string                `json:"why"`
	Agencies  map[string]goldenAgency `json:"agencies"`
	Complaint domain.Complaint        `json:"complaint"`
	Events    []domain.Event          `json:"events"`
	Now       time.Time               `json:"now"`
	Want      []goldenClock           `json:"want"`
}

var (
	testCal    *workcal.Calendar
	testPolicy = slapolicy.DefaultNational()
)

func TestMain(m *testing.M) {
	hs, err := workcal.LoadEmbedded()
	if err != nil {
		panic(err)
	}
	if testCal, err = workcal.New(hs, "test-embedded"); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

func resolver(t testing.TB, agencies map[string]goldenAgency) AgencyInfo {
	t.Helper()
	locs := map[string]*time.Location{}
	for code, a := range agencies {
		loc, err := time.LoadLocation(a.Zone)
		if err != nil {
			t.Fatal(err)
		}
		locs[code] = loc
	}
	return func(code string) (domain.AgencyKind, *time.Location, bool) {
		a, ok := agencies[code]
		return a.Kind, locs[code], ok
	}
}

func fmtTime(t time.Time) string { return t.Format(time.RFC3339) }

// TestGoldenHistories checks whole hand-checked histories in testdata/clock;
// each file's "why" lists the day counting behind its expected clocks.
func TestGoldenHistories(t *testing.T) {
	files, err := filepath.Glob("../../testdata/clock/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var gc goldenCase
			if err := json.Unmarshal(raw, &gc); err != nil {
				t.Fatal(err)
			}
			agencies := resolver(t, gc.Agencies)
			eng := Engine{Policy: testPolicy, Calendar: testCal, Agencies: agencies}
			got, err := eng.Compute(gc.Complaint, gc.Events, gc.Now)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(gc.Want) {
				t.Fatalf("%d clocks, want %d: %+v", len(got), len(gc.Want), got)
			}
			for i, w := range gc.Want {
				g := got[i]
				stopped := ""
				if g.StoppedAt != nil {
					stopped = fmtTime(*g.StoppedAt)
				}
				var pauses []goldenPause
				for _, p := range g.Pauses {
					pauses = append(pauses, goldenPause{fmtTime(p.From), fmtTime(p.To), p.WorkingDays, p.Capped, p.Ongoing})
				}
				gg := goldenClock{g.Kind, g.AgencyCode, g.Cycle, fmtTime(g.StartedAt), fmtTime(g.DueAt), stopped,
					g.LimitDays, g.WorkingDaysUsed, g.PausedWorkingDays, g.Verdict, pauses}
				wantJSON, _ := json.Marshal(w)
				gotJSON, _ := json.Marshal(gg)
				if string(wantJSON) != string(gotJSON) {
					t.Errorf("clock %d:\n got  %s\n want %s\n why: %v", i, gotJSON, wantJSON, gc.Why)
				}
				if g.PolicyVersion != "lapor-national-1" || g.CalendarVersion != "test-embedded" {
					t.Errorf("clock %d versions %q %q", i, g.PolicyVersion, g.CalendarVersion)
				}
				// The explanation agrees with the counts for every golden clock.
				_, loc, _ := agencies(g.AgencyCode)
				checkExplain(t, g, loc, gc.Now)
			}
		})
	}
}

func checkExplain(t *testing.T, c Clock, loc *time.Location, now time.Time) {
	t.Helper()
	days, err := Explain(c, testCal, loc, now)
	if err != nil {
		t.Fatal(err)
	}
	today := workcal.DateOf(now, loc)
	dueDay := workcal.DateOf(c.DueAt, loc)
	counted, paused := 0, 0
	for i, d := range days {
		// The due day is the LimitDays-th counted day, pauses included.
		if d.Date == dueDay && (d.Mark != MarkCounted || d.Count != c.LimitDays) {
			t.Fatalf("%s/%s cycle %d: due day %s is %s with count %d, limit %d", c.Kind, c.AgencyCode, c.Cycle, d.Date, d.Mark, d.Count, c.LimitDays)
		}
		if (i == 0) != (d.Mark == MarkReceipt) {
			t.Fatalf("day %d %s marked %s", i, d.Date, d.Mark)
		}
		working, err := testCal.IsWorkingDay(d.Date)
		if err != nil {
			t.Fatal(err)
		}
		switch d.Mark {
		case MarkCounted:
			if !working {
				t.Fatalf("%s counted but not a working day", d.Date)
			}
		case MarkPaused:
			if !working {
				t.Fatalf("%s paused but not a working day", d.Date)
			}
		case MarkHoliday:
			if d.HolidayNameID == "" {
				t.Fatalf("%s holiday without a name", d.Date)
			}
		case MarkWeekend:
			if wd := d.Date.Weekday(); wd != time.Saturday && wd != time.Sunday {
				t.Fatalf("%s marked weekend", d.Date)
			}
		}
		if c.StoppedAt != nil || !d.Date.After(today) {
			if d.Mark == MarkCounted {
				counted++
			}
			if d.Mark == MarkPaused {
				paused++
			}
		}
	}
	if counted != c.WorkingDaysUsed {
		t.Errorf("%s/%s cycle %d: explanation counts %d days, WorkingDaysUsed %d", c.Kind, c.AgencyCode, c.Cycle, counted, c.WorkingDaysUsed)
	}
	if paused != c.PausedWorkingDays {
		t.Errorf("%s/%s cycle %d: explanation pauses %d days, PausedWorkingDays %d", c.Kind, c.AgencyCode, c.Cycle, paused, c.PausedWorkingDays)
	}
}
