package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
	_ "time/tzdata"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/health"
	"github.com/tanggap-id/tanggap/internal/httpapi"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

type clockHarness struct {
	t      *testing.T
	engine *gin.Engine
	store  *store.Store
	access *access.Service
	clocks *clocks.Service
	agency map[string]int64
}

// clockNow is the fixed "now" of these tests: Thursday 2025-10-09, WIB.
var clockNow = time.Date(2025, 10, 9, 12, 0, 0, 0, time.FixedZone("WIB", 7*3600))

func newClockHarness(t *testing.T, st *store.Store) *clockHarness {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := func() time.Time { return clockNow }
	rec := audit.NewRecorder(st, log, now)
	acc := access.NewService(st, rec, time.Now)
	ag := agencies.NewService(st, acc, rec)
	for _, a := range []domain.Agency{
		{Code: "ID", Kind: domain.KindNational, Name: "Indonesia"},
		{Code: "32", ParentCode: "ID", Kind: domain.KindProvinsi, Name: "Jawa Barat"},
		{Code: "32.73", ParentCode: "32", Kind: domain.KindKota, Name: "Kota Bandung"},
	} {
		a.ShortName, a.TimeZone, a.Active = a.Code, "Asia/Jakarta", true
		_, err := st.CreateAgency(ctx, a)
		require.NoError(t, err)
	}
	cals := clocks.NewCalendars(st, log, now)
	pols := clocks.NewPolicies(st, acc, rec, now)
	svc := clocks.NewService(st, cals, pols, rec, log, now)
	ing := ingest.NewService(st, acc, rec, ingest.Options{DataDir: t.TempDir(), Log: log, Now: now, AfterCommit: svc.AfterIngest})
	engine, err := httpapi.NewRouter(httpapi.Deps{Log: log, Store: st, Access: acc, Agencies: ag, Clocks: svc, Policies: pols, Ingest: ing,
		Health: health.NewChecker(st), MaxBodyBytes: 1 << 16})
	require.NoError(t, err)
	refs, err := st.ClockAgencies(ctx)
	require.NoError(t, err)
	ids := map[string]int64{}
	for _, r := range refs {
		ids[r.Code] = r.ID
	}
	return &clockHarness{t: t, engine: engine, store: st, access: acc, clocks: svc, agency: ids}
}

func (h *clockHarness) token(role access.Role) string {
	secret, _, err := h.access.CreateToken(context.Background(), access.CLI(), access.NewToken{Name: string(role), Role: role})
	require.NoError(h.t, err)
	return secret
}

func (h *clockHarness) do(method, path, token, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.engine.ServeHTTP(w, req)
	return w
}

// complaint stores a pengaduan received Monday 2025-10-06 and assigned on
// Tuesday 2025-10-07 10:00 WIB to 32.73, so its first response is due on
// Tuesday 2025-10-14 (5 working days).
func (h *clockHarness) complaint(tracking string) int64 {
	ctx := context.Background()
	wib := time.FixedZone("WIB", 7*3600)
	c := domain.Complaint{Source: "lapor", TrackingID: tracking, ReportType: domain.ReportPengaduan,
		SubmittedAt: time.Date(2025, 10, 6, 9, 0, 0, 0, wib), AgencyCode: "32.73", Title: "Jalan rusak"}
	ids, err := h.store.InsertComplaints(ctx, []store.ComplaintWrite{{Complaint: c, AgencyID: h.agency["32.73"], GovernmentCode: "32.73"}}, clockNow)
	require.NoError(h.t, err)
	id := ids[store.ComplaintKey{Source: "lapor", TrackingID: tracking}]
	_, err = h.store.InsertEvents(ctx, []store.EventWrite{
		{ComplaintID: id, AgencyID: h.agency["32.73"], Event: domain.Event{Source: "lapor", TrackingID: tracking, EventID: "e1",
			Kind: domain.EventSubmitted, At: c.SubmittedAt, AgencyCode: "32.73"}},
		{ComplaintID: id, AgencyID: h.agency["32.73"], ToAgencyID: h.agency["32.73"], Event: domain.Event{Source: "lapor", TrackingID: tracking,
			EventID: "e2", Kind: domain.EventAssigned, At: time.Date(2025, 10, 7, 10, 0, 0, 0, wib), AgencyCode: "32.73", ToAgencyCode: "32.73"}},
	}, clockNow)
	require.NoError(h.t, err)
	return id
}

func TestHolidayAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := newClockHarness(t, st)
		admin, reader := h.token(access.RoleAdmin), h.token(access.RoleReader)
		h.complaint("H-1")
		w := h.do("POST", "/api/v1/clocks/recompute", admin, `{"all":true}`)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())

		w = h.do("GET", "/api/v1/holidays?year=2025", "", "")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		var list struct {
			CalendarVersion struct {
				Version string `json:"version"`
			} `json:"calendar_version"`
			Items []map[string]string `json:"items"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &list))
		require.Len(t, list.Items, 28, "the embedded 2025 calendar")
		require.Equal(t, "2025-01-01", list.Items[0]["date"])
		require.Equal(t, "libur_nasional", list.Items[0]["kind"])
		require.True(t, strings.HasPrefix(list.CalendarVersion.Version, "hol-"))

		add := `{"date":"2025-10-13","kind":"cuti_bersama","name_id":"Cuti uji","name_en":"Test leave","source":"Keppres uji","reason":"test"}`
		cases := []struct {
			name, token, body string
			status            int
			field             string
		}{
			{"anonymous", "", add, http.StatusUnauthorized, ""},
			{"reader", reader, add, http.StatusForbidden, ""},
			{"no reason", admin, strings.Replace(add, `"reason":"test"`, `"reason":""`, 1), http.StatusUnprocessableEntity, "reason"},
			{"unknown field", admin, strings.Replace(add, `"reason"`, `"why"`, 1), http.StatusUnprocessableEntity, "body"},
			{"bad kind", admin, strings.Replace(add, "cuti_bersama", "libur", 1), http.StatusUnprocessableEntity, "kind"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w := h.do("POST", "/api/v1/holidays", c.token, c.body)
				require.Equal(t, c.status, w.Code, w.Body.String())
				if c.field != "" {
					b := decodeErr(t, w)
					require.NotEmpty(t, b.Error.Details)
					require.Equal(t, c.field, b.Error.Details[0].Field)
				}
			})
		}

		w = h.do("POST", "/api/v1/holidays", admin, add)
		require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
		var res struct {
			Added      int `json:"added"`
			Recomputed struct {
				Complaints int `json:"complaints"`
			} `json:"recomputed"`
			CalendarVersion struct {
				ID int64 `json:"id"`
			} `json:"calendar_version"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &res))
		require.Equal(t, 1, res.Added)
		require.Equal(t, 1, res.Recomputed.Complaints)
		require.Positive(t, res.CalendarVersion.ID)

		w = h.do("POST", "/api/v1/holidays", admin, add)
		require.Equal(t, http.StatusConflict, w.Code, w.Body.String())

		w = h.do("DELETE", "/api/v1/holidays/2025-10-13", admin, "")
		require.Equal(t, http.StatusUnprocessableEntity, w.Code, "a removal needs a reason and source")
		w = h.do("DELETE", "/api/v1/holidays/2025-10-13?reason=mistake&source=Keppres+uji", admin, "")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())

		w = h.do("GET", "/api/v1/holidays/versions", "", "")
		require.Equal(t, http.StatusOK, w.Code)
		var vs struct {
			Items []map[string]any `json:"items"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &vs))
		require.Len(t, vs.Items, 3)
		require.Equal(t, "mistake", vs.Items[0]["reason"])
	})
}

func TestPolicyAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := newClockHarness(t, st)
		admin := h.token(access.RoleAdmin)

		w := h.do("GET", "/api/v1/policies", "", "")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		var list struct {
			InForce []struct {
				Version string `json:"version"`
				Policy  struct {
					Rules []map[string]any `json:"rules"`
				} `json:"policy"`
			} `json:"in_force"`
			History []map[string]any `json:"history"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &list))
		require.Len(t, list.InForce, 1)
		require.Equal(t, "lapor-national-1", list.InForce[0].Version)
		require.NotEmpty(t, list.InForce[0].Policy.Rules)

		bad := `{"reason":"r","policy":{"version":"n-2","name":"n","rules":[{"limits":{"completion":0}}]}}`
		w = h.do("PUT", "/api/v1/policies", admin, bad)
		require.Equal(t, http.StatusUnprocessableEntity, w.Code, w.Body.String())
		fields := []string{}
		for _, d := range decodeErr(t, w).Error.Details {
			fields = append(fields, d.Field)
		}
		require.Contains(t, fields, "rules[0].limits.completion")

		good := `{"reason":"Perwal 1/2025","policy":{"version":"bdg-1","name":"Bandung","pause_cap_calendar_days":30,"rules":[{"limits":{"verification":2,"first_response":3,"completion":10}}]}}`
		w = h.do("PUT", "/api/v1/agencies/32.73/policy", "", good)
		require.Equal(t, http.StatusUnauthorized, w.Code)
		w = h.do("PUT", "/api/v1/agencies/99.99/policy", admin, good)
		require.Equal(t, http.StatusNotFound, w.Code, w.Body.String())
		w = h.do("PUT", "/api/v1/agencies/32.73/policy", admin, good)
		require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
		require.Equal(t, "/api/v1/policies/bdg-1", w.Header().Get("Location"))

		w = h.do("GET", "/api/v1/policies/bdg-1", "", "")
		require.Equal(t, http.StatusOK, w.Code)
		require.Contains(t, w.Body.String(), `"agency_code":"32.73"`)
		w = h.do("GET", "/api/v1/policies", "", "")
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &list))
		require.Len(t, list.InForce, 2)
		require.Len(t, list.History, 2)
	})
}

