package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/clocks"
)

func recomputeCmd() *command {
	var agency string
	var all bool
	return &command{name: "recompute", summary: "recompute complaint clocks: the dirty ones, an agency's subtree (--agency) or all (--all)",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&agency, "agency", "", "only complaints within this agency's subtree")
			fs.BoolVar(&all, "all", false, "every complaint (stopped clocks stay frozen)")
		},
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			if agency != "" && all {
				return usagef("recompute: give --agency or --all, not both")
			}
			return withApp(ctx, e, func(a *app) error {
				if err := a.requireSchema(ctx, false); err != nil {
					return err
				}
				rep, err := a.clocks.Recompute(ctx, access.CLI(), clocks.Scope{AgencyCode: agency, All: all})
				printRecompute(e.stdout, "recompute", rep)
				return partial(err, rep)
			})
		}}
}

func sweepCmd() *command {
	return &command{name: "sweep", summary: "refresh the verdicts of running clocks that time has moved (open → at risk → overdue)",
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			return withApp(ctx, e, func(a *app) error {
				if err := a.requireSchema(ctx, false); err != nil {
					return err
				}
				rep, err := a.clocks.Sweep(ctx, time.Now())
				printRecompute(e.stdout, "sweep", rep)
				return partial(err, rep)
			})
		}}
}

// partial turns complaints that could not be computed into exit code 2.
func partial(err error, rep clocks.Report) error {
	if err != nil {
		return err
	}
	if rep.Failed > 0 {
		return exitError{code: 2, err: fmt.Errorf("%d complaint(s) could not be computed", rep.Failed)}
	}
	return nil
}

func printRecompute(w io.Writer, what string, r clocks.Report) {
	fmt.Fprintf(w, "%s: %d complaints, %d clocks written, %d stopped clocks kept frozen, %d failed (calendar %s, %d ms)\n",
		what, r.Complaints, r.Clocks, r.Frozen, r.Failed, r.CalendarVersion, r.DurationMS)
	for _, f := range r.Failures {
		fmt.Fprintf(w, "  failed: %s\n", f)
	}
}
