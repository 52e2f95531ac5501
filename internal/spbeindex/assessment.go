package spbeindex

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/spbe"
	"github.com/tanggap-id/tanggap/internal/store"
)

// Assessment is one government's levels for a year and stage, with the
// index computed from them once every indicator has a level.
type Assessment struct {
	Framework  string                     `json:"framework"`
	Government string                     `json:"government"`
	Year       int                        `json:"year"`
	Stage      domain.SPBEStage           `json:"stage"`
	Levels     []domain.SPBEAssessedLevel `json:"levels"`
	Complete   bool                       `json:"complete"`
	Missing    []int                      `json:"missing,omitempty"` // indicators without a level
	Result     *domain.SPBEIndexResult    `json:"result,omitempty"`
	Changed    int                        `json:"changed"` // levels written by this call
}

func (s *Service) checkKey(ctx context.Context, k *domain.SPBEAssessmentKey) (FrameworkFile, error) {
	ff, err := s.Framework(k.Framework)
	if err != nil {
		return ff, err
	}
	k.Framework = ff.Framework.ID
	if !k.Stage.Valid() {
		return ff, domain.Invalidf("stage", "unknown stage %q; valid: %v", k.Stage, domain.SPBEStages)
	}
	if k.Year < 2018 || k.Year > 2100 {
		return ff, domain.Invalidf("year", "%d is not an evaluation year", k.Year)
	}
	_, err = s.government(ctx, k.Government)
	return ff, err
}

