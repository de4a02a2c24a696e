package alert

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/store"
	"github.com/emersion/go-smtp"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "bw.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func incident() (*store.Incident, *diagnose.AccountReport) {
	t0 := time.Date(2026, 11, 1, 17, 14, 0, 0, time.UTC)
	in := &store.Incident{Account: "shop@example.jp", Verdict: "hijacked", Confidence: 0.93, Onset: t0, OpenedAt: t0, UpdatedAt: t0,
		Evidence: []string{"4,812 of 4,900 bounced messages were sent by our server"}}
	rep := &diagnose.AccountReport{Account: in.Account, Verdict: advice.Hijacked,
		Plan: advice.Plan(advice.Hijacked, advice.Japanese, advice.PlanContext{Account: in.Account})}
	return in, rep
}

type hook struct {
	mu     sync.Mutex
	bodies [][]byte
	sigs   []string
	fail   int // answer 500 to this many requests first
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail > 0 {
		h.fail--
		w.WriteHeader(500)
		return
	}
	h.bodies = append(h.bodies, b)
	h.sigs = append(h.sigs, r.Header.Get("X-Bouncewatch-Signature"))
}

func TestWebhookFormatsRetryAndDedup(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	h := &hook{fail: 1}
	srv := httptest.NewServer(h)
	defer srv.Close()
	hooks := []Webhook{{URL: srv.URL, Format: Generic, Secret: "s3cret"}, {URL: srv.URL, Format: Slack}, {URL: srv.URL, Format: Teams}}
	r := &Renderer{Webhooks: hooks, Lang: advice.Japanese, Dashboard: "http://127.0.0.1:8025/"}
	in, rep := incident()
	if err := st.SaveIncident(ctx, in, store.ChangeOpened, r.For(store.ChangeOpened, rep)); err != nil {
		t.Fatal(err)
	}
	// The same change rendered again (a restarted detector): queued once.
	for _, a := range r.Alerts(in, store.ChangeOpened, rep) {
		a.IncidentID = in.ID
		if err := st.Enqueue(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	d := &Dispatcher{Store: st, Webhooks: hooks, Now: func() time.Time { return now }}
	if err := d.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	if len(h.bodies) != 2 {
		t.Fatalf("%d webhooks delivered on the first round, want 2 (one answered 500)", len(h.bodies))
	}
	// The failed one waits for its backoff, then goes.
	if err := d.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	if len(h.bodies) != 2 {
		t.Fatalf("retried before the backoff")
	}
	now = now.Add(time.Minute)
	if err := d.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	if len(h.bodies) != 3 {
		t.Fatalf("%d delivered after the backoff, want 3", len(h.bodies))
	}
	var generic, slack, teams map[string]any
	for i, b := range h.bodies {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("body %d: %v", i, err)
		}
		switch {
		case m["@type"] == "MessageCard":
			teams = m
		case m["blocks"] != nil:
			slack = m
		case m["incident"] != nil:
			generic = m
			mac := hmac.New(sha256.New, []byte("s3cret"))
			mac.Write(b)
			if h.sigs[i] != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
				t.Errorf("generic webhook signature %q is wrong", h.sigs[i])
			}
		}
	}
	if generic == nil || slack == nil || teams == nil {
		t.Fatalf("missing a format: generic %v slack %v teams %v", generic != nil, slack != nil, teams != nil)
	}
	text := generic["text"].(string)
	for _, want := range []string{"最初にすること", "1. ", "http://127.0.0.1:8025/incidents/1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the alert text lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(generic["title"].(string), "アカウント乗っ取り") || !strings.Contains(slack["text"].(string), "shop@example.jp") {
		t.Errorf("titles: %v / %v", generic["title"], slack["text"])
	}
	// Nothing left to send.
	if due, _ := st.DueAlerts(ctx, now.Add(24*time.Hour), 10); len(due) != 0 {
		t.Errorf("%d alerts still due", len(due))
	}
}

func TestRateLimit(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	h := &hook{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	hooks := []Webhook{{URL: srv.URL}}
	r := &Renderer{Webhooks: hooks, Lang: advice.English}
	for i := 0; i < 5; i++ {
		in, rep := incident()
		in.Account = strings.Replace(in.Account, "shop", "shop"+string(rune('a'+i)), 1)
		if err := st.SaveIncident(ctx, in, store.ChangeOpened, r.For(store.ChangeOpened, rep)); err != nil {
			t.Fatal(err)
		}
	}
	d := &Dispatcher{Store: st, Webhooks: hooks, PerHour: 3}
	if err := d.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	if len(h.bodies) != 3 {
		t.Errorf("%d sent, want 3 (the limit)", len(h.bodies))
	}
	if due, _ := st.DueAlerts(ctx, time.Now().Add(10*time.Minute), 10); len(due) != 2 || due[0].Attempts != 0 {
		t.Errorf("the held-back alerts: %+v", due)
	}
}

// smtpBackend receives mail on a loopback go-smtp server.
type smtpBackend struct {
	mu   sync.Mutex
	msgs []string
	rcpt []string
}

func (b *smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{b: b}, nil }

type smtpSession struct{ b *smtpBackend }

func (s *smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.b.mu.Lock()
	s.b.rcpt = append(s.b.rcpt, to)
	s.b.mu.Unlock()
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, string(b))
	s.b.mu.Unlock()
	return err
}
func (s *smtpSession) Reset()        {}
func (s *smtpSession) Logout() error { return nil }

func TestEmail(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	be := &smtpBackend{}
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()
	em := &Email{Relay: l.Addr().String(), From: "bouncewatch@example.jp", To: []string{"admin@example.jp"}, TLS: "none"}
	r := &Renderer{Email: em, Lang: advice.Japanese}
	in, rep := incident()
	if err := st.SaveIncident(ctx, in, store.ChangeOpened, r.For(store.ChangeOpened, rep)); err != nil {
		t.Fatal(err)
	}
	d := &Dispatcher{Store: st, Email: em}
	if err := d.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	if len(be.msgs) != 1 || len(be.rcpt) != 1 || be.rcpt[0] != "admin@example.jp" {
		t.Fatalf("messages %d to %v", len(be.msgs), be.rcpt)
	}
	var subject string
	for _, line := range strings.Split(be.msgs[0], "\r\n") {
		if v, ok := strings.CutPrefix(line, "Subject: "); ok {
			subject, _ = new(mime.WordDecoder).DecodeHeader(v)
		}
	}
	if !strings.Contains(subject, "shop@example.jp") || !strings.Contains(subject, "乗っ取り") {
		t.Errorf("subject %q", subject)
	}
}
