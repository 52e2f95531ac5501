// Package audit records who changed what, when, with the state before and
// after, for every admin or agency write.
package audit

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/tanggap-id/tanggap/internal/requestid"
	"github.com/tanggap-id/tanggap/internal/store"
)

// Recorder writes audit entries through the store.
type Recorder struct {
	store *store.Store
	log   *slog.Logger
	now   func() time.Time
}

// NewRecorder builds a recorder.
func NewRecorder(st *store.Store, log *slog.Logger, now func() time.Time) *Recorder {
	if now == nil {
		now = time.Now
	}
	return &Recorder{store: st, log: log, now: now}
}

// WithStore returns a recorder writing through st (e.g. a transaction), so
// the audit row commits or rolls back with the change it describes.
func (r *Recorder) WithStore(st *store.Store) *Recorder {
	return &Recorder{store: st, log: r.log, now: r.now}
}

// Record appends one entry. before/after are marshalled as JSON; nil means
// "did not exist". A failure is logged, not returned: the change itself has
// already been validated and the log line keeps the trail.
func (r *Recorder) Record(ctx context.Context, actor, action, entity, key string, before, after any) {
	e := store.AuditEntry{At: r.now().UTC(), Actor: actor, Action: action, Entity: entity, EntityKey: key,
		Before: marshal(before), After: marshal(after), RequestID: requestid.From(ctx)}
	if err := r.store.InsertAudit(ctx, e); err != nil {
		r.log.ErrorContext(ctx, "audit write failed", "entity", entity, "key", key, "action", action, "err", err)
	}
}

// RecordTx is Record that returns the error, for writes inside a transaction
// that must not commit without their audit row.
func (r *Recorder) RecordTx(ctx context.Context, actor, action, entity, key string, before, after any) error {
	e := store.AuditEntry{At: r.now().UTC(), Actor: actor, Action: action, Entity: entity, EntityKey: key,
		Before: marshal(before), After: marshal(after), RequestID: requestid.From(ctx)}
	return r.store.InsertAudit(ctx, e)
}

func marshal(v any) *string {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	s := string(b)
	return &s
}
