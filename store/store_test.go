package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// engines runs fn against a fresh SQLite store and a fresh PostgreSQL
// database: the same test for both.
func engines(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, "sqlite:"+filepath.Join(t.TempDir(), "bw.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, pgtest.DSN(t))
	})
}

func open(t *testing.T, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func stats(t *testing.T, s *Store) Stats {
	t.Helper()
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestMigrations(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		s := open(t, dsn)
		var v int
		if err := s.DB().QueryRow(`SELECT MAX(version) FROM schema_version`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != SchemaVersion() {
			t.Errorf("schema version %d, want %d", v, SchemaVersion())
		}
		s.Close()
		// Opening again applies nothing twice.
		s2 := open(t, dsn)
		var n int
		if err := s2.DB().QueryRow(`SELECT COUNT(*) FROM schema_version`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != SchemaVersion() {
			t.Errorf("%d schema_version rows, want %d", n, SchemaVersion())
		}
	})
}

func TestPutMailIdempotent(t *testing.T) {
	bounceMsg := readFile(t, "01-postfix-user-unknown.eml")
	plain := readFile(t, "07-not-a-bounce.eml")
	arr := time.Date(2026, 11, 2, 3, 0, 0, 0, time.UTC)
	type put struct {
		src, pos string
		data     []byte
	}
	cases := []struct {
		name                         string
		puts                         []put
		messages, bounces, undecoded int64
	}{
		{"same position twice", []put{{"maildir:/m", "a", bounceMsg}, {"maildir:/m", "a", bounceMsg}}, 1, 1, 0},
		{"same content from two sources", []put{{"maildir:/m", "a", bounceMsg}, {"imap:u@h/INBOX", "7/1", bounceMsg}}, 1, 1, 0},
		{"two messages", []put{{"maildir:/m", "a", bounceMsg}, {"maildir:/m", "b", plain}}, 2, 1, 0},
		{"garbage kept with its error", []put{{"lmtp:x", "1", []byte("\x00\x01garbage")}, {"lmtp:x", "1", []byte("\x00\x01garbage")}}, 1, 0, 1},
		{"empty message kept", []put{{"lmtp:x", "2", []byte{}}}, 1, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			engines(t, func(t *testing.T, dsn string) {
				ctx := context.Background()
				s := open(t, dsn)
				for _, p := range tc.puts {
					if err := s.PutMail(ctx, ingest.Mail{Source: p.src, Position: p.pos, Arrival: arr, Data: p.data}); err != nil {
						t.Fatal(err)
					}
				}
				// And again after a restart.
				s.Close()
				s = open(t, dsn)
				for _, p := range tc.puts {
					if err := s.PutMail(ctx, ingest.Mail{Source: p.src, Position: p.pos, Arrival: arr, Data: p.data}); err != nil {
						t.Fatal(err)
					}
				}
				st := stats(t, s)
				if st.Messages != tc.messages || st.Bounces != tc.bounces || st.Undecodable != tc.undecoded {
					t.Errorf("messages %d bounces %d undecodable %d, want %d %d %d", st.Messages, st.Bounces, st.Undecodable,
						tc.messages, tc.bounces, tc.undecoded)
				}
				// The raw message comes back byte for byte.
				n := 0
				if _, err := s.Mails(ctx, 0, 0, func(m StoredMail) error {
					n++
					for _, p := range tc.puts {
						if p.src == m.Source && p.pos == m.Position && string(p.data) != string(m.Data) {
							t.Errorf("%s %s: raw data changed", m.Source, m.Position)
						}
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if int64(n) != tc.messages {
					t.Errorf("Mails gave %d, want %d", n, tc.messages)
				}
			})
		})
	}
}

func TestUndecodableKeepsError(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		s := open(t, dsn)
		if err := s.PutMail(context.Background(), ingest.Mail{Source: "lmtp:x", Position: "1", Data: nil}); err != nil {
			t.Fatal(err)
		}
		var kind, msg string
		if err := s.DB().QueryRow(`SELECT kind, decode_error FROM messages`).Scan(&kind, &msg); err != nil {
			t.Fatal(err)
		}
		if kind != KindError || msg == "" {
			t.Errorf("kind %q error %q: want %q with the error", kind, msg, KindError)
		}
	})
}

func TestConcurrentPutsStoreOnce(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		// Two stores on one database: two nodes.
		a, b := open(t, dsn), open(t, dsn)
		if a.Engine() == SQLite {
			b = a // one process per SQLite file
		}
		base := string(readFile(t, "01-postfix-user-unknown.eml"))
		var wg sync.WaitGroup
		errs := make(chan error, 800)
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				s := a
				if w%2 == 1 {
					s = b
				}
				for i := 0; i < 50; i++ {
					data := strings.Replace(base, "tanaka@example.com", fmt.Sprintf("user%d@example.com", i), -1)
					// Every message reaches every worker: four times from
					// the same position, four times from another source.
					src := fmt.Sprintf("maildir:/m%d", w%2)
					errs <- s.PutMail(ctx, ingest.Mail{Source: src, Position: fmt.Sprint(i), Data: []byte(data)})
					errs <- s.PutLogLines(ctx, []ingest.LogLine{{Source: "file:/l", Position: fmt.Sprint(i), Line: fmt.Sprint("line ", i)}})
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		st := stats(t, a)
		if st.Messages != 50 || st.Bounces != 50 || st.LogLines != 50 {
			t.Errorf("messages %d bounces %d lines %d, want 50 each", st.Messages, st.Bounces, st.LogLines)
		}
	})
}

func TestLogLinesAndCursors(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		lines := []ingest.LogLine{
			{Source: "file:/var/log/mail.log", Position: "1:2:0", Line: "Nov  2 02:14:07 mail postfix/smtpd[1]: connect"},
			{Source: "file:/var/log/mail.log", Position: "1:2:48", Line: "bad \xff byte \x00 nul"},
		}
		for i := 0; i < 2; i++ {
			if err := s.PutLogLines(ctx, lines); err != nil {
				t.Fatal(err)
			}
		}
		var got []string
		last, err := s.LogLines(ctx, 0, 0, func(l LogLine) error { got = append(got, l.Line); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || last == 0 || got[1] != "bad \uFFFD byte  nul" {
			t.Errorf("lines %q", got)
		}
		if v, err := s.Cursor(ctx, "imap:x"); err != nil || v != "" {
			t.Errorf("unset cursor %q %v", v, err)
		}
		for _, v := range []string{"17/100", "17/101"} {
			if err := s.SetCursor(ctx, "imap:x", v); err != nil {
				t.Fatal(err)
			}
		}
		if v, err := s.Cursor(ctx, "imap:x"); err != nil || v != "17/101" {
			t.Errorf("cursor %q %v, want 17/101", v, err)
		}
	})
}

func TestLease(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return now }
		steps := []struct {
			holder string
			want   bool
			later  time.Duration
		}{
			{"node1", true, 0},
			{"node2", false, 0},
			{"node1", true, 10 * time.Second}, // renewal
			{"node2", false, 20 * time.Second},
			{"node2", true, 31 * time.Second}, // node1 stopped renewing
			{"node1", false, 0},
		}
		for i, st := range steps {
			now = now.Add(st.later)
			got, err := s.AcquireLease(ctx, "detector", st.holder, 30*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if got != st.want {
				t.Errorf("step %d: %s got the lease: %v, want %v", i, st.holder, got, st.want)
			}
		}
	})
}

