package clocks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/slapolicy"
	"github.com/tanggap-id/tanggap/internal/store"
)

// PolicySet is the policies in force: the national one and the overrides,
// each applying to its agency's subtree (the nearest override wins).
type PolicySet struct {
	National  slapolicy.Policy
	overrides map[string]slapolicy.Policy // agency path → policy
}

// For returns the policy that governs an agency, given its materialised path
// ("/ID/32/32.73/"): the override of the nearest agency on the path, else the
// national policy.
func (ps PolicySet) For(agencyPath string) slapolicy.Policy {
	for p := agencyPath; len(p) > 1; {
		if pol, ok := ps.overrides[p]; ok {
			return pol
		}
		i := strings.LastIndexByte(p[:len(p)-1], '/')
		if i < 0 {
			break
		}
		p = p[:i+1]
	}
	return ps.National
}

// StoredPolicy is a policy version with its parsed rules.
type StoredPolicy struct {
	store.PolicyVersion
	Policy slapolicy.Policy `json:"policy"`
}

// Policies manages SLA policy versions.
type Policies struct {
	store  *store.Store
	access *access.Service
	audit  *audit.Recorder
	now    func() time.Time

	mu    sync.Mutex
	key   string
	cache PolicySet
}

// NewPolicies builds the policy service.
func NewPolicies(st *store.Store, acc *access.Service, rec *audit.Recorder, now func() time.Time) *Policies {
	if now == nil {
		now = time.Now
	}
	return &Policies{store: st, access: acc, audit: rec, now: now}
}

// EnsureSeeded stores the embedded national policy when no national policy
// exists yet. Idempotent.
func (p *Policies) EnsureSeeded(ctx context.Context) error {
	inForce, err := p.store.PoliciesInForce(ctx)
	if err != nil {
		return err
	}
	for _, v := range inForce {
		if v.AgencyCode == "" {
			return nil
		}
	}
	pol := slapolicy.DefaultNational()
	doc, err := json.Marshal(pol)
	if err != nil {
		return err
	}
	_, err = p.store.InsertPolicy(ctx, store.PolicyVersion{Version: pol.Version, Name: pol.Name, Document: string(doc),
		Reason: "default national LAPOR policy shipped with Tanggap", Actor: SystemActor, CreatedAt: p.now()})
	if errors.Is(err, domain.ErrConflict) {
		return nil // seeded concurrently
	}
	return err
}

// InForce returns the policies in force, seeding the national one on first
// use. The parsed set is cached until a new version is stored.
func (p *Policies) InForce(ctx context.Context) (PolicySet, error) {
	rows, err := p.store.PoliciesInForce(ctx)
	if err != nil {
		return PolicySet{}, err
	}
	if !hasNational(rows) {
		if err := p.EnsureSeeded(ctx); err != nil {
			return PolicySet{}, err
		}
		if rows, err = p.store.PoliciesInForce(ctx); err != nil {
			return PolicySet{}, err
		}
	}
	var key strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&key, "%d,", r.ID)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.key == key.String() {
		return p.cache, nil
	}
	set := PolicySet{overrides: map[string]slapolicy.Policy{}}
	if len(rows) > 0 {
		agencies, err := p.agencyPaths(ctx, rows)
		if err != nil {
			return PolicySet{}, err
		}
		for _, r := range rows {
			pol, err := slapolicy.ParsePolicy([]byte(r.Document))
			if err != nil {
				return PolicySet{}, fmt.Errorf("clocks: stored policy %s: %w", r.Version, err)
			}
			if r.AgencyCode == "" {
				set.National = pol
			} else {
				set.overrides[agencies[r.AgencyCode]] = pol
			}
		}
	}
	p.key, p.cache = key.String(), set
	return set, nil
}

func hasNational(rows []store.PolicyVersion) bool {
	for _, r := range rows {
		if r.AgencyCode == "" {
			return true
		}
	}
	return false
}

