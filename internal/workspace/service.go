// Package workspace is the signed-in side of Tanggap for the people who
// must act on complaints: accounts (admin, officer, supervisor) with
// argon2id passwords, server-side sessions with CSRF tokens and a temporary
// lock after repeated wrong passwords; the SLA queue of an agency subtree;
// the officer's complaint view with the reporter's contact (every view
// logged); the supervisor's commitments view; and the daily digest sent by
// e-mail or webhook. API tokens (package access) stay for machines.
package workspace

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// Role is what a workspace account may see.
type Role string

const (
	RoleAdmin      Role = "admin"      // everything, and the reporter access log
	RoleOfficer    Role = "officer"    // its agency's subtree, with reporter contact
	RoleSupervisor Role = "supervisor" // its subtree, read-only, without reporter data
)

// Roles lists valid roles.
var Roles = []Role{RoleAdmin, RoleOfficer, RoleSupervisor}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleOfficer || r == RoleSupervisor }

// Options configures the service; zero values take the defaults.
type Options struct {
	SessionIdle     time.Duration // default 30 min
	SessionAbsolute time.Duration // default 12 h
	LockThreshold   int           // wrong passwords in a row that lock; default 5
	LockDuration    time.Duration // default 15 min
	Password        PasswordParams
	Mail            MailConfig
	// BaseURL is the absolute site URL digest links start with.
	BaseURL    string
	HTTPClient *http.Client // webhooks; default 10 s timeout
	Log        *slog.Logger
	Now        func() time.Time
}

// Service runs the workspace.
type Service struct {
	store       *store.Store
	audit       *audit.Recorder
	clocks      *clocks.Service
	commitments CommitmentReader
	opts        Options
	log         *slog.Logger
	now         func() time.Time
	dummyHash   string
}

