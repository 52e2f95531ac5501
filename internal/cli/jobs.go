package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/commitments"
	"github.com/tanggap-id/tanggap/internal/jobs"
	"github.com/tanggap-id/tanggap/internal/retention"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
	"github.com/tanggap-id/tanggap/internal/store"
)

// registerJobs is the one place scheduled jobs are registered: each is one
// reg.Add with a name, a default schedule (Asia/Jakarta; TANGGAP_JOB_SCHEDULES
// overrides it) and a plain service call.
func (a *app) registerJobs(reg *jobs.Registry) {
	reg.Add(jobs.Job{Name: "sla-sweep", Schedule: "*/10 * * * *",
		Description: "move running clocks whose verdict time has changed (open → at risk → overdue), then refresh the affected roll-ups",
		Run:         a.slaSweep})
	reg.Add(jobs.Job{Name: "calendar-coverage", Schedule: "0 6 1 * *",
		Description: "from 1 November, fail (and warn) while next year's holidays are not loaded",
		Run:         a.calendarCoverage})
	reg.Add(jobs.Job{Name: "retention", Schedule: "0 2 * * 0",
		Description: "remove reporter name and contact of complaints closed longer than TANGGAP_RETENTION_AGE",
		Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) {
			rep, err := a.retention.Anonymise(ctx, now)
			return jobs.Counts{"anonymised": rep.Anonymised, "batches": int64(rep.Batches)}, err
		}})
	reg.Add(jobs.Job{Name: commitments.JobName, Schedule: "0 5 * * *",
		Description: "snapshot every commitment target's value and status; alert webhooks on a status change and retry due deliveries",
		Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) {
			rep, err := a.commitments.Snapshot(ctx, now)
			return jobs.Counts(rep.Counts()), err
		}})
	reg.Add(jobs.Job{Name: "digests", Schedule: "0 * * * *",
		Description: "send the daily workspace digests due this hour (Asia/Jakarta) by e-mail and webhook; each send recorded",
		Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) {
			rep, err := a.workspace.SendDueDigests(ctx, now)
			return jobs.Counts{"users": int64(rep.Users), "sent": int64(rep.Sent), "failed": int64(rep.Failed), "skipped": int64(rep.Skipped)}, err
		}})
	reg.Add(jobs.Job{Name: "rollup-check", Schedule: "30 1 * * *",
		Description: "rebuild every roll-up in a rolled-back transaction and count (and log) rows that differ from the incremental ones",
		Run:         a.rollupCheck})
	reg.Add(jobs.Job{Name: "index", Schedule: "0 3 * * *",
		Description: "derive indicator 42 from each government's complaint data and store its projected SPBE index of the year (history kept)",
		Run: func(ctx context.Context, now time.Time) (jobs.Counts, error) {
			rep, err := a.spbe.ProjectAll(ctx, spbeindex.ProjectionYear(now), a.rollups, a.log)
			return jobs.Counts{"governments": int64(rep.Governments), "projected": int64(rep.Projected), "stored": int64(rep.Stored),
				"without_levels": int64(rep.WithoutLevels), "failed": int64(rep.Failed)}, err
		}})
}

// rollupCheck fails the run when the roll-ups differ from a rebuild, so the
// difference shows as the job's last outcome.
func (a *app) rollupCheck(ctx context.Context, _ time.Time) (jobs.Counts, error) {
	rep, err := a.rollups.CheckRollups(ctx)
	c := jobs.Counts{"rows": int64(rep.Rows), "currents": int64(rep.Currents), "differences": int64(rep.Differences)}
	if err == nil && rep.Differences > 0 {
		err = fmt.Errorf("%d roll-up rows differ from a full rebuild (logged); run `tanggap rollup rebuild` to repair", rep.Differences)
	}
	return c, err
}

func (a *app) slaSweep(ctx context.Context, now time.Time) (jobs.Counts, error) {
	rep, err := a.clocks.Sweep(ctx, now)
	c := jobs.Counts{"complaints": int64(rep.Complaints), "clocks": rep.Clocks, "failed": int64(rep.Failed)}
	if err != nil {
		return c, err
	}
	// the sweep marked the months its verdict changes touch; publish them
	rr, err := a.rollups.Refresh(ctx)
	c["rollup_pairs"], c["rollup_rows"] = int64(rr.Pairs), int64(rr.Rows)
	return c, err
}

func (a *app) calendarCoverage(ctx context.Context, now time.Time) (jobs.Counts, error) {
	year, missing, err := a.calendars.MissingNextYear(ctx, now)
	if err != nil {
		return nil, err
	}
	if missing {
		a.log.Warn("holidays of next year are not loaded; working-day deadlines past 31 December will be wrong", "year", year)
		return jobs.Counts{"missing_year": int64(year)}, fmt.Errorf("holidays for %d are not loaded: add them (tanggap holidays) before 1 January", year)
	}
	return jobs.Counts{"missing_year": 0}, nil
}

