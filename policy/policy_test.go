package policy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/store"
)

// fakeBackend is an in-memory Backend (the store itself is tested in
// store/policy_test.go and with real Postfix in the e2e test).
type fakeBackend struct {
	mu        sync.Mutex
	holds     map[string]store.Hold
	delay     time.Duration
	fail      error
	blocks    []string
	incidents []store.Incident
	deferrals map[string]int64
	released  []string
	alerts    []store.Alert
}

func (f *fakeBackend) Holds(ctx context.Context) (map[string]store.Hold, error) {
	f.mu.Lock()
	delay, fail := f.delay, f.fail
	out := map[string]store.Hold{}
	for k, v := range f.holds {
		out[k] = v
	}
	f.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return out, fail
}

func (f *fakeBackend) BlockAccount(_ context.Context, acct, reason, by string, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.blocks = append(f.blocks, acct+": "+reason)
	return nil
}

func (f *fakeBackend) ReleaseAccount(_ context.Context, acct, by string, at time.Time) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.holds, acct)
	f.released = append(f.released, acct)
	return true, nil
}

func (f *fakeBackend) NoteDeferrals(_ context.Context, acct string, n int64, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deferrals[acct] += n
	return nil
}

func (f *fakeBackend) Incidents(context.Context, store.IncidentFilter) ([]store.Incident, error) {
	return nil, nil
}

func (f *fakeBackend) SaveIncident(_ context.Context, in *store.Incident, change string, alerts func(*store.Incident) []store.Alert) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.incidents = append(f.incidents, *in)
	if alerts != nil {
		f.alerts = append(f.alerts, alerts(in)...)
	}
	return nil
}

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func newFake() *fakeBackend {
	return &fakeBackend{deferrals: map[string]int64{}, holds: map[string]store.Hold{
		"shop@example.jp":  {Account: "shop@example.jp", Incident: &store.Incident{ID: 1, Account: "shop@example.jp", Verdict: "hijacked", Onset: t0}},
		"sales@example.jp": {Account: "sales@example.jp", Block: &store.Block{Account: "sales@example.jp", Reason: "phished"}},
	}}
}

func req(user, sender, rcpt, inst, client string) Request {
	return Request{"request": "smtpd_access_policy", "protocol_state": "RCPT", "sasl_username": user, "sender": sender,
		"recipient": rcpt, "instance": inst, "client_address": client}
}

func TestDecide(t *testing.T) {
	fb := newFake()
	now := t0.Add(time.Hour)
	s := New(fb, Config{Now: func() time.Time { return now }, Lang: advice.English})
	s.Refresh(context.Background())
	tests := []struct {
		name   string
		req    Request
		action string
		text   string
	}{
		{"hijacked account by SASL user", req("Shop@example.jp", "shop@example.jp", "a@example.com", "1", "192.0.2.1"), "DEFER_IF_PERMIT", "Change your password"},
		{"hijacked account by sender only", req("other", "shop@example.jp", "a@example.com", "2", "192.0.2.1"), "DEFER_IF_PERMIT", "4.7.1"},
		{"blocked account", req("sales@example.jp", "sales@example.jp", "a@example.com", "3", "192.0.2.1"), "DEFER_IF_PERMIT", "ask your mail administrator"},
		{"another account", req("info@example.jp", "info@example.jp", "a@example.com", "4", "192.0.2.1"), "DUNNO", ""},
		{"unauthenticated mail to us", req("", "someone@example.com", "info@example.jp", "5", "198.51.100.1"), "DUNNO", ""},
		{"not a policy request", Request{"request": "junk"}, "DUNNO", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := s.Decide(tc.req)
			if got.Action != tc.action || !strings.Contains(got.Text, tc.text) {
				t.Fatalf("got %+v, want %s with %q", got, tc.action, tc.text)
			}
		})
	}
	s.Refresh(context.Background())
	if fb.deferrals["shop@example.jp"] != 2 || fb.deferrals["sales@example.jp"] != 1 {
		t.Errorf("deferrals stored: %v", fb.deferrals)
	}
}

