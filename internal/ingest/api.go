package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/ingest/parse"
	"github.com/tanggap-id/tanggap/internal/store"
)

// BatchReport is the answer to an API write: one result per item, in order.
type BatchReport struct {
	Results  []Result            `json:"results"`
	Counts   store.ImportCounts  `json:"counts"`
	Warnings []domain.FieldError `json:"warnings,omitempty"`
}

// Forbidden reports whether item i was rejected for the writer's scope.
func (r Result) Forbidden() bool { return r.forbidden }

// SubmitComplaints writes complaint objects (the NDJSON complaint shape
// without "type": design §5 field names, optional "events") in one
// transaction. Invalid or out-of-scope items are rejected with their index,
// field and reason; the others are stored.
func (s *Service) SubmitComplaints(ctx context.Context, actor access.Principal, source string, items []json.RawMessage) (BatchReport, error) {
	return s.submit(ctx, actor, source, "complaint", items)
}

// SubmitEvents writes event objects (design §5 event fields) in one
// transaction, with the same per-item rules.
func (s *Service) SubmitEvents(ctx context.Context, actor access.Principal, source string, items []json.RawMessage) (BatchReport, error) {
	return s.submit(ctx, actor, source, "event", items)
}

func (s *Service) submit(ctx context.Context, actor access.Principal, source, typ string, items []json.RawMessage) (BatchReport, error) {
	if len(items) == 0 {
		return BatchReport{}, domain.Invalid("items", "at least one item is required")
	}
	if len(items) > MaxAPIBatch {
		return BatchReport{}, domain.Invalidf("items", "at most %d items per request, got %d", MaxAPIBatch, len(items))
	}
	idx, err := s.agencyIndex(ctx)
	if err != nil {
		return BatchReport{}, err
	}
	sc, err := s.writeScope(actor, idx)
	if err != nil {
		return BatchReport{}, err
	}
	parsed, warnings, err := parseItems(items, typ, source, idx)
	if err != nil {
		return BatchReport{}, err
	}
	rep := BatchReport{Results: make([]Result, 0, len(items)), Warnings: warnings}
	w := &batchWriter{idx: idx, scope: sc, now: s.now()}
	err = s.store.InBulkTx(ctx, func(ctx context.Context, tx *store.Store) error {
		rep.Results = rep.Results[:0]
		rep.Counts = store.ImportCounts{}
		for _, part := range splitBatch(parsed, s.batchSize) {
			res, counts, _, err := w.write(ctx, tx, part.items)
			if err != nil {
				return err
			}
			for i := range res {
				res[i].Index += part.first
				res[i].Line = 0
				for j := range res[i].Errors {
					res[i].Errors[j].Line = 0 // an API item is named by its index
				}
			}
			rep.Results = append(rep.Results, res...)
			rep.Counts = rep.Counts.Add(counts)
		}
		if rep.Counts.Rows() == rep.Counts.Rejected+rep.Counts.Unchanged && rep.Counts.EventsCreated == 0 {
			return nil // nothing changed: no audit row for a replay
		}
		return s.audit.WithStore(tx).RecordTx(ctx, actor.Actor(), "ingest", typ+"s", "api", nil, rep.Counts)
	})
	if err != nil {
		return BatchReport{}, err
	}
	s.committed(ctx)
	return rep, nil
}

