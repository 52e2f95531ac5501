package commitments

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tanggap-id/tanggap/internal/commitment"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/stats"
	"github.com/tanggap-id/tanggap/internal/store"
)

// Rules stated beside the figures (the methodology page shows them too).
const (
	EachPartyRule = "each_party: every party is measured on its own against the target; the target's status is the worst " +
		"party status (missed > off_track > at_risk > on_track > achieved), parties without data aside."
	GroupRule = "group_average / group_total: the unweighted mean (or the sum) of the parties' values is measured against " +
		"the target; a group rate total pools the parties' complaints. Parties without a value are left out and listed."
	IndexRule = "SPBE index values are the final-stage evaluation results (published by KemenPAN-RB, else computed from " +
		"assessments), each dated at the end of its evaluation year; projected indices feed only the trend."
	RateRule = "A rate is successes ÷ complaints of the measurement period from its start to today (to the deadline once " +
		"it has passed); without a measurement period the period runs from the day after the baseline to the deadline."
)

// Progress is a commitment measured on a day, under the version in force that day.
type Progress struct {
	Commitment domain.CommitmentVersion `json:"commitment"`
	AsOf       time.Time                `json:"as_of"`
	// Withdrawn: the version in force withdraws the commitment; nothing is measured.
	Withdrawn bool `json:"withdrawn"`
	// NotYet: no version is in force yet on AsOf.
	NotYet     bool             `json:"not_yet,omitempty"`
	StatusRule string           `json:"status_rule"`
	Targets    []TargetProgress `json:"targets"`
}

// GroupPoint is an official value of a target's metric: one party's, or the
// group's mean or sum over the parties with a value that year.
type GroupPoint struct {
	Year    int       `json:"year"`
	At      time.Time `json:"at"`
	Value   float64   `json:"value"`
	N       int       `json:"n"`
	Missing []string  `json:"missing,omitempty"`
}

// TargetProgress is one target's baseline → now → target with its status.
type TargetProgress struct {
	Target           domain.Target           `json:"target"`
	Kind             domain.MetricKind       `json:"kind"`
	BaselineComputed bool                    `json:"baseline_computed"`
	Status           domain.CommitmentStatus `json:"status"`
	Rule             string                  `json:"rule"`
	// Evaluation is the group's (group scopes), the single party's, or the worst party's (each_party).
	Evaluation commitment.Evaluation      `json:"evaluation"`
	Period     *stats.Period              `json:"period,omitempty"`
	Budget     *commitment.ErrorBudget    `json:"budget,omitempty"`
	Projection *commitment.Projection     `json:"projection,omitempty"`
	Group      *commitment.GroupBreakdown `json:"group,omitempty"`
	// Official lists evaluation results (index metrics), per year.
	Official []GroupPoint    `json:"official,omitempty"`
	Parties  []PartyProgress `json:"parties"`
	Notes    []string        `json:"notes,omitempty"`
}

// PartyProgress is one party's value and status for a target.
type PartyProgress struct {
	Agency     string                  `json:"agency_code"`
	Name       string                  `json:"name"`
	Value      *float64                `json:"value"`
	N          int                     `json:"n,omitempty"`
	Evaluation commitment.Evaluation   `json:"evaluation"`
	Budget     *commitment.ErrorBudget `json:"budget,omitempty"`
	Projection *commitment.Projection  `json:"projection,omitempty"`
	Official   []GroupPoint            `json:"official,omitempty"`
}

// Progress measures a commitment on the date of at with the version in force then.
func (s *Service) Progress(ctx context.Context, slug string, at time.Time) (Progress, error) {
	versions, err := s.store.CommitmentVersions(ctx, slug)
	if err != nil {
		return Progress{}, err
	}
	history, err := s.store.CommitmentSnapshots(ctx, slug, "")
	if err != nil {
		return Progress{}, err
	}
	return s.progress(ctx, versions, history, at)
}

func (s *Service) progress(ctx context.Context, versions []domain.CommitmentVersion, history []store.CommitmentSnapshot, at time.Time) (Progress, error) {
	today := s.today(at)
	p := Progress{AsOf: today, StatusRule: commitment.StatusRule}
	plain := make([]domain.Commitment, len(versions))
	for i, v := range versions {
		plain[i] = v.Commitment
	}
	inForce, ok := commitment.InForce(plain, today)
	if !ok {
		p.Commitment, p.NotYet = versions[0], true
		return p, nil
	}
	for _, v := range versions {
		if v.Version == inForce.Version {
			p.Commitment = v
		}
	}
	if p.Commitment.State == domain.CommitmentWithdrawn {
		p.Withdrawn = true
		return p, nil
	}
	for _, t := range p.Commitment.Targets {
		tp, err := s.measureTarget(ctx, p.Commitment, t, history, today)
		if err != nil {
			return p, fmt.Errorf("commitment %s target %s: %w", p.Commitment.ID, t.ID, err)
		}
		p.Targets = append(p.Targets, tp)
	}
	return p, nil
}

