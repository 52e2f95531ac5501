package spbeindex_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/config/catalog"
	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/spbe"
	"github.com/tanggap-id/tanggap/internal/spbeindex"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

type fixture struct {
	st  *store.Store
	svc *spbeindex.Service
	ag  *agencies.Service
	acc *access.Service
	rec *audit.Recorder
	now time.Time
}

// setup builds the services on st with the catalogue loaded; results loads
// the embedded published results too.
func setup(t *testing.T, st *store.Store, results bool) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{st: st, now: time.Date(2025, 6, 1, 3, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.rec = audit.NewRecorder(st, log, clock)
	f.acc = access.NewService(st, f.rec, clock)
	f.ag = agencies.NewService(st, f.acc, f.rec)
	_, err := f.ag.LoadCatalog(ctx, access.CLI())
	require.NoError(t, err)
	fws, err := spbeindex.EmbeddedFrameworks()
	require.NoError(t, err)
	f.svc = spbeindex.NewService(st, f.acc, f.rec, f.ag, fws, clock)
	if results {
		rep, err := f.svc.LoadPublishedResults(ctx, access.CLI())
		require.NoError(t, err)
		require.Empty(t, rep.Rejected)
	}
	return f
}

// csvRows reads the published CSV independently of the code under test.
func csvRows(t *testing.T) []map[string]string {
	t.Helper()
	b, err := catalog.FS.ReadFile(catalog.SPBEResults)
	require.NoError(t, err)
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	require.NoError(t, err)
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func TestImportPublishedResultsIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := setup(t, st, false)
		rows := csvRows(t)
		central := map[string]bool{}
		for _, r := range rows {
			if r["kode_wilayah"] == "" {
				central[r["nama_instansi"]] = true
			}
		}

		rep, err := f.svc.LoadPublishedResults(ctx, access.CLI())
		require.NoError(t, err)
		require.Empty(t, rep.Rejected)
		require.Equal(t, len(rows), rep.Rows)
		require.Equal(t, len(rows), rep.Stored)
		require.Equal(t, 3, rep.Flagged, "the three rows the file flags are stored with their note")
		require.Equal(t, len(central), rep.AgenciesCreated, "one agency per distinct central name")

		again, err := f.svc.LoadPublishedResults(ctx, access.CLI())
		require.NoError(t, err)
		require.Zero(t, again.Stored, "a replay stores nothing")
		require.Equal(t, len(rows), again.Unchanged)
		require.Zero(t, again.AgenciesCreated+again.AgenciesUpdated)

		counts, err := st.CountIndexResults(ctx)
		require.NoError(t, err)
		require.EqualValues(t, len(rows), counts[domain.SourcePublished])

		m, err := f.ag.Get(ctx, spbeindex.CentralAgencyCode("Kementerian Koordinator Bidang Perekonomian"))
		require.NoError(t, err)
		require.Equal(t, domain.KindMinistry, m.Kind)
		require.Equal(t, agencies.NationalCode, m.ParentCode)

		hist, err := f.svc.History(ctx, "32.73")
		require.NoError(t, err)
		require.Len(t, hist, 2)
		require.Equal(t, []string{"3.98", "4.59"}, []string{hist[0].Index, hist[1].Index})
		require.Equal(t, "Memuaskan", hist[1].Predicate)
		require.Equal(t, domain.StageFinal, hist[1].Stage)

		// Only admins import.
		_, err = f.svc.LoadPublishedResults(ctx, access.Principal{Role: access.RoleAgency, AgencyCode: "32", TokenID: 9})
		require.ErrorIs(t, err, domain.ErrForbidden)
	})
}

// TestWithPublishedResults runs the read and write use-cases on one
// database per back-end with the catalogue and the published results
// loaded (loading them is the slow part).
func TestWithPublishedResults(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st, true)
		t.Run("province ranking", func(t *testing.T) { provinceRanking(t, f) })
		t.Run("assessments", func(t *testing.T) { assessments(t, f) })
		t.Run("recommend", func(t *testing.T) { recommend(t, f) })
	})
}

func TestCentralAgencyCode(t *testing.T) {
	cases := []struct{ name, want string }{
		{"Kementerian Koordinator Bidang Politik, Hukum dan Keamanan", "K.kementerian-koordinator-bidang-politik-hukum-dan-keamanan"},
		{"Badan Pusat Statistik", "K.badan-pusat-statistik"},
		{"Mahkamah Agung RI", "K.mahkamah-agung-ri"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, spbeindex.CentralAgencyCode(c.name))
		})
	}
	long := "Badan Pengusahaan Badan Pengusahaan Kawasan Perdagangan Bebas dan Pelabuhan Bebas Batam"
	code := spbeindex.CentralAgencyCode(long)
	a := domain.Agency{Code: code, Kind: domain.KindAgency, Name: long, TimeZone: "Asia/Jakarta"}
	require.NoError(t, a.Validate(), "long names still make valid codes: %s", code)
	require.NotEqual(t, code, spbeindex.CentralAgencyCode(long+" X"), "the hash keeps long names apart")
}

