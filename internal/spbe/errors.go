package spbe

import (
	"fmt"

	"github.com/tanggap-id/tanggap/internal/domain"
)

var errInvalid = domain.ErrInvalid

// ErrUnreachable means a target index cannot be reached even with every
// allowed indicator at the top level. It unwraps to domain.ErrInvalid.
var ErrUnreachable = fmt.Errorf("%w: target index unreachable", domain.ErrInvalid)

func invalidf(field, format string, args ...any) error {
	return domain.Invalidf(field, format, args...)
}