// severity orders statuses for "the worst party".
func severity(st domain.CommitmentStatus) int {
	switch st {
	case domain.StatusMissed:
		return 5
	case domain.StatusOffTrack:
		return 4
	case domain.StatusAtRisk:
		return 3
	case domain.StatusOnTrack:
		return 2
	case domain.StatusAchieved:
		return 1
	}
	return 0
}

// partyMeasure is what one party's data says about a target.
type partyMeasure struct {
	current   *float64
	n         int
	obs       []commitment.Observation // for Status
	official  []commitment.Observation // index evaluations
	projected []commitment.Observation // index projections (the trend's snapshots)
	daily     []commitment.DailyCount
	period    *stats.Period
	asOf      time.Time
	points    []IndexPoint
}

// ratePeriod is the period a rate or complaint level is measured over and
// the last day counted on today (false: the period has not started).
func ratePeriod(t domain.Target, today time.Time) (stats.Period, time.Time, bool) {
	until := today
	if dl := stats.Date(t.Deadline); until.After(dl) {
		until = dl
	}
	var p stats.Period
	if t.MeasurementPeriod != "" {
		pp, err := stats.ParsePeriod(t.MeasurementPeriod, until)
		if err != nil {
			return p, until, false
		}
		p = pp
	} else {
		start := stats.Date(t.BaselineAsOf).AddDate(0, 0, 1)
		end := stats.Date(t.Deadline)
		p = stats.Period{Kind: "custom", Key: start.Format(time.DateOnly) + ".." + end.Format(time.DateOnly), Start: start, End: end}
	}
	asOf := until
	if asOf.After(p.End) {
		asOf = p.End
	}
	return p, asOf, !asOf.Before(p.Start)
}

func (s *Service) measureParty(ctx context.Context, t domain.Target, party string, today time.Time, snaps []commitment.Observation) (partyMeasure, error) {
	var m partyMeasure
	switch {
	case t.Metric == domain.MetricSPBEIndex || isDomainMetric(t.Metric):
		if s.index == nil {
			return m, nil
		}
		pts, err := s.index.IndexPoints(ctx, party, t.Metric)
		if err != nil {
			return m, err
		}
		for _, pt := range pts {
			if pt.At.After(today) {
				continue
			}
			o := commitment.Observation{At: pt.At, Value: pt.Value}
			if pt.Official() {
				m.official = append(m.official, o)
				m.points = append(m.points, pt)
				v := pt.Value
				m.current = &v
			} else {
				m.projected = append(m.projected, o)
			}
		}
		m.obs = m.official
	case t.Metric.Kind() == domain.MetricKindRate:
		p, asOf, started := ratePeriod(t, today)
		m.period, m.asOf = &p, asOf
		if s.rates == nil || !started {
			return m, nil
		}
		daily, err := s.rates.DailyCounts(ctx, RateQuery{Agency: party, Metric: t.Metric, WithinDays: t.WorkingDayLimit, From: p.Start, To: asOf})
		if err != nil {
			return m, err
		}
		m.daily = daily
		succ := 0
		for _, d := range daily {
			if d.Date.Before(p.Start) || stats.Date(d.Date).After(asOf) {
				continue
			}
			m.n += d.N
			succ += d.Successes
		}
		if m.n > 0 {
			v := float64(succ) / float64(m.n)
			m.current = &v
			m.obs = []commitment.Observation{{At: asOf, Value: v, N: m.n}}
		}
	default: // complaint levels: median days, overdue count
		p, asOf, started := ratePeriod(t, today)
		m.period, m.asOf = &p, asOf
		m.obs = slices.Clone(snaps)
		if s.rates == nil || !started {
			return m, nil
		}
		v, n, err := s.rates.Level(ctx, RateQuery{Agency: party, Metric: t.Metric, WithinDays: t.WorkingDayLimit, From: p.Start, To: asOf})
		if err != nil {
			return m, err
		}
		m.n = n
		if v != nil {
			val := *v
			m.current = &val
			m.obs = append(m.obs, commitment.Observation{At: asOf, Value: val, N: n})
		}
	}
	return m, nil
}

func isDomainMetric(m domain.Metric) bool { _, ok := m.SPBEDomain(); return ok }

func (s *Service) partyName(ctx context.Context, code string) string {
	a, err := s.agencies.Get(ctx, code)
	if err != nil {
		return code
	}
	return a.Name
}

