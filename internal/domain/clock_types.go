package domain

import "time"

// Clock is one legal clock of a complaint for one agency and cycle (design
// §3.4), as computed by package clock. Times are in the agency's zone.
type Clock struct {
	Kind       ClockKind `json:"kind"`
	AgencyCode string    `json:"agency_code"`
	Cycle      int       `json:"cycle"` // 1, then +1 per reopen
	StartedAt  time.Time `json:"started_at"`
	// DueAt is 23:59:59 local of the last allowed working day, pauses included.
	DueAt     time.Time  `json:"due_at"`
	StoppedAt *time.Time `json:"stopped_at,omitempty"`
	LimitDays int        `json:"limit_days"`
	// WorkingDaysUsed counts working days after the start day up to the stop
	// day (or today while running), paused days excluded.
	WorkingDaysUsed   int          `json:"working_days_used"`
	PausedWorkingDays int          `json:"paused_working_days"`
	Pauses            []ClockPause `json:"pauses,omitempty"`
	Verdict           Verdict      `json:"verdict"`
	PolicyVersion     string       `json:"policy_version"`
	PolicyRule        int          `json:"policy_rule"` // index of the rule that set LimitDays
	CalendarVersion   string       `json:"calendar_version"`
}

// ClockPause is a clarification wait that does not count against a clock:
// the working days after the local day of From up to the local day of To.
type ClockPause struct {
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	WorkingDays int       `json:"working_days"`
	Capped      bool      `json:"capped,omitempty"`  // cut at the policy's pause cap
	Ongoing     bool      `json:"ongoing,omitempty"` // unanswered at the time of computing
}

// Stopped reports whether the clock has stopped (and is frozen).
func (c Clock) Stopped() bool { return c.StoppedAt != nil }
