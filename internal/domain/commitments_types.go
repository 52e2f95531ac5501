package domain

import "time"

// CommitmentState says whether a commitment version is in force or withdrawn.
type CommitmentState string

const (
	CommitmentActive    CommitmentState = "active"
	CommitmentWithdrawn CommitmentState = "withdrawn"
)

// CommitmentVersion is one stored version of a signed commitment: the signed
// content (Commitment, whose ID is the commitment's slug) with the facts of
// the revision that made it. Versions are never changed once written.
type CommitmentVersion struct {
	Commitment
	State CommitmentState `json:"status"`
	// LeadAgency is the agency code of the signing office (e.g. "32" for the
	// Sekda of Jawa Barat): writes need scope over it.
	LeadAgency string `json:"lead_agency"`
	ChangeNote string `json:"change_note,omitempty"`
	// Changes says what differs from the previous version, one line each.
	Changes []string `json:"changes,omitempty"`
	// ComputedBaselines lists the targets whose baseline was computed from data.
	ComputedBaselines []string  `json:"computed_baselines,omitempty"`
	CreatedAt         time.Time `json:"created_at"`
	CreatedBy         string    `json:"created_by"`
}
