package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
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
	"github.com/tanggap-id/tanggap/internal/open311"
	"github.com/tanggap-id/tanggap/internal/opendata"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
	"github.com/tanggap-id/tanggap/internal/synth"
)

// dataNow is the fixed "now" of the open-data and Open311 tests.
var dataNow = time.Date(2025, 10, 9, 12, 0, 0, 0, time.FixedZone("WIB", 7*3600))

const dataComplaints = 240

// dataHarness holds a database filled with synthetic complaints (with
// reporters) and computed clocks, and the router serving it.
type dataHarness struct {
	t      *testing.T
	engine *gin.Engine
	store  *store.Store
	// confidential lists the tracking ids of confidential complaints;
	// byGov counts complaints per government code.
	confidential map[string]bool
	byGov        map[string]int
}

func newDataHarness(t *testing.T, st *store.Store, exportLimiter *httpapi.Limiter) *dataHarness {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := func() time.Time { return dataNow }
	rec := audit.NewRecorder(st, log, now)
	acc := access.NewService(st, rec, time.Now)
	ag := agencies.NewService(st, acc, rec)
	list := []domain.Agency{
		{Code: "ID", Kind: domain.KindNational, Name: "Indonesia", TimeZone: "Asia/Jakarta"},
		{Code: "32", ParentCode: "ID", Kind: domain.KindProvinsi, Name: "Jawa Barat", TimeZone: "Asia/Jakarta"},
		{Code: "32.73", ParentCode: "32", Kind: domain.KindKota, Name: "Kota Bandung", TimeZone: "Asia/Jakarta"},
		{Code: "32.73.DISKOMINFO", ParentCode: "32.73", Kind: domain.KindOPD, Name: "Diskominfo Kota Bandung", TimeZone: "Asia/Jakarta"},
		{Code: "32.04", ParentCode: "32", Kind: domain.KindKabupaten, Name: "Kabupaten Bandung", TimeZone: "Asia/Jakarta"},
		{Code: "73", ParentCode: "ID", Kind: domain.KindProvinsi, Name: "Sulawesi Selatan", TimeZone: "Asia/Makassar"},
		{Code: "73.71", ParentCode: "73", Kind: domain.KindKota, Name: "Kota Makassar", TimeZone: "Asia/Makassar"},
	}
	for _, a := range list {
		a.ShortName, a.Active = a.Code, true
		_, err := st.CreateAgency(ctx, a)
		require.NoError(t, err)
	}
	refs, err := st.AgencyRefs(ctx)
	require.NoError(t, err)
	byCode := map[string]store.AgencyRef{}
	for _, r := range refs {
		byCode[r.Code] = r
	}
	h := &dataHarness{t: t, store: st, confidential: map[string]bool{}, byGov: map[string]int{}}
	g := &synth.Generator{Seed: 7, Complaints: dataComplaints, Agencies: list[2:],
		From: dataNow.Add(-120 * 24 * time.Hour), To: dataNow.Add(-time.Hour)}
	var writes []store.ComplaintWrite
	var events [][]domain.Event
	require.NoError(t, g.Each(func(c domain.Complaint, r domain.Reporter, evs []domain.Event) error {
		a := byCode[c.AgencyCode]
		writes = append(writes, store.ComplaintWrite{Complaint: c, Reporter: r, AgencyID: a.ID, GovernmentCode: a.GovernmentCode})
		events = append(events, evs)
		if c.Confidential {
			h.confidential[c.TrackingID] = true
		}
		h.byGov[a.GovernmentCode]++
		return nil
	}))
	ids, err := st.InsertComplaints(ctx, writes, dataNow)
	require.NoError(t, err)
	var ews []store.EventWrite
	for i, evs := range events {
		cid := ids[store.ComplaintKey{Source: writes[i].Complaint.Source, TrackingID: writes[i].Complaint.TrackingID}]
		for _, e := range evs {
			ews = append(ews, store.EventWrite{ComplaintID: cid, AgencyID: byCode[e.AgencyCode].ID, ToAgencyID: byCode[e.ToAgencyCode].ID, Event: e})
		}
	}
	_, err = st.InsertEvents(ctx, ews, dataNow)
	require.NoError(t, err)
	require.NotEmpty(t, h.confidential, "the fixture must hold confidential complaints")

	cals := clocks.NewCalendars(st, log, now)
	pols := clocks.NewPolicies(st, acc, rec, now)
	svc := clocks.NewService(st, cals, pols, rec, log, now)
	_, err = svc.RecomputeAll(ctx)
	require.NoError(t, err)

	engine, err := httpapi.NewRouter(httpapi.Deps{Log: log, Store: st, Access: acc, Agencies: ag, Clocks: svc, Policies: pols,
		Health: health.NewChecker(st), MaxBodyBytes: 1 << 16, ExportLimiter: exportLimiter,
		OpenData: opendata.NewService(st, now, ""), Open311: open311.NewService(st, now)})
	require.NoError(t, err)
	h.engine = engine
	return h
}

