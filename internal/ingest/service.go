// Package ingest brings complaints and their events in from the API, from
// CSV/XLSX/NDJSON files and from background upload jobs, through one
// batch writer: idempotent (a record seen again is unchanged), ordered by
// the source's updated-at (older replays are stale), tolerant of events
// that arrive before their complaint, scoped to the writer's agency
// subtree row by row, and resumable at the last committed batch of a file.
// Every complaint whose history changes is marked dirty for the clock engine.
package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// Outcome is what happened to one input row.
type Outcome string

const (
	Created   Outcome = "created"
	Updated   Outcome = "updated"
	Unchanged Outcome = "unchanged"
	Stale     Outcome = "stale" // same identity, not newer than what is stored
	Rejected  Outcome = "rejected"
)

// DefaultBatchSize is how many rows one transaction writes.
const DefaultBatchSize = 1000

// MaxAPIBatch is the most items one batch request may carry.
const MaxAPIBatch = 5000

// Options configures the service.
type Options struct {
	// DataDir holds uploaded import files (under imports/).
	DataDir string
	// BatchSize is the number of rows per transaction (DefaultBatchSize when 0).
	BatchSize int
	Log       *slog.Logger
	Now       func() time.Time
	// AfterCommit runs after each committed batch that may have marked
	// complaints dirty: the clock engine's dirty-only recompute. It must not
	// fail the ingest; marks it leaves stay for the next pass.
	AfterCommit func(ctx context.Context)
}

// Service is the ingest use-case layer.
type Service struct {
	store     *store.Store
	access    *access.Service
	audit     *audit.Recorder
	log       *slog.Logger
	now       func() time.Time
	dataDir   string
	batchSize int

	afterCommit func(ctx context.Context) // see Options.AfterCommit

	mu       sync.Mutex
	agencies *agencyIndex

	worker workerState
}

// NewService builds the service.
func NewService(st *store.Store, acc *access.Service, rec *audit.Recorder, opt Options) *Service {
	s := &Service{store: st, access: acc, audit: rec, log: opt.Log, now: opt.Now, dataDir: opt.DataDir, batchSize: opt.BatchSize, afterCommit: opt.AfterCommit}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.batchSize <= 0 {
		s.batchSize = DefaultBatchSize
	}
	s.worker.wake = make(chan struct{}, 1)
	return s
}

// committed runs the AfterCommit hook, if any.
func (s *Service) committed(ctx context.Context) {
	if s.afterCommit != nil {
		s.afterCommit(ctx)
	}
}

// agencyIndex resolves the agency codes of incoming rows: by code, or by
// the agency's LAPOR instansi id (what a LAPOR export's
// DisposisiInstansiID column holds).
type agencyIndex struct {
	version string
	byCode  map[string]*store.AgencyRef
	byLapor map[string]*store.AgencyRef
	byID    map[int64]*store.AgencyRef
	zones   map[string]*time.Location
}

func newAgencyIndex(version string, refs []store.AgencyRef) *agencyIndex {
	x := &agencyIndex{version: version, byCode: make(map[string]*store.AgencyRef, len(refs)),
		byLapor: map[string]*store.AgencyRef{}, byID: make(map[int64]*store.AgencyRef, len(refs)), zones: map[string]*time.Location{}}
	for i := range refs {
		r := &refs[i]
		x.byCode[r.Code] = r
		x.byID[r.ID] = r
		if r.LaporID != "" {
			x.byLapor[r.LaporID] = r
		}
		if _, ok := x.zones[r.TimeZone]; !ok {
			loc, err := time.LoadLocation(r.TimeZone)
			if err != nil {
				loc = nil
			}
			x.zones[r.TimeZone] = loc
		}
	}
	return x
}

// resolve finds an agency by code first, then by LAPOR instansi id.
func (x *agencyIndex) resolve(code string) (*store.AgencyRef, bool) {
	if r, ok := x.byCode[code]; ok {
		return r, true
	}
	r, ok := x.byLapor[code]
	return r, ok
}

// lookup is the parse.AgencyLookup over the index.
func (x *agencyIndex) lookup(code string) (*time.Location, bool) {
	r, ok := x.resolve(code)
	if !ok {
		return nil, false
	}
	return x.zones[r.TimeZone], true
}

// agencyIndex returns the cached index, reloading it when the agency
// table changed (one COUNT/MAX query per call).
func (s *Service) agencyIndex(ctx context.Context) (*agencyIndex, error) {
	v, err := s.store.AgencyRefsVersion(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	cur := s.agencies
	s.mu.Unlock()
	if cur != nil && cur.version == v {
		return cur, nil
	}
	refs, err := s.store.AgencyRefs(ctx)
	if err != nil {
		return nil, err
	}
	x := newAgencyIndex(v, refs)
	s.mu.Lock()
	s.agencies = x
	s.mu.Unlock()
	return x, nil
}

// scope is the writer's agency subtree: every row is checked against it.
type scope struct {
	p    access.Principal
	path string // agency token's subtree path; "" for admins
}

// writeScope checks that p may write at all and returns its subtree.
func (s *Service) writeScope(p access.Principal, idx *agencyIndex) (scope, error) {
	switch p.Role {
	case "":
		return scope{}, fmt.Errorf("a token is required to write: %w", domain.ErrUnauthorized)
	case access.RoleAdmin:
		return scope{p: p}, nil
	case access.RoleAgency:
		ref, ok := idx.byCode[p.AgencyCode]
		if !ok {
			return scope{}, fmt.Errorf("token agency %s no longer exists: %w", p.AgencyCode, domain.ErrForbidden)
		}
		return scope{p: p, path: ref.Path}, nil
	}
	return scope{}, fmt.Errorf("%s tokens may not write: %w", p.Role, domain.ErrForbidden)
}

func (sc scope) allows(ref *store.AgencyRef) bool {
	if sc.path == "" {
		return true // admin
	}
	return ref != nil && strings.HasPrefix(ref.Path, sc.path)
}

// readsReporter reports whether p may see the reporter of a complaint
// assigned to the agency at agencyPath: admins, and agency tokens whose
// subtree holds it (not for anonymous reports, whose identity is hidden
// from the agency as LAPOR does).
func readsReporter(p access.Principal, agencyPath string, ownPath string, anonymous bool) bool {
	switch p.Role {
	case access.RoleAdmin:
		return true
	case access.RoleAgency:
		return !anonymous && ownPath != "" && strings.HasPrefix(agencyPath, ownPath)
	}
	return false
}
