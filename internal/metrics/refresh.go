package metrics

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/stats"
	"github.com/tanggap-id/tanggap/internal/store"
)

const (
	// dirtyBatch is how many dirty (agency, month) pairs one refresh
	// transaction takes.
	dirtyBatch = 20000
	// agencyBatch is how many agencies one facts query covers.
	agencyBatch = 500
	// rollingStateKey holds the last date of the stored rolling window.
	rollingStateKey = "rolling90_end"
)

// jakarta is the zone of the national date that ends the rolling window.
var jakarta = func() *time.Location {
	l, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		return time.FixedZone("WIB", 7*3600)
	}
	return l
}()

// Service refreshes and serves the roll-ups.
type Service struct {
	store *store.Store
	log   *slog.Logger
	now   func() time.Time
	minN  int
}

// NewService builds the metrics service; minN <= 0 means stats.DefaultMinN.
func NewService(st *store.Store, log *slog.Logger, now func() time.Time, minN int) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if minN <= 0 {
		minN = stats.DefaultMinN
	}
	return &Service{store: st, log: log, now: now, minN: minN}
}

// MinN is the smallest n for which a figure is shown.
func (s *Service) MinN() int { return s.minN }

// MarkComplaints is the clock engine's hook: it runs inside the transaction
// that replaces the complaints' clocks, once before and once after, so the
// months both the old and the new clocks touch are marked dirty.
func (s *Service) MarkComplaints(ctx context.Context, tx *store.Store, complaintIDs []int64) error {
	return tx.MarkRollupsForComplaints(ctx, complaintIDs, s.now())
}

// AfterChange refreshes after an ingest batch, recompute or sweep. A failure
// is logged: the marks stay for the next pass.
func (s *Service) AfterChange(ctx context.Context) {
	if _, err := s.Refresh(ctx); err != nil {
		s.log.ErrorContext(ctx, "roll-up refresh failed; dirty pairs stay marked", "err", err)
	}
}

// Report says what a refresh or rebuild did.
type Report struct {
	Pairs      int   `json:"pairs"`    // dirty (agency, month) pairs consumed
	Agencies   int   `json:"agencies"` // agencies whose own rows were recomputed
	Rows       int   `json:"rows"`     // rows written (own and subtree)
	Rolling    bool  `json:"rolling"`  // the rolling window moved and was rebuilt
	DurationMS int64 `json:"duration_ms"`
}

// tree is the agency hierarchy, loaded once per refresh.
type tree struct {
	byID     map[int64]store.RollupAgency
	children map[int64][]int64
	maxDepth int
}

func loadTree(ctx context.Context, st *store.Store) (*tree, error) {
	list, err := st.RollupAgencies(ctx)
	if err != nil {
		return nil, err
	}
	t := &tree{byID: make(map[int64]store.RollupAgency, len(list)), children: map[int64][]int64{}}
	for _, a := range list {
		t.byID[a.ID] = a
		if a.ParentID != 0 {
			t.children[a.ParentID] = append(t.children[a.ParentID], a.ID)
		}
		t.maxDepth = max(t.maxDepth, a.Depth)
	}
	return t, nil
}

func (t *tree) zone(id int64) *time.Location {
	if l, err := time.LoadLocation(t.byID[id].TimeZone); err == nil {
		return l
	}
	return jakarta
}

