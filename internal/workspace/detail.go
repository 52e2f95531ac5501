package workspace

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/requestid"
	"github.com/tanggap-id/tanggap/internal/store"
)

func pathEscape(s string) string { return url.PathEscape(s) }

// OfficerComplaint is a complaint as the workspace shows it: every public
// field (confidential ones too: the agency handles them), history, the
// explained clocks and, for officers and admins, the reporter's contact.
type OfficerComplaint struct {
	Complaint domain.Complaint
	TimeZone  string
	Events    []domain.Event
	Clocks    []clocks.ClockView
	// Reporter is set when the viewer may see it and the complaint is not
	// anonymous and has reporter data; each such view is logged.
	Reporter *domain.Reporter
	// ReporterWithheld: there is a reporter but this role does not see it.
	ReporterWithheld bool
}

// canSeeReporter: officers follow complaints up; supervisors read figures.
func canSeeReporter(r Role) bool { return r == RoleOfficer || r == RoleAdmin }

// Complaint returns a complaint for a signed-in user. A complaint outside
// the user's subtree (neither assigned there nor with a clock there) is
// ErrForbidden and leaves an audit row; a view of reporter data is written
// to the reporter access log before the data is returned.
func (s *Service) Complaint(ctx context.Context, cur Current, source, trackingID string, cl Client) (OfficerComplaint, error) {
	u := cur.User
	path, err := scopePath(u)
	if err != nil {
		return OfficerComplaint{}, err
	}
	pc, err := s.store.ComplaintByKey(ctx, store.ComplaintKey{Source: source, TrackingID: trackingID})
	if err != nil {
		return OfficerComplaint{}, err
	}
	views, err := s.clocks.ComplaintClocks(ctx, pc.ID, true)
	if err != nil {
		return OfficerComplaint{}, err
	}
	in := strings.HasPrefix(pc.AgencyPath, path)
	for _, v := range views {
		if in || path == "" {
			break
		}
		p, err := s.store.AgencyPath(ctx, v.AgencyCode)
		if err != nil {
			return OfficerComplaint{}, err
		}
		in = strings.HasPrefix(p, path)
	}
	key := source + "/" + trackingID
	if !in {
		s.audit.Record(ctx, Actor(u), "deny", "complaint", key, nil,
			map[string]string{"reason": "outside subtree", "scope": u.AgencyCode, "agency_code": pc.Complaint.AgencyCode, "ip": cl.IP})
		return OfficerComplaint{}, fmt.Errorf("workspace: complaint %s is outside %s: %w", key, u.AgencyCode, domain.ErrForbidden)
	}
	oc := OfficerComplaint{Complaint: pc.Complaint, TimeZone: pc.TimeZone, Clocks: views}
	if loc, err := time.LoadLocation(pc.TimeZone); err == nil {
		oc.Complaint.SubmittedAt = oc.Complaint.SubmittedAt.In(loc)
	}
	if oc.Events, err = s.store.ComplaintEvents(ctx, pc.ID); err != nil {
		return OfficerComplaint{}, err
	}
	if pc.Complaint.Anonymous {
		return oc, nil
	}
	rep, err := s.store.ComplaintReporter(ctx, pc.ID)
	if err != nil {
		return OfficerComplaint{}, err
	}
	if rep.Name == "" && rep.Contact == "" {
		return oc, nil
	}
	if !canSeeReporter(cur.Role()) {
		oc.ReporterWithheld = true
		return oc, nil
	}
	// Logged first: if the log cannot be written, the data is not shown.
	if err := s.store.InsertReporterAccess(ctx, store.ReporterAccess{At: s.now(), UserID: u.ID, Actor: Actor(u), ComplaintID: pc.ID,
		Source: source, TrackingID: trackingID, AgencyCode: pc.Complaint.AgencyCode, Purpose: "complaint detail", ClientIP: cl.IP,
		RequestID: requestid.From(ctx)}); err != nil {
		return OfficerComplaint{}, err
	}
	oc.Reporter = &rep
	return oc, nil
}

// ReporterAccessLog lists views of reporter data (admins only).
func (s *Service) ReporterAccessLog(ctx context.Context, actor access.Principal, f store.ReporterAccessFilter) ([]store.ReporterAccess, int64, error) {
	if err := access.RequireAdmin(actor); err != nil {
		return nil, 0, err
	}
	return s.store.ListReporterAccess(ctx, f)
}
