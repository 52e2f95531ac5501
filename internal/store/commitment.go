package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// civilDate is the text form of the calendar dates commitments use.
const civilDate = time.DateOnly

func civil(t time.Time) string { return t.Format(civilDate) }

func parseCivil(s string) time.Time {
	t, err := time.Parse(civilDate, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

type commitmentRow struct {
	ID             int64 `gorm:"primaryKey"`
	Slug           string
	LeadAgency     string
	CurrentVersion int
	Status         string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (commitmentRow) TableName() string { return "commitments" }

type commitmentVersionRow struct {
	ID              int64 `gorm:"primaryKey"`
	CommitmentID    int64
	Version         int
	EffectiveFrom   string
	Status          string
	Title           string
	Number          string
	SignedOn        string
	SignatoryName   string
	SignatoryOffice string
	LeadAgency      string
	DocumentURL     string `gorm:"column:document_url"`
	ChangeNote      string
	ChangesJSON     string `gorm:"column:changes_json"`
	CreatedAt       time.Time
	CreatedBy       string
}

func (commitmentVersionRow) TableName() string { return "commitment_versions" }

type commitmentPartyRow struct {
	VersionID  int64
	Position   int
	AgencyCode string
}

func (commitmentPartyRow) TableName() string { return "commitment_parties" }

type commitmentTargetRow struct {
	VersionID         int64
	Position          int
	TargetKey         string
	Metric            string
	Scope             string
	PartiesJSON       string `gorm:"column:parties_json"`
	Baseline          float64
	BaselineAsOf      string
	BaselineComputed  bool
	TargetValue       float64
	Direction         string
	MeasurementPeriod string
	Deadline          string
	WorkingDayLimit   int
}

func (commitmentTargetRow) TableName() string { return "commitment_targets" }

// CommitmentFilter selects commitments for a listing.
type CommitmentFilter struct {
	Party string // a party (any version) or the lead agency
	// IncludeWithdrawn lists withdrawn commitments too.
	IncludeWithdrawn bool
}

func (s *Store) commitmentRowBySlug(ctx context.Context, slug string) (commitmentRow, error) {
	var row commitmentRow
	if err := s.conn(ctx).Where("slug = ?", slug).Take(&row).Error; err != nil {
		return row, wrap("commitment "+slug, err)
	}
	return row, nil
}

// CreateCommitment stores a new commitment with its first version.
// ErrConflict when the slug exists.
func (s *Store) CreateCommitment(ctx context.Context, v domain.CommitmentVersion) error {
	now := v.CreatedAt.UTC()
	row := commitmentRow{Slug: v.ID, LeadAgency: v.LeadAgency, CurrentVersion: v.Version, Status: string(v.State), CreatedAt: now, UpdatedAt: now}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return wrap("create commitment "+v.ID, err)
	}
	return s.insertVersion(ctx, row.ID, v)
}

// AddCommitmentVersion appends a version to an existing commitment; its
// number must be the next one (ErrConflict otherwise, e.g. a concurrent revision).
func (s *Store) AddCommitmentVersion(ctx context.Context, v domain.CommitmentVersion) error {
	row, err := s.commitmentRowBySlug(ctx, v.ID)
	if err != nil {
		return err
	}
	if v.Version != row.CurrentVersion+1 {
		return fmt.Errorf("store: commitment %s: version %d follows %d: %w", v.ID, v.Version, row.CurrentVersion, domain.ErrConflict)
	}
	res := s.conn(ctx).Model(&commitmentRow{}).Where("id = ? AND current_version = ?", row.ID, row.CurrentVersion).
		Updates(map[string]any{"current_version": v.Version, "status": string(v.State), "lead_agency": v.LeadAgency, "updated_at": v.CreatedAt.UTC()})
	if res.Error != nil {
		return wrap("revise commitment "+v.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: commitment %s changed concurrently: %w", v.ID, domain.ErrConflict)
	}
	return s.insertVersion(ctx, row.ID, v)
}

func (s *Store) insertVersion(ctx context.Context, commitmentID int64, v domain.CommitmentVersion) error {
	changes, err := json.Marshal(nonNil(v.Changes))
	if err != nil {
		return err
	}
	vr := commitmentVersionRow{CommitmentID: commitmentID, Version: v.Version, EffectiveFrom: civil(v.EffectiveFrom), Status: string(v.State),
		Title: v.Title, Number: v.Number, SignedOn: civil(v.SignedOn), SignatoryName: v.SignatoryName, SignatoryOffice: v.SignatoryOffice,
		LeadAgency: v.LeadAgency, DocumentURL: v.DocumentURL, ChangeNote: v.ChangeNote, ChangesJSON: string(changes),
		CreatedAt: v.CreatedAt.UTC(), CreatedBy: v.CreatedBy}
	if err := s.conn(ctx).Create(&vr).Error; err != nil {
		return wrap(fmt.Sprintf("commitment %s version %d", v.ID, v.Version), err)
	}
	parties := make([]commitmentPartyRow, 0, len(v.Parties))
	for i, p := range v.Parties {
		parties = append(parties, commitmentPartyRow{VersionID: vr.ID, Position: i, AgencyCode: p})
	}
	if len(parties) > 0 {
		if err := s.conn(ctx).Create(&parties).Error; err != nil {
			return wrap("commitment parties", err)
		}
	}
	computed := map[string]bool{}
	for _, id := range v.ComputedBaselines {
		computed[id] = true
	}
	targets := make([]commitmentTargetRow, 0, len(v.Targets))
	for i, t := range v.Targets {
		tp, err := json.Marshal(nonNil(t.Parties))
		if err != nil {
			return err
		}
		targets = append(targets, commitmentTargetRow{VersionID: vr.ID, Position: i, TargetKey: t.ID, Metric: string(t.Metric),
			Scope: string(t.Scope), PartiesJSON: string(tp), Baseline: t.Baseline, BaselineAsOf: civil(t.BaselineAsOf),
			BaselineComputed: computed[t.ID], TargetValue: t.Value, Direction: string(t.Direction),
			MeasurementPeriod: t.MeasurementPeriod, Deadline: civil(t.Deadline), WorkingDayLimit: t.WorkingDayLimit})
	}
	if len(targets) > 0 {
		if err := s.conn(ctx).Create(&targets).Error; err != nil {
			return wrap("commitment targets", err)
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CommitmentVersions returns every version of a commitment, oldest first.
func (s *Store) CommitmentVersions(ctx context.Context, slug string) ([]domain.CommitmentVersion, error) {
	row, err := s.commitmentRowBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	all, err := s.versionsOf(ctx, []commitmentRow{row})
	if err != nil {
		return nil, err
	}
	return all[row.ID], nil
}

// ListCommitments returns each selected commitment's versions (oldest first),
// commitments ordered by slug.
func (s *Store) ListCommitments(ctx context.Context, f CommitmentFilter) ([][]domain.CommitmentVersion, error) {
	q := s.conn(ctx).Model(&commitmentRow{}).Order("slug")
	if !f.IncludeWithdrawn {
		q = q.Where("status = ?", string(domain.CommitmentActive))
	}
	if f.Party != "" {
		q = q.Where("(lead_agency = ? OR id IN (?))", f.Party,
			s.conn(ctx).Table("commitment_versions AS v").Select("v.commitment_id").
				Joins("JOIN commitment_parties AS p ON p.version_id = v.id").Where("p.agency_code = ?", f.Party))
	}
	var rows []commitmentRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, wrap("list commitments", err)
	}
	all, err := s.versionsOf(ctx, rows)
	if err != nil {
		return nil, err
	}
	out := make([][]domain.CommitmentVersion, 0, len(rows))
	for _, r := range rows {
		out = append(out, all[r.ID])
	}
	return out, nil
}

func (s *Store) versionsOf(ctx context.Context, rows []commitmentRow) (map[int64][]domain.CommitmentVersion, error) {
	out := map[int64][]domain.CommitmentVersion{}
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]int64, len(rows))
	slugs := map[int64]string{}
	for i, r := range rows {
		ids[i] = r.ID
		slugs[r.ID] = r.Slug
	}
	var vrows []commitmentVersionRow
	if err := s.conn(ctx).Where("commitment_id IN ?", ids).Order("commitment_id, version").Find(&vrows).Error; err != nil {
		return nil, wrap("commitment versions", err)
	}
	vids := make([]int64, len(vrows))
	for i, v := range vrows {
		vids[i] = v.ID
	}
	var prows []commitmentPartyRow
	var trows []commitmentTargetRow
	if len(vids) > 0 {
		if err := s.conn(ctx).Where("version_id IN ?", vids).Order("version_id, position").Find(&prows).Error; err != nil {
			return nil, wrap("commitment parties", err)
		}
		if err := s.conn(ctx).Where("version_id IN ?", vids).Order("version_id, position").Find(&trows).Error; err != nil {
			return nil, wrap("commitment targets", err)
		}
	}
	parties := map[int64][]string{}
	for _, p := range prows {
		parties[p.VersionID] = append(parties[p.VersionID], p.AgencyCode)
	}
	targets := map[int64][]commitmentTargetRow{}
	for _, t := range trows {
		targets[t.VersionID] = append(targets[t.VersionID], t)
	}
	for _, vr := range vrows {
		v := domain.CommitmentVersion{
			Commitment: domain.Commitment{ID: slugs[vr.CommitmentID], Version: vr.Version, EffectiveFrom: parseCivil(vr.EffectiveFrom),
				Title: vr.Title, Number: vr.Number, SignedOn: parseCivil(vr.SignedOn), SignatoryName: vr.SignatoryName,
				SignatoryOffice: vr.SignatoryOffice, DocumentURL: vr.DocumentURL, Parties: parties[vr.ID]},
			State: domain.CommitmentState(vr.Status), LeadAgency: vr.LeadAgency, ChangeNote: vr.ChangeNote,
			CreatedAt: vr.CreatedAt.UTC(), CreatedBy: vr.CreatedBy,
		}
		if err := json.Unmarshal([]byte(vr.ChangesJSON), &v.Changes); err != nil {
			return nil, fmt.Errorf("store: commitment %s version %d changes: %w", v.ID, v.Version, err)
		}
		if len(v.Changes) == 0 {
			v.Changes = nil
		}
		for _, tr := range targets[vr.ID] {
			t := domain.Target{ID: tr.TargetKey, Metric: domain.Metric(tr.Metric), Scope: domain.TargetScope(tr.Scope),
				Baseline: tr.Baseline, BaselineAsOf: parseCivil(tr.BaselineAsOf), Value: tr.TargetValue,
				Direction: domain.Direction(tr.Direction), MeasurementPeriod: tr.MeasurementPeriod,
				Deadline: parseCivil(tr.Deadline), WorkingDayLimit: tr.WorkingDayLimit}
			if err := json.Unmarshal([]byte(tr.PartiesJSON), &t.Parties); err != nil {
				return nil, fmt.Errorf("store: commitment %s target %s parties: %w", v.ID, t.ID, err)
			}
			if len(t.Parties) == 0 {
				t.Parties = nil
			}
			if tr.BaselineComputed {
				v.ComputedBaselines = append(v.ComputedBaselines, t.ID)
			}
			v.Targets = append(v.Targets, t)
		}
		out[vr.CommitmentID] = append(out[vr.CommitmentID], v)
	}
	return out, nil
}

// CommitmentSnapshot is a target's measured value and status on a day, for
// one party or (Party "") for the group.
type CommitmentSnapshot struct {
	Commitment string                  `json:"commitment"`
	Target     string                  `json:"target"`
	Party      string                  `json:"party,omitempty"`
	On         time.Time               `json:"on"`
	Version    int                     `json:"version"`
	Value      *float64                `json:"value"`
	N          int                     `json:"n,omitempty"`
	Status     domain.CommitmentStatus `json:"status"`
	Reason     string                  `json:"reason"`
	Budget     json.RawMessage         `json:"budget,omitempty"`
	Projection json.RawMessage         `json:"projection,omitempty"`
	TakenAt    time.Time               `json:"taken_at"`
}

type commitmentSnapshotRow struct {
	ID             int64 `gorm:"primaryKey"`
	CommitmentID   int64
	TargetKey      string
	Party          string
	OnDate         string
	Version        int
	Value          *float64
	N              int
	Status         string
	Reason         string
	BudgetJSON     string `gorm:"column:budget_json"`
	ProjectionJSON string `gorm:"column:projection_json"`
	TakenAt        time.Time
}

func (commitmentSnapshotRow) TableName() string { return "commitment_snapshots" }

func (r commitmentSnapshotRow) toSnapshot(slug string) CommitmentSnapshot {
	out := CommitmentSnapshot{Commitment: slug, Target: r.TargetKey, Party: r.Party, On: parseCivil(r.OnDate), Version: r.Version,
		Value: r.Value, N: r.N, Status: domain.CommitmentStatus(r.Status), Reason: r.Reason, TakenAt: r.TakenAt.UTC()}
	if r.BudgetJSON != "" {
		out.Budget = json.RawMessage(r.BudgetJSON)
	}
	if r.ProjectionJSON != "" {
		out.Projection = json.RawMessage(r.ProjectionJSON)
	}
	return out
}

// PutCommitmentSnapshot stores a snapshot, replacing the same day's one, and
// returns the status of the newest snapshot before that day ("" if none), so
// the caller can tell a status change.
func (s *Store) PutCommitmentSnapshot(ctx context.Context, sn CommitmentSnapshot) (previous domain.CommitmentStatus, err error) {
	row, err := s.commitmentRowBySlug(ctx, sn.Commitment)
	if err != nil {
		return "", err
	}
	var prev commitmentSnapshotRow
	err = s.conn(ctx).Where("commitment_id = ? AND target_key = ? AND party = ? AND on_date < ?", row.ID, sn.Target, sn.Party, civil(sn.On)).
		Order("on_date DESC").Limit(1).Find(&prev).Error
	if err != nil {
		return "", wrap("previous snapshot", err)
	}
	r := commitmentSnapshotRow{CommitmentID: row.ID, TargetKey: sn.Target, Party: sn.Party, OnDate: civil(sn.On), Version: sn.Version,
		Value: sn.Value, N: sn.N, Status: string(sn.Status), Reason: sn.Reason, BudgetJSON: string(sn.Budget),
		ProjectionJSON: string(sn.Projection), TakenAt: sn.TakenAt.UTC()}
	err = s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "commitment_id"}, {Name: "target_key"}, {Name: "party"}, {Name: "on_date"}},
		DoUpdates: clause.AssignmentColumns([]string{"version", "value", "n", "status", "reason", "budget_json", "projection_json", "taken_at"}),
	}).Create(&r).Error
	if err != nil {
		return "", wrap("put snapshot", err)
	}
	return domain.CommitmentStatus(prev.Status), nil
}

