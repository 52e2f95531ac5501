package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/ingest/parse"
	"github.com/tanggap-id/tanggap/internal/synth"
)

// ComplaintSeed and ComplaintCount fix the demo's synthetic history, so
// every demo database holds the same complaints.
const (
	ComplaintSeed  = 20230101
	ComplaintCount = 20000
)

// JabarAgencies returns the 28 Jawa Barat governments and their units: the
// agencies synthetic complaints are addressed and assigned to.
func JabarAgencies(ctx context.Context, ag *agencies.Service) ([]domain.Agency, error) {
	govs, err := JabarGovernments(ctx, ag)
	if err != nil {
		return nil, err
	}
	out := append([]domain.Agency(nil), govs...)
	for _, g := range govs {
		units, err := ag.Children(ctx, g.Code)
		if err != nil {
			return nil, err
		}
		for _, u := range units {
			if u.Kind == domain.KindOPD {
				out = append(out, u)
			}
		}
	}
	return out, nil
}

// ComplaintsStep is the complaints step with another number of complaints
// and submission window (zero times: the generator's 2023–2025 default).
// Tests and benchmarks use it for a smaller or more recent history; the
// demo itself keeps ComplaintCount.
func ComplaintsStep(n int, from, to time.Time) Step {
	return Step{Name: "complaints", Run: func(ctx context.Context, d Deps) (string, error) {
		return importComplaints(ctx, d, n, from, to)
	}}
}

// addComplaints writes the synthetic 2023–2025 history as NDJSON and
// imports it through the same path as any file, so a second run finds
// every complaint unchanged.
func addComplaints(ctx context.Context, d Deps) (string, error) {
	return importComplaints(ctx, d, ComplaintCount, time.Time{}, time.Time{})
}

func importComplaints(ctx context.Context, d Deps, n int, from, to time.Time) (string, error) {
	if d.Ingest == nil {
		return "skipped (no ingest service)", nil
	}
	list, err := JabarAgencies(ctx, d.Agencies)
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "tanggap-demo-complaints-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "demo-complaints.ndjson")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	g := &synth.Generator{Seed: ComplaintSeed, Complaints: n, From: from, To: to, Agencies: list}
	if err := synth.WriteNDJSON(f, g); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	rep, err := d.Ingest.ImportFile(ctx, access.CLI(), ingest.FileImport{Path: path,
		FileOptions: ingest.FileOptions{Kind: parse.KindComplaints, Format: parse.FormatNDJSON}})
	if err != nil {
		return "", err
	}
	c := rep.Counts
	if c.Rejected > 0 {
		return "", fmt.Errorf("%d synthetic complaints rejected: %w", c.Rejected, domain.ErrInvalid)
	}
	return fmt.Sprintf("%d created, %d updated, %d unchanged; %d events created in %s", c.Created, c.Updated, c.Unchanged,
		c.EventsCreated, rep.Duration.Round(1e6)), nil
}
