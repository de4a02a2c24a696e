package maildir

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/ingest/internal/ingesttest"
)

func newMaildir(t *testing.T) string {
	t.Helper()
	d := filepath.Join(t.TempDir(), "Maildir")
	for _, s := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(d, s), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// deliver writes a message the way an MTA does: into tmp/, then renamed
// into new/. It returns the unique name.
func deliver(t *testing.T, dir string, n int, at time.Time) string {
	t.Helper()
	unique := fmt.Sprintf("%d.M%dP%d.mail.example.jp", at.Unix(), n, os.Getpid())
	tmp := filepath.Join(dir, "tmp", unique)
	msg := fmt.Sprintf("From: MAILER-DAEMON@mail.example.jp\r\nSubject: Undelivered Mail Returned to Sender %d\r\n\r\nbody %d\r\n", n, n)
	if err := os.WriteFile(tmp, []byte(msg), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "new", unique)); err != nil {
		t.Fatal(err)
	}
	return unique
}

func start(t *testing.T, o Options) (*Watcher, func()) {
	t.Helper()
	o.Logger = ingesttest.Quiet()
	o.Rescan, o.Retry = 200*time.Millisecond, 50*time.Millisecond
	o.Backoff = ingest.Backoff{Min: 20 * time.Millisecond, Max: 100 * time.Millisecond}
	w, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	w.margin = 0
	return w, ingesttest.Run(t, w.Run, nil)
}