// meanOf is an independent oracle: the exact mean of the CSV's indices.
func meanOf(t *testing.T, rows []map[string]string, year string, keep func(map[string]string) bool) (string, int) {
	sum, n := new(big.Rat), 0
	for _, r := range rows {
		if r["tahun"] != year || !keep(r) {
			continue
		}
		v, ok := new(big.Rat).SetString(r["indeks"])
		require.True(t, ok)
		sum.Add(sum, v)
		n++
	}
	return sum.Quo(sum, big.NewRat(int64(n), 1)).FloatString(2), n
}

func provinceRanking(t *testing.T, f *fixture) {
	ctx := context.Background()
	rows := csvRows(t)
	jabarLocal := func(r map[string]string) bool { return strings.HasPrefix(r["kode_wilayah"], "32.") }

	rk, err := f.svc.Ranking(ctx, spbeindex.RankingQuery{Province: "32", Year: 2024})
	require.NoError(t, err)
	require.Len(t, rk.Rows, 27)
	require.NotNil(t, rk.Province)
	require.Equal(t, "4.73", rk.Province.Index)
	require.Equal(t, "4.14", rk.Province.Previous)
	require.Equal(t, "+0.59", rk.Province.Change)
	m23, n23 := meanOf(t, rows, "2023", jabarLocal)
	m24, n24 := meanOf(t, rows, "2024", jabarLocal)
	require.Equal(t, []spbeindex.GroupAverage{{Year: 2023, N: n23, Mean: m23, Exact: "3.38"}, {Year: 2024, N: n24, Mean: m24, Exact: "3.8967"}}, rk.Averages)
	require.Equal(t, "3.38", m23)
	require.Equal(t, "3.90", m24)

	for i, r := range rk.Rows {
		require.NotEmpty(t, r.Previous, "%s has a 2023 result", r.Government)
		if i > 0 {
			require.GreaterOrEqual(t, r.Rank, rk.Rows[i-1].Rank)
			require.LessOrEqual(t, r.Index, rk.Rows[i-1].Index, "highest first")
		}
		if r.Government == "32.73" {
			require.Equal(t, "4.59", r.Index)
			require.Equal(t, "3.98", r.Previous)
			require.Equal(t, "+0.61", r.Change)
			require.Equal(t, "Memuaskan", r.Predicate)
			require.Len(t, r.Domains, 4)
		}
	}
	require.Equal(t, 1, rk.Rows[0].Rank)

	latest, err := f.svc.Ranking(ctx, spbeindex.RankingQuery{Province: "32"})
	require.NoError(t, err)
	require.Equal(t, 2024, latest.Year, "no year means the newest")

	kota, err := f.svc.Ranking(ctx, spbeindex.RankingQuery{Kinds: []domain.AgencyKind{domain.KindKota}, Year: 2023})
	require.NoError(t, err)
	_, nKota := meanOf(t, rows, "2023", func(r map[string]string) bool {
		return strings.HasPrefix(r["nama_instansi"], "Pemerintah Kota")
	})
	require.Len(t, kota.Rows, nKota)
	require.Nil(t, kota.Province)
	require.Len(t, kota.Averages, 1, "no 2022 results")

	_, err = f.svc.Ranking(ctx, spbeindex.RankingQuery{Province: "32.73"})
	require.ErrorIs(t, err, domain.ErrInvalid)
	_, err = f.svc.Ranking(ctx, spbeindex.RankingQuery{Kinds: []domain.AgencyKind{domain.KindOPD}})
	require.ErrorIs(t, err, domain.ErrInvalid)
}

// allLevels gives every indicator of the default framework the same level.
func allLevels(t *testing.T, f *fixture, level int) []domain.SPBEAssessedLevel {
	ff, err := f.svc.Framework("")
	require.NoError(t, err)
	out := make([]domain.SPBEAssessedLevel, 0, len(ff.Framework.Indicators))
	for _, ind := range ff.Framework.Indicators {
		out = append(out, domain.SPBEAssessedLevel{Indicator: ind.Number, Level: level})
	}
	return out
}

