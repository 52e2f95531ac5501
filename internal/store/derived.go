package store

import (
	"context"
	"strings"
	"time"
)

// ComplaintEvidence counts what a government's complaint data shows about
// its complaint service (the inputs of the derived SPBE indicator), over the
// complaints submitted in a window to an agency of its subtree, as known at
// the window's end. Package metrics defines each count.
type ComplaintEvidence struct {
	Received       int64 // complaints of the window (confidential ones included)
	Online         int64 // of which submitted through an online channel
	Verified       int64 // with a verification decision (verified or rejected)
	StatusTracked  int64 // with a status change the complainant sees
	LAPOR          int64 // from SP4N-LAPOR! (source lapor)
	LAPORSynced    int64 // of those, with a disposition, forward or status sync
	ResponseDue    int64 // not rejected and no longer inside a running SLA
	Responded      int64 // of ResponseDue, with a public response
	Answered       int64 // with a public response
	AnsweredOnTime int64 // of Answered, whose first-cycle response met its first-response clock
}

// EvidenceKinds are the event kinds each evidence count looks for.
type EvidenceKinds struct {
	Verification []string
	Status       []string
	Sync         []string
}

// ComplaintEvidenceOf runs one aggregate query over the complaints submitted
// in [from, to) to an agency in the subtree of agencyCode, with their events
// and clocks before to. onlineChannels are compared in lower case.
func (s *Store) ComplaintEvidenceOf(ctx context.Context, agencyCode string, from, to time.Time, onlineChannels []string, kinds EvidenceKinds, laporSource string) (ComplaintEvidence, error) {
	var ev ComplaintEvidence
	row, err := s.agencyRowByCode(ctx, agencyCode)
	if err != nil {
		return ev, err
	}
	lo, hi := subtreeBounds(row.Path)
	var args []any
	// p adds one bound parameter per occurrence, so "?" and "$n" bind alike.
	p := func(v any) string {
		args = append(args, v)
		return s.placeholder(len(args))
	}
	list := func(vs []string) string {
		if len(vs) == 0 {
			return "(NULL)"
		}
		ps := make([]string, len(vs))
		for i, v := range vs {
			ps[i] = p(v)
		}
		return "(" + strings.Join(ps, ", ") + ")"
	}
	end := utcMicro(to)
	has := func(kinds []string) string {
		return `EXISTS (SELECT 1 FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind IN ` + list(kinds) + ` AND e.at < ` + p(end) + `)`
	}
	count := func(cond string) string { return `COALESCE(SUM(CASE WHEN ` + cond + ` THEN 1 ELSE 0 END), 0)` }
	// Conditions are spelled out at each use: every use binds its own parameters.
	responded := func() string { return has([]string{"responded"}) }
	rejected := func() string { return has([]string{"rejected"}) }
	pending := func() string {
		return `EXISTS (SELECT 1 FROM complaint_clocks k WHERE k.complaint_id = c.id AND k.kind IN ('verification', 'first_response')
			AND k.started_at < ` + p(end) + ` AND k.due_at >= ` + p(end) + ` AND (k.stopped_at IS NULL OR k.stopped_at >= ` + p(end) + `))`
	}
	due := func() string { return `NOT ` + rejected() + ` AND NOT (NOT ` + responded() + ` AND ` + pending() + `)` }
	onTime := func() string {
		return `EXISTS (SELECT 1 FROM complaint_clocks k WHERE k.complaint_id = c.id AND k.kind = 'first_response' AND k.cycle = 1
			AND k.verdict = 'met' AND k.stopped_at < ` + p(end) + ` AND EXISTS (SELECT 1 FROM complaint_events e WHERE e.complaint_id = c.id
			AND e.kind = 'responded' AND e.at = k.stopped_at))`
	}
	cols := []string{
		`COUNT(*)`,
		count(`LOWER(c.channel) IN ` + list(onlineChannels)),
		count(has(kinds.Verification)),
		count(has(kinds.Status)),
		count(`c.source = ` + p(laporSource)),
		count(`c.source = ` + p(laporSource) + ` AND ` + has(kinds.Sync)),
		count(due()),
		count(due() + ` AND ` + responded()),
		count(responded()),
		count(responded() + ` AND ` + onTime()),
	}
	q := `SELECT ` + strings.Join(cols, ",\n") + `
		FROM complaints c JOIN agencies a ON a.id = c.agency_id
		WHERE a.path >= ` + p(lo) + ` AND a.path < ` + p(hi) + ` AND c.submitted_at >= ` + p(utcMicro(from)) + ` AND c.submitted_at < ` + p(end)
	err = s.pool().QueryRowContext(ctx, q, args...).Scan(&ev.Received, &ev.Online, &ev.Verified, &ev.StatusTracked, &ev.LAPOR, &ev.LAPORSynced,
		&ev.ResponseDue, &ev.Responded, &ev.Answered, &ev.AnsweredOnTime)
	return ev, s.wrapRaw("complaint evidence", err)
}
