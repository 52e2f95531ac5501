package metrics

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tanggap-id/tanggap/internal/stats"
	"github.com/tanggap-id/tanggap/internal/store"
)

// maxLoggedDifferences bounds the log lines of one check; the count is exact.
const maxLoggedDifferences = 20

// errCheckDone rolls back the check's transaction: the rebuild it did was
// only for comparison.
var errCheckDone = errors.New("metrics: roll-up check done")

// CheckResult says what a consistency check found.
type CheckResult struct {
	Rows        int   `json:"rows"`        // stored roll-up rows compared
	Currents    int   `json:"currents"`    // stored current-count rows compared
	Differences int   `json:"differences"` // rows missing, extra or different
	DurationMS  int64 `json:"duration_ms"`
}

// Check verifies that the incrementally kept roll-ups equal a full rebuild
// (the nightly rollup-check job). It first refreshes the pending dirty pairs
// (so a pair waiting for the next refresh is not reported), then, in one
// transaction holding the roll-up lock, notes a digest of every stored row,
// rebuilds every row from the clocks and events, compares, and rolls the
// rebuild back: the stored rows are left as they were whatever it finds.
// Each missing, extra or different row (roll-up or current count) is one
// difference, logged (up to a bound) with what differs.
func (s *Service) Check(ctx context.Context) (differences int, err error) {
	rep, err := s.CheckRollups(ctx)
	return rep.Differences, err
}

// CheckRollups is Check with the sizes compared.
func (s *Service) CheckRollups(ctx context.Context) (CheckResult, error) {
	t0 := time.Now()
	var rep CheckResult
	if _, err := s.Refresh(ctx); err != nil {
		return rep, err
	}
	err := s.store.InBulkTx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := tx.LockRollups(ctx); err != nil {
			return err
		}
		stored, err := rowDigests(ctx, tx)
		if err != nil {
			return err
		}
		cur, err := currentDigests(ctx, tx)
		if err != nil {
			return err
		}
		rep.Rows, rep.Currents = len(stored), len(cur)
		if err := tx.DeleteRollups(ctx, store.RollupFilter{}); err != nil {
			return err
		}
		if _, err := s.refresh(ctx, tx, nil, true, stats.Rolling90(s.today()), true); err != nil {
			return err
		}
		rebuilt, err := rowDigests(ctx, tx)
		if err != nil {
			return err
		}
		rebuiltCur, err := currentDigests(ctx, tx)
		if err != nil {
			return err
		}
		rep.Differences = s.compare(ctx, "roll-up", stored, rebuilt) + s.compare(ctx, "current count", cur, rebuiltCur)
		return errCheckDone
	})
	rep.DurationMS = time.Since(t0).Milliseconds()
	if !errors.Is(err, errCheckDone) {
		return rep, err
	}
	lvl := s.log.InfoContext
	if rep.Differences > 0 {
		lvl = s.log.ErrorContext
	}
	lvl(ctx, "roll-up check", "rows", rep.Rows, "currents", rep.Currents, "differences", rep.Differences, "ms", rep.DurationMS)
	return rep, nil
}

type digestKey struct {
	agency     int64
	scope, key string
}

// rowDigests is every stored roll-up row as text, refresh time left out.
func rowDigests(ctx context.Context, st *store.Store) (map[digestKey]string, error) {
	rows, err := st.Rollups(ctx, store.RollupFilter{})
	if err != nil {
		return nil, err
	}
	out := make(map[digestKey]string, len(rows))
	for _, r := range rows {
		out[digestKey{r.AgencyID, r.Scope, r.PeriodKey}] = fmt.Sprintf("%s %s..%s %+v fr=%s cp=%s", r.PeriodKind, r.PeriodStart, r.PeriodEnd,
			r.Counts, r.FirstResponseDays.String(), r.CompletionDays.String())
	}
	return out, nil
}

func currentDigests(ctx context.Context, st *store.Store) (map[digestKey]string, error) {
	out := map[digestKey]string{}
	for _, scope := range []string{store.RollupOwn, store.RollupSubtree} {
		rows, err := st.RollupCurrents(ctx, scope, nil, nil)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.Open == 0 && r.Overdue == 0 && r.AtRisk == 0 {
				continue // an all-zero row and no row say the same
			}
			out[digestKey{r.AgencyID, scope, "current"}] = fmt.Sprintf("open=%d overdue=%d at_risk=%d", r.Open, r.Overdue, r.AtRisk)
		}
	}
	return out, nil
}

// compare counts and logs the differences between stored and rebuilt rows.
func (s *Service) compare(ctx context.Context, what string, stored, rebuilt map[digestKey]string) int {
	n := 0
	report := func(k digestKey, have, want string) {
		n++
		if n <= maxLoggedDifferences {
			s.log.WarnContext(ctx, "roll-up check: "+what+" differs from a rebuild", "agency_id", k.agency, "scope", k.scope, "period", k.key,
				"stored", have, "rebuilt", want)
		}
	}
	for k, have := range stored {
		if want, ok := rebuilt[k]; !ok {
			report(k, have, "(no row)")
		} else if want != have {
			report(k, have, want)
		}
	}
	for k, want := range rebuilt {
		if _, ok := stored[k]; !ok {
			report(k, "(no row)", want)
		}
	}
	return n
}
