package store

import (
	"context"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// closingKinds end a complaint's life (the clock engine stops on the same
// kinds); a later "reopened" brings it back.
var closingKinds = []domain.EventKind{domain.EventCompleted, domain.EventRejected, domain.EventClosed}

// AnonymiseClosedReporters removes the reporter identity (name and contact)
// of up to limit complaints that have been closed since before closedBefore
// and were not reopened since, recording each in complaint_anonymisations.
// The complaint, its events, clocks and roll-ups are not touched: statistics
// and the public record stay as they were. It returns the complaint ids
// done, in id order, after the id given (keyset paging).
func (s *Store) AnonymiseClosedReporters(ctx context.Context, closedBefore time.Time, after int64, limit int, now time.Time) ([]int64, error) {
	n := s.placeholder
	kinds := make([]string, len(closingKinds))
	args := make([]any, 0, len(closingKinds)+4)
	for i, k := range closingKinds {
		kinds[i] = n(i + 1)
		args = append(args, string(k))
	}
	p := len(args)
	// the newest closing event per complaint, through the (complaint_id, at)
	// index; a reopen at or after it means the complaint is open again
	q := `SELECT r.complaint_id FROM complaint_reporters r
		JOIN (SELECT e.complaint_id, MAX(e.at) AS closed_at FROM complaint_events e
		      WHERE e.kind IN (` + strings.Join(kinds, ",") + `) AND e.complaint_id IS NOT NULL GROUP BY e.complaint_id) c
		  ON c.complaint_id = r.complaint_id
		WHERE c.closed_at < ` + n(p+1) + ` AND r.complaint_id > ` + n(p+2) + `
		  AND NOT EXISTS (SELECT 1 FROM complaint_events o WHERE o.complaint_id = r.complaint_id
		                  AND o.kind = ` + n(p+3) + ` AND o.at >= c.closed_at)
		ORDER BY r.complaint_id LIMIT ` + n(p+4)
	args = append(args, utcMicro(closedBefore), after, string(domain.EventReopened), limit)
	var ids []int64
	err := s.InTx(ctx, func(tx *Store) error {
		rs, err := tx.pool().QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var id int64
			if err := rs.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if err := rs.Err(); err != nil {
			return err
		}
		rs.Close()
		if len(ids) == 0 {
			return nil
		}
		in, inArgs := tx.int64List("complaint_id", ids, 1)
		if _, err := tx.pool().ExecContext(ctx, `DELETE FROM complaint_reporters WHERE `+in, inArgs...); err != nil {
			return err
		}
		rows := make([][]any, len(ids))
		at := utcMicro(now)
		for i, id := range ids {
			rows[i] = []any{id, at}
		}
		return tx.bulkInsert(ctx, anonymisationInsert, rows, nil)
	})
	if err != nil {
		return nil, s.wrapRaw("anonymise reporters", err)
	}
	return ids, nil
}

var anonymisationInsert = bulkInsert{
	table:  "complaint_anonymisations",
	cols:   []string{"complaint_id", "anonymised_at"},
	suffix: " ON CONFLICT (complaint_id) DO NOTHING",
}

// AnonymisedComplaints counts the complaints whose reporter retention removed.
func (s *Store) AnonymisedComplaints(ctx context.Context) (int64, error) {
	var n int64
	err := s.conn(ctx).Table("complaint_anonymisations").Count(&n).Error
	return n, wrap("count anonymised complaints", err)
}

// IsAnonymised reports whether retention removed the complaint's reporter,
// so a re-import can leave it removed.
func (s *Store) IsAnonymised(ctx context.Context, complaintID int64) (bool, error) {
	var n int64
	err := s.conn(ctx).Table("complaint_anonymisations").Where("complaint_id = ?", complaintID).Count(&n).Error
	return n > 0, wrap("is anonymised", err)
}
