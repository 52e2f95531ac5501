// Package workcal is the working-day calendar of Indonesian government offices
// (design §3.3): Monday to Friday minus national holidays and cuti bersama,
// for exactly the years whose decrees were loaded. Dates outside those years
// are errors, never assumed to be working days.
//
// Counting follows the day-granular legal convention: the day of receipt is
// day 0 whatever the hour, counting starts on the next working day in the
// agency's zone, and a limit of N working days expires at 23:59:59 local time
// of the N-th working day. After New, every query is O(1): a prefix count of
// working days per day and the inverse table from working-day ordinal to day.
package workcal

import (
	"fmt"
	"slices"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// ErrOutOfRange marks a date outside the years the calendar covers. It wraps
// domain.ErrInvalid so callers that only map ErrInvalid still refuse it.
var ErrOutOfRange = fmt.Errorf("date outside the calendar's covered years: %w", domain.ErrInvalid)

// Calendar answers working-day questions for a contiguous range of years. It
// is immutable after New and safe for concurrent use.
type Calendar struct {
	version     string
	first, last int
	base        int       // days since 1970-01-01 of Jan 1 of the first year
	holidays    []Holiday // sorted by date
	holidayAt   []int32   // per day offset: index+1 into holidays, 0 for none
	prefix      []int32   // prefix[i] = working days among day offsets [0, i)
	workday     []int32   // workday[k] = day offset of the (k+1)-th working day
}

// New builds a calendar from holiday data. The covered years run from the
// earliest to the latest year in the data; every year in between must have at
// least one row, since a year without its decree is not a year without
// holidays. version labels results computed with this calendar.
func New(holidays []Holiday, version string) (*Calendar, error) {
	if version == "" {
		return nil, domain.Invalid("version", "required")
	}
	if len(holidays) == 0 {
		return nil, domain.Invalid("holidays", "no holiday data: the calendar would cover no year")
	}
	hs := slices.Clone(holidays)
	slices.SortFunc(hs, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	years := map[int]bool{}
	for i, h := range hs {
		if !h.Date.Valid() {
			return nil, domain.Invalidf("holidays", "row %d: invalid date %v", i, h.Date)
		}
		if !h.Kind.Valid() {
			return nil, domain.Invalidf("holidays", "%s: unknown kind %q", h.Date, h.Kind)
		}
		if i > 0 && hs[i-1].Date == h.Date {
			return nil, domain.Invalidf("holidays", "%s listed twice", h.Date)
		}
		years[h.Date.Year] = true
	}
	first, last := hs[0].Date.Year, hs[len(hs)-1].Date.Year
	for y := first; y <= last; y++ {
		if !years[y] {
			return nil, domain.Invalidf("holidays", "no holiday listed for %d: load that year's decree before covering %d-%d", y, first, last)
		}
	}

	c := &Calendar{
		version:  version,
		first:    first,
		last:     last,
		base:     daysFromCivil(first, 1, 1),
		holidays: hs,
	}
	n := daysFromCivil(last+1, 1, 1) - c.base
	c.holidayAt = make([]int32, n)
	for i, h := range hs {
		c.holidayAt[h.Date.days()-c.base] = int32(i + 1)
	}
	c.prefix = make([]int32, n+1)
	c.workday = make([]int32, 0, n*5/7)
	for off := range n {
		c.prefix[off+1] = c.prefix[off]
		if c.workingAt(off) {
			c.prefix[off+1]++
			c.workday = append(c.workday, int32(off))
		}
	}
	return c, nil
}

func (c *Calendar) workingAt(off int) bool {
	wd := dateFromDays(c.base + off).Weekday()
	return wd != time.Saturday && wd != time.Sunday && c.holidayAt[off] == 0
}

// Version is the label given to New.
func (c *Calendar) Version() string { return c.version }

// CoveredYears is the first and last year the calendar covers.
func (c *Calendar) CoveredYears() (first, last int) { return c.first, c.last }

// HasYear reports whether year y is covered.
func (c *Calendar) HasYear(y int) bool { return y >= c.first && y <= c.last }

// Holidays returns a copy of the holiday rows, sorted by date.
func (c *Calendar) Holidays() []Holiday { return slices.Clone(c.holidays) }

// Holiday returns the holiday on d, if any. Weekends are not holidays unless
// a decree names them.
func (c *Calendar) Holiday(d Date) (Holiday, bool) {
	off, err := c.offset(d)
	if err != nil || c.holidayAt[off] == 0 {
		return Holiday{}, false
	}
	return c.holidays[c.holidayAt[off]-1], true
}

// offset is d's day index from Jan 1 of the first covered year.
func (c *Calendar) offset(d Date) (int, error) {
	if !d.Valid() {
		return 0, fmt.Errorf("workcal: %w", domain.Invalidf("date", "%04d-%02d-%02d is not a calendar date", d.Year, int(d.Month), d.Day))
	}
	if d.Year < c.first || d.Year > c.last {
		return 0, fmt.Errorf("workcal: %w: %s not in %d-%d", ErrOutOfRange, d, c.first, c.last)
	}
	return d.days() - c.base, nil
}

// IsWorkingDay reports whether d is a working day.
func (c *Calendar) IsWorkingDay(d Date) (bool, error) {
	off, err := c.offset(d)
	if err != nil {
		return false, err
	}
	return c.prefix[off+1] != c.prefix[off], nil
}

// AddWorkingDays returns the n-th working day after d (n > 0), the |n|-th
// working day before d (n < 0), or d itself (n = 0). d need not be a working
// day. A result beyond the covered years is ErrOutOfRange.
func (c *Calendar) AddWorkingDays(d Date, n int) (Date, error) {
	off, err := c.offset(d)
	if err != nil {
		return Date{}, err
	}
	var k int // 0-based ordinal of the wanted working day
	switch {
	case n == 0:
		return d, nil
	case n > 0:
		k = int(c.prefix[off+1]) + n - 1 // working days up to and including d, then n more
	default:
		k = int(c.prefix[off]) + n // working days strictly before d, then back |n|-1 more
	}
	if k < 0 || k >= len(c.workday) {
		return Date{}, fmt.Errorf("workcal: %w: %d working days from %s passes the covered years %d-%d", ErrOutOfRange, n, d, c.first, c.last)
	}
	return dateFromDays(c.base + int(c.workday[k])), nil
}

// WorkingDaysBetween counts the working days after a up to and including b.
// For b before a it is the negated count of working days after b up to and
// including a, so WorkingDaysBetween(a, b) = -WorkingDaysBetween(b, a).
func (c *Calendar) WorkingDaysBetween(a, b Date) (int, error) {
	oa, err := c.offset(a)
	if err != nil {
		return 0, err
	}
	ob, err := c.offset(b)
	if err != nil {
		return 0, err
	}
	return int(c.prefix[ob+1] - c.prefix[oa+1]), nil
}

// Due is the deadline of an n-working-day limit for something received at
// instant received by an agency in zone loc: 23:59:59 local of the n-th
// working day after the local day of receipt (day 0). n = 0 gives the end of
// day 0.
func (c *Calendar) Due(received time.Time, loc *time.Location, n int) (time.Time, error) {
	if loc == nil {
		return time.Time{}, fmt.Errorf("workcal: Due: %w", domain.Invalid("location", "nil time zone"))
	}
	if n < 0 {
		return time.Time{}, domain.Invalidf("limit", "working-day limit %d is negative", n)
	}
	d, err := c.AddWorkingDays(DateOf(received, loc), n)
	if err != nil {
		return time.Time{}, err
	}
	return d.End(loc), nil
}

// WorkingDaysUsed counts the working days after the local day of start (day
// 0) up to and including the local day of stop, in zone loc.
func (c *Calendar) WorkingDaysUsed(start, stop time.Time, loc *time.Location) (int, error) {
	if loc == nil {
		return 0, fmt.Errorf("workcal: WorkingDaysUsed: %w", domain.Invalid("location", "nil time zone"))
	}
	return c.WorkingDaysBetween(DateOf(start, loc), DateOf(stop, loc))
}
