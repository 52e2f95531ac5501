package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/commitment"
	"github.com/tanggap-id/tanggap/internal/commitments"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/web/charts"
)

// CommitmentReader is what the commitment pages need of the service.
type CommitmentReader interface {
	List(ctx context.Context, party string, withdrawn bool) ([]commitments.Summary, error)
	Progress(ctx context.Context, slug string, at time.Time) (commitments.Progress, error)
	Versions(ctx context.Context, slug string) ([]domain.CommitmentVersion, error)
	Series(ctx context.Context, slug, target string) ([]store.CommitmentSnapshot, error)
}

// WithCommitments adds the commitments board (/komitmen) and pages
// (/komitmen/{slug}); now is the clock the progress is read on.
func (s *Site) WithCommitments(r CommitmentReader, now func() time.Time) *Site {
	s.commitments, s.commitmentsNow = r, now
	return s
}

func (s *Site) registerCommitments(r *gin.Engine) {
	if s.commitments == nil {
		return
	}
	r.GET("/komitmen", s.public(s.commitmentBoard))
	r.GET("/komitmen/:slug", s.public(s.commitmentPage))
}

// cval is a metric value formatted by its kind.
type cval struct {
	V        float64
	OK       bool
	Rate     bool
	Decimals int
}

func valueOf(m domain.Metric, v *float64) cval {
	c := cval{Rate: m.Kind() == domain.MetricKindRate, Decimals: 2}
	switch m {
	case domain.MetricMedianFirstResponseDays:
		c.Decimals = 1
	case domain.MetricOverdueOpen:
		c.Decimals = 0
	}
	if v != nil {
		c.V, c.OK = *v, true
	}
	return c
}

func fval(m domain.Metric, v float64) cval { return valueOf(m, &v) }

// plain is a number that is not a metric value (a burn rate, a lift).
func plain(v *float64, decimals int) cval {
	if v == nil {
		return cval{}
	}
	return cval{V: *v, OK: true, Decimals: decimals}
}

// CommitmentTargetRow is one target on the board, a commitment page or an agency page.
type CommitmentTargetRow struct {
	ID, Metric, Scope     string
	DomainCode            string
	Direction             domain.Direction
	Baseline, Now, Target cval
	BaselineAsOf          time.Time
	BaselineComputed      bool
	Deadline              time.Time
	Status                domain.CommitmentStatus
	Reason                string
	Rule                  string
	Official              []officialRow
	// Forecast: a projection (levels) or the error budget (rates).
	ProjectedAtDeadline cval
	ReachesOn           time.Time // zero: not on this trend
	ProjectionMethod    string
	HasBudget           bool
	CanAbsorb           int
	RunsOut             time.Time // zero: not at the current pace
	Burn7, Burn30       cval
	BudgetMethod        string
	Parties             []partyRow
	Chart               *seriesChart
	Notes               []string
	WorkingDayLimit     int
	Period              string
	Progress            template.HTML // baseline → now → target, set per language by the page
	scaleMax            float64       // the axis end of Progress: 1 for rates, 5 for an index
}

type officialRow struct {
	Year    int
	Value   cval
	N       int
	Missing int
}

type partyRow struct {
	Code, Name string
	Value      cval
	N          int
	Status     domain.CommitmentStatus
	Reason     string
	Lift       cval
	HasBudget  bool
	CanAbsorb  int
}

// CommitmentCard is a commitment with its targets' progress.
type CommitmentCard struct {
	Slug, Title, Number   string
	SignedOn              time.Time
	SignatoryName, Office string
	DocumentURL           string
	Lead                  string
	Parties               int
	Version               int
	Targets               []CommitmentTargetRow
}

// metricKey is the message key suffix of a metric and the SPBE domain code it names, if any.
func metricKey(m domain.Metric) (string, string) {
	if code, ok := m.SPBEDomain(); ok {
		return "spbe_domain", code
	}
	return string(m), ""
}

