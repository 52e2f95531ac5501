package opendata

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// Format is a download format.
type Format string

const (
	CSV    Format = "csv"
	JSON   Format = "json"   // one document: metadata and an items array
	NDJSON Format = "ndjson" // one object a line, nothing else
	ICS    Format = "ics"    // iCalendar (holidays only)
)

// ContentType is the media type a format is served with.
func (f Format) ContentType() string {
	switch f {
	case CSV:
		return "text/csv; charset=utf-8"
	case JSON:
		return "application/json; charset=utf-8"
	case NDJSON:
		return "application/x-ndjson; charset=utf-8"
	case ICS:
		return "text/calendar; charset=utf-8"
	}
	return "application/octet-stream"
}

// Raw is a value that is already JSON (an object); CSV writes it as text.
type Raw []byte

// encoder writes rows, one []any per row aligned with the dataset's fields.
// Values are nil, string, bool, int, int64, float64, time.Time (written as
// RFC 3339 in its own zone), *time.Time or Raw.
type encoder interface {
	row(vals []any) error
	end() error
}

// header is what the JSON document says about itself before its items.
type header struct {
	Dataset     string            `json:"dataset"`
	Title       string            `json:"title"`
	Licence     Licence           `json:"licence"`
	Attribution string            `json:"attribution"`
	Dictionary  string            `json:"dictionary"`
	GeneratedAt time.Time         `json:"generated_at"`
	Filter      map[string]string `json:"filter"`
}

func newEncoder(f Format, w *bufio.Writer, ds *Dataset, h header) (encoder, error) {
	switch f {
	case CSV:
		cw := csv.NewWriter(w)
		names := make([]string, len(ds.Fields))
		for i, fl := range ds.Fields {
			names[i] = fl.Name
		}
		if err := cw.Write(names); err != nil {
			return nil, err
		}
		return &csvEncoder{w: cw, ds: ds, rec: make([]string, len(ds.Fields))}, nil
	case JSON:
		b, err := json.Marshal(h)
		if err != nil {
			return nil, err
		}
		// reopen the header object to append the items array
		if _, err := w.Write(b[:len(b)-1]); err != nil {
			return nil, err
		}
		if _, err := w.WriteString(`,"items":[`); err != nil {
			return nil, err
		}
		return &jsonEncoder{w: w, ds: ds, array: true}, nil
	case NDJSON:
		return &jsonEncoder{w: w, ds: ds}, nil
	}
	return nil, fmt.Errorf("opendata: no row encoder for %q", f)
}

type csvEncoder struct {
	w   *csv.Writer
	ds  *Dataset
	rec []string
	buf []byte
}

func (e *csvEncoder) row(vals []any) error {
	if len(vals) != len(e.ds.Fields) {
		return fmt.Errorf("opendata: %s row has %d values for %d fields", e.ds.Name, len(vals), len(e.ds.Fields))
	}
	for i, v := range vals {
		e.buf = appendText(e.buf[:0], v)
		s := string(e.buf)
		if e.ds.Fields[i].FreeText {
			s = guardFormula(s)
		}
		e.rec[i] = s
	}
	return e.w.Write(e.rec)
}

func (e *csvEncoder) end() error {
	e.w.Flush()
	return e.w.Error()
}

// guardFormula keeps citizen-written text from running as a spreadsheet
// formula when a CSV is opened (OWASP "CSV injection"): a leading = + - @
// tab or CR gets a leading apostrophe. The dictionary says so.
func guardFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// appendText renders a value for CSV.
func appendText(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return b
	case string:
		return append(b, x...)
	case bool:
		return strconv.AppendBool(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return strconv.AppendFloat(b, x, 'f', -1, 64)
	case time.Time:
		return x.AppendFormat(b, time.RFC3339)
	case *time.Time:
		if x == nil {
			return b
		}
		return x.AppendFormat(b, time.RFC3339)
	case Raw:
		return append(b, x...)
	}
	return fmt.Append(b, v)
}

type jsonEncoder struct {
	w     *bufio.Writer
	ds    *Dataset
	array bool
	n     int
	buf   []byte
}

func (e *jsonEncoder) row(vals []any) error {
	if len(vals) != len(e.ds.Fields) {
		return fmt.Errorf("opendata: %s row has %d values for %d fields", e.ds.Name, len(vals), len(e.ds.Fields))
	}
	b := e.buf[:0]
	if e.array && e.n > 0 {
		b = append(b, ',')
	}
	b = append(b, '{')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, e.ds.Fields[i].Name)
		b = append(b, ':')
		b = appendJSON(b, v)
	}
	b = append(b, '}')
	if !e.array {
		b = append(b, '\n')
	}
	e.buf = b
	e.n++
	_, err := e.w.Write(b)
	return err
}

func (e *jsonEncoder) end() error {
	if e.array {
		_, err := e.w.WriteString("]}\n")
		return err
	}
	return nil
}

// appendJSON renders a value as JSON; empty strings stay "" and nil is null.
func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, x)
	case time.Time:
		b = append(b, '"')
		b = x.AppendFormat(b, time.RFC3339)
		return append(b, '"')
	case *time.Time:
		if x == nil {
			return append(b, "null"...)
		}
		return appendJSON(b, *x)
	case Raw:
		if len(x) == 0 {
			return append(b, "null"...)
		}
		return append(b, x...)
	case float64:
		return strconv.AppendFloat(b, x, 'f', -1, 64)
	}
	return appendText(b, v)
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as a JSON string (invalid UTF-8 becomes U+FFFD).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xF])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
