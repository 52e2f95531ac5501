package spbe

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// DerivedRule is a framework file's declarative rule deriving an indicator's
// level from data (indicator 42, complaint handling). For 59/2020 it is a
// Tanggap product rule, not regulation: Status and Disclaimer say so and must
// be shown with any derived level.
type DerivedRule struct {
	Indicator       int              `json:"indicator"`
	Kind            string           `json:"kind"`
	Status          string           `json:"status"`
	Disclaimer      string           `json:"disclaimer"`
	WindowDays      int              `json:"window_days"`
	Cumulative      bool             `json:"cumulative"`
	Semantics       string           `json:"semantics,omitempty"`
	Inputs          []DerivedInput   `json:"inputs"`
	Rules           []LevelRule      `json:"rules"`
	QualityWarnings []QualityWarning `json:"quality_warnings,omitempty"`
}

// DerivedInput declares a metric the rule reads.
type DerivedInput struct {
	Metric     string `json:"metric"`
	Type       string `json:"type"` // count, ratio, days
	Source     string `json:"source"`
	Definition string `json:"definition"`
}

// LevelRule lists the conditions of one level.
type LevelRule struct {
	Level int         `json:"level"`
	AllOf []Condition `json:"all_of"`
}

// Condition is a metric comparison, a precondition a person confirms, or an
// any_of / all_of group of conditions. Preconditions get an ID (from the file,
// or derived from their position: "L4.1.2" = level 4, first all_of item,
// its second any_of item) by which confirmations are passed in.
type Condition struct {
	ID           string      `json:"id,omitempty"`
	Metric       string      `json:"metric,omitempty"`
	Op           string      `json:"op,omitempty"`
	Value        *Number     `json:"value,omitempty"`
	Precondition string      `json:"precondition,omitempty"`
	AnyOf        []Condition `json:"any_of,omitempty"`
	AllOf        []Condition `json:"all_of,omitempty"`
}

// QualityWarning fires when the assessed level is at least
// WhenAssessedLevelAtLeast, every OnlyIf condition holds (e.g. enough
// complaints) and an ExpectAllOf condition fails. It never changes a score.
type QualityWarning struct {
	ID                       string      `json:"id"`
	WhenAssessedLevelAtLeast int         `json:"when_assessed_level_at_least"`
	OnlyIf                   []Condition `json:"only_if,omitempty"`
	ExpectAllOf              []Condition `json:"expect_all_of"`
	Severity                 string      `json:"severity"`
	MessageEN                string      `json:"message_en"`
	MessageID                string      `json:"message_id,omitempty"`
}

var comparisonOps = []string{">=", ">", "<=", "<", "=="}

func (fw *Framework) validateDerived(v *validator) {
	seen := map[int]bool{}
	for i := range fw.Derived {
		d := &fw.Derived[i]
		f := fmt.Sprintf("derived_indicators[%d]", i)
		if _, ok := fw.indicatorAt[d.Indicator]; !ok {
			v.add(f+".indicator", "unknown indicator %d", d.Indicator)
		}
		if seen[d.Indicator] {
			v.add(f+".indicator", "duplicate rule for indicator %d", d.Indicator)
		}
		seen[d.Indicator] = true
		if d.Disclaimer == "" {
			v.add(f+".disclaimer", "is required: say whose rule this is")
		}
		metrics := map[string]bool{}
		for j, in := range d.Inputs {
			if in.Metric == "" || metrics[in.Metric] {
				v.add(fmt.Sprintf("%s.inputs[%d].metric", f, j), "missing or duplicate metric %q", in.Metric)
			}
			metrics[in.Metric] = true
		}
		for j := range d.Rules {
			r := &d.Rules[j]
			rf := fmt.Sprintf("%s.rules[%d]", f, j)
			fw.checkLevel(v, rf+".level", r.Level)
			// Levels are cumulative, so the rules must climb one level at a time.
			if want := fw.LevelMin + j; r.Level != want {
				v.add(rf+".level", "is %d, want %d: rules list every level from level_min upwards", r.Level, want)
			}
			if len(r.AllOf) == 0 {
				v.add(rf+".all_of", "a level needs at least one condition")
			}
			validateConditions(v, rf+".all_of", fmt.Sprintf("L%d", r.Level), r.AllOf, metrics)
		}
		for j := range d.QualityWarnings {
			w := &d.QualityWarnings[j]
			wf := fmt.Sprintf("%s.quality_warnings[%d]", f, j)
			if w.ID == "" {
				v.add(wf+".id", "is required")
			}
			fw.checkLevel(v, wf+".when_assessed_level_at_least", w.WhenAssessedLevelAtLeast)
			validateConditions(v, wf+".only_if", w.ID+".if", w.OnlyIf, metrics)
			validateConditions(v, wf+".expect_all_of", w.ID+".expect", w.ExpectAllOf, metrics)
			if len(w.ExpectAllOf) == 0 {
				v.add(wf+".expect_all_of", "needs at least one condition")
			}
		}
	}
}

