package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/httpapi"
)

func tokenCmd() *command {
	var role, agency, expires, name string
	return &command{name: "token", summary: "create, list and revoke API tokens", sub: []*command{
		{name: "create", summary: "create a token and print its secret once",
			flags: func(fs *flag.FlagSet) {
				fs.StringVar(&role, "role", "", "admin, agency or reader (required)")
				fs.StringVar(&agency, "agency", "", "agency code an agency token is bound to")
				fs.StringVar(&expires, "expires", "", "lifetime such as 90d or 12h (default: never)")
				fs.StringVar(&name, "name", "", "who or what the token is for (required)")
			},
			run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
				if err := exactArgs(fs, args); err != nil {
					return err
				}
				if role == "" || name == "" {
					return usagef("token create: --role and --name are required")
				}
				exp, err := httpapi.ParseExpiry(expires)
				if err != nil {
					return usagef("token create: --expires %q: use a duration such as 90d, 12h or 30m", expires)
				}
				return withApp(ctx, e, func(a *app) error {
					if err := a.requireSchema(ctx, false); err != nil {
						return err
					}
					secret, t, err := a.access.CreateToken(ctx, access.CLI(), access.NewToken{Name: name, Role: access.Role(role), AgencyCode: agency, ExpiresIn: exp})
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stderr, "token %d (%s, %s) created; the secret below is shown only now:\n", t.ID, t.Name, t.Role)
					fmt.Fprintln(e.stdout, secret)
					return nil
				})
			}},
		{name: "list", summary: "list tokens (never their secrets)", run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			return withApp(ctx, e, func(a *app) error {
				list, err := a.access.ListTokens(ctx, access.CLI())
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tROLE\tAGENCY\tPREFIX\tCREATED\tEXPIRES\tSTATE")
				for _, t := range list {
					state, exp := "active", "never"
					if t.ExpiresAt != nil {
						exp = t.ExpiresAt.Format(time.DateOnly)
						if time.Now().After(*t.ExpiresAt) {
							state = "expired"
						}
					}
					if t.RevokedAt != nil {
						state = "revoked"
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s…\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.AgencyCode, t.Prefix, t.CreatedAt.Format(time.DateOnly), exp, state)
				}
				return tw.Flush()
			})
		}},
		{name: "revoke", summary: "revoke a token by id", usage: "ID", run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args, "ID"); err != nil {
				return err
			}
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return usagef("token revoke: %q is not a token id", args[0])
			}
			return withApp(ctx, e, func(a *app) error {
				t, err := a.access.RevokeToken(ctx, access.CLI(), id)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "token %d (%s) revoked\n", t.ID, t.Name)
				return nil
			})
		}},
	}}
}
