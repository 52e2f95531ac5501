package domain

import (
	"fmt"
	"regexp"
	"time"
)

// AgencyKind is the level of a government unit in the tree.
type AgencyKind string

const (
	KindNational  AgencyKind = "national"
	KindMinistry  AgencyKind = "ministry"
	KindAgency    AgencyKind = "agency" // central non-ministerial agency (LPNK) or other body
	KindProvinsi  AgencyKind = "provinsi"
	KindKabupaten AgencyKind = "kabupaten"
	KindKota      AgencyKind = "kota"
	KindOPD       AgencyKind = "opd" // a unit of a government (dinas, badan, ...)
)

// AgencyKinds lists every kind in tree order.
var AgencyKinds = []AgencyKind{KindNational, KindMinistry, KindAgency, KindProvinsi, KindKabupaten, KindKota, KindOPD}

// Valid reports whether k is a known kind.
func (k AgencyKind) Valid() bool {
	for _, v := range AgencyKinds {
		if v == k {
			return true
		}
	}
	return false
}

// IsGovernment reports whether an SPBE index belongs to units of this kind.
func (k AgencyKind) IsGovernment() bool {
	switch k {
	case KindMinistry, KindAgency, KindProvinsi, KindKabupaten, KindKota:
		return true
	}
	return false
}

// Agency is a government unit: a node of the agency tree.
type Agency struct {
	Code       string     `json:"code"`
	Kind       AgencyKind `json:"kind"`
	Name       string     `json:"name"`
	ShortName  string     `json:"short_name"`
	ParentCode string     `json:"parent_code,omitempty"`
	// GovernmentCode is the government (province, regency/city, ministry,
	// agency) the unit belongs to: itself for a government. Derived.
	GovernmentCode string            `json:"government_code,omitempty"`
	TimeZone       string            `json:"time_zone"`
	ExternalIDs    map[string]string `json:"external_ids,omitempty"`
	Active         bool              `json:"active"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
}

var agencyCodeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// IndonesianZones are the three legal time zones (WIB, WITA, WIT).
var IndonesianZones = map[string]string{
	"Asia/Jakarta":   "WIB",
	"Asia/Pontianak": "WIB",
	"Asia/Makassar":  "WITA",
	"Asia/Jayapura":  "WIT",
}

// Validate checks the agency's own fields (not its place in the tree).
func (a *Agency) Validate() error {
	v := &ValidationError{Message: "invalid agency"}
	if !agencyCodeRE.MatchString(a.Code) {
		v.Details = append(v.Details, FieldError{Field: "code", Reason: "must be 1-64 letters, digits, '.', '_' or '-'"})
	}
	if !a.Kind.Valid() {
		v.Details = append(v.Details, FieldError{Field: "kind", Reason: fmt.Sprintf("unknown kind %q; valid: %v", a.Kind, AgencyKinds)})
	}
	if a.Name == "" {
		v.Details = append(v.Details, FieldError{Field: "name", Reason: "required"})
	}
	if a.TimeZone == "" {
		v.Details = append(v.Details, FieldError{Field: "time_zone", Reason: "required (Asia/Jakarta, Asia/Makassar or Asia/Jayapura)"})
	} else if _, err := time.LoadLocation(a.TimeZone); err != nil {
		v.Details = append(v.Details, FieldError{Field: "time_zone", Reason: fmt.Sprintf("unknown IANA zone %q", a.TimeZone)})
	}
	if a.ParentCode == a.Code && a.Code != "" {
		v.Details = append(v.Details, FieldError{Field: "parent_code", Reason: "an agency cannot be its own parent"})
	}
	if len(v.Details) > 0 {
		return v
	}
	return nil
}

// Location returns the agency's time zone (Asia/Jakarta when unset or unknown).
func (a *Agency) Location() *time.Location {
	if loc, err := time.LoadLocation(a.TimeZone); err == nil {
		return loc
	}
	loc, _ := time.LoadLocation("Asia/Jakarta")
	return loc
}
