package metrics

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// Derived-indicator inputs (the framework file's derived_indicators[].inputs
// with source complaint_data). They describe a government's complaint
// service over a window, so they are computed over the complaints SUBMITTED
// in [from, to) to any agency of the government's subtree, each complaint
// counted once, as known at to (events and clock stops after to are not
// seen):
//
//   - complaints_received: those complaints, confidential ones included.
//   - complaints_submitted_online: of them, those whose channel is one of
//     OnlineChannels (the public's own electronic submission; an empty or
//     other channel, e.g. a counter or a letter keyed in by staff, is not).
//   - verified_share: share with a verification decision (a verified or a
//     rejected event: rejecting is validating too).
//   - status_tracked_share: share with a status change the complainant sees
//     (any event but submitted and clarification_received, which come from
//     the complainant).
//   - lapor_synced_share: among complaints of source lapor, share with a
//     disposition or forward (assigned, forwarded) or a status synced back
//     (responded, completed, closed); nil when there are none.
//   - response_rate: share with a public responded event, among complaints
//     not rejected and not still inside their SLA at to (a running
//     verification or first-response clock not yet due, and no response).
//   - first_response_on_time_rate: among complaints with a response, share
//     whose first-cycle first-response clock was met by a responded event.
//
// The roll-ups cannot give these: they count a complaint once per agency
// that held it, by receipt, deadline or answer date, while the rule reads
// complaints once each by submission. So the inputs come from one aggregate
// query bounded by the government's subtree and the window; it runs in the
// daily index job (and `tanggap spbe project`), never on a page. A share
// whose denominator is below the service's minimum n is nil, as the rule
// wants ("a null metric fails").
const (
	DerivedReceived        = "complaints_received"
	DerivedOnline          = "complaints_submitted_online"
	DerivedVerifiedShare   = "verified_share"
	DerivedStatusTracked   = "status_tracked_share"
	DerivedLAPORSynced     = "lapor_synced_share"
	DerivedResponseRate    = "response_rate"
	DerivedFirstResponseOT = "first_response_on_time_rate"
)

// DerivedMetricNames lists the inputs DerivedMetrics computes.
var DerivedMetricNames = []string{DerivedReceived, DerivedOnline, DerivedVerifiedShare, DerivedStatusTracked,
	DerivedLAPORSynced, DerivedResponseRate, DerivedFirstResponseOT}

// OnlineChannels are the channel values (lower case) of the public's own
// electronic submissions: LAPOR's website, apps, SMS 1708 and social media
// accounts, and agency systems' APIs.
var OnlineChannels = []string{"web", "website", "mobile", "app", "android", "ios", "api", "sms", "twitter", "x",
	"email", "e-mail", "whatsapp", "online"}

var evidenceKinds = store.EvidenceKinds{
	Verification: kinds(domain.EventVerified, domain.EventRejected),
	Status: kinds(domain.EventVerified, domain.EventRejected, domain.EventAssigned, domain.EventForwarded, domain.EventResponded,
		domain.EventClarificationRequested, domain.EventCompleted, domain.EventReopened, domain.EventClosed),
	Sync: kinds(domain.EventAssigned, domain.EventForwarded, domain.EventResponded, domain.EventCompleted, domain.EventClosed),
}

func kinds(ks ...domain.EventKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// DerivedMetrics computes the requested derived-indicator inputs of a
// government's subtree over [from, to) (see the definitions above). Names it
// does not compute (e.g. review_age_days, taken from the assessment) are
// left out of the answer. It implements spbeindex.ServiceMetrics.
func (s *Service) DerivedMetrics(ctx context.Context, government string, from, to time.Time, names []string) (map[string]*big.Rat, error) {
	if !from.Before(to) {
		return nil, domain.Invalidf("to", "the window [%s, %s) is empty", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	out := map[string]*big.Rat{}
	wanted := false
	for _, n := range names {
		wanted = wanted || slices.Contains(DerivedMetricNames, n)
	}
	if !wanted {
		return out, nil
	}
	ev, err := s.store.ComplaintEvidenceOf(ctx, government, from, to, OnlineChannels, evidenceKinds, domain.DefaultSource)
	if err != nil {
		return nil, fmt.Errorf("derived metrics of %s: %w", government, err)
	}
	share := func(num, den int64) *big.Rat {
		if den < int64(s.minN) || den == 0 {
			return nil
		}
		return big.NewRat(num, den)
	}
	all := map[string]*big.Rat{
		DerivedReceived:        big.NewRat(ev.Received, 1),
		DerivedOnline:          big.NewRat(ev.Online, 1),
		DerivedVerifiedShare:   share(ev.Verified, ev.Received),
		DerivedStatusTracked:   share(ev.StatusTracked, ev.Received),
		DerivedLAPORSynced:     share(ev.LAPORSynced, ev.LAPOR),
		DerivedResponseRate:    share(ev.Responded, ev.ResponseDue),
		DerivedFirstResponseOT: share(ev.AnsweredOnTime, ev.Answered),
	}
	for _, n := range names {
		if v, ok := all[n]; ok {
			out[n] = v
		}
	}
	return out, nil
}
