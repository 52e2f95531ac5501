package spbe

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// PublishedResult is one government's official result for one year, as in
// spbe-hasil-evaluasi-2023-2024.csv (KemenPAN-RB evaluation reports).
type PublishedResult struct {
	Line      int // 1-based line in the file
	Year      int
	Group     string // kelompok: the report table's caption
	No        int
	Name      string
	Domains   map[string]*big.Rat // "D1".."D4"; a domain whose cell is empty is absent
	Index     *big.Rat
	Predicate string
	// IndexFromDomainsCSV is the file's own recomputation from the rounded
	// domain values (nil when empty); kept for reference, never trusted.
	IndexFromDomainsCSV *big.Rat
	Note                string // catatan: set on rows with known extraction problems
	RegionCode          string // Kemendagri code for regional governments, "" for central ones
}

// Flagged reports whether the file marks the row as damaged (empty or
// misread cell); such rows are stored but not used to validate scoring.
func (p PublishedResult) Flagged() bool { return p.Note != "" }

var domainColumn = regexp.MustCompile(`^d([0-9]+)_`)

// ParsePublishedResults reads the published-results CSV. Columns are found
// by name; d<N>_* columns are domain D<N>. Every bad cell is reported with
// its line and column, and no rows are returned then.
func ParsePublishedResults(r io.Reader) ([]PublishedResult, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("spbe: published results: read header: %w", err)
	}
	col := map[string]int{}
	domainCols := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		col[h] = i
		if m := domainColumn.FindStringSubmatch(h); m != nil {
			domainCols["D"+m[1]] = i
		}
	}
	var missing []domain.FieldError
	for _, c := range []string{"tahun", "kelompok", "no", "nama_instansi", "indeks", "predikat"} {
		if _, ok := col[c]; !ok {
			missing = append(missing, domain.FieldError{Line: 1, Field: c, Reason: "column missing from header"})
		}
	}
	if len(domainCols) == 0 {
		missing = append(missing, domain.FieldError{Line: 1, Field: "d1_…", Reason: "no domain columns (d<N>_name) in header"})
	}
	if len(missing) > 0 {
		return nil, &domain.ValidationError{Message: "spbe: published results", Details: missing}
	}
	codes := make([]string, 0, len(domainCols))
	for c := range domainCols {
		codes = append(codes, c)
	}
	slices.Sort(codes)

	var out []PublishedResult
	var problems []domain.FieldError
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			problems = append(problems, domain.FieldError{Line: line, Reason: err.Error()})
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		bad := func(field, format string, args ...any) {
			problems = append(problems, domain.FieldError{Line: line, Field: field, Reason: fmt.Sprintf(format, args...)})
		}
		p := PublishedResult{Line: line, Group: get("kelompok"), Name: get("nama_instansi"), Predicate: get("predikat"),
			Note: get("catatan"), RegionCode: get("kode_wilayah"), Domains: map[string]*big.Rat{}}
		if p.Year, err = strconv.Atoi(get("tahun")); err != nil || p.Year < 2000 || p.Year > 2100 {
			bad("tahun", "%q is not a year", get("tahun"))
		}
		if p.No, err = strconv.Atoi(get("no")); err != nil {
			bad("no", "%q is not a number", get("no"))
		}
		if p.Name == "" {
			bad("nama_instansi", "is empty")
		}
		if p.Predicate == "" {
			bad("predikat", "is empty")
		}
		for _, c := range codes {
			i := domainCols[c]
			if i >= len(rec) || strings.TrimSpace(rec[i]) == "" {
				continue // empty cells exist in the report (flagged rows)
			}
			name, s := header[i], strings.TrimSpace(rec[i])
			v, err := ParseDecimal(s)
			if err != nil || v.Sign() < 0 {
				bad(name, "%q is not a non-negative decimal", s)
				continue
			}
			p.Domains[c] = v
		}
		if v, err := ParseDecimal(get("indeks")); err != nil || v.Sign() < 0 {
			bad("indeks", "%q is not a non-negative decimal", get("indeks"))
		} else {
			p.Index = v
		}
		if s := get("indeks_hitung_dari_domain"); s != "" {
			if v, err := ParseDecimal(s); err != nil {
				bad("indeks_hitung_dari_domain", "%q is not a decimal", s)
			} else {
				p.IndexFromDomainsCSV = v
			}
		}
		out = append(out, p)
	}
	if len(problems) > 0 {
		return nil, &domain.ValidationError{Message: "spbe: published results", Details: problems}
	}
	return out, nil
}
