package workspace

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/commitment"
	"github.com/tanggap-id/tanggap/internal/commitments"
	"github.com/tanggap-id/tanggap/internal/domain"
)

// CommitmentReader is what the supervisor view needs of the commitments
// service.
type CommitmentReader interface {
	List(ctx context.Context, party string, withdrawn bool) ([]commitments.Summary, error)
	Progress(ctx context.Context, slug string, at time.Time) (commitments.Progress, error)
}

// WithCommitments enables the supervisor view.
func (s *Service) WithCommitments(c CommitmentReader) *Service {
	s.commitments = c
	return s
}

// HasCommitments reports whether the supervisor view is available.
func (s *Service) HasCommitments() bool { return s.commitments != nil }

// Trends of a party's value, read from its projection's slope against the
// target's direction.
const (
	TrendImproving = "improving"
	TrendWorsening = "worsening"
	TrendFlat      = "flat"
	TrendUnknown   = "unknown"
)

// SupervisedParty is one party's standing on one target.
type SupervisedParty struct {
	AgencyCode string
	Name       string
	InScope    bool // inside the viewer's subtree
	Status     domain.CommitmentStatus
	Value      *float64
	N          int
	Budget     *commitment.ErrorBudget
	Trend      string
	Slope      *float64 // per year
}

// SupervisedTarget is one target of a commitment with its parties, and for
// group targets the parties whose catching up would lift the group most.
type SupervisedTarget struct {
	ID        string
	Metric    domain.Metric
	Kind      domain.MetricKind
	Scope     domain.TargetScope
	Direction domain.Direction
	Target    float64
	Deadline  time.Time
	Status    domain.CommitmentStatus
	Group     *commitment.GroupBreakdown
	Movers    []commitment.PartyContribution
	Parties   []SupervisedParty
}

// SupervisedCommitment is a commitment the viewer's subtree is party to.
type SupervisedCommitment struct {
	Slug, Title, LeadAgency string
	Targets                 []SupervisedTarget
}

// Supervision is the supervisor view.
type Supervision struct {
	AsOf        time.Time
	Commitments []SupervisedCommitment
}

// ErrNoCommitments: the commitments service is not wired in.
var ErrNoCommitments = errors.New("workspace: commitments are not available")

// maxMovers is how many parties the "moves the group most" list shows.
const maxMovers = 3

// Supervise returns, for each active commitment with a party (or its lead
// agency) in the viewer's subtree, every target's parties with status,
// error budget and trend, and the parties that move a group value most.
func (s *Service) Supervise(ctx context.Context, cur Current, now time.Time) (Supervision, error) {
	if s.commitments == nil {
		return Supervision{}, ErrNoCommitments
	}
	root, err := scopePath(cur.User)
	if err != nil {
		return Supervision{}, err
	}
	paths := map[string]string{}
	inScope := func(code string) (bool, error) {
		if root == "" {
			return true, nil
		}
		p, ok := paths[code]
		if !ok {
			var err error
			if p, err = s.store.AgencyPath(ctx, code); err != nil && !errors.Is(err, domain.ErrNotFound) {
				return false, err
			}
			paths[code] = p
		}
		return p != "" && strings.HasPrefix(p, root), nil
	}
	list, err := s.commitments.List(ctx, "", false)
	if err != nil {
		return Supervision{}, err
	}
	out := Supervision{AsOf: now}
	for _, sum := range list {
		c := sum.Latest
		ours, err := inScope(c.LeadAgency)
		if err != nil {
			return Supervision{}, err
		}
		for _, p := range c.Parties {
			if ours {
				break
			}
			if ours, err = inScope(p); err != nil {
				return Supervision{}, err
			}
		}
		if !ours {
			continue
		}
		prog, err := s.commitments.Progress(ctx, c.ID, now)
		if err != nil {
			return Supervision{}, err
		}
		sc := SupervisedCommitment{Slug: c.ID, Title: c.Title, LeadAgency: c.LeadAgency}
		for _, tp := range prog.Targets {
			st := SupervisedTarget{ID: tp.Target.ID, Metric: tp.Target.Metric, Kind: tp.Kind, Scope: tp.Target.Scope,
				Direction: tp.Target.Direction, Target: tp.Target.Value, Deadline: tp.Target.Deadline, Status: tp.Status, Group: tp.Group}
			if tp.Group != nil {
				movers := append([]commitment.PartyContribution(nil), tp.Group.Parties...)
				sort.SliceStable(movers, func(i, j int) bool { return movers[i].Lift > movers[j].Lift })
				for _, m := range movers {
					if len(st.Movers) == maxMovers || m.Lift <= 0 {
						break
					}
					st.Movers = append(st.Movers, m)
				}
			}
			for _, pp := range tp.Parties {
				in, err := inScope(pp.Agency)
				if err != nil {
					return Supervision{}, err
				}
				sp := SupervisedParty{AgencyCode: pp.Agency, Name: pp.Name, InScope: in, Status: pp.Evaluation.Status, Value: pp.Value,
					N: pp.N, Budget: pp.Budget, Trend: TrendUnknown}
				if pp.Projection != nil && pp.Projection.SlopePerYear != nil {
					sp.Slope = pp.Projection.SlopePerYear
					sp.Trend = trendOf(*pp.Projection.SlopePerYear, tp.Target.Direction)
				}
				st.Parties = append(st.Parties, sp)
			}
			sc.Targets = append(sc.Targets, st)
		}
		out.Commitments = append(out.Commitments, sc)
	}
	return out, nil
}

func trendOf(slope float64, dir domain.Direction) string {
	const eps = 1e-9
	switch {
	case slope > eps && dir == domain.DirectionIncrease, slope < -eps && dir == domain.DirectionDecrease:
		return TrendImproving
	case slope > eps || slope < -eps:
		return TrendWorsening
	}
	return TrendFlat
}
