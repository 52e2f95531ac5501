package charts

import (
	"encoding/xml"
	"flag"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden SVG files under testdata/charts")

func pct(v float64) string { return strconv.FormatFloat(v*100, 'f', 0, 64) + "%" }
func one(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
func count(v float64) string {
	return strconv.Itoa(int(v))
}

func ptr(v float64) *float64 { return &v }

// golden compares an SVG with testdata/charts/<name>.svg and checks what
// every chart must have: well-formed XML, role="img" labelled by its own
// title and description.
func golden(t *testing.T, name string, svg template.HTML) {
	t.Helper()
	s := string(svg)
	dec := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "the SVG is well-formed XML")
	}
	m := regexp.MustCompile(`^<svg [^>]*role="img" aria-labelledby="([^" ]+)-title ([^" ]+)-desc"`).FindStringSubmatch(s)
	require.NotNil(t, m, "role=img labelled by title and desc")
	require.Contains(t, s, `<title id="`+m[1]+`-title">`)
	require.Contains(t, s, `<desc id="`+m[2]+`-desc">`)
	require.NotContains(t, s, "style=", "the CSP forbids inline styles")

	path := filepath.Join("..", "..", "..", "testdata", "charts", name+".svg")
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(s+"\n"), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/web/charts -update to create the golden file")
	require.Equal(t, string(want), s+"\n")
}

func TestLine(t *testing.T) {
	cases := []struct {
		name string
		line Line
		// checks beyond the golden file
		polylines, polygons, circles int
	}{
		{
			name: "line_band_gap",
			line: Line{Text: Text{ID: "trend", Title: "On-time rate by month", Desc: "Six months; April has too few cases.",
				XLabel: "Month", YLabel: "On time"}, YMax: 1, Format: pct,
				Points: []Point{
					{Label: "Jan", Value: 0.8, Known: true, Low: 0.7, High: 0.88, HasBand: true},
					{Label: "Feb", Value: 0.75, Known: true, Low: 0.62, High: 0.85, HasBand: true},
					{Label: "Mar", Value: 0.9, Known: true, Low: 0.8, High: 0.95, HasBand: true},
					{Label: "Apr", Low: 0.2, High: 0.9, HasBand: true},
					{Label: "May"},
					{Label: "Jun", Value: 0.6, Known: true, Low: 0.45, High: 0.73, HasBand: true},
				},
				Target: ptr(0.9), TargetLabel: "Target 90%"},
			// Jan–Mar is one line, Jun a lone dot; bands Jan–Apr and Jun
			polylines: 1, polygons: 1, circles: 4,
		},
		{
			name:      "line_empty",
			line:      Line{Text: Text{ID: "empty", Title: "No data", Desc: "Nothing yet."}, YMax: 1, Format: pct},
			polylines: 0, polygons: 0, circles: 0,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svg := string(c.line.SVG())
			golden(t, c.name, template.HTML(svg))
			require.Equal(t, c.polylines, strings.Count(svg, "<polyline"))
			require.Equal(t, c.polygons, strings.Count(svg, "<polygon"))
			require.Equal(t, c.circles, strings.Count(svg, "<circle"))
			// the rate axis starts at 0 and ends at 100 %
			require.Contains(t, svg, ">0%</text>")
			require.Contains(t, svg, ">100%</text>")
		})
	}
}

func TestYAxisStartsAtZero(t *testing.T) {
	// a value of 0 sits on the x axis, the maximum at the top of the plot
	require.InDelta(t, float64(padTop+plotH), yOf(0, 1), 1e-9)
	require.InDelta(t, float64(padTop), yOf(1, 1), 1e-9)
	require.InDelta(t, float64(padTop+plotH), yOf(-0.2, 1), 1e-9, "clamped")
}

func TestBars(t *testing.T) {
	c := Bars{Text: Text{ID: "spbe", Title: "SPBE index by year", Desc: "2023: 3.38; 2024: 3.62; 2025: not yet.", XLabel: "Year", YLabel: "Index"},
		YMax: 5, Format: one, Bars: []Bar{{Label: "2023", Value: 3.38, Known: true}, {Label: "2024", Value: 3.62, Known: true}, {Label: "2025"}}}
	svg := string(c.SVG())
	golden(t, "bars", c.SVG())
	require.Equal(t, 2, strings.Count(svg, "<rect"))
	require.Contains(t, svg, ">3.62</text>")
	require.Contains(t, svg, ">5.00</text>", "the axis runs to YMax")
}

func TestHistogram(t *testing.T) {
	h := Histogram{Text: Text{ID: "days", Title: "Working days to first response", Desc: "Most within 5 days.", XLabel: "Working days", YLabel: "Complaints"},
		Format: count, Marker: 5, MarkerLabel: "Limit: 5 days",
		Bins: []Bin{{"0", 3}, {"1", 12}, {"2", 9}, {"3", 7}, {"4", 4}, {"5", 2}, {"6", 0}, {"7", 1}, {"8+", 3}}}
	svg := string(h.SVG())
	golden(t, "histogram", h.SVG())
	require.Equal(t, 8, strings.Count(svg, "<rect"), "no bar for an empty bin")
	require.Contains(t, svg, ">20</text>", "12 rounds up to a y axis of 20")
	require.Contains(t, svg, "Limit: 5 days")
}

func TestNiceMax(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{{0, 1}, {1, 1}, {3, 5}, {12, 20}, {51, 100}, {100, 100}, {230, 500}} {
		t.Run(strconv.FormatFloat(c.in, 'f', -1, 64), func(t *testing.T) {
			require.Equal(t, c.want, niceMax(c.in))
		})
	}
}

func TestProgress(t *testing.T) {
	cases := []struct {
		name string
		p    Progress
		fill bool
	}{
		{"progress_index", Progress{Text: Text{ID: "p1", Title: "Province SPBE index", Desc: "From 4.14 to 4.50; now 4.20.", XLabel: "Index"},
			Min: 0, Max: 5, Baseline: 4.14, Now: 4.2, NowKnown: true, Target: 4.5, Format: one,
			BaselineLabel: "Baseline", NowLabel: "Now", TargetLabel: "Target"}, true},
		{"progress_unknown", Progress{Text: Text{ID: "p2", Title: "Response rate", Desc: "No current value yet."},
			Min: 0, Max: 1, Baseline: 0.6, Target: 0.9, Format: pct, BaselineLabel: "Baseline", NowLabel: "Now", TargetLabel: "Target"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svg := string(c.p.SVG())
			golden(t, c.name, c.p.SVG())
			require.Equal(t, c.fill, strings.Contains(svg, `fill="`+colAccent+`"`))
			require.Equal(t, c.fill, strings.Contains(svg, ">Now "))
			require.Contains(t, svg, ">Target ")
		})
	}
}

func TestTextIsEscaped(t *testing.T) {
	svg := string(Bars{Text: Text{ID: "x", Title: `<script>alert("x")</script>`, Desc: "a & b"}, YMax: 1, Format: one}.SVG())
	require.NotContains(t, svg, "<script>")
	require.Contains(t, svg, "a &amp; b")
}
