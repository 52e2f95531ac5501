package parse

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/ingest")

// goldenItem is an item as the golden files show it.
type goldenItem struct {
	Line      int              `json:"line"`
	Next      Position         `json:"next"`
	Complaint *ComplaintRecord `json:"complaint,omitempty"`
	Event     *EventRecord     `json:"event,omitempty"`
	Errors    any              `json:"errors,omitempty"`
}

// TestGoldenSamples parses the sample imports under testdata/ingest and
// compares every record and error with the reviewed golden output.
func TestGoldenSamples(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "testdata", "ingest")
	for _, name := range []string{"lapor-export-sample.csv", "events-sample.csv"} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, name))
			require.NoError(t, err)
			defer f.Close()
			r, err := NewCSV(f, Options{Agencies: testLookup(t)})
			require.NoError(t, err)
			got := readAll(t, r)
			out := struct {
				Kind     string       `json:"kind"`
				Warnings any          `json:"warnings"`
				Items    []goldenItem `json:"items"`
			}{Kind: r.Kind().String(), Warnings: r.Warnings()}
			for _, it := range got.items {
				g := goldenItem{Line: it.Line, Next: it.Next, Complaint: it.Complaint, Event: it.Event}
				if len(it.Errors) > 0 {
					g.Errors = it.Errors
				}
				out.Items = append(out.Items, g)
			}
			js, err := json.MarshalIndent(out, "", "  ")
			require.NoError(t, err)
			js = append(js, '\n')
			golden := filepath.Join(dir, name+".golden.json")
			if *update {
				require.NoError(t, os.WriteFile(golden, js, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run with -update to create")
			assert.Equal(t, string(want), string(js))
		})
	}
}
