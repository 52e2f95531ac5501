package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/commitments"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
	"github.com/tanggap-id/tanggap/internal/web"
)

// TestCommitmentPages reads the Jawa Barat commitment against the published
// 2023/2024 SPBE results stored from the real file.
func TestCommitmentPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		rec := audit.NewRecorder(st, log, time.Now)
		acc := access.NewService(st, rec, time.Now)
		ag := agencies.NewService(st, acc, rec)
		_, err := ag.LoadCatalog(ctx, access.CLI())
		require.NoError(t, err)
		fws, err := spbeindex.EmbeddedFrameworks()
		require.NoError(t, err)
		spbe := spbeindex.NewService(st, acc, rec, ag, fws, time.Now)
		_, err = spbe.LoadPublishedResults(ctx, access.CLI())
		require.NoError(t, err)
		now := time.Date(2025, 3, 1, 5, 0, 0, 0, time.UTC)
		svc := commitments.NewService(st, acc, rec, ag, commitments.Options{Now: func() time.Time { return now }}).
			WithSources(nil, commitments.SPBEIndex{History: spbe})
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "commitments", "jabar.json"))
		require.NoError(t, err)
		inputs, err := commitments.ParseFile(data, "json")
		require.NoError(t, err)
		_, err = svc.Import(ctx, access.CLI(), inputs)
		require.NoError(t, err)
		_, err = svc.Snapshot(ctx, now)
		require.NoError(t, err)

		eng, err := web.NewEngine(web.LangID, log)
		require.NoError(t, err)
		gin.SetMode(gin.ReleaseMode)
		r := gin.New()
		web.NewSite(eng, ag, log).WithCommitments(svc, func() time.Time { return now }).Register(r)

		code, body := get(t, r, "/komitmen")
		require.Equal(t, http.StatusOK, code, body)
		// The regency/city average: 3.38 (2023) and 3.8967 → 3,90 (2024) over the 27, which meets 3.8.
		require.True(t, strings.Contains(body, "Hasil evaluasi: 2023 3,38, 2024 3,90"))
		row := regexp.MustCompile(`(?s)rata-rata pihak.*?</tr>`).FindString(body)
		require.Contains(t, row, "Tercapai", row)
		require.True(t, strings.Contains(body, "Belum ada data"), "the LAPOR target has no complaint source here")

		code, body = get(t, r, "/komitmen/jabar-spbe-2024?lang=en")
		require.Equal(t, http.StatusOK, code, body)
		for _, want := range []string{"Sekretaris Daerah Provinsi Jawa Barat", "4.14 (31 Dec 2023, computed from data)",
			"2023 3.38 (average of 27 parties); 2024 3.90 (average of 27 parties)", "<polyline points="} {
			require.True(t, strings.Contains(body, want), want)
		}
		require.False(t, strings.Contains(body, "[commit."), "every key has an English text")

		code, _ = get(t, r, "/komitmen/none")
		require.Equal(t, http.StatusNotFound, code)

		cards, err := web.AgencyCommitments(ctx, svc, "32.73", now)
		require.NoError(t, err)
		require.Len(t, cards, 1)
		for _, tr := range cards[0].Targets {
			for _, p := range tr.Parties {
				require.Equal(t, "32.73", p.Code, "an agency's card keeps only its own rows")
			}
		}
	})
}
