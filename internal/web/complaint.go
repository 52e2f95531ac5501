package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/clock"
	"github.com/tanggap-id/tanggap/internal/clocks"
)

// ComplaintStatusReader is what the complaint page needs of the clock
// service. Its result never holds reporter data.
type ComplaintStatusReader interface {
	ComplaintStatus(ctx context.Context, source, trackingID string) (clocks.PublicStatus, error)
}

// WithComplaints enables the public complaint status page.
func (s *Site) WithComplaints(r ComplaintStatusReader) *Site {
	s.complaints = r
	return s
}

func (s *Site) registerComplaints(r *gin.Engine) {
	if s.complaints != nil {
		r.GET("/complaints/:source/:tracking_id", s.public(s.complaint))
	}
}

// Calendar banners: a site-wide notice when the holiday calendar lacks next
// year from 1 November (design §3.3).

// MissingYearChecker reports a calendar year that should be covered by now.
type MissingYearChecker interface {
	MissingNextYear(ctx context.Context, now time.Time) (int, bool, error)
}

// CalendarBanners is a BannerSource for the calendar coverage warning.
func CalendarBanners(c MissingYearChecker, now func() time.Time) BannerSource {
	return func(ctx context.Context) []Banner {
		y, missing, err := c.MissingNextYear(ctx, now())
		if err != nil || !missing {
			return nil
		}
		return []Banner{{Key: "banner.calendar_missing", Args: []any{y}}}
	}
}

type dayRow struct {
	Day        time.Time // the civil date (public page: formatted per language)
	Date       string
	WeekdayKey string
	MarkKey    string
	HolidayID  string
	HolidayEN  string
	Count      int
	Counted    bool
	Projected  bool
}

type pauseRow struct {
	FromT, ToT  time.Time
	From, To    string
	WorkingDays int
	Capped      bool
	Ongoing     bool
}

type clockRow struct {
	KindKey, VerdictKey, Verdict string
	AgencyCode                   string
	Cycle                        int
	Started, Due, Stopped        string
	StartedT, DueT, StoppedT     time.Time // the same times for per-language formatting
	LimitDays, Used, Paused      int
	PolicyVersion, CalVersion    string
	Pauses                       []pauseRow
	Days                         []dayRow
}

type eventRow struct {
	At, KindKey, Agency, To, Text string
	AtT                           time.Time
}

type complaintData struct {
	Source, TrackingID   string
	Confidential         bool
	Title, Summary       string
	TypeKey, Category    string
	AgencyCode           string
	Submitted, Zone      string
	SubmittedT           time.Time
	Clocks               []clockRow
	Events               []eventRow
	AnyRunning, AnyEnded bool
}

const pageTime = "02-01-2006 15:04 MST"

func weekdayKey(w time.Weekday) string { return "weekday." + strings.ToLower(w.String()[:3]) }

func (s *Site) complaint(c *gin.Context) {
	st, err := s.complaints.ComplaintStatus(c.Request.Context(), c.Param("source"), c.Param("tracking_id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	cp := st.Complaint
	d := complaintData{Source: cp.Source, TrackingID: cp.TrackingID, Confidential: st.Confidential, AgencyCode: cp.AgencyCode,
		Zone: zoneLabel(st.TimeZone)}
	if !st.Confidential {
		d.Title, d.Summary, d.Category = cp.Title, cp.Summary, cp.Category
		d.TypeKey = "report." + string(cp.ReportType)
		d.Submitted, d.SubmittedT = cp.SubmittedAt.Format(pageTime), cp.SubmittedAt
		loc := cp.SubmittedAt.Location()
		for _, e := range st.Events {
			d.Events = append(d.Events, eventRow{At: e.At.In(loc).Format(pageTime), AtT: e.At.In(loc), KindKey: "event." + string(e.Kind),
				Agency: e.AgencyCode, To: e.ToAgencyCode, Text: e.PublicText})
		}
	}
	for _, k := range st.Clocks {
		row := clockRow{KindKey: "clock." + string(k.Kind), Verdict: string(k.Verdict), VerdictKey: "verdict." + string(k.Verdict),
			AgencyCode: k.AgencyCode, Cycle: k.Cycle, Started: k.StartedAt.Format(pageTime), Due: k.DueAt.Format(pageTime), StartedT: k.StartedAt, DueT: k.DueAt,
			LimitDays: k.LimitDays, Used: k.WorkingDaysUsed, Paused: k.PausedWorkingDays, PolicyVersion: k.PolicyVersion,
			CalVersion: k.CalendarVersion}
		if k.StoppedAt != nil {
			row.Stopped, row.StoppedT = k.StoppedAt.Format(pageTime), *k.StoppedAt
			d.AnyEnded = true
		} else {
			d.AnyRunning = true
		}
		for _, p := range k.Pauses {
			row.Pauses = append(row.Pauses, pauseRow{From: p.From.Format(pageTime), To: p.To.Format(pageTime), FromT: p.From, ToT: p.To,
				WorkingDays: p.WorkingDays, Capped: p.Capped, Ongoing: p.Ongoing})
		}
		for _, day := range k.Days {
			row.Days = append(row.Days, dayRow{Day: day.Date.Start(time.UTC), Date: day.Date.String(), WeekdayKey: weekdayKey(day.Date.Weekday()),
				MarkKey: "mark." + string(day.Mark), HolidayID: day.HolidayNameID, HolidayEN: day.HolidayNameEN,
				Count: day.Count, Counted: day.Mark == clock.MarkCounted, Projected: day.Projected})
		}
		d.Clocks = append(d.Clocks, row)
	}
	s.engine.RenderTitled(c, http.StatusOK, "complaint", cp.TrackingID, d)
}
