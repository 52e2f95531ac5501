// Package slapolicy holds SLA policies: ordered, versioned rule lists that give
// the working-day limit of each clock (design §3.4). The default national
// policy ships as data in config/catalog.
package slapolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/tanggap-id/tanggap/config/catalog"
	"github.com/tanggap-id/tanggap/internal/domain"
)

// NationalFile is the catalog file of the default national policy.
const NationalFile = "lapor-policy-national-1.json"

// maxLimitDays bounds a limit; the longest legal one is 60 working days.
const maxLimitDays = 366

// Policy is a versioned set of limits. Limits are matched per clock kind,
// first-wins, over Rules in order.
type Policy struct {
	Version     string `json:"version"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// PauseCapCalendarDays caps each clarification pause: days after the
	// request day beyond this many calendar days count again (30 per the 2016
	// LAPOR guidance: an incomplete report is archived after 30 days).
	PauseCapCalendarDays int    `json:"pause_cap_calendar_days"`
	Rules                []Rule `json:"rules"`
}

// Rule gives limits for the complaints it matches. An empty ReportType,
// Category or AgencyKind matches anything; Category compares case-insensitively.
// A rule that sets no limit for a clock kind is skipped for that kind, so a
// narrow rule can override one clock and leave the rest to broader rules.
type Rule struct {
	ReportType domain.ReportType        `json:"report_type,omitempty"`
	Category   string                   `json:"category,omitempty"`
	AgencyKind domain.AgencyKind        `json:"agency_kind,omitempty"`
	Limits     map[domain.ClockKind]int `json:"limits"`
	Note       string                   `json:"note,omitempty"`
}

func (r Rule) matches(rt domain.ReportType, category string, kind domain.AgencyKind) bool {
	return (r.ReportType == "" || r.ReportType == rt) &&
		(r.Category == "" || strings.EqualFold(r.Category, strings.TrimSpace(category))) &&
		(r.AgencyKind == "" || r.AgencyKind == kind)
}

// Limit is the working-day limit of clock kind ck for a complaint of report
// type rt and category in an agency of the given kind, with the index of the
// rule that set it. ok is false when no rule sets it (never for a validated
// policy and a valid report type).
func (p Policy) Limit(rt domain.ReportType, category string, agencyKind domain.AgencyKind, ck domain.ClockKind) (days, ruleIndex int, ok bool) {
	for i, r := range p.Rules {
		if d, set := r.Limits[ck]; set && r.matches(rt, category, agencyKind) {
			return d, i, true
		}
	}
	return 0, -1, false
}

// Validate checks every field and that each report type has a limit for each
// clock whatever the category and agency kind, so Limit cannot miss for valid
// input. Errors name the field, e.g. rules[2].limits.completion.
func (p Policy) Validate() error {
	v := &domain.ValidationError{Message: "invalid SLA policy"}
	add := func(field, format string, args ...any) {
		v.Details = append(v.Details, domain.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(p.Version) == "" {
		add("version", "required")
	}
	if p.PauseCapCalendarDays < 0 || p.PauseCapCalendarDays > maxLimitDays {
		add("pause_cap_calendar_days", "%d is not within 0-%d", p.PauseCapCalendarDays, maxLimitDays)
	}
	if len(p.Rules) == 0 {
		add("rules", "at least one rule is required")
	}
	for i, r := range p.Rules {
		f := fmt.Sprintf("rules[%d]", i)
		if r.ReportType != "" && !r.ReportType.Valid() {
			add(f+".report_type", "unknown report type %q; valid: %v", r.ReportType, domain.ReportTypes)
		}
		if r.AgencyKind != "" && !r.AgencyKind.Valid() {
			add(f+".agency_kind", "unknown agency kind %q; valid: %v", r.AgencyKind, domain.AgencyKinds)
		}
		if len(r.Limits) == 0 {
			add(f+".limits", "a rule must set at least one limit")
		}
		for _, ck := range slices.Sorted(maps.Keys(r.Limits)) {
			if !slices.Contains(domain.ClockKinds, ck) {
				add(f+".limits."+string(ck), "unknown clock kind; valid: %v", domain.ClockKinds)
			} else if d := r.Limits[ck]; d < 1 || d > maxLimitDays {
				add(f+".limits."+string(ck), "%d working days is not within 1-%d", d, maxLimitDays)
			}
		}
	}
	if len(v.Details) == 0 {
		for _, rt := range domain.ReportTypes {
			for _, ck := range domain.ClockKinds {
				if !p.hasFallback(rt, ck) {
					add("rules", "no rule without category and agency kind sets %s for %s", ck, rt)
				}
			}
		}
	}
	if len(v.Details) > 0 {
		return v
	}
	return nil
}

func (p Policy) hasFallback(rt domain.ReportType, ck domain.ClockKind) bool {
	for _, r := range p.Rules {
		if _, set := r.Limits[ck]; set && r.Category == "" && r.AgencyKind == "" && (r.ReportType == "" || r.ReportType == rt) {
			return true
		}
	}
	return false
}

// ParsePolicy decodes a JSON policy (unknown fields are errors, so a typo
// cannot silently drop a limit) and validates it.
func ParsePolicy(data []byte) (Policy, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Policy
	if err := dec.Decode(&p); err != nil {
		return Policy{}, fmt.Errorf("slapolicy: decode: %w", errors.Join(domain.ErrInvalid, err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Policy{}, fmt.Errorf("slapolicy: %w", domain.Invalid("", "trailing data after the policy object"))
	}
	if err := p.Validate(); err != nil {
		return Policy{}, fmt.Errorf("slapolicy: %s: %w", p.Version, err)
	}
	return p, nil
}

var national = sync.OnceValues(func() (Policy, error) {
	data, err := catalog.FS.ReadFile(NationalFile)
	if err != nil {
		return Policy{}, fmt.Errorf("slapolicy: read %s: %w", NationalFile, err)
	}
	return ParsePolicy(data)
})

// DefaultNational is the embedded national policy lapor-national-1. It panics
// if the shipped file is broken, which the package tests rule out.
func DefaultNational() Policy {
	p, err := national()
	if err != nil {
		panic(err)
	}
	return p.Clone()
}

// Clone returns a deep copy, so callers may edit rules without touching others.
func (p Policy) Clone() Policy {
	c := p
	c.Rules = make([]Rule, len(p.Rules))
	for i, r := range p.Rules {
		r.Limits = maps.Clone(r.Limits)
		c.Rules[i] = r
	}
	return c
}