// CommitmentSnapshots returns a commitment's snapshots, oldest first (by
// target, party, date); target "" selects every target.
func (s *Store) CommitmentSnapshots(ctx context.Context, slug, target string) ([]CommitmentSnapshot, error) {
	row, err := s.commitmentRowBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	q := s.conn(ctx).Where("commitment_id = ?", row.ID)
	if target != "" {
		q = q.Where("target_key = ?", target)
	}
	var rows []commitmentSnapshotRow
	if err := q.Order("target_key, party, on_date").Find(&rows).Error; err != nil {
		return nil, wrap("snapshots", err)
	}
	out := make([]CommitmentSnapshot, len(rows))
	for i, r := range rows {
		out[i] = r.toSnapshot(slug)
	}
	return out, nil
}

// CommitmentEvent is a change of a target's status between snapshots.
type CommitmentEvent struct {
	ID         int64                   `json:"id"`
	Commitment string                  `json:"commitment"`
	Target     string                  `json:"target"`
	Party      string                  `json:"party,omitempty"`
	On         time.Time               `json:"on"`
	From       domain.CommitmentStatus `json:"from"`
	To         domain.CommitmentStatus `json:"to"`
	Value      *float64                `json:"value"`
	Reason     string                  `json:"reason"`
	CreatedAt  time.Time               `json:"created_at"`
}