// NewService builds the workspace service.
func NewService(st *store.Store, rec *audit.Recorder, cl *clocks.Service, opts Options) *Service {
	if opts.SessionIdle <= 0 {
		opts.SessionIdle = 30 * time.Minute
	}
	if opts.SessionAbsolute <= 0 {
		opts.SessionAbsolute = 12 * time.Hour
	}
	if opts.LockThreshold <= 0 {
		opts.LockThreshold = 5
	}
	if opts.LockDuration <= 0 {
		opts.LockDuration = 15 * time.Minute
	}
	if opts.Password == (PasswordParams{}) {
		opts.Password = DefaultPasswordParams
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Service{store: st, audit: rec, clocks: cl, opts: opts, log: opts.Log, now: opts.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	// Unknown usernames are checked against this hash so that a sign-in
	// takes as long whether or not the account exists.
	s.dummyHash, _ = HashPassword("not a password of anyone", opts.Password)
	return s
}

// Options returns the effective options (defaults filled in).
func (s *Service) Options() Options { return s.opts }

// Actor names a user in audit rows and logs.
func Actor(u store.User) string {
	if u.AgencyCode != "" {
		return fmt.Sprintf("user:%d:%s(%s@%s)", u.ID, u.Username, u.Role, u.AgencyCode)
	}
	return fmt.Sprintf("user:%d:%s(%s)", u.ID, u.Username, u.Role)
}

// NewUser describes an account to create.
type NewUser struct {
	Username    string
	DisplayName string
	Email       string
	Role        Role
	AgencyCode  string
	// Password: empty generates one, which CreateUser returns (shown once).
	Password string
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

func validatePassword(pw string) error {
	if len([]rune(pw)) < minPasswordLen {
		return domain.Invalidf("password", "must have at least %d characters", minPasswordLen)
	}
	if len(pw) > 256 {
		return domain.Invalid("password", "must have at most 256 bytes")
	}
	return nil
}

// CreateUser adds an account (admins only) and returns it with its
// password, which is generated when none is given and shown once.
func (s *Service) CreateUser(ctx context.Context, actor access.Principal, nu NewUser) (store.User, string, error) {
	if err := access.RequireAdmin(actor); err != nil {
		return store.User{}, "", err
	}
	nu.Username = strings.ToLower(strings.TrimSpace(nu.Username))
	v := &domain.ValidationError{Message: "invalid user"}
	if !usernamePattern.MatchString(nu.Username) {
		v.Details = append(v.Details, domain.FieldError{Field: "username", Reason: "3-64 characters: lower-case letters, digits, '.', '_' or '-'"})
	}
	if !nu.Role.Valid() {
		v.Details = append(v.Details, domain.FieldError{Field: "role", Reason: fmt.Sprintf("%q: valid roles are admin, officer, supervisor", nu.Role)})
	}
	if (nu.Role == RoleOfficer || nu.Role == RoleSupervisor) && nu.AgencyCode == "" {
		v.Details = append(v.Details, domain.FieldError{Field: "agency_code", Reason: "officers and supervisors are bound to an agency"})
	}
	if nu.Role == RoleAdmin && nu.AgencyCode != "" {
		v.Details = append(v.Details, domain.FieldError{Field: "agency_code", Reason: "admins are not bound to an agency"})
	}
	if nu.Email != "" && (!strings.Contains(nu.Email, "@") || strings.ContainsAny(nu.Email, " \r\n<>,")) {
		v.Details = append(v.Details, domain.FieldError{Field: "email", Reason: "not an e-mail address"})
	}
	password := nu.Password
	if password != "" {
		if err := validatePassword(password); err != nil {
			v.Details = append(v.Details, domain.FieldError{Field: "password", Reason: err.(*domain.ValidationError).Details[0].Reason})
		}
	}
	if len(v.Details) > 0 {
		return store.User{}, "", v
	}
	if password == "" {
		var err error
		if password, err = GeneratePassword(); err != nil {
			return store.User{}, "", err
		}
	}
	hash, err := HashPassword(password, s.opts.Password)
	if err != nil {
		return store.User{}, "", err
	}
	var created store.User
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		created, err = tx.CreateUser(ctx, store.User{Username: nu.Username, DisplayName: strings.TrimSpace(nu.DisplayName),
			Email: strings.TrimSpace(nu.Email), Role: string(nu.Role), AgencyCode: nu.AgencyCode, PasswordHash: hash}, s.now())
		if err != nil {
			return err
		}
		return s.audit.WithStore(tx).RecordTx(ctx, actor.Actor(), "create", "user", created.Username, nil, created)
	})
	if err != nil {
		return store.User{}, "", err
	}
	return created, password, nil
}

// ListUsers lists accounts (admins only), never their hashes.
func (s *Service) ListUsers(ctx context.Context, actor access.Principal) ([]store.User, error) {
	if err := access.RequireAdmin(actor); err != nil {
		return nil, err
	}
	return s.store.ListUsers(ctx)
}

// GetUser returns one account (admins only).
func (s *Service) GetUser(ctx context.Context, actor access.Principal, username string) (store.User, error) {
	if err := access.RequireAdmin(actor); err != nil {
		return store.User{}, err
	}
	return s.store.UserByUsername(ctx, username)
}

// DisableUser disables an account and ends its sessions.
func (s *Service) DisableUser(ctx context.Context, actor access.Principal, username string) (store.User, error) {
	if err := access.RequireAdmin(actor); err != nil {
		return store.User{}, err
	}
	return s.adminChange(ctx, actor, username, "disable", func(tx *store.Store, u store.User, now time.Time) error {
		if err := tx.SetUserDisabled(ctx, u.ID, &now, now); err != nil {
			return err
		}
		_, err := tx.RevokeUserSessions(ctx, u.ID, now)
		return err
	})
}

// EnableUser re-enables a disabled account.
func (s *Service) EnableUser(ctx context.Context, actor access.Principal, username string) (store.User, error) {
	if err := access.RequireAdmin(actor); err != nil {
		return store.User{}, err
	}
	return s.adminChange(ctx, actor, username, "enable", func(tx *store.Store, u store.User, now time.Time) error {
		return tx.SetUserDisabled(ctx, u.ID, nil, now)
	})
}

// ResetPassword sets a new password (generated when empty, and returned),
// clears any lock and ends the account's sessions.
func (s *Service) ResetPassword(ctx context.Context, actor access.Principal, username, password string) (store.User, string, error) {
	if err := access.RequireAdmin(actor); err != nil {
		return store.User{}, "", err
	}
	if password == "" {
		var err error
		if password, err = GeneratePassword(); err != nil {
			return store.User{}, "", err
		}
	} else if err := validatePassword(password); err != nil {
		return store.User{}, "", err
	}
	hash, err := HashPassword(password, s.opts.Password)
	if err != nil {
		return store.User{}, "", err
	}
	u, err := s.adminChange(ctx, actor, username, "reset_password", func(tx *store.Store, u store.User, now time.Time) error {
		if err := tx.SetUserPassword(ctx, u.ID, hash, now); err != nil {
			return err
		}
		if u.LockedUntil != nil && u.LockedUntil.After(now) {
			if err := s.audit.WithStore(tx).RecordTx(ctx, actor.Actor(), "unlock", "user", u.Username, nil, map[string]string{"reason": "password reset"}); err != nil {
				return err
			}
		}
		_, err := tx.RevokeUserSessions(ctx, u.ID, now)
		return err
	})
	return u, password, err
}

// UnlockUser lifts a temporary lock before it runs out.
func (s *Service) UnlockUser(ctx context.Context, actor access.Principal, username string) (store.User, error) {
	if err := access.RequireAdmin(actor); err != nil {
		return store.User{}, err
	}
	return s.adminChange(ctx, actor, username, "unlock", func(tx *store.Store, u store.User, now time.Time) error {
		return tx.UnlockUser(ctx, u.ID, now)
	})
}

// adminChange runs one admin change on an account with its audit row in
// the same transaction.
func (s *Service) adminChange(ctx context.Context, actor access.Principal, username, action string, fn func(tx *store.Store, u store.User, now time.Time) error) (store.User, error) {
	var after store.User
	now := s.now().UTC()
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		before, err := tx.UserByUsername(ctx, username)
		if err != nil {
			return err
		}
		if err := fn(tx, before, now); err != nil {
			return err
		}
		if after, err = tx.UserByID(ctx, before.ID); err != nil {
			return err
		}
		return s.audit.WithStore(tx).RecordTx(ctx, actor.Actor(), action, "user", username, before, after)
	})
	return after, err
}
