// Package spbe holds SPBE index frameworks as data and the pure functions over
// them: scoring, predicates, what-if simulation, recommendations, the derived
// complaint-handling indicator and rankings. It does no I/O beyond reading the
// embedded framework files and never reads the clock.
package spbe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
)

// Framework is one index framework (PermenPANRB 59/2020 and its successors),
// decoded from a JSON file of the shape documented in
// shared/data/spbe-framework.md. Every field of the file is represented so a
// new framework needs a file, not code. Treat a parsed Framework as read-only:
// ParseFramework precomputes lookups and integer weights from it.
type Framework struct {
	SchemaVersion  int               `json:"schema_version"`
	ID             string            `json:"id"`
	Name           string            `json:"name"`
	NameEN         string            `json:"name_en"`
	LegalBasis     map[string]string `json:"legal_basis,omitempty"`
	EffectiveFrom  string            `json:"effective_from"`
	EffectiveTo    *string           `json:"effective_to"`
	StatusNote     string            `json:"status_note,omitempty"`
	LevelMin       int               `json:"level_min"`
	LevelMax       int               `json:"level_max"`
	LevelsNote     string            `json:"levels_note,omitempty"`
	WeightUnit     string            `json:"weight_unit"`
	WeightsTotal   Number            `json:"weights_total"`
	Formula        map[string]string `json:"formula,omitempty"`
	LevelScales    LevelScales       `json:"level_scales"`
	Domains        []Domain          `json:"domains"`
	Aspects        []Aspect          `json:"aspects"`
	Indicators     []Indicator       `json:"indicators"`
	Predicates     []Predicate       `json:"predicates"`
	PredicatesNote string            `json:"predicates_note,omitempty"`
	Rounding       Rounding          `json:"rounding"`
	TestVectors    []TestVector      `json:"test_vectors,omitempty"`
	Derived        []DerivedRule     `json:"derived_indicators,omitempty"`

	file        string
	indicatorAt map[int]int    // indicator number → index in Indicators
	aspectAt    map[string]int // aspect code → index in Aspects
	domainAt    map[string]int // domain code → index in Domains
	// Every weight times scale is an integer; contributions in these units are
	// what Recommend's knapsack adds up exactly.
	scale      *big.Int
	intWeight  map[int]int64 // indicator number → weight × scale
	totalUnits int64         // weights_total × scale
}

// LevelScales are the named capability scales (process, service) with their
// per-level criteria.
type LevelScales struct {
	Scales map[string][]LevelCriterion
	Note   string
}

// LevelCriterion describes one level of a scale.
type LevelCriterion struct {
	Level       int    `json:"level"`
	NameID      string `json:"name_id"`
	NameEN      string `json:"name_en"`
	CriterionID string `json:"criterion_id,omitempty"`
	CriterionEN string `json:"criterion_en,omitempty"`
}

// UnmarshalJSON reads {"process": [...], "service": [...], "note": "..."}.
func (s *LevelScales) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	s.Scales = map[string][]LevelCriterion{}
	for k, v := range raw {
		if k == "note" {
			if err := json.Unmarshal(v, &s.Note); err != nil {
				return fmt.Errorf("note: %w", err)
			}
			continue
		}
		var lv []LevelCriterion
		if err := strictDecode(v, &lv); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		s.Scales[k] = lv
	}
	return nil
}

// MarshalJSON writes the scales back in the file's shape.
func (s LevelScales) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	for k, v := range s.Scales {
		m[k] = v
	}
	if s.Note != "" {
		m["note"] = s.Note
	}
	return json.Marshal(m)
}

// Domain is a top-level group of aspects with its weight.
type Domain struct {
	Code       string `json:"code"`
	Number     int    `json:"number"`
	NameID     string `json:"name_id"`
	NameEN     string `json:"name_en"`
	Weight     Number `json:"weight"`
	LevelScale string `json:"level_scale,omitempty"`
}

