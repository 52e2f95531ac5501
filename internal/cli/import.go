package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/ingest/parse"
)

// Exit codes of `tanggap import` (documented in its help):
//
//	0  every row imported (or unchanged)
//	2  some rows rejected; the rejected rows are in the report CSV
//	1  the import failed; what was committed stays, and running the same
//	   command again resumes after the last committed batch
func importCmd() *command {
	return &command{name: "import", summary: "import complaints or events from CSV, XLSX or NDJSON (resumable)", sub: []*command{
		importKindCmd("complaints", parse.KindComplaints), importKindCmd("events", parse.KindEvents),
	}}
}

// repeated collects a repeatable string flag.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func importKindCmd(name string, kind parse.Kind) *command {
	var format, sheet, mappingFile, source, report string
	var maps repeated
	var dryRun bool
	var jobID int64
	var batchSize int
	return &command{name: name, usage: "FILE",
		summary: "import " + name + " from FILE; exit 0 all good, 2 some rows rejected (report written), 1 failed (run again to resume)",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&format, "format", "", "csv, xlsx or ndjson (default: from the file extension)")
			fs.StringVar(&sheet, "sheet", "", "XLSX sheet to read (default: the first)")
			fs.Var(&maps, "map", "map an input column to a field, column=field (repeatable; field - ignores the column)")
			fs.StringVar(&mappingFile, "mapping", "", "file of column=field lines (# comments allowed)")
			fs.StringVar(&source, "source", "", "complaint source when the file has no source column (default: lapor)")
			fs.BoolVar(&dryRun, "dry-run", false, "validate and count without writing")
			fs.StringVar(&report, "report", "", "where to write rejected rows as CSV (default: FILE.rejections.csv)")
			fs.Int64Var(&jobID, "job", 0, "resume this import job id (default: the unfinished job of the same file, if any)")
			fs.IntVar(&batchSize, "batch", 0, "rows per transaction (default 1000)")
		},
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args, "FILE"); err != nil {
				return err
			}
			mapping, err := importMapping(maps, mappingFile)
			if err != nil {
				return err
			}
			fi := ingest.FileImport{Path: args[0], DryRun: dryRun, JobID: jobID, ReportPath: report,
				FileOptions: ingest.FileOptions{Kind: kind, Format: parse.Format(format), Sheet: sheet, Mapping: mapping, Source: source}}
			return withApp(ctx, e, func(a *app) error {
				if err := a.requireSchema(ctx, false); err != nil {
					return err
				}
				svc := a.ingest
				if batchSize > 0 {
					svc = ingest.NewService(a.store, a.access, a.audit, ingest.Options{DataDir: a.cfg.DataDir, BatchSize: batchSize, Log: a.log, AfterCommit: func(ctx context.Context) {
						a.clocks.AfterIngest(ctx)
						a.rollups.AfterChange(ctx)
					}})
				}
				bar := newProgressBar(e.stdout)
				fi.Progress = bar.update
				rep, err := svc.ImportFile(ctx, access.CLI(), fi)
				bar.done()
				if err != nil {
					if rep.JobID != 0 {
						return exitError{code: 1, err: fmt.Errorf("%w (committed rows stay; run the same command again to resume job %d)", err, rep.JobID)}
					}
					return err
				}
				printImportSummary(e.stdout, args[0], rep)
				if rep.Counts.Rejected > 0 {
					return exitError{code: 2, err: fmt.Errorf("%d rows rejected; see %s", rep.Counts.Rejected, rep.ReportPath)}
				}
				return nil
			})
		}}
}

func importMapping(pairs []string, file string) (parse.Mapping, error) {
	m := parse.Mapping{}
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, usagef("--mapping: %v", err)
		}
		defer f.Close()
		fm, err := parse.ParseMapping(f)
		if err != nil {
			return nil, usagef("--mapping %s: %v", file, err)
		}
		for k, v := range fm {
			m[k] = v
		}
	}
	if len(pairs) > 0 {
		pm, err := parse.MappingFromPairs(pairs)
		if err != nil {
			return nil, usagef("--map: %v", err)
		}
		for k, v := range pm {
			m[k] = v
		}
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

func printImportSummary(w io.Writer, file string, rep ingest.Report) {
	c := rep.Counts
	how := "imported"
	if rep.DryRun {
		how = "checked (dry run, nothing written)"
	}
	job := ""
	if rep.JobID != 0 {
		job = fmt.Sprintf(" job %d", rep.JobID)
		if rep.Resumed {
			job += ", resumed"
		}
	}
	rate := ""
	if s := rep.Duration.Seconds(); s > 0 {
		rate = fmt.Sprintf(", %.0f rows/s", float64(c.Rows())/s)
	}
	if job != "" {
		job = " (" + strings.TrimPrefix(job, " ") + ")"
	}
	fmt.Fprintf(w, "%s %s%s: %d rows — %d created, %d updated, %d unchanged, %d stale, %d rejected; events %d created, %d unchanged; %s%s\n",
		how, file, job, c.Rows(), c.Created, c.Updated, c.Unchanged, c.Stale, c.Rejected,
		c.EventsCreated, c.EventsUnchanged, rep.Duration.Round(time.Millisecond), rate)
	for _, warn := range rep.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn.Error())
	}
	if rep.ReportPath != "" {
		fmt.Fprintf(w, "rejected rows: %s\n", rep.ReportPath)
	}
}

// progressBar draws rows, rows/s and an ETA on one terminal line; it draws
// nothing when stdout is not a terminal (logs, pipes, tests).
type progressBar struct {
	w     io.Writer
	on    bool
	start time.Time
	last  time.Time
	drawn bool
}

func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	on := ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
	return &progressBar{w: w, on: on, start: time.Now()}
}

func (b *progressBar) update(p ingest.Progress) error {
	if !b.on {
		return nil
	}
	now := time.Now()
	if now.Sub(b.last) < 200*time.Millisecond {
		return nil
	}
	b.last = now
	rows := p.Counts.Rows()
	secs := now.Sub(b.start).Seconds()
	rate := float64(rows) / max(secs, 1e-3)
	line := fmt.Sprintf("%d rows  %.0f rows/s", rows, rate)
	if p.Size > 0 && p.Offset > 0 {
		frac := float64(p.Offset) / float64(p.Size)
		eta := time.Duration(secs / frac * (1 - frac) * float64(time.Second)).Round(time.Second)
		const width = 30
		n := int(frac * width)
		line = fmt.Sprintf("[%s%s] %3.0f%%  %s  ETA %s", strings.Repeat("#", n), strings.Repeat(".", width-n), frac*100, line, eta)
	}
	fmt.Fprintf(b.w, "\r%-90s", line)
	b.drawn = true
	return nil
}

func (b *progressBar) done() {
	if b.drawn {
		fmt.Fprint(b.w, "\r"+strings.Repeat(" ", 90)+"\r")
	}
}
