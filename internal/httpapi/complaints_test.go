package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/httpapi"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
	"github.com/tanggap-id/tanggap/internal/synth"
)

// ingestHarness serves the complaint and import routes and keeps every
// response body and log line, for the privacy scan.
type ingestHarness struct {
	t       *testing.T
	engine  *gin.Engine
	access  *access.Service
	svc     *ingest.Service
	logs    *bytes.Buffer
	bodies  []string // responses that must not carry reporter data
	allowed []string // responses that may (reporter read by admin/owner)
}

func newIngestHarness(t *testing.T, st *store.Store) *ingestHarness {
	t.Helper()
	ctx := context.Background()
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rec := audit.NewRecorder(st, log, time.Now)
	acc := access.NewService(st, rec, time.Now)
	ag := agencies.NewService(st, acc, rec)
	_, err := ag.LoadCatalog(ctx, access.CLI())
	require.NoError(t, err)
	for _, u := range []string{"32.73.DINKES", "32.73.DISDIK", "32.04.DINKES"} {
		_, err := st.CreateAgency(ctx, domain.Agency{Code: u, Kind: domain.KindOPD, Name: u, ParentCode: u[:5], TimeZone: "Asia/Jakarta", Active: true})
		require.NoError(t, err)
	}
	svc := ingest.NewService(st, acc, rec, ingest.Options{DataDir: t.TempDir(), BatchSize: 7, Log: log})
	engine, err := httpapi.NewRouter(httpapi.Deps{Log: log, Store: st, Access: acc, Agencies: ag, Ingest: svc,
		MaxBodyBytes: 1 << 20, MaxUploadBytes: 8 << 20})
	require.NoError(t, err)
	stop := svc.StartWorker(ctx)
	t.Cleanup(stop)
	h := &ingestHarness{t: t, engine: engine, access: acc, svc: svc, logs: logs}
	t.Cleanup(h.scanPrivacy)
	return h
}

func (h *ingestHarness) token(role access.Role, agency string) string {
	secret, _, err := h.access.CreateToken(context.Background(), access.CLI(), access.NewToken{Name: "i-" + string(role) + agency, Role: role, AgencyCode: agency})
	require.NoError(h.t, err)
	return secret
}

func (h *ingestHarness) send(req *http.Request, token string, mayShowReporter bool) *httptest.ResponseRecorder {
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.engine.ServeHTTP(w, req)
	if mayShowReporter {
		h.allowed = append(h.allowed, w.Body.String())
	} else {
		h.bodies = append(h.bodies, w.Body.String())
	}
	return w
}

func (h *ingestHarness) do(method, path, token, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return h.send(req, token, false)
}

// scanPrivacy fails when a fictitious reporter's name or contact appears in
// any response (except the allowed reads) or any log line.
func (h *ingestHarness) scanPrivacy() {
	all := append(append([]string{}, h.bodies...), h.logs.String())
	for _, s := range all {
		for _, needle := range []string{"Pelapor Fiktif", "@contoh.invalid"} {
			require.NotContains(h.t, s, needle, "reporter data leaked")
		}
	}
}

func complaintJSON(n int, agency string) string {
	b, _ := json.Marshal(map[string]any{"tracking_id": synth.TrackingID(n), "report_type": "pengaduan",
		"submitted_at": "2024-04-01T08:00:00+07:00", "agency_code": agency, "title": "Jalan rusak", "summary": "Mohon diperbaiki",
		"reporter_name": synth.ReporterName(n), "reporter_contact": synth.ReporterContact(n),
		"events": []map[string]any{{"kind": "assigned", "at": "2024-04-01T10:00:00+07:00", "agency_code": "32.73", "to_agency_code": agency}}})
	return string(b)
}

func TestComplaintAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := newIngestHarness(t, st)
		admin := h.token(access.RoleAdmin, "")
		bandung := h.token(access.RoleAgency, "32.73")
		kabBandung := h.token(access.RoleAgency, "32.04")
		reader := h.token(access.RoleReader, "")

		writes := []struct {
			name, path, token, body string
			status                  int
		}{
			{"no token", "/api/v1/complaints", "", complaintJSON(1, "32.73.DINKES"), http.StatusUnauthorized},
			{"reader token", "/api/v1/complaints", reader, complaintJSON(1, "32.73.DINKES"), http.StatusForbidden},
			{"out of subtree", "/api/v1/complaints", kabBandung, complaintJSON(1, "32.73.DINKES"), http.StatusForbidden},
			{"created in subtree", "/api/v1/complaints", bandung, complaintJSON(1, "32.73.DINKES"), http.StatusCreated},
			{"same again", "/api/v1/complaints", bandung, complaintJSON(1, "32.73.DINKES"), http.StatusOK},
			{"invalid", "/api/v1/complaints", bandung, `{"tracking_id":"X","report_type":"keluhan"}`, http.StatusUnprocessableEntity},
			{"array on single", "/api/v1/complaints", bandung, "[" + complaintJSON(2, "32.73") + "]", http.StatusUnprocessableEntity},
			{"batch without token", "/api/v1/complaints/batch", "", "[" + complaintJSON(2, "32.73") + "]", http.StatusUnauthorized},
		}
		for _, c := range writes {
			t.Run(c.name, func(t *testing.T) {
				w := h.do(http.MethodPost, c.path, c.token, c.body)
				require.Equal(t, c.status, w.Code, w.Body.String())
				if c.status >= 400 {
					decodeErr(t, w)
				}
			})
		}

		// a batch: per-item outcomes, out-of-scope rows rejected, not the batch
		body := fmt.Sprintf(`{"items":[%s,%s,%s,{"tracking_id":"BAD"}]}`, complaintJSON(2, "32.73.DISDIK"),
			complaintJSON(3, "32.04.DINKES"), complaintJSON(1, "32.73.DINKES"))
		w := h.do(http.MethodPost, "/api/v1/complaints/batch", bandung, body)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		var rep struct {
			Results []struct {
				Index   int    `json:"index"`
				Outcome string `json:"outcome"`
				Errors  []domain.FieldError
			} `json:"results"`
			Counts store.ImportCounts `json:"counts"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &rep))
		var got []string
		for i, r := range rep.Results {
			require.Equal(t, i, r.Index)
			got = append(got, r.Outcome)
		}
		require.Equal(t, []string{"created", "rejected", "unchanged", "rejected"}, got)
		require.Equal(t, "agency_code", rep.Results[1].Errors[0].Field)
		require.EqualValues(t, 2, rep.Counts.Rejected)

		// events: one or many
		w = h.do(http.MethodPost, "/api/v1/events", bandung, `{"tracking_id":"`+synth.TrackingID(1)+`","kind":"responded","at":"2024-04-02 09:00","agency_code":"32.73.DINKES","public_text":"Sudah ditangani"}`)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		require.Contains(t, w.Body.String(), `"outcome":"created"`)

		// reads: reporter only for admin and the owning subtree
		path := "/api/v1/complaints/lapor/" + synth.TrackingID(1)
		reads := []struct {
			name, token string
			reporter    bool
		}{
			{"admin", admin, true}, {"owning government", bandung, true},
			{"other government", kabBandung, false}, {"reader", reader, false}, {"anonymous", "", false},
		}
		for _, r := range reads {
			t.Run("read as "+r.name, func(t *testing.T) {
				w := h.send(httptest.NewRequest(http.MethodGet, path, nil), r.token, r.reporter)
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				var v map[string]any
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &v))
				require.Equal(t, "2024-04-01T08:00:00+07:00", v["submitted_at"], "times in the agency's zone")
				require.Len(t, v["events"], 2)
				_, has := v["reporter"]
				require.Equal(t, r.reporter, has)
				if r.reporter {
					require.Contains(t, w.Body.String(), synth.ReporterName(1))
				}
			})
		}
		w = h.do(http.MethodGet, "/api/v1/complaints/lapor/NOPE", "", "")
		require.Equal(t, http.StatusNotFound, w.Code)
	})
}

func (h *ingestHarness) upload(token, kind, name string, data []byte) *httptest.ResponseRecorder {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(h.t, mw.WriteField("kind", kind))
	fw, err := mw.CreateFormFile("file", name)
	require.NoError(h.t, err)
	_, _ = fw.Write(data)
	require.NoError(h.t, mw.Close())
	req := httptest.NewRequest(http.MethodPost, "/api/v1/imports", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return h.send(req, token, false)
}

func TestImportAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := newIngestHarness(t, st)
		bandung := h.token(access.RoleAgency, "32.73")
		var csv strings.Builder
		csv.WriteString("tracking_id,report_type,submitted_at,agency_code,reporter_name,reporter_contact\n")
		for n := 1; n <= 30; n++ {
			agency := "32.73.DINKES"
			switch n {
			case 5:
				agency = "32.04.DINKES" // outside the token's subtree
			case 9:
				agency = "99.99"
			}
			fmt.Fprintf(&csv, "%s,pengaduan,2024-05-0%d 09:00,%s,%s,%s\n", synth.TrackingID(n), 1+n%9, agency, synth.ReporterName(n), synth.ReporterContact(n))
		}
		require.Equal(t, http.StatusUnauthorized, h.upload("", "complaints", "a.csv", []byte(csv.String())).Code)
		w := h.upload(bandung, "complaints", "../../etc/a.csv", []byte(csv.String()))
		require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
		var job struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &job))

		var view struct {
			Status        string             `json:"status"`
			Counts        store.ImportCounts `json:"counts"`
			Progress      float64            `json:"progress"`
			RejectionsURL string             `json:"rejections_url"`
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			w = h.do(http.MethodGet, fmt.Sprintf("/api/v1/imports/%d", job.ID), bandung, "")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &view))
			if view.Status == store.ImportDone || view.Status == store.ImportFailed || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		require.Equal(t, store.ImportDone, view.Status)
		require.EqualValues(t, 28, view.Counts.Created)
		require.EqualValues(t, 2, view.Counts.Rejected)
		require.EqualValues(t, 1, view.Progress)

		other := h.token(access.RoleAgency, "32.04")
		require.Equal(t, http.StatusNotFound, h.do(http.MethodGet, fmt.Sprintf("/api/v1/imports/%d", job.ID), other, "").Code, "another token's job")

		w = h.do(http.MethodGet, view.RejectionsURL, bandung, "")
		require.Equal(t, http.StatusOK, w.Code)
		require.Equal(t, "text/csv; charset=utf-8", w.Header().Get("Content-Type"))
		lines := strings.Split(strings.TrimSpace(w.Body.String()), "\n")
		require.Len(t, lines, 3, w.Body.String())
		require.Equal(t, "line,record,field,reason", lines[0])
		require.True(t, strings.HasPrefix(lines[1], "6,"+synth.TrackingID(5)+",agency_code,"), lines[1])
		require.True(t, strings.HasPrefix(lines[2], "10,"+synth.TrackingID(9)+",agency_code,"), lines[2])
	})
}