func (h *dataHarness) get(path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	w := httptest.NewRecorder()
	h.engine.ServeHTTP(w, req)
	return w
}

// requireNoReporters fails when a body holds any synthetic reporter's name
// or contact.
func requireNoReporters(t *testing.T, what string, body []byte) {
	t.Helper()
	require.NotContains(t, string(body), "Pelapor Fiktif", what)
	require.NotContains(t, string(body), "@contoh.invalid", what)
	for n := 1; n <= dataComplaints; n++ {
		if bytes.Contains(body, []byte(synth.ReporterName(n))) || bytes.Contains(body, []byte(synth.ReporterContact(n))) {
			t.Fatalf("%s: reporter %d leaked", what, n)
		}
	}
}

var w3c = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$`)

// xmlRequest mirrors the spec's <request> element.
type xmlRequest struct {
	ServiceRequestID  string `xml:"service_request_id"`
	Status            string `xml:"status"`
	StatusNotes       string `xml:"status_notes"`
	ServiceName       string `xml:"service_name"`
	ServiceCode       string `xml:"service_code"`
	Description       string `xml:"description"`
	AgencyResponsible string `xml:"agency_responsible"`
	ServiceNotice     string `xml:"service_notice"`
	RequestedDatetime string `xml:"requested_datetime"`
	UpdatedDatetime   string `xml:"updated_datetime"`
	ExpectedDatetime  string `xml:"expected_datetime"`
}

type xmlRequests struct {
	XMLName  xml.Name     `xml:"service_requests"`
	Requests []xmlRequest `xml:"request"`
}

// decodeXMLStrict checks well-formedness token by token and decodes v.
func decodeXMLStrict(t *testing.T, body []byte, v any) {
	t.Helper()
	require.True(t, bytes.HasPrefix(body, []byte(`<?xml version="1.0" encoding="utf-8"?>`)), "XML declaration with encoding")
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "well-formed XML")
	}
	require.NoError(t, xml.Unmarshal(body, v))
}

// elementNames lists the distinct element names of an XML document.
func elementNames(t *testing.T, body []byte) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		if se, ok := tok.(xml.StartElement); ok {
			out[se.Name.Local] = true
		}
	}
}

var requestKeys = []string{"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
	"agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime"}

func TestOpen311(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := newDataHarness(t, st, nil)
		ctx := context.Background()

		t.Run("services list", func(t *testing.T) {
			w := h.get("/open311/v2/services.json")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			require.Equal(t, "application/json; charset=utf-8", w.Header().Get("Content-Type"))
			var list []map[string]any
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &list))
			require.GreaterOrEqual(t, len(list), len(synth.Categories))
			codes := map[string]bool{}
			for _, s := range list {
				for _, k := range []string{"service_code", "service_name", "description", "metadata", "type", "keywords", "group"} {
					require.Contains(t, s, k)
				}
				require.Equal(t, false, s["metadata"])
				require.Equal(t, "realtime", s["type"])
				require.Regexp(t, `^[a-z0-9]+(-[a-z0-9]+)*$`, s["service_code"])
				codes[s["service_code"].(string)] = true
			}
			require.True(t, codes["administrasi-kependudukan"])

			w = h.get("/open311/v2/services.xml")
			require.Equal(t, http.StatusOK, w.Code)
			require.Equal(t, "text/xml; charset=utf-8", w.Header().Get("Content-Type"))
			var doc struct {
				XMLName  xml.Name               `xml:"services"`
				Services []open311.ServiceEntry `xml:"service"`
			}
			decodeXMLStrict(t, w.Body.Bytes(), &doc)
			require.Len(t, doc.Services, len(list))
			require.Equal(t, list[0]["service_code"], doc.Services[0].ServiceCode)
			names := elementNames(t, w.Body.Bytes())
			for _, n := range []string{"services", "service", "service_code", "service_name", "description", "metadata", "type", "keywords", "group"} {
				require.True(t, names[n], "element <%s>", n)
			}
		})

		t.Run("service definition", func(t *testing.T) {
			w := h.get("/open311/v2/services/kesehatan.json")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			require.JSONEq(t, `{"service_code":"kesehatan","attributes":[]}`, w.Body.String())
			w = h.get("/open311/v2/services/kesehatan.xml")
			require.Equal(t, http.StatusOK, w.Code)
			var def struct {
				XMLName     xml.Name `xml:"service_definition"`
				ServiceCode string   `xml:"service_code"`
			}
			decodeXMLStrict(t, w.Body.Bytes(), &def)
			require.Equal(t, "kesehatan", def.ServiceCode)
			require.True(t, elementNames(t, w.Body.Bytes())["attributes"])
		})

		var all []map[string]any
		t.Run("requests default: last 90 days", func(t *testing.T) {
			w := h.get("/open311/v2/requests.json")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &all))
			require.NotEmpty(t, all)
			require.Less(t, len(all), dataComplaints, "complaints older than 90 days are left out")
			for _, r := range all {
				for _, k := range requestKeys {
					require.Contains(t, r, k)
				}
				require.Contains(t, []any{"open", "closed"}, r["status"])
				req, err := time.Parse(time.RFC3339, r["requested_datetime"].(string))
				require.NoError(t, err)
				require.Regexp(t, w3c, r["requested_datetime"])
				require.False(t, req.Before(dataNow.Add(-open311.MaxSpan)), "within the default window")
				for _, k := range []string{"lat", "long", "address", "reporter_name", "reporter_contact"} {
					require.NotContains(t, r, k)
				}
			}
			requireNoReporters(t, "requests.json", w.Body.Bytes())
		})

		start := dataNow.Add(-60 * 24 * time.Hour).Format(time.RFC3339)
		end := dataNow.Add(-10 * 24 * time.Hour).Format(time.RFC3339)
		window := "start_date=" + urlq(start) + "&end_date=" + urlq(end)
		counts := map[string]int{}
		for _, status := range []string{"open", "closed", "open,closed"} {
			t.Run("requests by status and date: "+status, func(t *testing.T) {
				w := h.get("/open311/v2/requests.json?status=" + status + "&" + window)
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				var list []open311.Request
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &list))
				lo, _ := time.Parse(time.RFC3339, start)
				hi, _ := time.Parse(time.RFC3339, end)
				for _, r := range list {
					if status != "open,closed" {
						require.Equal(t, status, r.Status)
					}
					at, err := time.Parse(time.RFC3339, r.RequestedDatetime)
					require.NoError(t, err)
					require.False(t, at.Before(lo) || at.After(hi), "%s outside the window", r.RequestedDatetime)
					if r.Status == "open" && r.ExpectedDatetime != nil {
						require.Regexp(t, w3c, *r.ExpectedDatetime)
						h.requireRunningDue(ctx, r.ServiceRequestID, *r.ExpectedDatetime)
					}
					if r.Status == "closed" {
						require.Nil(t, r.ExpectedDatetime, "a closed request expects nothing")
					}
				}
				counts[status] = len(list)

				wx := h.get("/open311/v2/requests.xml?status=" + status + "&" + window)
				require.Equal(t, http.StatusOK, wx.Code)
				var doc xmlRequests
				decodeXMLStrict(t, wx.Body.Bytes(), &doc)
				require.Len(t, doc.Requests, len(list))
				for i, r := range doc.Requests {
					require.Equal(t, list[i].ServiceRequestID, r.ServiceRequestID)
					require.Equal(t, list[i].Status, r.Status)
					require.Equal(t, list[i].RequestedDatetime, r.RequestedDatetime)
				}
				names := elementNames(t, wx.Body.Bytes())
				for _, k := range append([]string{"service_requests", "request"}, requestKeys...) {
					require.True(t, names[k] || len(doc.Requests) == 0, "element <%s>", k)
				}
			})
		}
		require.Positive(t, counts["open"])
		require.Positive(t, counts["closed"])
		require.Equal(t, counts["open,closed"], counts["open"]+counts["closed"])

		t.Run("one request", func(t *testing.T) {
			id := all[0]["service_request_id"].(string)
			w := h.get("/open311/v2/requests/" + id + ".json?jurisdiction_id=tanggap.id")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			var list []open311.Request
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &list))
			require.Len(t, list, 1)
			require.Equal(t, id, list[0].ServiceRequestID)
			w = h.get("/open311/v2/requests/" + id + ".xml")
			var doc xmlRequests
			decodeXMLStrict(t, w.Body.Bytes(), &doc)
			require.Len(t, doc.Requests, 1)
			require.Equal(t, id, doc.Requests[0].ServiceRequestID)

			// several ids at once override the other filters
			id2 := all[1]["service_request_id"].(string)
			w = h.get("/open311/v2/requests.json?service_request_id=" + id + "," + id2 + "&status=closed&start_date=2001-01-01T00:00:00Z")
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &list))
			require.Len(t, list, 2)
		})

		t.Run("confidential requests withhold their text", func(t *testing.T) {
			for id := range h.confidential {
				w := h.get("/open311/v2/requests/" + id + ".json")
				require.Equal(t, http.StatusOK, w.Code)
				var list []open311.Request
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &list))
				require.Empty(t, list[0].Description)
				require.Empty(t, list[0].StatusNotes)
				requireNoReporters(t, id, w.Body.Bytes())
			}
		})

		errorCases := []struct {
			name, path string
			status     int
		}{
			{"unknown jurisdiction", "/open311/v2/services.%s?jurisdiction_id=example.org", http.StatusNotFound},
			{"unknown request", "/open311/v2/requests/NOPE-1.%s", http.StatusNotFound},
			{"unknown service", "/open311/v2/services/nope.%s", http.StatusNotFound},
			{"span over 90 days", "/open311/v2/requests.%s?start_date=2025-01-01T00:00:00Z&end_date=2025-06-01T00:00:00Z", http.StatusBadRequest},
			{"bad status", "/open311/v2/requests.%s?status=pending", http.StatusBadRequest},
			{"bad date", "/open311/v2/requests.%s?start_date=yesterday", http.StatusBadRequest},
		}
		for _, tc := range errorCases {
			t.Run("error: "+tc.name, func(t *testing.T) {
				w := h.get(strings.Replace(tc.path, "%s", "json", 1))
				require.Equal(t, tc.status, w.Code, w.Body.String())
				var errs []open311.Error
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &errs))
				require.Len(t, errs, 1)
				require.Equal(t, tc.status, errs[0].Code)
				require.NotEmpty(t, errs[0].Description)

				w = h.get(strings.Replace(tc.path, "%s", "xml", 1))
				require.Equal(t, tc.status, w.Code)
				var doc struct {
					XMLName xml.Name        `xml:"errors"`
					Errors  []open311.Error `xml:"error"`
				}
				decodeXMLStrict(t, w.Body.Bytes(), &doc)
				require.Len(t, doc.Errors, 1)
				require.Equal(t, tc.status, doc.Errors[0].Code)
			})
		}
	})
}

// requireRunningDue checks expected_datetime against the stored clocks: it
// must be the due date of one of the complaint's running clocks.
func (h *dataHarness) requireRunningDue(ctx context.Context, trackingID, expected string) {
	h.t.Helper()
	want, err := time.Parse(time.RFC3339, expected)
	require.NoError(h.t, err)
	pc, err := h.store.ComplaintByKey(ctx, store.ComplaintKey{Source: domain.DefaultSource, TrackingID: trackingID})
	require.NoError(h.t, err)
	cs, err := h.store.ClocksOfComplaints(ctx, []int64{pc.ID})
	require.NoError(h.t, err)
	for _, c := range cs[pc.ID] {
		if !c.Clock.Stopped() && c.Clock.DueAt.Truncate(time.Second).Equal(want) {
			return
		}
	}
	h.t.Fatalf("%s: expected_datetime %s is no running clock's due date", trackingID, expected)
}

func urlq(s string) string { return strings.ReplaceAll(s, "+", "%2B") }
