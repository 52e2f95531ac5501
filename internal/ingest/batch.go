package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/ingest/parse"
	"github.com/tanggap-id/tanggap/internal/store"
)

// Result is the outcome of one input row: a complaint (with the events it
// carried) or a stand-alone event.
type Result struct {
	Index           int                 `json:"index"`          // 0-based position in an API batch
	Line            int                 `json:"line,omitempty"` // line (XLSX: row) in a file
	Source          string              `json:"source,omitempty"`
	TrackingID      string              `json:"tracking_id,omitempty"`
	EventID         string              `json:"event_id,omitempty"`
	Outcome         Outcome             `json:"outcome"`
	EventsCreated   int                 `json:"events_created,omitempty"`
	EventsUnchanged int                 `json:"events_unchanged,omitempty"`
	Errors          []domain.FieldError `json:"errors,omitempty"`
	// forbidden marks a rejection for scope, which a single write answers with 403.
	forbidden bool
}

// batchWriter writes one batch of parsed rows in one transaction.
type batchWriter struct {
	idx   *agencyIndex
	scope scope
	now   time.Time
	// direct lets the store COPY rows it is told are new straight into
	// their tables (PostgreSQL bulk path). A concurrent writer of the same
	// keys then fails the batch with ErrConflict, and the file import
	// retries it without direct; the API keeps the conflict-tolerant path.
	direct bool
}

// pending is a valid row on its way to the store.
type pending struct {
	res    *Result
	c      *parse.ComplaintRecord
	ref    *store.AgencyRef // the complaint's agency
	events []pendingEvent
}

type pendingEvent struct {
	ev       domain.Event
	ref, to  *store.AgencyRef
	res      *Result // row the event counts towards
	complain *pending
}

func reject(res *Result, errs ...domain.FieldError) {
	res.Outcome = Rejected
	res.Errors = append(res.Errors, errs...)
}

func fieldErr(res *Result, field, reason string) domain.FieldError {
	rec := res.TrackingID
	if rec == "" {
		rec = "complaint"
	}
	return domain.FieldError{Record: rec, Line: res.Line, Field: field, Reason: reason}
}

// resolveEvent canonicalises an event's agency codes (a LAPOR instansi id
// becomes the agency code) and normalises its time.
func (w *batchWriter) resolveEvent(ev domain.Event, res *Result, prefix string) (pendingEvent, bool) {
	pe := pendingEvent{ev: ev, res: res}
	ok := true
	if ev.AgencyCode != "" {
		if pe.ref, ok = w.idx.resolve(ev.AgencyCode); ok {
			pe.ev.AgencyCode = pe.ref.Code
		} else {
			reject(res, fieldErr(res, prefix+"agency_code", fmt.Sprintf("unknown agency code %q", ev.AgencyCode)))
		}
	}
	if ev.ToAgencyCode != "" {
		var tok bool
		if pe.to, tok = w.idx.resolve(ev.ToAgencyCode); tok {
			pe.ev.ToAgencyCode = pe.to.Code
		} else {
			ok = false
			reject(res, fieldErr(res, prefix+"to_agency_code", fmt.Sprintf("unknown agency code %q", ev.ToAgencyCode)))
		}
	}
	if ev.Kind.NeedsTarget() && pe.to == nil && ok {
		ok = false
		reject(res, fieldErr(res, prefix+"to_agency_code", fmt.Sprintf("required for %s events", ev.Kind)))
	}
	pe.ev.At = ev.At.UTC().Truncate(time.Microsecond)
	return pe, ok
}