type commitmentEventRow struct {
	ID           int64 `gorm:"primaryKey"`
	CommitmentID int64
	TargetKey    string
	Party        string
	OnDate       string
	FromStatus   string
	ToStatus     string
	Value        *float64
	Reason       string
	CreatedAt    time.Time
}

func (commitmentEventRow) TableName() string { return "commitment_events" }

// InsertCommitmentEvent records a status change; a second one for the same
// target, party and day is ignored (created false), so re-running a day's
// snapshot sends no duplicate alert.
func (s *Store) InsertCommitmentEvent(ctx context.Context, e CommitmentEvent) (CommitmentEvent, bool, error) {
	row, err := s.commitmentRowBySlug(ctx, e.Commitment)
	if err != nil {
		return e, false, err
	}
	r := commitmentEventRow{CommitmentID: row.ID, TargetKey: e.Target, Party: e.Party, OnDate: civil(e.On), FromStatus: string(e.From),
		ToStatus: string(e.To), Value: e.Value, Reason: e.Reason, CreatedAt: e.CreatedAt.UTC()}
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
	if res.Error != nil {
		return e, false, wrap("insert event", res.Error)
	}
	e.ID = r.ID
	return e, res.RowsAffected > 0 && r.ID != 0, nil
}

// CommitmentEvents returns a commitment's status changes, newest first.
func (s *Store) CommitmentEvents(ctx context.Context, slug string, limit int) ([]CommitmentEvent, error) {
	row, err := s.commitmentRowBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	var rows []commitmentEventRow
	q := s.conn(ctx).Where("commitment_id = ?", row.ID).Order("on_date DESC, id DESC")
	if limit > 0 {
		q = q.Limit(limit)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, wrap("events", err)
	}
	out := make([]CommitmentEvent, len(rows))
	for i, r := range rows {
		out[i] = eventOf(r, slug)
	}
	return out, nil
}

