package demo

import (
	"context"
	"fmt"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// computeClocks seeds the holiday calendar and the national SLA policy,
// then computes the clocks of every demo complaint not computed yet (ingest
// already computes the dirty ones after each batch), so a second run
// changes nothing.
func computeClocks(ctx context.Context, d Deps) (string, error) {
	if d.Clocks == nil {
		return "skipped (no clock service)", nil
	}
	if _, err := d.Clocks.Calendars().EnsureSeeded(ctx); err != nil {
		return "", err
	}
	dirty, err := d.Clocks.RecomputeDirty(ctx)
	if err != nil {
		return "", err
	}
	missing, err := d.Clocks.RecomputeMissing(ctx)
	if err != nil {
		return "", err
	}
	counts, err := d.Clocks.ClockCounts(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d complaints left to compute after ingest, %d failed; clocks: %d met, %d breached, %d open, %d at risk, %d overdue",
		dirty.Complaints+missing.Complaints, dirty.Failed+missing.Failed, counts[domain.VerdictMet], counts[domain.VerdictBreached],
		counts[domain.VerdictOpen], counts[domain.VerdictAtRisk], counts[domain.VerdictOverdue]), nil
}