// Aspect groups indicators; Domain is empty for frameworks without domains.
type Aspect struct {
	Code       string  `json:"code"`
	Number     int     `json:"number"`
	Domain     *string `json:"domain"`
	NameID     string  `json:"name_id"`
	NameEN     string  `json:"name_en"`
	Weight     Number  `json:"weight"`
	LevelScale string  `json:"level_scale,omitempty"`
}

// DomainCode returns the aspect's domain code, "" when the framework has none.
func (a Aspect) DomainCode() string {
	if a.Domain == nil {
		return ""
	}
	return *a.Domain
}

// Indicator is one assessed indicator.
type Indicator struct {
	Number       int               `json:"number"`
	Code         string            `json:"code"`
	Aspect       string            `json:"aspect"`
	NameID       string            `json:"name_id"`
	ShortNameID  string            `json:"short_name_id,omitempty"`
	NameEN       string            `json:"name_en"`
	ShortNameEN  string            `json:"short_name_en,omitempty"`
	Weight       Number            `json:"weight"`
	Levels       map[string]string `json:"levels,omitempty"` // level → criterion, where known
	LevelsSource string            `json:"levels_source,omitempty"`
}

// Predicate is a band: values ≥ Min (and < the next higher band's Min) get
// it. Max is optional in the file; when given it must equal the next band's
// Min (or level_max for the top band), which is how contiguity is checked.
type Predicate struct {
	Min    Number  `json:"min"`
	Max    *Number `json:"max,omitempty"`
	NameID string  `json:"name_id"`
	NameEN string  `json:"name_en"`
}

// Banding rules: which value is compared with the predicate bands.
const (
	BandPublished = "published_2dp" // the rounded, published value (2023 practice, our default)
	BandExact     = "exact"         // the unrounded value (2024 practice)
)

// Rounding is the publication and banding rule.
type Rounding struct {
	PublishDecimals  int               `json:"publish_decimals"`
	Mode             string            `json:"mode"`
	Banding          string            `json:"banding"`
	BandingOptions   []string          `json:"banding_options,omitempty"`
	FlagWindow       Number            `json:"flag_window"`
	ObservedOfficial []ObservedBanding `json:"observed_official,omitempty"`
	Note             string            `json:"note,omitempty"`
}

// ObservedBanding records which banding the official evaluation used in a year.
type ObservedBanding struct {
	EvaluationYear int    `json:"evaluation_year"`
	Banding        string `json:"banding"`
	Evidence       string `json:"evidence"`
}

// BandingForYear returns the banding the official evaluation of year used
// according to the file, or the framework default.
func (r Rounding) BandingForYear(year int) string {
	for _, o := range r.ObservedOfficial {
		if o.EvaluationYear == year {
			return o.Banding
		}
	}
	return r.Banding
}

// TestVector is a worked example carried by the framework file.
type TestVector struct {
	ID                       string            `json:"id"`
	Source                   string            `json:"source"`
	Kind                     string            `json:"kind"` // aspect, domain, index, levels
	Aspect                   string            `json:"aspect,omitempty"`
	Domain                   string            `json:"domain,omitempty"`
	IndicatorLevels          map[string]int    `json:"indicator_levels,omitempty"`
	AspectIndices            map[string]Number `json:"aspect_indices,omitempty"`
	DomainIndices            map[string]Number `json:"domain_indices,omitempty"`
	LevelsByIndicatorNumber  []int             `json:"levels_by_indicator_number,omitempty"`
	ExpectedDomainsPublished map[string]Number `json:"expected_domains_published,omitempty"`
	ExpectedExact            Number            `json:"expected_exact"`
	ExpectedPublished        Number            `json:"expected_published"`
	ExpectedPredicate        map[string]string `json:"expected_predicate,omitempty"`
	Note                     string            `json:"note,omitempty"`
}

// File is the name the framework was parsed from.
func (fw *Framework) File() string { return fw.file }

