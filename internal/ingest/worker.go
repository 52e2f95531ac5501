package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/ingest/parse"
	"github.com/tanggap-id/tanggap/internal/store"
)

// workerState is the background import worker owned by the service.
type workerState struct {
	wake    chan struct{}
	mu      sync.Mutex
	running bool
}

// pollInterval is how often an idle worker looks for queued jobs (a new
// upload wakes it at once; polling covers other replicas' uploads).
const pollInterval = 5 * time.Second

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Enqueue stores an uploaded file under the data directory and queues a
// job for the worker. The actor's scope applies to every row when it runs.
func (s *Service) Enqueue(ctx context.Context, actor access.Principal, name string, body io.Reader, o FileOptions) (store.ImportJob, error) {
	idx, err := s.agencyIndex(ctx)
	if err != nil {
		return store.ImportJob{}, err
	}
	if _, err := s.writeScope(actor, idx); err != nil {
		return store.ImportJob{}, err
	}
	base := unsafeName.ReplaceAllString(filepath.Base(name), "_")
	if err := o.normalise(base); err != nil {
		return store.ImportJob{}, err
	}
	if s.dataDir == "" {
		return store.ImportJob{}, fmt.Errorf("ingest: no data directory for uploads: %w", domain.ErrUnavailable)
	}
	dir := filepath.Join(s.dataDir, "imports")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return store.ImportJob{}, fmt.Errorf("ingest: upload directory: %w", err)
	}
	rnd := make([]byte, 8)
	_, _ = rand.Read(rnd)
	path := filepath.Join(dir, s.now().UTC().Format("20060102T150405")+"-"+hex.EncodeToString(rnd)+"-"+base)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return store.ImportJob{}, fmt.Errorf("ingest: store upload: %w", err)
	}
	size, err := io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return store.ImportJob{}, fmt.Errorf("ingest: store upload: %w", err)
	}
	opts, _ := json.Marshal(o)
	job, err := s.store.CreateImportJob(ctx, store.ImportJob{Kind: o.Kind.String(), Format: string(o.Format), FileName: base,
		StoredPath: path, OptionsJSON: string(opts), Actor: actor.Actor(), ActorRole: string(actor.Role),
		ActorAgency: actor.AgencyCode, Status: store.ImportQueued, SizeBytes: size}, s.now())
	if err != nil {
		os.Remove(path)
		return store.ImportJob{}, err
	}
	s.audit.Record(ctx, actor.Actor(), "queue", "import_job", strconv.FormatInt(job.ID, 10), nil, job)
	select {
	case s.worker.wake <- struct{}{}:
	default:
	}
	return job, nil
}

// StartWorker runs queued import jobs on one goroutine until ctx ends or
// the returned stop is called; stop waits for the current batch to finish
// (the job stays resumable). Jobs left running by a killed process are
// resumed first.
func (s *Service) StartWorker(ctx context.Context) (stop func()) {
	s.worker.mu.Lock()
	if s.worker.running {
		s.worker.mu.Unlock()
		return func() {}
	}
	s.worker.running = true
	s.worker.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		first := true
		for {
			job, ok, err := s.store.ClaimQueuedImportJob(ctx, s.now(), first)
			if err != nil && ctx.Err() == nil {
				s.log.ErrorContext(ctx, "import worker: claim", "err", err)
			}
			if ok {
				s.runQueued(ctx, job)
				continue
			}
			first = false
			select {
			case <-ctx.Done():
				return
			case <-s.worker.wake:
			case <-time.After(pollInterval):
			}
		}
	}()
	return func() {
		cancel()
		<-done
		s.worker.mu.Lock()
		s.worker.running = false
		s.worker.mu.Unlock()
	}
}

// runQueued runs one claimed job as the principal that uploaded it.
func (s *Service) runQueued(ctx context.Context, job store.ImportJob) {
	log := s.log.With("job", job.ID, "file", job.FileName)
	var o FileOptions
	if err := json.Unmarshal([]byte(job.OptionsJSON), &o); err != nil {
		_ = s.store.FinishImportJob(ctx, job.ID, store.ImportFailed, "unreadable job options", "", s.now())
		return
	}
	actor := access.Principal{Name: "upload:" + job.Actor, Role: access.Role(job.ActorRole), AgencyCode: job.ActorAgency}
	idx, err := s.agencyIndex(ctx)
	if err == nil {
		var sc scope
		if sc, err = s.writeScope(actor, idx); err == nil {
			var rep Report
			rep, err = s.runJob(ctx, sc, idx, job, job.StoredPath, o, job.StoredPath+".rejections.csv", nil)
			if err == nil {
				log.InfoContext(ctx, "import done", "created", rep.Counts.Created, "updated", rep.Counts.Updated,
					"unchanged", rep.Counts.Unchanged, "stale", rep.Counts.Stale, "rejected", rep.Counts.Rejected)
				return
			}
		}
	}
	if ctx.Err() != nil {
		// shutting down: leave it running so the next start resumes it
		_ = s.store.StartImportJob(context.WithoutCancel(ctx), job.ID, s.now())
		log.InfoContext(ctx, "import paused for shutdown")
		return
	}
	_ = s.store.FinishImportJob(ctx, job.ID, store.ImportFailed, err.Error(), "", s.now())
	log.WarnContext(ctx, "import failed", "err", err)
}

// Job returns an import job; callers see their own jobs, admins all.
func (s *Service) Job(ctx context.Context, actor access.Principal, id int64) (store.ImportJob, error) {
	if err := access.RequireReader(actor); err != nil {
		return store.ImportJob{}, err
	}
	job, err := s.store.ImportJobByID(ctx, id)
	if err != nil {
		return store.ImportJob{}, err
	}
	if actor.Role != access.RoleAdmin && job.Actor != actor.Actor() {
		// not found rather than forbidden: job ids are not a directory
		return store.ImportJob{}, fmt.Errorf("import job %d: %w", id, domain.ErrNotFound)
	}
	return job, nil
}

// WriteRejectionsCSV writes a job's rejected rows (line, record, field,
// reason) as CSV.
func (s *Service) WriteRejectionsCSV(ctx context.Context, actor access.Principal, id int64, w io.Writer) error {
	if _, err := s.Job(ctx, actor, id); err != nil {
		return err
	}
	return s.writeRejections(ctx, id, w)
}

// KindFromName parses "complaints" or "events".
func KindFromName(s string) (parse.Kind, error) {
	switch s {
	case "complaints", "complaint":
		return parse.KindComplaints, nil
	case "events", "event":
		return parse.KindEvents, nil
	}
	return parse.KindAuto, domain.Invalidf("kind", "%q: want complaints or events", s)
}
