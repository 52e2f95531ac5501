package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"time"

	"gorm.io/gorm/clause"
)

// Job run outcomes.
const (
	JobRunning   = "running"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
	JobSkipped   = "skipped"
)

// JobRun is one run of a scheduled job: which slot, which replica, how it
// ended and what it counted.
type JobRun struct {
	ID          int64            `json:"id"`
	Job         string           `json:"job"`
	Slot        string           `json:"slot"`
	ScheduledAt *time.Time       `json:"scheduled_at,omitempty"`
	Replica     string           `json:"replica"`
	Manual      bool             `json:"manual"`
	Actor       string           `json:"actor,omitempty"`
	Outcome     string           `json:"outcome"`
	StartedAt   time.Time        `json:"started_at"`
	UpdatedAt   time.Time        `json:"updated_at"`
	FinishedAt  *time.Time       `json:"finished_at,omitempty"`
	Counts      map[string]int64 `json:"counts,omitempty"`
	Error       string           `json:"error,omitempty"`
}

type jobRunRow struct {
	ID          int64 `gorm:"primaryKey"`
	Job         string
	Slot        string
	ScheduledAt *time.Time
	Replica     string
	Manual      bool
	Actor       string
	Outcome     string
	StartedAt   time.Time
	UpdatedAt   time.Time
	FinishedAt  *time.Time
	CountsJSON  string `gorm:"column:counts_json"`
	Error       string
}

func (jobRunRow) TableName() string { return "job_runs" }

func (r jobRunRow) toDomain() JobRun {
	run := JobRun{ID: r.ID, Job: r.Job, Slot: r.Slot, ScheduledAt: utcPtr(r.ScheduledAt), Replica: r.Replica, Manual: r.Manual,
		Actor: r.Actor, Outcome: r.Outcome, StartedAt: r.StartedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		FinishedAt: utcPtr(r.FinishedAt), Error: r.Error}
	if r.CountsJSON != "" && r.CountsJSON != "{}" {
		_ = json.Unmarshal([]byte(r.CountsJSON), &run.Counts) // written by FinishJobRun only
	}
	return run
}

// ClaimJobRun inserts the run unless its (job, slot) exists. claimed is true
// only for the caller whose insert landed: across replicas exactly one
// claims a slot, and only that one runs it.
func (s *Store) ClaimJobRun(ctx context.Context, r JobRun) (run JobRun, claimed bool, err error) {
	started := utcMicro(r.StartedAt)
	row := jobRunRow{Job: r.Job, Slot: r.Slot, Replica: r.Replica, Manual: r.Manual, Actor: r.Actor, Outcome: r.Outcome,
		StartedAt: started, UpdatedAt: started, CountsJSON: "{}"}
	if row.Outcome == "" {
		row.Outcome = JobRunning
	}
	if r.ScheduledAt != nil {
		at := utcMicro(*r.ScheduledAt)
		row.ScheduledAt = &at
	}
	res := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "job"}, {Name: "slot"}}, DoNothing: true}).Create(&row)
	if res.Error != nil {
		return JobRun{}, false, wrap("claim job run "+r.Job, res.Error)
	}
	if res.RowsAffected != 1 {
		return JobRun{}, false, nil
	}
	return row.toDomain(), true, nil
}

// HeartbeatJobRun tells other replicas the run is alive.
func (s *Store) HeartbeatJobRun(ctx context.Context, id int64, now time.Time) error {
	err := s.conn(ctx).Model(&jobRunRow{}).Where("id = ? AND outcome = ?", id, JobRunning).
		Update("updated_at", utcMicro(now)).Error
	return wrap("job run heartbeat", err)
}

// FinishJobRun records how a run ended. It overwrites an outcome another
// replica set meanwhile (e.g. "replica died" after a long database outage):
// the run's own ending is the truth.
func (s *Store) FinishJobRun(ctx context.Context, id int64, outcome string, counts map[string]int64, errText string, now time.Time) error {
	cj := "{}"
	if len(counts) > 0 {
		b, err := json.Marshal(counts)
		if err != nil {
			return fmt.Errorf("store: finish job run: %w", err)
		}
		cj = string(b)
	}
	now = utcMicro(now)
	err := s.conn(ctx).Model(&jobRunRow{}).Where("id = ?", id).
		Updates(map[string]any{"outcome": outcome, "counts_json": cj, "error": errText, "finished_at": now, "updated_at": now}).Error
	return wrap("finish job run", err)
}

