// Package commitments is the use-case layer of signed commitments (design
// §3.6): it stores commitments as versions (a revision or a withdrawal adds
// one and keeps the old), measures each target from the complaint metrics and
// the SPBE index through small source interfaces, snapshots the measurements
// daily, and turns status changes into signed webhook deliveries. The rules
// themselves (status, error budget, projection, group lift) are package
// commitment's.
package commitments

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/commitment"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// Agencies is what the service needs of the agency tree.
type Agencies interface {
	Get(ctx context.Context, code string) (domain.Agency, error)
	Children(ctx context.Context, code string) ([]domain.Agency, error)
}

// Options tunes the service; zero values take the defaults.
type Options struct {
	Log *slog.Logger
	// Now is the clock (time.Now in production).
	Now func() time.Time
	// HTTPClient delivers webhooks (default: 10 s timeout).
	HTTPClient *http.Client
	// MaxAttempts per delivery (default 6) and the first retry's delay
	// (default 1 min), doubling each time up to RetryCap (default 6 h).
	MaxAttempts int
	RetryBase   time.Duration
	RetryCap    time.Duration
	// Rules are the status thresholds (default commitment.DefaultRules).
	Rules *commitment.Rules
	// Zone reads "today" for commitments (default Asia/Jakarta).
	Zone *time.Location
}

// Service manages and measures commitments.
type Service struct {
	store    *store.Store
	access   *access.Service
	audit    *audit.Recorder
	agencies Agencies
	rates    RateSource
	index    IndexSource
	rules    commitment.Rules
	opts     Options
	log      *slog.Logger
	now      func() time.Time
	client   *http.Client
	zone     *time.Location
}

// NewService builds the service. Sources are set with WithSources; without
// them the affected targets report no_data.
func NewService(st *store.Store, acc *access.Service, rec *audit.Recorder, ag Agencies, opts Options) *Service {
	s := &Service{store: st, access: acc, audit: rec, agencies: ag, opts: opts, log: opts.Log, now: opts.Now, client: opts.HTTPClient,
		rules: commitment.DefaultRules, zone: opts.Zone}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.Rules != nil {
		s.rules = *opts.Rules
	}
	if s.opts.MaxAttempts <= 0 {
		s.opts.MaxAttempts = 6
	}
	if s.opts.RetryBase <= 0 {
		s.opts.RetryBase = time.Minute
	}
	if s.opts.RetryCap <= 0 {
		s.opts.RetryCap = 6 * time.Hour
	}
	if s.zone == nil {
		if z, err := time.LoadLocation("Asia/Jakarta"); err == nil {
			s.zone = z
		} else {
			s.zone = time.FixedZone("WIB", 7*3600)
		}
	}
	return s
}

// WithSources sets where current values come from (either may be nil).
func (s *Service) WithSources(rates RateSource, index IndexSource) *Service {
	s.rates, s.index = rates, index
	return s
}

