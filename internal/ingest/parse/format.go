package parse

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// Format is an input file format.
type Format string

const (
	FormatCSV    Format = "csv"
	FormatNDJSON Format = "ndjson"
	FormatXLSX   Format = "xlsx"
)

var (
	_ Reader = (*CSVReader)(nil)
	_ Reader = (*NDJSONReader)(nil)
	_ Reader = (*XLSXReader)(nil)
)

// FormatFromName picks the format from a file name's extension.
func FormatFromName(name string) (Format, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".txt":
		return FormatCSV, nil
	case ".ndjson", ".jsonl", ".json":
		return FormatNDJSON, nil
	case ".xlsx", ".xlsm":
		return FormatXLSX, nil
	}
	return "", fmt.Errorf("%w: cannot tell the format of %q (want .csv, .ndjson, .jsonl or .xlsx)", domain.ErrInvalid, name)
}

// NewReader returns the reader for format f.
func NewReader(f Format, r io.Reader, opt Options) (Reader, error) {
	switch f {
	case FormatCSV:
		return NewCSV(r, opt)
	case FormatNDJSON:
		return NewNDJSON(r, opt)
	case FormatXLSX:
		return NewXLSX(r, opt)
	}
	return nil, fmt.Errorf("%w: unknown format %q", domain.ErrInvalid, f)
}