func TestBouncesSuppressionsReprocess(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		base := string(readFile(t, "01-postfix-user-unknown.eml"))
		for i := 0; i < 3; i++ {
			// The same recipient three times (three distinct bounces).
			data := strings.Replace(base, "Subject:", fmt.Sprintf("X-N: %d\nSubject:", i), 1)
			if err := s.PutMail(ctx, ingest.Mail{Source: "m", Position: fmt.Sprint(i), Data: []byte(data)}); err != nil {
				t.Fatal(err)
			}
		}
		bs, err := s.Bounces(ctx, BounceFilter{Account: "shop@example.jp", Reason: "userunknown", Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) != 2 || bs[0].Recipient != "tanaka@example.com" || !bs[0].Hard || bs[0].Status != "5.1.1" {
			t.Fatalf("bounces %+v", bs)
		}
		next, err := s.Bounces(ctx, BounceFilter{Account: "shop@example.jp", After: bs[1].ID})
		if err != nil || len(next) != 1 {
			t.Fatalf("second page %d %v, want 1", len(next), err)
		}
		if none, _ := s.Bounces(ctx, BounceFilter{Reason: "mailboxfull"}); len(none) != 0 {
			t.Errorf("reason filter let %d through", len(none))
		}
		sup, err := s.Suppressions(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(sup) != 1 || sup[0].Count != 3 || sup[0].Reason != "userunknown" || sup[0].Account != "shop@example.jp" {
			t.Errorf("suppressions %+v", sup)
		}
		// Reprocess: facts lost to an old decoder come back.
		if _, err := s.DB().Exec(`UPDATE messages SET facts = '', kind = 'error'`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().Exec(`DELETE FROM bounces`); err != nil {
			t.Fatal(err)
		}
		n, err := s.Reprocess(ctx, nil)
		if err != nil || n != 3 {
			t.Fatalf("reprocess changed %d (%v), want 3", n, err)
		}
		if st := stats(t, s); st.Bounces != 3 || st.Undecodable != 0 {
			t.Errorf("after reprocess: %+v", st)
		}
		// Retention: raw data dropped, facts kept.
		pruned, err := s.Prune(ctx, Retention{Raw: time.Hour}, time.Now().Add(2*time.Hour))
		if err != nil || pruned != 3 {
			t.Errorf("pruned %d (%v), want 3", pruned, err)
		}
		if n, err := s.Reprocess(ctx, nil); err != nil || n != 0 {
			t.Errorf("reprocess of pruned messages changed %d (%v)", n, err)
		}
	})
}

func TestIncidentsAndOutbox(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		t0 := time.Date(2026, 11, 2, 2, 20, 0, 0, time.UTC)
		in := &Incident{Account: "shop@example.jp", Verdict: "spoofed", Confidence: 0.7, Onset: t0, OpenedAt: t0, UpdatedAt: t0,
			Evidence: []string{"backscatter"}}
		alert := Alert{Event: ChangeOpened, Channel: "webhook:0", Payload: "{}", Key: "k-open"}
		if err := s.SaveIncident(ctx, in, ChangeOpened, func(*Incident) []Alert { return []Alert{alert} }); err != nil {
			t.Fatal(err)
		}
		if in.ID == 0 {
			t.Fatal("no ID")
		}
		// The same alert key again: queued once.
		if err := s.Enqueue(ctx, Alert{Key: "k-open", IncidentID: in.ID, Event: ChangeOpened, Channel: "webhook:0", Payload: "{}"}); err != nil {
			t.Fatal(err)
		}
		in.Verdict, in.UpdatedAt = "mixed", t0.Add(time.Minute)
		if err := s.SaveIncident(ctx, in, ChangeUpdated, nil); err != nil {
			t.Fatal(err)
		}
		closed := t0.Add(time.Hour)
		in.ClosedAt, in.UpdatedAt = &closed, closed
		if err := s.SaveIncident(ctx, in, ChangeClosed, nil); err != nil {
			t.Fatal(err)
		}
		got, err := s.Incident(ctx, in.ID)
		if err != nil || got == nil || got.Verdict != "mixed" || got.Open() || !got.Onset.Equal(t0) {
			t.Fatalf("incident %+v %v", got, err)
		}
		h, err := s.History(ctx, in.ID)
		if err != nil || len(h) != 3 || h[0].Verdict != "spoofed" || h[2].Change != ChangeClosed {
			t.Errorf("history %+v %v", h, err)
		}
		if open, _ := s.Incidents(ctx, IncidentFilter{OpenOnly: true}); len(open) != 0 {
			t.Errorf("%d open incidents, want 0", len(open))
		}
		due, err := s.DueAlerts(ctx, time.Now(), 10)
		if err != nil || len(due) != 1 {
			t.Fatalf("due %d (%v), want 1", len(due), err)
		}
		if err := s.AlertFailed(ctx, due[0].ID, "connection refused", time.Now().Add(time.Hour), false); err != nil {
			t.Fatal(err)
		}
		if due, _ := s.DueAlerts(ctx, time.Now(), 10); len(due) != 0 {
			t.Errorf("a failed alert is due again before its retry time")
		}
		due, _ = s.DueAlerts(ctx, time.Now().Add(2*time.Hour), 10)
		if len(due) != 1 || due[0].Attempts != 1 || due[0].LastError != "connection refused" {
			t.Fatalf("retry %+v", due)
		}
		if err := s.AlertSent(ctx, due[0].ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.SentAlerts(ctx, "webhook:0", time.Now().Add(-time.Minute)); n != 1 {
			t.Errorf("sent %d, want 1", n)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	for _, dsn := range []string{"mysql://x", "sqlite:", "postgres://bw:secret@127.0.0.1:1/x?connect_timeout=1"} {
		_, err := Open(context.Background(), dsn)
		if err == nil {
			t.Errorf("%s: no error", dsn)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows the password: %v", dsn, err)
		}
	}
}

func readFileBytes(p string) ([]byte, error) { return os.ReadFile(p) }
