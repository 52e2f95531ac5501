package cli

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/workspace"
)

// newWorkspace builds the workspace service from the config.
func newWorkspace(a *app) *workspace.Service {
	c := a.cfg
	return workspace.NewService(a.store, a.audit, a.clocks, workspace.Options{
		SessionIdle: c.SessionIdleTimeout, SessionAbsolute: c.SessionMaxAge,
		LockThreshold: c.SignInLockThreshold, LockDuration: c.SignInLockDuration,
		Mail: workspace.MailConfig{Host: c.SMTPHost, Port: c.SMTPPort, TLS: c.SMTPTLS, Username: c.SMTPUsername,
			Password: c.SMTPPassword, From: c.SMTPFrom},
		BaseURL: c.PublicBaseURL, Log: a.log,
	}).WithCommitments(a.commitments)
}

func usersCmd() *command {
	var role, agency, email, name string
	userAction := func(verb, summary string, fn func(ctx context.Context, a *app, username string) (store.User, error)) *command {
		return &command{name: verb, summary: summary, usage: "USERNAME", run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args, "USERNAME"); err != nil {
				return err
			}
			return withApp(ctx, e, func(a *app) error {
				if err := a.requireSchema(ctx, false); err != nil {
					return err
				}
				u, err := fn(ctx, a, args[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "user %s: %s done\n", u.Username, verb)
				return nil
			})
		}}
	}
	return &command{name: "users", summary: "create, list, disable and reset workspace accounts", sub: []*command{
		{name: "create", summary: "create an account and print its generated password once", usage: "USERNAME",
			flags: func(fs *flag.FlagSet) {
				fs.StringVar(&role, "role", "", "admin, officer or supervisor (required)")
				fs.StringVar(&agency, "agency", "", "agency code an officer or supervisor is bound to (its subtree)")
				fs.StringVar(&email, "email", "", "e-mail address for the daily digest")
				fs.StringVar(&name, "name", "", "display name")
			},
			run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
				if err := exactArgs(fs, args, "USERNAME"); err != nil {
					return err
				}
				if role == "" {
					return usagef("users create: --role is required (admin, officer or supervisor)")
				}
				return withApp(ctx, e, func(a *app) error {
					if err := a.requireSchema(ctx, false); err != nil {
						return err
					}
					u, pw, err := a.workspace.CreateUser(ctx, access.CLI(), workspace.NewUser{Username: args[0], Role: workspace.Role(role),
						AgencyCode: agency, Email: email, DisplayName: name})
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stderr, "user %s (%s) created; the password below is shown only now:\n", u.Username, u.Role)
					fmt.Fprintln(e.stdout, pw)
					return nil
				})
			}},
		{name: "list", summary: "list accounts", run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			return withApp(ctx, e, func(a *app) error {
				list, err := a.workspace.ListUsers(ctx, access.CLI())
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "USERNAME\tROLE\tAGENCY\tEMAIL\tDIGEST\tLAST SIGN-IN\tSTATE")
				now := time.Now()
				for _, u := range list {
					state, last, digest := "active", "never", "off"
					if u.LockedUntil != nil && now.Before(*u.LockedUntil) {
						state = "locked until " + u.LockedUntil.Local().Format("2006-01-02 15:04")
					}
					if u.DisabledAt != nil {
						state = "disabled"
					}
					if u.LastSignInAt != nil {
						last = u.LastSignInAt.Local().Format("2006-01-02 15:04")
					}
					if u.Digest.Hour != nil {
						digest = fmt.Sprintf("%02d:00 WIB", *u.Digest.Hour)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.Username, u.Role, u.AgencyCode, u.Email, digest, last, state)
				}
				return tw.Flush()
			})
		}},
		userAction("disable", "disable an account and end its sessions", func(ctx context.Context, a *app, username string) (store.User, error) {
			return a.workspace.DisableUser(ctx, access.CLI(), username)
		}),
		userAction("enable", "re-enable a disabled account", func(ctx context.Context, a *app, username string) (store.User, error) {
			return a.workspace.EnableUser(ctx, access.CLI(), username)
		}),
		userAction("unlock", "lift a temporary sign-in lock", func(ctx context.Context, a *app, username string) (store.User, error) {
			return a.workspace.UnlockUser(ctx, access.CLI(), username)
		}),
		{name: "reset", summary: "set a new generated password (printed once), unlock and end sessions", usage: "USERNAME",
			run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
				if err := exactArgs(fs, args, "USERNAME"); err != nil {
					return err
				}
				return withApp(ctx, e, func(a *app) error {
					if err := a.requireSchema(ctx, false); err != nil {
						return err
					}
					u, pw, err := a.workspace.ResetPassword(ctx, access.CLI(), args[0], "")
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stderr, "password of %s reset; its sessions ended; the new password below is shown only now:\n", u.Username)
					fmt.Fprintln(e.stdout, pw)
					return nil
				})
			}},
	}}
}
