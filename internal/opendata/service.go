package opendata

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

// wib reads the period filter's dates: the national calendar's zone.
var wib = time.FixedZone("WIB", 7*3600)

// Service builds exports from the store.
type Service struct {
	store     *store.Store
	now       func() time.Time
	uidDomain string
	pageSize  int
}

// NewService builds the open-data service; uidDomain names the iCalendar
// UIDs (e.g. "tanggap.id").
func NewService(st *store.Store, now func() time.Time, uidDomain string) *Service {
	if uidDomain == "" {
		uidDomain = "tanggap.id"
	}
	return &Service{store: st, now: now, uidDomain: uidDomain, pageSize: store.DefaultExportPage}
}

// Datasets lists every dataset offered, in catalogue order.
func (s *Service) Datasets() []Dataset { return catalogue() }

// Dataset returns one dataset's description and dictionary.
func (s *Service) Dataset(name string) (Dataset, error) {
	d, ok := catalogueByName[name]
	if !ok {
		return Dataset{}, fmt.Errorf("open data: no dataset %q: %w", name, domain.ErrNotFound)
	}
	return d, nil
}

// DictionaryPath is where a dataset's dictionary is published.
func DictionaryPath(name string) string { return "/open-data/" + name + "/dictionary.json" }

// DownloadPath is where a dataset is downloaded in a format.
func DownloadPath(name string, f Format) string { return "/open-data/" + name + "." + string(f) }

// Query filters an export.
type Query struct {
	Government string
	From, To   *workcal.Date // inclusive, read in WIB
	Lang       string        // iCalendar names: "id" (default) or "en"
}

// Export is a validated download, ready to stream.
type Export struct {
	Dataset Dataset
	Format  Format
	svc     *Service
	q       Query
	filter  store.ExportFilter
}

// FileName is the download's suggested file name.
func (e *Export) FileName() string {
	name := "tanggap-" + e.Dataset.Name
	if e.q.Government != "" {
		name += "-" + strings.NewReplacer(".", "_", "/", "_").Replace(e.q.Government)
	}
	return name + "." + string(e.Format)
}

// Prepare checks a request before anything is written, so every mistake
// (unknown dataset, format or government, a filter the dataset does not
// take) is a proper error response rather than a truncated download.
func (s *Service) Prepare(ctx context.Context, name string, format Format, q Query) (*Export, error) {
	d, err := s.Dataset(name)
	if err != nil {
		return nil, err
	}
	if !d.Has(format) {
		return nil, fmt.Errorf("open data: %s is not offered as %q (formats: %v): %w", name, format, d.Formats, domain.ErrNotFound)
	}
	if q.Government != "" && !d.Accepts(FilterGovernment) {
		return nil, domain.Invalidf("government", "the %s dataset is national and takes no government filter", name)
	}
	if (q.From != nil || q.To != nil) && !d.Accepts(FilterFrom) {
		return nil, domain.Invalidf("from", "the %s dataset takes no period filter", name)
	}
	if q.From != nil && q.To != nil && q.To.Before(*q.From) {
		return nil, domain.Invalid("to", "must not be before from")
	}
	if q.Lang != "" && q.Lang != "id" && q.Lang != "en" {
		return nil, domain.Invalid("lang", "must be id or en")
	}
	ex := &Export{Dataset: d, Format: format, svc: s, q: q, filter: store.ExportFilter{AgencyCode: q.Government}}
	if q.Government != "" {
		if _, err := s.store.AgencyByCode(ctx, q.Government); err != nil {
			return nil, err
		}
	}
	if q.From != nil {
		ex.filter.From = time.Date(q.From.Year, q.From.Month, q.From.Day, 0, 0, 0, 0, wib)
	}
	if q.To != nil {
		end := q.To.AddDays(1)
		ex.filter.To = time.Date(end.Year, end.Month, end.Day, 0, 0, 0, 0, wib)
	}
	return ex, nil
}

// WriteTo streams the export to w. An error after the first byte leaves
// the output truncated: callers abort the connection so clients notice.
func (e *Export) WriteTo(ctx context.Context, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if e.Format == ICS {
		hs, err := e.holidays(ctx)
		if err != nil {
			return err
		}
		lang := e.q.Lang
		if lang == "" {
			lang = "id"
		}
		if err := writeICS(bw, hs, lang, e.svc.uidDomain, e.svc.now()); err != nil {
			return err
		}
		return bw.Flush()
	}
	h := header{Dataset: e.Dataset.Name, Title: e.Dataset.TitleEN, Licence: e.Dataset.Licence, Attribution: e.Dataset.Attribution,
		Dictionary: DictionaryPath(e.Dataset.Name), GeneratedAt: e.svc.now().UTC().Truncate(time.Second), Filter: e.filterEcho()}
	enc, err := newEncoder(e.Format, bw, &e.Dataset, h)
	if err != nil {
		return err
	}
	if err := e.rows(ctx, enc); err != nil {
		return err
	}
	if err := enc.end(); err != nil {
		return err
	}
	return bw.Flush()
}

func (e *Export) filterEcho() map[string]string {
	m := map[string]string{}
	if e.q.Government != "" {
		m["government"] = e.q.Government
	}
	if e.q.From != nil {
		m["from"] = e.q.From.String()
	}
	if e.q.To != nil {
		m["to"] = e.q.To.String()
	}
	return m
}

