package parse

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// XLSXReader reads complaint or event rows from one sheet of a workbook with
// excelize's streaming row iterator; row 1 is the header. Item.Line is the
// row number and records' Offset is the row number too: an XLSX input
// resumes by row (Options.Start.Line), not by byte offset.
type XLSXReader struct {
	f    *excelize.File
	rows *excelize.Rows
	h    *header
	m    *rowMapper
	row  int
	own  bool // close f on Close
}

// OpenXLSX opens the workbook at path and reads opt.Sheet (or the first one).
func OpenXLSX(path string, opt Options) (*XLSXReader, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("parse: open XLSX: %w", err)
	}
	x, err := newXLSX(f, opt)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	x.own = true
	return x, nil
}

// NewXLSX reads a workbook from r. The zip container needs random access, so
// excelize holds the compressed file in memory; rows are still streamed.
func NewXLSX(r io.Reader, opt Options) (*XLSXReader, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, fmt.Errorf("parse: open XLSX: %w", err)
	}
	x, err := newXLSX(f, opt)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	x.own = true
	return x, nil
}

func newXLSX(f *excelize.File, opt Options) (*XLSXReader, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	sheet := opt.Sheet
	if sheet == "" {
		list := f.GetSheetList()
		if len(list) == 0 {
			return nil, &domain.ValidationError{Message: "XLSX workbook has no sheet"}
		}
		sheet = list[0]
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("%w: XLSX sheet %q: %v", domain.ErrInvalid, sheet, err)
	}
	x := &XLSXReader{f: f, rows: rows, m: newRowMapper(opt)}
	x.m.parseTime = parseCellTime
	if !rows.Next() {
		_ = rows.Close()
		if err := rows.Error(); err != nil {
			return nil, fmt.Errorf("parse: read XLSX: %w", err)
		}
		return nil, &domain.ValidationError{Message: fmt.Sprintf("XLSX sheet %q is empty: no header row", sheet)}
	}
	x.row = 1
	names, err := rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		_ = rows.Close()
		return nil, fmt.Errorf("parse: read XLSX header: %w", err)
	}
	if x.h, err = resolveHeader(names, opt.Kind, opt.Mapping); err != nil {
		_ = rows.Close()
		return nil, err
	}
	for x.row < opt.Start.Line && rows.Next() {
		x.row++
	}
	return x, nil
}

// Kind is the kind of rows this reader yields.
func (x *XLSXReader) Kind() Kind { return x.h.kind }

// Warnings lists header columns that were ignored.
func (x *XLSXReader) Warnings() []domain.FieldError { return x.h.warnings }

// Close releases the row iterator (and the workbook it opened).
func (x *XLSXReader) Close() error {
	err := x.rows.Close()
	if x.own {
		err = errors.Join(err, x.f.Close())
	}
	return err
}

// Next reads one non-empty row.
func (x *XLSXReader) Next() (Item, error) {
	for x.rows.Next() {
		x.row++
		cols, err := x.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return Item{}, fmt.Errorf("parse: read XLSX row %d: %w", x.row, err)
		}
		if blankRow(cols) {
			continue
		}
		return x.h.mapRow(x.m, cols, x.row, Position{Offset: int64(x.row), Line: x.row}), nil
	}
	if err := x.rows.Error(); err != nil {
		return Item{}, fmt.Errorf("parse: read XLSX: %w", err)
	}
	return Item{}, io.EOF
}

func blankRow(cols []string) bool {
	for _, c := range cols {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// parseCellTime also reads a date cell, which a raw XLSX value gives as an
// Excel serial day number, as wall-clock time in loc.
func parseCellTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if serial, err := strconv.ParseFloat(s, 64); err == nil && len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
		if loc == nil {
			return time.Time{}, ErrNeedsZone
		}
		if serial < 1 || serial > 2958465 || math.IsNaN(serial) { // 9999-12-31
			return time.Time{}, fmt.Errorf("%q is not a date serial number", s)
		}
		wall, err := excelize.ExcelDateToTime(serial, false)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not a date serial number", s)
		}
		wall = wall.Round(time.Second) // serials carry float noise
		return plausible(s, time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, loc))
	}
	return ParseTime(s, loc)
}
