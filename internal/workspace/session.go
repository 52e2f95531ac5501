package workspace

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// Sign-in errors. Both wrap ErrUnauthorized; a wrong username and a wrong
// password give the same ErrBadCredentials so accounts cannot be probed.
var (
	ErrBadCredentials = fmt.Errorf("wrong username or password: %w", domain.ErrUnauthorized)
	ErrLocked         = fmt.Errorf("account temporarily locked after repeated wrong passwords: %w", domain.ErrUnauthorized)
	// ErrNoSession is a missing, expired, revoked or unknown session.
	ErrNoSession = fmt.Errorf("not signed in: %w", domain.ErrUnauthorized)
)

// LockedError is ErrLocked with when the lock ends.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string { return ErrLocked.Error() }
func (e *LockedError) Unwrap() error { return ErrLocked }

// Client describes the browser a request came from, for session records
// and audit rows.
type Client struct {
	IP        string
	UserAgent string
}

// Current is a signed-in request: the account and its session.
type Current struct {
	User    store.User
	Session store.Session
}

// Role is the account's role.
func (c Current) Role() Role { return Role(c.User.Role) }

// SignedIn is a new session: Secret goes into the cookie and nowhere else.
type SignedIn struct {
	Current
	Secret string
}

func signInAudit(username string, cl Client, reason string) map[string]string {
	m := map[string]string{"username": username, "ip": cl.IP}
	if reason != "" {
		m["reason"] = reason
	}
	return m
}

// SignIn checks a username and password and opens a session. Every attempt
// is audited; LockThreshold wrong passwords in a row lock the account for
// LockDuration (audited as "lock"); the first attempt after a lock ran out
// audits the "unlock".
func (s *Service) SignIn(ctx context.Context, username, password string, cl Client) (SignedIn, error) {
	now := s.now().UTC()
	username = strings.ToLower(strings.TrimSpace(username))
	u, err := s.store.UserByUsername(ctx, username)
	if errors.Is(err, domain.ErrNotFound) {
		_, _ = VerifyPassword(password, s.dummyHash)
		s.audit.Record(ctx, "anonymous", "sign_in_failed", "user", username, nil, signInAudit(username, cl, "unknown user"))
		return SignedIn{}, ErrBadCredentials
	}
	if err != nil {
		return SignedIn{}, err
	}
	if u.DisabledAt != nil {
		_, _ = VerifyPassword(password, s.dummyHash)
		s.audit.Record(ctx, Actor(u), "sign_in_failed", "user", username, nil, signInAudit(username, cl, "disabled"))
		return SignedIn{}, ErrBadCredentials
	}
	if u.LockedUntil != nil {
		if now.Before(*u.LockedUntil) {
			s.audit.Record(ctx, Actor(u), "sign_in_refused", "user", username, nil, signInAudit(username, cl, "locked"))
			return SignedIn{}, &LockedError{Until: *u.LockedUntil}
		}
		err := s.store.InTx(ctx, func(tx *store.Store) error {
			if err := tx.UnlockUser(ctx, u.ID, now); err != nil {
				return err
			}
			return s.audit.WithStore(tx).RecordTx(ctx, "system", "unlock", "user", username, map[string]any{"locked_until": u.LockedUntil},
				map[string]string{"reason": "lock expired"})
		})
		if err != nil {
			return SignedIn{}, err
		}
	}
	ok, err := VerifyPassword(password, u.PasswordHash)
	if err != nil {
		return SignedIn{}, fmt.Errorf("workspace: user %s: %w", username, err)
	}
	if !ok {
		return SignedIn{}, s.failedSignIn(ctx, u, cl, now)
	}
	secret, err := randomToken(32)
	if err != nil {
		return SignedIn{}, err
	}
	csrf, err := randomToken(32)
	if err != nil {
		return SignedIn{}, err
	}
	var out SignedIn
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.RecordSignIn(ctx, u.ID, now); err != nil {
			return err
		}
		sess, err := tx.CreateSession(ctx, store.Session{UserID: u.ID, TokenHash: access.HashSecret(secret), CSRFToken: csrf,
			CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.opts.SessionAbsolute), ClientIP: cl.IP, UserAgent: truncate(cl.UserAgent, 256)})
		if err != nil {
			return err
		}
		if u, err = tx.UserByID(ctx, u.ID); err != nil {
			return err
		}
		out = SignedIn{Current: Current{User: u, Session: sess}, Secret: secret}
		return s.audit.WithStore(tx).RecordTx(ctx, Actor(u), "sign_in", "user", username, nil,
			map[string]any{"session": sess.ID, "ip": cl.IP})
	})
	return out, err
}

