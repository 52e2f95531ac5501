package synth

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/ingest/parse"
)

// testAgencies: a province, three cities in the three zones with OPD units,
// a ministry and a national node that is never addressed directly.
func testAgencies() []domain.Agency {
	as := []domain.Agency{
		{Code: "00", Kind: domain.KindNational, Name: "Nasional", TimeZone: "Asia/Jakarta"},
		{Code: "kemenkes", Kind: domain.KindMinistry, Name: "Kementerian Kesehatan", ParentCode: "00", TimeZone: "Asia/Jakarta"},
		{Code: "32", Kind: domain.KindProvinsi, Name: "Jawa Barat", ParentCode: "00", TimeZone: "Asia/Jakarta"},
		{Code: "32.73", Kind: domain.KindKota, Name: "Kota Bandung", ParentCode: "32", TimeZone: "Asia/Jakarta"},
		{Code: "73.71", Kind: domain.KindKota, Name: "Kota Makassar", ParentCode: "73", TimeZone: "Asia/Makassar"},
		{Code: "91.71", Kind: domain.KindKota, Name: "Kota Jayapura", ParentCode: "91", TimeZone: "Asia/Jayapura"},
	}
	for _, gov := range []string{"32.73", "73.71", "91.71", "32"} {
		zone := "Asia/Jakarta"
		for _, a := range as {
			if a.Code == gov {
				zone = a.TimeZone
			}
		}
		for _, u := range []string{"diskominfo", "dinkes", "disdik", "dishub", "dlh"} {
			as = append(as, domain.Agency{Code: gov + "." + u, Kind: domain.KindOPD, Name: u, ParentCode: gov, TimeZone: zone})
		}
	}
	return as
}

func lookupOf(t testing.TB, as []domain.Agency) parse.AgencyLookup {
	locs := map[string]*time.Location{}
	for _, a := range as {
		loc, err := time.LoadLocation(a.TimeZone)
		require.NoError(t, err)
		locs[a.Code] = loc
	}
	return func(code string) (*time.Location, bool) { l, ok := locs[code]; return l, ok }
}

type generated struct {
	c   domain.Complaint
	r   domain.Reporter
	evs []domain.Event
}

func collect(t testing.TB, g *Generator) []generated {
	t.Helper()
	var out []generated
	require.NoError(t, g.Each(func(c domain.Complaint, r domain.Reporter, evs []domain.Event) error {
		out = append(out, generated{c, r, evs})
		return nil
	}))
	return out
}

func TestSameSeedSameBytes(t *testing.T) {
	gen := func(seed uint64) *Generator {
		return &Generator{Seed: seed, Complaints: 400, Agencies: testAgencies()}
	}
	var a, b, c bytes.Buffer
	require.NoError(t, WriteNDJSON(&a, gen(7)))
	require.NoError(t, WriteNDJSON(&b, gen(7)))
	require.NoError(t, WriteNDJSON(&c, gen(8)))
	assert.Equal(t, a.Bytes(), b.Bytes())
	assert.NotEqual(t, a.Bytes(), c.Bytes())

	var c1, e1, c2, e2 bytes.Buffer
	require.NoError(t, WriteCSV(&c1, &e1, gen(7)))
	require.NoError(t, WriteCSV(&c2, &e2, gen(7)))
	assert.Equal(t, c1.Bytes(), c2.Bytes())
	assert.Equal(t, e1.Bytes(), e2.Bytes())

	t.Run("complaint n does not depend on how many are generated", func(t *testing.T) {
		small := collect(t, &Generator{Seed: 7, Complaints: 50, Agencies: testAgencies()})
		large := collect(t, &Generator{Seed: 7, Complaints: 400, Agencies: testAgencies()})
		assert.Equal(t, small, large[:50])
	})
}

func TestHistoriesAreWellFormed(t *testing.T) {
	as := testAgencies()
	byCode := map[string]domain.Agency{}
	for _, a := range as {
		byCode[a.Code] = a
	}
	g := &Generator{Seed: 42, Complaints: 4000, Agencies: as}
	from := time.Date(2023, 1, 1, 0, 0, 0, 0, time.FixedZone("WIB", 7*3600))
	to := time.Date(2025, 12, 31, 23, 59, 59, 0, time.FixedZone("WIB", 7*3600))
	ids := map[string]bool{}
	kinds := map[domain.EventKind]int{}
	var anon, conf, unanswered int
	types := map[domain.ReportType]int{}
	for i, x := range collect(t, g) {
		c := x.c
		assert.Equal(t, TrackingID(i+1), c.TrackingID)
		assert.Equal(t, domain.Reporter{Name: ReporterName(i + 1), Contact: ReporterContact(i + 1)}, x.r)
		assert.True(t, strings.HasSuffix(x.r.Contact, ".invalid"), "contacts must not be deliverable")
		assert.False(t, c.SubmittedAt.Before(from) || c.SubmittedAt.After(to), "submitted %v out of range", c.SubmittedAt)
		require.NotEmpty(t, x.evs)
		assert.Equal(t, domain.EventSubmitted, x.evs[0].Kind)
		assert.True(t, x.evs[0].At.Equal(c.SubmittedAt))
		ag, ok := byCode[c.AgencyCode]
		require.True(t, ok, c.AgencyCode)
		assert.NotEqual(t, domain.KindNational, ag.Kind)
		assert.Equal(t, ag.TimeZone, c.SubmittedAt.Location().String(), "times are in the agency's zone")
		answered := false
		for j, e := range x.evs {
			kinds[e.Kind]++
			assert.Equal(t, c.TrackingID, e.TrackingID)
			assert.False(t, ids[e.EventID], "duplicate event id %s", e.EventID)
			ids[e.EventID] = true
			assert.False(t, e.At.After(to), "event after the horizon")
			if j > 0 {
				assert.True(t, e.At.After(x.evs[j-1].At), "%s: event %d not after event %d", c.TrackingID, j, j-1)
			}
			if e.AgencyCode != "" {
				assert.Equal(t, byCode[e.AgencyCode].TimeZone, e.At.Location().String(), "event times are in the acting agency's zone")
			}
			if e.Kind.NeedsTarget() {
				_, ok := byCode[e.ToAgencyCode]
				assert.True(t, ok, "%s %s without a known target", c.TrackingID, e.Kind)
			}
			if e.Kind == domain.EventAssigned {
				target := byCode[e.ToAgencyCode]
				assert.True(t, target.Code == e.AgencyCode || target.ParentCode == e.AgencyCode,
					"assigned to %s, which is neither %s nor its unit", target.Code, e.AgencyCode)
			}
			if e.Kind == domain.EventResponded {
				answered = true
			}
		}
		if !answered && len(x.evs) > 2 {
			unanswered++
		}
		if c.Anonymous {
			anon++
		}
		if c.Confidential {
			conf++
		}
		types[c.ReportType]++
	}
	n := float64(g.Complaints)
	assert.InDelta(t, 0.10, float64(anon)/n, 0.02, "anonymous share")
	assert.InDelta(t, 0.03, float64(conf)/n, 0.012, "confidential share")
	assert.Len(t, types, 3)
	for _, k := range domain.EventKinds {
		assert.Positive(t, kinds[k], "no %s event in 4000 histories", k)
	}
	assert.Greater(t, unanswered, 100, "some complaints are never answered")
}

