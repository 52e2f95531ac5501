package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// Workspace accounts (issue 12): people who sign in to the agency
// workspace, unlike API tokens, which are for machines.

type userRow struct {
	ID                int64 `gorm:"primaryKey"`
	Username          string
	DisplayName       string
	Email             string
	Role              string
	AgencyID          *int64
	PasswordHash      string
	FailedAttempts    int
	LockedUntil       *time.Time
	DisabledAt        *time.Time
	LastSignInAt      *time.Time
	PasswordChangedAt time.Time
	DigestHour        *int
	DigestEmail       bool
	DigestWebhookURL  string `gorm:"column:digest_webhook_url"`
	Language          string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	// Read through a join, never written.
	AgencyCode string `gorm:"->;-:migration"`
	AgencyPath string `gorm:"->;-:migration"`
}

func (userRow) TableName() string { return "users" }

// DigestSettings is a user's daily digest subscription. Hour nil: none.
type DigestSettings struct {
	Hour       *int   `json:"hour,omitempty"` // 0-23, Asia/Jakarta
	Email      bool   `json:"email"`
	WebhookURL string `json:"webhook_url,omitempty"`
}

// User is a stored workspace account; PasswordHash never leaves the server.
type User struct {
	ID                int64          `json:"id"`
	Username          string         `json:"username"`
	DisplayName       string         `json:"display_name,omitempty"`
	Email             string         `json:"email,omitempty"`
	Role              string         `json:"role"`
	AgencyCode        string         `json:"agency_code,omitempty"`
	AgencyPath        string         `json:"-"`
	PasswordHash      string         `json:"-"`
	FailedAttempts    int            `json:"failed_attempts"`
	LockedUntil       *time.Time     `json:"locked_until,omitempty"`
	DisabledAt        *time.Time     `json:"disabled_at,omitempty"`
	LastSignInAt      *time.Time     `json:"last_sign_in_at,omitempty"`
	PasswordChangedAt time.Time      `json:"password_changed_at"`
	Digest            DigestSettings `json:"digest"`
	Language          string         `json:"language"`
	CreatedAt         time.Time      `json:"created_at"`
	UpdatedAt         time.Time      `json:"updated_at"`
}

func (r userRow) toUser() User {
	return User{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, Email: r.Email, Role: r.Role,
		AgencyCode: r.AgencyCode, AgencyPath: r.AgencyPath, PasswordHash: r.PasswordHash, FailedAttempts: r.FailedAttempts,
		LockedUntil: utcPtr(r.LockedUntil), DisabledAt: utcPtr(r.DisabledAt), LastSignInAt: utcPtr(r.LastSignInAt),
		PasswordChangedAt: r.PasswordChangedAt.UTC(), Digest: DigestSettings{Hour: r.DigestHour, Email: r.DigestEmail, WebhookURL: r.DigestWebhookURL},
		Language: r.Language, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func (s *Store) userQuery(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("users AS u").Select("u.*, a.code AS agency_code, a.path AS agency_path").
		Joins("LEFT JOIN agencies AS a ON a.id = u.agency_id")
}

// CreateUser stores a new account; a taken username is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u User, now time.Time) (User, error) {
	now = utcMicro(now)
	lang := u.Language
	if lang == "" {
		lang = "id"
	}
	row := userRow{Username: u.Username, DisplayName: u.DisplayName, Email: u.Email, Role: u.Role, PasswordHash: u.PasswordHash,
		PasswordChangedAt: now, Language: lang, CreatedAt: now, UpdatedAt: now}
	if u.AgencyCode != "" {
		a, err := s.agencyRowByCode(ctx, u.AgencyCode)
		if err != nil {
			return User{}, fmt.Errorf("agency %s: %w", u.AgencyCode, err)
		}
		row.AgencyID = &a.ID
	}
	if err := s.conn(ctx).Omit("AgencyCode", "AgencyPath").Create(&row).Error; err != nil {
		return User{}, wrap("create user "+u.Username, err)
	}
	return s.UserByID(ctx, row.ID)
}

// UserByUsername returns an account by its sign-in name.
func (s *Store) UserByUsername(ctx context.Context, username string) (User, error) {
	var row userRow
	if err := s.userQuery(ctx).Where("u.username = ?", username).Take(&row).Error; err != nil {
		return User{}, wrap("user "+username, err)
	}
	return row.toUser(), nil
}

// UserByID returns an account by id.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	var row userRow
	if err := s.userQuery(ctx).Where("u.id = ?", id).Take(&row).Error; err != nil {
		return User{}, wrap(fmt.Sprintf("user %d", id), err)
	}
	return row.toUser(), nil
}

