package store

import (
	"context"
	"time"
)

type auditRow struct {
	ID         int64 `gorm:"primaryKey"`
	At         time.Time
	Actor      string
	Action     string
	Entity     string
	EntityKey  string
	BeforeJSON *string
	AfterJSON  *string
	RequestID  string
}

func (auditRow) TableName() string { return "audit_log" }

// AuditEntry records one change: who, what, when, before and after.
type AuditEntry struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`
	Action    string    `json:"action"`
	Entity    string    `json:"entity"`
	EntityKey string    `json:"entity_key"`
	Before    *string   `json:"before,omitempty"`
	After     *string   `json:"after,omitempty"`
	RequestID string    `json:"request_id,omitempty"`
}

// InsertAudit appends an entry to the audit log.
func (s *Store) InsertAudit(ctx context.Context, e AuditEntry) error {
	row := auditRow{At: e.At.UTC(), Actor: e.Actor, Action: e.Action, Entity: e.Entity, EntityKey: e.EntityKey,
		BeforeJSON: e.Before, AfterJSON: e.After, RequestID: e.RequestID}
	return wrap("insert audit", s.conn(ctx).Create(&row).Error)
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	Entity    string
	EntityKey string
	Limit     int
	Offset    int
}

// ListAudit returns audit entries newest first, and the total.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, int64, error) {
	q := s.conn(ctx).Model(&auditRow{})
	if f.Entity != "" {
		q = q.Where("entity = ?", f.Entity)
	}
	if f.EntityKey != "" {
		q = q.Where("entity_key = ?", f.EntityKey)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, wrap("list audit", err)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	}
	var rows []auditRow
	if err := q.Order("id DESC").Find(&rows).Error; err != nil {
		return nil, 0, wrap("list audit", err)
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = AuditEntry{ID: r.ID, At: r.At.UTC(), Actor: r.Actor, Action: r.Action, Entity: r.Entity,
			EntityKey: r.EntityKey, Before: r.BeforeJSON, After: r.AfterJSON, RequestID: r.RequestID}
	}
	return out, total, nil
}
