package parse

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// MaxNDJSONLine bounds one NDJSON line; a longer line is rejected as a row
// and skipped, so one bad line cannot make the reader hold a whole file.
const MaxNDJSONLine = 4 << 20

// NDJSONReader reads NDJSON: one object a line, {"type":"complaint", ...,
// "events":[...]} or {"type":"event", ...}, with the CSV header names as
// keys (design §5). Blank lines are skipped.
type NDJSONReader struct {
	br       *bufio.Reader
	m        *rowMapper
	off      int64
	line     int
	hdr      *header // column i feeds field i: the row is indexed by field
	unknown  map[string]bool
	warnings []domain.FieldError
	buf      []byte
}

// NewNDJSON returns a reader for r. With opt.Start set, r must be an
// io.ReadSeeker and reading resumes at opt.Start.Offset.
func NewNDJSON(r io.Reader, opt Options) (*NDJSONReader, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	if opt.Start.Offset > 0 {
		if _, err := seekTo(r, opt.Start.Offset); err != nil {
			return nil, err
		}
	}
	h := &header{}
	for f := range h.cols {
		h.cols[f] = []int{f}
	}
	return &NDJSONReader{
		br: bufio.NewReaderSize(r, 64<<10), m: newRowMapper(opt), hdr: h,
		off: opt.Start.Offset, line: opt.Start.Line, unknown: map[string]bool{},
	}, nil
}

// Warnings lists keys that were ignored, once each, with the first line
// they were seen on.
func (n *NDJSONReader) Warnings() []domain.FieldError { return n.warnings }

// Close does nothing; the caller owns the input.
func (n *NDJSONReader) Close() error { return nil }

// Next reads one non-blank line.
func (n *NDJSONReader) Next() (Item, error) {
	for {
		line, tooLong, err := n.readLine()
		atEOF := errors.Is(err, io.EOF)
		if err != nil && !atEOF {
			return Item{}, fmt.Errorf("parse: read NDJSON: %w", err)
		}
		if atEOF && len(line) == 0 && !tooLong {
			return Item{}, io.EOF
		}
		n.line++
		pos := Position{Offset: n.off, Line: n.line}
		if tooLong {
			return n.fail(pos, "", "", fmt.Sprintf("line longer than %d bytes", MaxNDJSONLine)), nil
		}
		if line = bytes.TrimSpace(line); len(line) == 0 {
			continue
		}
		return n.parseLine(line, pos), nil
	}
}

// readLine returns the next line without its newline and advances the
// offset past it. A line over MaxNDJSONLine is consumed and reported.
func (n *NDJSONReader) readLine() ([]byte, bool, error) {
	n.buf = n.buf[:0]
	tooLong := false
	for {
		chunk, err := n.br.ReadSlice('\n')
		n.off += int64(len(chunk))
		if !tooLong {
			if len(n.buf)+len(chunk) > MaxNDJSONLine {
				tooLong, n.buf = true, n.buf[:0]
			} else {
				n.buf = append(n.buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return n.buf, tooLong, err
	}
}

func (n *NDJSONReader) fail(pos Position, record, fld, reason string) Item {
	return Item{Line: pos.Line, Next: pos, Errors: []domain.FieldError{{Record: record, Line: pos.Line, Field: fld, Reason: reason}}}
}

func (n *NDJSONReader) parseLine(line []byte, pos Position) Item {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(line, &obj); err != nil {
		return n.fail(pos, "", "", "invalid JSON object: "+err.Error())
	}
	var typ string
	if raw, ok := obj["type"]; !ok || json.Unmarshal(raw, &typ) != nil {
		return n.fail(pos, "", "type", `required: "complaint" or "event"`)
	}
	it := Item{Line: pos.Line, Next: pos}
	switch typ {
	case "complaint":
		row, errs := n.row(obj, complaintFieldSet, pos.Line, "", "events", "complaint")
		if errs != nil {
			it.Errors = errs
			return it
		}
		rec, errs := n.m.complaint(values{h: n.hdr, row: row}, pos.Line)
		if errs != nil {
			it.Errors = errs
			return it
		}
		rec.Offset = pos.Offset
		if raw, ok := obj["events"]; ok {
			evs, errs := n.embedded(raw, rec, pos.Line)
			if errs != nil {
				it.Errors = errs
				return it
			}
			rec.Events = append(rec.Events, evs...)
		}
		it.Complaint = rec
	case "event":
		row, errs := n.row(obj, eventFieldSet, pos.Line, "", "", "event")
		if errs != nil {
			it.Errors = errs
			return it
		}
		rec, errs := n.m.event(values{h: n.hdr, row: row}, pos.Line, nil, "")
		if errs != nil {
			it.Errors = errs
			return it
		}
		rec.Offset = pos.Offset
		it.Event = rec
	default:
		return n.fail(pos, "", "type", fmt.Sprintf(`%q is not "complaint" or "event"`, typ))
	}
	return it
}

// embedded maps a complaint's "events" array; its events inherit the
// complaint's source, tracking id and time zone.
func (n *NDJSONReader) embedded(raw json.RawMessage, rec *ComplaintRecord, line int) ([]domain.Event, []domain.FieldError) {
	record := recordName(rec.Complaint.TrackingID, "complaint")
	if string(raw) == "null" {
		return nil, nil
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, []domain.FieldError{{Record: record, Line: line, Field: "events", Reason: "must be an array of objects"}}
	}
	loc, _ := n.m.opt.Agencies(rec.Complaint.AgencyCode)
	def := &eventDefaults{source: rec.Complaint.Source, trackingID: rec.Complaint.TrackingID, loc: loc}
	var evs []domain.Event
	var errs []domain.FieldError
	for i, obj := range list {
		prefix := "events[" + strconv.Itoa(i) + "]."
		row, ferrs := n.row(obj, eventFieldSet, line, prefix, "", "event")
		if ferrs == nil {
			var ev *EventRecord
			if ev, ferrs = n.m.event(values{h: n.hdr, row: row}, line, def, prefix); ferrs == nil {
				evs = append(evs, ev.Event)
				continue
			}
		}
		for j := range ferrs {
			ferrs[j].Record = record
		}
		errs = append(errs, ferrs...)
	}
	return evs, errs
}

// row turns an object into field values indexed by field. Keys are matched
// like CSV headers; unknown keys become warnings.
func (n *NDJSONReader) row(obj map[string]json.RawMessage, allowed [numFields]bool, line int, prefix, skip, word string) ([]string, []domain.FieldError) {
	row := make([]string, numFields)
	var errs []domain.FieldError
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys) // errors and warnings in a stable order
	for _, k := range keys {
		if k == "type" || k == skip {
			continue
		}
		f, ok := fieldByName[canonicalName(normHeader(k))]
		if !ok || !allowed[f] {
			if !n.unknown[k] {
				n.unknown[k] = true
				n.warnings = append(n.warnings, domain.FieldError{Line: line, Field: k, Reason: "unknown key, ignored"})
			}
			continue
		}
		s, err := scalar(obj[k])
		if err != nil {
			errs = append(errs, domain.FieldError{Line: line, Field: prefix + f.String(), Reason: err.Error()})
			continue
		}
		row[f] = s
	}
	if errs != nil {
		id := row[fTrackingID]
		for i := range errs {
			errs[i].Record = recordName(id, word)
		}
	}
	return row, errs
}

// scalar reads a JSON string, boolean, number or null as field text.
func scalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	case 'n':
		return "", nil
	case '{', '[':
		return "", errors.New("must be a string, number or boolean")
	}
	return string(raw), nil // true, false or a number, as written
}