// ListUsers returns every account ordered by username.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	var rows []userRow
	if err := s.userQuery(ctx).Order("u.username").Find(&rows).Error; err != nil {
		return nil, wrap("list users", err)
	}
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = r.toUser()
	}
	return out, nil
}

func (s *Store) updateUser(ctx context.Context, verb string, id int64, set map[string]any, now time.Time) error {
	set["updated_at"] = utcMicro(now)
	res := s.conn(ctx).Model(&userRow{}).Where("id = ?", id).Updates(set)
	if res.Error != nil {
		return wrap(verb, res.Error)
	}
	if res.RowsAffected == 0 {
		return wrap(verb, fmt.Errorf("user %d: %w", id, domain.ErrNotFound))
	}
	return nil
}

// SetUserPassword replaces a password hash and clears any lock.
func (s *Store) SetUserPassword(ctx context.Context, id int64, hash string, now time.Time) error {
	return s.updateUser(ctx, "set password", id, map[string]any{"password_hash": hash, "password_changed_at": utcMicro(now),
		"failed_attempts": 0, "locked_until": nil}, now)
}

// SetUserDisabled disables (at set) or re-enables (at nil) an account.
func (s *Store) SetUserDisabled(ctx context.Context, id int64, at *time.Time, now time.Time) error {
	var v any
	if at != nil {
		v = utcMicro(*at)
	}
	return s.updateUser(ctx, "disable user", id, map[string]any{"disabled_at": v}, now)
}

// AddFailedSignIn counts one more wrong password and returns the new count.
// The increment is one statement, so concurrent attempts all count; call it
// inside InTx so the count read back is this transaction's.
func (s *Store) AddFailedSignIn(ctx context.Context, id int64, now time.Time) (int, error) {
	res := s.conn(ctx).Model(&userRow{}).Where("id = ?", id).
		Updates(map[string]any{"failed_attempts": gorm.Expr("failed_attempts + 1"), "updated_at": utcMicro(now)})
	if res.Error != nil {
		return 0, wrap("failed sign-in", res.Error)
	}
	var n int
	if err := s.conn(ctx).Model(&userRow{}).Where("id = ?", id).Pluck("failed_attempts", &n).Error; err != nil {
		return 0, wrap("failed sign-in", err)
	}
	return n, nil
}

// LockUser locks an account until the given time and restarts the count.
func (s *Store) LockUser(ctx context.Context, id int64, until, now time.Time) error {
	return s.updateUser(ctx, "lock user", id, map[string]any{"locked_until": utcMicro(until), "failed_attempts": 0}, now)
}

// UnlockUser clears a lock and the failure count.
func (s *Store) UnlockUser(ctx context.Context, id int64, now time.Time) error {
	return s.updateUser(ctx, "unlock user", id, map[string]any{"locked_until": nil, "failed_attempts": 0}, now)
}

// RecordSignIn notes a successful sign-in and clears failures and lock.
func (s *Store) RecordSignIn(ctx context.Context, id int64, now time.Time) error {
	return s.updateUser(ctx, "record sign-in", id, map[string]any{"last_sign_in_at": utcMicro(now), "failed_attempts": 0, "locked_until": nil}, now)
}

// SetDigestSettings stores a user's digest subscription and page language.
func (s *Store) SetDigestSettings(ctx context.Context, id int64, d DigestSettings, language string, now time.Time) error {
	return s.updateUser(ctx, "digest settings", id, map[string]any{"digest_hour": d.Hour, "digest_email": d.Email,
		"digest_webhook_url": d.WebhookURL, "language": language}, now)
}

// UsersWithDigestAt lists enabled accounts whose digest is due at hour.
func (s *Store) UsersWithDigestAt(ctx context.Context, hour int) ([]User, error) {
	var rows []userRow
	err := s.userQuery(ctx).Where("u.digest_hour = ? AND u.disabled_at IS NULL", hour).Order("u.id").Find(&rows).Error
	if err != nil {
		return nil, wrap("digest users", err)
	}
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = r.toUser()
	}
	return out, nil
}