func assessments(t *testing.T, f *fixture) {
	ctx := context.Background()
	_, err := f.ag.Create(ctx, access.CLI(), domain.Agency{Code: "32.12.DISKOMINFO", Kind: domain.KindOPD, Name: "Diskominfo Indramayu", ParentCode: "32.12"})
	require.NoError(t, err)
	k := domain.SPBEAssessmentKey{Government: "32.12", Year: 2023, Stage: domain.StageSelfAssessment}

	part, err := f.svc.PutAssessment(ctx, access.CLI(), k, []domain.SPBEAssessedLevel{{Indicator: 42, Level: 4, OwnerCode: "32.12.DISKOMINFO", EvidenceURL: "https://example.org/lapor"}})
	require.NoError(t, err)
	require.False(t, part.Complete)
	require.Len(t, part.Missing, 46)
	require.Nil(t, part.Result)

	levels := allLevels(t, f, 4)[:41] // 1..41 at 4, 42 stays at 4, 43..47 below
	for n := 43; n <= 47; n++ {
		levels = append(levels, domain.SPBEAssessedLevel{Indicator: n, Level: 2})
	}
	full, err := f.svc.PutAssessment(ctx, access.CLI(), k, levels)
	require.NoError(t, err)
	require.True(t, full.Complete)
	require.Equal(t, 46, full.Changed)
	levelMap := map[int]int{42: 4}
	for _, l := range levels {
		levelMap[l.Indicator] = l.Level
	}
	ff, _ := f.svc.Framework("")
	want, err := spbe.Score(ff.Framework, levelMap)
	require.NoError(t, err)
	require.NotNil(t, full.Result)
	require.Equal(t, want.Published, full.Result.Index)
	require.Equal(t, domain.SourceComputed, full.Result.Source)

	again, err := f.svc.PutAssessment(ctx, access.CLI(), k, levels)
	require.NoError(t, err)
	require.Zero(t, again.Changed)

	hist, err := f.svc.History(ctx, "32.12")
	require.NoError(t, err)
	var self, final []string
	for _, h := range hist {
		switch {
		case h.Source == domain.SourceComputed && h.Stage == domain.StageSelfAssessment:
			self = append(self, h.Index)
		case h.Source == domain.SourcePublished && h.Year == 2023:
			final = append(final, h.Index)
		}
	}
	require.Equal(t, []string{want.Published}, self, "one computed result; the replay added none")
	require.Equal(t, []string{"3.53"}, final, "the self-assessment sits beside the published final result")

	got, err := f.svc.GetAssessment(ctx, access.Principal{Role: access.RoleReader, TokenID: 3, Name: "r"}, k)
	require.NoError(t, err)
	require.Len(t, got.Levels, 47)
	require.Equal(t, "32.12.DISKOMINFO", got.Levels[41].OwnerCode)
	_, err = f.svc.GetAssessment(ctx, access.Principal{}, k)
	require.ErrorIs(t, err, domain.ErrUnauthorized)

	bad := []struct {
		name   string
		key    domain.SPBEAssessmentKey
		levels []domain.SPBEAssessedLevel
		want   error
	}{
		{"level above the scale", k, []domain.SPBEAssessedLevel{{Indicator: 1, Level: 6}}, domain.ErrInvalid},
		{"unknown indicator", k, []domain.SPBEAssessedLevel{{Indicator: 48, Level: 1}}, domain.ErrInvalid},
		{"owner outside the government", k, []domain.SPBEAssessedLevel{{Indicator: 1, Level: 1, OwnerCode: "32.73"}}, domain.ErrInvalid},
		{"unknown precondition", k, []domain.SPBEAssessedLevel{{Indicator: 42, Level: 1, Confirmations: map[string]bool{"nope": true}}}, domain.ErrInvalid},
		{"bad stage", domain.SPBEAssessmentKey{Government: "32.12", Year: 2023, Stage: "draft"}, levels[:1], domain.ErrInvalid},
		{"unit is not a government", domain.SPBEAssessmentKey{Government: "32.12.DISKOMINFO", Year: 2023, Stage: domain.StageFinal}, levels[:1], domain.ErrInvalid},
		{"unknown framework", domain.SPBEAssessmentKey{Framework: "ipd-x", Government: "32.12", Year: 2023, Stage: domain.StageFinal}, levels[:1], domain.ErrNotFound},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.PutAssessment(ctx, access.CLI(), c.key, c.levels)
			require.ErrorIs(t, err, c.want)
		})
	}
}

func TestImportAssessments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := setup(t, st, false)
		var b strings.Builder
		b.WriteString("government,year,stage,indicator,level,note,extra\n")
		for n := 1; n <= 47; n++ {
			b.WriteString("32.73,2024,target," + strconv.Itoa(n) + ",5,,\n")
		}
		b.WriteString("32.04,2024,final,1,9,,\n") // line 49: rejected
		rep, err := f.svc.ImportAssessments(ctx, access.CLI(), strings.NewReader(b.String()))
		require.NoError(t, err)
		require.Equal(t, 1, rep.Sets)
		require.Equal(t, 1, rep.Indexed)
		require.Equal(t, 47, rep.Changed)
		require.Len(t, rep.Rejected, 1)
		require.Equal(t, 49, rep.Rejected[0].Line)
		require.Equal(t, "level", rep.Rejected[0].Field)
		require.Equal(t, []string{`column "extra" ignored`}, rep.Warnings)

		hist, err := f.svc.History(ctx, "32.73")
		require.NoError(t, err)
		require.Len(t, hist, 1)
		require.Equal(t, "5.00", hist[0].Index)
		require.Equal(t, domain.StageTarget, hist[0].Stage)

		again, err := f.svc.ImportAssessments(ctx, access.CLI(), strings.NewReader(b.String()))
		require.NoError(t, err)
		require.Zero(t, again.Changed)
		require.Equal(t, 47, again.Unchanged)
	})
}
