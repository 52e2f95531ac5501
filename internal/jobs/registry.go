// Package jobs runs Tanggap's scheduled work (design §3.8): a registry of
// named jobs, each an ordinary service call, scheduled with robfig/cron in
// Asia/Jakarta and also runnable by hand (`tanggap run-job NAME`, the admin
// API). Every run is recorded in job_runs; a unique (job, slot) row claims a
// scheduled slot so several replicas on one database run it once, and on
// PostgreSQL an advisory lock keeps two replicas from running one job's body
// at the same time.
package jobs

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Counts are what a run did, by name (e.g. "clocks": 120); they are stored
// with the run and shown by `tanggap jobs`.
type Counts map[string]int64

// Func is a job's body: one service call. now is the run's start time.
type Func func(ctx context.Context, now time.Time) (Counts, error)

// Off as a schedule disables a job's schedule; it still runs by hand.
const Off = "off"

// Job is a named, scheduled service call.
type Job struct {
	Name string
	// Schedule is a cron spec read in Asia/Jakarta ("*/10 * * * *",
	// "@daily", or with a leading seconds field "*/2 * * * * *"); Off or
	// empty: manual runs only. TANGGAP_JOB_SCHEDULES overrides it.
	Schedule    string
	Description string
	Run         Func
}

// Registry is the set of jobs a process knows. cli builds it; adding a job
// is one Add call.
type Registry struct {
	jobs []Job
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

// Add registers a job. A missing name or body, or a name registered twice,
// is a programming error and panics at start-up.
func (r *Registry) Add(j Job) {
	if j.Name == "" || strings.ContainsAny(j.Name, " =;") || j.Run == nil {
		panic(fmt.Sprintf("jobs: invalid job %q (a name without spaces, '=' or ';', and a Run func are required)", j.Name))
	}
	if _, ok := r.Job(j.Name); ok {
		panic(fmt.Sprintf("jobs: job %q registered twice", j.Name))
	}
	r.jobs = append(r.jobs, j)
}

// Jobs lists the jobs in registration order.
func (r *Registry) Jobs() []Job { return append([]Job(nil), r.jobs...) }

// Job returns the named job.
func (r *Registry) Job(name string) (Job, bool) {
	for _, j := range r.jobs {
		if j.Name == name {
			return j, true
		}
	}
	return Job{}, false
}

// ParseSchedules reads TANGGAP_JOB_SCHEDULES: "name=spec" pairs separated
// by ';', e.g. "sla-sweep=*/5 * * * *;retention=off".
func ParseSchedules(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, spec, ok := strings.Cut(part, "=")
		name, spec = strings.TrimSpace(name), strings.TrimSpace(spec)
		if !ok || name == "" || spec == "" {
			return nil, fmt.Errorf("job schedule %q: want name=cron spec (e.g. sla-sweep=*/10 * * * *)", part)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("job schedule for %q given twice", name)
		}
		out[name] = spec
	}
	return out, nil
}
