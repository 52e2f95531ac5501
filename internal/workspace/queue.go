package workspace

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// QueueFilter narrows the SLA queue; every field is optional.
type QueueFilter struct {
	Unit       string // an agency code inside the user's subtree
	Category   string
	ReportType string
	Kind       string
}

// Queue groups, in the order the page shows them.
const (
	GroupOverdue  = "overdue"
	GroupDueToday = "due_today"
	GroupAtRisk   = "at_risk"
	GroupLater    = "later"
)

// QueueGroups lists the group keys in display order.
var QueueGroups = []string{GroupOverdue, GroupDueToday, GroupAtRisk, GroupLater}

// QueueItem is a running clock in the queue with its group and working
// days left (negative: days over).
type QueueItem struct {
	store.QueueItem
	Group    string
	DaysLeft int
}

// QueueGroup is one group of the queue.
type QueueGroup struct {
	Key   string
	Items []QueueItem
}

// Queue is the SLA queue of a user's subtree.
type Queue struct {
	Filter     QueueFilter
	Scope      string // the subtree root's agency code ("" for admins: all)
	Units      []store.QueueUnit
	Categories []string
	Groups     []QueueGroup
	Shown      int
	Total      int64 // running clocks matching the filter
	Truncated  bool
	AsOf       time.Time
}

// MaxQueueRows bounds one page (and one CSV download) of the queue.
const MaxQueueRows = 2000

// scopePath is the materialised path of what u may see; "" means all.
func scopePath(u store.User) (string, error) {
	switch Role(u.Role) {
	case RoleAdmin:
		return "", nil
	case RoleOfficer, RoleSupervisor:
		if u.AgencyPath == "" {
			return "", fmt.Errorf("workspace: %s has no agency: %w", u.Username, domain.ErrForbidden)
		}
		return u.AgencyPath, nil
	}
	return "", fmt.Errorf("workspace: role %q: %w", u.Role, domain.ErrForbidden)
}

// groupOf places a running clock: overdue (judged so, or past due now),
// due today (in its agency's zone), at risk, or later.
func groupOf(it store.QueueItem, now time.Time) string {
	if it.Verdict == domain.VerdictOverdue || it.DueAt.Before(now) {
		return GroupOverdue
	}
	n := now.In(it.DueAt.Location())
	if y, m, d := it.DueAt.Date(); n.Year() == y && n.Month() == m && n.Day() == d {
		return GroupDueToday
	}
	if it.Verdict == domain.VerdictAtRisk {
		return GroupAtRisk
	}
	return GroupLater
}

// Queue returns the running clocks of u's subtree matching f, grouped and
// ordered by due date, as of now.
func (s *Service) Queue(ctx context.Context, u store.User, f QueueFilter, now time.Time) (Queue, error) {
	path, err := scopePath(u)
	if err != nil {
		return Queue{}, err
	}
	q := Queue{Filter: f, Scope: u.AgencyCode, AsOf: now}
	if q.Units, q.Categories, err = s.store.QueueFacets(ctx, path); err != nil {
		return Queue{}, err
	}
	sf := store.QueueFilter{Path: path, Category: f.Category, ReportType: f.ReportType, Kind: f.Kind, Limit: MaxQueueRows}
	if f.ReportType != "" && !domain.ReportType(f.ReportType).Valid() {
		return Queue{}, domain.Invalidf("report_type", "%q is not a report type", f.ReportType)
	}
	if f.Kind != "" && !validKind(f.Kind) {
		return Queue{}, domain.Invalidf("kind", "%q is not a clock kind", f.Kind)
	}
	if f.Unit != "" {
		unitPath, err := s.store.AgencyPath(ctx, f.Unit)
		if err != nil {
			return Queue{}, err
		}
		if !strings.HasPrefix(unitPath, path) {
			return Queue{}, fmt.Errorf("workspace: unit %s is outside %s's scope: %w", f.Unit, u.Username, domain.ErrForbidden)
		}
		sf.Path = unitPath
	}
	items, err := s.store.OpenClockQueue(ctx, sf)
	if err != nil {
		return Queue{}, err
	}
	counts, err := s.store.OpenClockCounts(ctx, store.QueueFilter{Path: sf.Path, Category: sf.Category, ReportType: sf.ReportType, Kind: sf.Kind}, now, now)
	if err != nil {
		return Queue{}, err
	}
	q.Total, q.Shown = counts.Open, len(items)
	q.Truncated = int64(len(items)) < counts.Open
	byKey := map[string]*QueueGroup{}
	for _, k := range QueueGroups {
		q.Groups = append(q.Groups, QueueGroup{Key: k})
	}
	for i := range q.Groups {
		byKey[q.Groups[i].Key] = &q.Groups[i]
	}
	for _, it := range items {
		qi := QueueItem{QueueItem: it, Group: groupOf(it, now), DaysLeft: it.LimitDays - it.DaysUsed}
		g := byKey[qi.Group]
		g.Items = append(g.Items, qi)
	}
	return q, nil
}

func validKind(k string) bool {
	for _, v := range domain.ClockKinds {
		if string(v) == k {
			return true
		}
	}
	return false
}

// csvSafe keeps a spreadsheet from running a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteQueueCSV writes the queue as shown (same filter, same order) as CSV;
// baseURL, when set, makes the detail links absolute.
func WriteQueueCSV(w io.Writer, q Queue, baseURL string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"group", "source", "tracking_id", "agency_code", "agency_name", "category", "report_type",
		"clock", "cycle", "due_at", "working_days_left", "verdict", "title", "url"}); err != nil {
		return err
	}
	for _, g := range q.Groups {
		for _, it := range g.Items {
			title := it.Title
			if it.Confidential {
				title = ""
			}
			rec := []string{g.Key, csvSafe(it.Source), csvSafe(it.TrackingID), it.AgencyCode, csvSafe(it.AgencyName), csvSafe(it.Category),
				string(it.ReportType), string(it.Kind), strconv.Itoa(it.Cycle), it.DueAt.Format(time.RFC3339), strconv.Itoa(it.DaysLeft),
				string(it.Verdict), csvSafe(title), strings.TrimRight(baseURL, "/") + DetailPath(it.Source, it.TrackingID)}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// DetailPath is the workspace URL of a complaint's officer view.
func DetailPath(source, trackingID string) string {
	return "/kerja/aduan/" + pathEscape(source) + "/" + pathEscape(trackingID)
}
