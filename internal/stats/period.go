package stats

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// PeriodKind is the length of a reporting period.
type PeriodKind string

const (
	PeriodMonth     PeriodKind = "month"
	PeriodQuarter   PeriodKind = "quarter"
	PeriodYear      PeriodKind = "year"
	PeriodRolling90 PeriodKind = "rolling90"
)

// RollingDays is the length of the rolling period.
const RollingDays = 90

// Period is a span of calendar dates, both ends inclusive. Start and End are
// midnight UTC standing for a calendar date; callers convert instants to the
// agency's local date before asking which period holds them (Date), and use
// Bounds for the instants of a period in a zone.
type Period struct {
	Kind  PeriodKind `json:"kind"`
	Key   string     `json:"key"` // 2024-Q1, 2024-03, 2024 or rolling90
	Start time.Time  `json:"start"`
	End   time.Time  `json:"end"`
}

// Date returns the calendar date of t (read in t's own location) as midnight UTC.
func Date(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Days is the number of calendar days in the period.
func (p Period) Days() int { return DaysBetween(p.Start, p.End) + 1 }

// Contains reports whether the calendar date of t lies in the period.
func (p Period) Contains(t time.Time) bool {
	d := Date(t)
	return !d.Before(p.Start) && !d.After(p.End)
}

// Bounds returns the period as the half-open instant range [from, to) in loc:
// from is the start of Start, to the start of the day after End.
func (p Period) Bounds(loc *time.Location) (from, to time.Time) {
	from = time.Date(p.Start.Year(), p.Start.Month(), p.Start.Day(), 0, 0, 0, 0, loc)
	after := p.End.AddDate(0, 0, 1)
	to = time.Date(after.Year(), after.Month(), after.Day(), 0, 0, 0, 0, loc)
	return from, to
}

func (p Period) String() string { return p.Key }

// MarshalJSON writes Start and End as plain dates (2024-03-31).
func (p Period) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Kind  PeriodKind `json:"kind"`
		Key   string     `json:"key"`
		Start string     `json:"start"`
		End   string     `json:"end"`
	}{p.Kind, p.Key, p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly)})
}

// DaysBetween is the number of calendar days from the date of a to the date of b
// (negative when b is earlier).
func DaysBetween(a, b time.Time) int {
	return int(Date(b).Sub(Date(a)) / (24 * time.Hour))
}

const minYear, maxYear = 1900, 9999

// ParsePeriod reads a period key: "2024-Q1" (quarter, q accepted), "2024-03"
// (month), "2024" (year) or "rolling90" (the 90 days ending on today's date,
// today included). Errors name the field "period" and wrap domain.ErrInvalid.
func ParsePeriod(s string, today time.Time) (Period, error) {
	s = strings.TrimSpace(s)
	bad := func(why string) (Period, error) {
		return Period{}, domain.Invalidf("period", "%q: %s (use 2024, 2024-Q1, 2024-03 or rolling90)", s, why)
	}
	if strings.EqualFold(s, string(PeriodRolling90)) {
		return Rolling90(today), nil
	}
	ys, rest, hasRest := strings.Cut(s, "-")
	if len(ys) != 4 {
		return bad("year must have four digits")
	}
	year, err := strconv.Atoi(ys)
	if err != nil || year < minYear || year > maxYear {
		return bad("bad year")
	}
	switch {
	case !hasRest:
		return YearPeriod(year), nil
	case len(rest) == 2 && (rest[0] == 'Q' || rest[0] == 'q'):
		q, err := strconv.Atoi(rest[1:])
		if err != nil || q < 1 || q > 4 {
			return bad("quarter must be Q1..Q4")
		}
		return QuarterPeriod(year, q), nil
	case len(rest) == 2:
		m, err := strconv.Atoi(rest)
		if err != nil || m < 1 || m > 12 {
			return bad("month must be 01..12")
		}
		return MonthPeriod(year, time.Month(m)), nil
	}
	return bad("unrecognised form")
}

// MonthPeriod is the calendar month.
func MonthPeriod(year int, m time.Month) Period {
	start := time.Date(year, m, 1, 0, 0, 0, 0, time.UTC)
	return Period{Kind: PeriodMonth, Key: fmt.Sprintf("%04d-%02d", year, int(m)), Start: start, End: start.AddDate(0, 1, -1)}
}

// QuarterPeriod is quarter q (1..4) of year.
func QuarterPeriod(year, q int) Period {
	start := time.Date(year, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, time.UTC)
	return Period{Kind: PeriodQuarter, Key: fmt.Sprintf("%04d-Q%d", year, q), Start: start, End: start.AddDate(0, 3, -1)}
}

// YearPeriod is the calendar year.
func YearPeriod(year int) Period {
	start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	return Period{Kind: PeriodYear, Key: fmt.Sprintf("%04d", year), Start: start, End: start.AddDate(1, 0, -1)}
}

// Rolling90 is the 90 calendar days ending on today's date (read in today's location).
func Rolling90(today time.Time) Period {
	end := Date(today)
	return Period{Kind: PeriodRolling90, Key: string(PeriodRolling90), Start: end.AddDate(0, 0, -(RollingDays - 1)), End: end}
}

// PeriodsOf returns the month, quarter and year holding the calendar date of t:
// the roll-up buckets a clock due on that date is counted in. Rolling periods
// are not calendar buckets and are left out.
func PeriodsOf(t time.Time) []Period {
	y, m, _ := t.Date()
	return []Period{MonthPeriod(y, m), QuarterPeriod(y, (int(m)-1)/3+1), YearPeriod(y)}
}
