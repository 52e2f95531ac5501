package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

type apiTokenRow struct {
	ID         int64 `gorm:"primaryKey"`
	Name       string
	Role       string
	AgencyID   *int64
	TokenHash  string
	Prefix     string
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
	AgencyCode string `gorm:"->;-:migration"`
}

func (apiTokenRow) TableName() string { return "api_tokens" }

// APIToken is a stored token: never the secret, only its hash.
type APIToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	AgencyCode string     `json:"agency_code,omitempty"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	Hash       string     `json:"-"`
}

func (r apiTokenRow) toToken() APIToken {
	return APIToken{ID: r.ID, Name: r.Name, Role: r.Role, AgencyCode: r.AgencyCode, Prefix: r.Prefix,
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: utcPtr(r.ExpiresAt), RevokedAt: utcPtr(r.RevokedAt),
		LastUsedAt: utcPtr(r.LastUsedAt), Hash: r.TokenHash}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (s *Store) tokenQuery(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("api_tokens AS t").Select("t.*, a.code AS agency_code").
		Joins("LEFT JOIN agencies AS a ON a.id = t.agency_id")
}

// CreateToken stores a token's hash and metadata.
func (s *Store) CreateToken(ctx context.Context, t APIToken) (APIToken, error) {
	row := apiTokenRow{Name: t.Name, Role: t.Role, TokenHash: t.Hash, Prefix: t.Prefix,
		CreatedAt: time.Now().UTC(), ExpiresAt: utcPtr(t.ExpiresAt)}
	if t.AgencyCode != "" {
		a, err := s.agencyRowByCode(ctx, t.AgencyCode)
		if err != nil {
			return APIToken{}, fmt.Errorf("agency %s: %w", t.AgencyCode, err)
		}
		row.AgencyID = &a.ID
	}
	if err := s.conn(ctx).Omit("AgencyCode").Create(&row).Error; err != nil {
		return APIToken{}, wrap("create token", err)
	}
	row.AgencyCode = t.AgencyCode
	return row.toToken(), nil
}

// TokenByHash finds a token by the hash of its secret.
func (s *Store) TokenByHash(ctx context.Context, hash string) (APIToken, error) {
	var row apiTokenRow
	if err := s.tokenQuery(ctx).Where("t.token_hash = ?", hash).Take(&row).Error; err != nil {
		return APIToken{}, wrap("token", err)
	}
	return row.toToken(), nil
}

// ListTokens returns every token, newest first.
func (s *Store) ListTokens(ctx context.Context) ([]APIToken, error) {
	var rows []apiTokenRow
	if err := s.tokenQuery(ctx).Order("t.id DESC").Find(&rows).Error; err != nil {
		return nil, wrap("list tokens", err)
	}
	out := make([]APIToken, len(rows))
	for i, r := range rows {
		out[i] = r.toToken()
	}
	return out, nil
}

// RevokeToken marks a token revoked; revoking twice is a no-op.
func (s *Store) RevokeToken(ctx context.Context, id int64, at time.Time) (APIToken, error) {
	var row apiTokenRow
	if err := s.tokenQuery(ctx).Where("t.id = ?", id).Take(&row).Error; err != nil {
		return APIToken{}, wrap(fmt.Sprintf("token %d", id), err)
	}
	if row.RevokedAt == nil {
		at = at.UTC()
		if err := s.conn(ctx).Model(&apiTokenRow{}).Where("id = ?", id).Update("revoked_at", at).Error; err != nil {
			return APIToken{}, wrap("revoke token", err)
		}
		row.RevokedAt = &at
	}
	return row.toToken(), nil
}

// TouchToken records when a token was last used, at most once a minute so
// reads do not turn into a write per request.
func (s *Store) TouchToken(ctx context.Context, id int64, at time.Time) error {
	err := s.conn(ctx).Model(&apiTokenRow{}).
		Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, at.UTC().Add(-time.Minute)).
		Update("last_used_at", at.UTC()).Error
	return wrap("touch token", err)
}