func (e *Export) rows(ctx context.Context, enc encoder) error {
	vals := make([]any, len(e.Dataset.Fields))
	zones := zoneCache{}
	switch e.Dataset.Name {
	case DatasetComplaints:
		return e.svc.store.EachExportComplaint(ctx, e.filter, e.svc.pageSize, func(c *store.ExportComplaint) error {
			vals = complaintRow(vals, c, zones.get(c.TimeZone))
			return enc.row(vals)
		})
	case DatasetClocks:
		return e.svc.store.EachExportClock(ctx, e.filter, e.svc.pageSize, func(k *store.ExportClock) error {
			loc := zones.get(k.TimeZone)
			vals = append(vals[:0], k.Source, k.TrackingID, string(k.Kind), k.AgencyCode, k.Cycle, k.StartedAt.In(loc), k.DueAt.In(loc),
				inZone(k.StoppedAt, loc), k.LimitDays, k.WorkingDaysUsed, k.PausedWorkingDays, string(k.Verdict), k.PolicyVersion, k.CalendarVersion)
			return enc.row(vals)
		})
	case DatasetComplaintCounts:
		return e.svc.store.EachComplaintCount(ctx, e.filter, func(n store.ComplaintCount) error {
			vals = append(vals[:0], n.AgencyCode, n.AgencyName, n.GovernmentCode, n.Month, string(n.ReportType), n.Received, n.Confidential, n.Received-n.Confidential)
			return enc.row(vals)
		})
	case DatasetHolidays:
		hs, err := e.holidays(ctx)
		if err != nil {
			return err
		}
		for _, h := range hs {
			vals = append(vals[:0], h.Date.String(), string(h.Kind), h.NameID, h.NameEN, h.Source)
			if err := enc.row(vals); err != nil {
				return err
			}
		}
		return nil
	case DatasetSPBE:
		from, to := 0, 0
		if e.q.From != nil {
			from = e.q.From.Year
		}
		if e.q.To != nil {
			to = e.q.To.Year
		}
		return e.svc.store.EachExportIndexResult(ctx, e.filter, from, to, func(r domain.SPBEIndexResult) error {
			domains, err := json.Marshal(r.Domains)
			if err != nil {
				return err
			}
			var detail any
			if len(r.Detail) > 0 {
				detail = Raw(r.Detail)
			}
			vals = append(vals[:0], r.Government, r.GovernmentName, string(r.Kind), r.ParentCode, r.Framework, r.FrameworkVersion,
				r.Year, string(r.Stage), string(r.Source), r.Index, emptyNil(r.IndexExact), r.Predicate, emptyNil(r.Banding),
				Raw(domains), detail, r.ComputedAt)
			return enc.row(vals)
		})
	case DatasetMetrics:
		return e.metricsRows(ctx, enc, vals)
	case DatasetCommitments:
		return e.commitmentRows(ctx, enc, vals)
	}
	return fmt.Errorf("open data: no producer for %s", e.Dataset.Name)
}

func (e *Export) holidays(ctx context.Context) ([]workcal.Holiday, error) {
	hs, err := e.svc.store.Holidays(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(hs, func(h workcal.Holiday) bool {
		return (e.q.From != nil && h.Date.Before(*e.q.From)) || (e.q.To != nil && h.Date.After(*e.q.To))
	}), nil
}

// complaintRow fills vals in the complaints dataset's field order.
func complaintRow(vals []any, c *store.ExportComplaint, loc *time.Location) []any {
	var current [3]*store.ExportClock
	cycles := 1
	for i := range c.Clocks {
		k := &c.Clocks[i]
		if idx := slices.Index(domain.ClockKinds, k.Kind); idx >= 0 {
			current[idx] = k // ordered by cycle, then start: the last one is current
		}
		cycles = max(cycles, k.Cycle)
	}
	vals = append(vals[:0], c.Source, c.TrackingID, string(c.ReportType), c.Category, c.Channel, c.SubmittedAt.In(loc),
		c.AgencyCode, c.AgencyName, c.GovernmentCode, c.RegionCode, c.TimeZone, c.Anonymous, c.Title, c.Summary,
		inZone(c.VerifiedAt, loc), inZone(c.FirstResponseAt, loc), inZone(c.CompletedAt, loc), inZone(c.RejectedAt, loc),
		inZone(c.ClosedAt, loc), cycles)
	for _, k := range current {
		if k == nil {
			vals = append(vals, nil, nil, nil, nil, nil, nil)
			continue
		}
		vals = append(vals, k.AgencyCode, k.LimitDays, k.DueAt.In(loc), inZone(k.StoppedAt, loc), k.WorkingDaysUsed, string(k.Verdict))
	}
	return append(vals, c.UpdatedAt.In(loc))
}

// inZone is a nullable time in loc (nil stays a JSON null / empty cell).
func inZone(t *time.Time, loc *time.Location) any {
	if t == nil {
		return nil
	}
	return t.In(loc)
}

func emptyNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

type zoneCache map[string]*time.Location

func (z zoneCache) get(name string) *time.Location {
	if l, ok := z[name]; ok {
		return l
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = wib
	}
	z[name] = l
	return l
}
