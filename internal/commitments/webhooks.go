package commitments

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
)

// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the request
// body keyed with the subscription's secret.
const SignatureHeader = "X-Tanggap-Signature"

// Sign returns the SignatureHeader value of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature checks a SignatureHeader value in constant time.
func VerifySignature(secret string, body []byte, header string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(header))
}

// WebhookInput subscribes a URL to a commitment's alerts, or (with
// AgencyCode) to a party's alerts in it; with no commitment, to the party's
// alerts in every commitment.
type WebhookInput struct {
	URL        string `json:"url"`
	Secret     string `json:"secret"`
	AgencyCode string `json:"agency_code,omitempty"`
}

// Subscribe stores a webhook. A party subscription needs write scope over
// the party; a commitment-wide one over the commitment's lead agency.
func (s *Service) Subscribe(ctx context.Context, actor access.Principal, slug string, in WebhookInput) (store.CommitmentWebhook, error) {
	in.URL, in.AgencyCode = strings.TrimSpace(in.URL), strings.TrimSpace(in.AgencyCode)
	if err := access.RequireReader(actor); err != nil {
		return store.CommitmentWebhook{}, err
	}
	u, err := url.Parse(in.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return store.CommitmentWebhook{}, domain.Invalid("url", "an absolute http(s) URL")
	}
	if len(in.Secret) < 16 {
		return store.CommitmentWebhook{}, domain.Invalid("secret", "at least 16 characters")
	}
	scope := in.AgencyCode
	if slug != "" {
		versions, err := s.store.CommitmentVersions(ctx, slug)
		if err != nil {
			return store.CommitmentWebhook{}, err
		}
		if scope == "" {
			scope = versions[len(versions)-1].LeadAgency
		}
	}
	if scope == "" {
		return store.CommitmentWebhook{}, domain.Invalid("agency_code", "required without a commitment")
	}
	if err := s.access.RequireWrite(ctx, actor, scope); err != nil {
		return store.CommitmentWebhook{}, err
	}
	var out store.CommitmentWebhook
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		w, err := tx.CreateCommitmentWebhook(ctx, store.CommitmentWebhook{Commitment: slug, AgencyCode: in.AgencyCode, URL: in.URL,
			Secret: in.Secret, CreatedAt: s.now(), CreatedBy: actor.Actor()})
		if err != nil {
			return err
		}
		out = w
		return s.audit.WithStore(tx).RecordTx(ctx, actor.Actor(), "subscribe", "commitment_webhook", strconv.FormatInt(w.ID, 10), nil, w)
	})
	return out, err
}

// Deliveries returns the delivery log of a commitment's alerts; it shows
// subscribers' URLs' outcomes, so it needs write scope over the lead agency.
func (s *Service) Deliveries(ctx context.Context, actor access.Principal, slug string) ([]store.CommitmentDelivery, error) {
	versions, err := s.store.CommitmentVersions(ctx, slug)
	if err != nil {
		return nil, err
	}
	if err := s.access.RequireWrite(ctx, actor, versions[len(versions)-1].LeadAgency); err != nil {
		return nil, err
	}
	return s.store.CommitmentDeliveries(ctx, slug)
}

// Payload is the JSON body of an alert.
type Payload struct {
	Type       string                  `json:"type"`
	EventID    int64                   `json:"event_id"`
	Commitment string                  `json:"commitment"`
	Target     string                  `json:"target"`
	Party      string                  `json:"party,omitempty"`
	On         string                  `json:"on"`
	From       domain.CommitmentStatus `json:"from"`
	To         domain.CommitmentStatus `json:"to"`
	Value      *float64                `json:"value"`
	Reason     string                  `json:"reason"`
	Page       string                  `json:"page"`
}

