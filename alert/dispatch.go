package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/store"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Dispatcher sends the outbox's alerts.
type Dispatcher struct {
	Store    *store.Store
	Webhooks []Webhook
	Email    *Email
	Client   *http.Client // default: 10 s timeout
	Log      *slog.Logger
	// PerHour bounds the alerts sent per channel per hour (default 30);
	// the rest wait.
	PerHour int
	// MaxAttempts before an alert is given up (default 15: about a day
	// with the backoff).
	MaxAttempts int
	// Now is the clock (default time.Now).
	Now func() time.Time

	poke chan struct{}
}

func (d *Dispatcher) init() {
	if d.Client == nil {
		d.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.PerHour <= 0 {
		d.PerHour = 30
	}
	if d.MaxAttempts <= 0 {
		d.MaxAttempts = 15
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.poke == nil {
		d.poke = make(chan struct{}, 1)
	}
}

// Poke makes Run look at the outbox now (an incident just changed).
func (d *Dispatcher) Poke() {
	d.init()
	select {
	case d.poke <- struct{}{}:
	default:
	}
}

// Run sends due alerts until ctx is done: at start, on Poke and every
// two seconds.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.init()
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		if err := d.SendDue(ctx); err != nil && ctx.Err() == nil {
			d.Log.Error("alerts", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-d.poke:
		}
	}
}

// backoff is the wait before attempt n+1: 5 s doubling, at most 2 h.
func backoff(attempts int) time.Duration {
	d := 5 * time.Second << min(attempts, 12)
	return min(d, 2*time.Hour)
}

// SendDue sends the alerts due now, once each.
func (d *Dispatcher) SendDue(ctx context.Context) error {
	d.init()
	now := d.Now()
	due, err := d.Store.DueAlerts(ctx, now, 100)
	if err != nil {
		return err
	}
	for _, a := range due {
		n, err := d.Store.SentAlerts(ctx, a.Channel, now.Add(-time.Hour))
		if err != nil {
			return err
		}
		if n >= d.PerHour {
			// Rate limited: wait without counting an attempt.
			if err := d.Store.AlertDeferred(ctx, a.ID, now.Add(5*time.Minute)); err != nil {
				return err
			}
			continue
		}
		serr := d.send(ctx, a)
		if serr == nil {
			if err := d.Store.AlertSent(ctx, a.ID, d.Now()); err != nil {
				return err
			}
			d.Log.Info("alert sent", "channel", a.Channel, "event", a.Event, "incident", a.IncidentID)
			continue
		}
		giveUp := a.Attempts+1 >= d.MaxAttempts
		d.Log.Warn("alert failed", "channel", a.Channel, "incident", a.IncidentID, "attempt", a.Attempts+1, "give_up", giveUp, "err", serr)
		if err := d.Store.AlertFailed(ctx, a.ID, serr.Error(), now.Add(backoff(a.Attempts)), giveUp); err != nil {
			return err
		}
	}
	return nil
}

func (d *Dispatcher) send(ctx context.Context, a store.Alert) error {
	if i, ok := strings.CutPrefix(a.Channel, "webhook:"); ok {
		n, err := strconv.Atoi(i)
		if err != nil || n < 0 || n >= len(d.Webhooks) {
			return fmt.Errorf("no webhook %s is configured any more", i)
		}
		return d.post(ctx, d.Webhooks[n], []byte(a.Payload))
	}
	if a.Channel == "email" {
		if d.Email == nil {
			return errors.New("no email relay is configured any more")
		}
		var t Text
		if err := json.Unmarshal([]byte(a.Payload), &t); err != nil {
			return err
		}
		return sendMail(ctx, d.Email, t)
	}
	return fmt.Errorf("unknown channel %q", a.Channel)
}

// errorText keeps a webhook's URL (which holds its secret) out of errors.
func errorText(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return fmt.Errorf("webhook: %w", inner)
		}
	}
	return errors.New("webhook: request failed")
}

func (d *Dispatcher) post(ctx context.Context, w Webhook, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return errors.New("webhook: bad URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "bouncewatch")
	if w.Secret != "" {
		m := hmac.New(sha256.New, []byte(w.Secret))
		m.Write(body)
		req.Header.Set("X-Bouncewatch-Signature", "sha256="+hex.EncodeToString(m.Sum(nil)))
	}
	resp, err := d.Client.Do(req)
	if err != nil {
		return errorText(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook: HTTP %d", resp.StatusCode)
	}
	return nil
}

// message writes t as an RFC 5322 message (UTF-8, quoted-printable).
func message(e *Email, t Text, now time.Time) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", e.From)
	fmt.Fprintf(&b, "To: %s\r\n", strings.Join(e.To, ", "))
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.BEncoding.Encode("UTF-8", t.Title))
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%d.bouncewatch@%s>\r\n", now.UnixNano(), domainOf(e.From))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\nAuto-Submitted: auto-generated\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	body := strings.Join(t.Lines, "\n")
	if t.URL != "" {
		body += "\n\n" + t.URL
	}
	qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n") + "\r\n"))
	qp.Close()
	return b.Bytes()
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.Trim(addr[i+1:], "> ")
	}
	return "localhost"
}

func sendMail(ctx context.Context, e *Email, t Text) error {
	host, _, err := net.SplitHostPort(e.Relay)
	if err != nil {
		return fmt.Errorf("email: relay %q: %w", e.Relay, err)
	}
	var c *smtp.Client
	tlsCfg := &tls.Config{ServerName: host}
	switch e.TLS {
	case "tls":
		c, err = smtp.DialTLS(e.Relay, tlsCfg)
	case "none":
		c, err = smtp.Dial(e.Relay)
	default:
		c, err = smtp.DialStartTLS(e.Relay, tlsCfg)
	}
	if err != nil {
		return fmt.Errorf("email: %w", err)
	}
	defer c.Close()
	if e.Username != "" {
		if err := c.Auth(sasl.NewPlainClient("", e.Username, e.Password)); err != nil {
			return fmt.Errorf("email: authentication: %w", err)
		}
	}
	if err := c.SendMail(e.From, e.To, bytes.NewReader(message(e, t, time.Now()))); err != nil {
		return fmt.Errorf("email: %w", err)
	}
	return c.Quit()
}
