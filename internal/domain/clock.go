package domain

// ClockKind names one of the three legal clocks of a complaint (design §3.4).
type ClockKind string

const (
	ClockVerification  ClockKind = "verification"
	ClockFirstResponse ClockKind = "first_response"
	ClockCompletion    ClockKind = "completion"
)

// ClockKinds lists the clock kinds in display order.
var ClockKinds = []ClockKind{ClockVerification, ClockFirstResponse, ClockCompletion}

// Verdict is a clock's judgement.
type Verdict string

const (
	VerdictOpen     Verdict = "open"
	VerdictAtRisk   Verdict = "at_risk"
	VerdictOverdue  Verdict = "overdue"
	VerdictMet      Verdict = "met"
	VerdictBreached Verdict = "breached"
)

// Stopped reports whether a verdict is final (the clock is frozen).
func (v Verdict) Stopped() bool { return v == VerdictMet || v == VerdictBreached }
