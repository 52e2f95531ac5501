package demo

import (
	"context"
	"fmt"

	"github.com/tanggap-id/tanggap/internal/access"
)

// loadSPBE stores the framework files and every government's published
// 2023/2024 SPBE results (real data, KemenPAN-RB reports); idempotent.
func loadSPBE(ctx context.Context, d Deps) (string, error) {
	if d.SPBE == nil {
		return "skipped (no SPBE service)", nil
	}
	if _, err := d.SPBE.LoadFrameworks(ctx, access.CLI()); err != nil {
		return "", err
	}
	rep, err := d.SPBE.LoadPublishedResults(ctx, access.CLI())
	if err != nil {
		return "", err
	}
	if len(rep.Rejected) > 0 {
		return "", fmt.Errorf("%d published result(s) rejected, first: %s", len(rep.Rejected), rep.Rejected[0].Error())
	}
	return fmt.Sprintf("%d results stored, %d unchanged, %d central agencies created", rep.Stored, rep.Unchanged, rep.AgenciesCreated), nil
}
