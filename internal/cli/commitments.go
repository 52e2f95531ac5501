package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/commitments"
)

func commitmentsCmd() *command {
	return &command{name: "commitments", summary: "signed commitments: import, list, show progress, snapshot", sub: []*command{
		commitmentsImportCmd(), commitmentsListCmd(), commitmentsShowCmd(), commitmentsSnapshotCmd(),
	}}
}

func commitmentsImportCmd() *command {
	return &command{name: "import", summary: "create or revise commitments from a JSON or YAML file (idempotent)", usage: "FILE.json|FILE.yaml",
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args, "FILE"); err != nil {
				return err
			}
			format := strings.TrimPrefix(strings.ToLower(filepath.Ext(args[0])), ".")
			if format != "json" && format != "yaml" && format != "yml" {
				return usagef("%s: the file must end in .json, .yaml or .yml", fs.Name())
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			inputs, err := commitments.ParseFile(data, format)
			if err != nil {
				return exitError{code: 2, err: err}
			}
			return withApp(ctx, e, func(a *app) error {
				if err := a.requireSchema(ctx, false); err != nil {
					return err
				}
				res, err := a.commitments.Import(ctx, access.CLI(), inputs)
				for _, r := range res {
					fmt.Fprintf(e.stdout, "%s\t%s\tversion %d\n", r.Slug, r.Outcome, r.Version)
					for _, c := range r.Changes {
						fmt.Fprintf(e.stdout, "\t%s\n", c)
					}
				}
				if err != nil {
					return exitError{code: 2, err: err}
				}
				return nil
			})
		}}
}

func commitmentsListCmd() *command {
	var party string
	var withdrawn bool
	return &command{name: "list", summary: "list commitments",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&party, "party", "", "only commitments this agency signed or is a party to")
			fs.BoolVar(&withdrawn, "withdrawn", false, "include withdrawn commitments")
		},
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			return withApp(ctx, e, func(a *app) error {
				if err := a.requireSchema(ctx, false); err != nil {
					return err
				}
				list, err := a.commitments.List(ctx, party, withdrawn)
				if err != nil {
					return err
				}
				for _, s := range list {
					l := s.Latest
					fmt.Fprintf(e.stdout, "%s\tv%d\t%s\t%s\t%d parties\t%d targets\t%s\n", l.ID, l.Version, l.State,
						l.SignedOn.Format(time.DateOnly), len(l.Parties), len(l.Targets), l.Title)
				}
				return nil
			})
		}}
}

func commitmentsShowCmd() *command {
	var on string
	return &command{name: "show", summary: "print a commitment's versions and progress as JSON", usage: "SLUG",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&on, "at", "", "measure on this date (YYYY-MM-DD; default today)")
		},
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args, "SLUG"); err != nil {
				return err
			}
			at := time.Now()
			if on != "" {
				d, err := time.Parse(time.DateOnly, on)
				if err != nil {
					return usagef("%s: -at wants YYYY-MM-DD", fs.Name())
				}
				at = d.Add(12 * time.Hour)
			}
			return withApp(ctx, e, func(a *app) error {
				if err := a.requireSchema(ctx, false); err != nil {
					return err
				}
				versions, err := a.commitments.Versions(ctx, args[0])
				if err != nil {
					return err
				}
				p, err := a.commitments.Progress(ctx, args[0], at)
				if err != nil {
					return err
				}
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"versions": versions, "progress": p})
			})
		}}
}

func commitmentsSnapshotCmd() *command {
	return &command{name: "snapshot", summary: "snapshot every active commitment now and deliver due alerts (the " + commitments.JobName + " job)",
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			return withApp(ctx, e, func(a *app) error {
				if err := a.requireSchema(ctx, false); err != nil {
					return err
				}
				rep, err := a.commitments.Snapshot(ctx, time.Now())
				fmt.Fprintf(e.stdout, "%d commitments, %d targets, %d snapshots, %d events; deliveries: %d delivered, %d retrying, %d failed\n",
					rep.Commitments, rep.Targets, rep.Snapshots, rep.Events, rep.Delivered, rep.Retrying, rep.Failed)
				return err
			})
		}}
}