// Indicator returns the indicator with that number.
func (fw *Framework) Indicator(number int) (Indicator, bool) {
	i, ok := fw.indicatorAt[number]
	if !ok {
		return Indicator{}, false
	}
	return fw.Indicators[i], true
}

// Aspect returns the aspect with that code.
func (fw *Framework) Aspect(code string) (Aspect, bool) {
	i, ok := fw.aspectAt[code]
	if !ok {
		return Aspect{}, false
	}
	return fw.Aspects[i], true
}

// Domain returns the domain with that code.
func (fw *Framework) Domain(code string) (Domain, bool) {
	i, ok := fw.domainAt[code]
	if !ok {
		return Domain{}, false
	}
	return fw.Domains[i], true
}

// IndicatorDomain returns the domain code of an indicator ("" without domains).
func (fw *Framework) IndicatorDomain(number int) string {
	ind, ok := fw.Indicator(number)
	if !ok {
		return ""
	}
	a, _ := fw.Aspect(ind.Aspect)
	return a.DomainCode()
}

// DerivedRuleFor returns the derived-indicator rule for an indicator.
func (fw *Framework) DerivedRuleFor(indicator int) (DerivedRule, bool) {
	for _, d := range fw.Derived {
		if d.Indicator == indicator {
			return d, true
		}
	}
	return DerivedRule{}, false
}

// ParseFramework decodes and validates a framework file. name is used in
// error messages ("spbe-framework-59-2020.json: indicators[12].weight: ...").
// Errors unwrap to domain.ErrInvalid and list every problem found.
func ParseFramework(name string, data []byte) (*Framework, error) {
	var fw Framework
	if err := strictDecode(data, &fw); err != nil {
		return nil, &FrameworkError{File: name, Problems: []Problem{{Field: "json", Reason: err.Error()}}}
	}
	fw.file = name
	v := &validator{file: name}
	fw.validate(v)
	if err := v.err(); err != nil {
		return nil, err
	}
	return &fw, nil
}

func strictDecode(data []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}

// Problem is one validation finding in a framework file.
type Problem struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// FrameworkError lists what is wrong with a framework file; it unwraps to
// domain.ErrInvalid.
type FrameworkError struct {
	File     string
	Problems []Problem
}

func (e *FrameworkError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = fmt.Sprintf("%s: %s: %s", e.File, p.Field, p.Reason)
	}
	return strings.Join(parts, "; ")
}

func (e *FrameworkError) Unwrap() error { return errInvalid }

type validator struct {
	file     string
	problems []Problem
}

func (v *validator) add(field, format string, args ...any) {
	v.problems = append(v.problems, Problem{Field: field, Reason: fmt.Sprintf(format, args...)})
}

func (v *validator) err() error {
	if len(v.problems) == 0 {
		return nil
	}
	return &FrameworkError{File: v.file, Problems: v.problems}
}

