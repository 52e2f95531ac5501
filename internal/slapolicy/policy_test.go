package slapolicy

import (
	"errors"
	"strings"
	"testing"

	"github.com/tanggap-id/tanggap/internal/domain"
)

func TestDefaultNationalLimits(t *testing.T) {
	p := DefaultNational()
	if p.Version != "lapor-national-1" || p.PauseCapCalendarDays != 30 {
		t.Fatalf("version %q, pause cap %d", p.Version, p.PauseCapCalendarDays)
	}
	// Expected values are the table of lapor-policy.md §(a).
	cases := []struct {
		name     string
		rt       domain.ReportType
		category string
		kind     domain.AgencyKind
		clock    domain.ClockKind
		days     int
	}{
		{"pengaduan verification", domain.ReportPengaduan, "Kesehatan", domain.KindKota, domain.ClockVerification, 3},
		{"pengaduan first response", domain.ReportPengaduan, "Kesehatan", domain.KindKota, domain.ClockFirstResponse, 5},
		{"pengaduan completion", domain.ReportPengaduan, "Kesehatan", domain.KindKota, domain.ClockCompletion, 14},
		{"pengaduan no category", domain.ReportPengaduan, "", domain.KindOPD, domain.ClockCompletion, 14},
		{"berkadar pengawasan completion", domain.ReportPengaduan, "berkadar_pengawasan", domain.KindMinistry, domain.ClockCompletion, 60},
		{"berkadar pengawasan, case and spaces", domain.ReportPengaduan, " Berkadar_Pengawasan ", domain.KindOPD, domain.ClockCompletion, 60},
		{"berkadar pengawasan keeps first response 5", domain.ReportPengaduan, "berkadar_pengawasan", domain.KindOPD, domain.ClockFirstResponse, 5},
		{"berkadar pengawasan keeps verification 3", domain.ReportPengaduan, "berkadar_pengawasan", domain.KindOPD, domain.ClockVerification, 3},
		{"aspirasi completion", domain.ReportAspirasi, "Pendidikan", domain.KindProvinsi, domain.ClockCompletion, 5},
		{"aspirasi with pengawasan category is still 5", domain.ReportAspirasi, "berkadar_pengawasan", domain.KindProvinsi, domain.ClockCompletion, 5},
		{"aspirasi first response", domain.ReportAspirasi, "", domain.KindProvinsi, domain.ClockFirstResponse, 5},
		{"permintaan informasi completion", domain.ReportPermintaanInformasi, "", domain.KindKabupaten, domain.ClockCompletion, 5},
		{"permintaan informasi verification", domain.ReportPermintaanInformasi, "", domain.KindKabupaten, domain.ClockVerification, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			days, idx, ok := p.Limit(tc.rt, tc.category, tc.kind, tc.clock)
			if !ok || days != tc.days {
				t.Fatalf("Limit = %d (rule %d, ok %v), want %d", days, idx, ok, tc.days)
			}
			if _, set := p.Rules[idx].Limits[tc.clock]; !set {
				t.Errorf("rule %d reported but does not set %s", idx, tc.clock)
			}
		})
	}
	if _, idx, ok := p.Limit("wbs", "", domain.KindOPD, domain.ClockCompletion); ok {
		t.Errorf("unknown report type matched rule %d", idx)
	}
}

func TestDefaultNationalIsACopy(t *testing.T) {
	p := DefaultNational()
	p.Rules[1].Limits[domain.ClockVerification] = 99
	p.Rules = p.Rules[:1]
	q := DefaultNational()
	if d, _, _ := q.Limit(domain.ReportPengaduan, "", domain.KindOPD, domain.ClockVerification); d != 3 {
		t.Fatalf("editing one copy changed another: verification = %d", d)
	}
}

