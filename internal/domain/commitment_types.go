package domain

import (
	"strings"
	"time"
)

// Metric names what a commitment target measures (design §3.6).
type Metric string

const (
	MetricSPBEIndex               Metric = "spbe_index"
	MetricLAPORResponseRate       Metric = "lapor_response_rate"
	MetricFirstResponseOnTime     Metric = "first_response_on_time"
	MetricCompletionOnTime        Metric = "completion_on_time"
	MetricMedianFirstResponseDays Metric = "median_first_response_days"
	MetricOverdueOpen             Metric = "overdue_open"
	// MetricSPBEDomainPrefix prefixes one SPBE domain's index, e.g. "spbe_domain:D4".
	MetricSPBEDomainPrefix = "spbe_domain:"
)

// MetricKind says how a metric is tracked: rates have an error budget, levels a trend projection.
type MetricKind string

const (
	MetricKindRate  MetricKind = "rate"  // a share of complaints, 0..1
	MetricKindLevel MetricKind = "level" // an index, a number of days or a count
)

// Valid reports whether m is a known metric (any "spbe_domain:<code>" with a non-empty code).
func (m Metric) Valid() bool {
	switch m {
	case MetricSPBEIndex, MetricLAPORResponseRate, MetricFirstResponseOnTime, MetricCompletionOnTime,
		MetricMedianFirstResponseDays, MetricOverdueOpen:
		return true
	}
	code, ok := m.SPBEDomain()
	return ok && code != ""
}

// SPBEDomain returns the domain code of an "spbe_domain:<code>" metric.
func (m Metric) SPBEDomain() (string, bool) {
	return strings.CutPrefix(string(m), MetricSPBEDomainPrefix)
}

// Kind classifies the metric; unknown metrics are levels.
func (m Metric) Kind() MetricKind {
	switch m {
	case MetricLAPORResponseRate, MetricFirstResponseOnTime, MetricCompletionOnTime:
		return MetricKindRate
	}
	return MetricKindLevel
}

// UsesWorkingDayLimit reports whether a target on m may carry its own working-day limit.
func (m Metric) UsesWorkingDayLimit() bool {
	return m == MetricFirstResponseOnTime || m == MetricCompletionOnTime || m == MetricMedianFirstResponseDays
}

// TargetScope says over which parties a target is measured.
type TargetScope string

const (
	ScopeEachParty    TargetScope = "each_party"    // every party on its own
	ScopeGroupAverage TargetScope = "group_average" // unweighted mean over the parties
	ScopeGroupTotal   TargetScope = "group_total"   // sum over the parties
	ScopeSingle       TargetScope = "single"        // one agency
)

// TargetScopes lists every scope.
var TargetScopes = []TargetScope{ScopeEachParty, ScopeGroupAverage, ScopeGroupTotal, ScopeSingle}

// Valid reports whether s is a known scope.
func (s TargetScope) Valid() bool {
	for _, v := range TargetScopes {
		if v == s {
			return true
		}
	}
	return false
}

// Direction says which way a target is met.
type Direction string

const (
	DirectionIncrease Direction = "increase" // met when value >= target
	DirectionDecrease Direction = "decrease" // met when value <= target
)

// ParseDirection accepts "increase"/"at_least" and "decrease"/"at_most".
func ParseDirection(s string) (Direction, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "increase", "at_least":
		return DirectionIncrease, true
	case "decrease", "at_most":
		return DirectionDecrease, true
	}
	return "", false
}

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool { return d == DirectionIncrease || d == DirectionDecrease }

// Meets reports whether value meets target in this direction (equality meets).
func (d Direction) Meets(value, target float64) bool {
	if d == DirectionDecrease {
		return value <= target
	}
	return value >= target
}

// Target is one measurable promise of a commitment. Dates are calendar dates:
// only their year, month and day are read.
type Target struct {
	// ID is stable across versions of the commitment so a revision can be matched.
	ID     string      `json:"id"`
	Metric Metric      `json:"metric"`
	Scope  TargetScope `json:"scope"`
	// Parties narrows the commitment's parties for this target (empty: all of them).
	Parties      []string  `json:"parties,omitempty"`
	Baseline     float64   `json:"baseline"`
	BaselineAsOf time.Time `json:"baseline_as_of"`
	Value        float64   `json:"value"`
	Direction    Direction `json:"direction"`
	// MeasurementPeriod is a period key (2025, 2025-Q1, 2025-03, rolling90) over which rates are measured.
	MeasurementPeriod string    `json:"measurement_period,omitempty"`
	Deadline          time.Time `json:"deadline"`
	// WorkingDayLimit is a stricter limit than the legal one for response-time targets; 0 = legal limit.
	WorkingDayLimit int `json:"working_day_limit,omitempty"`
}

// Commitment is one version of a signed commitment (design §3.6). A revision
// is a new version with a later EffectiveFrom; old versions are kept.
type Commitment struct {
	ID              string    `json:"id"`
	Version         int       `json:"version"`
	EffectiveFrom   time.Time `json:"effective_from"`
	Title           string    `json:"title"`
	Number          string    `json:"number,omitempty"`
	SignedOn        time.Time `json:"signed_on"`
	SignatoryName   string    `json:"signatory_name"`
	SignatoryOffice string    `json:"signatory_office"`
	DocumentURL     string    `json:"document_url,omitempty"`
	Parties         []string  `json:"parties"`
	Targets         []Target  `json:"targets"`
}

// TargetByID returns the target with the given id.
func (c *Commitment) TargetByID(id string) (Target, bool) {
	for _, t := range c.Targets {
		if t.ID == id {
			return t, true
		}
	}
	return Target{}, false
}

// TargetParties returns the parties a target is measured over.
func (c *Commitment) TargetParties(t Target) []string {
	if len(t.Parties) > 0 {
		return t.Parties
	}
	return c.Parties
}

// CommitmentStatus is a target's standing on a day.
type CommitmentStatus string

const (
	StatusAchieved CommitmentStatus = "achieved"
	StatusOnTrack  CommitmentStatus = "on_track"
	StatusAtRisk   CommitmentStatus = "at_risk"
	StatusOffTrack CommitmentStatus = "off_track"
	StatusMissed   CommitmentStatus = "missed"
	// StatusNoData: no usable observation yet (none, or rates below the minimum n).
	StatusNoData CommitmentStatus = "no_data"
)
