package synth

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the sample files under testdata/ingest")

// TestGoldenSample pins the generator's output: a change to the history
// model shows up as a diff of these sample imports, to review and -update.
func TestGoldenSample(t *testing.T) {
	g := &Generator{Seed: 1, Complaints: 25, Agencies: testAgencies()}
	var nd, cc, ce bytes.Buffer
	require.NoError(t, WriteNDJSON(&nd, g))
	require.NoError(t, WriteCSV(&cc, &ce, g))
	dir := filepath.Join("..", "..", "testdata", "ingest")
	for name, got := range map[string][]byte{
		"synth-sample.ndjson":         nd.Bytes(),
		"synth-sample-complaints.csv": cc.Bytes(),
		"synth-sample-events.csv":     ce.Bytes(),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if *update {
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run with -update to create")
			assert.Equal(t, string(want), string(got))
		})
	}
}