func (p *Policies) agencyPaths(ctx context.Context, rows []store.PolicyVersion) (map[string]string, error) {
	out := map[string]string{}
	for _, r := range rows {
		if r.AgencyCode == "" {
			continue
		}
		refs, err := p.store.ClockAgencies(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range refs {
			out[a.Code] = a.Path
		}
		break
	}
	return out, nil
}

// List returns the policies in force (national first) and the full history,
// newest first.
func (p *Policies) List(ctx context.Context) (inForce []StoredPolicy, history []store.PolicyVersion, err error) {
	if _, err := p.InForce(ctx); err != nil { // seeds on first use
		return nil, nil, err
	}
	rows, err := p.store.PoliciesInForce(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		pol, err := slapolicy.ParsePolicy([]byte(r.Document))
		if err != nil {
			return nil, nil, fmt.Errorf("clocks: stored policy %s: %w", r.Version, err)
		}
		inForce = append(inForce, StoredPolicy{PolicyVersion: r, Policy: pol})
	}
	history, err = p.store.Policies(ctx)
	return inForce, history, err
}

// Get returns one stored version with its rules.
func (p *Policies) Get(ctx context.Context, version string) (StoredPolicy, error) {
	r, err := p.store.PolicyByVersion(ctx, version)
	if err != nil {
		return StoredPolicy{}, err
	}
	pol, err := slapolicy.ParsePolicy([]byte(r.Document))
	if err != nil {
		return StoredPolicy{}, fmt.Errorf("clocks: stored policy %s: %w", r.Version, err)
	}
	return StoredPolicy{PolicyVersion: r, Policy: pol}, nil
}

// Put stores a new version of the national policy (agencyCode empty) or of
// an agency's override. The document is validated by slapolicy.ParsePolicy,
// whose errors name the field; its version label must be new. Admin only.
// Stored clocks are not recomputed: running ones take the new limits at
// their next recompute (tanggap recompute --all), stopped ones keep the
// version they were judged under.
func (p *Policies) Put(ctx context.Context, actor access.Principal, agencyCode string, document []byte, reason string) (StoredPolicy, error) {
	if err := access.RequireAdmin(actor); err != nil {
		return StoredPolicy{}, err
	}
	if strings.TrimSpace(reason) == "" {
		return StoredPolicy{}, domain.Invalid("reason", "required: say why the policy changes")
	}
	pol, err := slapolicy.ParsePolicy(document)
	if err != nil {
		return StoredPolicy{}, err
	}
	if _, err := p.InForce(ctx); err != nil { // the national default exists before any override
		return StoredPolicy{}, err
	}
	canonical, err := json.Marshal(pol)
	if err != nil {
		return StoredPolicy{}, err
	}
	var out StoredPolicy
	err = p.store.InTx(ctx, func(tx *store.Store) error {
		v, err := tx.InsertPolicy(ctx, store.PolicyVersion{Version: pol.Version, Name: pol.Name, AgencyCode: agencyCode,
			Document: string(canonical), Reason: reason, Actor: actor.Actor(), CreatedAt: p.now()})
		switch {
		case errors.Is(err, domain.ErrConflict):
			return fmt.Errorf("policy version %q already exists; give the new policy a new version: %w", pol.Version, domain.ErrConflict)
		case errors.Is(err, domain.ErrNotFound):
			return fmt.Errorf("agency %q: %w", agencyCode, domain.ErrNotFound)
		case err != nil:
			return err
		}
		out = StoredPolicy{PolicyVersion: v, Policy: pol}
		key := pol.Version
		if agencyCode != "" {
			key = agencyCode + ":" + pol.Version
		}
		return p.audit.WithStore(tx).RecordTx(ctx, actor.Actor(), "create", "sla_policy", key, nil,
			map[string]any{"version": pol.Version, "agency_code": agencyCode, "reason": reason, "policy": pol})
	})
	return out, err
}