func (t *tree) ids() []int64 {
	out := make([]int64, 0, len(t.byID))
	for id := range t.byID {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// today is the national (Jakarta) date of now.
func (s *Service) today() time.Time { return s.now().In(jakarta) }

// Refresh brings the roll-ups up to date incrementally: it recomputes the
// own rows of the dirty (agency, month) pairs (month, its quarter and year,
// and the rolling row when the month meets the window), then the subtree
// rows of those agencies and all their ancestors, bottom-up; and the whole
// rolling window when the national date has changed since the last refresh.
func (s *Service) Refresh(ctx context.Context) (Report, error) {
	t0 := time.Now()
	var total Report
	for {
		var rep Report
		var more bool
		err := s.store.InBulkTx(ctx, func(ctx context.Context, tx *store.Store) error {
			if err := tx.LockRollups(ctx); err != nil {
				return err
			}
			dirty, err := tx.DirtyRollupMonths(ctx, dirtyBatch)
			if err != nil {
				return err
			}
			window := stats.Rolling90(s.today())
			end, err := tx.RollupState(ctx, rollingStateKey)
			if err != nil {
				return err
			}
			moved := end != window.End.Format(time.DateOnly)
			if len(dirty) == 0 && !moved {
				return nil
			}
			rep, err = s.refresh(ctx, tx, dirty, false, window, moved)
			if err != nil {
				return err
			}
			more = len(dirty) == dirtyBatch
			return tx.ClearRollupMonths(ctx, dirty)
		})
		if err != nil {
			return total, err
		}
		total.Pairs += rep.Pairs
		total.Agencies += rep.Agencies
		total.Rows += rep.Rows
		total.Rolling = total.Rolling || rep.Rolling
		if !more {
			break
		}
	}
	total.DurationMS = time.Since(t0).Milliseconds()
	if total.Pairs > 0 || total.Rolling {
		s.log.InfoContext(ctx, "roll-ups refreshed", "pairs", total.Pairs, "agencies", total.Agencies, "rows", total.Rows,
			"rolling", total.Rolling, "ms", total.DurationMS)
	}
	return total, nil
}

// Rebuild recomputes every roll-up row from the clocks and events, as the
// nightly job does; it must give exactly the rows the incremental refresh
// keeps.
func (s *Service) Rebuild(ctx context.Context) (Report, error) {
	t0 := time.Now()
	var rep Report
	err := s.store.InBulkTx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := tx.LockRollups(ctx); err != nil {
			return err
		}
		start := s.now()
		if err := tx.DeleteRollups(ctx, store.RollupFilter{}); err != nil {
			return err
		}
		if err := tx.ClearAllRollupMonths(ctx, start); err != nil {
			return err
		}
		var err error
		rep, err = s.refresh(ctx, tx, nil, true, stats.Rolling90(s.today()), true)
		return err
	})
	rep.DurationMS = time.Since(t0).Milliseconds()
	if err == nil {
		s.log.InfoContext(ctx, "roll-ups rebuilt", "agencies", rep.Agencies, "rows", rep.Rows, "ms", rep.DurationMS)
	}
	return rep, err
}