// Digest sends: one row per user, local day and channel.

type digestSendRow struct {
	ID         int64 `gorm:"primaryKey"`
	UserID     int64
	LocalDate  string
	Channel    string
	Outcome    string
	Attempts   int
	Overdue    int
	AtRisk     int
	Items      int
	Error      string
	StartedAt  time.Time
	FinishedAt *time.Time
}

func (digestSendRow) TableName() string { return "digest_sends" }

// DigestSend is the record of one digest delivery.
type DigestSend struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	LocalDate  string     `json:"local_date"`
	Channel    string     `json:"channel"`
	Outcome    string     `json:"outcome"`
	Attempts   int        `json:"attempts"`
	Overdue    int        `json:"overdue"`
	AtRisk     int        `json:"at_risk"`
	Items      int        `json:"items"`
	Error      string     `json:"error,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// Digest send outcomes.
const (
	DigestSending = "sending"
	DigestSent    = "sent"
	DigestFailed  = "failed"
)

// ClaimDigestSend takes the (user, day, channel) slot: a new row, or a
// failed one with fewer than maxAttempts. claimed is false when another run
// holds or has finished it.
func (s *Store) ClaimDigestSend(ctx context.Context, userID int64, localDate, channel string, maxAttempts int, now time.Time) (int64, bool, error) {
	n := s.placeholder
	var id int64
	err := s.pool().QueryRowContext(ctx, `INSERT INTO digest_sends (user_id, local_date, channel, outcome, attempts, started_at)
		VALUES (`+n(1)+`, `+n(2)+`, `+n(3)+`, 'sending', 1, `+n(4)+`) ON CONFLICT (user_id, local_date, channel) DO NOTHING RETURNING id`,
		userID, localDate, channel, utcMicro(now)).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !isNoRows(err) {
		return 0, false, s.wrapRaw("claim digest", err)
	}
	res := s.conn(ctx).Model(&digestSendRow{}).
		Where("user_id = ? AND local_date = ? AND channel = ? AND outcome = ? AND attempts < ?", userID, localDate, channel, DigestFailed, maxAttempts).
		Updates(map[string]any{"outcome": DigestSending, "attempts": gorm.Expr("attempts + 1"), "started_at": utcMicro(now), "finished_at": nil})
	if res.Error != nil {
		return 0, false, wrap("claim digest", res.Error)
	}
	if res.RowsAffected == 0 {
		return 0, false, nil
	}
	if err := s.conn(ctx).Model(&digestSendRow{}).Where("user_id = ? AND local_date = ? AND channel = ?", userID, localDate, channel).
		Pluck("id", &id).Error; err != nil {
		return 0, false, wrap("claim digest", err)
	}
	return id, true, nil
}

// FinishDigestSend records how a claimed send ended.
func (s *Store) FinishDigestSend(ctx context.Context, d DigestSend, now time.Time) error {
	res := s.conn(ctx).Model(&digestSendRow{}).Where("id = ?", d.ID).Updates(map[string]any{
		"outcome": d.Outcome, "overdue": d.Overdue, "at_risk": d.AtRisk, "items": d.Items, "error": d.Error, "finished_at": utcMicro(now)})
	return wrap("finish digest", res.Error)
}

// DigestSends lists sends, newest first; userID 0 lists everyone's.
func (s *Store) DigestSends(ctx context.Context, userID int64, limit int) ([]DigestSend, error) {
	q := s.conn(ctx).Model(&digestSendRow{})
	if userID != 0 {
		q = q.Where("user_id = ?", userID)
	}
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []digestSendRow
	if err := q.Order("id DESC").Find(&rows).Error; err != nil {
		return nil, wrap("digest sends", err)
	}
	out := make([]DigestSend, len(rows))
	for i, r := range rows {
		out[i] = DigestSend{ID: r.ID, UserID: r.UserID, LocalDate: r.LocalDate, Channel: r.Channel, Outcome: r.Outcome,
			Attempts: r.Attempts, Overdue: r.Overdue, AtRisk: r.AtRisk, Items: r.Items, Error: r.Error,
			StartedAt: r.StartedAt.UTC(), FinishedAt: utcPtr(r.FinishedAt)}
	}
	return out, nil
}
