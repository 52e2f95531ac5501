package spbeindex

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"unicode"

	"github.com/tanggap-id/tanggap/config/catalog"
	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/spbe"
	"github.com/tanggap-id/tanggap/internal/store"
)

// ResultsReport counts what an import of published results did.
type ResultsReport struct {
	Rows            int                 `json:"rows"`
	Stored          int                 `json:"stored"`    // new or changed results
	Unchanged       int                 `json:"unchanged"` // already stored as they are
	AgenciesCreated int                 `json:"agencies_created"`
	AgenciesUpdated int                 `json:"agencies_updated"`
	Flagged         int                 `json:"flagged"` // rows the file marks as damaged (stored, with the note)
	Rejected        []domain.FieldError `json:"rejected,omitempty"`
}

// publishedDetail is what a published result keeps beside its values.
type publishedDetail struct {
	Group           string   `json:"group"`
	No              int      `json:"no"`
	Name            string   `json:"name"`
	Note            string   `json:"note,omitempty"`
	ExactCandidates []string `json:"exact_candidates,omitempty"`
}

// CentralAgencyCode is the stable code a central agency (a row without a
// region code) gets: "K." and a slug of its published name, shortened with a
// hash when long. A renamed agency is a new code; the name is the only key
// the published reports give.
func CentralAgencyCode(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	slug := strings.TrimRight(b.String(), "-")
	const max = 62 - len("K.")
	if len(slug) > max {
		sum := sha256.Sum256([]byte(name))
		slug = strings.TrimRight(slug[:max-9], "-") + "-" + hex.EncodeToString(sum[:])[:8]
	}
	return "K." + slug
}

// centralKind tells ministries from other central bodies by the report's
// table caption or the name.
func centralKind(group, name string) domain.AgencyKind {
	if strings.EqualFold(group, "Kementerian") || strings.HasPrefix(name, "Kementerian ") {
		return domain.KindMinistry
	}
	return domain.KindAgency
}

// LoadPublishedResults imports the published results shipped in the binary.
func (s *Service) LoadPublishedResults(ctx context.Context, actor access.Principal) (ResultsReport, error) {
	data, err := catalog.FS.ReadFile(catalog.SPBEResults)
	if err != nil {
		return ResultsReport{}, fmt.Errorf("spbeindex: %w", err)
	}
	return s.ImportResults(ctx, actor, DefaultFramework, bytes.NewReader(data))
}

