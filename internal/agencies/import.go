package agencies

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tanggap-id/tanggap/config/catalog"
	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
)

// NationalCode is the root of the tree: the Republic, parent of provinces
// and central agencies.
const NationalCode = "ID"

// ImportReport counts what an import did and lists rejected rows.
type ImportReport struct {
	Created   int                 `json:"created"`
	Updated   int                 `json:"updated"`
	Unchanged int                 `json:"unchanged"`
	Rejected  []domain.FieldError `json:"rejected,omitempty"`
	Warnings  []string            `json:"warnings,omitempty"`
}

type importRow struct {
	line   int
	agency domain.Agency
}

// parseCSV reads agencies in the catalogue format:
//
//	code,parent_code,kind,name,short_name,time_zone[,active][,ext:<system>...]
//
// Columns may come in any order; ext:lapor (for instance) holds the id the
// agency has in that system. Rows with errors are reported with their line
// and field; the others are returned.
func parseCSV(r io.Reader) ([]importRow, []domain.FieldError, []string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("agencies: header: %w", err)
	}
	col := map[string]int{}
	var warnings []string
	known := map[string]bool{"code": true, "parent_code": true, "kind": true, "name": true, "short_name": true, "time_zone": true, "active": true}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		col[h] = i
		if !known[h] && !strings.HasPrefix(h, "ext:") {
			warnings = append(warnings, fmt.Sprintf("column %q ignored", h))
		}
	}
	var missing []string
	for _, req := range []string{"code", "kind", "name"} {
		if _, ok := col[req]; !ok {
			missing = append(missing, req)
		}
	}
	if len(missing) > 0 {
		return nil, nil, warnings, domain.Invalidf("header", "missing required column(s): %s", strings.Join(missing, ", "))
	}
	var rows []importRow
	var rejected []domain.FieldError
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				rejected = append(rejected, domain.FieldError{Record: "agency", Line: pe.Line, Reason: pe.Err.Error()})
				continue
			}
			return nil, nil, warnings, fmt.Errorf("agencies: line %d: %w", line, err)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		a := domain.Agency{Code: get("code"), ParentCode: get("parent_code"), Kind: domain.AgencyKind(get("kind")),
			Name: get("name"), ShortName: get("short_name"), TimeZone: get("time_zone"), Active: true}
		if v := strings.ToLower(get("active")); v != "" {
			switch v {
			case "true", "1", "ya", "yes":
			case "false", "0", "tidak", "no":
				a.Active = false
			default:
				rejected = append(rejected, domain.FieldError{Record: a.Code, Line: line, Field: "active", Reason: fmt.Sprintf("%q is not a boolean (true/false, 1/0, ya/tidak)", v)})
				continue
			}
		}
		for h, i := range col {
			if sys, ok := strings.CutPrefix(h, "ext:"); ok && i < len(rec) && strings.TrimSpace(rec[i]) != "" {
				if a.ExternalIDs == nil {
					a.ExternalIDs = map[string]string{}
				}
				a.ExternalIDs[sys] = strings.TrimSpace(rec[i])
			}
		}
		rows = append(rows, importRow{line: line, agency: a})
	}
	return rows, rejected, warnings, nil
}

// Import upserts agencies from a CSV. Parents are created before children
// whatever the row order; each bad row is reported and the rest kept.
func (s *Service) Import(ctx context.Context, actor access.Principal, r io.Reader) (ImportReport, error) {
	rows, rejected, warnings, err := parseCSV(r)
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Rejected: rejected, Warnings: warnings}
	return rep, s.upsertAll(ctx, actor, rows, &rep)
}

// upsertAll applies rows parents-first: a row whose parent is in the same
// file waits for it.
func (s *Service) upsertAll(ctx context.Context, actor access.Principal, rows []importRow, rep *ImportReport) error {
	inFile := map[string]bool{}
	for _, r := range rows {
		inFile[r.agency.Code] = true
	}
	depth := map[string]int{}
	var depthOf func(code string, seen map[string]bool) int
	byCode := map[string]domain.Agency{}
	for _, r := range rows {
		byCode[r.agency.Code] = r.agency
	}
	depthOf = func(code string, seen map[string]bool) int {
		if d, ok := depth[code]; ok {
			return d
		}
		a, ok := byCode[code]
		if !ok || a.ParentCode == "" || !inFile[a.ParentCode] || seen[code] {
			return 0
		}
		seen[code] = true
		d := depthOf(a.ParentCode, seen) + 1
		depth[code] = d
		return d
	}
	for _, r := range rows {
		depthOf(r.agency.Code, map[string]bool{})
	}
	sort.SliceStable(rows, func(i, j int) bool { return depth[rows[i].agency.Code] < depth[rows[j].agency.Code] })
	for _, r := range rows {
		out, err := s.Upsert(ctx, actor, r.agency)
		if err != nil {
			var ve *domain.ValidationError
			switch {
			case errors.As(err, &ve):
				for _, d := range ve.Details {
					d.Line, d.Record = r.line, r.agency.Code
					rep.Rejected = append(rep.Rejected, d)
				}
				continue
			case errors.Is(err, domain.ErrForbidden), errors.Is(err, domain.ErrConflict), errors.Is(err, domain.ErrUnauthorized):
				rep.Rejected = append(rep.Rejected, domain.FieldError{Record: r.agency.Code, Line: r.line, Field: "code", Reason: err.Error()})
				continue
			}
			return fmt.Errorf("agencies: line %d (%s): %w", r.line, r.agency.Code, err)
		}
		switch out {
		case Created:
			rep.Created++
		case Updated:
			rep.Updated++
		default:
			rep.Unchanged++
		}
	}
	sort.Slice(rep.Rejected, func(i, j int) bool { return rep.Rejected[i].Line < rep.Rejected[j].Line })
	return nil
}

// LoadCatalog loads the national root and the embedded catalogue of 38
// provinces and 514 regencies/cities. It is idempotent.
func (s *Service) LoadCatalog(ctx context.Context, actor access.Principal) (ImportReport, error) {
	f, err := catalog.FS.Open(catalog.Regions)
	if err != nil {
		return ImportReport{}, err
	}
	defer f.Close()
	rows, rejected, warnings, err := parseCSV(f)
	if err != nil {
		return ImportReport{}, err
	}
	if len(rejected) > 0 {
		return ImportReport{}, fmt.Errorf("agencies: embedded catalogue is broken: %v", rejected[0])
	}
	root := importRow{line: 0, agency: domain.Agency{Code: NationalCode, Kind: domain.KindNational, Name: "Republik Indonesia",
		ShortName: "Indonesia", TimeZone: "Asia/Jakarta", Active: true}}
	all := []importRow{root}
	for _, r := range rows {
		if r.agency.ParentCode == "" {
			r.agency.ParentCode = NationalCode
		}
		all = append(all, r)
	}
	rep := ImportReport{Warnings: warnings}
	return rep, s.upsertAll(ctx, actor, all, &rep)
}
