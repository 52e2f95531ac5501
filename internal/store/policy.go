package store

import (
	"context"
	"time"

	"gorm.io/gorm"
)

type policyRow struct {
	ID        int64 `gorm:"primaryKey"`
	Version   string
	Name      string
	AgencyID  *int64
	Document  string
	Reason    string
	Actor     string
	CreatedAt time.Time
	// AgencyCode is read through a join, never written.
	AgencyCode string `gorm:"->;-:migration"`
}

func (policyRow) TableName() string { return "sla_policies" }

// PolicyVersion is one stored SLA policy: the national policy (AgencyCode
// empty) or an override for an agency's subtree. Document is the policy JSON
// as slapolicy.ParsePolicy reads it.
type PolicyVersion struct {
	ID         int64     `json:"id"`
	Version    string    `json:"version"`
	Name       string    `json:"name"`
	AgencyCode string    `json:"agency_code,omitempty"`
	Document   string    `json:"-"`
	Reason     string    `json:"reason,omitempty"`
	Actor      string    `json:"actor"`
	CreatedAt  time.Time `json:"created_at"`
}

func (r policyRow) toDomain() PolicyVersion {
	return PolicyVersion{ID: r.ID, Version: r.Version, Name: r.Name, AgencyCode: r.AgencyCode, Document: r.Document,
		Reason: r.Reason, Actor: r.Actor, CreatedAt: r.CreatedAt.UTC()}
}

func (s *Store) policyQuery(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("sla_policies AS p").Select("p.*, a.code AS agency_code").
		Joins("LEFT JOIN agencies AS a ON a.id = p.agency_id")
}

// InsertPolicy stores a new policy version; a used version label is
// ErrConflict, an unknown agency ErrNotFound.
func (s *Store) InsertPolicy(ctx context.Context, p PolicyVersion) (PolicyVersion, error) {
	row := policyRow{Version: p.Version, Name: p.Name, Document: p.Document, Reason: p.Reason, Actor: p.Actor, CreatedAt: p.CreatedAt.UTC()}
	if p.AgencyCode != "" {
		a, err := s.agencyRowByCode(ctx, p.AgencyCode)
		if err != nil {
			return PolicyVersion{}, err
		}
		row.AgencyID = &a.ID
	}
	if err := s.conn(ctx).Omit("AgencyCode").Create(&row).Error; err != nil {
		return PolicyVersion{}, wrap("insert policy "+p.Version, err)
	}
	row.AgencyCode = p.AgencyCode
	return row.toDomain(), nil
}

// Policies returns every stored policy version, newest first.
func (s *Store) Policies(ctx context.Context) ([]PolicyVersion, error) {
	var rows []policyRow
	if err := s.policyQuery(ctx).Order("p.id DESC").Find(&rows).Error; err != nil {
		return nil, wrap("list policies", err)
	}
	out := make([]PolicyVersion, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// PoliciesInForce returns the newest policy of each scope: the national one
// first (AgencyCode empty), then one per agency with an override.
func (s *Store) PoliciesInForce(ctx context.Context) ([]PolicyVersion, error) {
	var rows []policyRow
	err := s.policyQuery(ctx).
		Where("p.id IN (SELECT MAX(id) FROM sla_policies GROUP BY agency_id)").
		Order("a.code IS NOT NULL, a.code").Find(&rows).Error
	if err != nil {
		return nil, wrap("policies in force", err)
	}
	out := make([]PolicyVersion, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// PolicyByVersion returns one stored version, or ErrNotFound.
func (s *Store) PolicyByVersion(ctx context.Context, version string) (PolicyVersion, error) {
	var row policyRow
	if err := s.policyQuery(ctx).Where("p.version = ?", version).Take(&row).Error; err != nil {
		return PolicyVersion{}, wrap("policy "+version, err)
	}
	return row.toDomain(), nil
}