func TestClockJSONShape(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := newClockHarness(t, st)
		admin := h.token(access.RoleAdmin)
		h.complaint("S-1")
		w := h.do("POST", "/api/v1/clocks/recompute", "", `{"all":true}`)
		require.Equal(t, http.StatusUnauthorized, w.Code)
		w = h.do("POST", "/api/v1/clocks/recompute", admin, `{"all":true}`)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		require.Contains(t, w.Body.String(), `"complaints":1`)

		vs, err := h.clocks.ComplaintClocksByKey(context.Background(), "lapor", "S-1", true)
		require.NoError(t, err)
		b, err := json.Marshal(httpapi.ClocksJSON(vs))
		require.NoError(t, err)
		var got []map[string]any
		require.NoError(t, json.Unmarshal(b, &got))
		require.Len(t, got, 3)
		byKind := map[string]map[string]any{}
		for _, c := range got {
			for _, k := range []string{"kind", "agency_code", "cycle", "started_at", "due_at", "stopped_at", "working_days_used",
				"paused_working_days", "verdict", "policy_version", "calendar_version", "days"} {
				require.Contains(t, c, k)
			}
			byKind[c["kind"].(string)] = c
		}
		fr := byKind["first_response"]
		require.Equal(t, "2025-10-07T10:00:00+07:00", fr["started_at"], "RFC 3339 in the agency's zone")
		require.Equal(t, "2025-10-14T23:59:59+07:00", fr["due_at"])
		require.Nil(t, fr["stopped_at"])
		require.Equal(t, "open", fr["verdict"])
		require.EqualValues(t, 2, fr["working_days_used"], "Wednesday and Thursday")
		require.Equal(t, "met", byKind["verification"]["verdict"])
		days := fr["days"].([]any)
		require.Equal(t, map[string]any{"date": "2025-10-07", "mark": "receipt", "count": float64(0)}, days[0])
		require.Equal(t, "2025-10-14", days[len(days)-1].(map[string]any)["date"])
		require.Equal(t, true, days[len(days)-1].(map[string]any)["projected"])
	})
}

// TestComplaintReadHasClocks goes through ingest: the batch commit runs the
// dirty-only recompute, and the complaint read carries the clocks (§5 shape)
// with the day-by-day trace on ?explain=1.
func TestComplaintReadHasClocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := newClockHarness(t, st)
		admin := h.token(access.RoleAdmin)
		body := `{"tracking_id":"E-1","report_type":"pengaduan","submitted_at":"2025-10-06T09:00:00+07:00","agency_code":"32.73",
			"confidential":true,"title":"Rahasia","reporter_name":"Siti","reporter_contact":"0812",
			"events":[{"kind":"submitted","at":"2025-10-06T09:00:00+07:00","agency_code":"32.73"},
			          {"kind":"assigned","at":"2025-10-07T10:00:00+07:00","agency_code":"32.73","to_agency_code":"32.73"}]}`
		w := h.do("POST", "/api/v1/complaints?source=lapor", admin, body)
		require.Equal(t, http.StatusCreated, w.Code, w.Body.String())

		w = h.do("GET", "/api/v1/complaints/lapor/E-1", "", "")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		var got struct {
			Title  string           `json:"title"`
			Clocks []map[string]any `json:"clocks"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
		require.Empty(t, got.Title, "confidential content stays hidden")
		require.NotContains(t, w.Body.String(), "Siti")
		require.Len(t, got.Clocks, 3, "computed after the ingest batch, without an explicit recompute")
		for _, c := range got.Clocks {
			require.NotContains(t, c, "days", "no trace without explain")
		}

		w = h.do("GET", "/api/v1/complaints/lapor/E-1?explain=1", "", "")
		require.Equal(t, http.StatusOK, w.Code)
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
		for _, c := range got.Clocks {
			days := c["days"].([]any)
			counted := 0
			for _, d := range days {
				m := d.(map[string]any)
				if m["mark"] == "counted" && m["projected"] != true {
					counted++
				}
			}
			require.EqualValues(t, c["working_days_used"], counted, "%s: the trace sums to working days used", c["kind"])
		}
	})
}