func eventOf(r commitmentEventRow, slug string) CommitmentEvent {
	return CommitmentEvent{ID: r.ID, Commitment: slug, Target: r.TargetKey, Party: r.Party, On: parseCivil(r.OnDate),
		From: domain.CommitmentStatus(r.FromStatus), To: domain.CommitmentStatus(r.ToStatus), Value: r.Value, Reason: r.Reason,
		CreatedAt: r.CreatedAt.UTC()}
}

// CommitmentEventByID returns one event.
func (s *Store) CommitmentEventByID(ctx context.Context, id int64) (CommitmentEvent, error) {
	var r commitmentEventRow
	if err := s.conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return CommitmentEvent{}, wrap("event", err)
	}
	var c commitmentRow
	if err := s.conn(ctx).Where("id = ?", r.CommitmentID).Take(&c).Error; err != nil {
		return CommitmentEvent{}, wrap("event commitment", err)
	}
	return eventOf(r, c.Slug), nil
}

// CommitmentWebhook is a subscription to a commitment's alerts: for one
// commitment (Commitment set), for every commitment a party is in
// (AgencyCode set), or for one party in one commitment (both).
type CommitmentWebhook struct {
	ID         int64     `json:"id"`
	Commitment string    `json:"commitment,omitempty"`
	AgencyCode string    `json:"agency_code,omitempty"`
	URL        string    `json:"url"`
	Secret     string    `json:"-"`
	Active     bool      `json:"active"`
	CreatedAt  time.Time `json:"created_at"`
	CreatedBy  string    `json:"created_by"`
}

