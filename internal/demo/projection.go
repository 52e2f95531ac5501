package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/tanggap-id/tanggap/internal/spbeindex"
)

// projectIndices runs the daily index job once: every government with a
// complete assessment gets its projected index of the current year, with
// indicator 42 derived from the demo complaints. The demo records no
// assessments (no real indicator levels are published, and it invents
// none), so with the demo data alone no government is projected and the
// step says so; projections appear once assessments are imported
// (`tanggap spbe import-assessments`), and the projection tests show them.
func projectIndices(ctx context.Context, d Deps) (string, error) {
	if d.SPBE == nil || d.Rollups == nil {
		return "skipped (no SPBE or metrics service)", nil
	}
	rep, err := d.SPBE.ProjectAll(ctx, spbeindex.ProjectionYear(time.Now()), d.Rollups, d.Log)
	if err != nil {
		return "", err
	}
	if rep.Projected == 0 {
		return fmt.Sprintf("%d: no government has a complete assessment to project from (%d have published results or nothing)",
			rep.Year, rep.WithoutLevels), nil
	}
	return fmt.Sprintf("%d: %d governments projected (%d changed), %d without a complete assessment", rep.Year, rep.Projected,
		rep.Stored, rep.WithoutLevels), nil
}
