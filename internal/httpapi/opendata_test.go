package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/httpapi"
	"github.com/tanggap-id/tanggap/internal/opendata"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

// exportRows parses a download into rows keyed by field name, checking the
// columns/keys are exactly the dictionary's, in order for CSV.
func exportRows(t *testing.T, ds opendata.Dataset, f opendata.Format, body []byte) []map[string]any {
	t.Helper()
	names := make([]string, len(ds.Fields))
	for i, fl := range ds.Fields {
		names[i] = fl.Name
	}
	var out []map[string]any
	switch f {
	case opendata.CSV:
		recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		require.NoError(t, err)
		require.Equal(t, names, recs[0], "CSV header = dictionary")
		for _, r := range recs[1:] {
			m := map[string]any{}
			for i, v := range r {
				m[names[i]] = v
			}
			out = append(out, m)
		}
	case opendata.JSON:
		var doc struct {
			Dataset    string           `json:"dataset"`
			Licence    opendata.Licence `json:"licence"`
			Dictionary string           `json:"dictionary"`
			Items      []map[string]any `json:"items"`
		}
		require.NoError(t, json.Unmarshal(body, &doc))
		require.Equal(t, ds.Name, doc.Dataset)
		require.Equal(t, ds.Licence, doc.Licence, "the JSON document carries its licence")
		require.Equal(t, opendata.DictionaryPath(ds.Name), doc.Dictionary)
		out = doc.Items
	case opendata.NDJSON:
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m map[string]any
			require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
			out = append(out, m)
		}
	}
	for _, m := range out {
		require.Len(t, m, len(names))
		for _, n := range names {
			require.Contains(t, m, n)
		}
	}
	return out
}

func TestOpenData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := newDataHarness(t, st, nil)
		svc := opendata.NewService(st, func() time.Time { return dataNow }, "")

		t.Run("catalogue and dictionaries", func(t *testing.T) {
			w := h.get("/open-data/catalog.json")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			var cat struct {
				Datasets []struct {
					Dataset    string            `json:"dataset"`
					Licence    opendata.Licence  `json:"licence"`
					Dictionary string            `json:"dictionary"`
					Downloads  map[string]string `json:"downloads"`
				} `json:"datasets"`
			}
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &cat))
			require.Len(t, cat.Datasets, len(svc.Datasets()))
			for _, d := range cat.Datasets {
				require.NotEmpty(t, d.Licence.URL)
				w := h.get(d.Dictionary)
				require.Equal(t, http.StatusOK, w.Code)
				var dict opendata.Dataset
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &dict))
				require.NotEmpty(t, dict.Fields)
				for _, fl := range dict.Fields {
					require.NotEmpty(t, fl.Type, fl.Name)
					require.NotEmpty(t, fl.Meaning, fl.Name)
					require.NotEmpty(t, fl.MeaningID, fl.Name)
				}
				require.NotEmpty(t, d.Downloads)
			}
		})

		// every dataset in every format: dictionary-shaped, licensed, and
		// free of reporters and confidential rows
		rows := map[string]int{}
		for _, ds := range svc.Datasets() {
			for _, f := range ds.Formats {
				t.Run("download "+ds.Name+"."+string(f), func(t *testing.T) {
					w := h.get(opendata.DownloadPath(ds.Name, f))
					require.Equal(t, http.StatusOK, w.Code, w.Body.String())
					require.Equal(t, f.ContentType(), w.Header().Get("Content-Type"))
					require.Contains(t, w.Header().Get("Link"), `<`+ds.Licence.URL+`>; rel="license"`)
					requireNoReporters(t, ds.Name+"."+string(f), w.Body.Bytes())
					if f == opendata.ICS {
						return // TestHolidayFeed
					}
					list := exportRows(t, ds, f, w.Body.Bytes())
					rows[ds.Name+"."+string(f)] = len(list)
					for _, r := range list {
						if id, ok := r["tracking_id"].(string); ok {
							require.False(t, h.confidential[id], "confidential complaint %s exported as a row", id)
						}
					}
				})
			}
		}
		public := dataComplaints - len(h.confidential)
		require.Equal(t, public, rows["complaints.csv"])
		require.Equal(t, public, rows["complaints.ndjson"])
		require.Equal(t, public, rows["complaints.json"])
		require.Positive(t, rows["complaint-clocks.ndjson"])
		require.Positive(t, rows["holidays.csv"])

		t.Run("counts include confidential complaints", func(t *testing.T) {
			w := h.get("/open-data/complaint-counts.json")
			ds, _ := svc.Dataset(opendata.DatasetComplaintCounts)
			var received, confidential, pub float64
			for _, r := range exportRows(t, ds, opendata.JSON, w.Body.Bytes()) {
				received += r["received"].(float64)
				confidential += r["confidential"].(float64)
				pub += r["public"].(float64)
				require.Regexp(t, `^\d{4}-\d\d$`, r["month"])
			}
			require.Equal(t, float64(dataComplaints), received)
			require.Equal(t, float64(len(h.confidential)), confidential)
			require.Equal(t, float64(public), pub)
		})

		t.Run("filters: government and period", func(t *testing.T) {
			ds, _ := svc.Dataset(opendata.DatasetComplaints)
			w := h.get("/open-data/complaints.ndjson?government=73")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			list := exportRows(t, ds, opendata.NDJSON, w.Body.Bytes())
			require.NotEmpty(t, list)
			conf := 0
			for _, r := range list {
				require.True(t, strings.HasPrefix(r["agency_code"].(string), "73"), r["agency_code"])
				require.Equal(t, "Asia/Makassar", r["time_zone"])
				require.True(t, strings.HasSuffix(r["submitted_at"].(string), "+08:00"), "times in the agency's zone: %s", r["submitted_at"])
			}
			w = h.get("/open-data/complaint-counts.csv?government=73")
			cds, _ := svc.Dataset(opendata.DatasetComplaintCounts)
			total := 0
			for _, r := range exportRows(t, cds, opendata.CSV, w.Body.Bytes()) {
				n, err := strconv.Atoi(r["received"].(string))
				require.NoError(t, err)
				total += n
				c, _ := strconv.Atoi(r["confidential"].(string))
				conf += c
			}
			require.Equal(t, h.byGov["73"]+h.byGov["73.71"], total)
			require.Equal(t, len(list), total-conf)

			w = h.get("/open-data/complaints.csv?from=2025-08-01&to=2025-08-31")
			require.Equal(t, http.StatusOK, w.Code)
			list = exportRows(t, ds, opendata.CSV, w.Body.Bytes())
			require.NotEmpty(t, list)
			wib := time.FixedZone("WIB", 7*3600)
			for _, r := range list {
				at, err := time.Parse(time.RFC3339, r["submitted_at"].(string))
				require.NoError(t, err)
				require.Equal(t, time.August, at.In(wib).Month(), r["submitted_at"])
			}
		})

		errorCases := []struct {
			name, path string
			status     int
		}{
			{"unknown dataset", "/open-data/nope.csv", http.StatusNotFound},
			{"format not offered", "/open-data/complaints.ics", http.StatusNotFound},
			{"no format", "/open-data/complaints", http.StatusNotFound},
			{"unknown government", "/open-data/complaints.csv?government=99.99", http.StatusNotFound},
			{"national dataset takes no government", "/open-data/holidays.csv?government=32", http.StatusUnprocessableEntity},
			{"bad date", "/open-data/complaints.csv?from=2025-13-01", http.StatusUnprocessableEntity},
			{"to before from", "/open-data/complaints.csv?from=2025-09-01&to=2025-08-01", http.StatusUnprocessableEntity},
		}
		for _, tc := range errorCases {
			t.Run("error: "+tc.name, func(t *testing.T) {
				w := h.get(tc.path)
				require.Equal(t, tc.status, w.Code, w.Body.String())
				var body httpapi.ErrorBody
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
				require.NotEmpty(t, body.Error.Code)
			})
		}
	})
}