// failedSignIn counts a wrong password, locking the account at the
// threshold; the count, the lock and their audit rows commit together.
func (s *Service) failedSignIn(ctx context.Context, u store.User, cl Client, now time.Time) error {
	var locked *LockedError
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		n, err := tx.AddFailedSignIn(ctx, u.ID, now)
		if err != nil {
			return err
		}
		rec := s.audit.WithStore(tx)
		a := signInAudit(u.Username, cl, "wrong password")
		a["failures"] = fmt.Sprint(n)
		if err := rec.RecordTx(ctx, Actor(u), "sign_in_failed", "user", u.Username, nil, a); err != nil {
			return err
		}
		if n < s.opts.LockThreshold {
			return nil
		}
		until := now.Add(s.opts.LockDuration)
		if err := tx.LockUser(ctx, u.ID, until, now); err != nil {
			return err
		}
		locked = &LockedError{Until: until}
		return rec.RecordTx(ctx, "system", "lock", "user", u.Username, nil,
			map[string]any{"failures": n, "locked_until": until, "ip": cl.IP})
	})
	if err != nil {
		return err
	}
	if locked != nil {
		s.log.WarnContext(ctx, "workspace account locked", "user", u.Username, "until", locked.Until)
		return locked
	}
	return ErrBadCredentials
}

// Authenticate turns a session cookie's secret into the signed-in account.
// A session ends at its absolute expiry, after SessionIdle without a
// request, on sign-out, or when its account is disabled.
func (s *Service) Authenticate(ctx context.Context, secret string) (Current, error) {
	if secret == "" {
		return Current{}, ErrNoSession
	}
	sess, err := s.store.SessionByTokenHash(ctx, access.HashSecret(secret))
	if errors.Is(err, domain.ErrNotFound) {
		return Current{}, ErrNoSession
	}
	if err != nil {
		return Current{}, err
	}
	now := s.now().UTC()
	if sess.RevokedAt != nil || !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.opts.SessionIdle {
		return Current{}, ErrNoSession
	}
	u, err := s.store.UserByID(ctx, sess.UserID)
	if err != nil {
		return Current{}, err
	}
	if u.DisabledAt != nil {
		return Current{}, ErrNoSession
	}
	// Activity is a convenience record; failing to write it must not fail
	// the request (the idle limit then bites a minute early at worst).
	_ = s.store.TouchSession(ctx, sess.ID, now)
	return Current{User: u, Session: sess}, nil
}

// ValidCSRF reports whether token is the session's synchroniser token.
func ValidCSRF(cur Current, token string) bool {
	want := cur.Session.CSRFToken
	return token != "" && want != "" && subtle.ConstantTimeCompare([]byte(token), []byte(want)) == 1
}

// SignOut ends the current session.
func (s *Service) SignOut(ctx context.Context, cur Current) error {
	now := s.now().UTC()
	return s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.RevokeSession(ctx, cur.Session.ID, now); err != nil {
			return err
		}
		return s.audit.WithStore(tx).RecordTx(ctx, Actor(cur.User), "sign_out", "user", cur.User.Username, nil, map[string]any{"session": cur.Session.ID})
	})
}

// SignOutEverywhere ends every session of the current account.
func (s *Service) SignOutEverywhere(ctx context.Context, cur Current) (int64, error) {
	now := s.now().UTC()
	var n int64
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if n, err = tx.RevokeUserSessions(ctx, cur.User.ID, now); err != nil {
			return err
		}
		return s.audit.WithStore(tx).RecordTx(ctx, Actor(cur.User), "sign_out_everywhere", "user", cur.User.Username, nil, map[string]any{"sessions": n})
	})
	return n, err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
