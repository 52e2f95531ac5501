package workspace

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"
)

// SMTP transport security.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS (required)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no encryption: a relay on localhost only
)

// MailConfig is where digests are sent from.
type MailConfig struct {
	Host     string
	Port     int
	TLS      string // starttls | tls | none
	Username string
	Password string
	From     string
	Timeout  time.Duration // whole conversation; default 30 s
	// TLSConfig overrides the default (server name = Host), e.g. for a
	// private CA.
	TLSConfig *tls.Config
}

// Enabled reports whether e-mail can be sent at all.
func (m MailConfig) Enabled() bool { return m.Host != "" && m.From != "" }

// Message is a plain-text e-mail.
type Message struct {
	To      string
	Subject string
	Body    string
	Date    time.Time
}

// Bytes renders the message as RFC 5322 with a quoted-printable UTF-8 body.
func (m Message) Bytes(from string) ([]byte, error) {
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("workspace: from address: %w", err)
	}
	toAddr, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("workspace: to address: %w", err)
	}
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	domainPart := fromAddr.Address[strings.LastIndexByte(fromAddr.Address, '@')+1:]
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", fromAddr.String())
	fmt.Fprintf(&b, "To: %s\r\n", toAddr.String())
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", m.Subject))
	fmt.Fprintf(&b, "Date: %s\r\n", m.Date.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", hex.EncodeToString(id), domainPart)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(m.Body, "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Send delivers one message over SMTP.
func (m MailConfig) Send(ctx context.Context, msg Message) error {
	if !m.Enabled() {
		return errors.New("workspace: SMTP is not configured (TANGGAP_SMTP_HOST, TANGGAP_SMTP_FROM)")
	}
	data, err := msg.Bytes(m.From)
	if err != nil {
		return err
	}
	from, _ := mail.ParseAddress(m.From)
	to, _ := mail.ParseAddress(msg.To)
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := net.JoinHostPort(m.Host, strconv.Itoa(m.Port))
	tlsCfg := m.TLSConfig
	if tlsCfg == nil {
		tlsCfg = &tls.Config{ServerName: m.Host, MinVersion: tls.VersionTLS12}
	}
	d := &net.Dialer{}
	var conn net.Conn
	if m.TLS == TLSImplicit {
		conn, err = (&tls.Dialer{NetDialer: d, Config: tlsCfg}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("workspace: smtp dial %s: %w", addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, m.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("workspace: smtp: %w", err)
	}
	defer c.Close()
	if err := c.Hello("tanggap"); err != nil {
		return fmt.Errorf("workspace: smtp hello: %w", err)
	}
	if m.TLS == TLSStartTLS || m.TLS == "" {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("workspace: smtp server does not offer STARTTLS (set TANGGAP_SMTP_TLS=none only for a local relay)")
		}
		if err := c.StartTLS(tlsCfg); err != nil {
			return fmt.Errorf("workspace: smtp starttls: %w", err)
		}
	}
	if m.Username != "" {
		// net/smtp refuses PLAIN over an unencrypted link except to localhost.
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, m.Host)); err != nil {
			return fmt.Errorf("workspace: smtp auth: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("workspace: smtp MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("workspace: smtp RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("workspace: smtp DATA: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("workspace: smtp DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("workspace: smtp DATA: %w", err)
	}
	return c.Quit()
}