// snapshotObs turns stored snapshots of a target and party into observations.
func snapshotObs(history []store.CommitmentSnapshot, target, party string, before time.Time) []commitment.Observation {
	var out []commitment.Observation
	for _, h := range history {
		if h.Target == target && h.Party == party && h.Value != nil && h.On.Before(before) {
			out = append(out, commitment.Observation{At: h.On, Value: *h.Value, N: h.N})
		}
	}
	return out
}

func yearPoints(pts []IndexPoint) []GroupPoint {
	out := make([]GroupPoint, 0, len(pts))
	for _, p := range pts {
		out = append(out, GroupPoint{Year: p.Year, At: p.At, Value: p.Value, N: 1})
	}
	return out
}

func (s *Service) measureTarget(ctx context.Context, c domain.CommitmentVersion, t domain.Target, history []store.CommitmentSnapshot, today time.Time) (TargetProgress, error) {
	tp := TargetProgress{Target: t, Kind: t.Metric.Kind(), BaselineComputed: slices.Contains(c.ComputedBaselines, t.ID)}
	parties := c.TargetParties(t)
	index := t.Metric == domain.MetricSPBEIndex || isDomainMetric(t.Metric)
	measures := make(map[string]partyMeasure, len(parties))
	for _, code := range parties {
		m, err := s.measureParty(ctx, t, code, today, snapshotObs(history, t.ID, code, today))
		if err != nil {
			return tp, err
		}
		measures[code] = m
		pp := PartyProgress{Agency: code, Name: s.partyName(ctx, code), Value: m.current, N: m.n,
			Evaluation: s.rules.Status(t, m.obs, today), Official: yearPoints(m.points)}
		if tp.Period == nil {
			tp.Period = m.period
		}
		switch {
		case tp.Kind == domain.MetricKindRate && m.period != nil && !m.asOf.Before(m.period.Start):
			b, err := commitment.ComputeErrorBudget(t.Value, *m.period, m.daily, m.asOf)
			if err != nil {
				return tp, err
			}
			pp.Budget = &b
		case index:
			pr := commitment.ProjectLevel(t, m.projected, m.official, today)
			pp.Projection = &pr
		case tp.Kind == domain.MetricKindLevel:
			pr := commitment.ProjectLevel(t, m.obs, nil, today)
			pp.Projection = &pr
		}
		tp.Parties = append(tp.Parties, pp)
	}
	if index {
		tp.Rule = IndexRule + " "
	} else {
		tp.Rule = RateRule + " "
	}
	switch t.Scope {
	case domain.ScopeGroupAverage, domain.ScopeGroupTotal:
		tp.Rule += GroupRule
		if err := s.measureGroup(ctx, &tp, t, parties, measures, history, today, index); err != nil {
			return tp, err
		}
	default:
		if t.Scope == domain.ScopeEachParty {
			tp.Rule += EachPartyRule
		}
		worst := -1
		for i, pp := range tp.Parties {
			if worst < 0 || severity(pp.Evaluation.Status) > severity(tp.Parties[worst].Evaluation.Status) {
				worst = i
			}
		}
		if worst >= 0 {
			tp.Evaluation = tp.Parties[worst].Evaluation
			if len(tp.Parties) == 1 {
				tp.Budget, tp.Projection, tp.Official = tp.Parties[0].Budget, tp.Parties[0].Projection, tp.Parties[0].Official
			}
		}
	}
	tp.Status = tp.Evaluation.Status
	if tp.Kind == domain.MetricKindRate && s.rates == nil {
		tp.Notes = append(tp.Notes, "no complaint metrics source is configured")
	}
	if index && s.index == nil {
		tp.Notes = append(tp.Notes, "no SPBE index source is configured")
	}
	return tp, nil
}

func combine(scope domain.TargetScope, xs []float64) float64 {
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	if scope == domain.ScopeGroupTotal {
		return sum
	}
	return sum / float64(len(xs))
}

