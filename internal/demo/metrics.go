package demo

import (
	"context"
	"fmt"
)

// buildRollups rebuilds every metric roll-up from the demo clocks, so the
// pages show figures at once; a rebuild gives the same rows each run.
func buildRollups(ctx context.Context, d Deps) (string, error) {
	if d.Rollups == nil {
		return "skipped (no metrics service)", nil
	}
	rep, err := d.Rollups.Rebuild(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d agencies, %d roll-up rows", rep.Agencies, rep.Rows), nil
}