func (fw *Framework) validate(v *validator) {
	if fw.ID == "" {
		v.add("id", "is required")
	}
	if fw.SchemaVersion != 1 {
		v.add("schema_version", "is %d, this code reads version 1", fw.SchemaVersion)
	}
	if fw.LevelMin < 0 || fw.LevelMax <= fw.LevelMin || fw.LevelMax > 10 {
		v.add("level_max", "level range %d..%d is not a valid capability scale", fw.LevelMin, fw.LevelMax)
		return // every later level check depends on it
	}
	if !fw.WeightsTotal.IsSet() || fw.WeightsTotal.Rat().Sign() <= 0 {
		v.add("weights_total", "must be a positive number")
		return
	}
	for name, scale := range fw.LevelScales.Scales {
		for i, c := range scale {
			fw.checkLevel(v, fmt.Sprintf("level_scales.%s[%d].level", name, i), c.Level)
		}
	}

	fw.domainAt = map[string]int{}
	domainSum := map[string]*big.Rat{}
	for i, d := range fw.Domains {
		f := fmt.Sprintf("domains[%d]", i)
		if d.Code == "" {
			v.add(f+".code", "is required")
		} else if _, dup := fw.domainAt[d.Code]; dup {
			v.add(f+".code", "duplicate domain %q", d.Code)
		}
		fw.domainAt[d.Code] = i
		fw.checkWeight(v, f+".weight", d.Weight)
		domainSum[d.Code] = new(big.Rat)
		fw.checkScale(v, f+".level_scale", d.LevelScale)
	}

	fw.aspectAt = map[string]int{}
	aspectSum := map[string]*big.Rat{}
	for i, a := range fw.Aspects {
		f := fmt.Sprintf("aspects[%d]", i)
		if a.Code == "" {
			v.add(f+".code", "is required")
		} else if _, dup := fw.aspectAt[a.Code]; dup {
			v.add(f+".code", "duplicate aspect %q", a.Code)
		}
		fw.aspectAt[a.Code] = i
		fw.checkWeight(v, f+".weight", a.Weight)
		aspectSum[a.Code] = new(big.Rat)
		fw.checkScale(v, f+".level_scale", a.LevelScale)
		switch {
		case len(fw.Domains) == 0 && a.Domain != nil:
			v.add(f+".domain", "must be null: the framework has no domains")
		case len(fw.Domains) > 0 && a.Domain == nil:
			v.add(f+".domain", "is required")
		case a.Domain != nil:
			if s, ok := domainSum[*a.Domain]; !ok {
				v.add(f+".domain", "unknown domain %q", *a.Domain)
			} else {
				s.Add(s, a.Weight.Rat())
			}
		}
	}

	fw.indicatorAt = map[int]int{}
	total := new(big.Rat)
	for i, ind := range fw.Indicators {
		f := fmt.Sprintf("indicators[%d]", i)
		if ind.Number <= 0 {
			v.add(f+".number", "must be positive, got %d", ind.Number)
		} else if _, dup := fw.indicatorAt[ind.Number]; dup {
			v.add(f+".number", "duplicate indicator number %d", ind.Number)
		}
		fw.indicatorAt[ind.Number] = i
		if ind.NameID == "" {
			v.add(f+".name_id", "is required")
		}
		fw.checkWeight(v, f+".weight", ind.Weight)
		if s, ok := aspectSum[ind.Aspect]; !ok {
			v.add(f+".aspect", "unknown aspect %q", ind.Aspect)
		} else {
			s.Add(s, ind.Weight.Rat())
		}
		total.Add(total, ind.Weight.Rat())
		for k := range ind.Levels {
			var lv int
			if _, err := fmt.Sscanf(k, "%d", &lv); err != nil || fmt.Sprint(lv) != k {
				v.add(f+".levels."+k, "key is not a level number")
				continue
			}
			fw.checkLevel(v, f+".levels."+k, lv)
		}
	}
	if len(fw.Indicators) == 0 {
		v.add("indicators", "at least one indicator is required")
	}

	// Regulation (Tabel 7-9): indicator weights add up to their aspect's
	// weight, aspect weights to their domain's, domain weights to the total.
	for i, a := range fw.Aspects {
		if s := aspectSum[a.Code]; a.Weight.IsSet() && s.Cmp(a.Weight.Rat()) != 0 {
			v.add(fmt.Sprintf("aspects[%d].weight", i), "is %s but its indicators' weights sum to %s", a.Weight, ExactString(s))
		}
	}
	if len(fw.Domains) > 0 {
		dsum := new(big.Rat)
		for i, d := range fw.Domains {
			if s := domainSum[d.Code]; d.Weight.IsSet() && s.Cmp(d.Weight.Rat()) != 0 {
				v.add(fmt.Sprintf("domains[%d].weight", i), "is %s but its aspects' weights sum to %s", d.Weight, ExactString(s))
			}
			dsum.Add(dsum, d.Weight.Rat())
		}
		if dsum.Cmp(fw.WeightsTotal.Rat()) != 0 {
			v.add("weights_total", "is %s but the domain weights sum to %s", fw.WeightsTotal, ExactString(dsum))
		}
	} else {
		asum := new(big.Rat)
		for _, a := range fw.Aspects {
			asum.Add(asum, a.Weight.Rat())
		}
		if asum.Cmp(fw.WeightsTotal.Rat()) != 0 {
			v.add("weights_total", "is %s but the aspect weights sum to %s", fw.WeightsTotal, ExactString(asum))
		}
	}
	if total.Cmp(fw.WeightsTotal.Rat()) != 0 {
		v.add("weights_total", "is %s but the indicator weights sum to %s", fw.WeightsTotal, ExactString(total))
	}
	if fw.WeightUnit == "percent" && fw.WeightsTotal.Rat().Cmp(ratInt(100)) != 0 {
		v.add("weights_total", "weight_unit is percent, so the total must be 100, got %s", fw.WeightsTotal)
	}

	fw.validatePredicates(v)
	fw.validateRounding(v)
	fw.validateTestVectors(v)
	fw.validateDerived(v)
	if len(v.problems) == 0 {
		fw.computeIntegerWeights(v)
	}
}