// TestHolidayFeed checks the iCalendar feed structurally (RFC 5545).
func TestHolidayFeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := newDataHarness(t, st, nil)
		for _, lang := range []string{"id", "en"} {
			t.Run(lang, func(t *testing.T) {
				w := h.get("/open-data/holidays.ics?lang=" + lang)
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				body := w.Body.String()
				require.True(t, strings.HasSuffix(body, "\r\n"))
				require.NotContains(t, strings.ReplaceAll(body, "\r\n", ""), "\n", "every line ends in CRLF")
				lines := strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n")
				var stack []string
				uids := map[string]bool{}
				events := 0
				for i, l := range lines {
					require.LessOrEqual(t, len(l), 75, "line %d longer than 75 octets: %q", i, l)
					if strings.HasPrefix(l, " ") {
						continue // folded continuation
					}
					switch {
					case strings.HasPrefix(l, "BEGIN:"):
						stack = append(stack, strings.TrimPrefix(l, "BEGIN:"))
					case strings.HasPrefix(l, "END:"):
						require.NotEmpty(t, stack)
						require.Equal(t, stack[len(stack)-1], strings.TrimPrefix(l, "END:"), "END matches BEGIN")
						if stack[len(stack)-1] == "VEVENT" {
							events++
						}
						stack = stack[:len(stack)-1]
					case strings.HasPrefix(l, "UID:"):
						require.False(t, uids[l], "UIDs are unique")
						uids[l] = true
					case strings.HasPrefix(l, "DTSTART"):
						require.Regexp(t, `^DTSTART;VALUE=DATE:\d{8}$`, l)
					}
				}
				require.Empty(t, stack, "every BEGIN has its END")
				require.Equal(t, "BEGIN:VCALENDAR", lines[0])
				hs, err := st.Holidays(t.Context())
				require.NoError(t, err)
				require.Equal(t, len(hs), events)
				require.Contains(t, body, "UID:holiday-2025-01-01@tanggap.id")
			})
		}
	})
}

func TestOpenDataRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := newDataHarness(t, st, httpapi.NewLimiter(1, func() time.Time { return dataNow }))
		require.Equal(t, http.StatusOK, h.get("/open-data/holidays.csv").Code)
		w := h.get("/open-data/holidays.csv")
		require.Equal(t, http.StatusTooManyRequests, w.Code)
		require.NotEmpty(t, w.Header().Get("Retry-After"))
		// dictionaries are not downloads
		require.Equal(t, http.StatusOK, h.get("/open-data/holidays/dictionary.json").Code)
		w = h.get("/open311/v2/requests.xml")
		require.Equal(t, http.StatusTooManyRequests, w.Code, "request listings share the export budget")
		require.Contains(t, w.Body.String(), "<errors>")
	})
}
