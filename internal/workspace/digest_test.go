package workspace_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
	"github.com/tanggap-id/tanggap/internal/workspace"
)

// smtpServer is a minimal SMTP receiver on localhost: enough of RFC 5321
// for net/smtp's client without TLS or auth; it keeps every message.
type smtpServer struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []received
}

type received struct {
	From, To string
	Data     []byte
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &smtpServer{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *smtpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	_ = tp.PrintfLine("220 localhost test SMTP")
	var cur received
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO", "HELO":
			_ = tp.PrintfLine("250-localhost")
			_ = tp.PrintfLine("250 8BITMIME")
		case "MAIL":
			cur = received{From: strings.TrimSuffix(strings.TrimPrefix(line[10:], "<"), ">")}
			_ = tp.PrintfLine("250 ok")
		case "RCPT":
			cur.To = strings.TrimSuffix(strings.TrimPrefix(line[8:], "<"), ">")
			_ = tp.PrintfLine("250 ok")
		case "DATA":
			_ = tp.PrintfLine("354 go ahead")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			cur.Data = data
			s.mu.Lock()
			s.msgs = append(s.msgs, cur)
			s.mu.Unlock()
			_ = tp.PrintfLine("250 queued")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			return
		default:
			_ = tp.PrintfLine("502 command not recognised") // RFC 5321 reply to an unknown verb
		}
	}
}

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

type parsedMail struct {
	To, Subject, Body string
}

func parse(t *testing.T, r received) parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(bufio.NewReader(strings.NewReader(string(r.Data))))
	require.NoError(t, err)
	require.Equal(t, "quoted-printable", m.Header.Get("Content-Transfer-Encoding"))
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	require.NoError(t, err)
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	require.NoError(t, err)
	return parsedMail{To: r.To, Subject: subject, Body: string(body)}
}