func (fw *Framework) checkLevel(v *validator, field string, level int) {
	if level < fw.LevelMin || level > fw.LevelMax {
		v.add(field, "level %d is outside %d..%d", level, fw.LevelMin, fw.LevelMax)
	}
}

func (fw *Framework) checkWeight(v *validator, field string, w Number) {
	if !w.IsSet() || w.Rat().Sign() <= 0 {
		v.add(field, "must be a positive number, got %s", w)
	}
}

func (fw *Framework) checkScale(v *validator, field, scale string) {
	if scale == "" {
		return
	}
	if _, ok := fw.LevelScales.Scales[scale]; !ok {
		v.add(field, "unknown level scale %q", scale)
	}
}

func (fw *Framework) validatePredicates(v *validator) {
	if len(fw.Predicates) == 0 {
		v.add("predicates", "at least one band is required")
		return
	}
	for i, p := range fw.Predicates {
		f := fmt.Sprintf("predicates[%d]", i)
		if p.NameID == "" {
			v.add(f+".name_id", "is required")
		}
		if !p.Min.IsSet() {
			v.add(f+".min", "is required")
			continue
		}
		// Bands are listed from the top; each runs up to the previous min.
		upper := ratInt(int64(fw.LevelMax))
		if i > 0 && fw.Predicates[i-1].Min.IsSet() {
			upper = fw.Predicates[i-1].Min.Rat()
			if p.Min.Rat().Cmp(upper) >= 0 {
				v.add(f+".min", "%s is not below the previous band's min %s: bands must be listed from the top, without overlap", p.Min, fw.Predicates[i-1].Min)
			}
		} else if p.Min.Rat().Cmp(upper) > 0 {
			v.add(f+".min", "%s is above level_max %d", p.Min, fw.LevelMax)
		}
		if p.Max != nil && p.Max.Rat().Cmp(upper) != 0 {
			v.add(f+".max", "%s leaves a gap or overlap: the band above starts at %s", p.Max, ExactString(upper))
		}
	}
	// Official results can go below level_min (a domain scored 0), so the
	// bottom band must reach down to 0 for every value to get a predicate.
	if last := fw.Predicates[len(fw.Predicates)-1]; last.Min.IsSet() && last.Min.Rat().Sign() > 0 {
		v.add(fmt.Sprintf("predicates[%d].min", len(fw.Predicates)-1), "the lowest band must start at 0, got %s", last.Min)
	}
}

