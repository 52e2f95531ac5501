package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/ingest/parse"
	"github.com/tanggap-id/tanggap/internal/store"
)

// FileOptions say how to read an import file.
type FileOptions struct {
	// Kind is complaints or events (NDJSON may mix both either way).
	Kind parse.Kind `json:"kind"`
	// Format is taken from the file name when empty.
	Format  parse.Format  `json:"format,omitempty"`
	Sheet   string        `json:"sheet,omitempty"`
	Mapping parse.Mapping `json:"mapping,omitempty"`
	Source  string        `json:"source,omitempty"`
}

// FileImport is one run of a file import.
type FileImport struct {
	Path string
	FileOptions
	// DryRun validates and compares without writing anything.
	DryRun bool
	// JobID resumes that job explicitly; 0 finds an unfinished job of the
	// same file and options, or starts a new one.
	JobID int64
	// ReportPath is where rejected rows go as CSV; empty: next to the file.
	ReportPath string
	// Progress, if set, is called after each committed batch; an error
	// stops the import there (it stays resumable).
	Progress func(Progress) error
}

// Progress is how far an import is.
type Progress struct {
	JobID  int64
	Counts store.ImportCounts
	Offset int64 // bytes (XLSX: rows) committed
	Size   int64 // file size in bytes (XLSX: 0)
	Line   int
}

// Report is the outcome of a file import.
type Report struct {
	JobID      int64               `json:"job_id,omitempty"`
	Resumed    bool                `json:"resumed"`
	DryRun     bool                `json:"dry_run"`
	Counts     store.ImportCounts  `json:"counts"`
	ReportPath string              `json:"report_path,omitempty"`
	Warnings   []domain.FieldError `json:"warnings,omitempty"`
	Duration   time.Duration       `json:"duration"`
}

// ErrStopped is returned when Progress stopped an import.
var ErrStopped = errors.New("import stopped")

func (o *FileOptions) normalise(path string) error {
	if o.Format == "" {
		f, err := parse.FormatFromName(path)
		if err != nil {
			return err
		}
		o.Format = f
	}
	if o.Kind != parse.KindComplaints && o.Kind != parse.KindEvents {
		return domain.Invalid("kind", "must be complaints or events")
	}
	return nil
}

// identity names a file and its options, so running the same import again
// finds the unfinished job: path, size, the first MiB's hash and options.
func identity(path string, size int64, o FileOptions) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyN(h, f, 1<<20); err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	opts, _ := json.Marshal(o) // map keys marshal sorted: stable
	fmt.Fprintf(h, "\x00%s\x00%d\x00%s", abs, size, opts)
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// ImportFile imports a file as actor (the CLI passes access.CLI()),
// resuming an unfinished job of the same file. Rejected rows are written
// as CSV to the report path; the returned error is nil when the file was
// read to its end, even if rows were rejected (see Report.Counts).
func (s *Service) ImportFile(ctx context.Context, actor access.Principal, fi FileImport) (Report, error) {
	start := s.now()
	if err := fi.normalise(fi.Path); err != nil {
		return Report{}, err
	}
	st, err := os.Stat(fi.Path)
	if err != nil {
		return Report{}, fmt.Errorf("import %s: %w", fi.Path, err)
	}
	if fi.ReportPath == "" {
		fi.ReportPath = fi.Path + ".rejections.csv"
	}
	idx, err := s.agencyIndex(ctx)
	if err != nil {
		return Report{}, err
	}
	sc, err := s.writeScope(actor, idx)
	if err != nil {
		return Report{}, err
	}
	if fi.DryRun {
		rep, err := s.dryRun(ctx, sc, idx, fi, st.Size())
		rep.Duration = s.now().Sub(start)
		return rep, err
	}
	id, err := identity(fi.Path, st.Size(), fi.FileOptions)
	if err != nil {
		return Report{}, fmt.Errorf("import %s: %w", fi.Path, err)
	}
	job, resumed, err := s.jobFor(ctx, actor, fi, id, st.Size())
	if err != nil {
		return Report{}, err
	}
	rep, err := s.runJob(ctx, sc, idx, job, fi.Path, fi.FileOptions, fi.ReportPath, fi.Progress)
	rep.Resumed = resumed
	rep.Duration = s.now().Sub(start)
	return rep, err
}

