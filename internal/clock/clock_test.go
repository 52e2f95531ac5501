package clock

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

var (
	wib = mustZone("Asia/Jakarta")
	wit = mustZone("Asia/Jayapura")
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// testAgencies: A and B are WIB, C is WIT; X is unknown.
func testAgencies(code string) (domain.AgencyKind, *time.Location, bool) {
	switch code {
	case "A":
		return domain.KindKota, wib, true
	case "B":
		return domain.KindOPD, wib, true
	case "C":
		return domain.KindKabupaten, wit, true
	}
	return "", nil, false
}

func engine() Engine { return Engine{Policy: testPolicy, Calendar: testCal, Agencies: testAgencies} }

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ev(kind domain.EventKind, when, agency, to string) domain.Event {
	return domain.Event{Source: "lapor", TrackingID: "T", Kind: kind, At: at(when), AgencyCode: agency, ToAgencyCode: to}
}

func complaint(submitted string) domain.Complaint {
	return domain.Complaint{Source: "lapor", TrackingID: "T", ReportType: domain.ReportPengaduan, SubmittedAt: at(submitted), AgencyCode: "A"}
}

type brief struct {
	kind    domain.ClockKind
	agency  string
	cycle   int
	stopped string // RFC 3339 in the agency zone, "" when running
	verdict domain.Verdict
}

func briefs(cs []Clock) []brief {
	out := make([]brief, len(cs))
	for i, c := range cs {
		b := brief{c.Kind, c.AgencyCode, c.Cycle, "", c.Verdict}
		if c.StoppedAt != nil {
			b.stopped = c.StoppedAt.Format(time.RFC3339)
		}
		out[i] = b
	}
	return out
}

// TestRules pins the decisions listed in the package comment, one per case.
// Dates are in April 2024 (Mon 1 .. Fri 5 are plain working days).
func TestRules(t *testing.T) {
	const sub = "2024-04-01T09:00:00+07:00"
	cases := []struct {
		name   string
		events []domain.Event
		now    string
		want   []brief
	}{
		{
			name:   "assigned without verified stops verification",
			events: []domain.Event{ev("submitted", sub, "", ""), ev("assigned", "2024-04-02T09:00:00+07:00", "", "A")},
			now:    "2024-04-03T09:00:00+07:00",
			want: []brief{
				{"verification", "A", 1, "2024-04-02T09:00:00+07:00", "met"},
				{"first_response", "A", 1, "", "open"},
				{"completion", "A", 1, "", "open"},
			},
		},
		{
			name: "forward stops the sender's clocks and starts the receiver's in its own zone",
			events: []domain.Event{ev("submitted", sub, "", ""), ev("assigned", "2024-04-01T10:00:00+07:00", "", "A"),
				ev("forwarded", "2024-04-02T10:00:00+07:00", "A", "C")},
			now: "2024-04-02T12:00:00+07:00",
			want: []brief{
				{"verification", "A", 1, "2024-04-01T10:00:00+07:00", "met"},
				{"first_response", "A", 1, "2024-04-02T10:00:00+07:00", "met"},
				{"completion", "A", 1, "2024-04-02T10:00:00+07:00", "met"},
				{"first_response", "C", 1, "", "open"},
				{"completion", "C", 1, "", "open"},
			},
		},
		{
			name: "re-assigning to the holder changes nothing",
			events: []domain.Event{ev("submitted", sub, "", ""), ev("assigned", "2024-04-01T10:00:00+07:00", "", "A"),
				ev("assigned", "2024-04-02T10:00:00+07:00", "", "A")},
			now: "2024-04-02T12:00:00+07:00",
			want: []brief{
				{"verification", "A", 1, "2024-04-01T10:00:00+07:00", "met"},
				{"first_response", "A", 1, "", "open"},
				{"completion", "A", 1, "", "open"},
			},
		},
		{
			name: "a response by another agency does not stop the holder's first response",
			events: []domain.Event{ev("submitted", sub, "", ""), ev("assigned", "2024-04-01T10:00:00+07:00", "", "B"),
				ev("responded", "2024-04-02T10:00:00+07:00", "A", ""), ev("responded", "2024-04-03T10:00:00+07:00", "B", "")},
			now: "2024-04-04T12:00:00+07:00",
			want: []brief{
				{"verification", "A", 1, "2024-04-01T10:00:00+07:00", "met"},
				{"first_response", "B", 1, "2024-04-03T10:00:00+07:00", "met"},
				{"completion", "B", 1, "", "open"},
			},
		},
		{
			name: "completion without a response stops first response too",
			events: []domain.Event{ev("submitted", sub, "", ""), ev("assigned", "2024-04-01T10:00:00+07:00", "", "A"),
				ev("completed", "2024-04-02T10:00:00+07:00", "A", "")},
			now: "2024-04-04T12:00:00+07:00",
			want: []brief{
				{"verification", "A", 1, "2024-04-01T10:00:00+07:00", "met"},
				{"first_response", "A", 1, "2024-04-02T10:00:00+07:00", "met"},
				{"completion", "A", 1, "2024-04-02T10:00:00+07:00", "met"},
			},
		},
		{
			name: "reopen while completion is open is ignored",
			events: []domain.Event{ev("submitted", sub, "", ""), ev("assigned", "2024-04-01T10:00:00+07:00", "", "A"),
				ev("reopened", "2024-04-02T10:00:00+07:00", "", "")},
			now: "2024-04-02T12:00:00+07:00",
			want: []brief{
				{"verification", "A", 1, "2024-04-01T10:00:00+07:00", "met"},
				{"first_response", "A", 1, "", "open"},
				{"completion", "A", 1, "", "open"},
			},
		},
		{
			name: "reopen after completion starts cycle 2; cycle 1 keeps its breach",
			events: []domain.Event{ev("submitted", sub, "", ""), ev("assigned", "2024-04-01T10:00:00+07:00", "", "A"),
				ev("completed", "2024-04-22T10:00:00+07:00", "A", ""), ev("reopened", "2024-04-23T10:00:00+07:00", "", "")},
			now: "2024-04-23T12:00:00+07:00",
			want: []brief{
				{"verification", "A", 1, "2024-04-01T10:00:00+07:00", "met"},
				{"first_response", "A", 1, "2024-04-22T10:00:00+07:00", "breached"},
				{"completion", "A", 1, "2024-04-22T10:00:00+07:00", "met"},
				{"first_response", "A", 2, "", "open"},
				{"completion", "A", 2, "", "open"},
			},
		},
		{
			name: "closed stops every open clock",
			events: []domain.Event{ev("submitted", sub, "", ""), ev("assigned", "2024-04-01T10:00:00+07:00", "", "A"),
				ev("closed", "2024-04-30T10:00:00+07:00", "", "")},
			now: "2024-06-01T12:00:00+07:00",
			want: []brief{
				{"verification", "A", 1, "2024-04-01T10:00:00+07:00", "met"},
				{"first_response", "A", 1, "2024-04-30T10:00:00+07:00", "breached"},
				{"completion", "A", 1, "2024-04-30T10:00:00+07:00", "breached"}, // due Mon 29 Apr
			},
		},
		{
			name:   "running verification goes at_risk then overdue",
			events: []domain.Event{ev("submitted", sub, "", "")},
			now:    "2024-04-03T12:00:00+07:00", // used 2 of 3
			want:   []brief{{"verification", "A", 1, "", "at_risk"}},
		},
		{
			name:   "overdue the day after the due day",
			events: []domain.Event{ev("submitted", sub, "", "")},
			now:    "2024-04-05T00:00:01+07:00", // due Thu 4 Apr 23:59:59
			want:   []brief{{"verification", "A", 1, "", "overdue"}},
		},
		{
			name:   "stopped late on the due day is still met",
			events: []domain.Event{ev("submitted", sub, "", ""), ev("verified", "2024-04-04T23:59:59+07:00", "", "")},
			now:    "2024-05-01T00:00:00+07:00",
			want:   []brief{{"verification", "A", 1, "2024-04-04T23:59:59+07:00", "met"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := engine().Compute(complaint(sub), tc.events, at(tc.now))
			if err != nil {
				t.Fatal(err)
			}
			if g := briefs(got); !reflect.DeepEqual(g, tc.want) {
				t.Errorf("got  %v\nwant %v", g, tc.want)
			}
		})
	}
}

func TestComputeErrors(t *testing.T) {
	const sub = "2024-04-01T09:00:00+07:00"
	cases := []struct {
		name   string
		c      domain.Complaint
		events []domain.Event
		want   error
	}{
		{"assigned without target", complaint(sub), []domain.Event{ev("assigned", sub, "", "")}, domain.ErrInvalid},
		{"unknown agency", complaint(sub), []domain.Event{ev("assigned", sub, "", "X")}, domain.ErrNotFound},
		{"unknown report type", domain.Complaint{ReportType: "wbs", SubmittedAt: at(sub), AgencyCode: "A"}, nil, domain.ErrInvalid},
		{"submitted before the calendar", complaint("2022-12-20T09:00:00+07:00"), nil, workcal.ErrOutOfRange},
		{"due beyond the calendar", complaint("2027-12-30T09:00:00+07:00"), nil, workcal.ErrOutOfRange},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := engine().Compute(tc.c, tc.events, at(sub))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestExplainLebaran walks the key case: received Fri 5 Apr 2024, 5 working
// days, due Mon 22 Apr.
func TestExplainLebaran(t *testing.T) {
	c := complaint("2024-04-05T10:00:00+07:00")
	events := []domain.Event{
		ev("submitted", "2024-04-05T10:00:00+07:00", "", ""),
		ev("assigned", "2024-04-05T10:00:00+07:00", "", "A"),
		ev("responded", "2024-04-22T16:00:00+07:00", "A", ""),
	}
	clocks, err := engine().Compute(c, events, at("2024-05-01T00:00:00+07:00"))
	if err != nil {
		t.Fatal(err)
	}
	fr := clocks[1]
	if fr.Kind != domain.ClockFirstResponse || fr.DueAt.Format(time.RFC3339) != "2024-04-22T23:59:59+07:00" || fr.Verdict != domain.VerdictMet || fr.WorkingDaysUsed != 5 {
		t.Fatalf("first response = %+v", fr)
	}
	days, err := Explain(fr, testCal, wib, at("2024-05-01T00:00:00+07:00"))
	if err != nil {
		t.Fatal(err)
	}
	var marks []string
	for _, d := range days {
		marks = append(marks, d.Date.String()[8:]+":"+string(d.Mark))
	}
	want := []string{"05:receipt", "06:weekend", "07:weekend", "08:holiday", "09:holiday", "10:holiday", "11:holiday", "12:holiday",
		"13:weekend", "14:weekend", "15:holiday", "16:counted", "17:counted", "18:counted", "19:counted", "20:weekend", "21:weekend", "22:counted"}
	if !reflect.DeepEqual(marks, want) {
		t.Errorf("marks\n got  %v\n want %v", marks, want)
	}
	if days[5].HolidayNameEN != "Eid al-Fitr" || days[len(days)-1].Count != 5 {
		t.Errorf("10 Apr = %+v, last = %+v", days[5], days[len(days)-1])
	}
}

func TestExplainRunningProjects(t *testing.T) {
	c := complaint("2024-04-01T09:00:00+07:00")
	now := at("2024-04-02T12:00:00+07:00")
	clocks, err := engine().Compute(c, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	days, err := Explain(clocks[0], testCal, wib, now)
	if err != nil {
		t.Fatal(err)
	}
	// Mon 1 receipt, Tue 2 counted (today), Wed 3 and Thu 4 projected.
	if len(days) != 4 || days[1].Projected || !days[2].Projected || !days[3].Projected || days[3].Count != 3 {
		t.Errorf("days = %+v", days)
	}
	if _, err := Explain(clocks[0], testCal, nil, now); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("nil zone: %v", err)
	}
}