func validateConditions(v *validator, field, idPrefix string, cs []Condition, metrics map[string]bool) {
	for k := range cs {
		c := &cs[k]
		f := fmt.Sprintf("%s[%d]", field, k)
		if c.ID == "" {
			c.ID = fmt.Sprintf("%s.%d", idPrefix, k+1)
		}
		kinds := 0
		if c.Metric != "" {
			kinds++
			if !metrics[c.Metric] {
				v.add(f+".metric", "%q is not declared in inputs", c.Metric)
			}
			if !slices.Contains(comparisonOps, c.Op) {
				v.add(f+".op", "must be one of %s, got %q", strings.Join(comparisonOps, " "), c.Op)
			}
			if c.Value == nil || !c.Value.IsSet() {
				v.add(f+".value", "is required for a metric condition")
			}
		}
		if c.Precondition != "" {
			kinds++
		}
		if len(c.AnyOf) > 0 {
			kinds++
			validateConditions(v, f+".any_of", c.ID, c.AnyOf, metrics)
		}
		if len(c.AllOf) > 0 {
			kinds++
			validateConditions(v, f+".all_of", c.ID, c.AllOf, metrics)
		}
		if kinds != 1 {
			v.add(f, "must be exactly one of metric, precondition, any_of, all_of")
		}
	}
}

// Preconditions lists every precondition of the rule with its ID and level
// (0 for quality-warning conditions), for forms where a person confirms them.
func (d DerivedRule) Preconditions() []PreconditionRef {
	var out []PreconditionRef
	var walk func(level int, cs []Condition)
	walk = func(level int, cs []Condition) {
		for _, c := range cs {
			if c.Precondition != "" {
				out = append(out, PreconditionRef{ID: c.ID, Level: level, Text: c.Precondition})
			}
			walk(level, c.AnyOf)
			walk(level, c.AllOf)
		}
	}
	for _, r := range d.Rules {
		walk(r.Level, r.AllOf)
	}
	return out
}

// PreconditionRef names a precondition for confirmation.
type PreconditionRef struct {
	ID    string
	Level int
	Text  string
}

// DerivedInputs are the facts a derived level is computed from. A metric
// that is absent or nil is unknown and fails its conditions (a rate below its
// minimum n should be passed as nil). Confirmations are keyed by precondition
// ID: true = confirmed by a person, false = denied, absent = not yet confirmed.
type DerivedInputs struct {
	Metrics       map[string]*big.Rat
	Confirmations map[string]bool
	AssessedLevel int // the assessors' level, 0 when none yet
}

// Ratio is num/den as an exact rate, or nil (unknown) when den is 0.
func Ratio(num, den int64) *big.Rat {
	if den == 0 {
		return nil
	}
	return big.NewRat(num, den)
}

// Outcome of a condition or a level.
type Outcome string

const (
	Backed              Outcome = "backed"
	PendingConfirmation Outcome = "pending_confirmation"
	NotBacked           Outcome = "not_backed"
)

func (o Outcome) rank() int {
	switch o {
	case Backed:
		return 2
	case PendingConfirmation:
		return 1
	}
	return 0
}