// refresh does the work of one transaction: the dirty pairs, or everything
// when all (the caller has deleted every row).
func (s *Service) refresh(ctx context.Context, tx *store.Store, dirty []store.RollupMonth, all bool, window stats.Period, moved bool) (Report, error) {
	rep := Report{Pairs: len(dirty), Rolling: moved}
	tr, err := loadTree(ctx, tx)
	if err != nil {
		return rep, err
	}
	months := map[int64]map[string]bool{} // own month keys to recompute
	for _, d := range dirty {
		if _, ok := tr.byID[d.AgencyID]; !ok {
			continue
		}
		if months[d.AgencyID] == nil {
			months[d.AgencyID] = map[string]bool{}
		}
		months[d.AgencyID][d.Month] = true
	}
	rolling := map[int64]bool{}
	for id, ms := range months {
		for m := range ms {
			if p, ok := periodOfKey(m); ok && !p.End.Before(window.Start) && !p.Start.After(window.End) {
				rolling[id] = true
			}
		}
	}
	var agencies []int64
	if all || moved {
		agencies = tr.ids()
	} else {
		for id := range months {
			agencies = append(agencies, id)
		}
		slices.Sort(agencies)
	}
	if moved && !all {
		if err := tx.DeleteRollups(ctx, store.RollupFilter{Keys: []string{RollingKey}}); err != nil {
			return rep, err
		}
	}
	// targets: the keys of each agency whose subtree rows must be rebuilt.
	targets := map[int64]map[string]bool{}
	now := s.now()
	for _, batch := range chunks(agencies, agencyBatch) {
		var work []int64 // agencies of the batch with something to recompute
		for _, id := range batch {
			if all || moved || len(months[id]) > 0 {
				work = append(work, id)
			}
		}
		n, err := s.refreshOwn(ctx, tx, tr, work, months, rolling, all, moved, window, now, targets)
		if err != nil {
			return rep, err
		}
		rep.Rows += n
	}
	rep.Agencies = len(agencies)
	n, err := s.refreshSubtree(ctx, tx, tr, targets, all, now)
	if err != nil {
		return rep, err
	}
	rep.Rows += n
	if err := s.refreshCurrent(ctx, tx, tr, months, all, now); err != nil {
		return rep, err
	}
	if moved {
		if err := tx.SetRollupState(ctx, rollingStateKey, window.End.Format(time.DateOnly), now); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// refreshOwn recomputes the own rows of a batch of agencies: the month rows
// of their dirty months (all months when all), their rolling rows when
// asked, then the quarter and year rows holding those months from the
// stored month rows. It records the keys it touched in targets.
func (s *Service) refreshOwn(ctx context.Context, tx *store.Store, tr *tree, batch []int64, months map[int64]map[string]bool,
	rolling map[int64]bool, all, moved bool, window stats.Period, now time.Time, targets map[int64]map[string]bool) (int, error) {
	if len(batch) == 0 {
		return 0, nil
	}
	inBatch := make(map[int64]bool, len(batch))
	for _, id := range batch {
		inBatch[id] = true
	}
	var from, to time.Time
	if !all {
		// The union of the batch's months (and the window when its rolling
		// rows are rebuilt), padded a day for the zones; buckets are then
		// chosen by local date.
		lo, hi := time.Time{}, time.Time{}
		widen := func(p stats.Period) {
			if lo.IsZero() || p.Start.Before(lo) {
				lo = p.Start
			}
			if hi.IsZero() || p.End.After(hi) {
				hi = p.End
			}
		}
		for _, id := range batch {
			for m := range months[id] {
				if p, ok := periodOfKey(m); ok {
					widen(p)
				}
			}
			if moved || rolling[id] {
				widen(window)
			}
		}
		if lo.IsZero() {
			return 0, nil
		}
		from, to = lo.AddDate(0, 0, -1), hi.AddDate(0, 0, 2)
	}
	facts, err := tx.RollupFactsFor(ctx, batch, from, to)
	if err != nil {
		return 0, err
	}
	acc := newAccumulator(tr.zone,
		func(id int64, m string) bool { return inBatch[id] && (all || months[id][m]) },
		func(id int64) bool { return inBatch[id] && (all || moved || rolling[id]) }, window)
	acc.addFacts(facts)

	// Replace the month and rolling rows.
	var del []bucketKey
	touched := map[int64]map[string]bool{}
	touch := func(id int64, k string) {
		if touched[id] == nil {
			touched[id] = map[string]bool{}
		}
		touched[id][k] = true
	}
	var rows []store.Rollup
	for k, b := range acc.buckets {
		rows = append(rows, s.row(k.agency, store.RollupOwn, k.key, b, window, now))
	}
	if !all {
		for _, id := range batch {
			for m := range months[id] {
				touch(id, m)
			}
			if moved || rolling[id] {
				touch(id, RollingKey)
			}
		}
		for id, ks := range touched {
			for k := range ks {
				del = append(del, bucketKey{id, k})
			}
		}
		if err := s.deletePairs(ctx, tx, store.RollupOwn, del); err != nil {
			return 0, err
		}
	}
	for _, r := range rows {
		touch(r.AgencyID, r.PeriodKey)
	}
	written, err := insertNonEmpty(ctx, tx, rows)
	if err != nil {
		return 0, err
	}

	// Quarters and years from the stored month rows.
	years := map[string]bool{}
	coarse := map[int64]map[string]bool{}
	for id, ks := range touched {
		for k := range ks {
			for _, c := range coarserKeys(k) {
				if coarse[id] == nil {
					coarse[id] = map[string]bool{}
				}
				coarse[id][c] = true
				if len(c) == 4 {
					years[c] = true
				}
			}
		}
	}
	for y := range years {
		var ids []int64
		for id, cs := range coarse {
			if cs[y] {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		stored, err := tx.Rollups(ctx, store.RollupFilter{Scope: store.RollupOwn, AgencyIDs: ids, KeyPrefix: y + "-"})
		if err != nil {
			return 0, err
		}
		merged := map[bucketKey]*bucket{}
		for _, r := range stored {
			p, ok := periodOfKey(r.PeriodKey)
			if !ok || p.Kind != stats.PeriodMonth {
				continue
			}
			for _, c := range coarserKeys(r.PeriodKey) {
				if coarse[r.AgencyID][c] {
					mergeRow(merged, bucketKey{r.AgencyID, c}, &r)
				}
			}
		}
		var del []bucketKey
		for _, id := range ids {
			for c := range coarse[id] {
				if strings.HasPrefix(c, y) {
					del = append(del, bucketKey{id, c})
					touch(id, c)
				}
			}
		}
		if !all {
			if err := s.deletePairs(ctx, tx, store.RollupOwn, del); err != nil {
				return 0, err
			}
		}
		var out []store.Rollup
		for k, b := range merged {
			out = append(out, s.row(k.agency, store.RollupOwn, k.key, b, window, now))
		}
		n, err := insertNonEmpty(ctx, tx, out)
		if err != nil {
			return 0, err
		}
		written += n
	}
	for id, ks := range touched {
		if targets[id] == nil {
			targets[id] = map[string]bool{}
		}
		for k := range ks {
			targets[id][k] = true
		}
	}
	return written, nil
}

func mergeRow(into map[bucketKey]*bucket, k bucketKey, r *store.Rollup) {
	b := into[k]
	if b == nil {
		b = &bucket{}
		into[k] = b
	}
	b.counts.Add(r.Counts)
	b.fr.Merge(&r.FirstResponseDays)
	b.cp.Merge(&r.CompletionDays)
}

// refreshSubtree rebuilds the subtree rows of the targets and all their
// ancestors, deepest first: each is the own row plus the children's subtree
// rows. all rebuilds every agency and key.
func (s *Service) refreshSubtree(ctx context.Context, tx *store.Store, tr *tree, targets map[int64]map[string]bool, all bool, now time.Time) (int, error) {
	need := map[int64]map[string]bool{}
	if all {
		for id := range tr.byID {
			need[id] = nil // every key
		}
	} else {
		for id, ks := range targets {
			for a := id; a != 0; a = tr.byID[a].ParentID {
				if need[a] == nil {
					need[a] = map[string]bool{}
				}
				for k := range ks {
					need[a][k] = true
				}
				if _, ok := tr.byID[a]; !ok {
					break
				}
			}
		}
	}
	byDepth := make([][]int64, tr.maxDepth+1)
	for id := range need {
		a, ok := tr.byID[id]
		if !ok {
			continue
		}
		byDepth[a.Depth] = append(byDepth[a.Depth], id)
	}
	written := 0
	for d := tr.maxDepth; d >= 0; d-- {
		slices.Sort(byDepth[d])
		for _, batch := range chunks(byDepth[d], agencyBatch) {
			var keys []string
			if !all {
				set := map[string]bool{}
				for _, id := range batch {
					for k := range need[id] {
						set[k] = true
					}
				}
				for k := range set {
					keys = append(keys, k)
				}
				sort.Strings(keys)
			}
			own, err := tx.Rollups(ctx, store.RollupFilter{Scope: store.RollupOwn, AgencyIDs: batch, Keys: keys})
			if err != nil {
				return written, err
			}
			kids, err := tx.Rollups(ctx, store.RollupFilter{Scope: store.RollupSubtree, ParentIDs: batch, Keys: keys})
			if err != nil {
				return written, err
			}
			merged := map[bucketKey]*bucket{}
			wanted := func(id int64, k string) bool { return all || need[id][k] }
			for i := range own {
				if wanted(own[i].AgencyID, own[i].PeriodKey) {
					mergeRow(merged, bucketKey{own[i].AgencyID, own[i].PeriodKey}, &own[i])
				}
			}
			for i := range kids {
				p := tr.byID[kids[i].AgencyID].ParentID
				if wanted(p, kids[i].PeriodKey) {
					mergeRow(merged, bucketKey{p, kids[i].PeriodKey}, &kids[i])
				}
			}
			if !all {
				var del []bucketKey
				for _, id := range batch {
					for k := range need[id] {
						del = append(del, bucketKey{id, k})
					}
				}
				if err := s.deletePairs(ctx, tx, store.RollupSubtree, del); err != nil {
					return written, err
				}
			}
			// Rolling rows keep the window they were computed for.
			windows := map[bucketKey][2]string{}
			for _, r := range append(own, kids...) {
				if r.PeriodKey == RollingKey {
					id := r.AgencyID
					if r.Scope == store.RollupSubtree {
						id = tr.byID[id].ParentID
					}
					windows[bucketKey{id, RollingKey}] = [2]string{r.PeriodStart, r.PeriodEnd}
				}
			}
			var rows []store.Rollup
			for k, b := range merged {
				r := s.row(k.agency, store.RollupSubtree, k.key, b, stats.Period{}, now)
				if w, ok := windows[k]; ok {
					r.PeriodStart, r.PeriodEnd = w[0], w[1]
				}
				rows = append(rows, r)
			}
			n, err := insertNonEmpty(ctx, tx, rows)
			if err != nil {
				return written, err
			}
			written += n
		}
	}
	return written, nil
}

// refreshCurrent recomputes the current counts of the dirty agencies (all
// when all) and the subtree counts of them and their ancestors.
func (s *Service) refreshCurrent(ctx context.Context, tx *store.Store, tr *tree, months map[int64]map[string]bool, all bool, now time.Time) error {
	var ids []int64
	if all {
		ids = tr.ids()
	} else {
		for id := range months {
			ids = append(ids, id)
		}
		slices.Sort(ids)
	}
	if len(ids) == 0 {
		return nil
	}
	running, err := tx.RunningClocksOf(ctx, ids)
	if err != nil {
		return err
	}
	own := currentCounts(running)
	var rows []store.RollupCurrent
	for _, id := range ids {
		if r := own[id]; r != nil {
			r.UpdatedAt = now
			rows = append(rows, *r)
		}
	}
	replaceIDs := ids
	if all {
		replaceIDs = nil
	}
	if err := tx.ReplaceRollupCurrent(ctx, store.RollupOwn, replaceIDs, rows); err != nil {
		return err
	}
	// Subtree: the agencies and their ancestors, deepest first.
	need := map[int64]bool{}
	for _, id := range ids {
		for a := id; a != 0; a = tr.byID[a].ParentID {
			need[a] = true
		}
	}
	byDepth := make([][]int64, tr.maxDepth+1)
	for id := range need {
		if a, ok := tr.byID[id]; ok {
			byDepth[a.Depth] = append(byDepth[a.Depth], id)
		}
	}
	if all {
		if err := tx.ReplaceRollupCurrent(ctx, store.RollupSubtree, nil, nil); err != nil {
			return err
		}
	}
	for d := tr.maxDepth; d >= 0; d-- {
		slices.Sort(byDepth[d])
		for _, batch := range chunks(byDepth[d], agencyBatch) {
			ownRows, err := tx.RollupCurrents(ctx, store.RollupOwn, batch, nil)
			if err != nil {
				return err
			}
			kids, err := tx.RollupCurrents(ctx, store.RollupSubtree, nil, batch)
			if err != nil {
				return err
			}
			sum := map[int64]*store.RollupCurrent{}
			add := func(id int64, r store.RollupCurrent) {
				x := sum[id]
				if x == nil {
					x = &store.RollupCurrent{AgencyID: id, UpdatedAt: now}
					sum[id] = x
				}
				x.Open += r.Open
				x.Overdue += r.Overdue
				x.AtRisk += r.AtRisk
			}
			for _, r := range ownRows {
				add(r.AgencyID, r)
			}
			for _, r := range kids {
				add(tr.byID[r.AgencyID].ParentID, r)
			}
			var out []store.RollupCurrent
			for _, id := range batch {
				if x := sum[id]; x != nil && (x.Open|x.Overdue|x.AtRisk) != 0 {
					out = append(out, *x)
				}
			}
			var del []int64
			if !all {
				del = batch
			}
			if err := tx.ReplaceRollupCurrent(ctx, store.RollupSubtree, nonNil(del), out); err != nil {
				return err
			}
		}
	}
	return nil
}

// nonNil keeps ReplaceRollupCurrent from reading nil as "all agencies".
func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// row turns a bucket into a stored row with its period's dates.
func (s *Service) row(agency int64, scope, key string, b *bucket, window stats.Period, now time.Time) store.Rollup {
	r := store.Rollup{AgencyID: agency, Scope: scope, PeriodKey: key, Counts: b.counts, FirstResponseDays: b.fr, CompletionDays: b.cp, UpdatedAt: now}
	if key == RollingKey {
		r.PeriodKind = stats.PeriodRolling90
		if !window.Start.IsZero() {
			r.PeriodStart, r.PeriodEnd = window.Start.Format(time.DateOnly), window.End.Format(time.DateOnly)
		}
		return r
	}
	if p, ok := periodOfKey(key); ok {
		r.PeriodKind, r.PeriodStart, r.PeriodEnd = p.Kind, p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly)
	}
	return r
}

func insertNonEmpty(ctx context.Context, tx *store.Store, rows []store.Rollup) (int, error) {
	out := rows[:0:0]
	for i := range rows {
		if !rows[i].Empty() {
			out = append(out, rows[i])
		}
	}
	slices.SortFunc(out, func(a, b store.Rollup) int {
		return cmp.Or(cmp.Compare(a.AgencyID, b.AgencyID), strings.Compare(a.PeriodKey, b.PeriodKey))
	})
	return len(out), tx.InsertRollups(ctx, out)
}

// deletePairs deletes rows (agency, key) of a scope, grouped by key so each
// statement is one indexed IN list.
func (s *Service) deletePairs(ctx context.Context, tx *store.Store, scope string, pairs []bucketKey) error {
	byKey := map[string][]int64{}
	for _, p := range pairs {
		byKey[p.key] = append(byKey[p.key], p.agency)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ids := byKey[k]
		slices.Sort(ids)
		if err := tx.DeleteRollups(ctx, store.RollupFilter{Scope: scope, AgencyIDs: slices.Compact(ids), Keys: []string{k}}); err != nil {
			return err
		}
	}
	return nil
}

func chunks[T any](xs []T, n int) [][]T {
	var out [][]T
	for len(xs) > n {
		out = append(out, xs[:n])
		xs = xs[n:]
	}
	if len(xs) > 0 {
		out = append(out, xs)
	}
	return out
}
