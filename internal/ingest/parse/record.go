package parse

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// rowMapper turns one row of field values into a record. CSV, XLSX and
// NDJSON all go through it, so a field rule holds for every format.
type rowMapper struct {
	opt       Options
	source    string
	parseTime func(s string, loc *time.Location) (time.Time, error)
}

func newRowMapper(opt Options) *rowMapper {
	return &rowMapper{opt: opt, source: opt.source(), parseTime: ParseTime}
}

// values reads a row through a header: value(f) is the first non-empty
// column that feeds f.
type values struct {
	h   *header
	row []string
}

func (v values) get(f field) string {
	for _, c := range v.h.cols[f] {
		if c < len(v.row) {
			if s := strings.TrimSpace(v.row[c]); s != "" {
				return s
			}
		}
	}
	return ""
}

// has reports whether any column feeds f.
func (v values) has(f field) bool { return len(v.h.cols[f]) > 0 }

// rowErrors collects the field errors of one row.
type rowErrors struct {
	record string
	line   int
	prefix string // "events[2]." for embedded events
	errs   []domain.FieldError
}

func (e *rowErrors) add(f field, format string, args ...any) {
	e.errs = append(e.errs, domain.FieldError{Record: e.record, Line: e.line, Field: e.prefix + f.String(), Reason: fmt.Sprintf(format, args...)})
}

// agency resolves a code field; loc is nil when the code is empty or unknown.
func (m *rowMapper) agency(v values, f field, required bool, e *rowErrors) (string, *time.Location) {
	code := v.get(f)
	if code == "" {
		if required {
			e.add(f, "required")
		}
		return "", nil
	}
	loc, ok := m.opt.Agencies(code)
	if !ok {
		e.add(f, "unknown agency code %q", code)
		return code, nil
	}
	if loc == nil {
		loc = time.UTC // a lookup without a zone: only offset times are meaningful
	}
	return code, loc
}

// timeField parses a time field. agencyKnown false means the zone is missing
// because the agency was rejected: a local time is then not reported again.
func (m *rowMapper) timeField(v values, f field, loc *time.Location, required, agencyKnown bool, e *rowErrors) (time.Time, bool) {
	s := v.get(f)
	if s == "" {
		if required {
			e.add(f, "required")
		}
		return time.Time{}, false
	}
	t, err := m.parseTime(s, loc)
	if err != nil {
		if errors.Is(err, ErrNeedsZone) {
			if !agencyKnown {
				return time.Time{}, false
			}
			e.add(f, "local time %q needs agency_code (or to_agency_code) for its time zone", s)
			return time.Time{}, false
		}
		e.add(f, "%s", err.Error())
		return time.Time{}, false
	}
	return t, true
}

func (m *rowMapper) boolField(v values, f field, e *rowErrors) bool {
	b, err := ParseBool(v.get(f))
	if err != nil {
		e.add(f, "%s", err.Error())
	}
	return b
}

