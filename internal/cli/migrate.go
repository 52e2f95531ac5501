package cli

import (
	"context"
	"flag"
	"fmt"
)

func migrateCmd() *command {
	var all bool
	return &command{name: "migrate", summary: "apply, roll back or show database migrations", sub: []*command{
		{name: "up", summary: "apply every pending migration", run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			return withApp(ctx, e, func(a *app) error {
				n, err := a.store.MigrateUp(ctx)
				if err != nil {
					return err
				}
				cur, _, err := a.store.SchemaVersions(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "applied %d migration(s); schema version %d (%s)\n", n, cur, a.store.Dialect())
				return nil
			})
		}},
		{name: "down", summary: "roll back the newest migration (or all with --all)",
			flags: func(fs *flag.FlagSet) { fs.BoolVar(&all, "all", false, "roll back every migration") },
			run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
				if err := exactArgs(fs, args); err != nil {
					return err
				}
				return withApp(ctx, e, func(a *app) error {
					n, err := a.store.MigrateDown(ctx, all)
					if err != nil {
						return err
					}
					cur, _, err := a.store.SchemaVersions(ctx)
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "rolled back %d migration(s); schema version %d\n", n, cur)
					return nil
				})
			}},
		{name: "status", summary: "list migrations and whether each is applied", run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			return withApp(ctx, e, func(a *app) error {
				list, err := a.store.MigrationStatuses(ctx)
				if err != nil {
					return err
				}
				for _, m := range list {
					state := "pending"
					if m.Applied {
						state = "applied"
					}
					fmt.Fprintf(e.stdout, "%05d  %-8s %s\n", m.Version, state, m.Name)
				}
				return nil
			})
		}},
	}}
}