func (fw *Framework) validateRounding(v *validator) {
	r := fw.Rounding
	if r.PublishDecimals < 0 || r.PublishDecimals > 6 {
		v.add("rounding.publish_decimals", "must be 0..6, got %d", r.PublishDecimals)
	}
	if r.Mode != "half_up" {
		v.add("rounding.mode", "only half_up is implemented, got %q", r.Mode)
	}
	okBanding := func(b string) bool { return b == BandPublished || b == BandExact }
	if !okBanding(r.Banding) {
		v.add("rounding.banding", "must be %q or %q, got %q", BandPublished, BandExact, r.Banding)
	}
	for i, b := range r.BandingOptions {
		if !okBanding(b) {
			v.add(fmt.Sprintf("rounding.banding_options[%d]", i), "unknown banding %q", b)
		}
	}
	for i, o := range r.ObservedOfficial {
		if !okBanding(o.Banding) {
			v.add(fmt.Sprintf("rounding.observed_official[%d].banding", i), "unknown banding %q", o.Banding)
		}
	}
	if !r.FlagWindow.IsSet() || r.FlagWindow.Rat().Sign() < 0 {
		v.add("rounding.flag_window", "must be a non-negative number")
	}
}

func (fw *Framework) validateTestVectors(v *validator) {
	for i, tv := range fw.TestVectors {
		f := fmt.Sprintf("test_vectors[%d]", i)
		switch tv.Kind {
		case "aspect":
			if _, ok := fw.aspectAt[tv.Aspect]; !ok {
				v.add(f+".aspect", "unknown aspect %q", tv.Aspect)
			}
		case "domain":
			if _, ok := fw.domainAt[tv.Domain]; !ok {
				v.add(f+".domain", "unknown domain %q", tv.Domain)
			}
		case "index", "levels":
		default:
			v.add(f+".kind", "unknown kind %q", tv.Kind)
		}
		for k, lv := range tv.IndicatorLevels {
			var n int
			if _, err := fmt.Sscanf(k, "%d", &n); err != nil {
				v.add(f+".indicator_levels."+k, "key is not an indicator number")
			} else if _, ok := fw.indicatorAt[n]; !ok {
				v.add(f+".indicator_levels."+k, "unknown indicator %d", n)
			}
			fw.checkLevel(v, f+".indicator_levels."+k, lv)
		}
		if tv.Kind == "levels" && len(tv.LevelsByIndicatorNumber) != len(fw.Indicators) {
			v.add(f+".levels_by_indicator_number", "has %d levels for %d indicators", len(tv.LevelsByIndicatorNumber), len(fw.Indicators))
		}
		for j, lv := range tv.LevelsByIndicatorNumber {
			fw.checkLevel(v, fmt.Sprintf("%s.levels_by_indicator_number[%d]", f, j), lv)
		}
	}
}

// computeIntegerWeights finds the smallest scale that makes every weight an
// integer (the LCM of their denominators: 20 for 59/2020, where 1.30 → 26,
// 2.50 → 50, 1.50 → 30, 2.75 → 55, 3.00 → 60 and the total 100 → 2000).
func (fw *Framework) computeIntegerWeights(v *validator) {
	scale := big.NewInt(1)
	lcm := func(d *big.Int) {
		g := new(big.Int).GCD(nil, nil, scale, d)
		scale.Mul(scale, new(big.Int).Quo(d, g))
	}
	for _, ind := range fw.Indicators {
		lcm(ind.Weight.Rat().Denom())
	}
	lcm(fw.WeightsTotal.Rat().Denom())
	fw.scale = scale
	fw.intWeight = map[int]int64{}
	sr := new(big.Rat).SetInt(scale)
	for _, ind := range fw.Indicators {
		w := new(big.Rat).Mul(ind.Weight.Rat(), sr)
		fw.intWeight[ind.Number] = w.Num().Int64()
	}
	total := new(big.Rat).Mul(fw.WeightsTotal.Rat(), sr).Num()
	// Keeps level × weight sums far inside int64.
	if !total.IsInt64() || total.Int64() > 1<<40 {
		v.add("weights_total", "weights need a scale of %s to become integers; use fewer decimals", scale)
		return
	}
	fw.totalUnits = total.Int64()
}
