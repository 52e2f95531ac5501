package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// EventIdentity returns the event's source id, or when it has none a content
// hash of (tracking id, kind, time, agency, target agency) so that the same
// event seen twice is recognised (design §5).
func EventIdentity(e Event) string {
	if e.EventID != "" {
		return e.EventID
	}
	h := sha256.New()
	for _, s := range []string{e.TrackingID, string(e.Kind), e.At.UTC().Format(time.RFC3339Nano), e.AgencyCode, e.ToAgencyCode} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "h:" + hex.EncodeToString(h.Sum(nil))[:32]
}