// FailStaleJobRuns marks failed the runs still "running" whose heartbeat is
// older than staleBefore, or that belong to one of the given replicas (known
// dead), and returns them.
func (s *Store) FailStaleJobRuns(ctx context.Context, staleBefore time.Time, deadReplicas []string, reason string, now time.Time) ([]JobRun, error) {
	var out []JobRun
	err := s.InTx(ctx, func(tx *Store) error {
		q := tx.conn(ctx).Where("outcome = ?", JobRunning)
		if len(deadReplicas) > 0 {
			q = q.Where("updated_at < ? OR replica IN ?", utcMicro(staleBefore), deadReplicas)
		} else {
			q = q.Where("updated_at < ?", utcMicro(staleBefore))
		}
		var rows []jobRunRow
		if err := q.Order("id").Find(&rows).Error; err != nil {
			return err
		}
		n := utcMicro(now)
		for _, r := range rows {
			// outcome = running again: the run may have finished meanwhile
			res := tx.conn(ctx).Model(&jobRunRow{}).Where("id = ? AND outcome = ?", r.ID, JobRunning).
				Updates(map[string]any{"outcome": JobFailed, "error": reason, "finished_at": n, "updated_at": n})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				r.Outcome, r.Error, r.FinishedAt, r.UpdatedAt = JobFailed, reason, &n, n
				out = append(out, r.toDomain())
			}
		}
		return nil
	})
	return out, wrap("fail stale job runs", err)
}

// RunningJobReplicas lists the replicas that have a run in progress.
func (s *Store) RunningJobReplicas(ctx context.Context) ([]string, error) {
	var out []string
	err := s.conn(ctx).Model(&jobRunRow{}).Where("outcome = ?", JobRunning).Distinct().Order("replica").Pluck("replica", &out).Error
	return out, wrap("running job replicas", err)
}

// LatestJobRuns returns, per job, its newest run and its newest successful
// run.
func (s *Store) LatestJobRuns(ctx context.Context) (last, lastSuccess map[string]JobRun, err error) {
	last, lastSuccess = map[string]JobRun{}, map[string]JobRun{}
	var rows []jobRunRow
	err = s.conn(ctx).Where("id IN (SELECT MAX(id) FROM job_runs GROUP BY job) OR id IN (SELECT MAX(id) FROM job_runs WHERE outcome = ? GROUP BY job)", JobSucceeded).
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, nil, wrap("latest job runs", err)
	}
	for _, r := range rows {
		// ascending ids: the newest of each kind wins
		last[r.Job] = r.toDomain()
		if r.Outcome == JobSucceeded {
			lastSuccess[r.Job] = r.toDomain()
		}
	}
	return last, lastSuccess, nil
}

// JobRuns lists a job's runs, newest first; an empty job lists every job's.
func (s *Store) JobRuns(ctx context.Context, job string, limit int) ([]JobRun, error) {
	q := s.conn(ctx).Order("id DESC").Limit(limit)
	if job != "" {
		q = q.Where("job = ?", job)
	}
	var rows []jobRunRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, wrap("job runs", err)
	}
	out := make([]JobRun, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// jobLockKey is the advisory lock id of a job name; the prefix keeps it
// apart from other users of advisory locks (goose's migration lock).
func jobLockKey(job string) int64 {
	h := fnv.New64a()
	h.Write([]byte("tanggap:job:" + job))
	return int64(h.Sum64())
}

// TryJobLock takes a PostgreSQL session advisory lock on the job's name on a
// connection pinned until unlock, so no two replicas run the same job body
// at once. ok is false when another session holds it. On SQLite, one file
// serves one host and the slot claim suffices: ok is always true.
func (s *Store) TryJobLock(ctx context.Context, job string) (unlock func(), ok bool, err error) {
	if s.dialect != Postgres {
		return func() {}, true, nil
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, false, wrap("job lock", err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, false, wrap("job lock", err)
	}
	key := jobLockKey(job)
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
		_ = conn.Close()
		return nil, false, wrap("job lock "+job, err)
	}
	if !ok {
		_ = conn.Close()
		return nil, false, nil
	}
	return func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		var released bool
		if err := conn.QueryRowContext(uctx, `SELECT pg_advisory_unlock($1)`, key).Scan(&released); err != nil || !released {
			// never hand a session that may still hold the lock back to the pool
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		_ = conn.Close()
	}, true, nil
}
