package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
)

func catalogCmd() *command {
	return &command{name: "catalog", summary: "reference data shipped in the binary", sub: []*command{
		{name: "load", summary: "load the national catalogue: 38 provinces and 514 regencies/cities (idempotent)",
			run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
				if err := exactArgs(fs, args); err != nil {
					return err
				}
				return withApp(ctx, e, func(a *app) error {
					if err := a.requireSchema(ctx, false); err != nil {
						return err
					}
					rep, err := a.agencies.LoadCatalog(ctx, access.CLI())
					if err != nil {
						return err
					}
					printImportReport(e.stdout, "catalogue", rep)
					n, err := a.calendars.EnsureSeeded(ctx)
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "holidays: %d added from the embedded calendar\n", n)
					return a.policies.EnsureSeeded(ctx)
				})
			}},
	}}
}

func agenciesCmd() *command {
	return &command{name: "agencies", summary: "manage agencies (units, central agencies)", sub: []*command{
		{name: "import", summary: "create or update agencies from a CSV (code,parent_code,kind,name,short_name,time_zone[,active][,ext:lapor])",
			usage: "FILE.csv",
			run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
				if err := exactArgs(fs, args, "FILE"); err != nil {
					return err
				}
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				return withApp(ctx, e, func(a *app) error {
					if err := a.requireSchema(ctx, false); err != nil {
						return err
					}
					rep, err := a.agencies.Import(ctx, access.CLI(), f)
					if err != nil {
						return fmt.Errorf("%s: %w", args[0], err)
					}
					printImportReport(e.stdout, args[0], rep)
					if len(rep.Rejected) > 0 {
						return exitError{code: 2, err: fmt.Errorf("%d row(s) rejected", len(rep.Rejected))}
					}
					return nil
				})
			}},
	}}
}

func printImportReport(w io.Writer, what string, rep agencies.ImportReport) {
	fmt.Fprintf(w, "%s: %d created, %d updated, %d unchanged, %d rejected\n", what, rep.Created, rep.Updated, rep.Unchanged, len(rep.Rejected))
	for _, warn := range rep.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
	for _, r := range rep.Rejected {
		fmt.Fprintf(w, "  rejected: %s\n", r.Error())
	}
}