// TestDigestEndToEnd sends the hour's digests through a local SMTP server
// and a webhook: one message per opted-in user, the right counts, and no
// complaint from another subtree.
func TestDigestEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		smtpSrv := startSMTP(t)
		var hookCalls atomic.Int32
		var hookFail atomic.Bool
		hookFail.Store(true)
		var hookBody atomic.Value
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hookCalls.Add(1)
			b, _ := io.ReadAll(r.Body)
			if hookFail.Load() {
				http.Error(w, "down", http.StatusBadGateway)
				return
			}
			hookBody.Store(b)
		}))
		t.Cleanup(hook.Close)
		f := newFixture(t, st, workspace.Options{BaseURL: "https://tanggap.example",
			Mail: workspace.MailConfig{Host: "127.0.0.1", Port: smtpSrv.port(), TLS: workspace.TLSNone, From: "Tanggap <tanggap@example.go.id>"}})
		sendAt := time.Date(2025, 10, 9, 7, 5, 0, 0, wib)
		f.setNow(sendAt)
		f.seed()

		type sub struct {
			user, agency, email string
			role                workspace.Role
			hour                int
			enabled, byMail     bool
			webhook             string
			lang                string
		}
		subs := []sub{
			{"siti", "32.73", "siti@bandung.go.id", workspace.RoleOfficer, 7, true, true, "", "id"},
			{"dedi", "32.04", "dedi@bandungkab.go.id", workspace.RoleOfficer, 7, true, true, "", "en"},
			{"hook", "32.73.DPU", "", workspace.RoleOfficer, 7, true, false, hook.URL, "id"},
			{"later", "32", "sekda@jabarprov.go.id", workspace.RoleSupervisor, 8, true, true, "", "id"},
			{"off", "32", "off@jabarprov.go.id", workspace.RoleSupervisor, 7, false, true, "", "id"},
		}
		for _, s := range subs {
			f.user(s.user, s.role, s.agency, s.email)
			cur := f.signIn(s.user)
			_, err := f.svc.UpdateDigestSettings(ctx, cur, workspace.DigestSettingsInput{Enabled: s.enabled, Hour: s.hour, Email: s.byMail,
				WebhookURL: s.webhook, Language: s.lang})
			require.NoError(t, err)
		}

		// Oracle: counts straight from the stored clocks.
		ids, err := st.ComplaintIDsWithOpenClocks(ctx, 0, 1000)
		require.NoError(t, err)
		byID, err := st.ClocksOfComplaints(ctx, ids)
		require.NoError(t, err)
		want := func(prefix string) (overdue, atRisk int) {
			for _, recs := range byID {
				for _, r := range recs {
					in := r.Clock.AgencyCode == prefix || strings.HasPrefix(r.Clock.AgencyCode, prefix+".")
					if r.Clock.StoppedAt != nil || !in {
						continue
					}
					switch r.Clock.Verdict {
					case domain.VerdictOverdue:
						overdue++
					case domain.VerdictAtRisk:
						atRisk++
					}
				}
			}
			return
		}

		rep, err := f.svc.SendDueDigests(ctx, sendAt)
		require.Error(t, err, "the failing webhook is reported")
		require.Equal(t, workspace.DigestReport{Users: 3, Sent: 2, Failed: 1}, rep, "the 08:00 user waits; the disabled one gets nothing")
		msgs := smtpSrv.messages()
		require.Len(t, msgs, 2, "one message per opted-in e-mail user")
		byTo := map[string]parsedMail{}
		for _, m := range msgs {
			p := parse(t, m)
			byTo[p.To] = p
		}

		siti := byTo["siti@bandung.go.id"]
		o, r := want("32.73")
		require.Greater(t, o, 0)
		require.Equal(t, "Tanggap 2025-10-09: "+strconv.Itoa(o)+" melewati tenggat, "+strconv.Itoa(r)+" mendekati tenggat", siti.Subject)
		require.Contains(t, siti.Body, "Melewati tenggat: "+strconv.Itoa(o)+"\n")
		require.Contains(t, siti.Body, "Mendekati tenggat: "+strconv.Itoa(r)+"\n")
		for _, tr := range []string{"BDG-OLD", "BDG-LATE", "BDG-DPU-MID"} {
			require.Contains(t, siti.Body, tr)
		}
		require.Contains(t, siti.Body, "https://tanggap.example/kerja/aduan/lapor/BDG-OLD")
		require.NotContains(t, siti.Body, "KAB-", "no other subtree's complaints")
		require.NotContains(t, siti.Body, "BDG-NEW", "clocks not yet at risk are not listed")
		require.NotContains(t, siti.Body, "08123", "no reporter data")

		dedi := byTo["dedi@bandungkab.go.id"]
		o, r = want("32.04")
		require.Equal(t, "Tanggap 2025-10-09: "+strconv.Itoa(o)+" overdue, "+strconv.Itoa(r)+" at risk", dedi.Subject)
		require.Contains(t, dedi.Body, "Overdue: "+strconv.Itoa(o)+"\n")
		require.Contains(t, dedi.Body, "KAB-OLD")
		require.NotContains(t, dedi.Body, "BDG-")

		sends, err := st.DigestSends(ctx, 0, 10)
		require.NoError(t, err)
		outcomes := map[string]string{}
		for _, s := range sends {
			outcomes[s.Channel+"/"+strconv.FormatInt(s.UserID, 10)] = s.Outcome
			require.Equal(t, "2025-10-09", s.LocalDate)
		}
		require.Len(t, sends, 3)

		// The next run of the hour sends nothing twice and retries the failure.
		hookFail.Store(false)
		rep, err = f.svc.SendDueDigests(ctx, sendAt.Add(30*time.Minute))
		require.NoError(t, err)
		require.Equal(t, workspace.DigestReport{Users: 3, Sent: 1, Skipped: 2}, rep)
		require.Len(t, smtpSrv.messages(), 2)
		require.EqualValues(t, 2, hookCalls.Load())
		var body struct {
			Overdue int64 `json:"overdue"`
			Items   []struct {
				TrackingID string `json:"tracking_id"`
				AgencyCode string `json:"agency_code"`
			} `json:"items"`
		}
		require.NoError(t, json.Unmarshal(hookBody.Load().([]byte), &body))
		o, _ = want("32.73.DPU")
		require.EqualValues(t, o, body.Overdue)
		for _, it := range body.Items {
			require.Equal(t, "32.73.DPU", it.AgencyCode)
		}
		sends, err = st.DigestSends(ctx, 0, 10)
		require.NoError(t, err)
		for _, s := range sends {
			require.Equal(t, store.DigestSent, s.Outcome, "%s of user %d", s.Channel, s.UserID)
		}

		// At 08:00 the supervisor of the province gets all of Jawa Barat.
		rep, err = f.svc.SendDueDigests(ctx, sendAt.Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, 1, rep.Sent)
		msgs = smtpSrv.messages()
		last := parse(t, msgs[len(msgs)-1])
		require.Equal(t, "sekda@jabarprov.go.id", last.To)
		require.Contains(t, last.Body, "KAB-OLD")
		require.Contains(t, last.Body, "BDG-OLD")
	})
}
