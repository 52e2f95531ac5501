// Package agencies manages the agency tree: the national catalogue of
// provinces and regencies/cities, units (OPD) and central agencies added by
// import or API, moves within the tree, and the scope checks and audit trail
// around every write.
package agencies

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// Service is the agency use-case layer.
type Service struct {
	store  *store.Store
	access *access.Service
	audit  *audit.Recorder
}

// NewService builds the service.
func NewService(st *store.Store, acc *access.Service, rec *audit.Recorder) *Service {
	return &Service{store: st, access: acc, audit: rec}
}

// Get returns one agency.
func (s *Service) Get(ctx context.Context, code string) (domain.Agency, error) {
	return s.store.AgencyByCode(ctx, code)
}

// Children lists an agency's direct children.
func (s *Service) Children(ctx context.Context, code string) ([]domain.Agency, error) {
	return s.store.AgencyChildren(ctx, code)
}

// List returns a page of agencies.
func (s *Service) List(ctx context.Context, f store.AgencyFilter) ([]domain.Agency, int64, error) {
	for _, k := range f.Kinds {
		if !k.Valid() {
			return nil, 0, domain.Invalidf("kind", "unknown kind %q; valid: %v", k, domain.AgencyKinds)
		}
	}
	return s.store.ListAgencies(ctx, f)
}

// normalise fills derivable fields: a unit without a zone takes its parent's.
func (s *Service) normalise(ctx context.Context, tx *store.Store, a *domain.Agency) error {
	a.Code = strings.TrimSpace(a.Code)
	a.Name = strings.TrimSpace(a.Name)
	a.ParentCode = strings.TrimSpace(a.ParentCode)
	if a.ShortName == "" {
		a.ShortName = a.Name
	}
	if a.TimeZone == "" && a.ParentCode != "" {
		p, err := tx.AgencyByCode(ctx, a.ParentCode)
		if err != nil {
			return parentError(a.ParentCode, err)
		}
		a.TimeZone = p.TimeZone
	}
	return a.Validate()
}

func parentError(code string, err error) error {
	if domainIs(err, domain.ErrNotFound) {
		return domain.Invalidf("parent_code", "unknown parent agency %q", code)
	}
	return err
}

// Create adds an agency. The actor needs write scope over the new agency's
// parent (admins may create roots).
func (s *Service) Create(ctx context.Context, actor access.Principal, a domain.Agency) (domain.Agency, error) {
	var out domain.Agency
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		if err := s.normalise(ctx, tx, &a); err != nil {
			return err
		}
		if err := s.requireParentScope(ctx, actor, a.ParentCode); err != nil {
			return err
		}
		created, err := tx.CreateAgency(ctx, a)
		if err != nil {
			if domainIs(err, domain.ErrNotFound) {
				return parentError(a.ParentCode, err)
			}
			if domainIs(err, domain.ErrConflict) {
				return fmt.Errorf("agency %s already exists: %w", a.Code, domain.ErrConflict)
			}
			return err
		}
		out = created
		return s.audit.WithStore(tx).RecordTx(ctx, actor.Actor(), "create", "agency", a.Code, nil, created)
	})
	return out, err
}

func (s *Service) requireParentScope(ctx context.Context, actor access.Principal, parent string) error {
	if parent == "" {
		return access.RequireAdmin(actor)
	}
	return s.access.RequireWrite(ctx, actor, parent)
}

// Update changes an agency; a changed parent moves it with its subtree. The
// actor needs scope over the agency and, when moving, over the new parent.
func (s *Service) Update(ctx context.Context, actor access.Principal, a domain.Agency) (domain.Agency, error) {
	var out domain.Agency
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		before, err := tx.AgencyByCode(ctx, a.Code)
		if err != nil {
			return err
		}
		if err := s.access.RequireWrite(ctx, actor, a.Code); err != nil {
			return err
		}
		if a.ExternalIDs == nil {
			a.ExternalIDs = before.ExternalIDs
		}
		if err := s.normalise(ctx, tx, &a); err != nil {
			return err
		}
		if a.ParentCode != before.ParentCode {
			if err := s.requireParentScope(ctx, actor, a.ParentCode); err != nil {
				return err
			}
		}
		after, err := tx.UpdateAgency(ctx, a)
		if err != nil {
			if domainIs(err, domain.ErrNotFound) && a.ParentCode != "" {
				return parentError(a.ParentCode, err)
			}
			return err
		}
		out = after
		return s.audit.WithStore(tx).RecordTx(ctx, actor.Actor(), "update", "agency", a.Code, before, after)
	})
	return out, err
}

// Outcome of an idempotent upsert.
type Outcome string

const (
	Created   Outcome = "created"
	Updated   Outcome = "updated"
	Unchanged Outcome = "unchanged"
)

// Upsert creates the agency or brings it to the given state; unchanged
// agencies are not written (so replaying an import changes nothing).
func (s *Service) Upsert(ctx context.Context, actor access.Principal, a domain.Agency) (Outcome, error) {
	cur, err := s.store.AgencyByCode(ctx, a.Code)
	switch {
	case domainIs(err, domain.ErrNotFound):
		_, err := s.Create(ctx, actor, a)
		return Created, err
	case err != nil:
		return "", err
	}
	if a.TimeZone == "" {
		a.TimeZone = cur.TimeZone
	}
	if a.ShortName == "" {
		a.ShortName = a.Name
	}
	if a.ExternalIDs == nil {
		a.ExternalIDs = cur.ExternalIDs
	}
	if sameAgency(cur, a) {
		return Unchanged, nil
	}
	_, err = s.Update(ctx, actor, a)
	return Updated, err
}

func sameAgency(cur, a domain.Agency) bool {
	ids := func(m map[string]string) map[string]string {
		if m == nil {
			return map[string]string{}
		}
		return m
	}
	return cur.Kind == a.Kind && cur.Name == a.Name && cur.ShortName == a.ShortName &&
		cur.ParentCode == a.ParentCode && cur.TimeZone == a.TimeZone && cur.Active == a.Active &&
		maps.Equal(ids(cur.ExternalIDs), ids(a.ExternalIDs))
}

// ChildCounts returns how many children each child of code has.
func (s *Service) ChildCounts(ctx context.Context, code string, kinds ...domain.AgencyKind) (map[string]int64, error) {
	return s.store.ChildCounts(ctx, code, kinds...)
}
