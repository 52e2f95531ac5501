package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

type sessionRow struct {
	ID         int64 `gorm:"primaryKey"`
	UserID     int64
	TokenHash  string
	CSRFToken  string `gorm:"column:csrf_token"`
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
	ClientIP   string `gorm:"column:client_ip"`
	UserAgent  string
}

func (sessionRow) TableName() string { return "user_sessions" }

// Session is a signed-in browser. The cookie's secret is never stored, only
// its hash; CSRFToken is the session's synchroniser token.
type Session struct {
	ID         int64
	UserID     int64
	TokenHash  string
	CSRFToken  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
	ClientIP   string
	UserAgent  string
}

func (r sessionRow) toSession() Session {
	return Session{ID: r.ID, UserID: r.UserID, TokenHash: r.TokenHash, CSRFToken: r.CSRFToken, CreatedAt: r.CreatedAt.UTC(),
		LastSeenAt: r.LastSeenAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), RevokedAt: utcPtr(r.RevokedAt), ClientIP: r.ClientIP, UserAgent: r.UserAgent}
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, se Session) (Session, error) {
	row := sessionRow{UserID: se.UserID, TokenHash: se.TokenHash, CSRFToken: se.CSRFToken, CreatedAt: utcMicro(se.CreatedAt),
		LastSeenAt: utcMicro(se.LastSeenAt), ExpiresAt: utcMicro(se.ExpiresAt), ClientIP: se.ClientIP, UserAgent: se.UserAgent}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return Session{}, wrap("create session", err)
	}
	return row.toSession(), nil
}

// SessionByTokenHash finds a session by the hash of its cookie secret,
// whatever its state: callers judge expiry and revocation.
func (s *Store) SessionByTokenHash(ctx context.Context, hash string) (Session, error) {
	var row sessionRow
	if err := s.conn(ctx).Where("token_hash = ?", hash).Take(&row).Error; err != nil {
		return Session{}, wrap("session", err)
	}
	return row.toSession(), nil
}

// TouchSession records activity, at most once a minute so page views do
// not turn into a write each.
func (s *Store) TouchSession(ctx context.Context, id int64, at time.Time) error {
	at = utcMicro(at)
	err := s.conn(ctx).Model(&sessionRow{}).Where("id = ? AND last_seen_at < ?", id, at.Add(-time.Minute)).
		Update("last_seen_at", at).Error
	return wrap("touch session", err)
}

// RevokeSession ends one session; revoking twice is a no-op.
func (s *Store) RevokeSession(ctx context.Context, id int64, at time.Time) error {
	err := s.conn(ctx).Model(&sessionRow{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", utcMicro(at)).Error
	return wrap("revoke session", err)
}

// RevokeUserSessions ends every live session of a user and says how many.
func (s *Store) RevokeUserSessions(ctx context.Context, userID int64, at time.Time) (int64, error) {
	res := s.conn(ctx).Model(&sessionRow{}).Where("user_id = ? AND revoked_at IS NULL AND expires_at > ?", userID, utcMicro(at)).
		Update("revoked_at", utcMicro(at))
	if res.Error != nil {
		return 0, wrap(fmt.Sprintf("revoke sessions of user %d", userID), res.Error)
	}
	return res.RowsAffected, nil
}

// DeleteSessionsBefore removes sessions that ended (expired or revoked)
// before the given time.
func (s *Store) DeleteSessionsBefore(ctx context.Context, before time.Time) (int64, error) {
	b := utcMicro(before)
	res := s.conn(ctx).Where("expires_at < ? OR revoked_at < ?", b, b).Delete(&sessionRow{})
	return res.RowsAffected, wrap("delete old sessions", res.Error)
}
