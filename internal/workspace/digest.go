package workspace

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// jakarta is the zone digest hours and days are read in.
var jakarta = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Jakarta"); err == nil {
		return l
	}
	return time.FixedZone("WIB", 7*3600)
}()

// Digest channels.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// maxDigestAttempts: a failed send is retried by the next hourly runs of
// the same day, up to this many tries.
const maxDigestAttempts = 3

// topItems is how many clocks a digest lists.
const topItems = 10

// Digest is one user's daily summary: counts over the subtree and the
// clocks most in need of action. It carries no reporter data.
type Digest struct {
	User     store.User
	Lang     string
	Date     string // YYYY-MM-DD, Asia/Jakarta
	Open     int64
	Overdue  int64
	DueToday int64
	AtRisk   int64
	Top      []QueueItem
}

// DigestSettingsInput is what the settings page submits.
type DigestSettingsInput struct {
	Enabled    bool
	Hour       int
	Email      bool
	WebhookURL string
	Language   string
}

// UpdateDigestSettings stores the current user's digest choice.
func (s *Service) UpdateDigestSettings(ctx context.Context, cur Current, in DigestSettingsInput) (store.User, error) {
	v := &domain.ValidationError{Message: "invalid digest settings"}
	if in.Hour < 0 || in.Hour > 23 {
		v.Details = append(v.Details, domain.FieldError{Field: "hour", Reason: "must be 0-23"})
	}
	in.WebhookURL = strings.TrimSpace(in.WebhookURL)
	if in.WebhookURL != "" {
		u, err := url.Parse(in.WebhookURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.Details = append(v.Details, domain.FieldError{Field: "webhook_url", Reason: "must be an http(s) URL"})
		}
	}
	if in.Enabled && in.Email && cur.User.Email == "" {
		v.Details = append(v.Details, domain.FieldError{Field: "email", Reason: "this account has no e-mail address; ask an admin"})
	}
	if in.Enabled && !in.Email && in.WebhookURL == "" {
		v.Details = append(v.Details, domain.FieldError{Field: "channel", Reason: "choose e-mail, a webhook or both"})
	}
	if in.Language != "id" && in.Language != "en" {
		in.Language = "id"
	}
	if len(v.Details) > 0 {
		return store.User{}, v
	}
	d := store.DigestSettings{Email: in.Email, WebhookURL: in.WebhookURL}
	if in.Enabled {
		h := in.Hour
		d.Hour = &h
	}
	var out store.User
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.SetDigestSettings(ctx, cur.User.ID, d, in.Language, s.now()); err != nil {
			return err
		}
		var err error
		if out, err = tx.UserByID(ctx, cur.User.ID); err != nil {
			return err
		}
		return s.audit.WithStore(tx).RecordTx(ctx, Actor(cur.User), "digest_settings", "user", cur.User.Username, cur.User.Digest, out.Digest)
	})
	return out, err
}

// ComposeDigest builds u's digest as of now.
func (s *Service) ComposeDigest(ctx context.Context, u store.User, now time.Time) (Digest, error) {
	path, err := scopePath(u)
	if err != nil {
		return Digest{}, err
	}
	local := now.In(jakarta)
	dayStart := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, jakarta)
	counts, err := s.store.OpenClockCounts(ctx, store.QueueFilter{Path: path}, dayStart, dayStart.AddDate(0, 0, 1))
	if err != nil {
		return Digest{}, err
	}
	d := Digest{User: u, Lang: u.Language, Date: local.Format("2006-01-02"), Open: counts.Open, Overdue: counts.Overdue,
		DueToday: counts.DueToday, AtRisk: counts.AtRisk}
	// Due-date order puts overdue first; "later" clocks are not news.
	items, err := s.store.OpenClockQueue(ctx, store.QueueFilter{Path: path, Limit: 5 * topItems})
	if err != nil {
		return Digest{}, err
	}
	for _, it := range items {
		g := groupOf(it, now)
		if g == GroupLater || len(d.Top) == topItems {
			continue
		}
		d.Top = append(d.Top, QueueItem{QueueItem: it, Group: g, DaysLeft: it.LimitDays - it.DaysUsed})
	}
	return d, nil
}

