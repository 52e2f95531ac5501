package domain

import "time"

// ReportType is the LAPOR classification of a report.
type ReportType string

const (
	ReportAspirasi            ReportType = "aspirasi"
	ReportPengaduan           ReportType = "pengaduan"
	ReportPermintaanInformasi ReportType = "permintaan_informasi"
)

// ReportTypes lists every valid report type.
var ReportTypes = []ReportType{ReportAspirasi, ReportPengaduan, ReportPermintaanInformasi}

// Valid reports whether t is a known report type.
func (t ReportType) Valid() bool {
	for _, v := range ReportTypes {
		if v == t {
			return true
		}
	}
	return false
}

// EventKind is what happened to a complaint. The declaration order is the
// tie-break order for events at the same instant (design §3.2).
type EventKind string

const (
	EventSubmitted              EventKind = "submitted"
	EventVerified               EventKind = "verified"
	EventRejected               EventKind = "rejected"
	EventAssigned               EventKind = "assigned"
	EventForwarded              EventKind = "forwarded"
	EventResponded              EventKind = "responded"
	EventClarificationRequested EventKind = "clarification_requested"
	EventClarificationReceived  EventKind = "clarification_received"
	EventCompleted              EventKind = "completed"
	EventReopened               EventKind = "reopened"
	EventClosed                 EventKind = "closed"
)

// EventKinds lists every kind in tie-break order.
var EventKinds = []EventKind{
	EventSubmitted, EventVerified, EventRejected, EventAssigned, EventForwarded, EventResponded,
	EventClarificationRequested, EventClarificationReceived, EventCompleted, EventReopened, EventClosed,
}

// Order is the kind's position in the tie-break order, or -1 if unknown.
func (k EventKind) Order() int {
	for i, v := range EventKinds {
		if v == k {
			return i
		}
	}
	return -1
}

// Valid reports whether k is a known event kind.
func (k EventKind) Valid() bool { return k.Order() >= 0 }

// NeedsTarget reports whether events of this kind must name a target agency.
func (k EventKind) NeedsTarget() bool { return k == EventAssigned || k == EventForwarded }

// DefaultSource is the source name of complaints from SP4N-LAPOR!.
const DefaultSource = "lapor"

// Complaint is one report with its public fields. Reporter identity is held
// apart in Reporter and never travels with a Complaint.
type Complaint struct {
	Source          string     `json:"source"`
	TrackingID      string     `json:"tracking_id"`
	ReportType      ReportType `json:"report_type"`
	Category        string     `json:"category,omitempty"`
	Channel         string     `json:"channel,omitempty"`
	SubmittedAt     time.Time  `json:"submitted_at"`
	AgencyCode      string     `json:"agency_code"`
	RegionCode      string     `json:"region_code,omitempty"`
	Anonymous       bool       `json:"anonymous"`
	Confidential    bool       `json:"confidential"`
	Title           string     `json:"title,omitempty"`
	Summary         string     `json:"summary,omitempty"`
	SourceUpdatedAt *time.Time `json:"source_updated_at,omitempty"`
}

// Reporter is the identity and contact of a complaint's reporter. It lives in
// its own table; no public query, export, log line or error message reads it.
type Reporter struct {
	Name    string
	Contact string
}

// Redacted keeps reporter data out of logs and fmt output by accident.
func (r Reporter) String() string { return "[reporter redacted]" }

// LogValue keeps reporter data out of slog output.
func (r Reporter) LogValue() any { return "[reporter redacted]" }

// Event is one step in a complaint's history.
type Event struct {
	Source       string    `json:"source"`
	TrackingID   string    `json:"tracking_id"`
	EventID      string    `json:"event_id"` // source id, or a content hash (see EventIdentity)
	Kind         EventKind `json:"kind"`
	At           time.Time `json:"at"`
	AgencyCode   string    `json:"agency_code,omitempty"`
	ToAgencyCode string    `json:"to_agency_code,omitempty"`
	PublicText   string    `json:"public_text,omitempty"`
}