// jobFor finds the job to resume or creates one.
func (s *Service) jobFor(ctx context.Context, actor access.Principal, fi FileImport, id string, size int64) (store.ImportJob, bool, error) {
	var job store.ImportJob
	var err error
	switch {
	case fi.JobID != 0:
		job, err = s.store.ImportJobByID(ctx, fi.JobID)
		if err != nil {
			return job, false, err
		}
		if job.Identity != id {
			return job, false, domain.Invalidf("job", "job %d imported another file or other options", fi.JobID)
		}
		if job.Status == store.ImportDone {
			return job, false, domain.Invalidf("job", "job %d is already done", fi.JobID)
		}
	default:
		job, err = s.store.UnfinishedImportJob(ctx, id)
		if errors.Is(err, domain.ErrNotFound) {
			opts, _ := json.Marshal(fi.FileOptions)
			job, err = s.store.CreateImportJob(ctx, store.ImportJob{Kind: fi.Kind.String(), Format: string(fi.Format),
				FileName: filepath.Base(fi.Path), Identity: id, OptionsJSON: string(opts), Actor: actor.Actor(),
				ActorRole: string(actor.Role), ActorAgency: actor.AgencyCode, Status: store.ImportRunning, SizeBytes: size}, s.now())
			if err != nil {
				return job, false, err
			}
			s.audit.Record(ctx, actor.Actor(), "start", "import_job", strconv.FormatInt(job.ID, 10), nil, job)
			return job, false, nil
		}
		if err != nil {
			return job, false, err
		}
	}
	return job, job.Offset > 0 || job.Line > 0, s.store.StartImportJob(ctx, job.ID, s.now())
}