var digestText = map[string]map[string]string{
	"id": {
		"subject":        "Tanggap %s: %d melewati tenggat, %d mendekati tenggat",
		"intro":          "Ringkasan harian Tanggap untuk %s, %s.",
		"all":            "seluruh instansi",
		"overdue":        "Melewati tenggat",
		"due_today":      "Jatuh tempo hari ini",
		"at_risk":        "Mendekati tenggat",
		"later":          "Belum mendesak",
		"open":           "Semua jam layanan berjalan",
		"top":            "Yang perlu segera ditangani:",
		"none":           "Tidak ada aduan yang melewati atau mendekati tenggat.",
		"item":           "- [%s] %s · %s · %s · tenggat %s · sisa %d hari kerja",
		"settings":       "Ubah atau hentikan ringkasan ini: %s",
		"first_response": "tanggapan pertama", "verification": "verifikasi", "completion": "penyelesaian",
	},
	"en": {
		"subject":        "Tanggap %s: %d overdue, %d at risk",
		"intro":          "Tanggap daily digest for %s, %s.",
		"all":            "all agencies",
		"overdue":        "Overdue",
		"due_today":      "Due today",
		"at_risk":        "At risk",
		"later":          "Later",
		"open":           "All running clocks",
		"top":            "Needing action first:",
		"none":           "No complaint is overdue or at risk.",
		"item":           "- [%s] %s · %s · %s · due %s · %d working days left",
		"settings":       "Change or stop this digest: %s",
		"first_response": "first response", "verification": "verification", "completion": "completion",
	},
}

// Text renders the digest as an e-mail subject and plain-text body.
func (d Digest) Text(baseURL string) (subject, body string) {
	m := digestText[d.Lang]
	if m == nil {
		m = digestText["id"]
	}
	scope := d.User.AgencyCode
	if scope == "" {
		scope = m["all"]
	}
	base := strings.TrimRight(baseURL, "/")
	subject = fmt.Sprintf(m["subject"], d.Date, d.Overdue, d.AtRisk)
	var b strings.Builder
	fmt.Fprintf(&b, m["intro"]+"\n\n", scope, d.Date)
	fmt.Fprintf(&b, "%s: %d\n%s: %d\n%s: %d\n%s: %d\n\n", m["overdue"], d.Overdue, m["due_today"], d.DueToday, m["at_risk"], d.AtRisk, m["open"], d.Open)
	if len(d.Top) == 0 {
		b.WriteString(m["none"] + "\n")
	} else {
		b.WriteString(m["top"] + "\n")
		for _, it := range d.Top {
			fmt.Fprintf(&b, m["item"]+"\n", m[it.Group], it.TrackingID, it.AgencyCode, m[string(it.Kind)],
				it.DueAt.Format("02-01-2006 15:04 MST"), it.DaysLeft)
			fmt.Fprintf(&b, "  %s%s\n", base, DetailPath(it.Source, it.TrackingID))
		}
	}
	fmt.Fprintf(&b, "\n"+m["settings"]+"\n", base+"/kerja/pengaturan")
	return subject, b.String()
}

// webhookItem is one clock in a digest webhook body.
type webhookItem struct {
	Source     string `json:"source"`
	TrackingID string `json:"tracking_id"`
	AgencyCode string `json:"agency_code"`
	Clock      string `json:"clock"`
	DueAt      string `json:"due_at"`
	Verdict    string `json:"verdict"`
	Group      string `json:"group"`
	DaysLeft   int    `json:"working_days_left"`
	URL        string `json:"url"`
}

type webhookBody struct {
	Type     string        `json:"type"`
	Date     string        `json:"date"`
	User     string        `json:"user"`
	Scope    string        `json:"agency_code,omitempty"`
	Open     int64         `json:"open"`
	Overdue  int64         `json:"overdue"`
	DueToday int64         `json:"due_today"`
	AtRisk   int64         `json:"at_risk"`
	Items    []webhookItem `json:"items"`
}