func TestDecideActionAndLanguage(t *testing.T) {
	s := New(newFake(), Config{Action: "reject", Lang: advice.Japanese})
	s.Refresh(context.Background())
	got := s.Decide(req("shop@example.jp", "", "a@example.com", "1", "192.0.2.1"))
	if got.Action != "REJECT" || !strings.HasPrefix(got.Text, "5.7.1 ") || !strings.Contains(got.Text, "pasuwado") {
		t.Fatalf("got %+v", got)
	}
}

// TestFailOpen: a store slower than the budget, or failing, leaves the last
// holds in force until they are stale, then every answer is DUNNO.
func TestFailOpen(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*fakeBackend)
	}{
		{"slow store", func(f *fakeBackend) { f.delay = 300 * time.Millisecond }},
		{"failing store", func(f *fakeBackend) { f.fail = errors.New("disk I/O error") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fb := newFake()
			now := t0
			s := New(fb, Config{Now: func() time.Time { return now }, Stale: 5 * time.Second})
			s.Refresh(context.Background())
			fb.mu.Lock()
			tc.set(fb)
			fb.mu.Unlock()
			r := req("shop@example.jp", "shop@example.jp", "a@example.com", "1", "192.0.2.1")
			now = now.Add(2 * time.Second)
			start := time.Now()
			s.Refresh(context.Background())
			if d := time.Since(start); d > 250*time.Millisecond {
				t.Errorf("refresh waited %v past the 100 ms budget", d)
			}
			if got := s.Decide(r); got.Action != "DEFER_IF_PERMIT" {
				t.Errorf("holds 2 s old: %+v, want still deferred", got)
			}
			now = now.Add(10 * time.Second)
			s.Refresh(context.Background())
			if got := s.Decide(r); got != Dunno {
				t.Errorf("holds 12 s old: %+v, want DUNNO", got)
			}
		})
	}
	s := New(newFake(), Config{})
	if got := s.Decide(req("shop@example.jp", "", "a@example.com", "1", "192.0.2.1")); got != Dunno {
		t.Errorf("before the first read: %+v, want DUNNO", got)
	}
}

