package agencies

import "errors"

func domainIs(err, target error) bool { return errors.Is(err, target) }
