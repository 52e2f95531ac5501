package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// Import job states.
const (
	ImportQueued  = "queued"
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

// ImportCounts are what an import did so far.
type ImportCounts struct {
	Created         int64 `json:"created"`
	Updated         int64 `json:"updated"`
	Unchanged       int64 `json:"unchanged"`
	Stale           int64 `json:"stale"`
	Rejected        int64 `json:"rejected"`
	EventsCreated   int64 `json:"events_created"`
	EventsUnchanged int64 `json:"events_unchanged"`
}

// Add returns the sum of two counts.
func (c ImportCounts) Add(d ImportCounts) ImportCounts {
	return ImportCounts{c.Created + d.Created, c.Updated + d.Updated, c.Unchanged + d.Unchanged, c.Stale + d.Stale,
		c.Rejected + d.Rejected, c.EventsCreated + d.EventsCreated, c.EventsUnchanged + d.EventsUnchanged}
}

// Rows is the number of input rows counted.
func (c ImportCounts) Rows() int64 {
	return c.Created + c.Updated + c.Unchanged + c.Stale + c.Rejected
}

// ImportJob is one file import: what, by whom, how far it got.
type ImportJob struct {
	ID          int64        `json:"id"`
	Kind        string       `json:"kind"`
	Format      string       `json:"format"`
	FileName    string       `json:"file_name"`
	StoredPath  string       `json:"-"`
	Identity    string       `json:"-"`
	OptionsJSON string       `json:"-"`
	Actor       string       `json:"actor"`
	ActorRole   string       `json:"-"`
	ActorAgency string       `json:"-"`
	Status      string       `json:"status"`
	Counts      ImportCounts `json:"counts"`
	Offset      int64        `json:"committed_offset"`
	Line        int          `json:"committed_line"`
	SizeBytes   int64        `json:"size_bytes"`
	StartedAt   *time.Time   `json:"started_at,omitempty"`
	FinishedAt  *time.Time   `json:"finished_at,omitempty"`
	Error       string       `json:"error,omitempty"`
	ReportPath  string       `json:"-"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

type importJobRow struct {
	ID              int64 `gorm:"primaryKey"`
	Kind            string
	Format          string
	FileName        string
	StoredPath      string
	Identity        string
	OptionsJSON     string `gorm:"column:options_json"`
	Actor           string
	ActorRole       string
	ActorAgency     string
	Status          string
	Created         int64
	Updated         int64
	Unchanged       int64
	Stale           int64
	Rejected        int64
	EventsCreated   int64
	EventsUnchanged int64
	CommittedOffset int64
	CommittedLine   int64
	SizeBytes       int64
	StartedAt       *time.Time
	FinishedAt      *time.Time
	Error           string
	ReportPath      string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (importJobRow) TableName() string { return "import_jobs" }

func (r importJobRow) toJob() ImportJob {
	return ImportJob{ID: r.ID, Kind: r.Kind, Format: r.Format, FileName: r.FileName, StoredPath: r.StoredPath,
		Identity: r.Identity, OptionsJSON: r.OptionsJSON, Actor: r.Actor, ActorRole: r.ActorRole, ActorAgency: r.ActorAgency,
		Status: r.Status, Counts: ImportCounts{r.Created, r.Updated, r.Unchanged, r.Stale, r.Rejected, r.EventsCreated, r.EventsUnchanged},
		Offset: r.CommittedOffset, Line: int(r.CommittedLine), SizeBytes: r.SizeBytes, StartedAt: utcPtr(r.StartedAt),
		FinishedAt: utcPtr(r.FinishedAt), Error: r.Error, ReportPath: r.ReportPath, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// CreateImportJob stores a new job and returns it with its id.
func (s *Store) CreateImportJob(ctx context.Context, j ImportJob, now time.Time) (ImportJob, error) {
	now = utcMicro(now)
	row := importJobRow{Kind: j.Kind, Format: j.Format, FileName: j.FileName, StoredPath: j.StoredPath, Identity: j.Identity,
		OptionsJSON: j.OptionsJSON, Actor: j.Actor, ActorRole: j.ActorRole, ActorAgency: j.ActorAgency, Status: j.Status,
		SizeBytes: j.SizeBytes, CreatedAt: now, UpdatedAt: now}
	if row.OptionsJSON == "" {
		row.OptionsJSON = "{}"
	}
	if j.Status == ImportRunning {
		row.StartedAt = &now
	}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return ImportJob{}, s.wrapRaw("create import job", err)
	}
	return row.toJob(), nil
}

// ImportJobByID returns one job.
func (s *Store) ImportJobByID(ctx context.Context, id int64) (ImportJob, error) {
	var row importJobRow
	if err := s.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return ImportJob{}, s.wrapRaw(fmt.Sprintf("import job %d", id), err)
	}
	return row.toJob(), nil
}

// UnfinishedImportJob returns the newest job with this identity that did
// not finish (running when killed, or failed), which a re-run resumes.
func (s *Store) UnfinishedImportJob(ctx context.Context, identity string) (ImportJob, error) {
	var row importJobRow
	err := s.conn(ctx).Where("identity = ? AND status IN ?", identity, []string{ImportRunning, ImportFailed}).
		Order("id DESC").Take(&row).Error
	if err != nil {
		return ImportJob{}, s.wrapRaw("unfinished import job", err)
	}
	return row.toJob(), nil
}

// StartImportJob marks a job running (again), clearing a previous error.
func (s *Store) StartImportJob(ctx context.Context, id int64, now time.Time) error {
	now = utcMicro(now)
	err := s.conn(ctx).Model(&importJobRow{}).Where("id = ?", id).
		Updates(map[string]any{"status": ImportRunning, "error": "", "started_at": now, "finished_at": nil, "updated_at": now}).Error
	return s.wrapRaw("start import job", err)
}

// ClaimQueuedImportJob takes the oldest queued job and marks it running; a
// job interrupted while running (a killed server) is taken again first.
// ok is false when there is nothing to do.
func (s *Store) ClaimQueuedImportJob(ctx context.Context, now time.Time, includeRunning bool) (ImportJob, bool, error) {
	var job ImportJob
	found := false
	err := s.InTx(ctx, func(tx *Store) error {
		statuses := []string{ImportQueued}
		if includeRunning {
			statuses = append(statuses, ImportRunning)
		}
		var row importJobRow
		err := tx.conn(ctx).Where("status IN ? AND stored_path <> ''", statuses).Order("id").Take(&row).Error
		if err != nil {
			if err == gorm.ErrRecordNotFound {
				return nil
			}
			return err
		}
		res := tx.conn(ctx).Model(&importJobRow{}).Where("id = ? AND status = ?", row.ID, row.Status).
			Updates(map[string]any{"status": ImportRunning, "started_at": utcMicro(now), "updated_at": utcMicro(now)})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			row.Status = ImportRunning
			job, found = row.toJob(), true
		}
		return nil
	})
	return job, found, s.wrapRaw("claim import job", err)
}

// CheckpointImportJob adds a batch's counts and moves the resume point.
// Call it in the batch's transaction, so the counts, the rows and the
// position commit together.
func (s *Store) CheckpointImportJob(ctx context.Context, id int64, d ImportCounts, offset int64, line int, now time.Time) error {
	n := s.placeholder
	q := `UPDATE import_jobs SET created = created + ` + n(1) + `, updated = updated + ` + n(2) +
		`, unchanged = unchanged + ` + n(3) + `, stale = stale + ` + n(4) + `, rejected = rejected + ` + n(5) +
		`, events_created = events_created + ` + n(6) + `, events_unchanged = events_unchanged + ` + n(7) +
		`, committed_offset = ` + n(8) + `, committed_line = ` + n(9) + `, updated_at = ` + n(10) + ` WHERE id = ` + n(11)
	res, err := s.pool().ExecContext(ctx, q, d.Created, d.Updated, d.Unchanged, d.Stale, d.Rejected, d.EventsCreated,
		d.EventsUnchanged, offset, int64(line), utcMicro(now), id)
	if err != nil {
		return s.wrapRaw("checkpoint import job", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: checkpoint import job %d: %w", id, domain.ErrNotFound)
	}
	return nil
}

// FinishImportJob records the outcome of a job.
func (s *Store) FinishImportJob(ctx context.Context, id int64, status, errText, reportPath string, now time.Time) error {
	now = utcMicro(now)
	err := s.conn(ctx).Model(&importJobRow{}).Where("id = ?", id).
		Updates(map[string]any{"status": status, "error": errText, "report_path": reportPath, "finished_at": now, "updated_at": now}).Error
	return s.wrapRaw("finish import job", err)
}

var rejectionInsert = bulkInsert{
	table:   "import_rejections",
	cols:    []string{"job_id", "line", "record", "field", "reason"},
	pgTypes: []string{"bigint", "bigint", "text", "text", "text"},
}

// InsertImportRejections stores rejected rows' field errors. Reasons never
// carry reporter data (ingest names reporter fields, not their values).
func (s *Store) InsertImportRejections(ctx context.Context, jobID int64, errs []domain.FieldError) error {
	rows := make([][]any, len(errs))
	for i, e := range errs {
		rows[i] = []any{jobID, int64(e.Line), e.Record, e.Field, e.Reason}
	}
	return s.wrapRaw("insert import rejections", s.bulkInsert(ctx, rejectionInsert, rows, nil))
}

// EachImportRejection calls fn with a job's rejections in line order.
func (s *Store) EachImportRejection(ctx context.Context, jobID int64, fn func(domain.FieldError) error) error {
	rs, err := s.pool().QueryContext(ctx, `SELECT line, record, field, reason FROM import_rejections WHERE job_id = `+s.placeholder(1)+` ORDER BY line, id`, jobID)
	if err != nil {
		return s.wrapRaw("import rejections", err)
	}
	defer rs.Close()
	for rs.Next() {
		var e domain.FieldError
		var line int64
		if err := rs.Scan(&line, &e.Record, &e.Field, &e.Reason); err != nil {
			return s.wrapRaw("import rejections", err)
		}
		e.Line = int(line)
		if err := fn(e); err != nil {
			return err
		}
	}
	return s.wrapRaw("import rejections", rs.Err())
}
