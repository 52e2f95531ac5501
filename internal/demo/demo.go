// Package demo builds the demonstration data set: the national catalogue,
// agency units for the Jawa Barat governments, and (as later capabilities
// land) their complaints, commitments and SPBE results. Every step goes
// through the same services real data uses, and is idempotent, so running
// the demo twice changes nothing.
package demo

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/commitments"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/metrics"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
)

// JawaBarat is the province whose governments get units and data.
const JawaBarat = "32"

// Deps are the services the demo writes through.
type Deps struct {
	Agencies *agencies.Service
	SPBE     *spbeindex.Service
	Ingest   *ingest.Service
	Clocks   *clocks.Service
	Rollups  *metrics.Service
	Log      *slog.Logger

	// Commitments, when set, gets the seed commitments.
	Commitments *commitments.Service
}

// Step is one named part of the demo data.
type Step struct {
	Name string
	Run  func(ctx context.Context, d Deps) (string, error)
}

// Steps is the ordered demo recipe; later capabilities append theirs.
func Steps() []Step {
	return []Step{
		{Name: "catalogue", Run: loadCatalogue},
		{Name: "units", Run: addUnits},
		{Name: "spbe", Run: loadSPBE},
		{Name: "complaints", Run: addComplaints},
		{Name: "clocks", Run: computeClocks},
		{Name: "metrics", Run: buildRollups},
		{Name: "projection", Run: projectIndices},
		{Name: "commitments", Run: seedCommitments},
	}
}

// Build runs every step and logs what each did.
func Build(ctx context.Context, d Deps) error {
	for _, s := range Steps() {
		summary, err := s.Run(ctx, d)
		if err != nil {
			return fmt.Errorf("demo %s: %w", s.Name, err)
		}
		d.Log.Info("demo data", "step", s.Name, "result", summary)
	}
	return nil
}

func loadCatalogue(ctx context.Context, d Deps) (string, error) {
	rep, err := d.Agencies.LoadCatalog(ctx, access.CLI())
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d created, %d updated, %d unchanged", rep.Created, rep.Updated, rep.Unchanged), nil
}

// unit is an OPD template: code suffix and name prefix.
type unit struct{ suffix, name string }

var provinceUnits = []unit{
	{"DISKOMINFO", "Dinas Komunikasi dan Informatika"},
	{"DINKES", "Dinas Kesehatan"},
	{"DISDIK", "Dinas Pendidikan"},
	{"DBMPR", "Dinas Bina Marga dan Penataan Ruang"},
	{"DISHUB", "Dinas Perhubungan"},
}

var localUnits = []unit{
	{"DISKOMINFO", "Dinas Komunikasi dan Informatika"},
	{"DINKES", "Dinas Kesehatan"},
	{"DISDIK", "Dinas Pendidikan"},
	{"DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"},
	{"DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil"},
}

// UnitCode is the demo code of a unit of a government.
func UnitCode(government, suffix string) string { return government + "." + suffix }

// JabarGovernments returns the province and its 27 regencies/cities.
func JabarGovernments(ctx context.Context, ag *agencies.Service) ([]domain.Agency, error) {
	prov, err := ag.Get(ctx, JawaBarat)
	if err != nil {
		return nil, err
	}
	children, err := ag.Children(ctx, JawaBarat)
	if err != nil {
		return nil, err
	}
	out := []domain.Agency{prov}
	for _, c := range children {
		if c.Kind == domain.KindKabupaten || c.Kind == domain.KindKota {
			out = append(out, c)
		}
	}
	return out, nil
}

func addUnits(ctx context.Context, d Deps) (string, error) {
	govs, err := JabarGovernments(ctx, d.Agencies)
	if err != nil {
		return "", err
	}
	counts := map[agencies.Outcome]int{}
	for _, g := range govs {
		templates := localUnits
		if g.Kind == domain.KindProvinsi {
			templates = provinceUnits
		}
		for _, u := range templates {
			name := u.name + " " + g.Name
			if g.Kind == domain.KindProvinsi {
				name = u.name + " Provinsi " + g.Name
			}
			out, err := d.Agencies.Upsert(ctx, access.CLI(), domain.Agency{
				Code: UnitCode(g.Code, u.suffix), Kind: domain.KindOPD, Name: name, ShortName: u.suffix,
				ParentCode: g.Code, TimeZone: g.TimeZone, Active: true,
			})
			if err != nil {
				return "", err
			}
			counts[out]++
		}
	}
	return fmt.Sprintf("%d created, %d updated, %d unchanged", counts[agencies.Created], counts[agencies.Updated], counts[agencies.Unchanged]), nil
}