// validateLevels checks a batch against the framework and the government's
// tree; Line in each problem is the 0-based batch index.
func (s *Service) validateLevels(ctx context.Context, fw *spbe.Framework, government string, levels []domain.SPBEAssessedLevel) error {
	v := &domain.ValidationError{Message: "invalid assessment"}
	add := func(i int, field, format string, args ...any) {
		v.Details = append(v.Details, domain.FieldError{Record: "level", Line: i, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if len(levels) == 0 {
		return domain.Invalid("levels", "at least one indicator level is required")
	}
	seen := map[int]bool{}
	for i, l := range levels {
		if _, ok := fw.Indicator(l.Indicator); !ok {
			add(i, "indicator", "framework %s has no indicator %d", fw.ID, l.Indicator)
			continue
		}
		if seen[l.Indicator] {
			add(i, "indicator", "indicator %d given twice", l.Indicator)
		}
		seen[l.Indicator] = true
		if l.Level < fw.LevelMin || l.Level > fw.LevelMax {
			add(i, "level", "must be %d to %d", fw.LevelMin, fw.LevelMax)
		}
		if l.EvidenceURL != "" {
			if u, err := url.Parse(l.EvidenceURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				add(i, "evidence_url", "must be an http(s) link")
			}
		}
		if l.OwnerCode != "" {
			ok, err := s.store.IsInSubtree(ctx, government, l.OwnerCode)
			switch {
			case errors.Is(err, domain.ErrNotFound):
				add(i, "owner", "unknown agency %q", l.OwnerCode)
			case err != nil:
				return err
			case !ok:
				add(i, "owner", "%s is not a unit of %s", l.OwnerCode, government)
			}
		}
		if len(l.Confirmations) > 0 {
			rule, ok := fw.DerivedRuleFor(l.Indicator)
			if !ok {
				add(i, "confirmations", "indicator %d has no derived-level rule to confirm", l.Indicator)
				continue
			}
			known := map[string]bool{}
			for _, p := range rule.Preconditions() {
				known[p.ID] = true
			}
			for id := range l.Confirmations {
				if !known[id] {
					add(i, "confirmations", "unknown precondition %q", id)
				}
			}
		}
	}
	if len(v.Details) > 0 {
		return v
	}
	return nil
}

// PutAssessment writes a batch of indicator levels into one assessment
// (indicators not in the batch keep their levels). The actor needs write
// scope over the government. When every indicator has a level the index is
// computed and appended to the history (source "computed").
func (s *Service) PutAssessment(ctx context.Context, actor access.Principal, k domain.SPBEAssessmentKey, levels []domain.SPBEAssessedLevel) (Assessment, error) {
	ff, err := s.checkKey(ctx, &k)
	if err != nil {
		return Assessment{}, err
	}
	if err := s.access.RequireWrite(ctx, actor, k.Government); err != nil {
		return Assessment{}, err
	}
	if err := s.validateLevels(ctx, ff.Framework, k.Government, levels); err != nil {
		return Assessment{}, err
	}
	var out Assessment
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		before, err := tx.AssessedLevels(ctx, k)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		changed, err := tx.UpsertAssessedLevels(ctx, k, levels, now)
		if err != nil {
			return err
		}
		after, err := tx.AssessedLevels(ctx, k)
		if err != nil {
			return err
		}
		out, err = s.assessment(ctx, ff, k, after)
		if err != nil {
			return err
		}
		out.Changed = changed
		if out.Result != nil {
			out.Result.ComputedAt = now
			if _, err := tx.AppendIndexResult(ctx, *out.Result); err != nil {
				return err
			}
		}
		if changed == 0 {
			return nil
		}
		key := fmt.Sprintf("%s/%s/%d/%s", k.Framework, k.Government, k.Year, k.Stage)
		return s.audit.WithStore(tx).RecordTx(ctx, actor.Actor(), "put", "spbe_assessment", key, before, after)
	})
	return out, err
}

// GetAssessment returns one assessment with its computed index. Assessments
// carry evidence links and notes, so reading them needs a token.
func (s *Service) GetAssessment(ctx context.Context, actor access.Principal, k domain.SPBEAssessmentKey) (Assessment, error) {
	if err := access.RequireReader(actor); err != nil {
		return Assessment{}, err
	}
	ff, err := s.checkKey(ctx, &k)
	if err != nil {
		return Assessment{}, err
	}
	levels, err := s.store.AssessedLevels(ctx, k)
	if err != nil {
		return Assessment{}, err
	}
	if len(levels) == 0 {
		return Assessment{}, fmt.Errorf("no %s assessment of %s for %d: %w", k.Stage, k.Government, k.Year, domain.ErrNotFound)
	}
	return s.assessment(ctx, ff, k, levels)
}

// assessment shapes stored levels and scores them when complete.
func (s *Service) assessment(ctx context.Context, ff FrameworkFile, k domain.SPBEAssessmentKey, levels []domain.SPBEAssessedLevel) (Assessment, error) {
	fw := ff.Framework
	a := Assessment{Framework: fw.ID, Government: k.Government, Year: k.Year, Stage: k.Stage, Levels: levels}
	have := levelMap(levels)
	for _, ind := range fw.Indicators {
		if _, ok := have[ind.Number]; !ok {
			a.Missing = append(a.Missing, ind.Number)
		}
	}
	a.Complete = len(a.Missing) == 0
	if !a.Complete {
		return a, nil
	}
	res, err := spbe.Score(fw, have)
	if err != nil {
		return a, err
	}
	r := resultFrom(ff, k.Government, k.Year, k.Stage, domain.SourceComputed, res)
	// Stored results get these from a join; this one is answered directly.
	gov, err := s.store.AgencyByCode(ctx, k.Government)
	if err != nil {
		return a, err
	}
	r.GovernmentName, r.Kind = gov.Name, gov.Kind
	a.Result = &r
	return a, nil
}

func levelMap(levels []domain.SPBEAssessedLevel) map[int]int {
	m := make(map[int]int, len(levels))
	for _, l := range levels {
		m[l.Indicator] = l.Level
	}
	return m
}

// resultFrom turns a score into a storable result.
func resultFrom(ff FrameworkFile, government string, year int, stage domain.SPBEStage, source domain.SPBESource, res spbe.Result) domain.SPBEIndexResult {
	out := domain.SPBEIndexResult{Government: government, Framework: ff.Framework.ID, FrameworkVersion: ff.Version,
		Year: year, Stage: stage, Source: source, Index: res.Published, IndexExact: spbe.ExactString(res.Exact),
		Predicate: res.Predicate.NameID, Banding: res.Banding, Domains: map[string]string{}}
	for _, d := range res.Domains {
		out.Domains[d.Code] = d.Published
	}
	return out
}

// History returns every stored index of a government: published, computed
// from each assessment and projected, across years and stages, oldest first.
func (s *Service) History(ctx context.Context, government string) ([]domain.SPBEIndexResult, error) {
	if _, err := s.store.AgencyByCode(ctx, government); err != nil {
		return nil, err
	}
	return s.store.IndexHistory(ctx, government, "")
}

// AssessmentReport counts what an assessment import did.
type AssessmentReport struct {
	Sets      int                 `json:"sets"`    // assessments (government × year × stage) written
	Changed   int                 `json:"changed"` // levels inserted or updated
	Indexed   int                 `json:"indexed"` // assessments complete enough to compute an index
	Rejected  []domain.FieldError `json:"rejected,omitempty"`
	Warnings  []string            `json:"warnings,omitempty"`
	Unchanged int                 `json:"unchanged"` // levels already as given
}

// assessmentColumns are the CSV columns; framework, evidence_url, owner and
// note may be absent.
var assessmentColumns = []string{"framework", "government", "year", "stage", "indicator", "level", "evidence_url", "owner", "note"}

// ImportAssessments reads assessments from a CSV with the header
//
//	framework,government,year,stage,indicator,level,evidence_url,owner,note
//
// (framework defaults to spbe-59-2020) and writes each government × year ×
// stage as one PutAssessment. A bad row rejects its whole assessment, which
// is reported with the row's line; the other assessments are written.
func (s *Service) ImportAssessments(ctx context.Context, actor access.Principal, r io.Reader) (AssessmentReport, error) {
	var rep AssessmentReport
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return rep, fmt.Errorf("spbeindex: assessments: header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		known := false
		for _, c := range assessmentColumns {
			known = known || c == h
		}
		if !known {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("column %q ignored", h))
		}
	}
	for _, req := range []string{"government", "year", "stage", "indicator", "level"} {
		if _, ok := col[req]; !ok {
			return rep, domain.Invalidf("header", "missing required column %q", req)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	type group struct {
		key    domain.SPBEAssessmentKey
		levels []domain.SPBEAssessedLevel
		lines  []int
		bad    bool
	}
	var order []string
	groups := map[string]*group{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				rep.Rejected = append(rep.Rejected, domain.FieldError{Record: "assessment", Line: pe.Line, Reason: pe.Err.Error()})
				continue
			}
			return rep, err
		}
		year, yerr := strconv.Atoi(get(rec, "year"))
		k := domain.SPBEAssessmentKey{Framework: get(rec, "framework"), Government: get(rec, "government"), Year: year, Stage: domain.SPBEStage(get(rec, "stage"))}
		if k.Framework == "" {
			k.Framework = DefaultFramework
		}
		id := fmt.Sprintf("%s|%s|%d|%s", k.Framework, k.Government, k.Year, k.Stage)
		g, ok := groups[id]
		if !ok {
			g = &group{key: k}
			groups[id] = g
			order = append(order, id)
		}
		reject := func(field, reason string) {
			rep.Rejected = append(rep.Rejected, domain.FieldError{Record: "assessment", Line: line, Field: field, Reason: reason})
			g.bad = true
		}
		if yerr != nil {
			reject("year", "not a number")
			continue
		}
		ind, err := strconv.Atoi(get(rec, "indicator"))
		if err != nil {
			reject("indicator", "not a number")
			continue
		}
		lvl, err := strconv.Atoi(get(rec, "level"))
		if err != nil {
			reject("level", "not a number")
			continue
		}
		g.levels = append(g.levels, domain.SPBEAssessedLevel{Indicator: ind, Level: lvl, EvidenceURL: get(rec, "evidence_url"),
			OwnerCode: get(rec, "owner"), Note: get(rec, "note")})
		g.lines = append(g.lines, line)
	}
	for _, id := range order {
		g := groups[id]
		if g.bad {
			continue
		}
		a, err := s.PutAssessment(ctx, actor, g.key, g.levels)
		if err != nil {
			var ve *domain.ValidationError
			switch {
			case errors.As(err, &ve) && len(ve.Details) > 0:
				for _, d := range ve.Details {
					if d.Record == "level" && d.Line >= 0 && d.Line < len(g.lines) {
						d.Line = g.lines[d.Line]
					} else {
						d.Line = g.lines[0]
					}
					d.Record = "assessment"
					rep.Rejected = append(rep.Rejected, d)
				}
			case errors.Is(err, domain.ErrInvalid), errors.Is(err, domain.ErrNotFound), errors.Is(err, domain.ErrForbidden):
				rep.Rejected = append(rep.Rejected, domain.FieldError{Record: "assessment", Line: g.lines[0], Field: "government", Reason: err.Error()})
			default:
				return rep, err
			}
			continue
		}
		rep.Sets++
		rep.Changed += a.Changed
		rep.Unchanged += len(g.levels) - a.Changed
		if a.Complete {
			rep.Indexed++
		}
	}
	return rep, nil
}

// marshalDetail encodes a result's detail, deterministic for comparison.
func marshalDetail(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("spbeindex: detail: %w", err)
	}
	return b, nil
}