func (s *Service) measureGroup(ctx context.Context, tp *TargetProgress, t domain.Target, parties []string, measures map[string]partyMeasure,
	history []store.CommitmentSnapshot, today time.Time, index bool) error {
	var values []commitment.PartyValue
	for _, code := range parties {
		values = append(values, commitment.PartyValue{AgencyCode: code, Value: measures[code].current})
	}
	var obs []commitment.Observation
	switch {
	case index:
		// One group point per evaluation year over the parties with a result that year.
		years := map[int][]float64{}
		has := map[int]map[string]bool{}
		for _, code := range parties {
			for _, pt := range measures[code].points {
				years[pt.Year] = append(years[pt.Year], pt.Value)
				if has[pt.Year] == nil {
					has[pt.Year] = map[string]bool{}
				}
				has[pt.Year][code] = true
			}
		}
		keys := make([]int, 0, len(years))
		for y := range years {
			keys = append(keys, y)
		}
		slices.Sort(keys)
		for _, y := range keys {
			gp := GroupPoint{Year: y, At: time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC), Value: combine(t.Scope, years[y]), N: len(years[y])}
			for _, code := range parties {
				if !has[y][code] {
					gp.Missing = append(gp.Missing, code)
				}
			}
			tp.Official = append(tp.Official, gp)
			obs = append(obs, commitment.Observation{At: gp.At, Value: gp.Value})
		}
		pr := commitment.ProjectLevel(t, nil, obs, today)
		tp.Projection = &pr
		// The group's current value is the latest year's, even if a party's newest result is older.
		if len(keys) > 0 {
			latest := keys[len(keys)-1]
			for i := range values {
				values[i].Value = nil
				for _, pt := range measures[values[i].AgencyCode].points {
					if pt.Year == latest {
						v := pt.Value
						values[i].Value = &v
					}
				}
			}
		}
	case tp.Kind == domain.MetricKindRate && t.Scope == domain.ScopeGroupTotal:
		var pooled []commitment.DailyCount
		var period *stats.Period
		var asOf time.Time
		for _, code := range parties {
			m := measures[code]
			pooled = append(pooled, m.daily...)
			period, asOf = m.period, m.asOf
		}
		n, succ := 0, 0
		for _, d := range pooled {
			if period != nil && period.Contains(d.Date) && !stats.Date(d.Date).After(asOf) {
				n += d.N
				succ += d.Successes
			}
		}
		if n > 0 {
			obs = []commitment.Observation{{At: asOf, Value: float64(succ) / float64(n), N: n}}
		}
		if period != nil && !asOf.Before(period.Start) {
			b, err := commitment.ComputeErrorBudget(t.Value, *period, pooled, asOf)
			if err != nil {
				return err
			}
			tp.Budget = &b
		}
	default:
		var known []float64
		n := 0
		asOf := today
		for _, code := range parties {
			m := measures[code]
			if m.period != nil {
				asOf = m.asOf
			}
			// Rates below the minimum n are not a value yet.
			if m.current != nil && (tp.Kind != domain.MetricKindRate || m.n >= s.minN()) {
				known = append(known, *m.current)
				n += m.n
			}
		}
		obs = snapshotObs(history, t.ID, "", today)
		if len(known) > 0 {
			obs = append(obs, commitment.Observation{At: asOf, Value: combine(t.Scope, known), N: max(n, s.minN())})
		}
		if tp.Kind == domain.MetricKindLevel {
			pr := commitment.ProjectLevel(t, obs, nil, today)
			tp.Projection = &pr
		}
	}
	tp.Evaluation = s.rules.Status(t, obs, today)
	if g, err := commitment.Group(t, values); err == nil {
		tp.Group = &g
	} else {
		tp.Notes = append(tp.Notes, err.Error())
	}
	return nil
}

func (s *Service) minN() int {
	if s.rules.MinN > 0 {
		return s.rules.MinN
	}
	return stats.DefaultMinN
}

// baselineFromData computes a target's baseline on its as-of date: the
// latest official index by then, or the rate / level over the 90 days ending
// then, combined over the parties by the target's scope.
func (s *Service) baselineFromData(ctx context.Context, c domain.Commitment, t domain.Target) (*float64, error) {
	asOf := stats.Date(t.BaselineAsOf)
	probe := t
	probe.MeasurementPeriod = "rolling90"
	probe.Deadline = asOf
	var values []float64
	n, succ := 0, 0
	for _, code := range c.TargetParties(t) {
		m, err := s.measureParty(ctx, probe, code, asOf, nil)
		if err != nil {
			return nil, err
		}
		if t.Scope == domain.ScopeGroupTotal && t.Metric.Kind() == domain.MetricKindRate {
			for _, d := range m.daily {
				n += d.N
				succ += d.Successes
			}
			continue
		}
		if m.current != nil && (t.Metric.Kind() != domain.MetricKindRate || m.n >= s.minN()) {
			values = append(values, *m.current)
		}
	}
	if t.Scope == domain.ScopeGroupTotal && t.Metric.Kind() == domain.MetricKindRate {
		if n < s.minN() {
			return nil, nil
		}
		v := float64(succ) / float64(n)
		return &v, nil
	}
	if len(values) == 0 {
		return nil, nil
	}
	v := combine(t.Scope, values)
	return &v, nil
}