func TestFirstWinsAndAgencyKind(t *testing.T) {
	p, err := ParsePolicy([]byte(`{
		"version": "test-1", "pause_cap_calendar_days": 10,
		"rules": [
			{"agency_kind": "ministry", "limits": {"first_response": 2}},
			{"report_type": "pengaduan", "agency_kind": "ministry", "limits": {"first_response": 4, "completion": 7}},
			{"limits": {"verification": 3, "first_response": 5, "completion": 14}}
		]}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		kind    domain.AgencyKind
		clock   domain.ClockKind
		days    int
		ruleIdx int
	}{
		{"earlier rule wins over a more specific later one", domain.KindMinistry, domain.ClockFirstResponse, 2, 0},
		{"rule without the clock is skipped", domain.KindMinistry, domain.ClockCompletion, 7, 1},
		{"other kinds fall through", domain.KindKota, domain.ClockFirstResponse, 5, 2},
		{"catch-all verification", domain.KindMinistry, domain.ClockVerification, 3, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			days, idx, ok := p.Limit(domain.ReportPengaduan, "", tc.kind, tc.clock)
			if !ok || days != tc.days || idx != tc.ruleIdx {
				t.Fatalf("Limit = %d from rule %d (ok %v), want %d from rule %d", days, idx, ok, tc.days, tc.ruleIdx)
			}
		})
	}
}

func TestParsePolicyErrors(t *testing.T) {
	const all = `{"limits": {"verification": 3, "first_response": 5, "completion": 14}}`
	cases := []struct {
		name  string
		json  string
		field string // expected FieldError.Field, or "" for a decode error
	}{
		{"not json", `{`, ""},
		{"unknown field", `{"version": "v", "pause_cap_calendar_days": 30, "rulez": []}`, ""},
		{"trailing data", `{"version": "v", "rules": [` + all + `]} {}`, ""},
		{"no version", `{"rules": [` + all + `]}`, "version"},
		{"no rules", `{"version": "v"}`, "rules"},
		{"negative pause cap", `{"version": "v", "pause_cap_calendar_days": -1, "rules": [` + all + `]}`, "pause_cap_calendar_days"},
		{"bad report type", `{"version": "v", "rules": [` + all + `, {"report_type": "keluhan", "limits": {"completion": 3}}]}`, "rules[1].report_type"},
		{"bad agency kind", `{"version": "v", "rules": [{"agency_kind": "desa", "limits": {"completion": 3}}, ` + all + `]}`, "rules[0].agency_kind"},
		{"bad clock kind", `{"version": "v", "rules": [` + all + `, {"limits": {"closing": 3}}]}`, "rules[1].limits.closing"},
		{"zero limit", `{"version": "v", "rules": [{"limits": {"verification": 0, "first_response": 5, "completion": 14}}]}`, "rules[0].limits.verification"},
		{"empty limits", `{"version": "v", "rules": [{"limits": {}}, ` + all + `]}`, "rules[0].limits"},
		{"no catch-all for completion", `{"version": "v", "rules": [{"limits": {"verification": 3, "first_response": 5}}, {"report_type": "pengaduan", "limits": {"completion": 14}}]}`, "rules"},
		{"category-only rule is no catch-all", `{"version": "v", "rules": [{"category": "x", "limits": {"verification": 3, "first_response": 5, "completion": 14}}]}`, "rules"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePolicy([]byte(tc.json))
			if !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if tc.field == "" {
				return
			}
			var verr *domain.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			for _, d := range verr.Details {
				if d.Field == tc.field {
					return
				}
			}
			t.Errorf("no detail for field %q in %v", tc.field, err)
		})
	}
}

func TestNationalFileNotes(t *testing.T) {
	// The berkadar pengawasan rule must come before the general pengaduan one,
	// or first-wins would never reach it.
	p := DefaultNational()
	pengawasan, general := -1, -1
	for i, r := range p.Rules {
		if r.ReportType == domain.ReportPengaduan && r.Limits[domain.ClockCompletion] == 60 {
			pengawasan = i
		}
		if r.ReportType == domain.ReportPengaduan && r.Category == "" && r.Limits[domain.ClockCompletion] == 14 {
			general = i
		}
	}
	if pengawasan < 0 || general < 0 || pengawasan > general {
		t.Fatalf("rule order: pengawasan %d, general %d", pengawasan, general)
	}
	if !strings.Contains(p.Description, "berkadar_pengawasan") {
		t.Error("the description should document the category convention")
	}
}
