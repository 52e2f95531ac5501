package domain

import (
	"encoding/json"
	"time"
)

// SPBEStage is the stage of an SPBE evaluation a set of levels or an index
// belongs to.
type SPBEStage string

const (
	StageSelfAssessment SPBEStage = "self_assessment" // the government's own assessment
	StageFinal          SPBEStage = "final"           // the official result after the assessors' review
	StageTarget         SPBEStage = "target"          // levels the government plans to reach
)

// SPBEStages lists the stages in evaluation order.
var SPBEStages = []SPBEStage{StageSelfAssessment, StageFinal, StageTarget}

// Valid reports whether s is a known stage.
func (s SPBEStage) Valid() bool {
	return s == StageSelfAssessment || s == StageFinal || s == StageTarget
}

// SPBESource says where an index value comes from.
type SPBESource string

const (
	SourceComputed  SPBESource = "computed"  // scored by Tanggap from assessed levels
	SourcePublished SPBESource = "published" // the official published result (KemenPAN-RB)
	SourceProjected SPBESource = "projected" // assessed levels with the data-derived indicator level
)

// SPBEFrameworkRecord is a framework file as loaded into the database: its
// id, the version (a hash of the file) and the document itself.
type SPBEFrameworkRecord struct {
	ID            string    `json:"id"`
	Version       string    `json:"version"`
	Name          string    `json:"name"`
	EffectiveFrom string    `json:"effective_from"`
	Document      []byte    `json:"-"`
	LoadedAt      time.Time `json:"loaded_at"`
}

// SPBEAssessmentKey names one set of assessed levels.
type SPBEAssessmentKey struct {
	Framework  string
	Government string // agency code of the government
	Year       int
	Stage      SPBEStage
}

// SPBEAssessedLevel is the level of one indicator in an assessment, with
// its evidence, the OPD that owns the indicator and, for indicators with a
// derived level, the preconditions a person confirmed (true) or denied.
type SPBEAssessedLevel struct {
	Indicator     int             `json:"indicator"`
	Level         int             `json:"level"`
	EvidenceURL   string          `json:"evidence_url,omitempty"`
	OwnerCode     string          `json:"owner,omitempty"`
	Note          string          `json:"note,omitempty"`
	Confirmations map[string]bool `json:"confirmations,omitempty"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

// SPBEIndexResult is one stored index of a government for a year and stage.
type SPBEIndexResult struct {
	ID               int64      `json:"-"`
	Government       string     `json:"government"`
	GovernmentName   string     `json:"name"`
	Kind             AgencyKind `json:"kind"`
	ParentCode       string     `json:"parent_code,omitempty"`
	Framework        string     `json:"framework"`
	FrameworkVersion string     `json:"framework_version"`
	Year             int        `json:"year"`
	Stage            SPBEStage  `json:"stage"`
	Source           SPBESource `json:"source"`
	// Index is the published (rounded) value as text, e.g. "3.42".
	Index string `json:"index"`
	// IndexExact is the exact value when known ("3.4985"), else empty.
	IndexExact string            `json:"index_exact,omitempty"`
	Predicate  string            `json:"predicate"`
	Banding    string            `json:"banding,omitempty"`
	Domains    map[string]string `json:"domains"`
	// Detail carries source-specific facts (the published row's note, the
	// derived indicator's explanation) as JSON.
	Detail     json.RawMessage `json:"detail,omitempty"`
	ComputedAt time.Time       `json:"computed_at"`
}