// RuleLine is one evaluated condition, for the explanation.
type RuleLine struct {
	ID      string
	Depth   int // nesting depth inside any_of / all_of groups
	Text    string
	Outcome Outcome
}

// LevelCheck is the evaluation of one level's conditions. Outcome is
// cumulative (the level and every level below it), Own is this level alone.
type LevelCheck struct {
	Level   int
	Own     Outcome
	Outcome Outcome
	Lines   []RuleLine
}

// DerivedWarning says the assessed level claims more than the data backs.
type DerivedWarning struct {
	ID       string
	Severity string
	Message  string
	Lines    []RuleLine
}

// DerivedResult is a derived level with its explanation.
type DerivedResult struct {
	Indicator int
	// Level is the highest level whose conditions, and those of every lower
	// level, all hold; 0 when not even level_min is backed.
	Level int
	// PendingLevel is the highest level reachable once the unconfirmed
	// preconditions are confirmed (≥ Level): the metrics do not contradict it.
	PendingLevel  int
	AssessedLevel int
	Levels        []LevelCheck
	Warnings      []DerivedWarning
	RuleStatus    string // "product_rule" for Tanggap's proposal
	Disclaimer    string
}

// DeriveLevel evaluates a derived-indicator rule on the inputs. It is pure:
// the caller computes the metrics (response rate, on-time rates, counts) for
// the rule's window and passes the assessed level and confirmations.
func DeriveLevel(rule DerivedRule, in DerivedInputs) (DerivedResult, error) {
	declared := map[string]bool{}
	for _, i := range rule.Inputs {
		declared[i.Metric] = true
	}
	for m := range in.Metrics {
		if !declared[m] {
			return DerivedResult{}, invalidf("metrics."+m, "indicator %d's rule has no input %q", rule.Indicator, m)
		}
	}
	res := DerivedResult{Indicator: rule.Indicator, AssessedLevel: in.AssessedLevel, RuleStatus: rule.Status, Disclaimer: rule.Disclaimer}
	cumulative := Backed
	for _, r := range rule.Rules {
		var lines []RuleLine
		own := evalAll(r.AllOf, in, 0, &lines)
		// Cumulative levels: a level holds only if every lower level holds.
		if !rule.Cumulative || own.rank() < cumulative.rank() {
			cumulative = own
		}
		res.Levels = append(res.Levels, LevelCheck{Level: r.Level, Own: own, Outcome: cumulative, Lines: lines})
		if cumulative == Backed {
			res.Level = r.Level
		}
		if cumulative.rank() >= PendingConfirmation.rank() {
			res.PendingLevel = r.Level
		}
	}
	if in.AssessedLevel > res.Level {
		w := DerivedWarning{ID: "assessed-above-backed", Severity: "warning"}
		switch {
		case in.AssessedLevel <= res.PendingLevel:
			w.Severity = "info"
			w.Message = fmt.Sprintf("Assessed level %d is consistent with the complaint data but rests on preconditions nobody has confirmed yet (data alone backs level %d).", in.AssessedLevel, res.Level)
		default:
			w.Message = fmt.Sprintf("Assessed level %d is higher than the complaint data backs (level %d).", in.AssessedLevel, res.Level)
		}
		for _, lc := range res.Levels {
			if lc.Level > res.Level && lc.Level <= in.AssessedLevel {
				for _, l := range lc.Lines {
					// Top-level lines only: a passed any_of's other branches are noise.
					if l.Depth == 0 && l.Outcome != Backed {
						w.Lines = append(w.Lines, l)
					}
				}
			}
		}
		res.Warnings = append(res.Warnings, w)
	}
	for _, qw := range rule.QualityWarnings {
		if in.AssessedLevel < qw.WhenAssessedLevelAtLeast {
			continue
		}
		var cond []RuleLine
		if evalAll(qw.OnlyIf, in, 0, &cond) != Backed {
			continue // e.g. too few complaints to judge performance
		}
		var lines []RuleLine
		if evalAll(qw.ExpectAllOf, in, 0, &lines) == Backed {
			continue
		}
		res.Warnings = append(res.Warnings, DerivedWarning{ID: qw.ID, Severity: qw.Severity, Message: qw.MessageEN, Lines: append(cond, lines...)})
	}
	return res, nil
}