func TestAgencyPerformanceVaries(t *testing.T) {
	g := &Generator{Seed: 3, Complaints: 6000, Agencies: testAgencies()}
	days := map[string][]float64{} // agency → calendar days from assignment to first response
	require.NoError(t, g.Each(func(c domain.Complaint, _ domain.Reporter, evs []domain.Event) error {
		var assigned time.Time
		var agency string
		for _, e := range evs {
			switch e.Kind {
			case domain.EventAssigned, domain.EventForwarded:
				assigned, agency = e.At, e.ToAgencyCode
			case domain.EventResponded:
				if agency != "" {
					days[agency] = append(days[agency], e.At.Sub(assigned).Hours()/24)
					agency = ""
				}
			}
		}
		return nil
	}))
	var medians []float64
	for _, d := range days {
		if len(d) >= 30 {
			sort.Float64s(d)
			medians = append(medians, d[len(d)/2])
		}
	}
	require.GreaterOrEqual(t, len(medians), 10)
	sort.Float64s(medians)
	assert.Greater(t, medians[len(medians)-1]/medians[0], 3.0, "slowest vs fastest agency median: %v", medians)
}

func TestRoundTripThroughParsers(t *testing.T) {
	as := testAgencies()
	g := &Generator{Seed: 11, Complaints: 500, Agencies: as}
	want := collect(t, g)
	opt := parse.Options{Agencies: lookupOf(t, as)}
	asJSON := func(v any) string {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return string(b)
	}

	t.Run("ndjson", func(t *testing.T) {
		var buf bytes.Buffer
		require.NoError(t, WriteNDJSON(&buf, g))
		r, err := parse.NewNDJSON(&buf, opt)
		require.NoError(t, err)
		var got []generated
		for {
			it, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			require.Empty(t, it.Errors)
			got = append(got, generated{it.Complaint.Complaint, it.Complaint.Reporter, it.Complaint.Events})
		}
		assert.Empty(t, r.Warnings())
		assert.Equal(t, asJSON(want), asJSON(got))
	})
	t.Run("csv", func(t *testing.T) {
		var cb, eb bytes.Buffer
		require.NoError(t, WriteCSV(&cb, &eb, g))
		rc, err := parse.NewCSV(&cb, opt)
		require.NoError(t, err)
		re, err := parse.NewCSV(&eb, opt)
		require.NoError(t, err)
		assert.Equal(t, parse.KindEvents, re.Kind())
		byID := map[string]*generated{}
		var got []*generated
		for {
			it, err := rc.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			require.Empty(t, it.Errors)
			x := &generated{c: it.Complaint.Complaint, r: it.Complaint.Reporter}
			byID[x.c.TrackingID] = x
			got = append(got, x)
		}
		for {
			it, err := re.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			require.Empty(t, it.Errors)
			x := byID[it.Event.Event.TrackingID]
			require.NotNil(t, x)
			x.evs = append(x.evs, it.Event.Event)
		}
		assert.Empty(t, rc.Warnings())
		assert.Empty(t, re.Warnings())
		flat := make([]generated, len(got))
		for i, x := range got {
			flat[i] = *x
		}
		assert.Equal(t, asJSON(want), asJSON(flat))
	})
}

func TestGeneratorErrors(t *testing.T) {
	cases := []struct {
		name string
		g    Generator
	}{
		{"no agencies", Generator{Complaints: 1}},
		{"bad zone", Generator{Complaints: 1, Agencies: []domain.Agency{{Code: "x", Kind: domain.KindKota, TimeZone: "Mars/Olympus"}}}},
		{"empty range", Generator{Complaints: 1, Agencies: testAgencies(), From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Error(t, tc.g.Each(func(domain.Complaint, domain.Reporter, []domain.Event) error { return nil }))
		})
	}
	t.Run("callback error stops", func(t *testing.T) {
		stop := errors.New("stop")
		calls := 0
		err := (&Generator{Complaints: 10, Agencies: testAgencies()}).Each(func(domain.Complaint, domain.Reporter, []domain.Event) error {
			calls++
			return stop
		})
		assert.ErrorIs(t, err, stop)
		assert.Equal(t, 1, calls)
	})
}