type commitmentWebhookRow struct {
	ID           int64 `gorm:"primaryKey"`
	CommitmentID *int64
	AgencyCode   string
	URL          string `gorm:"column:url"`
	Secret       string
	Active       bool
	CreatedAt    time.Time
	CreatedBy    string
}

func (commitmentWebhookRow) TableName() string { return "commitment_webhooks" }

// CreateCommitmentWebhook stores a subscription.
func (s *Store) CreateCommitmentWebhook(ctx context.Context, w CommitmentWebhook) (CommitmentWebhook, error) {
	r := commitmentWebhookRow{AgencyCode: w.AgencyCode, URL: w.URL, Secret: w.Secret, Active: true, CreatedAt: w.CreatedAt.UTC(), CreatedBy: w.CreatedBy}
	if w.Commitment != "" {
		c, err := s.commitmentRowBySlug(ctx, w.Commitment)
		if err != nil {
			return w, err
		}
		r.CommitmentID = &c.ID
	}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return w, wrap("create webhook", err)
	}
	w.ID, w.Active, w.CreatedAt = r.ID, true, r.CreatedAt
	return w, nil
}

// CommitmentWebhooksFor returns the active subscriptions an event of the
// commitment about party (or the group, party "") goes to: the commitment's
// own (with no party, or that party) and the party's across commitments.
func (s *Store) CommitmentWebhooksFor(ctx context.Context, slug, party string) ([]CommitmentWebhook, error) {
	c, err := s.commitmentRowBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	q := s.conn(ctx).Where("active = ?", true)
	if party == "" {
		q = q.Where("commitment_id = ? AND agency_code = ''", c.ID)
	} else {
		q = q.Where("((commitment_id = ? AND agency_code IN ?) OR (commitment_id IS NULL AND agency_code = ?))", c.ID, []string{"", party}, party)
	}
	var rows []commitmentWebhookRow
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, wrap("webhooks", err)
	}
	out := make([]CommitmentWebhook, len(rows))
	for i, r := range rows {
		out[i] = CommitmentWebhook{ID: r.ID, Commitment: slug, AgencyCode: r.AgencyCode, URL: r.URL, Secret: r.Secret, Active: r.Active,
			CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy}
		if r.CommitmentID == nil {
			out[i].Commitment = ""
		}
	}
	return out, nil
}

// CommitmentWebhookByID returns one subscription with its secret.
func (s *Store) CommitmentWebhookByID(ctx context.Context, id int64) (CommitmentWebhook, error) {
	var r commitmentWebhookRow
	if err := s.conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return CommitmentWebhook{}, wrap("webhook", err)
	}
	return CommitmentWebhook{ID: r.ID, AgencyCode: r.AgencyCode, URL: r.URL, Secret: r.Secret, Active: r.Active,
		CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy}, nil
}

