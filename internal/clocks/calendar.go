// Package clocks runs the stateful side of complaint clocks: the working-day
// calendar kept in the database (versioned holiday changes with their audit
// trail), the SLA policies in force, and the recompute of stored clocks after
// ingest, after a holiday change, on demand and by the periodic sweep. The
// arithmetic itself is in the pure packages workcal, slapolicy and clock.
package clocks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

// SystemActor names changes made by Tanggap itself (seeding).
const SystemActor = "system"

// jakarta is the zone of national dates such as "1 November".
var jakarta = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		return time.FixedZone("WIB", 7*3600)
	}
	return loc
})

// Calendars serves the current working-day calendar built from the holidays
// table. It is cached per calendar version: a change anywhere (another
// replica included) shows up as a newer version row and triggers a reload.
type Calendars struct {
	store *store.Store
	log   *slog.Logger
	now   func() time.Time

	mu        sync.Mutex
	versionID int64
	cal       *workcal.Calendar
}

// NewCalendars builds the calendar service.
func NewCalendars(st *store.Store, log *slog.Logger, now func() time.Time) *Calendars {
	if now == nil {
		now = time.Now
	}
	return &Calendars{store: st, log: log, now: now}
}

// EnsureSeeded loads the embedded holiday catalogue for every year the
// database does not cover yet, as one calendar version. Years already present
// are left alone, so an administrator's corrections survive, while a newer
// binary shipping a new year adds it. Idempotent; returns the rows added.
func (c *Calendars) EnsureSeeded(ctx context.Context) (int, error) {
	embedded, err := workcal.LoadEmbedded()
	if err != nil {
		return 0, fmt.Errorf("clocks: embedded holidays: %w", err)
	}
	added := 0
	err = c.store.InTx(ctx, func(tx *store.Store) error {
		have, err := tx.Holidays(ctx)
		if err != nil {
			return err
		}
		years := map[int]bool{}
		for _, h := range have {
			years[h.Date.Year] = true
		}
		now := c.now()
		var newYears []int
		for _, h := range embedded {
			if years[h.Date.Year] {
				continue
			}
			if len(newYears) == 0 || newYears[len(newYears)-1] != h.Date.Year {
				newYears = append(newYears, h.Date.Year)
			}
			if err := tx.InsertHoliday(ctx, h, now); err != nil {
				return err
			}
			added++
		}
		_, verr := tx.LatestCalendarVersion(ctx)
		if added == 0 && verr == nil {
			return nil
		}
		if verr != nil && !errors.Is(verr, domain.ErrNotFound) {
			return verr
		}
		all, err := tx.Holidays(ctx)
		if err != nil {
			return err
		}
		reason := "seed from the embedded holiday catalogue"
		if len(newYears) > 0 {
			reason = fmt.Sprintf("seed years %d-%d from the embedded holiday catalogue", newYears[0], newYears[len(newYears)-1])
		}
		_, err = tx.InsertCalendarVersion(ctx, store.CalendarVersion{Hash: workcal.ContentVersion(all), Reason: reason,
			Source: "config/catalog/holidays-id.csv (SKB 3 Menteri per year)", Actor: SystemActor, CreatedAt: now})
		return err
	})
	if errors.Is(err, domain.ErrConflict) {
		// Another process seeded at the same moment: its rows are ours.
		return 0, nil
	}
	return added, err
}

// Current returns the calendar in force and its version row, seeding the
// holidays on first use.
func (c *Calendars) Current(ctx context.Context) (*workcal.Calendar, store.CalendarVersion, error) {
	v, err := c.store.LatestCalendarVersion(ctx)
	if errors.Is(err, domain.ErrNotFound) {
		if _, err := c.EnsureSeeded(ctx); err != nil {
			return nil, v, err
		}
		v, err = c.store.LatestCalendarVersion(ctx)
	}
	if err != nil {
		return nil, v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cal != nil && c.versionID == v.ID {
		return c.cal, v, nil
	}
	hs, err := c.store.Holidays(ctx)
	if err != nil {
		return nil, v, err
	}
	// The label is the content hash of what is stored, so the same holiday set
	// gives the same label on every replica and after any round trip.
	cal, err := workcal.New(hs, workcal.ContentVersion(hs))
	if err != nil {
		return nil, v, fmt.Errorf("clocks: calendar version %d: %w", v.ID, err)
	}
	c.versionID, c.cal = v.ID, cal
	return cal, v, nil
}

// MissingNextYear reports the next year when it is 1 November or later
// (Jakarta date) and the calendar does not cover it yet.
func (c *Calendars) MissingNextYear(ctx context.Context, now time.Time) (int, bool, error) {
	cal, _, err := c.Current(ctx)
	if err != nil {
		return 0, false, err
	}
	return missingNextYear(cal, now)
}

func missingNextYear(cal *workcal.Calendar, now time.Time) (int, bool, error) {
	today := workcal.DateOf(now, jakarta())
	next := today.Year + 1
	if today.Month >= time.November && !cal.HasYear(next) {
		return next, true, nil
	}
	return next, false, nil
}

// CoverageWarnings is a health.WarningSource: the readiness report names a
// missing next year from 1 November, and a missing current year at any time.
func (c *Calendars) CoverageWarnings(ctx context.Context) []string {
	now := c.now()
	cal, _, err := c.Current(ctx)
	if err != nil {
		return []string{"holiday calendar unavailable: " + err.Error()}
	}
	var out []string
	if y := workcal.DateOf(now, jakarta()).Year; !cal.HasYear(y) {
		out = append(out, fmt.Sprintf("holiday calendar does not cover %d: clocks cannot be computed; import the year's SKB 3 Menteri holidays (tanggap holidays import FILE)", y))
	}
	if y, missing, _ := missingNextYear(cal, now); missing {
		out = append(out, fmt.Sprintf("holiday calendar does not cover %d yet: import the SKB 3 Menteri holidays for %d before 1 January (tanggap holidays import FILE)", y, y))
	}
	return out
}
