package commitments

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
)

// Date is a calendar date in JSON and YAML: "2024-08-07" (an RFC 3339 time is
// read as its date).
type Date struct{ time.Time }

// UnmarshalJSON implements json.Unmarshaler.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a date is a string YYYY-MM-DD")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		d.Time = time.Time{}
		return nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		d.Time = t
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("date %q: use YYYY-MM-DD", s)
	}
	d.Time = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return nil
}

// MarshalJSON implements json.Marshaler.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte(`""`), nil
	}
	return json.Marshal(d.Format(time.DateOnly))
}

// PartySelector names parties by the tree: the children of Parent of the
// given kinds (e.g. the 27 kabupaten/kota of "32").
type PartySelector struct {
	Parent string   `json:"parent"`
	Kinds  []string `json:"kinds"`
}

// TargetInput is a target as written by a client or a file.
type TargetInput struct {
	ID           string         `json:"id"`
	Metric       string         `json:"metric"`
	Scope        string         `json:"scope"`
	Parties      []string       `json:"parties,omitempty"`
	PartiesUnder *PartySelector `json:"parties_under,omitempty"`
	// Baseline is computed from data on BaselineAsOf when left out.
	Baseline          *float64 `json:"baseline"`
	BaselineAsOf      Date     `json:"baseline_as_of"`
	Value             *float64 `json:"value"`
	Direction         string   `json:"direction"`
	MeasurementPeriod string   `json:"measurement_period,omitempty"`
	Deadline          Date     `json:"deadline"`
	WorkingDayLimit   int      `json:"working_day_limit,omitempty"`
}

// Input is a commitment as written by a client or an import file: the whole
// content of a version.
type Input struct {
	Slug            string          `json:"slug"`
	Title           string          `json:"title"`
	Number          string          `json:"number,omitempty"`
	SignedOn        Date            `json:"signed_on"`
	SignatoryName   string          `json:"signatory_name"`
	SignatoryOffice string          `json:"signatory_office"`
	LeadAgency      string          `json:"lead_agency"`
	DocumentURL     string          `json:"document_url,omitempty"`
	Parties         []string        `json:"parties,omitempty"`
	PartiesUnder    []PartySelector `json:"parties_under,omitempty"`
	Targets         []TargetInput   `json:"targets"`
	// EffectiveFrom: default the signing date for a new commitment, today for a revision.
	EffectiveFrom Date   `json:"effective_from"`
	ChangeNote    string `json:"change_note,omitempty"`
}