// write stores items and returns one result per item plus the batch's
// counts and rejections (for the job's report).
func (w *batchWriter) write(ctx context.Context, tx *store.Store, items []parse.Item) ([]Result, store.ImportCounts, []domain.FieldError, error) {
	results := make([]Result, len(items))
	var complaints []*pending
	var loose []pendingEvent // stand-alone event rows
	var keys []store.ComplaintKey
	for i, it := range items {
		res := &results[i]
		res.Index, res.Line = i, it.Line
		switch {
		case !it.OK():
			res.Outcome, res.Errors = Rejected, it.Errors
			if len(it.Errors) > 0 {
				res.TrackingID = it.Errors[0].Record
			}
		case it.Complaint != nil:
			c := it.Complaint.Complaint
			res.Source, res.TrackingID = c.Source, c.TrackingID
			ref, ok := w.idx.resolve(c.AgencyCode)
			if !ok {
				reject(res, fieldErr(res, "agency_code", fmt.Sprintf("unknown agency code %q", c.AgencyCode)))
				continue
			}
			if !w.scope.allows(ref) {
				res.forbidden = true
				reject(res, fieldErr(res, "agency_code", fmt.Sprintf("agency %s is outside the token's scope (%s)", ref.Code, w.scope.p.AgencyCode)))
				continue
			}
			p := &pending{res: res, c: it.Complaint, ref: ref}
			p.c.Complaint.AgencyCode = ref.Code
			p.c.Complaint.SubmittedAt = c.SubmittedAt.UTC().Truncate(time.Microsecond)
			if c.SourceUpdatedAt != nil {
				t := c.SourceUpdatedAt.UTC().Truncate(time.Microsecond)
				p.c.Complaint.SourceUpdatedAt = &t
			}
			ok = true
			for j, ev := range it.Complaint.Events {
				pe, eok := w.resolveEvent(ev, res, fmt.Sprintf("events[%d].", j))
				pe.complain = p
				ok = ok && eok
				p.events = append(p.events, pe)
			}
			if !ok {
				continue
			}
			complaints = append(complaints, p)
			keys = append(keys, store.ComplaintKey{Source: c.Source, TrackingID: c.TrackingID})
		case it.Event != nil:
			ev := it.Event.Event
			res.Source, res.TrackingID, res.EventID = ev.Source, ev.TrackingID, ev.EventID
			pe, ok := w.resolveEvent(ev, res, "")
			if !ok {
				continue
			}
			loose = append(loose, pe)
			keys = append(keys, store.ComplaintKey{Source: ev.Source, TrackingID: ev.TrackingID})
		}
	}

	existing, err := tx.ComplaintsForIngest(ctx, keys)
	if err != nil {
		return nil, store.ImportCounts{}, nil, err
	}
	ids := make(map[store.ComplaintKey]int64, len(existing))
	owner := make(map[store.ComplaintKey]*store.AgencyRef, len(existing)) // agency each complaint ends up with
	for k, sc := range existing {
		ids[k] = sc.ID
		owner[k] = w.idx.byID[sc.AgencyID]
	}

	var inserts []store.ComplaintWrite
	var dirty []int64                     // complaints that may already carry a mark
	var newIDs []int64                    // complaints created here: no mark yet
	var fresh map[store.ComplaintKey]bool // created here: events not linked below are new
	var linked map[store.EventKey]bool    // their orphans, stored before them
	for _, p := range complaints {
		c := p.c.Complaint
		k := store.ComplaintKey{Source: c.Source, TrackingID: c.TrackingID}
		cw := store.ComplaintWrite{Complaint: c, Reporter: p.c.Reporter, AgencyID: p.ref.ID, GovernmentCode: p.ref.GovernmentCode}
		sc, found := existing[k]
		if found && sc.Anonymised {
			// Retention removed this reporter; the source still sends it.
			// Keep it removed, and compare the rest as usual.
			cw.Reporter = domain.Reporter{}
			p.c.Reporter = domain.Reporter{}
		}
		switch {
		case !found:
			p.res.Outcome = Created
			inserts = append(inserts, cw)
			owner[k] = p.ref
		case !w.scope.allows(w.idx.byID[sc.AgencyID]):
			p.res.forbidden = true
			reject(p.res, fieldErr(p.res, "tracking_id", "the stored complaint is assigned outside the token's scope"))
			p.events = nil
		case sameComplaint(sc, c, p.c.Reporter):
			p.res.Outcome = Unchanged
		case newer(c.SourceUpdatedAt, sc.Complaint.SourceUpdatedAt):
			p.res.Outcome = Updated
			if err := tx.UpdateComplaint(ctx, sc.ID, cw, w.now); err != nil {
				return nil, store.ImportCounts{}, nil, err
			}
			dirty = append(dirty, sc.ID)
			owner[k] = p.ref
		default:
			p.res.Outcome = Stale
		}
	}
	if len(inserts) > 0 {
		created, err := tx.InsertComplaints(ctx, inserts, w.now)
		if err != nil {
			return nil, store.ImportCounts{}, nil, err
		}
		newKeys := make([]store.ComplaintKey, 0, len(created))
		fresh = make(map[store.ComplaintKey]bool, len(created))
		for k, id := range created {
			ids[k] = id
			newIDs = append(newIDs, id)
			newKeys = append(newKeys, k)
			fresh[k] = true
		}
		if linked, err = tx.LinkOrphanEventKeys(ctx, newKeys); err != nil {
			return nil, store.ImportCounts{}, nil, err
		}
	}

	// Events: those carried by complaints, then stand-alone rows, whose
	// scope depends on the complaint they belong to (when known).
	var evs []pendingEvent
	for _, p := range complaints {
		if p.res.Outcome != Rejected {
			evs = append(evs, p.events...)
		}
	}
	for _, pe := range loose {
		k := store.ComplaintKey{Source: pe.ev.Source, TrackingID: pe.ev.TrackingID}
		allowed := w.scope.allows(pe.ref)
		if o, known := owner[k]; known {
			allowed = allowed || w.scope.allows(o)
		} else {
			allowed = allowed || w.scope.allows(pe.to)
		}
		if !allowed {
			pe.res.forbidden = true
			reject(pe.res, fieldErr(pe.res, "tracking_id", "the event's complaint and agencies are outside the token's scope"))
			continue
		}
		evs = append(evs, pe)
	}
	if len(evs) > 0 {
		writes := make([]store.EventWrite, len(evs))
		for i, pe := range evs {
			k := store.ComplaintKey{Source: pe.ev.Source, TrackingID: pe.ev.TrackingID}
			writes[i] = store.EventWrite{Event: pe.ev, ComplaintID: ids[k],
				New: w.direct && fresh[k] && !linked[store.EventKey{Source: k.Source, TrackingID: k.TrackingID, EventID: pe.ev.EventID}]}
			if pe.ref != nil {
				writes[i].AgencyID = pe.ref.ID
			}
			if pe.to != nil {
				writes[i].ToAgencyID = pe.to.ID
			}
		}
		created, err := tx.InsertEvents(ctx, writes, w.now)
		if err != nil {
			return nil, store.ImportCounts{}, nil, err
		}
		for i, pe := range evs {
			if created[i] {
				pe.res.EventsCreated++
				if !fresh[store.ComplaintKey{Source: pe.ev.Source, TrackingID: pe.ev.TrackingID}] {
					dirty = append(dirty, writes[i].ComplaintID) // 0 (orphan) is skipped
				}
			} else {
				pe.res.EventsUnchanged++
			}
			if pe.complain == nil { // a stand-alone event row's own outcome
				pe.res.Outcome = Unchanged
				if created[i] {
					pe.res.Outcome = Created
				}
			}
		}
	}
	if len(newIDs) > 0 {
		if err := tx.MarkNewComplaintsDirty(ctx, newIDs, w.now); err != nil {
			return nil, store.ImportCounts{}, nil, err
		}
	}
	if len(dirty) > 0 {
		if err := tx.MarkComplaintsDirty(ctx, dirty, w.now); err != nil {
			return nil, store.ImportCounts{}, nil, err
		}
	}

	var counts store.ImportCounts
	var rejections []domain.FieldError
	for i := range results {
		r := &results[i]
		switch r.Outcome {
		case Created:
			counts.Created++
		case Updated:
			counts.Updated++
		case Unchanged:
			counts.Unchanged++
		case Stale:
			counts.Stale++
		case Rejected:
			counts.Rejected++
			for _, e := range r.Errors {
				if e.Line == 0 {
					e.Line = r.Line
				}
				rejections = append(rejections, e)
			}
		}
		if items[i].Event == nil {
			counts.EventsCreated += int64(r.EventsCreated)
			counts.EventsUnchanged += int64(r.EventsUnchanged)
		}
	}
	return results, counts, rejections, nil
}

// sameComplaint reports whether an incoming record equals the stored one in
// every field the source sends, reporter included.
func sameComplaint(sc store.StoredComplaint, c domain.Complaint, r domain.Reporter) bool {
	s := sc.Complaint
	return s.ReportType == c.ReportType && s.Category == c.Category && s.Channel == c.Channel &&
		s.SubmittedAt.Equal(c.SubmittedAt) && s.AgencyCode == c.AgencyCode && s.RegionCode == c.RegionCode &&
		s.Anonymous == c.Anonymous && s.Confidential == c.Confidential && s.Title == c.Title && s.Summary == c.Summary &&
		sameTime(s.SourceUpdatedAt, c.SourceUpdatedAt) && sc.Reporter == r
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// newer decides whether a changed record replaces the stored one: only a
// strictly newer source timestamp does. Without a timestamp on either side
// there is no order to respect and the latest write wins; a record without
// one never replaces a timestamped record.
func newer(in, stored *time.Time) bool {
	switch {
	case in == nil:
		return stored == nil
	case stored == nil:
		return true
	}
	return in.After(*stored)
}