func TestRateWindows(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		send func(s *Service) Response
		want string
	}{
		{"messages per SASL user", Config{MaxMessages: 5, MaxNewRecipients: -1}, func(s *Service) Response {
			var r Response
			for i := range 6 {
				r = s.Decide(req("info@example.jp", "info@example.jp", "a@example.com", fmt.Sprint("q", i), "192.0.2.1"))
			}
			return r
		}, "rate: 6 messages in 24h0m0s from SASL user info@example.jp (limit 5)"},
		{"first-time recipients", Config{MaxNewRecipients: 3}, func(s *Service) Response {
			var r Response
			for i := range 4 {
				r = s.Decide(req("info@example.jp", "info@example.jp", fmt.Sprintf("r%d@example.com", i), "q1", "192.0.2.1"))
			}
			return r
		}, "rate: 4 first-time recipients in 24h0m0s from SASL user info@example.jp (limit 3)"},
		{"known recipients are not new", Config{MaxNewRecipients: 3}, func(s *Service) Response {
			var r Response
			for i := range 20 {
				r = s.Decide(req("info@example.jp", "info@example.jp", fmt.Sprintf("r%d@example.com", i%3), fmt.Sprint("q", i), "192.0.2.1"))
			}
			return r
		}, ""},
		{"messages per sender across users", Config{MaxMessages: 4, MaxNewRecipients: -1}, func(s *Service) Response {
			var r Response
			for i := range 5 {
				r = s.Decide(req(fmt.Sprintf("u%d", i), "news@example.jp", "a@example.com", fmt.Sprint("q", i), "192.0.2.1"))
			}
			return r
		}, "rate: 5 messages in 24h0m0s from sender news@example.jp (limit 4)"},
		{"login networks", Config{MaxNetworks: 2}, func(s *Service) Response {
			var r Response
			for i := range 3 {
				r = s.Decide(req("info@example.jp", "info@example.jp", "a@example.com", fmt.Sprint("q", i), fmt.Sprintf("198.51.%d.7", i)))
			}
			return r
		}, "rate: SASL user info@example.jp logged in from 3 networks in 24h0m0s (limit 2)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fb := newFake()
			tc.cfg.Now = func() time.Time { return t0 }
			tc.cfg.Alerts = func(in *store.Incident, change string) []store.Alert {
				return []store.Alert{{Channel: "webhook", Event: change, Payload: in.Account}}
			}
			s := New(fb, tc.cfg)
			s.Refresh(context.Background())
			got := tc.send(s)
			if tc.want == "" {
				if got != Dunno {
					t.Fatalf("got %+v, want DUNNO", got)
				}
				return
			}
			if got.Action != "DEFER_IF_PERMIT" || !strings.Contains(got.Text, "far more mail than usual") {
				t.Fatalf("got %+v", got)
			}
			// Held from then on (the SASL user, or the sender address
			// when its window tripped), and an incident and a block are
			// stored for it.
			held := "info@example.jp"
			if strings.Contains(tc.want, "from sender ") {
				held = "news@example.jp"
				if again := s.Decide(req("u9", held, "b@example.com", "z", "192.0.2.1")); again.Action != "DEFER_IF_PERMIT" {
					t.Errorf("another user sending as the held sender: %+v", again)
				}
			} else if again := s.Decide(req(held, held, "b@example.com", "z", "192.0.2.1")); again.Action != "DEFER_IF_PERMIT" {
				t.Errorf("next message: %+v", again)
			}
			deadline := time.Now().Add(2 * time.Second)
			for {
				fb.mu.Lock()
				n, blocks := len(fb.incidents), append([]string(nil), fb.blocks...)
				var ev []string
				if n > 0 {
					ev = fb.incidents[0].Evidence
				}
				fb.mu.Unlock()
				if n > 0 {
					if len(blocks) != 1 || blocks[0] != held+": "+tc.want || ev[0] != "policy service: "+tc.want || fb.incidents[0].Account != held {
						t.Errorf("blocks %q, incident evidence %q; want %q", blocks, ev, tc.want)
					}
					fb.mu.Lock()
					if len(fb.alerts) != 1 || fb.alerts[0].Event != store.ChangeOpened {
						t.Errorf("alerts %+v: want one for the opened incident", fb.alerts)
					}
					fb.mu.Unlock()
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("no incident stored")
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

func TestAutoRelease(t *testing.T) {
	fb := newFake()
	now := t0.Add(-2 * time.Hour)
	s := New(fb, Config{AutoRelease: true, Now: func() time.Time { return now }, Stale: 24 * time.Hour})
	s.Refresh(context.Background())
	// Before the incident the owner sent from 203.0.113.0/24 (while the
	// store did not hold the account yet, as seen by "info" here).
	fb.mu.Lock()
	h := fb.holds["shop@example.jp"]
	delete(fb.holds, "shop@example.jp")
	fb.mu.Unlock()
	s.Refresh(context.Background())
	s.Decide(req("shop@example.jp", "shop@example.jp", "a@example.com", "1", "203.0.113.5"))
	fb.mu.Lock()
	fb.holds["shop@example.jp"] = h
	fb.mu.Unlock()
	now = t0.Add(time.Hour)
	s.Refresh(context.Background())
	if got := s.Decide(req("shop@example.jp", "shop@example.jp", "a@example.com", "2", "198.51.100.9")); got.Action != "DEFER_IF_PERMIT" {
		t.Fatalf("intruder's network: %+v", got)
	}
	if got := s.Decide(req("shop@example.jp", "shop@example.jp", "a@example.com", "3", "203.0.113.77")); got != Dunno {
		t.Fatalf("owner's network after the incident: %+v", got)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		fb.mu.Lock()
		rel := append([]string(nil), fb.released...)
		fb.mu.Unlock()
		if len(rel) == 1 && rel[0] == "shop@example.jp" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("released %v", rel)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestServe: the protocol over loopback TCP and a Unix socket, several
// requests per connection, several connections at once.
func TestServe(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "unix:" + t.TempDir() + "/policy.sock"} {
		t.Run(strings.SplitN(addr, ":", 2)[0], func(t *testing.T) {
			s := New(newFake(), Config{})
			s.Refresh(context.Background())
			ln, err := Listen(addr)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- s.Serve(ctx, ln) }()
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for c := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					conn, err := net.Dial(ln.Addr().Network(), ln.Addr().String())
					if err != nil {
						errs <- err
						return
					}
					defer conn.Close()
					r := bufio.NewReader(conn)
					for i := range 10 {
						user := "info@example.jp"
						want := "action=DUNNO"
						if i%2 == 1 {
							user, want = "shop@example.jp", "action=DEFER_IF_PERMIT 4.7.1 "
						}
						fmt.Fprintf(conn, "request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\nclient_address=192.0.2.%d\nsasl_username=%s\nsender=%s\nrecipient=x%d@example.com\ninstance=%d.%d\n\n", c, user, user, i, c, i)
						line, err := r.ReadString('\n')
						if err != nil {
							errs <- err
							return
						}
						blank, _ := r.ReadString('\n')
						if !strings.HasPrefix(line, want) || blank != "\n" {
							errs <- fmt.Errorf("conn %d request %d: %q %q, want %q", c, i, line, blank, want)
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
	}
}

func TestReadRequest(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string
		err      bool
	}{
		{"two attributes", "a=1\nb=x=y\n\n", map[string]string{"a": "1", "b": "x=y"}, false},
		{"crlf", "a=1\r\n\r\n", map[string]string{"a": "1"}, false},
		{"no equals", "junk\n\n", nil, true},
		{"cut short", "a=1\n", nil, true},
		{"too long", strings.Repeat("a", maxLine+10) + "\n\n", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadRequest(bufio.NewReaderSize(strings.NewReader(tc.in), maxLine))
			if (err != nil) != tc.err {
				t.Fatalf("err %v", err)
			}
			if !tc.err && fmt.Sprint(got) != fmt.Sprint(Request(tc.want)) {
				t.Errorf("got %v", got)
			}
		})
	}
}

func FuzzReadRequest(f *testing.F) {
	f.Add([]byte("request=smtpd_access_policy\nsasl_username=a\n\n"))
	f.Add([]byte("\n\nx=\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := New(newFake(), Config{})
		r := bufio.NewReaderSize(strings.NewReader(string(data)), maxLine)
		for {
			req, err := ReadRequest(r)
			if err != nil {
				return
			}
			if got := s.Decide(req); got.Action == "" {
				t.Fatal("empty action")
			}
		}
	})
}

// BenchmarkDecisions measures decisions over loopback TCP, keep-alive, 8
// connections like Postfix's smtpd processes: decisions/s and p99.
func BenchmarkDecisions(b *testing.B) {
	s := New(newFake(), Config{MaxMessages: -1, MaxNewRecipients: -1, MaxNetworks: -1})
	s.Refresh(context.Background())
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Serve(ctx, ln)
	const conns = 8
	lat := make([][]time.Duration, conns)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				b.Error(err)
				return
			}
			defer conn.Close()
			r := bufio.NewReader(conn)
			for i := c; i < b.N; i += conns {
				user := "info@example.jp"
				if i%10 == 0 {
					user = "shop@example.jp"
				}
				t := time.Now()
				fmt.Fprintf(conn, "request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.%d\nsasl_username=%s\nsender=%s\nrecipient=r%d@example.com\ninstance=%d\n\n", c, user, user, i, i)
				if _, err := r.ReadString('\n'); err != nil {
					b.Error(err)
					return
				}
				if _, err := r.ReadString('\n'); err != nil {
					b.Error(err)
					return
				}
				lat[c] = append(lat[c], time.Since(t))
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	b.StopTimer()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if len(all) > 0 {
		b.ReportMetric(float64(len(all))/el.Seconds(), "decisions/s")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	}
}