// ImportResults stores official published results (the format of
// spbe-hasil-evaluasi-2023-2024.csv) as stage "final", source "published":
// regional governments are joined by kode_wilayah to the catalogue (which
// must be loaded), central agencies are created under the national root
// from their names. It is idempotent: a replay stores nothing new.
// Rejected rows are listed; the others are stored.
func (s *Service) ImportResults(ctx context.Context, actor access.Principal, frameworkID string, r io.Reader) (ResultsReport, error) {
	var rep ResultsReport
	if err := access.RequireAdmin(actor); err != nil {
		return rep, err
	}
	ff, err := s.Framework(frameworkID)
	if err != nil {
		return rep, err
	}
	fw := ff.Framework
	rows, err := spbe.ParsePublishedResults(r)
	if err != nil {
		return rep, err
	}
	rep.Rows = len(rows)
	if _, err := s.LoadFrameworks(ctx, actor); err != nil {
		return rep, err
	}
	if _, err := s.store.AgencyByCode(ctx, agencies.NationalCode); err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return rep, fmt.Errorf("the agency catalogue is not loaded (no national root %q): run `tanggap catalog load` first: %w", agencies.NationalCode, domain.ErrInvalid)
		}
		return rep, err
	}
	type keyed struct {
		code string
		row  spbe.PublishedResult
	}
	// One query each for the governments and the stored results, rather
	// than several per row: a national file has over a thousand rows.
	govs, _, err := s.store.ListAgencies(ctx, store.AgencyFilter{Kinds: []domain.AgencyKind{domain.KindProvinsi, domain.KindKabupaten, domain.KindKota}})
	if err != nil {
		return rep, err
	}
	known := make(map[string]bool, len(govs))
	for _, g := range govs {
		known[g.Code] = true
	}
	stored, err := s.store.LatestIndexResults(ctx, store.IndexResultFilter{Framework: fw.ID, Stage: domain.StageFinal, Source: domain.SourcePublished})
	if err != nil {
		return rep, err
	}
	latest := make(map[string]domain.SPBEIndexResult, len(stored))
	for _, r := range stored {
		latest[fmt.Sprintf("%s/%d", r.Government, r.Year)] = r
	}
	var accepted []keyed
	seen := map[string]int{}
	for _, p := range rows {
		code := p.RegionCode
		if code == "" {
			code = CentralAgencyCode(p.Name)
			out, err := s.agencies.Upsert(ctx, actor, domain.Agency{Code: code, Kind: centralKind(p.Group, p.Name), Name: p.Name,
				ShortName: p.Name, ParentCode: agencies.NationalCode, TimeZone: "Asia/Jakarta", Active: true})
			if err != nil {
				rep.Rejected = append(rep.Rejected, domain.FieldError{Record: "result", Line: p.Line, Field: "nama_instansi", Reason: err.Error()})
				continue
			}
			switch out {
			case agencies.Created:
				rep.AgenciesCreated++
			case agencies.Updated:
				rep.AgenciesUpdated++
			}
		} else if !known[code] {
			rep.Rejected = append(rep.Rejected, domain.FieldError{Record: "result", Line: p.Line, Field: "kode_wilayah",
				Reason: fmt.Sprintf("no province, regency or city with code %s in the catalogue", code)})
			continue
		}
		k := fmt.Sprintf("%s/%d", code, p.Year)
		if first, dup := seen[k]; dup {
			rep.Rejected = append(rep.Rejected, domain.FieldError{Record: "result", Line: p.Line, Field: "nama_instansi",
				Reason: fmt.Sprintf("second %d result for %s (first on line %d)", p.Year, code, first)})
			continue
		}
		seen[k] = p.Line
		accepted = append(accepted, keyed{code, p})
	}
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		for _, a := range accepted {
			res, err := publishedResult(fw, ff.Version, a.code, a.row)
			if err != nil {
				return fmt.Errorf("line %d: %w", a.row.Line, err)
			}
			if a.row.Flagged() {
				rep.Flagged++
			}
			if cur, ok := latest[fmt.Sprintf("%s/%d", a.code, a.row.Year)]; ok && sameValues(cur, res) {
				rep.Unchanged++
				continue
			}
			res.ComputedAt = s.now().UTC()
			stored, err := tx.AppendIndexResult(ctx, res)
			if err != nil {
				return fmt.Errorf("line %d: %w", a.row.Line, err)
			}
			if stored {
				rep.Stored++
			} else {
				rep.Unchanged++
			}
		}
		if rep.Stored == 0 {
			return nil
		}
		summary := map[string]int{"rows": rep.Rows, "stored": rep.Stored, "unchanged": rep.Unchanged}
		return s.audit.WithStore(tx).RecordTx(ctx, actor.Actor(), "import", "spbe_published_results", fw.ID, nil, summary)
	})
	return rep, err
}

func publishedResult(fw *spbe.Framework, version, code string, p spbe.PublishedResult) (domain.SPBEIndexResult, error) {
	dec := fw.Rounding.PublishDecimals
	res := domain.SPBEIndexResult{Government: code, Framework: fw.ID, FrameworkVersion: version, Year: p.Year,
		Stage: domain.StageFinal, Source: domain.SourcePublished, Index: spbe.FormatHalfUp(p.Index, dec),
		Predicate: p.Predicate, Banding: fw.Rounding.BandingForYear(p.Year), Domains: map[string]string{}}
	for c, v := range p.Domains {
		res.Domains[c] = spbe.FormatHalfUp(v, dec)
	}
	d := publishedDetail{Group: p.Group, No: p.No, Name: p.Name, Note: p.Note}
	// The exact index follows from the rounded domain values when only one
	// candidate also rounds to the published index.
	if !p.Flagged() && len(p.Domains) == len(fw.Domains) {
		if cands, err := spbe.ExactCandidates(fw, p.Domains); err == nil {
			var match []string
			for _, c := range cands {
				if spbe.FormatHalfUp(c, dec) == res.Index {
					match = append(match, spbe.ExactString(c))
				}
			}
			d.ExactCandidates = match
			if len(match) == 1 {
				res.IndexExact = match[0]
			}
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return res, err
	}
	res.Detail = b
	return res, nil
}

// sameValues reports whether two results say the same (times aside).
func sameValues(a, b domain.SPBEIndexResult) bool {
	return a.FrameworkVersion == b.FrameworkVersion && a.Index == b.Index && a.IndexExact == b.IndexExact &&
		a.Predicate == b.Predicate && a.Banding == b.Banding && maps.Equal(a.Domains, b.Domains) &&
		bytes.Equal(a.Detail, b.Detail)
}
