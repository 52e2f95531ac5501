package clock

import (
	"fmt"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

// DayMark says how one calendar day was treated by a clock.
type DayMark string

const (
	MarkReceipt DayMark = "receipt" // day 0: the start day never counts
	MarkCounted DayMark = "counted"
	MarkWeekend DayMark = "weekend"
	MarkHoliday DayMark = "holiday" // libur nasional or cuti bersama, even on a weekend
	MarkPaused  DayMark = "paused"  // a working day inside a clarification pause
)

// Day is one line of a clock's day-by-day explanation.
type Day struct {
	Date          workcal.Date `json:"date"`
	Mark          DayMark      `json:"mark"`
	HolidayNameID string       `json:"holiday_name_id,omitempty"`
	HolidayNameEN string       `json:"holiday_name_en,omitempty"`
	Count         int          `json:"count"` // counted days so far, this one included
	// Projected marks days after now on a running clock: a forecast that
	// assumes no further pause.
	Projected bool `json:"projected,omitempty"`
}

// Explain lists every calendar day of the clock from its start day (day 0)
// to its stop day, or for a running clock to its due day or today, whichever
// is later. loc must be the agency's zone the clock was computed in. For a
// stopped clock the counted days sum to WorkingDaysUsed; for a running one
// the counted days up to today do.
func Explain(c Clock, cal *workcal.Calendar, loc *time.Location, now time.Time) ([]Day, error) {
	if loc == nil {
		return nil, fmt.Errorf("clock: explain: %w", domain.Invalid("location", "nil time zone"))
	}
	if c.StartedAt.IsZero() || c.DueAt.IsZero() {
		return nil, fmt.Errorf("clock: explain: %w", domain.Invalid("clock", "no start or due time"))
	}
	start := workcal.DateOf(c.StartedAt, loc)
	today := workcal.DateOf(now, loc)
	last := workcal.DateOf(c.DueAt, loc)
	if c.StoppedAt != nil {
		last = workcal.DateOf(*c.StoppedAt, loc)
	} else if today.After(last) {
		last = today
	}
	type window struct{ after, upTo workcal.Date }
	pauses := make([]window, len(c.Pauses))
	for i, p := range c.Pauses {
		pauses[i] = window{workcal.DateOf(p.From, loc), workcal.DateOf(p.To, loc)}
	}
	inPause := func(d workcal.Date) bool {
		for _, w := range pauses {
			if d.After(w.after) && !d.After(w.upTo) {
				return true
			}
		}
		return false
	}

	var days []Day
	count := 0
	for d := start; !d.After(last); d = d.AddDays(1) {
		working, err := cal.IsWorkingDay(d)
		if err != nil {
			return nil, fmt.Errorf("clock: explain: %w", err)
		}
		day := Day{Date: d, Projected: c.StoppedAt == nil && d.After(today)}
		h, isHoliday := cal.Holiday(d)
		switch {
		case d == start:
			day.Mark = MarkReceipt
		case isHoliday:
			day.Mark = MarkHoliday
		case !working:
			day.Mark = MarkWeekend
		case inPause(d):
			day.Mark = MarkPaused
		default:
			day.Mark = MarkCounted
			count++
		}
		if isHoliday {
			day.HolidayNameID, day.HolidayNameEN = h.NameID, h.NameEN
		}
		day.Count = count
		days = append(days, day)
	}
	return days, nil
}
