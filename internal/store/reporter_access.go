package store

import (
	"context"
	"time"
)

type reporterAccessRow struct {
	ID          int64 `gorm:"primaryKey"`
	At          time.Time
	UserID      int64
	Actor       string
	ComplaintID int64
	Source      string
	TrackingID  string
	AgencyCode  string
	Purpose     string
	ClientIP    string `gorm:"column:client_ip"`
	RequestID   string
}

func (reporterAccessRow) TableName() string { return "reporter_access_log" }

// ReporterAccess records that a signed-in person was shown a complaint's
// reporter data. It names the complaint, never the reporter.
type ReporterAccess struct {
	ID          int64     `json:"id"`
	At          time.Time `json:"at"`
	UserID      int64     `json:"user_id"`
	Actor       string    `json:"actor"`
	ComplaintID int64     `json:"-"`
	Source      string    `json:"source"`
	TrackingID  string    `json:"tracking_id"`
	AgencyCode  string    `json:"agency_code"`
	Purpose     string    `json:"purpose,omitempty"`
	ClientIP    string    `json:"client_ip,omitempty"`
	RequestID   string    `json:"request_id,omitempty"`
}

// InsertReporterAccess appends one entry to the reporter access log.
func (s *Store) InsertReporterAccess(ctx context.Context, e ReporterAccess) error {
	row := reporterAccessRow{At: utcMicro(e.At), UserID: e.UserID, Actor: e.Actor, ComplaintID: e.ComplaintID, Source: e.Source,
		TrackingID: e.TrackingID, AgencyCode: e.AgencyCode, Purpose: e.Purpose, ClientIP: e.ClientIP, RequestID: e.RequestID}
	return wrap("insert reporter access", s.conn(ctx).Create(&row).Error)
}

// ReporterAccessFilter selects log entries.
type ReporterAccessFilter struct {
	UserID     int64
	Source     string
	TrackingID string
	Limit      int
	Offset     int
}

// ListReporterAccess returns entries newest first, and the total.
func (s *Store) ListReporterAccess(ctx context.Context, f ReporterAccessFilter) ([]ReporterAccess, int64, error) {
	q := s.conn(ctx).Model(&reporterAccessRow{})
	if f.UserID != 0 {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.Source != "" {
		q = q.Where("source = ?", f.Source)
	}
	if f.TrackingID != "" {
		q = q.Where("tracking_id = ?", f.TrackingID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, wrap("list reporter access", err)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	}
	var rows []reporterAccessRow
	if err := q.Order("id DESC").Find(&rows).Error; err != nil {
		return nil, 0, wrap("list reporter access", err)
	}
	out := make([]ReporterAccess, len(rows))
	for i, r := range rows {
		out[i] = ReporterAccess{ID: r.ID, At: r.At.UTC(), UserID: r.UserID, Actor: r.Actor, ComplaintID: r.ComplaintID, Source: r.Source,
			TrackingID: r.TrackingID, AgencyCode: r.AgencyCode, Purpose: r.Purpose, ClientIP: r.ClientIP, RequestID: r.RequestID}
	}
	return out, total, nil
}
