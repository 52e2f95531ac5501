package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// tokenPrefix marks Tanggap secrets so scanners can find leaked ones.
const tokenPrefix = "tgp_"

// Service issues, checks and revokes API tokens and answers scope questions.
type Service struct {
	store *store.Store
	audit *audit.Recorder
	now   func() time.Time
}

// NewService builds the access service.
func NewService(st *store.Store, rec *audit.Recorder, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, audit: rec, now: now}
}

// HashSecret is the SHA-256 of a token secret. A plain fast hash is right
// here (unlike for passwords): the secret carries 160 random bits, so there
// is nothing to brute-force, and lookups stay one indexed equality.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func newSecret() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), nil
}

// NewToken describes a token to create.
type NewToken struct {
	Name       string
	Role       Role
	AgencyCode string
	ExpiresIn  time.Duration // 0: never
}

// CreateToken stores a new token and returns its secret, which is shown once.
func (s *Service) CreateToken(ctx context.Context, actor Principal, nt NewToken) (string, store.APIToken, error) {
	if err := RequireAdmin(actor); err != nil {
		return "", store.APIToken{}, fmt.Errorf("create token: %w", err)
	}
	v := &domain.ValidationError{Message: "invalid token"}
	if strings.TrimSpace(nt.Name) == "" {
		v.Details = append(v.Details, domain.FieldError{Field: "name", Reason: "required"})
	}
	if !nt.Role.Valid() {
		v.Details = append(v.Details, domain.FieldError{Field: "role", Reason: fmt.Sprintf("%q: valid roles are admin, agency, reader", nt.Role)})
	}
	if nt.Role == RoleAgency && nt.AgencyCode == "" {
		v.Details = append(v.Details, domain.FieldError{Field: "agency", Reason: "an agency token needs an agency code"})
	}
	if nt.Role != RoleAgency && nt.AgencyCode != "" {
		v.Details = append(v.Details, domain.FieldError{Field: "agency", Reason: "only agency tokens are bound to an agency"})
	}
	if nt.ExpiresIn < 0 {
		v.Details = append(v.Details, domain.FieldError{Field: "expires", Reason: "must be positive"})
	}
	if len(v.Details) > 0 {
		return "", store.APIToken{}, v
	}
	secret, err := newSecret()
	if err != nil {
		return "", store.APIToken{}, fmt.Errorf("create token: %w", err)
	}
	t := store.APIToken{Name: nt.Name, Role: string(nt.Role), AgencyCode: nt.AgencyCode, Hash: HashSecret(secret), Prefix: secret[:len(tokenPrefix)+6]}
	if nt.ExpiresIn > 0 {
		exp := s.now().Add(nt.ExpiresIn).UTC()
		t.ExpiresAt = &exp
	}
	created, err := s.store.CreateToken(ctx, t)
	if err != nil {
		return "", store.APIToken{}, err
	}
	s.audit.Record(ctx, actor.Actor(), "create", "token", fmt.Sprint(created.ID), nil, created)
	return secret, created, nil
}

// ListTokens lists tokens (never secrets).
func (s *Service) ListTokens(ctx context.Context, actor Principal) ([]store.APIToken, error) {
	if err := RequireAdmin(actor); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return s.store.ListTokens(ctx)
}

// RevokeToken revokes a token by id.
func (s *Service) RevokeToken(ctx context.Context, actor Principal, id int64) (store.APIToken, error) {
	if err := RequireAdmin(actor); err != nil {
		return store.APIToken{}, fmt.Errorf("revoke token: %w", err)
	}
	before, err := s.store.RevokeToken(ctx, id, s.now())
	if err != nil {
		return store.APIToken{}, err
	}
	s.audit.Record(ctx, actor.Actor(), "revoke", "token", fmt.Sprint(id), nil, before)
	return before, nil
}

// ErrBadToken is returned for unknown, revoked or expired tokens.
var ErrBadToken = fmt.Errorf("invalid, revoked or expired token: %w", domain.ErrUnauthorized)

// Authenticate turns a bearer secret into a principal.
func (s *Service) Authenticate(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return Principal{}, ErrBadToken
	}
	t, err := s.store.TokenByHash(ctx, HashSecret(secret))
	if errors.Is(err, domain.ErrNotFound) {
		return Principal{}, ErrBadToken
	}
	if err != nil {
		return Principal{}, err
	}
	now := s.now()
	if t.RevokedAt != nil || (t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)) {
		return Principal{}, ErrBadToken
	}
	// Last-used is a convenience; failing to record it must not fail the request.
	_ = s.store.TouchToken(ctx, t.ID, now)
	return Principal{TokenID: t.ID, Name: t.Name, Role: Role(t.Role), AgencyCode: t.AgencyCode}, nil
}

// RequireWrite checks that p may write data belonging to agencyCode: admins
// anywhere, agency tokens inside their subtree, nobody else.
func (s *Service) RequireWrite(ctx context.Context, p Principal, agencyCode string) error {
	switch p.Role {
	case "":
		return fmt.Errorf("a token is required to write: %w", domain.ErrUnauthorized)
	case RoleAdmin:
		return nil
	case RoleAgency:
		ok, err := s.store.IsInSubtree(ctx, p.AgencyCode, agencyCode)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("token for %s may not write to %s: %w", p.AgencyCode, agencyCode, domain.ErrForbidden)
		}
		return nil
	default:
		return fmt.Errorf("%s tokens may not write: %w", p.Role, domain.ErrForbidden)
	}
}

// RequireAdmin checks that p is an admin.
func RequireAdmin(p Principal) error {
	switch p.Role {
	case "":
		return fmt.Errorf("a token is required: %w", domain.ErrUnauthorized)
	case RoleAdmin:
		return nil
	}
	return fmt.Errorf("admins only: %w", domain.ErrForbidden)
}

// RequireReader checks that p may read non-public data.
func RequireReader(p Principal) error {
	if p.Anonymous() {
		return fmt.Errorf("a token is required: %w", domain.ErrUnauthorized)
	}
	return nil
}
