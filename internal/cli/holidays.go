package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

func holidaysCmd() *command {
	var year int
	var kind, name, nameEN, reason, source string
	changeFlags := func(fs *flag.FlagSet) {
		fs.StringVar(&reason, "reason", "", "why the calendar changes (required)")
		fs.StringVar(&source, "source", "", "the decree or document, e.g. \"SKB 3 Menteri No. 1017/2024\" (required)")
	}
	need := func(cmd string) error {
		if reason == "" || source == "" {
			return usagef("holidays %s: --reason and --source are required", cmd)
		}
		return nil
	}
	return &command{name: "holidays", summary: "the working-day calendar: list, add, remove and import holidays", sub: []*command{
		{name: "list", summary: "list holidays and the calendar version",
			flags: func(fs *flag.FlagSet) { fs.IntVar(&year, "year", 0, "only this year") },
			run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
				if err := exactArgs(fs, args); err != nil {
					return err
				}
				return withApp(ctx, e, func(a *app) error {
					if err := a.requireSchema(ctx, false); err != nil {
						return err
					}
					hs, v, err := a.clocks.Holidays(ctx, year)
					if err != nil {
						return err
					}
					cal, _, err := a.calendars.Current(ctx)
					if err != nil {
						return err
					}
					first, last := cal.CoveredYears()
					fmt.Fprintf(e.stderr, "calendar %s (change %d, %s: %s), covers %d-%d\n", v.Hash, v.ID, v.CreatedAt.Format("2006-01-02"), v.Reason, first, last)
					tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "DATE\tDAY\tKIND\tNAME\tSOURCE")
					for _, h := range hs {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", h.Date, h.Date.Weekday().String()[:3], h.Kind, h.NameID, h.Source)
					}
					return tw.Flush()
				})
			}},
		{name: "add", summary: "add a holiday (a new calendar version; touched open clocks are recomputed)", usage: "DATE",
			flags: func(fs *flag.FlagSet) {
				fs.StringVar(&kind, "kind", "", "libur_nasional or cuti_bersama (required)")
				fs.StringVar(&name, "name", "", "name in Bahasa Indonesia (required)")
				fs.StringVar(&nameEN, "name-en", "", "name in English")
				changeFlags(fs)
			},
			run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
				if err := exactArgs(fs, args, "DATE"); err != nil {
					return err
				}
				d, err := workcal.ParseDate(args[0])
				if err != nil {
					return usagef("holidays add: %q is not a YYYY-MM-DD date", args[0])
				}
				if kind == "" || name == "" {
					return usagef("holidays add: --kind and --name are required")
				}
				if err := need("add"); err != nil {
					return err
				}
				h := workcal.Holiday{Date: d, Kind: workcal.HolidayKind(kind), NameID: name, NameEN: nameEN, Source: source}
				return holidayChange(ctx, e, func(a *app) (clocks.HolidayResult, error) {
					return a.clocks.AddHoliday(ctx, access.CLI(), h, clocks.Change{Reason: reason, Source: source})
				})
			}},
		{name: "remove", summary: "remove a holiday (a new calendar version; touched open clocks are recomputed)", usage: "DATE",
			flags: changeFlags,
			run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
				if err := exactArgs(fs, args, "DATE"); err != nil {
					return err
				}
				d, err := workcal.ParseDate(args[0])
				if err != nil {
					return usagef("holidays remove: %q is not a YYYY-MM-DD date", args[0])
				}
				if err := need("remove"); err != nil {
					return err
				}
				return holidayChange(ctx, e, func(a *app) (clocks.HolidayResult, error) {
					return a.clocks.RemoveHoliday(ctx, access.CLI(), d, clocks.Change{Reason: reason, Source: source})
				})
			}},
		{name: "import", summary: "add or correct holidays from a CSV (date,kind,name_id,name_en,source) as one calendar version", usage: "FILE.csv",
			flags: changeFlags,
			run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
				if err := exactArgs(fs, args, "FILE"); err != nil {
					return err
				}
				if err := need("import"); err != nil {
					return err
				}
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				return holidayChange(ctx, e, func(a *app) (clocks.HolidayResult, error) {
					return a.clocks.ImportHolidays(ctx, access.CLI(), f, clocks.Change{Reason: reason, Source: source})
				})
			}},
	}}
}

func holidayChange(ctx context.Context, e *env, fn func(a *app) (clocks.HolidayResult, error)) error {
	return withApp(ctx, e, func(a *app) error {
		if err := a.requireSchema(ctx, false); err != nil {
			return err
		}
		res, err := fn(a)
		printHolidayResult(e.stdout, res)
		return err
	})
}

func printHolidayResult(w io.Writer, r clocks.HolidayResult) {
	fmt.Fprintf(w, "holidays: %d added, %d updated, %d removed, %d unchanged\n", r.Added, r.Updated, r.Removed, r.Unchanged)
	if r.Version != nil {
		fmt.Fprintf(w, "calendar version %s (change %d)\n", r.Version.Hash, r.Version.ID)
		printRecompute(w, "recomputed touched open clocks", r.Recomputed)
	}
}
