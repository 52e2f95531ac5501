// Package retention removes personal data Tanggap no longer needs: the
// reporter's name and contact of complaints closed longer than the
// configured age. The complaint's public fields, its events, clocks and
// every roll-up stay as they were, so the public record and all statistics
// are unchanged.
package retention

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// DefaultAge is how long a closed complaint keeps its reporter identity.
const DefaultAge = 730 * 24 * time.Hour

// batchSize bounds one transaction's work.
const batchSize = 1000

// Actor names the retention job in the audit log.
const Actor = "system:retention"

// Report says what one pass did. It carries counts only, never identities.
type Report struct {
	ClosedBefore time.Time `json:"closed_before"`
	Anonymised   int64     `json:"anonymised"`
	Batches      int       `json:"batches"`
}

// Service anonymises old closed complaints.
type Service struct {
	st  *store.Store
	rec *audit.Recorder
	log *slog.Logger
	age time.Duration
}

// NewService builds the service; age is how long after closing reporter data
// is kept.
func NewService(st *store.Store, rec *audit.Recorder, log *slog.Logger, age time.Duration) *Service {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Service{st: st, rec: rec, log: log, age: age}
}

// Age is the configured retention age.
func (s *Service) Age() time.Duration { return s.age }

// Anonymise removes the reporter identity of every complaint closed (its
// last completed, rejected or closed event, not reopened since) before
// now minus the age. Each batch commits with its audit row, so an
// interrupted pass keeps what it did and the next one continues.
func (s *Service) Anonymise(ctx context.Context, now time.Time) (Report, error) {
	if s.age <= 0 {
		return Report{}, fmt.Errorf("retention age must be positive: %w", domain.ErrInvalid)
	}
	rep := Report{ClosedBefore: now.Add(-s.age).UTC()}
	var after int64
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		var ids []int64
		err := s.st.InTx(ctx, func(tx *store.Store) error {
			var err error
			ids, err = tx.AnonymiseClosedReporters(ctx, rep.ClosedBefore, after, batchSize, now)
			if err != nil || len(ids) == 0 {
				return err
			}
			// counts and the id range only: the audit trail must not hold
			// what was removed
			return s.rec.WithStore(tx).RecordTx(ctx, Actor, "retention.anonymise", "complaint_reporters",
				fmt.Sprintf("%d-%d", ids[0], ids[len(ids)-1]), nil,
				map[string]any{"complaints": len(ids), "closed_before": rep.ClosedBefore})
		})
		if err != nil {
			return rep, fmt.Errorf("retention: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		rep.Anonymised += int64(len(ids))
		rep.Batches++
		after = ids[len(ids)-1]
		if len(ids) < batchSize {
			break
		}
	}
	s.log.Info("retention pass", "closed_before", rep.ClosedBefore, "anonymised", rep.Anonymised)
	return rep, nil
}
