package web

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/clock"
	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/workspace"
)

func newFormToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func constantEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

type option struct{ Value, Key string }

type queueRow struct {
	Source, TrackingID, Link         string
	Title                            string
	Confidential                     bool
	AgencyCode, AgencyName, Category string
	TypeKey, KindKey                 string
	Verdict, VerdictKey              string
	Due, DueISO                      string
	DaysLeft, Cycle                  int
}

type queueGroupView struct {
	Key, TitleKey, ID string
	Rows              []queueRow
}

type queueData struct {
	Shell       shell
	Filter      workspace.QueueFilter
	Units       []store.QueueUnit
	Categories  []string
	ReportTypes []option
	Kinds       []option
	Groups      []queueGroupView
	Shown       int
	Total       int64
	Truncated   bool
	Filtered    bool
	CSVLink     string
	AsOf        string
}

func queueFilterOf(c *gin.Context) workspace.QueueFilter {
	return workspace.QueueFilter{Unit: strings.TrimSpace(c.Query("unit")), Category: c.Query("category"),
		ReportType: c.Query("report_type"), Kind: c.Query("kind")}
}

func (w *Workspace) queue(c *gin.Context) {
	cur := current(c)
	now := w.opts.Now()
	f := queueFilterOf(c)
	q, err := w.svc.Queue(c.Request.Context(), cur.User, f, now)
	if err != nil {
		w.fail(c, err)
		return
	}
	d := queueData{Shell: shellOf(cur, "queue"), Filter: f, Units: q.Units, Categories: q.Categories, Shown: q.Shown, Total: q.Total,
		Truncated: q.Truncated, Filtered: f != (workspace.QueueFilter{}), AsOf: FormatDateTime(w.engine.langOf(c), now.In(jakartaZone))}
	for _, rt := range domain.ReportTypes {
		d.ReportTypes = append(d.ReportTypes, option{Value: string(rt), Key: "report." + string(rt)})
	}
	for _, k := range domain.ClockKinds {
		d.Kinds = append(d.Kinds, option{Value: string(k), Key: "clock." + string(k)})
	}
	qs := c.Request.URL.Query()
	qs.Del("lang")
	d.CSVLink = "/kerja/antrean.csv"
	if enc := qs.Encode(); enc != "" {
		d.CSVLink += "?" + enc
	}
	for _, g := range q.Groups {
		gv := queueGroupView{Key: g.Key, TitleKey: "kerja.group." + g.Key, ID: "group-" + g.Key}
		for _, it := range g.Items {
			gv.Rows = append(gv.Rows, queueRow{Source: it.Source, TrackingID: it.TrackingID,
				Link:  workspace.DetailPath(it.Source, it.TrackingID) + "#" + clockAnchor(string(it.Kind), it.Cycle, it.AgencyCode),
				Title: it.Title, Confidential: it.Confidential, AgencyCode: it.AgencyCode, AgencyName: it.AgencyName, Category: it.Category,
				TypeKey: "report." + string(it.ReportType), KindKey: "clock." + string(it.Kind), Verdict: string(it.Verdict),
				VerdictKey: "verdict." + string(it.Verdict), Due: it.DueAt.Format(pageTime), DueISO: it.DueAt.UTC().Format(time.RFC3339), DaysLeft: it.DaysLeft, Cycle: it.Cycle})
		}
		d.Groups = append(d.Groups, gv)
	}
	w.engine.Render(c, http.StatusOK, "kerja_antrean", "kerja.queue_title", d)
}