// today is the civil date of t in the service's zone, as midnight UTC.
func (s *Service) today(t time.Time) time.Time {
	l := t.In(s.zone)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,79}$`)

// Versions returns every version of a commitment, oldest first.
func (s *Service) Versions(ctx context.Context, slug string) ([]domain.CommitmentVersion, error) {
	return s.store.CommitmentVersions(ctx, slug)
}

// Summary is a commitment in a listing: its newest version and every version.
type Summary struct {
	Latest   domain.CommitmentVersion   `json:"latest"`
	Versions []domain.CommitmentVersion `json:"versions"`
}

// List returns commitments (active ones unless withdrawn is set), optionally
// those a party is in.
func (s *Service) List(ctx context.Context, party string, withdrawn bool) ([]Summary, error) {
	all, err := s.store.ListCommitments(ctx, store.CommitmentFilter{Party: party, IncludeWithdrawn: withdrawn})
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(all))
	for _, vs := range all {
		if len(vs) == 0 {
			continue
		}
		out = append(out, Summary{Latest: vs[len(vs)-1], Versions: vs})
	}
	return out, nil
}

// Create stores a new commitment as version 1. The actor needs write scope
// over the lead (signing) agency.
func (s *Service) Create(ctx context.Context, actor access.Principal, in Input) (domain.CommitmentVersion, error) {
	if err := access.RequireReader(actor); err != nil {
		return domain.CommitmentVersion{}, err
	}
	v, err := s.build(ctx, in, nil)
	if err != nil {
		return v, err
	}
	if !slugPattern.MatchString(v.ID) {
		return v, domain.Invalid("slug", "lower-case letters, digits and '-', 2 to 80 characters")
	}
	if err := s.access.RequireWrite(ctx, actor, v.LeadAgency); err != nil {
		return v, err
	}
	v.Version = 1
	v.CreatedAt, v.CreatedBy = s.now().UTC(), actor.Actor()
	if v.EffectiveFrom.IsZero() {
		v.EffectiveFrom = v.SignedOn
	}
	if err := commitment.Validate(v.Commitment); err != nil {
		return v, err
	}
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.CreateCommitment(ctx, v); err != nil {
			if errors.Is(err, domain.ErrConflict) {
				return fmt.Errorf("commitment %s already exists (revise it with PUT): %w", v.ID, domain.ErrConflict)
			}
			return err
		}
		return s.audit.WithStore(tx).RecordTx(ctx, actor.Actor(), "create", "commitment", v.ID, nil, v)
	})
	return v, err
}

// Revise stores a new version of a commitment from in (the whole new
// content); the previous versions stay. The change takes effect from
// in.EffectiveFrom (default: today) and the version lists what changed.
// The actor needs write scope over the current and the new lead agency.
func (s *Service) Revise(ctx context.Context, actor access.Principal, slug string, in Input) (domain.CommitmentVersion, error) {
	if err := access.RequireReader(actor); err != nil {
		return domain.CommitmentVersion{}, err
	}
	versions, err := s.store.CommitmentVersions(ctx, slug)
	if err != nil {
		return domain.CommitmentVersion{}, err
	}
	cur := versions[len(versions)-1]
	if err := s.access.RequireWrite(ctx, actor, cur.LeadAgency); err != nil {
		return cur, err
	}
	if in.Slug != "" && in.Slug != slug {
		return cur, domain.Invalidf("slug", "body slug %q differs from %q; slugs cannot change", in.Slug, slug)
	}
	in.Slug = slug
	v, err := s.build(ctx, in, &cur)
	if err != nil {
		return v, err
	}
	if v.LeadAgency != cur.LeadAgency {
		if err := s.access.RequireWrite(ctx, actor, v.LeadAgency); err != nil {
			return v, err
		}
	}
	return s.appendVersion(ctx, actor, cur, v, "revise")
}

// Withdraw adds a version marking the commitment withdrawn from effective
// (zero: today); its content stays as it was, and measurement stops from that day.
func (s *Service) Withdraw(ctx context.Context, actor access.Principal, slug, note string, effective time.Time) (domain.CommitmentVersion, error) {
	if err := access.RequireReader(actor); err != nil {
		return domain.CommitmentVersion{}, err
	}
	versions, err := s.store.CommitmentVersions(ctx, slug)
	if err != nil {
		return domain.CommitmentVersion{}, err
	}
	cur := versions[len(versions)-1]
	if err := s.access.RequireWrite(ctx, actor, cur.LeadAgency); err != nil {
		return cur, err
	}
	if cur.State == domain.CommitmentWithdrawn {
		return cur, fmt.Errorf("commitment %s is already withdrawn: %w", slug, domain.ErrConflict)
	}
	v := cur
	v.State, v.ChangeNote = domain.CommitmentWithdrawn, strings.TrimSpace(note)
	v.EffectiveFrom = effective
	if v.EffectiveFrom.IsZero() {
		v.EffectiveFrom = s.today(s.now())
	}
	return s.appendVersion(ctx, actor, cur, v, "withdraw")
}

func (s *Service) appendVersion(ctx context.Context, actor access.Principal, cur, v domain.CommitmentVersion, action string) (domain.CommitmentVersion, error) {
	v.Version = cur.Version + 1
	v.CreatedAt, v.CreatedBy = s.now().UTC(), actor.Actor()
	if v.EffectiveFrom.IsZero() {
		v.EffectiveFrom = s.today(s.now())
	}
	if v.EffectiveFrom.Before(cur.EffectiveFrom) {
		return v, domain.Invalidf("effective_from", "must not be before the current version's %s", cur.EffectiveFrom.Format(time.DateOnly))
	}
	v.Changes = Diff(cur, v)
	if len(v.Changes) == 0 {
		return cur, fmt.Errorf("commitment %s: nothing changed: %w", v.ID, domain.ErrConflict)
	}
	if err := commitment.Validate(v.Commitment); err != nil {
		return v, err
	}
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.AddCommitmentVersion(ctx, v); err != nil {
			return err
		}
		return s.audit.WithStore(tx).RecordTx(ctx, actor.Actor(), action, "commitment", v.ID, cur, v)
	})
	return v, err
}

// Diff says, one line each, what differs between two versions of a commitment.
func Diff(old, cur domain.CommitmentVersion) []string {
	var out []string
	field := func(name, a, b string) {
		if a != b {
			out = append(out, fmt.Sprintf("%s: %q → %q", name, a, b))
		}
	}
	if old.State != cur.State {
		out = append(out, fmt.Sprintf("status: %s → %s", old.State, cur.State))
	}
	field("title", old.Title, cur.Title)
	field("number", old.Number, cur.Number)
	field("signed_on", day(old.SignedOn), day(cur.SignedOn))
	field("signatory_name", old.SignatoryName, cur.SignatoryName)
	field("signatory_office", old.SignatoryOffice, cur.SignatoryOffice)
	field("lead_agency", old.LeadAgency, cur.LeadAgency)
	field("document_url", old.DocumentURL, cur.DocumentURL)
	out = append(out, setDiff("parties", old.Parties, cur.Parties)...)
	oldT := map[string]domain.Target{}
	for _, t := range old.Targets {
		oldT[t.ID] = t
	}
	seen := map[string]bool{}
	for _, t := range cur.Targets {
		seen[t.ID] = true
		o, ok := oldT[t.ID]
		if !ok {
			out = append(out, fmt.Sprintf("target %s added: %s %s %g by %s", t.ID, t.Metric, t.Direction, t.Value, day(t.Deadline)))
			continue
		}
		tf := func(name, a, b string) {
			if a != b {
				out = append(out, fmt.Sprintf("target %s %s: %s → %s", t.ID, name, a, b))
			}
		}
		tf("metric", string(o.Metric), string(t.Metric))
		tf("scope", string(o.Scope), string(t.Scope))
		tf("baseline", num(o.Baseline), num(t.Baseline))
		tf("baseline_as_of", day(o.BaselineAsOf), day(t.BaselineAsOf))
		tf("value", num(o.Value), num(t.Value))
		tf("direction", string(o.Direction), string(t.Direction))
		tf("measurement_period", o.MeasurementPeriod, t.MeasurementPeriod)
		tf("deadline", day(o.Deadline), day(t.Deadline))
		tf("working_day_limit", fmt.Sprint(o.WorkingDayLimit), fmt.Sprint(t.WorkingDayLimit))
		for _, line := range setDiff("parties", o.Parties, t.Parties) {
			out = append(out, "target "+t.ID+" "+line)
		}
	}
	for _, t := range old.Targets {
		if !seen[t.ID] {
			out = append(out, fmt.Sprintf("target %s removed", t.ID))
		}
	}
	return out
}

func setDiff(name string, a, b []string) []string {
	var added, removed []string
	for _, x := range b {
		if !slices.Contains(a, x) {
			added = append(added, x)
		}
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			removed = append(removed, x)
		}
	}
	var out []string
	if len(added) > 0 {
		out = append(out, fmt.Sprintf("%s added: %s", name, strings.Join(added, ", ")))
	}
	if len(removed) > 0 {
		out = append(out, fmt.Sprintf("%s removed: %s", name, strings.Join(removed, ", ")))
	}
	return out
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func num(x float64) string { return fmt.Sprintf("%g", x) }

// HasRateSource reports whether complaint metrics can be measured.
func (s *Service) HasRateSource() bool { return s.rates != nil }
