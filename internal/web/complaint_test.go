package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
	_ "time/tzdata"

	"github.com/tanggap-id/tanggap/internal/clock"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/slapolicy"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

// fakeStatus computes real clocks with the pure engine for one complaint
// received Friday 2024-04-05 (just before the Lebaran 2024 break).
type fakeStatus struct {
	t            *testing.T
	confidential bool
}

func (f fakeStatus) ComplaintStatus(_ context.Context, source, tracking string) (clocks.PublicStatus, error) {
	if tracking != "L-1" {
		return clocks.PublicStatus{}, domain.ErrNotFound
	}
	wib, _ := time.LoadLocation("Asia/Jakarta")
	hs, err := workcal.LoadEmbedded()
	require.NoError(f.t, err)
	cal, err := workcal.New(hs, workcal.ContentVersion(hs))
	require.NoError(f.t, err)
	c := domain.Complaint{Source: source, TrackingID: tracking, ReportType: domain.ReportAspirasi, AgencyCode: "32.73",
		SubmittedAt: time.Date(2024, 4, 5, 10, 0, 0, 0, wib), Title: "Lampu jalan padam", Summary: "Jalan Dago gelap",
		Confidential: f.confidential}
	evs := []domain.Event{
		{Kind: domain.EventSubmitted, At: c.SubmittedAt, AgencyCode: "32.73", EventID: "1"},
		{Kind: domain.EventAssigned, At: c.SubmittedAt, AgencyCode: "32.73", ToAgencyCode: "32.73", EventID: "2"},
		{Kind: domain.EventResponded, At: time.Date(2024, 4, 22, 9, 0, 0, 0, wib), AgencyCode: "32.73", EventID: "3", PublicText: "Sudah diperbaiki"},
	}
	eng := clock.Engine{Policy: slapolicy.DefaultNational(), Calendar: cal,
		Agencies: func(string) (domain.AgencyKind, *time.Location, bool) { return domain.KindKota, wib, true }}
	now := time.Date(2024, 4, 23, 9, 0, 0, 0, wib)
	cs, err := eng.Compute(c, evs, now)
	require.NoError(f.t, err)
	st := clocks.PublicStatus{Complaint: c, Confidential: c.Confidential, TimeZone: "Asia/Jakarta"}
	if c.Confidential {
		st.Complaint.Title, st.Complaint.Summary = "", ""
	} else {
		st.Events = evs
	}
	for _, k := range cs {
		days, err := clock.Explain(k, cal, wib, now)
		require.NoError(f.t, err)
		st.Clocks = append(st.Clocks, clocks.ClockView{Clock: k, TimeZone: "Asia/Jakarta", ComputedAt: now, Days: days})
	}
	return st, nil
}

func complaintSite(t *testing.T, confidential bool) *gin.Engine {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, err := NewEngine(LangID, log)
	require.NoError(t, err)
	eng.AddBanners(func(context.Context) []Banner { return []Banner{{Key: "banner.calendar_missing", Args: []any{2028}}} })
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	site := NewSite(eng, fakeAgencies{}, log).WithComplaints(fakeStatus{t: t, confidential: confidential})
	site.Register(r)
	r.NoRoute(site.NotFound)
	return r
}

func TestComplaintPage(t *testing.T) {
	cases := []struct {
		name         string
		confidential bool
		path         string
		want, absent []string
	}{
		{name: "public", path: "/complaints/lapor/L-1",
			want: []string{"Pengaduan L-1", "Lampu jalan padam", "Sudah diperbaiki", "Tanggapan pertama",
				// 5 working days after Friday 2024-04-05 skip the Lebaran 2024 break
				// (8-15 April): 16, 17, 18, 19, 22 April, so due Monday 22 April,
				// and the response that morning is on time.
				"22 Apr 2024 23.59 WIB", "Tepat waktu", "Hari libur: Hari Raya Idul Fitri", "Cuti Bersama", "Akhir pekan", "Hari penerimaan (hari ke-0)",
				"Kalender hari libur belum memuat tahun 2028", "<details>"}},
		{name: "confidential", confidential: true, path: "/complaints/lapor/L-1",
			want:   []string{"bersifat rahasia", "Tanggapan pertama", "Hari libur"},
			absent: []string{"Lampu jalan padam", "Jalan Dago gelap", "Sudah diperbaiki", "Riwayat penanganan"}},
		{name: "english", path: "/complaints/lapor/L-1?lang=en",
			want: []string{"Complaint L-1", "First response", "Day-by-day explanation", "Weekend", "does not include 2028"}},
		{name: "unknown", path: "/complaints/lapor/NOPE", want: []string{"Halaman tidak ditemukan"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := get(complaintSite(t, c.confidential), c.path)
			body := w.Body.String()
			if c.name == "unknown" {
				require.Equal(t, http.StatusNotFound, w.Code)
			} else {
				require.Equal(t, http.StatusOK, w.Code, body)
			}
			for _, s := range c.want {
				require.Contains(t, body, s)
			}
			for _, s := range c.absent {
				require.NotContains(t, body, s)
			}
			require.False(t, strings.Contains(body, "[complaint.") || strings.Contains(body, "[mark.") || strings.Contains(body, "[weekday."),
				"every key is translated")
		})
	}
}