func targetRow(tp commitments.TargetProgress) CommitmentTargetRow {
	t := tp.Target
	metric, code := metricKey(t.Metric)
	r := CommitmentTargetRow{scaleMax: scaleMax(t.Metric, &t.Baseline, &t.Value, tp.Evaluation.Current), ID: t.ID, Metric: metric, DomainCode: code, Scope: string(t.Scope), Direction: t.Direction,
		Baseline: fval(t.Metric, t.Baseline), Now: valueOf(t.Metric, tp.Evaluation.Current), Target: fval(t.Metric, t.Value),
		BaselineAsOf: t.BaselineAsOf, BaselineComputed: tp.BaselineComputed, Deadline: t.Deadline, Status: tp.Status,
		Reason: tp.Evaluation.Reason, Rule: tp.Rule, Notes: tp.Notes, WorkingDayLimit: t.WorkingDayLimit}
	if tp.Period != nil {
		r.Period = tp.Period.String()
	}
	for _, o := range tp.Official {
		r.Official = append(r.Official, officialRow{Year: o.Year, Value: fval(t.Metric, o.Value), N: o.N, Missing: len(o.Missing)})
	}
	if p := tp.Projection; p != nil {
		r.ProjectedAtDeadline, r.ProjectionMethod = valueOf(t.Metric, p.ValueAtDeadline), p.Method
		if p.ReachesTargetOn != nil {
			r.ReachesOn = *p.ReachesTargetOn
		}
	}
	if b := tp.Budget; b != nil && b.CanAbsorb != nil {
		r.HasBudget, r.CanAbsorb, r.BudgetMethod = true, *b.CanAbsorb, b.Method
		r.Burn7, r.Burn30 = plain(b.BurnRate7, 2), plain(b.BurnRate30, 2)
		if b.RunsOutOn != nil {
			r.RunsOut = *b.RunsOutOn
		}
	}
	lift := map[string]float64{}
	if tp.Group != nil {
		for _, pc := range tp.Group.Parties {
			lift[pc.AgencyCode] = pc.Lift
		}
	}
	for _, pp := range tp.Parties {
		pr := partyRow{Code: pp.Agency, Name: pp.Name, Value: valueOf(t.Metric, pp.Value), N: pp.N, Status: pp.Evaluation.Status, Reason: pp.Evaluation.Reason}
		if l, ok := lift[pp.Agency]; ok {
			pr.Lift = plain(&l, 3)
		}
		if pp.Budget != nil && pp.Budget.CanAbsorb != nil {
			pr.HasBudget, pr.CanAbsorb = true, *pp.Budget.CanAbsorb
		}
		r.Parties = append(r.Parties, pr)
	}
	return r
}

// scaleMax is where a progress axis ends: the whole range of a rate or an
// SPBE index (so a small change looks small), else a margin above the
// largest value.
func scaleMax(m domain.Metric, vals ...*float64) float64 {
	if m.Kind() == domain.MetricKindRate {
		return 1
	}
	if _, ok := m.SPBEDomain(); ok || m == domain.MetricSPBEIndex {
		return 5
	}
	hi := 1.0
	for _, v := range vals {
		if v != nil {
			hi = max(hi, *v)
		}
	}
	return hi * 1.2
}

// withProgress draws each target's progress chart in the page's language.
func withProgress(lang Lang, c *CommitmentCard) {
	tr := translator(lang)
	for i := range c.Targets {
		r := &c.Targets[i]
		format := func(v float64) string {
			if r.Baseline.Rate {
				return FormatPercent(lang, v, 1)
			}
			return FormatNumber(lang, v, r.Baseline.Decimals)
		}
		name := tr("commit.metric." + r.Metric)
		if r.DomainCode != "" {
			name += " " + r.DomainCode
		}
		now := tr("chart.now_unknown")
		if r.Now.OK {
			now = format(r.Now.V)
		}
		p := charts.Progress{Text: charts.Text{ID: "prog-" + c.Slug + "-" + r.ID, Title: tr("chart.progress_title", name),
			Desc: tr("chart.progress_desc", format(r.Baseline.V), now, format(r.Target.V), FormatDate(lang, r.Deadline))},
			Min: 0, Max: r.scaleMax, Baseline: r.Baseline.V, Now: r.Now.V, NowKnown: r.Now.OK, Target: r.Target.V, Format: format,
			BaselineLabel: tr("commit.col.baseline"), NowLabel: tr("commit.col.now"), TargetLabel: tr("commit.col.goal")}
		r.Progress = p.SVG()
	}
}

func card(p commitments.Progress) CommitmentCard {
	c := p.Commitment
	out := CommitmentCard{Slug: c.ID, Title: c.Title, Number: c.Number, SignedOn: c.SignedOn, SignatoryName: c.SignatoryName,
		Office: c.SignatoryOffice, DocumentURL: c.DocumentURL, Lead: c.LeadAgency, Parties: len(c.Parties), Version: c.Version}
	for _, tp := range p.Targets {
		out.Targets = append(out.Targets, targetRow(tp))
	}
	return out
}

type boardData struct {
	Cards []CommitmentCard
	AsOf  time.Time
}

// AgencyCommitments is the view model of an agency's commitments (those it
// signed or is a party to), for the agency page: each with its targets'
// progress and this agency's own row.
func AgencyCommitments(ctx context.Context, r CommitmentReader, code string, now time.Time) ([]CommitmentCard, error) {
	list, err := r.List(ctx, code, false)
	if err != nil {
		return nil, err
	}
	out := make([]CommitmentCard, 0, len(list))
	for _, sm := range list {
		p, err := r.Progress(ctx, sm.Latest.ID, now)
		if err != nil {
			return nil, err
		}
		if p.Withdrawn || p.NotYet {
			continue
		}
		c := card(p)
		for i := range c.Targets {
			var own []partyRow
			for _, pr := range c.Targets[i].Parties {
				if pr.Code == code {
					own = append(own, pr)
				}
			}
			c.Targets[i].Parties = own
		}
		out = append(out, c)
	}
	return out, nil
}