func evalAll(cs []Condition, in DerivedInputs, depth int, lines *[]RuleLine) Outcome {
	out := Backed
	for _, c := range cs {
		if o := evalCondition(c, in, depth, lines); o.rank() < out.rank() {
			out = o
		}
	}
	return out
}

func evalCondition(c Condition, in DerivedInputs, depth int, lines *[]RuleLine) Outcome {
	switch {
	case c.Metric != "":
		v := in.Metrics[c.Metric]
		o := NotBacked
		text := fmt.Sprintf("%s %s %s: unknown (no data)", c.Metric, c.Op, c.Value)
		if v != nil {
			if compare(v, c.Op, c.Value.Rat()) {
				o = Backed
			}
			text = fmt.Sprintf("%s = %s, needs %s %s", c.Metric, showMetric(v), c.Op, c.Value)
		}
		*lines = append(*lines, RuleLine{ID: c.ID, Depth: depth, Text: text, Outcome: o})
		return o
	case c.Precondition != "":
		o := PendingConfirmation
		confirmed, known := in.Confirmations[c.ID]
		switch {
		case known && confirmed:
			o = Backed
		case known:
			o = NotBacked
		}
		*lines = append(*lines, RuleLine{ID: c.ID, Depth: depth, Text: "confirmed by a person: " + c.Precondition, Outcome: o})
		return o
	case len(c.AnyOf) > 0:
		at := len(*lines)
		*lines = append(*lines, RuleLine{ID: c.ID, Depth: depth, Text: "any of:"})
		best := NotBacked
		for _, sub := range c.AnyOf {
			if o := evalCondition(sub, in, depth+1, lines); o.rank() > best.rank() {
				best = o
			}
		}
		(*lines)[at].Outcome = best
		return best
	default:
		at := len(*lines)
		*lines = append(*lines, RuleLine{ID: c.ID, Depth: depth, Text: "all of:"})
		o := evalAll(c.AllOf, in, depth+1, lines)
		(*lines)[at].Outcome = o
		return o
	}
}

func compare(v *big.Rat, op string, x *big.Rat) bool {
	c := v.Cmp(x)
	switch op {
	case ">=":
		return c >= 0
	case ">":
		return c > 0
	case "<=":
		return c <= 0
	case "<":
		return c < 0
	default:
		return c == 0
	}
}

func showMetric(v *big.Rat) string {
	if v.IsInt() {
		return v.RatString()
	}
	return strings.TrimRight(strings.TrimRight(v.FloatString(4), "0"), ".")
}

// Explain renders the result as readable lines: one per level with its
// outcome, the conditions beneath it, then the warnings.
func (r DerivedResult) Explain() []string {
	out := []string{fmt.Sprintf("Indicator %d: data backs level %d (up to %d once preconditions are confirmed); assessed level %d.", r.Indicator, r.Level, r.PendingLevel, r.AssessedLevel)}
	if r.RuleStatus == "product_rule" {
		out = append(out, "Tanggap's proposal, not regulation: "+r.Disclaimer)
	}
	mark := map[Outcome]string{Backed: "[pass]", PendingConfirmation: "[unconfirmed]", NotBacked: "[fail]"}
	for _, lc := range r.Levels {
		head := fmt.Sprintf("Level %d: %s", lc.Level, lc.Outcome)
		if lc.Own != lc.Outcome {
			head += fmt.Sprintf(" (its own conditions: %s)", lc.Own)
		}
		out = append(out, head)
		for _, l := range lc.Lines {
			out = append(out, fmt.Sprintf("  %s%s %s", strings.Repeat("  ", l.Depth), mark[l.Outcome], l.Text))
		}
	}
	for _, w := range r.Warnings {
		out = append(out, fmt.Sprintf("%s (%s): %s", strings.ToUpper(w.Severity), w.ID, w.Message))
		for _, l := range w.Lines {
			out = append(out, fmt.Sprintf("  %s %s", mark[l.Outcome], l.Text))
		}
	}
	return out
}