func (w *Workspace) queueCSV(c *gin.Context) {
	cur := current(c)
	q, err := w.svc.Queue(c.Request.Context(), cur.User, queueFilterOf(c), w.opts.Now())
	if err != nil {
		w.fail(c, err)
		return
	}
	var buf bytes.Buffer
	if err := workspace.WriteQueueCSV(&buf, q, w.opts.BaseURL); err != nil {
		w.fail(c, err)
		return
	}
	name := "antrean-" + strings.ReplaceAll(cur.User.AgencyCode, ".", "-") + "-" + w.opts.Now().In(jakartaZone).Format("2006-01-02") + ".csv"
	c.Header("Content-Disposition", `attachment; filename="`+strings.Replace(name, "--", "-", 1)+`"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

type officerComplaintData struct {
	Shell                 shell
	C                     complaintData
	Anonymous             bool
	ReporterName          string
	ReporterContact       string
	HasReporter, Withheld bool
	PublicLink            string
	Anchors               []string // clock-<kind>-<cycle>, parallel to C.Clocks
}

// clockRows turns explained clocks into the public page's rows.
func clockRows(views []clocks.ClockView) (rows []clockRow, running, ended bool) {
	for _, k := range views {
		row := clockRow{KindKey: "clock." + string(k.Kind), Verdict: string(k.Verdict), VerdictKey: "verdict." + string(k.Verdict),
			AgencyCode: k.AgencyCode, Cycle: k.Cycle, Started: k.StartedAt.Format(pageTime), Due: k.DueAt.Format(pageTime),
			LimitDays: k.LimitDays, Used: k.WorkingDaysUsed, Paused: k.PausedWorkingDays, PolicyVersion: k.PolicyVersion,
			CalVersion: k.CalendarVersion}
		if k.StoppedAt != nil {
			row.Stopped = k.StoppedAt.Format(pageTime)
			ended = true
		} else {
			running = true
		}
		for _, p := range k.Pauses {
			row.Pauses = append(row.Pauses, pauseRow{From: p.From.Format(pageTime), To: p.To.Format(pageTime),
				WorkingDays: p.WorkingDays, Capped: p.Capped, Ongoing: p.Ongoing})
		}
		for _, day := range k.Days {
			row.Days = append(row.Days, dayRow{Date: day.Date.String(), WeekdayKey: weekdayKey(day.Date.Weekday()),
				MarkKey: "mark." + string(day.Mark), HolidayID: day.HolidayNameID, HolidayEN: day.HolidayNameEN,
				Count: day.Count, Counted: day.Mark == clock.MarkCounted, Projected: day.Projected})
		}
		rows = append(rows, row)
	}
	return rows, running, ended
}

func (w *Workspace) complaint(c *gin.Context) {
	cur := current(c)
	oc, err := w.svc.Complaint(c.Request.Context(), cur, c.Param("source"), c.Param("tracking_id"), w.client(c))
	if err != nil {
		w.fail(c, err)
		return
	}
	cp := oc.Complaint
	d := officerComplaintData{Shell: shellOf(cur, "queue"), Anonymous: cp.Anonymous, Withheld: oc.ReporterWithheld,
		PublicLink: "/complaints/" + url.PathEscape(cp.Source) + "/" + url.PathEscape(cp.TrackingID)}
	d.C = complaintData{Source: cp.Source, TrackingID: cp.TrackingID, Confidential: cp.Confidential, AgencyCode: cp.AgencyCode,
		Zone: zoneLabel(oc.TimeZone), Title: cp.Title, Summary: cp.Summary, Category: cp.Category, TypeKey: "report." + string(cp.ReportType),
		Submitted: cp.SubmittedAt.Format(pageTime)}
	loc := cp.SubmittedAt.Location()
	for _, e := range oc.Events {
		d.C.Events = append(d.C.Events, eventRow{At: e.At.In(loc).Format(pageTime), KindKey: "event." + string(e.Kind),
			Agency: e.AgencyCode, To: e.ToAgencyCode, Text: e.PublicText})
	}
	d.C.Clocks, d.C.AnyRunning, d.C.AnyEnded = clockRows(oc.Clocks)
	for _, k := range oc.Clocks {
		d.Anchors = append(d.Anchors, clockAnchor(string(k.Kind), k.Cycle, k.AgencyCode))
	}
	if oc.Reporter != nil {
		d.HasReporter, d.ReporterName, d.ReporterContact = true, oc.Reporter.Name, oc.Reporter.Contact
	}
	w.engine.RenderTitled(c, http.StatusOK, "kerja_aduan", cp.TrackingID, d)
}

type partyView struct {
	AgencyCode, Name, Status, StatusKey string
	InScope                             bool
	Value, Remaining, Burn              string
	Exhausted                           bool
	Trend, TrendKey                     string
}

type moverView struct {
	AgencyCode, Value, Lift, GroupIfReached string
}

type targetView struct {
	ID, MetricKey, Metric, Status, StatusKey string
	Target, GroupValue, Deadline             string
	Parties                                  []partyView
	Movers                                   []moverView
}

type supervisedView struct {
	Slug, Title, Lead string
	Targets           []targetView
}

type supervisionData struct {
	Shell       shell
	Available   bool
	AsOf        string
	Commitments []supervisedView
}

func (w *Workspace) supervision(c *gin.Context) {
	cur := current(c)
	lang := w.engine.langOf(c)
	now := w.opts.Now()
	d := supervisionData{Shell: shellOf(cur, "commitments"), Available: w.svc.HasCommitments(), AsOf: FormatDateTime(lang, now.In(jakartaZone))}
	if d.Available {
		sv, err := w.svc.Supervise(c.Request.Context(), cur, now)
		if err != nil {
			w.fail(c, err)
			return
		}
		for _, sc := range sv.Commitments {
			v := supervisedView{Slug: sc.Slug, Title: sc.Title, Lead: sc.LeadAgency}
			for _, t := range sc.Targets {
				fmtv := func(x float64) string {
					if t.Kind == domain.MetricKindRate {
						return FormatPercent(lang, x, 1)
					}
					return FormatNumber(lang, x, 2)
				}
				tv := targetView{ID: t.ID, Metric: string(t.Metric), MetricKey: "kerja.metric." + string(t.Metric), Status: string(t.Status),
					StatusKey: "kerja.status." + string(t.Status), Target: fmtv(t.Target), Deadline: FormatDate(lang, t.Deadline)}
				if t.Group != nil {
					tv.GroupValue = fmtv(t.Group.Value)
				}
				for _, m := range t.Movers {
					tv.Movers = append(tv.Movers, moverView{AgencyCode: m.AgencyCode, Value: fmtv(m.Value), Lift: fmtv(m.Lift), GroupIfReached: fmtv(m.GroupIfReached)})
				}
				for _, p := range t.Parties {
					pv := partyView{AgencyCode: p.AgencyCode, Name: p.Name, InScope: p.InScope, Status: string(p.Status),
						StatusKey: "kerja.status." + string(p.Status), Value: "–", Remaining: "–", Burn: "–", Trend: p.Trend, TrendKey: "kerja.trend." + p.Trend}
					if p.Value != nil {
						pv.Value = fmtv(*p.Value)
					}
					if b := p.Budget; b != nil {
						pv.Exhausted = b.Exhausted
						if b.Remaining != nil {
							pv.Remaining = FormatNumber(lang, *b.Remaining, 0)
						}
						if b.BurnRate7 != nil {
							pv.Burn = FormatNumber(lang, *b.BurnRate7, 2)
						}
					}
					tv.Parties = append(tv.Parties, pv)
				}
				v.Targets = append(v.Targets, tv)
			}
			d.Commitments = append(d.Commitments, v)
		}
	}
	w.engine.Render(c, http.StatusOK, "kerja_komitmen", "kerja.commitments_title", d)
}

type settingsData struct {
	Shell      shell
	Enabled    bool
	Hour       int
	Hours      []int
	Email      bool
	HasEmail   bool
	EmailAddr  string
	WebhookURL string
	Language   string
	Saved      bool
	ErrorKeys  []string
	Sends      []store.DigestSend
}

func (w *Workspace) settingsData(cur workspace.Current) settingsData {
	u := cur.User
	d := settingsData{Shell: shellOf(cur, "settings"), Email: u.Digest.Email, HasEmail: u.Email != "", EmailAddr: u.Email,
		WebhookURL: u.Digest.WebhookURL, Language: u.Language, Hour: 7}
	if u.Digest.Hour != nil {
		d.Enabled, d.Hour = true, *u.Digest.Hour
	}
	for h := 0; h < 24; h++ {
		d.Hours = append(d.Hours, h)
	}
	return d
}

func (w *Workspace) settingsForm(c *gin.Context) {
	cur := current(c)
	d := w.settingsData(cur)
	d.Saved = c.Query("disimpan") == "1"
	sends, err := w.svc.DigestSends(c.Request.Context(), cur, 10)
	if err != nil {
		w.fail(c, err)
		return
	}
	d.Sends = sends
	w.engine.Render(c, http.StatusOK, "kerja_pengaturan", "kerja.settings_title", d)
}

func (w *Workspace) saveSettings(c *gin.Context) {
	cur := current(c)
	hour, err := strconv.Atoi(c.PostForm("hour"))
	if err != nil {
		hour = -1
	}
	in := workspace.DigestSettingsInput{Enabled: c.PostForm("enabled") == "1", Hour: hour, Email: c.PostForm("email") == "1",
		WebhookURL: c.PostForm("webhook_url"), Language: c.PostForm("language")}
	if _, err := w.svc.UpdateDigestSettings(c.Request.Context(), cur, in); err != nil {
		var ve *domain.ValidationError
		if !asValidation(err, &ve) {
			w.fail(c, err)
			return
		}
		d := w.settingsData(cur)
		d.Enabled, d.Email, d.WebhookURL = in.Enabled, in.Email, in.WebhookURL
		if hour >= 0 && hour < 24 {
			d.Hour = hour
		}
		for _, fe := range ve.Details {
			d.ErrorKeys = append(d.ErrorKeys, "kerja.settings_error."+fe.Field)
		}
		w.engine.Render(c, http.StatusUnprocessableEntity, "kerja_pengaturan", "kerja.settings_title", d)
		return
	}
	c.Redirect(http.StatusSeeOther, "/kerja/pengaturan?disimpan=1")
}

func asValidation(err error, ve **domain.ValidationError) bool { return errors.As(err, ve) }

// clockAnchor is the fragment of a clock's explanation on the detail page.
func clockAnchor(kind string, cycle int, agency string) string {
	return "clock-" + kind + "-" + strconv.Itoa(cycle) + "-" + agency
}
