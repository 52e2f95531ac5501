package commitments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// JobName is the scheduler's name for Snapshot.
const JobName = "commitment-snapshot"

// SnapshotReport counts what Snapshot did.
type SnapshotReport struct {
	Commitments int `json:"commitments"`
	Targets     int `json:"targets"`
	Snapshots   int `json:"snapshots"`
	Events      int `json:"events"`
	Delivered   int `json:"delivered"`
	Retrying    int `json:"retrying"`
	Failed      int `json:"failed"`
}

// Counts is the report as the scheduler's counts.
func (r SnapshotReport) Counts() map[string]int64 {
	return map[string]int64{"commitments": int64(r.Commitments), "targets": int64(r.Targets), "snapshots": int64(r.Snapshots),
		"events": int64(r.Events), "delivered": int64(r.Delivered), "retrying": int64(r.Retrying), "failed": int64(r.Failed)}
}

// Snapshot measures every target of every commitment in force on now's date
// and stores the value and status per party and for the target as a whole
// (party ""). A status different from the previous snapshot's is recorded
// as an event and queued for the subscribed webhooks, which are then
// delivered (with the retries that are due). Running it twice on a day
// replaces that day's snapshots and sends nothing twice.
func (s *Service) Snapshot(ctx context.Context, now time.Time) (SnapshotReport, error) {
	var rep SnapshotReport
	all, err := s.store.ListCommitments(ctx, store.CommitmentFilter{IncludeWithdrawn: true})
	if err != nil {
		return rep, err
	}
	var errs []error
	for _, versions := range all {
		if len(versions) == 0 {
			continue
		}
		slug := versions[0].ID
		history, err := s.store.CommitmentSnapshots(ctx, slug, "")
		if err != nil {
			return rep, err
		}
		p, err := s.progress(ctx, versions, history, now)
		if err != nil {
			// One commitment's failing source must not stop the others' snapshots.
			errs = append(errs, err)
			s.log.ErrorContext(ctx, "commitment snapshot failed", "commitment", slug, "err", err)
			continue
		}
		if p.Withdrawn || p.NotYet {
			continue
		}
		rep.Commitments++
		for _, tp := range p.Targets {
			rep.Targets++
			rows := []store.CommitmentSnapshot{s.targetSnapshot(p, tp, now)}
			if tp.Target.Scope != domain.ScopeSingle {
				for _, pp := range tp.Parties {
					rows = append(rows, s.partySnapshot(p, tp, pp, now))
				}
			}
			for _, sn := range rows {
				n, err := s.record(ctx, p.Commitment, sn, now)
				if err != nil {
					return rep, err
				}
				rep.Snapshots++
				rep.Events += n
			}
		}
	}
	d, err := s.DeliverPending(ctx, now)
	rep.Delivered, rep.Retrying, rep.Failed = d.Delivered, d.Retrying, d.Failed
	if err != nil {
		errs = append(errs, err)
	}
	return rep, errors.Join(errs...)
}

func rawJSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return nil
	}
	return b
}

func (s *Service) targetSnapshot(p Progress, tp TargetProgress, now time.Time) store.CommitmentSnapshot {
	sn := store.CommitmentSnapshot{Commitment: p.Commitment.ID, Target: tp.Target.ID, On: p.AsOf, Version: p.Commitment.Version,
		Value: tp.Evaluation.Current, Status: tp.Status, Reason: tp.Evaluation.Reason, TakenAt: now.UTC()}
	if tp.Target.Scope == domain.ScopeSingle && len(tp.Parties) == 1 {
		// A single party's target is that party's: party subscriptions get its alerts.
		sn.Party, sn.N = tp.Parties[0].Agency, tp.Parties[0].N
	}
	if tp.Budget != nil {
		sn.Budget = rawJSON(tp.Budget)
	}
	if tp.Projection != nil {
		sn.Projection = rawJSON(tp.Projection)
	}
	return sn
}

func (s *Service) partySnapshot(p Progress, tp TargetProgress, pp PartyProgress, now time.Time) store.CommitmentSnapshot {
	sn := store.CommitmentSnapshot{Commitment: p.Commitment.ID, Target: tp.Target.ID, Party: pp.Agency, On: p.AsOf,
		Version: p.Commitment.Version, Value: pp.Value, N: pp.N, Status: pp.Evaluation.Status, Reason: pp.Evaluation.Reason, TakenAt: now.UTC()}
	if pp.Budget != nil {
		sn.Budget = rawJSON(pp.Budget)
	}
	if pp.Projection != nil {
		sn.Projection = rawJSON(pp.Projection)
	}
	return sn
}

// record stores a snapshot and, when its status differs from the previous
// snapshot's, the event with its queued deliveries; it returns the events made.
func (s *Service) record(ctx context.Context, c domain.CommitmentVersion, sn store.CommitmentSnapshot, now time.Time) (int, error) {
	made := 0
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		prev, err := tx.PutCommitmentSnapshot(ctx, sn)
		if err != nil {
			return err
		}
		if prev == "" || prev == sn.Status {
			return nil
		}
		ev, created, err := tx.InsertCommitmentEvent(ctx, store.CommitmentEvent{Commitment: c.ID, Target: sn.Target, Party: sn.Party,
			On: sn.On, From: prev, To: sn.Status, Value: sn.Value, Reason: sn.Reason, CreatedAt: now})
		if err != nil || !created {
			return err
		}
		made++
		hooks, err := tx.CommitmentWebhooksFor(ctx, c.ID, sn.Party)
		if err != nil {
			return err
		}
		for _, h := range hooks {
			if _, err := tx.QueueCommitmentDelivery(ctx, store.CommitmentDelivery{EventID: ev.ID, WebhookID: h.ID, Attempt: 1, DueAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("snapshot %s/%s/%s: %w", sn.Commitment, sn.Target, sn.Party, err)
	}
	return made, nil
}

// Series returns a commitment's stored snapshots (target "" for all), oldest first.
func (s *Service) Series(ctx context.Context, slug, target string) ([]store.CommitmentSnapshot, error) {
	return s.store.CommitmentSnapshots(ctx, slug, target)
}

// Events returns a commitment's status changes, newest first.
func (s *Service) Events(ctx context.Context, slug string, limit int) ([]store.CommitmentEvent, error) {
	return s.store.CommitmentEvents(ctx, slug, limit)
}
