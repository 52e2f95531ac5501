package workcal

import (
	"fmt"
	"time"
)

// Date is a civil (calendar) date with no time of day and no zone. Legal
// deadlines are counted in whole days in the agency's zone, so the calendar
// works on Dates; DateOf and the Start/End methods cross to and from instants.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date y-m-d; out-of-range parts are normalised the way
// time.Date does (2024-02-30 becomes 2024-03-01).
func NewDate(y int, m time.Month, d int) Date {
	return dateFromDays(daysFromCivil(y, int(m), d))
}

// ParseDate reads a YYYY-MM-DD date and rejects impossible ones (2024-02-30).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}, nil
}

// DateOf is the civil date of instant t in loc (the agency's zone). A nil loc
// panics, as time.Time.In does.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{Year: y, Month: m, Day: d}
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// MarshalText writes YYYY-MM-DD (also for JSON).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Valid reports whether d names a real day of the proleptic Gregorian calendar.
func (d Date) Valid() bool {
	return d.Month >= time.January && d.Month <= time.December && d.Day >= 1 && d.Day <= daysIn(d.Year, d.Month)
}

// Weekday is the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	return time.Weekday(((d.days() % 7) + 7 + int(time.Thursday)) % 7)
}

// AddDays returns the date n calendar days after d (before, for negative n).
func (d Date) AddDays(n int) Date { return dateFromDays(d.days() + n) }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch a, b := d.days(), o.days(); {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is strictly before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is strictly after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Start is the first instant (00:00:00) of d in loc.
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// End is 23:59:59 of d in loc: the instant a day-granular deadline expires
// (design §3.3).
func (d Date) End(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 23, 59, 59, 0, loc)
}

// days is the number of days since 1970-01-01.
func (d Date) days() int { return daysFromCivil(d.Year, int(d.Month), d.Day) }

func dateFromDays(z int) Date {
	y, m, d := civilFromDays(z)
	return Date{Year: y, Month: time.Month(m), Day: d}
}

var monthDays = [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func daysIn(y int, m time.Month) int {
	if m == time.February && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		return 29
	}
	return monthDays[m]
}

// daysFromCivil and civilFromDays are H. Hinnant's branch-light civil-date
// algorithms; they avoid time.Date so calendar lookups stay a few nanoseconds.
func daysFromCivil(y, m, d int) int {
	// Normalise months outside 1..12 first so NewDate behaves like time.Date.
	if m < 1 || m > 12 {
		y += floorDiv(m-1, 12)
		m = (m-1)%12 + 1
		if m < 1 {
			m += 12
		}
	}
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func civilFromDays(z int) (y, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