// openReader opens path at pos with the reader its format needs.
func openReader(path string, o FileOptions, idx *agencyIndex, pos parse.Position) (parse.Reader, io.Closer, error) {
	popt := parse.Options{Agencies: idx.lookup, Kind: o.Kind, Mapping: o.Mapping, Source: o.Source, Sheet: o.Sheet, Start: pos}
	if o.Format == parse.FormatXLSX {
		r, err := parse.OpenXLSX(path, popt)
		if err != nil {
			return nil, nil, err
		}
		return r, io.NopCloser(nil), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	r, err := parse.NewReader(o.Format, f, popt)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return r, f, nil
}

// batch is a run of parsed rows written in one transaction, and where the
// file stands after its last row.
type batch struct {
	items []parse.Item
	next  parse.Position
}

// hookInterval is how often a long file import lets clocks and roll-ups
// catch up with the rows it has committed.
const hookInterval = 30 * time.Second

// batches reads r on its own goroutine (parsing overlaps writing) and
// yields batches of up to size rows. A complaint seen twice in one batch
// starts a new batch, so a batch never holds two versions of one record.
func batches(ctx context.Context, r parse.Reader, size int) (<-chan batch, <-chan error) {
	out := make(chan batch, 1)
	errc := make(chan error, 1)
	go func() {
		defer close(out)
		cur := batch{items: make([]parse.Item, 0, size)}
		keys := map[store.ComplaintKey]bool{}
		send := func() bool {
			if len(cur.items) == 0 {
				return true
			}
			select {
			case out <- cur:
			case <-ctx.Done():
				return false
			}
			cur = batch{items: make([]parse.Item, 0, size)}
			clear(keys)
			return true
		}
		for {
			it, err := r.Next()
			if errors.Is(err, io.EOF) {
				send()
				errc <- nil
				return
			}
			if err != nil {
				errc <- err
				return
			}
			if it.Complaint != nil {
				k := store.ComplaintKey{Source: it.Complaint.Complaint.Source, TrackingID: it.Complaint.Complaint.TrackingID}
				if keys[k] && !send() {
					errc <- ctx.Err()
					return
				}
				keys[k] = true
			}
			cur.items = append(cur.items, it)
			cur.next = it.Next
			if len(cur.items) >= size && !send() {
				errc <- ctx.Err()
				return
			}
		}
	}()
	return out, errc
}

// runJob reads the job's file from its committed position and writes it
// batch by batch, each batch committing its rows, rejections, counts and
// the new position together.
func (s *Service) runJob(ctx context.Context, sc scope, idx *agencyIndex, job store.ImportJob, path string, o FileOptions, reportPath string, progress func(Progress) error) (Report, error) {
	rep := Report{JobID: job.ID, Counts: job.Counts}
	fail := func(err error) (Report, error) {
		msg := err.Error()
		if errors.Is(err, ErrStopped) || errors.Is(err, context.Canceled) {
			msg = "stopped: " + msg
		}
		if ferr := s.store.FinishImportJob(context.WithoutCancel(ctx), job.ID, store.ImportFailed, msg, "", s.now()); ferr != nil {
			s.log.ErrorContext(ctx, "import job failure not recorded", "job", job.ID, "err", ferr)
		}
		return rep, fmt.Errorf("import job %d: %w", job.ID, err)
	}
	r, closer, err := openReader(path, o, idx, parse.Position{Offset: job.Offset, Line: job.Line})
	if err != nil {
		return fail(err)
	}
	defer closer.Close()
	defer r.Close()
	size := job.SizeBytes
	if o.Format == parse.FormatXLSX {
		size = 0
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in, readErr := batches(rctx, r, s.batchSize)
	w := &batchWriter{idx: idx, scope: sc}
	lastHook := time.Now()
	for b := range in {
		var counts store.ImportCounts
		w.now = s.now()
		commit := func(ctx context.Context, tx *store.Store) error {
			_, c, rejections, err := w.write(ctx, tx, b.items)
			if err != nil {
				return err
			}
			if err := tx.InsertImportRejections(ctx, job.ID, rejections); err != nil {
				return err
			}
			counts = c
			return tx.CheckpointImportJob(ctx, job.ID, c, b.next.Offset, b.next.Line, w.now)
		}
		w.direct = true
		err := s.store.InBulkTx(ctx, commit)
		if errors.Is(err, domain.ErrConflict) {
			// Another writer stored some of these keys since the lookup:
			// the batch rolled back whole. Redo it once without direct:
			// the lookup now sees those complaints, and events go through
			// the conflict-tolerant insert.
			w.direct = false
			err = s.store.InBulkTx(ctx, commit)
		}
		if err != nil {
			cancel()
			return fail(err)
		}
		rep.Counts = rep.Counts.Add(counts)
		// Clocks and roll-ups follow a long import at most every
		// hookInterval rather than after each batch: the dirty marks are
		// durable, so nothing is lost, and refreshing the same periods a
		// thousand times over is what made big imports slow.
		if now := time.Now(); now.Sub(lastHook) >= hookInterval {
			s.committed(ctx)
			lastHook = now
		}
		if progress != nil {
			if err := progress(Progress{JobID: job.ID, Counts: rep.Counts, Offset: b.next.Offset, Size: size, Line: b.next.Line}); err != nil {
				cancel()
				return fail(fmt.Errorf("%w: %w", ErrStopped, err))
			}
		}
	}
	if err := <-readErr; err != nil {
		return fail(err)
	}
	s.committed(ctx)
	rep.Warnings = r.Warnings()
	if rep.Counts.Rejected > 0 && reportPath != "" {
		if err := s.writeReport(ctx, job.ID, reportPath); err != nil {
			return fail(err)
		}
		rep.ReportPath = reportPath
	}
	if err := s.store.FinishImportJob(ctx, job.ID, store.ImportDone, "", rep.ReportPath, s.now()); err != nil {
		return rep, err
	}
	s.audit.Record(ctx, job.Actor, "finish", "import_job", strconv.FormatInt(job.ID, 10), nil, rep.Counts)
	return rep, nil
}

// errRollback ends a dry run's transaction without committing.
var errRollback = errors.New("dry run: roll back")

// dryRun runs every batch in a transaction that is rolled back, so the
// counts say what an import would do (batches do not see each other).
func (s *Service) dryRun(ctx context.Context, sc scope, idx *agencyIndex, fi FileImport, size int64) (Report, error) {
	rep := Report{DryRun: true}
	r, closer, err := openReader(fi.Path, fi.FileOptions, idx, parse.Position{})
	if err != nil {
		return rep, err
	}
	defer closer.Close()
	defer r.Close()
	rw := &rejectionWriter{path: fi.ReportPath}
	defer rw.close()
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in, readErr := batches(rctx, r, s.batchSize)
	w := &batchWriter{idx: idx, scope: sc}
	for b := range in {
		w.now = s.now()
		var counts store.ImportCounts
		var rejections []domain.FieldError
		err := s.store.InBulkTx(ctx, func(ctx context.Context, tx *store.Store) error {
			_, c, rj, err := w.write(ctx, tx, b.items)
			if err != nil {
				return err
			}
			counts, rejections = c, rj
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			return rep, err
		}
		rep.Counts = rep.Counts.Add(counts)
		if err := rw.write(rejections); err != nil {
			return rep, err
		}
		if fi.Progress != nil {
			if err := fi.Progress(Progress{Counts: rep.Counts, Offset: b.next.Offset, Size: size, Line: b.next.Line}); err != nil {
				return rep, fmt.Errorf("%w: %w", ErrStopped, err)
			}
		}
	}
	if err := <-readErr; err != nil {
		return rep, err
	}
	rep.Warnings = r.Warnings()
	if rw.f != nil {
		rep.ReportPath = fi.ReportPath
	}
	return rep, rw.close()
}

// rejectionsHeader is the rejected-rows CSV: where, which field, why.
var rejectionsHeader = []string{"line", "record", "field", "reason"}

// rejectionWriter writes rejected rows as CSV, creating the file on the
// first one.
type rejectionWriter struct {
	path string
	f    *os.File
	w    *csv.Writer
}

func (rw *rejectionWriter) write(errs []domain.FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	if rw.f == nil {
		f, err := os.Create(rw.path)
		if err != nil {
			return fmt.Errorf("rejection report: %w", err)
		}
		rw.f, rw.w = f, csv.NewWriter(f)
		if err := rw.w.Write(rejectionsHeader); err != nil {
			return err
		}
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
	for _, e := range errs {
		if err := rw.w.Write([]string{strconv.Itoa(e.Line), e.Record, e.Field, e.Reason}); err != nil {
			return err
		}
	}
	return nil
}

func (rw *rejectionWriter) close() error {
	if rw.f == nil {
		return nil
	}
	rw.w.Flush()
	err := errors.Join(rw.w.Error(), rw.f.Close())
	rw.f = nil
	return err
}

// WriteRejectionsCSV writes a job's rejected rows as CSV to w.
func (s *Service) writeRejections(ctx context.Context, jobID int64, w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(rejectionsHeader); err != nil {
		return err
	}
	err := s.store.EachImportRejection(ctx, jobID, func(e domain.FieldError) error {
		return cw.Write([]string{strconv.Itoa(e.Line), e.Record, e.Field, e.Reason})
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// writeReport writes the job's whole rejection list (earlier runs of a
// resumed job included) to path.
func (s *Service) writeReport(ctx context.Context, jobID int64, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("rejection report: %w", err)
	}
	if err := s.writeRejections(ctx, jobID, f); err != nil {
		f.Close()
		return fmt.Errorf("rejection report: %w", err)
	}
	return f.Close()
}
