package parse

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// CSVReader reads complaint or event rows from CSV. The delimiter (',' or
// ';', as spreadsheets in Indonesian locales write) is taken from the header
// line, and a UTF-8 byte order mark is skipped.
type CSVReader struct {
	cr       *csv.Reader
	h        *header
	m        *rowMapper
	base     int64 // input offset where cr started
	baseLine int   // lines consumed before cr started
	lastOff  int64
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// NewCSV reads the header of r and returns a reader for its rows. A missing
// required column is a *domain.ValidationError naming each one. With
// opt.Start set, r must be an io.ReadSeeker: the header is read from the
// start, then reading resumes at opt.Start.Offset.
func NewCSV(r io.Reader, opt Options) (*CSVReader, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	resume := opt.Start.Offset > 0
	if resume {
		if _, err := seekTo(r, 0); err != nil {
			return nil, err
		}
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var base int64
	if b, _ := br.Peek(3); bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(3)
		base = 3
	}
	delim := sniffDelimiter(br)
	cr := newCSV(br, delim)
	names, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &domain.ValidationError{Message: "empty CSV: no header line"}
		}
		return nil, fmt.Errorf("parse: read CSV header: %w", err)
	}
	h, err := resolveHeader(names, opt.Kind, opt.Mapping)
	if err != nil {
		return nil, err
	}
	c := &CSVReader{cr: cr, h: h, m: newRowMapper(opt), base: base, baseLine: 0}
	if resume {
		if _, err := seekTo(r, opt.Start.Offset); err != nil {
			return nil, err
		}
		c.cr = newCSV(bufio.NewReaderSize(r, 64<<10), delim)
		c.base, c.baseLine = opt.Start.Offset, opt.Start.Line
	}
	return c, nil
}

func newCSV(r io.Reader, delim rune) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = delim
	cr.FieldsPerRecord = -1 // short rows read as empty trailing fields
	cr.LazyQuotes = true    // exports often carry stray quotes in free text
	cr.ReuseRecord = true
	return cr
}

// sniffDelimiter picks ';' when the first line has more semicolons than
// commas.
func sniffDelimiter(br *bufio.Reader) rune {
	b, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	if bytes.Count(b, []byte{';'}) > bytes.Count(b, []byte{','}) {
		return ';'
	}
	return ','
}

// Kind is the kind of rows this reader yields.
func (c *CSVReader) Kind() Kind { return c.h.kind }

// Warnings lists header columns that were ignored.
func (c *CSVReader) Warnings() []domain.FieldError { return c.h.warnings }

// Close does nothing; the caller owns the input.
func (c *CSVReader) Close() error { return nil }

// Next reads one row.
func (c *CSVReader) Next() (Item, error) {
	row, err := c.cr.Read()
	pos := Position{Offset: c.base + c.cr.InputOffset()}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) && pos.Offset > c.lastOff {
			c.lastOff = pos.Offset
			line := c.baseLine + pe.StartLine
			pos.Line = c.baseLine + pe.Line
			return Item{Line: line, Next: pos, Errors: []domain.FieldError{{Record: c.h.kind.recordWord(), Line: line, Reason: pe.Err.Error()}}}, nil
		}
		if errors.Is(err, io.EOF) {
			return Item{}, io.EOF
		}
		return Item{}, fmt.Errorf("parse: read CSV: %w", err)
	}
	c.lastOff = pos.Offset
	rel, _ := c.cr.FieldPos(0)
	line := c.baseLine + rel
	pos.Line = line
	for _, f := range row {
		pos.Line += strings.Count(f, "\n") // quoted fields spanning lines
	}
	return c.h.mapRow(c.m, row, line, pos), nil
}

func (k Kind) recordWord() string {
	if k == KindEvents {
		return "event"
	}
	return "complaint"
}

// mapRow maps one row of a CSV or XLSX file through its header.
func (h *header) mapRow(m *rowMapper, row []string, line int, pos Position) Item {
	it := Item{Line: line, Next: pos}
	v := values{h: h, row: row}
	if h.kind == KindEvents {
		rec, errs := m.event(v, line, nil, "")
		if errs != nil {
			it.Errors = errs
			return it
		}
		rec.Offset = pos.Offset
		it.Event = rec
		return it
	}
	rec, errs := m.complaint(v, line)
	if errs != nil {
		it.Errors = errs
		return it
	}
	rec.Offset = pos.Offset
	it.Complaint = rec
	return it
}