func (s *Service) postWebhook(ctx context.Context, d Digest) error {
	base := strings.TrimRight(s.opts.BaseURL, "/")
	body := webhookBody{Type: "tanggap.digest", Date: d.Date, User: d.User.Username, Scope: d.User.AgencyCode, Open: d.Open,
		Overdue: d.Overdue, DueToday: d.DueToday, AtRisk: d.AtRisk, Items: []webhookItem{}}
	for _, it := range d.Top {
		body.Items = append(body.Items, webhookItem{Source: it.Source, TrackingID: it.TrackingID, AgencyCode: it.AgencyCode,
			Clock: string(it.Kind), DueAt: it.DueAt.Format(time.RFC3339), Verdict: string(it.Verdict), Group: it.Group,
			DaysLeft: it.DaysLeft, URL: base + DetailPath(it.Source, it.TrackingID)})
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.User.Digest.WebhookURL, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "tanggap-digest")
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// DigestReport counts what SendDueDigests did.
type DigestReport struct {
	Users   int `json:"users"`
	Sent    int `json:"sent"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"` // already sent today (another run or replica)
}

// SendDueDigests sends the digests due in now's Asia/Jakarta hour. Each
// (user, day, channel) is claimed in digest_sends before sending, so an
// hourly job on several replicas sends once; a failed send is retried by
// later runs that day. Run it hourly (the "digests" job).
func (s *Service) SendDueDigests(ctx context.Context, now time.Time) (DigestReport, error) {
	var rep DigestReport
	local := now.In(jakarta)
	users, err := s.store.UsersWithDigestAt(ctx, local.Hour())
	if err != nil {
		return rep, err
	}
	date := local.Format("2006-01-02")
	var errs []error
	for _, u := range users {
		rep.Users++
		var channels []string
		if u.Digest.Email && u.Email != "" {
			channels = append(channels, ChannelEmail)
		}
		if u.Digest.WebhookURL != "" {
			channels = append(channels, ChannelWebhook)
		}
		if len(channels) == 0 {
			continue
		}
		d, err := s.ComposeDigest(ctx, u, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("digest for %s: %w", u.Username, err))
			continue
		}
		for _, ch := range channels {
			id, ok, err := s.store.ClaimDigestSend(ctx, u.ID, date, ch, maxDigestAttempts, now)
			if err != nil {
				return rep, err
			}
			if !ok {
				rep.Skipped++
				continue
			}
			var sendErr error
			switch ch {
			case ChannelEmail:
				subject, body := d.Text(s.opts.BaseURL)
				sendErr = s.opts.Mail.Send(ctx, Message{To: u.Email, Subject: subject, Body: body, Date: now})
			case ChannelWebhook:
				sendErr = s.postWebhook(ctx, d)
			}
			rec := store.DigestSend{ID: id, Outcome: store.DigestSent, Overdue: int(d.Overdue), AtRisk: int(d.AtRisk), Items: len(d.Top)}
			if sendErr != nil {
				rec.Outcome, rec.Error = store.DigestFailed, truncate(sendErr.Error(), 500)
				rep.Failed++
				s.log.WarnContext(ctx, "digest send failed", "user", u.Username, "channel", ch, "err", sendErr)
			} else {
				rep.Sent++
			}
			if err := s.store.FinishDigestSend(ctx, rec, s.now()); err != nil {
				return rep, err
			}
		}
	}
	if rep.Failed > 0 {
		errs = append(errs, fmt.Errorf("%d digest sends failed (recorded in digest_sends; retried next hour)", rep.Failed))
	}
	return rep, errors.Join(errs...)
}

// DigestSends lists the current user's recent digest sends.
func (s *Service) DigestSends(ctx context.Context, cur Current, limit int) ([]store.DigestSend, error) {
	return s.store.DigestSends(ctx, cur.User.ID, limit)
}