// expand resolves a selector to agency codes, in code order.
func (s *Service) expand(ctx context.Context, sel PartySelector, field string) ([]string, error) {
	children, err := s.agencies.Children(ctx, strings.TrimSpace(sel.Parent))
	if errors.Is(err, domain.ErrNotFound) {
		return nil, domain.Invalidf(field, "unknown agency %q", sel.Parent)
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range children {
		if len(sel.Kinds) == 0 || slices.Contains(sel.Kinds, string(c.Kind)) {
			out = append(out, c.Code)
		}
	}
	if len(out) == 0 {
		return nil, domain.Invalidf(field, "no agency under %q of kinds %v", sel.Parent, sel.Kinds)
	}
	slices.Sort(out)
	return out, nil
}

func appendUnique(dst []string, xs ...string) []string {
	for _, x := range xs {
		x = strings.TrimSpace(x)
		if x != "" && !slices.Contains(dst, x) {
			dst = append(dst, x)
		}
	}
	return dst
}

// build turns an input into version content (not yet numbered). cur is the
// current version when revising: a target whose baseline is left out keeps a
// baseline computed earlier when nothing it depends on changed, so importing
// the same file twice changes nothing.
func (s *Service) build(ctx context.Context, in Input, cur *domain.CommitmentVersion) (domain.CommitmentVersion, error) {
	v := domain.CommitmentVersion{State: domain.CommitmentActive, ChangeNote: strings.TrimSpace(in.ChangeNote)}
	v.ID = strings.TrimSpace(in.Slug)
	v.Title, v.Number = strings.TrimSpace(in.Title), strings.TrimSpace(in.Number)
	v.SignedOn, v.EffectiveFrom = in.SignedOn.Time, in.EffectiveFrom.Time
	v.SignatoryName, v.SignatoryOffice = strings.TrimSpace(in.SignatoryName), strings.TrimSpace(in.SignatoryOffice)
	v.DocumentURL = strings.TrimSpace(in.DocumentURL)
	v.Parties = appendUnique(nil, in.Parties...)
	for i, sel := range in.PartiesUnder {
		codes, err := s.expand(ctx, sel, fmt.Sprintf("parties_under[%d]", i))
		if err != nil {
			return v, err
		}
		v.Parties = appendUnique(v.Parties, codes...)
	}
	v.LeadAgency = strings.TrimSpace(in.LeadAgency)
	if v.LeadAgency == "" && len(v.Parties) > 0 {
		v.LeadAgency = v.Parties[0]
	}
	if v.DocumentURL != "" && !strings.HasPrefix(v.DocumentURL, "https://") && !strings.HasPrefix(v.DocumentURL, "http://") {
		return v, domain.Invalid("document_url", "an http(s) link")
	}
	for _, code := range appendUnique(slices.Clone(v.Parties), v.LeadAgency) {
		if _, err := s.agencies.Get(ctx, code); err != nil {
			if errors.Is(err, domain.ErrNotFound) {
				return v, domain.Invalidf("parties", "unknown agency %q", code)
			}
			return v, err
		}
	}
	if v.LeadAgency == "" {
		return v, domain.Invalid("lead_agency", "required (the signing agency's code)")
	}
	for i, ti := range in.Targets {
		f := func(name string) string { return fmt.Sprintf("targets[%d].%s", i, name) }
		dir, ok := domain.ParseDirection(ti.Direction)
		if !ok {
			return v, domain.Invalid(f("direction"), "increase (at_least) or decrease (at_most)")
		}
		if ti.Value == nil {
			return v, domain.Invalid(f("value"), "required")
		}
		t := domain.Target{ID: strings.TrimSpace(ti.ID), Metric: domain.Metric(strings.TrimSpace(ti.Metric)),
			Scope: domain.TargetScope(strings.TrimSpace(ti.Scope)), Parties: appendUnique(nil, ti.Parties...),
			BaselineAsOf: ti.BaselineAsOf.Time, Value: *ti.Value, Direction: dir,
			MeasurementPeriod: strings.TrimSpace(ti.MeasurementPeriod), Deadline: ti.Deadline.Time, WorkingDayLimit: ti.WorkingDayLimit}
		if t.Scope == "" {
			t.Scope = domain.ScopeEachParty
		}
		if ti.PartiesUnder != nil {
			codes, err := s.expand(ctx, *ti.PartiesUnder, f("parties_under"))
			if err != nil {
				return v, err
			}
			t.Parties = appendUnique(t.Parties, codes...)
		}
		if t.BaselineAsOf.IsZero() {
			t.BaselineAsOf = v.SignedOn
		}
		switch {
		case ti.Baseline != nil:
			t.Baseline = *ti.Baseline
		case reuseBaseline(cur, t):
			old, _ := cur.TargetByID(t.ID)
			t.Baseline = old.Baseline
			v.ComputedBaselines = append(v.ComputedBaselines, t.ID)
		default:
			if !t.Metric.Valid() || !t.Scope.Valid() {
				break // Validate reports it
			}
			b, err := s.baselineFromData(ctx, v.Commitment, t)
			if err != nil {
				return v, err
			}
			if b == nil {
				return v, domain.Invalidf(f("baseline"), "not given, and no data to compute it on %s", day(t.BaselineAsOf))
			}
			t.Baseline = *b
			v.ComputedBaselines = append(v.ComputedBaselines, t.ID)
		}
		v.Targets = append(v.Targets, t)
	}
	return v, nil
}

func reuseBaseline(cur *domain.CommitmentVersion, t domain.Target) bool {
	if cur == nil || !slices.Contains(cur.ComputedBaselines, t.ID) {
		return false
	}
	old, ok := cur.TargetByID(t.ID)
	return ok && old.Metric == t.Metric && old.Scope == t.Scope && slices.Equal(old.Parties, t.Parties) &&
		old.BaselineAsOf.Equal(t.BaselineAsOf) && old.WorkingDayLimit == t.WorkingDayLimit
}

// ImportResult is what an import did to one commitment.
type ImportResult struct {
	Slug    string   `json:"slug"`
	Outcome string   `json:"outcome"` // created, revised, unchanged
	Version int      `json:"version"`
	Changes []string `json:"changes,omitempty"`
}

// ParseFile reads commitments from JSON or YAML (format "json" or "yaml"):
// one commitment, a list, or {"commitments": [...]}. Unknown fields are errors.
func ParseFile(data []byte, format string) ([]Input, error) {
	if format == "yaml" || format == "yml" {
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, domain.Invalidf("file", "YAML: %v", err)
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return nil, domain.Invalidf("file", "YAML: %v", err)
		}
		data = b
	}
	data = bytes.TrimSpace(data)
	decode := func(b []byte, dst any) error {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(dst); err != nil {
			return domain.Invalidf("file", "%v", err)
		}
		return nil
	}
	switch {
	case len(data) > 0 && data[0] == '[':
		var list []Input
		return list, decode(data, &list)
	case bytes.Contains(data, []byte(`"commitments"`)):
		var wrapper struct {
			Commitments []Input `json:"commitments"`
		}
		if err := decode(data, &wrapper); err == nil {
			return wrapper.Commitments, nil
		}
	}
	var one Input
	if err := decode(data, &one); err != nil {
		return nil, err
	}
	return []Input{one}, nil
}

// Import creates each commitment of the file that does not exist and
// revises each that differs; one already as given is left unchanged, so
// importing the same file twice changes nothing the second time.
func (s *Service) Import(ctx context.Context, actor access.Principal, inputs []Input) ([]ImportResult, error) {
	out := make([]ImportResult, 0, len(inputs))
	for i, in := range inputs {
		slug := strings.TrimSpace(in.Slug)
		versions, err := s.store.CommitmentVersions(ctx, slug)
		switch {
		case errors.Is(err, domain.ErrNotFound) || slug == "":
			v, err := s.Create(ctx, actor, in)
			if err != nil {
				return out, fmt.Errorf("commitment %d (%s): %w", i+1, slug, err)
			}
			out = append(out, ImportResult{Slug: v.ID, Outcome: "created", Version: v.Version})
			continue
		case err != nil:
			return out, err
		}
		cur := versions[len(versions)-1]
		next, err := s.build(ctx, in, &cur)
		if err != nil {
			return out, fmt.Errorf("commitment %s: %w", slug, err)
		}
		if len(Diff(cur, next)) == 0 {
			out = append(out, ImportResult{Slug: slug, Outcome: "unchanged", Version: cur.Version})
			continue
		}
		v, err := s.Revise(ctx, actor, slug, in)
		if err != nil {
			return out, fmt.Errorf("commitment %s: %w", slug, err)
		}
		out = append(out, ImportResult{Slug: slug, Outcome: "revised", Version: v.Version, Changes: v.Changes})
	}
	return out, nil
}