// PayloadOf is the alert body of an event; the same event always gives the
// same bytes, so a retried delivery carries the same signature.
func PayloadOf(e store.CommitmentEvent) ([]byte, error) {
	return json.Marshal(Payload{Type: "commitment.status_changed", EventID: e.ID, Commitment: e.Commitment, Target: e.Target,
		Party: e.Party, On: e.On.Format(time.DateOnly), From: e.From, To: e.To, Value: e.Value, Reason: e.Reason,
		Page: "/komitmen/" + e.Commitment})
}

// DeliveryReport counts what DeliverPending did.
type DeliveryReport struct {
	Delivered int `json:"delivered"`
	Retrying  int `json:"retrying"`
	Failed    int `json:"failed"`
}

// backoff is the delay before attempt+1 after a failed attempt: the base
// doubling per attempt, capped.
func (s *Service) backoff(attempt int) time.Duration {
	d := s.opts.RetryBase
	for i := 1; i < attempt && d < s.opts.RetryCap; i++ {
		d *= 2
	}
	return min(d, s.opts.RetryCap)
}

// DeliverPending sends every delivery due at now: POST of the event's JSON
// with SignatureHeader. A 2xx answer delivers; anything else is retried
// after an exponential back-off until MaxAttempts, and every attempt stays
// in the log.
func (s *Service) DeliverPending(ctx context.Context, now time.Time) (DeliveryReport, error) {
	var rep DeliveryReport
	for {
		due, err := s.store.DueCommitmentDeliveries(ctx, now, 100)
		if err != nil {
			return rep, err
		}
		if len(due) == 0 {
			return rep, nil
		}
		for _, d := range due {
			if err := s.deliver(ctx, d, now, &rep); err != nil {
				return rep, err
			}
		}
	}
}

func (s *Service) deliver(ctx context.Context, d store.CommitmentDelivery, now time.Time, rep *DeliveryReport) error {
	ev, err := s.store.CommitmentEventByID(ctx, d.EventID)
	if err != nil {
		return err
	}
	hook, err := s.store.CommitmentWebhookByID(ctx, d.WebhookID)
	if err != nil {
		return err
	}
	body, err := PayloadOf(ev)
	if err != nil {
		return err
	}
	code, sendErr := s.post(ctx, hook, d, body)
	at := now.UTC()
	d.AttemptedAt, d.StatusCode = &at, code
	switch {
	case sendErr == nil:
		d.Outcome = store.DeliveryDelivered
	case d.Attempt >= s.opts.MaxAttempts || !hook.Active:
		d.Outcome, d.Error = store.DeliveryFailed, sendErr.Error()
	default:
		next := at.Add(s.backoff(d.Attempt))
		d.Outcome, d.Error, d.NextRetryAt = store.DeliveryRetry, sendErr.Error(), &next
	}
	return s.store.InTx(ctx, func(tx *store.Store) error {
		won, err := tx.FinishCommitmentDelivery(ctx, d)
		if err != nil || !won {
			return err
		}
		switch d.Outcome {
		case store.DeliveryDelivered:
			rep.Delivered++
		case store.DeliveryFailed:
			rep.Failed++
			s.log.WarnContext(ctx, "webhook delivery failed for good", "webhook", hook.ID, "event", ev.ID, "attempts", d.Attempt, "err", d.Error)
		default:
			rep.Retrying++
			_, err = tx.QueueCommitmentDelivery(ctx, store.CommitmentDelivery{EventID: d.EventID, WebhookID: d.WebhookID,
				Attempt: d.Attempt + 1, DueAt: *d.NextRetryAt})
		}
		return err
	})
}

func (s *Service) post(ctx context.Context, hook store.CommitmentWebhook, d store.CommitmentDelivery, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "tanggap-webhook/1")
	req.Header.Set(SignatureHeader, Sign(hook.Secret, body))
	req.Header.Set("X-Tanggap-Event", "commitment.status_changed")
	req.Header.Set("X-Tanggap-Delivery", fmt.Sprintf("%d-%d", d.EventID, d.WebhookID))
	req.Header.Set("X-Tanggap-Attempt", strconv.Itoa(d.Attempt))
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("post: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("receiver answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}
