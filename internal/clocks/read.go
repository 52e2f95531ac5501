package clocks

import (
	"context"
	"fmt"
	"time"

	"github.com/tanggap-id/tanggap/internal/clock"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

// ClockView is a stored clock as the API and pages show it: times in the
// agency's zone, and the day-by-day explanation when asked for.
type ClockView struct {
	domain.Clock
	TimeZone   string      `json:"time_zone"`
	ComputedAt time.Time   `json:"computed_at"`
	Days       []clock.Day `json:"days,omitempty"`
	// Counted is the number of counted days in Days (up to today for a
	// running clock): for a stopped clock it equals WorkingDaysUsed.
	Counted int `json:"-"`
}

// ComplaintClocks returns the stored clocks of a complaint. With explain,
// each carries its day-by-day trace against the current calendar; a stopped
// clock judged under an older calendar version (its calendar_version differs)
// keeps its frozen numbers, and its trace shows today's holidays.
func (s *Service) ComplaintClocks(ctx context.Context, complaintID int64, explain bool) ([]ClockView, error) {
	byID, err := s.store.ClocksOfComplaints(ctx, []int64{complaintID})
	if err != nil {
		return nil, err
	}
	recs := byID[complaintID]
	out := make([]ClockView, 0, len(recs))
	var cal *workcal.Calendar
	if explain && len(recs) > 0 {
		if cal, _, err = s.calendars.Current(ctx); err != nil {
			return nil, err
		}
	}
	for _, r := range recs {
		v := ClockView{Clock: r.Clock, TimeZone: r.TimeZone, ComputedAt: r.ComputedAt}
		if explain {
			days, err := ExplainRecord(r, cal)
			if err != nil {
				return nil, err
			}
			v.Days = days
			for _, d := range days {
				if d.Mark == clock.MarkCounted && !d.Projected {
					v.Counted++
				}
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// ComplaintClocksByKey is ComplaintClocks for a complaint named by source
// and tracking id.
func (s *Service) ComplaintClocksByKey(ctx context.Context, source, trackingID string, explain bool) ([]ClockView, error) {
	pc, err := s.store.ComplaintByKey(ctx, store.ComplaintKey{Source: source, TrackingID: trackingID})
	if err != nil {
		return nil, err
	}
	return s.ComplaintClocks(ctx, pc.ID, explain)
}

// ExplainRecord explains a stored clock as of when it was computed, so the
// counted days match its stored working days used; for a running clock the
// days after that are projected up to the due day.
func ExplainRecord(r store.ClockRecord, cal *workcal.Calendar) ([]clock.Day, error) {
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("clocks: explain: zone %q: %w", r.TimeZone, err)
	}
	return clock.Explain(r.Clock, cal, loc, r.ComputedAt)
}

// PublicStatus is what the public complaint page shows: public fields and
// history, and the clocks with their explanations. It never holds reporter
// data; a confidential complaint carries its clocks only.
type PublicStatus struct {
	Complaint    domain.Complaint
	Confidential bool
	TimeZone     string
	Events       []domain.Event
	Clocks       []ClockView
}

// ComplaintStatus returns a complaint's public status with explained clocks.
func (s *Service) ComplaintStatus(ctx context.Context, source, trackingID string) (PublicStatus, error) {
	pc, err := s.store.ComplaintByKey(ctx, store.ComplaintKey{Source: source, TrackingID: trackingID})
	if err != nil {
		return PublicStatus{}, err
	}
	st := PublicStatus{Complaint: pc.Complaint, Confidential: pc.Complaint.Confidential, TimeZone: pc.TimeZone}
	if loc, err := time.LoadLocation(pc.TimeZone); err == nil {
		st.Complaint.SubmittedAt = st.Complaint.SubmittedAt.In(loc)
	}
	if st.Confidential {
		st.Complaint.Title, st.Complaint.Summary, st.Complaint.Category = "", "", ""
	} else {
		if st.Events, err = s.store.ComplaintEvents(ctx, pc.ID); err != nil {
			return PublicStatus{}, err
		}
	}
	st.Clocks, err = s.ComplaintClocks(ctx, pc.ID, true)
	return st, err
}
