package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
)

func spbeCmd() *command {
	return &command{name: "spbe", summary: "SPBE index: frameworks, published results, assessments", sub: []*command{
		spbeFrameworksCmd(), spbeLoadCmd(), spbeImportResultsCmd(), spbeImportAssessmentsCmd(), spbeHistoryCmd(), spbeProjectCmd(),
	}}
}

// spbeWithSchema runs fn on an app whose schema is current.
func spbeWithSchema(ctx context.Context, e *env, fn func(a *app) error) error {
	return withApp(ctx, e, func(a *app) error {
		if err := a.requireSchema(ctx, false); err != nil {
			return err
		}
		return fn(a)
	})
}

func spbeFrameworksCmd() *command {
	return &command{name: "frameworks", summary: "list the framework versions loaded into the database",
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			return spbeWithSchema(ctx, e, func(a *app) error {
				list, err := a.spbe.ListFrameworks(ctx)
				if err != nil {
					return err
				}
				if len(list) == 0 {
					fmt.Fprintln(e.stdout, "no frameworks loaded: run `tanggap spbe load`")
				}
				for _, f := range list {
					fmt.Fprintf(e.stdout, "%s\t%s\teffective %s\tloaded %s\t%s\n", f.ID, f.Version, f.EffectiveFrom, f.LoadedAt.Format("2006-01-02T15:04:05Z"), f.Name)
				}
				return nil
			})
		}}
}

func spbeLoadCmd() *command {
	return &command{name: "load", summary: "load the built-in frameworks and the published 2023/2024 results (idempotent; needs the catalogue)",
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			return spbeWithSchema(ctx, e, func(a *app) error {
				loads, err := a.spbe.LoadFrameworks(ctx, access.CLI())
				if err != nil {
					return err
				}
				for _, l := range loads {
					state := "already loaded"
					if l.Loaded {
						state = "loaded"
					}
					fmt.Fprintf(e.stdout, "framework %s %s: %s\n", l.ID, l.Version, state)
				}
				rep, err := a.spbe.LoadPublishedResults(ctx, access.CLI())
				if err != nil {
					return err
				}
				return printResultsReport(e.stdout, "published results", rep)
			})
		}}
}

func spbeImportResultsCmd() *command {
	var framework string
	return &command{name: "import-results", summary: "import published results (CSV in the format of spbe-hasil-evaluasi-2023-2024.csv) as final results",
		usage: "FILE.csv",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&framework, "framework", spbeindex.DefaultFramework, "framework the results were evaluated under")
		},
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args, "FILE"); err != nil {
				return err
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			return spbeWithSchema(ctx, e, func(a *app) error {
				rep, err := a.spbe.ImportResults(ctx, access.CLI(), framework, f)
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				return printResultsReport(e.stdout, args[0], rep)
			})
		}}
}

func printResultsReport(w io.Writer, what string, rep spbeindex.ResultsReport) error {
	fmt.Fprintf(w, "%s: %d rows, %d stored, %d unchanged, %d flagged by the source, %d central agencies created, %d updated, %d rejected\n",
		what, rep.Rows, rep.Stored, rep.Unchanged, rep.Flagged, rep.AgenciesCreated, rep.AgenciesUpdated, len(rep.Rejected))
	for _, r := range rep.Rejected {
		fmt.Fprintf(w, "  rejected: %s\n", r.Error())
	}
	if len(rep.Rejected) > 0 {
		return exitError{code: 2, err: fmt.Errorf("%d row(s) rejected", len(rep.Rejected))}
	}
	return nil
}

func spbeImportAssessmentsCmd() *command {
	return &command{name: "import-assessments", summary: "import assessed levels (CSV: framework,government,year,stage,indicator,level,evidence_url,owner,note)",
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
			return spbeWithSchema(ctx, e, func(a *app) error {
				rep, err := a.spbe.ImportAssessments(ctx, access.CLI(), f)
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				fmt.Fprintf(e.stdout, "%s: %d assessments written (%d with a computed index), %d levels changed, %d unchanged, %d rejected\n",
					args[0], rep.Sets, rep.Indexed, rep.Changed, rep.Unchanged, len(rep.Rejected))
				for _, w := range rep.Warnings {
					fmt.Fprintf(e.stdout, "  warning: %s\n", w)
				}
				for _, r := range rep.Rejected {
					fmt.Fprintf(e.stdout, "  rejected: %s\n", r.Error())
				}
				if len(rep.Rejected) > 0 {
					return exitError{code: 2, err: fmt.Errorf("%d row(s) rejected", len(rep.Rejected))}
				}
				return nil
			})
		}}
}

func spbeHistoryCmd() *command {
	return &command{name: "history", summary: "print a government's index history (published, computed, projected)",
		usage: "GOVERNMENT",
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args, "GOVERNMENT"); err != nil {
				return err
			}
			return spbeWithSchema(ctx, e, func(a *app) error {
				hist, err := a.spbe.History(ctx, args[0])
				if err != nil {
					return err
				}
				for _, h := range hist {
					fmt.Fprintf(e.stdout, "%d\t%-15s\t%-9s\t%s\t%s\t%s\n", h.Year, h.Stage, h.Source, h.Index, h.Predicate, domainsLine(h))
				}
				return nil
			})
		}}
}

func domainsLine(r domain.SPBEIndexResult) string {
	s := ""
	for _, d := range []string{"D1", "D2", "D3", "D4"} {
		if v, ok := r.Domains[d]; ok {
			s += d + "=" + v + " "
		}
	}
	return s
}

// spbeProjectCmd runs what the daily index job does, for one government or all.
func spbeProjectCmd() *command {
	var government string
	var year int
	return &command{name: "project", summary: "derive indicator 42 from complaint data and store the projected index (one government, or all with a complete assessment)",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&government, "government", "", "government code (default: every government with a complete assessment)")
			fs.IntVar(&year, "year", 0, "evaluation year (default: the current year, Asia/Jakarta)")
		},
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			if year == 0 {
				year = spbeindex.ProjectionYear(time.Now())
			}
			return spbeWithSchema(ctx, e, func(a *app) error {
				if government == "" {
					rep, err := a.spbe.ProjectAll(ctx, year, a.rollups, a.log)
					fmt.Fprintf(e.stdout, "%d: %d governments, %d projected (%d changed), %d without a complete assessment (not projected), %d failed\n",
						rep.Year, rep.Governments, rep.Projected, rep.Stored, rep.WithoutLevels, rep.Failed)
					for _, f := range rep.Failures {
						fmt.Fprintf(e.stdout, "  failed: %s\n", f)
					}
					return err
				}
				p, err := a.spbe.ProjectIndex(ctx, access.CLI(), "", government, year, a.rollups)
				if err != nil {
					return err
				}
				state := "unchanged"
				if p.Stored {
					state = "stored"
				}
				fmt.Fprintf(e.stdout, "%s %d projected %s %s (%s; basis %d %s)\n", government, year, p.Result.Index, p.Result.Predicate, state,
					p.Basis.Year, p.Basis.Stage)
				for _, d := range p.Derived {
					fmt.Fprintf(e.stdout, "  indicator %d: derived level %d (assessed %d)\n", d.Indicator, d.Level, d.AssessedLevel)
					for _, l := range d.Explanation {
						fmt.Fprintf(e.stdout, "    %s\n", l)
					}
					for _, w := range d.Warnings {
						fmt.Fprintf(e.stdout, "    warning: %s\n", w.Message)
					}
				}
				return nil
			})
		}}
}
