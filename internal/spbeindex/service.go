// Package spbeindex is the SPBE index use-case layer: it loads frameworks
// (files of internal/spbe) into the database with their version, imports
// the published results, keeps assessments and the index history per
// government, and serves what-if, recommendation and ranking questions.
// Scoring itself is internal/spbe's (pure, exact); this package stores,
// checks scope and audits around it.
package spbeindex

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"time"

	"github.com/tanggap-id/tanggap/config/catalog"
	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/spbe"
	"github.com/tanggap-id/tanggap/internal/store"
)

// DefaultFramework is the framework the published 2023/2024 results use.
const DefaultFramework = "spbe-59-2020"

// FrameworkFile is a parsed framework with the file it came from and that
// file's version (a content hash: any edit is a new version).
type FrameworkFile struct {
	Framework *spbe.Framework
	Document  []byte
	Version   string
}

// LoadFrameworkFiles parses the framework files matching pattern in fsys.
func LoadFrameworkFiles(fsys fs.FS, pattern string) ([]FrameworkFile, error) {
	fws, err := spbe.LoadFS(fsys, pattern)
	if err != nil {
		return nil, err
	}
	out := make([]FrameworkFile, 0, len(fws))
	for _, fw := range fws {
		doc, err := fs.ReadFile(fsys, fw.File())
		if err != nil {
			return nil, fmt.Errorf("spbeindex: read %s: %w", fw.File(), err)
		}
		out = append(out, FrameworkFile{Framework: fw, Document: doc, Version: Version(doc)})
	}
	return out, nil
}

// EmbeddedFrameworks are the framework files shipped in the binary.
func EmbeddedFrameworks() ([]FrameworkFile, error) {
	return LoadFrameworkFiles(catalog.FS, "spbe-framework-*.json")
}

// Version names a framework file's content: "sha256:" and 16 hex digits.
func Version(doc []byte) string {
	sum := sha256.Sum256(doc)
	return "sha256:" + hex.EncodeToString(sum[:])[:16]
}

// Service is the SPBE index use-case layer.
type Service struct {
	store      *store.Store
	access     *access.Service
	audit      *audit.Recorder
	agencies   *agencies.Service
	frameworks []FrameworkFile
	now        func() time.Time
}

// NewService builds the service over the given frameworks (see
// EmbeddedFrameworks); now is the clock (time.Now in production).
func NewService(st *store.Store, acc *access.Service, rec *audit.Recorder, ag *agencies.Service, frameworks []FrameworkFile, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, access: acc, audit: rec, agencies: ag, frameworks: frameworks, now: now}
}

// Framework returns a framework by id; "" is the default framework.
func (s *Service) Framework(id string) (FrameworkFile, error) {
	if id == "" {
		id = DefaultFramework
	}
	for _, f := range s.frameworks {
		if f.Framework.ID == id {
			return f, nil
		}
	}
	return FrameworkFile{}, fmt.Errorf("framework %q: %w", id, domain.ErrNotFound)
}

// FrameworkLoad reports what LoadFrameworks did per framework.
type FrameworkLoad struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Loaded  bool   `json:"loaded"` // false: that version was already there
}

// LoadFrameworks stores every framework file the service knows with its
// version; versions already stored are left alone, so it is idempotent.
func (s *Service) LoadFrameworks(ctx context.Context, actor access.Principal) ([]FrameworkLoad, error) {
	if err := access.RequireAdmin(actor); err != nil {
		return nil, err
	}
	out := make([]FrameworkLoad, 0, len(s.frameworks))
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		for _, f := range s.frameworks {
			rec := domain.SPBEFrameworkRecord{ID: f.Framework.ID, Version: f.Version, Name: f.Framework.Name,
				EffectiveFrom: f.Framework.EffectiveFrom, Document: f.Document, LoadedAt: s.now().UTC()}
			created, err := tx.UpsertSPBEFramework(ctx, rec)
			if err != nil {
				return err
			}
			out = append(out, FrameworkLoad{ID: rec.ID, Version: rec.Version, Loaded: created})
			if created {
				if err := s.audit.WithStore(tx).RecordTx(ctx, actor.Actor(), "load", "spbe_framework", rec.ID+"@"+rec.Version, nil, rec); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

// ListFrameworks lists the framework versions stored in the database.
func (s *Service) ListFrameworks(ctx context.Context) ([]domain.SPBEFrameworkRecord, error) {
	return s.store.ListSPBEFrameworks(ctx)
}

// government returns the agency code's government, refusing units (OPD)
// and the national root: only governments have an index.
func (s *Service) government(ctx context.Context, code string) (domain.Agency, error) {
	a, err := s.store.AgencyByCode(ctx, code)
	if err != nil {
		return a, err
	}
	if !a.Kind.IsGovernment() {
		return a, domain.Invalidf("government", "%s is a %s, not a government with an SPBE index (use its government %s)", code, a.Kind, a.GovernmentCode)
	}
	return a, nil
}
