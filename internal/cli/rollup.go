package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/tanggap-id/tanggap/internal/metrics"
)

func rollupCmd() *command {
	run := func(what string, fn func(ctx context.Context, a *app) (metrics.Report, error)) func(context.Context, *env, *flag.FlagSet, []string) error {
		return func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			return withApp(ctx, e, func(a *app) error {
				if err := a.requireSchema(ctx, false); err != nil {
					return err
				}
				rep, err := fn(ctx, a)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s: %d dirty pairs, %d agencies, %d rows written, rolling window moved: %t, %d ms\n",
					what, rep.Pairs, rep.Agencies, rep.Rows, rep.Rolling, rep.DurationMS)
				return nil
			})
		}
	}
	return &command{name: "rollup", summary: "metric roll-ups per agency and period", sub: []*command{
		{name: "refresh", summary: "refresh the (agency, month) pairs marked dirty by ingest, recompute and sweep",
			run: run("refresh", func(ctx context.Context, a *app) (metrics.Report, error) { return a.rollups.Refresh(ctx) })},
		{name: "rebuild", summary: "recompute every roll-up from clocks and events (the nightly consistency job)",
			run: run("rebuild", func(ctx context.Context, a *app) (metrics.Report, error) { return a.rollups.Rebuild(ctx) })},
	}}
}