// parseItems runs API objects through the NDJSON reader, so the API and
// files share every field rule. Line i+1 is item i.
func parseItems(items []json.RawMessage, typ, source string, idx *agencyIndex) ([]parse.Item, []domain.FieldError, error) {
	var buf bytes.Buffer
	for i, raw := range items {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
			// keep the line so indexes stay aligned; the reader rejects it
			buf.WriteString(`{"type":"invalid"}` + "\n")
			continue
		}
		if _, ok := obj["type"]; !ok {
			obj["type"] = json.RawMessage(strconv.Quote(typ))
		}
		line, err := json.Marshal(obj)
		if err != nil {
			return nil, nil, fmt.Errorf("ingest: re-encode item %d: %w", i, err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	r, err := parse.NewNDJSON(&buf, parse.Options{Agencies: idx.lookup, Source: source})
	if err != nil {
		return nil, nil, err
	}
	out := make([]parse.Item, 0, len(items))
	for {
		it, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		if !it.OK() && len(it.Errors) == 1 && it.Errors[0].Field == "type" {
			it.Errors[0] = domain.FieldError{Record: typ, Line: it.Line, Reason: "must be a JSON object with " + typ + " fields"}
		}
		out = append(out, it)
	}
	if len(out) != len(items) {
		return nil, nil, fmt.Errorf("ingest: %d items parsed as %d rows", len(items), len(out))
	}
	return out, r.Warnings(), nil
}

type part struct {
	first int
	items []parse.Item
}

// splitBatch cuts items into runs of at most size, starting a new run
// where a complaint repeats, so each run holds one version of a record.
func splitBatch(items []parse.Item, size int) []part {
	var out []part
	cur := part{}
	keys := map[store.ComplaintKey]bool{}
	for i, it := range items {
		var k store.ComplaintKey
		if it.Complaint != nil {
			k = store.ComplaintKey{Source: it.Complaint.Complaint.Source, TrackingID: it.Complaint.Complaint.TrackingID}
		}
		if len(cur.items) > 0 && (len(cur.items) >= size || (it.Complaint != nil && keys[k])) {
			out = append(out, cur)
			cur = part{first: i}
			clear(keys)
		}
		if it.Complaint != nil {
			keys[k] = true
		}
		cur.items = append(cur.items, it)
	}
	if len(cur.items) > 0 {
		out = append(out, cur)
	}
	return out
}

// ComplaintDetail is a complaint as a reader may see it.
type ComplaintDetail struct {
	Complaint domain.Complaint
	Events    []domain.Event
	// Reporter is set only for admins and the owning agency's tokens.
	Reporter *domain.Reporter
	// Redacted is set when a confidential complaint's content is hidden.
	Redacted bool
	TimeZone string
}

// Complaint returns a complaint with its history. Reporter data is read
// only for admins and tokens of the assigned agency's subtree; a
// confidential complaint's text is hidden from everyone else.
func (s *Service) Complaint(ctx context.Context, actor access.Principal, source, trackingID string) (ComplaintDetail, error) {
	pc, err := s.store.ComplaintByKey(ctx, store.ComplaintKey{Source: source, TrackingID: trackingID})
	if err != nil {
		return ComplaintDetail{}, err
	}
	evs, err := s.store.ComplaintEvents(ctx, pc.ID)
	if err != nil {
		return ComplaintDetail{}, err
	}
	d := ComplaintDetail{Complaint: pc.Complaint, Events: evs, TimeZone: pc.TimeZone}
	ownPath := ""
	if actor.Role == access.RoleAgency {
		idx, err := s.agencyIndex(ctx)
		if err != nil {
			return ComplaintDetail{}, err
		}
		if ref, ok := idx.byCode[actor.AgencyCode]; ok {
			ownPath = ref.Path
		}
	}
	privileged := actor.Role == access.RoleAdmin || (ownPath != "" && len(pc.AgencyPath) >= len(ownPath) && pc.AgencyPath[:len(ownPath)] == ownPath)
	if readsReporter(actor, pc.AgencyPath, ownPath, pc.Complaint.Anonymous) {
		r, err := s.store.ComplaintReporter(ctx, pc.ID)
		if err != nil {
			return ComplaintDetail{}, err
		}
		d.Reporter = &r
	}
	if pc.Complaint.Confidential && !privileged {
		d.Redacted = true
		d.Complaint.Title, d.Complaint.Summary = "", ""
		for i := range d.Events {
			d.Events[i].PublicText = ""
		}
	}
	return d, nil
}