// Delivery outcomes.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryRetry     = "retry"  // failed; a later pending attempt follows
	DeliveryFailed    = "failed" // failed for the last time
)

// CommitmentDelivery is one attempt to deliver an event to a webhook.
type CommitmentDelivery struct {
	ID          int64      `json:"id"`
	EventID     int64      `json:"event_id"`
	WebhookID   int64      `json:"webhook_id"`
	Attempt     int        `json:"attempt"`
	Outcome     string     `json:"outcome"`
	DueAt       time.Time  `json:"due_at"`
	AttemptedAt *time.Time `json:"attempted_at,omitempty"`
	StatusCode  int        `json:"status_code,omitempty"`
	Error       string     `json:"error,omitempty"`
	NextRetryAt *time.Time `json:"next_retry_at,omitempty"`
}

type commitmentDeliveryRow struct {
	ID          int64 `gorm:"primaryKey"`
	EventID     int64
	WebhookID   int64
	Attempt     int
	Outcome     string
	DueAt       time.Time
	AttemptedAt *time.Time
	StatusCode  int
	Error       string
	NextRetryAt *time.Time
}

func (commitmentDeliveryRow) TableName() string { return "commitment_deliveries" }

func (r commitmentDeliveryRow) toDelivery() CommitmentDelivery {
	return CommitmentDelivery{ID: r.ID, EventID: r.EventID, WebhookID: r.WebhookID, Attempt: r.Attempt, Outcome: r.Outcome,
		DueAt: r.DueAt.UTC(), AttemptedAt: utcPtr(r.AttemptedAt), StatusCode: r.StatusCode, Error: r.Error, NextRetryAt: utcPtr(r.NextRetryAt)}
}

// QueueCommitmentDelivery adds a pending attempt.
func (s *Store) QueueCommitmentDelivery(ctx context.Context, d CommitmentDelivery) (CommitmentDelivery, error) {
	r := commitmentDeliveryRow{EventID: d.EventID, WebhookID: d.WebhookID, Attempt: d.Attempt, Outcome: DeliveryPending, DueAt: d.DueAt.UTC()}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return d, wrap("queue delivery", err)
	}
	return r.toDelivery(), nil
}

// DueCommitmentDeliveries returns pending attempts due at or before now, oldest first.
func (s *Store) DueCommitmentDeliveries(ctx context.Context, now time.Time, limit int) ([]CommitmentDelivery, error) {
	var rows []commitmentDeliveryRow
	err := s.conn(ctx).Where("outcome = ? AND due_at <= ?", DeliveryPending, now.UTC()).Order("due_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, wrap("due deliveries", err)
	}
	out := make([]CommitmentDelivery, len(rows))
	for i, r := range rows {
		out[i] = r.toDelivery()
	}
	return out, nil
}

// FinishCommitmentDelivery records the result of a pending attempt. It
// changes only a row still pending, so two workers cannot both finish it
// (false: someone else did).
func (s *Store) FinishCommitmentDelivery(ctx context.Context, d CommitmentDelivery) (bool, error) {
	res := s.conn(ctx).Model(&commitmentDeliveryRow{}).Where("id = ? AND outcome = ?", d.ID, DeliveryPending).Updates(map[string]any{
		"outcome": d.Outcome, "attempted_at": utcPtr(d.AttemptedAt), "status_code": d.StatusCode, "error": d.Error,
		"next_retry_at": utcPtr(d.NextRetryAt)})
	if res.Error != nil {
		return false, wrap("finish delivery", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// CommitmentDeliveries returns the delivery log of a commitment's events,
// newest event first, attempts in order.
func (s *Store) CommitmentDeliveries(ctx context.Context, slug string) ([]CommitmentDelivery, error) {
	c, err := s.commitmentRowBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	var rows []commitmentDeliveryRow
	err = s.conn(ctx).Table("commitment_deliveries AS d").Select("d.*").
		Joins("JOIN commitment_events AS e ON e.id = d.event_id").Where("e.commitment_id = ?", c.ID).
		Order("d.event_id DESC, d.webhook_id, d.attempt").Find(&rows).Error
	if err != nil {
		return nil, wrap("deliveries", err)
	}
	out := make([]CommitmentDelivery, len(rows))
	for i, r := range rows {
		out[i] = r.toDelivery()
	}
	return out, nil
}