func TestClientMovesNewToCur(t *testing.T) {
	dir := newMaildir(t)
	sink := &ingesttest.Sink{}
	at := time.Date(2026, 11, 2, 2, 14, 7, 0, time.UTC)
	var names []string
	for i := range 3 {
		names = append(names, deliver(t, dir, i, at))
	}
	w, _ := start(t, Options{Dir: dir, Sink: sink, Cursors: sink})
	ingesttest.WaitFor(t, "the messages already there", func() bool { return len(sink.Mails()) == 3 })

	// A mail client takes the messages: new/X becomes cur/X:2,S, then a
	// flag change cur/X:2,S -> cur/X:2,RS.
	for _, n := range names {
		if err := os.Rename(filepath.Join(dir, "new", n), filepath.Join(dir, "cur", n+":2,S")); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Rename(filepath.Join(dir, "cur", names[0]+":2,S"), filepath.Join(dir, "cur", names[0]+":2,RS")); err != nil {
		t.Fatal(err)
	}
	for i := 3; i < 5; i++ {
		deliver(t, dir, i, at.Add(time.Minute))
	}
	ingesttest.WaitFor(t, "the new messages", func() bool { return len(sink.Mails()) == 5 })
	time.Sleep(500 * time.Millisecond) // two rescans: nothing more may come
	if n := sink.Calls(); n != 5 {
		t.Errorf("%d messages handed to the store, want 5 (none read twice)", n)
	}
	for _, m := range sink.Mails() {
		if strings.ContainsAny(m.Position, ":/") {
			t.Errorf("position %q keeps the info suffix or the folder", m.Position)
		}
		if !m.Arrival.Equal(at) && !m.Arrival.Equal(at.Add(time.Minute)) {
			t.Errorf("arrival %v, want the unique name's time", m.Arrival)
		}
	}
	if h := w.Health(); !h.Connected || h.Items != 5 || h.LastError != "" || h.Kind != "maildir" {
		t.Errorf("health %+v", h)
	}
}

func TestRestartReadsOnlyWhatCameSince(t *testing.T) {
	dir := newMaildir(t)
	sink := &ingesttest.Sink{}
	for i := range 4 {
		deliver(t, dir, i, time.Now())
	}
	_, stop := start(t, Options{Dir: dir, Sink: sink, Cursors: sink})
	ingesttest.WaitFor(t, "the first messages", func() bool { return len(sink.Mails()) == 4 })
	ingesttest.WaitFor(t, "a cursor", func() bool { c, _ := sink.Cursor(context.Background(), "maildir:"+dir); return c != "" })
	stop()
	time.Sleep(20 * time.Millisecond) // the new files' change times come after the cursor
	deliver(t, dir, 4, time.Now())
	before := sink.Calls()
	start(t, Options{Dir: dir, Sink: sink, Cursors: sink})
	ingesttest.WaitFor(t, "the message delivered while down", func() bool { return len(sink.Mails()) == 5 })
	time.Sleep(300 * time.Millisecond)
	if n := sink.Calls() - before; n != 1 {
		t.Errorf("after the restart %d messages were read, want 1", n)
	}
}

func TestStoreFailureRetried(t *testing.T) {
	dir := newMaildir(t)
	sink := &ingesttest.Sink{}
	sink.SetFailing(true)
	deliver(t, dir, 1, time.Now())
	w, _ := start(t, Options{Dir: dir, Sink: sink, Cursors: sink})
	ingesttest.WaitFor(t, "the error in health", func() bool { return strings.Contains(w.Health().LastError, "store unavailable") })
	deliver(t, dir, 2, time.Now())
	sink.SetFailing(false)
	ingesttest.WaitFor(t, "both messages", func() bool { return len(sink.Mails()) == 2 })
	ingesttest.WaitFor(t, "a clear health", func() bool { return w.Health().LastError == "" })
}

func TestMissingMaildirUnhealthyThenWatched(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Maildir")
	sink := &ingesttest.Sink{}
	w, _ := start(t, Options{Dir: dir, Sink: sink})
	ingesttest.WaitFor(t, "an unhealthy status", func() bool { h := w.Health(); return !h.Connected && h.LastError != "" })
	for _, s := range []string{"tmp", "new", "cur"} {
		os.MkdirAll(filepath.Join(dir, s), 0o700)
	}
	deliver(t, dir, 1, time.Now())
	ingesttest.WaitFor(t, "the message", func() bool { return len(sink.Mails()) == 1 })
	ingesttest.WaitFor(t, "a connected status", func() bool { return w.Health().Connected })
}

func TestVanishedFileSkippedQuietly(t *testing.T) {
	dir := newMaildir(t)
	w, err := New(Options{Dir: dir, Sink: &ingesttest.Sink{}})
	if err != nil {
		t.Fatal(err)
	}
	w.handle(context.Background(), filepath.Join(dir, "new", "1700000000.M1P1.host"))
	if h := w.Health(); h.LastError != "" || len(w.failed) != 0 {
		t.Errorf("a vanished file was reported: %+v", h)
	}
}

func TestUniqueName(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"new", "1733490000.M1P2.host", "1733490000.M1P2.host"},
		{"flags", "1733490000.M1P2.host:2,RS", "1733490000.M1P2.host"},
		{"no flags", "1733490000.M1P2.host:2,", "1733490000.M1P2.host"},
		{"dovecot size fields", "1733490000.M1P2.host,S=1234,W=1260:2,S", "1733490000.M1P2.host,S=1234,W=1260"},
		{"semicolon separator", "1733490000.M1P2.host;2,S", "1733490000.M1P2.host"},
		{"colon not an info", "odd:name", "odd:name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := UniqueName(tc.in); got != tc.want {
				t.Errorf("UniqueName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestArrival(t *testing.T) {
	mtime := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, in string
		want     time.Time
	}{
		{"unix seconds", "1733490000.M1P2.host", time.Unix(1733490000, 0)},
		{"not a time", "abc.host", mtime},
		{"too far ahead", "9999999999.M1.host", mtime},
		{"digits run into text", "1733490000x.host", mtime},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := arrival(tc.in, mtime); !got.Equal(tc.want) {
				t.Errorf("arrival(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestReadErrorReportedAndRetried(t *testing.T) {
	dir := newMaildir(t)
	sink := &ingesttest.Sink{}
	w, _ := start(t, Options{Dir: dir, Sink: sink, Cursors: sink})
	ingesttest.WaitFor(t, "the watch", func() bool { return w.Health().Connected })
	bad := filepath.Join(dir, "new", "1733490000.M1P1.host")
	// A file that cannot be read (a symbolic link to itself: ELOOP).
	if err := os.Symlink(bad, bad); err != nil {
		t.Fatal(err)
	}
	ingesttest.WaitFor(t, "the read error in health", func() bool { return strings.Contains(w.Health().LastError, "too many levels") })
	os.Remove(bad)
	deliver(t, dir, 2, time.Now())
	ingesttest.WaitFor(t, "the next message", func() bool { return len(sink.Mails()) == 1 })
	ingesttest.WaitFor(t, "a clear health", func() bool { return w.Health().LastError == "" })
}

func FuzzUniqueName(f *testing.F) {
	for _, s := range []string{"1733490000.M1P2.host:2,RS", "a;2,", "x!1,y", ":2,", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u := UniqueName(s)
		if !strings.HasPrefix(s, u) {
			t.Fatalf("UniqueName(%q) = %q, not a prefix", s, u)
		}
		// The name with flags added or changed is the same message.
		if got := UniqueName(u + ":2,S"); u != "" && got != u && UniqueName(u) == u {
			t.Fatalf("UniqueName(%q) = %q, want %q", u+":2,S", got, u)
		}
		arrival(u, time.Time{})
	})
}

// The watcher is stopped and started again at arbitrary moments while
// messages arrive and a client moves them to cur/: every message is
// stored, and the restarts read little again.
func TestStopsAndStartsLoseNothing(t *testing.T) {
	dir := newMaildir(t)
	sink := &ingesttest.Sink{}
	const total = 300
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < total; i++ {
			name := deliver(t, dir, i, time.Now())
			if i%3 == 0 { // a client takes some at once
				os.Rename(filepath.Join(dir, "new", name), filepath.Join(dir, "cur", name+":2,S"))
			}
			time.Sleep(time.Millisecond)
		}
	}()
	for run := 0; ; run++ {
		_, stop := start(t, Options{Dir: dir, Sink: sink, Cursors: sink})
		time.Sleep(time.Duration(5+run%5*4) * time.Millisecond)
		stop()
		select {
		case <-done:
			start(t, Options{Dir: dir, Sink: sink, Cursors: sink})
			ingesttest.WaitFor(t, "every message", func() bool { return len(sink.Mails()) == total })
			time.Sleep(300 * time.Millisecond)
			if n := len(sink.Mails()); n != total {
				t.Fatalf("stored %d, want %d", n, total)
			}
			t.Logf("%d runs, %d messages handed for %d stored", run+2, sink.Calls(), total)
			return
		default:
		}
	}
}