// buildJobs makes the retention service, the registry and the runner.
// openApp calls it last, once every service exists.
func (a *app) buildJobs() error {
	a.retention = retention.NewService(a.store, a.audit, a.log, a.cfg.RetentionAge.Duration())
	reg := jobs.NewRegistry()
	a.registerJobs(reg)
	sched, err := jobs.ParseSchedules(a.cfg.JobSchedules)
	if err != nil {
		return exitError{code: 2, err: fmt.Errorf("config: TANGGAP_JOB_SCHEDULES: %w", err)}
	}
	a.jobs, err = jobs.NewRunner(a.store, reg, jobs.Options{Replica: a.cfg.ReplicaID, Schedules: sched, Log: a.log})
	if err != nil {
		return exitError{code: 2, err: fmt.Errorf("config: TANGGAP_JOB_SCHEDULES: %w", err)}
	}
	return nil
}

// stopJobs stops the scheduler and waits, up to the shutdown timeout, for
// runs in progress to record how they ended.
func (a *app) stopJobs() {
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := a.jobs.Stop(ctx); err != nil {
		a.log.Warn("jobs did not stop in time", "err", err)
	}
}

func runJobCmd() *command {
	return &command{
		name: "run-job", summary: "run one scheduled job now and wait for it (recorded like a scheduled run)", usage: "NAME",
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args, "NAME"); err != nil {
				return err
			}
			return withApp(ctx, e, func(a *app) error {
				if err := a.requireSchema(ctx, false); err != nil {
					return err
				}
				defer a.stopJobs()
				run, err := a.jobs.RunNow(ctx, access.CLI(), args[0])
				if run.ID == 0 && err != nil {
					return err
				}
				printRun(e, run)
				if err != nil {
					return err
				}
				if run.Outcome == store.JobFailed {
					return exitError{code: 1, err: errors.New(args[0] + " failed: " + run.Error)}
				}
				return nil
			})
		},
	}
}

func printRun(e *env, r store.JobRun) {
	fmt.Fprintf(e.stdout, "%s  run %d  %s  replica %s\n", r.Job, r.ID, r.Outcome, r.Replica)
	if r.FinishedAt != nil {
		fmt.Fprintf(e.stdout, "  took %s\n", r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond))
	}
	for _, k := range sortedCountKeys(r.Counts) {
		fmt.Fprintf(e.stdout, "  %-14s %d\n", k, r.Counts[k])
	}
	if r.Error != "" {
		fmt.Fprintf(e.stdout, "  error: %s\n", r.Error)
	}
}

func sortedCountKeys(c map[string]int64) []string {
	ks := make([]string, 0, len(c))
	for k := range c {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func jobsCmd() *command {
	var asJSON bool
	return &command{
		name: "jobs", summary: "list scheduled jobs: schedule, next run, last run, last success",
		flags: func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON (as GET /api/v1/jobs)") },
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			return withApp(ctx, e, func(a *app) error {
				if err := a.requireSchema(ctx, false); err != nil {
					return err
				}
				sts, err := a.jobs.Statuses(ctx, access.CLI())
				if err != nil {
					return err
				}
				if asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(sts)
				}
				printStatuses(e, sts, jobs.Jakarta())
				return nil
			})
		},
	}
}

// printStatuses is the `tanggap jobs` table; times in Jakarta, as the
// schedules are read.
func printStatuses(e *env, sts []jobs.Status, loc *time.Location) {
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tSCHEDULE\tNEXT RUN (WIB)\tLAST RUN\tOUTCOME\tLAST SUCCESS\tCOUNTS / ERROR")
	when := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.In(loc).Format("2006-01-02 15:04:05")
	}
	for _, s := range sts {
		sched := s.Schedule
		if !s.Enabled {
			sched = "off (manual only)"
		}
		last, outcome, success, detail := "-", "-", "-", ""
		if s.LastRun != nil {
			last, outcome = when(&s.LastRun.StartedAt), s.LastRun.Outcome
			if s.LastRun.Manual {
				outcome += " (manual)"
			}
			detail = countsText(s.LastRun.Counts)
			if s.LastRun.Error != "" {
				detail = s.LastRun.Error
			}
		}
		if s.LastSuccess != nil {
			success = when(&s.LastSuccess.StartedAt)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, sched, when(s.NextRun), last, outcome, success, detail)
	}
	tw.Flush()
}

func countsText(c map[string]int64) string {
	parts := make([]string, 0, len(c))
	for _, k := range sortedCountKeys(c) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, c[k]))
	}
	return strings.Join(parts, " ")
}