// complaint maps a complaint row. It returns the record or the row's errors.
func (m *rowMapper) complaint(v values, line int) (*ComplaintRecord, []domain.FieldError) {
	id := v.get(fTrackingID)
	e := &rowErrors{record: recordName(id, "complaint"), line: line}
	if id == "" {
		e.add(fTrackingID, "required")
	}
	c := domain.Complaint{
		Source:     m.source,
		TrackingID: id,
		Category:   v.get(fCategory),
		Channel:    v.get(fChannel),
		RegionCode: v.get(fRegionCode),
		Title:      v.get(fTitle),
		Summary:    v.get(fSummary),
	}
	if s := v.get(fSource); s != "" {
		c.Source = s
	}
	if s := v.get(fReportType); s == "" {
		e.add(fReportType, "required")
	} else if rt, err := ParseReportType(s); err != nil {
		e.add(fReportType, "%s", err.Error())
	} else {
		c.ReportType = rt
	}
	var loc *time.Location
	c.AgencyCode, loc = m.agency(v, fAgencyCode, true, e)
	known := loc != nil // a missing or unknown agency is already reported
	if t, ok := m.timeField(v, fSubmittedAt, loc, true, known, e); ok {
		c.SubmittedAt = t
	}
	if t, ok := m.timeField(v, fSourceUpdatedAt, loc, false, known, e); ok {
		c.SourceUpdatedAt = &t
	}
	c.Anonymous = m.boolField(v, fAnonymous, e)
	c.Confidential = m.boolField(v, fConfidential, e)

	rec := &ComplaintRecord{Line: line, Complaint: c,
		Reporter: domain.Reporter{Name: v.get(fReporterName), Contact: v.get(fReporterContact)}}
	// LAPOR exports carry milestone dates, not events: derive them.
	assignedAt, hasAssigned := m.timeField(v, fAssignedAt, loc, false, known, e)
	if hasAssigned {
		rec.Events = append(rec.Events, m.derived(c, domain.EventAssigned, assignedAt))
	}
	if closedAt, ok := m.timeField(v, fClosedAt, loc, false, known, e); ok {
		kind := domain.EventCompleted
		switch normValue(v.get(fStatus)) {
		case "arsip", "diarsip", "diarsipkan", "dihapus", "ditolak":
			kind = domain.EventClosed
			if !hasAssigned {
				kind = domain.EventRejected
			}
		}
		rec.Events = append(rec.Events, m.derived(c, kind, closedAt))
	}
	if len(e.errs) > 0 {
		return nil, e.errs
	}
	return rec, nil
}

// derived builds an event implied by a complaint column.
func (m *rowMapper) derived(c domain.Complaint, kind domain.EventKind, at time.Time) domain.Event {
	ev := domain.Event{Source: c.Source, TrackingID: c.TrackingID, Kind: kind, At: at}
	if kind == domain.EventAssigned {
		ev.ToAgencyCode = c.AgencyCode
	} else {
		ev.AgencyCode = c.AgencyCode
	}
	ev.EventID = domain.EventIdentity(ev)
	return ev
}

// eventDefaults carries what an embedded event inherits from its complaint.
type eventDefaults struct {
	source, trackingID string
	loc                *time.Location
}

// event maps an event row. def is nil for a stand-alone event row.
func (m *rowMapper) event(v values, line int, def *eventDefaults, prefix string) (*EventRecord, []domain.FieldError) {
	id := v.get(fTrackingID)
	e := &rowErrors{record: recordName(id, "event"), line: line, prefix: prefix}
	ev := domain.Event{Source: m.source, TrackingID: id, EventID: v.get(fEventID), PublicText: v.get(fPublicText)}
	if def != nil {
		e.record = recordName(def.trackingID, "complaint")
		ev.Source = def.source
		switch {
		case id == "":
			ev.TrackingID = def.trackingID
		case id != def.trackingID:
			e.add(fTrackingID, "%q differs from the complaint's %q", id, def.trackingID)
		}
	}
	if s := v.get(fSource); s != "" {
		ev.Source = s
	}
	if ev.TrackingID == "" && def == nil {
		e.add(fTrackingID, "required")
	}
	if s := v.get(fKind); s == "" {
		e.add(fKind, "required")
	} else if k, err := ParseEventKind(s); err != nil {
		e.add(fKind, "%s", err.Error())
	} else {
		ev.Kind = k
	}
	var loc, toLoc *time.Location
	ev.AgencyCode, loc = m.agency(v, fAgencyCode, false, e)
	ev.ToAgencyCode, toLoc = m.agency(v, fToAgencyCode, ev.Kind.NeedsTarget(), e)
	known := (ev.AgencyCode == "" || loc != nil) && (ev.ToAgencyCode == "" || toLoc != nil)
	if loc == nil {
		loc = toLoc
	}
	if loc == nil && def != nil {
		loc = def.loc
	}
	if t, ok := m.timeField(v, fAt, loc, true, known, e); ok {
		ev.At = t
	}
	if len(e.errs) > 0 {
		return nil, e.errs
	}
	if ev.EventID == "" {
		ev.EventID = domain.EventIdentity(ev)
	}
	return &EventRecord{Line: line, Event: ev}, nil
}

func recordName(id, kind string) string {
	if id != "" {
		return id
	}
	return kind
}
