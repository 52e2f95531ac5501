package parse

import (
	"errors"
	"io"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// AgencyLookup resolves an agency code to its time zone. ok is false when the
// code is unknown; the row is then rejected on that field.
type AgencyLookup func(code string) (loc *time.Location, ok bool)

// Kind says what the rows of a CSV or XLSX input hold. NDJSON mixes both.
type Kind int

const (
	// KindAuto picks complaints or events from the header.
	KindAuto Kind = iota
	KindComplaints
	KindEvents
)

func (k Kind) String() string {
	switch k {
	case KindComplaints:
		return "complaints"
	case KindEvents:
		return "events"
	}
	return "auto"
}

// ComplaintRecord is one parsed complaint. Events holds the events that came
// with it: the NDJSON "events" array, or those derived from LAPOR export
// columns (TanggalDisposisi → assigned, TanggalLaporanDitutup → completed or
// closed).
type ComplaintRecord struct {
	Line      int
	Offset    int64 // byte offset just after this record (XLSX: its row number)
	Complaint domain.Complaint
	Reporter  domain.Reporter
	Events    []domain.Event
}

// EventRecord is one parsed event row.
type EventRecord struct {
	Line   int
	Offset int64 // byte offset just after this record (XLSX: its row number)
	Event  domain.Event
}

// Position is where a reader stands: the byte offset of the next unread byte
// and the number of lines (XLSX: rows) consumed before it. Pass an Item's Next
// as Options.Start to resume after that item.
type Position struct {
	Offset int64
	Line   int
}

// Item is the outcome of one input row: exactly one of Complaint, Event or
// Errors is set.
type Item struct {
	Line      int // first line (XLSX: row) of the row in the input, 1-based
	Complaint *ComplaintRecord
	Event     *EventRecord
	Errors    []domain.FieldError
	Next      Position // resume point just after this row
}

// OK reports whether the row produced a record.
func (it Item) OK() bool { return len(it.Errors) == 0 }

// Reader yields the rows of one input. Next returns io.EOF after the last
// row; any other error is an I/O or format error that ends the stream.
type Reader interface {
	Next() (Item, error)
	// Warnings lists columns or keys that were ignored (not errors).
	Warnings() []domain.FieldError
	Close() error
}

// Options configures a reader.
type Options struct {
	// Agencies resolves agency codes; required.
	Agencies AgencyLookup
	// Kind of rows in a CSV or XLSX input; KindAuto detects it from the header.
	Kind Kind
	// Mapping maps input columns to fields ahead of the built-in names.
	Mapping Mapping
	// Source names the complaint source when the input has no source column.
	Source string
	// Sheet is the XLSX sheet to read; empty means the first sheet.
	Sheet string
	// Start resumes reading after a previous run. CSV and NDJSON seek to
	// Start.Offset (the input must be an io.ReadSeeker) and number lines from
	// Start.Line+1; XLSX skips rows up to and including row Start.Line.
	Start Position
}

// ErrNoAgencies is returned when Options.Agencies is nil.
var ErrNoAgencies = errors.New("parse: Options.Agencies is required")

func (o Options) source() string {
	if o.Source != "" {
		return o.Source
	}
	return domain.DefaultSource
}

func (o Options) check() error {
	if o.Agencies == nil {
		return ErrNoAgencies
	}
	return nil
}

// seekTo positions r at off for a resumed read.
func seekTo(r io.Reader, off int64) (io.ReadSeeker, error) {
	rs, ok := r.(io.ReadSeeker)
	if !ok {
		return nil, errors.New("parse: resuming at an offset needs an io.ReadSeeker")
	}
	if _, err := rs.Seek(off, io.SeekStart); err != nil {
		return nil, err
	}
	return rs, nil
}