func (s *Site) commitmentClock() time.Time {
	if s.commitmentsNow != nil {
		return s.commitmentsNow()
	}
	return time.Now()
}

func (s *Site) commitmentBoard(c *gin.Context) {
	ctx := c.Request.Context()
	list, err := s.commitments.List(ctx, c.Query("pihak"), false)
	if err != nil {
		s.fail(c, err)
		return
	}
	now := s.commitmentClock()
	d := boardData{}
	for _, sm := range list {
		p, err := s.commitments.Progress(ctx, sm.Latest.ID, now)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.AsOf = p.AsOf
		if p.Withdrawn || p.NotYet {
			continue
		}
		cd := card(p)
		withProgress(s.engine.langOf(c), &cd)
		d.Cards = append(d.Cards, cd)
	}
	s.engine.Render(c, http.StatusOK, "komitmen", "commit.board_title", d)
}

type versionRow struct {
	Version       int
	EffectiveFrom time.Time
	Status        domain.CommitmentState
	Note          string
	Changes       []string
	CreatedBy     string
}

type commitmentData struct {
	Card      CommitmentCard
	Withdrawn bool
	AsOf      time.Time
	Versions  []versionRow
	Parties   []string
	Rule      string
}

// seriesChart is a small inline SVG line of a target's snapshots.
type seriesChart struct {
	Width, Height int
	Points        string
	TargetY       float64
	Rows          []seriesRow
}

type seriesRow struct {
	On     time.Time
	Value  cval
	Status domain.CommitmentStatus
}

func chartOf(m domain.Metric, target float64, snaps []store.CommitmentSnapshot) *seriesChart {
	var pts []store.CommitmentSnapshot
	for _, sn := range snaps {
		if sn.Value != nil {
			pts = append(pts, sn)
		}
	}
	if len(pts) == 0 {
		return nil
	}
	ch := &seriesChart{Width: 320, Height: 80}
	lo, hi := target, target
	for _, p := range pts {
		lo, hi = min(lo, *p.Value), max(hi, *p.Value)
	}
	if hi == lo {
		hi, lo = hi+1, lo-1
	}
	first, last := pts[0].On, pts[len(pts)-1].On
	span := last.Sub(first).Hours()
	y := func(v float64) float64 { return 4 + (hi-v)/(hi-lo)*float64(ch.Height-8) }
	var b strings.Builder
	for i, p := range pts {
		x := 4.0
		if span > 0 {
			x += p.On.Sub(first).Hours() / span * float64(ch.Width-8)
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", x, y(*p.Value))
		ch.Rows = append(ch.Rows, seriesRow{On: p.On, Value: valueOf(m, p.Value), Status: p.Status})
	}
	ch.Points, ch.TargetY = b.String(), y(target)
	return ch
}

func (s *Site) commitmentPage(c *gin.Context) {
	ctx := c.Request.Context()
	slug := c.Param("slug")
	versions, err := s.commitments.Versions(ctx, slug)
	if err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.commitments.Progress(ctx, slug, s.commitmentClock())
	if err != nil {
		s.fail(c, err)
		return
	}
	series, err := s.commitments.Series(ctx, slug, "")
	if err != nil {
		s.fail(c, err)
		return
	}
	d := commitmentData{Card: card(p), Withdrawn: p.Withdrawn, AsOf: p.AsOf, Parties: p.Commitment.Parties, Rule: commitment.StatusRule}
	withProgress(s.engine.langOf(c), &d.Card)
	for i, tp := range p.Targets {
		// The series of the target as a whole (a single party's target is that party's).
		party := ""
		if tp.Target.Scope == domain.ScopeSingle && len(tp.Parties) == 1 {
			party = tp.Parties[0].Agency
		}
		var own []store.CommitmentSnapshot
		for _, sn := range series {
			if sn.Target == tp.Target.ID && sn.Party == party {
				own = append(own, sn)
			}
		}
		d.Card.Targets[i].Chart = chartOf(tp.Target.Metric, tp.Target.Value, own)
	}
	for i := len(versions) - 1; i >= 0; i-- {
		v := versions[i]
		d.Versions = append(d.Versions, versionRow{Version: v.Version, EffectiveFrom: v.EffectiveFrom, Status: v.State, Note: v.ChangeNote,
			Changes: v.Changes, CreatedBy: v.CreatedBy})
	}
	s.engine.RenderTitled(c, http.StatusOK, "commitment", p.Commitment.Title, d)
}
