package logtail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest"
)

// flaky is a sink that refuses everything while fail is set.
type flaky struct {
	ingest.Memory
	fail atomic.Bool
}

func (f *flaky) PutLogLines(ctx context.Context, l []ingest.LogLine) error {
	if f.fail.Load() {
		return errors.New("store unavailable")
	}
	return f.Memory.PutLogLines(ctx, l)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// start runs a tail of path into sink until the test ends (or stop is
// called).
func start(t *testing.T, path string, sink *flaky) (tail *Tail, stop func()) {
	t.Helper()
	tail, err := New(Options{Path: path, Sink: sink, Cursors: sink, Poll: 10 * time.Millisecond,
		Backoff: ingest.Backoff{Min: 10 * time.Millisecond, Max: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := tail.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(stop)
	return tail, stop
}

func appendLines(t *testing.T, path string, from, to int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := from; i < to; i++ {
		fmt.Fprintf(f, "Nov  2 02:14:07 mail postfix/smtp[%d]: line %d\n", 100+i, i)
	}
}

// lineNumbers returns the "line N" numbers stored, in order.
func lineNumbers(m *flaky) []int {
	var out []int
	for _, l := range m.LogLines() {
		var n int
		if _, err := fmt.Sscanf(l.Line[strings.Index(l.Line, "line "):], "line %d", &n); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func checkAll(t *testing.T, m *flaky, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(m.LogLines()) < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // anything extra would come now
	got := lineNumbers(m)
	if len(got) != n {
		t.Fatalf("stored %d lines, want %d: %v", len(got), n, got)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("line %d is %d: %v", i, v, got)
		}
	}
	seen := map[string]bool{}
	for _, l := range m.LogLines() {
		if seen[l.Position] {
			t.Errorf("position %s twice", l.Position)
		}
		seen[l.Position] = true
	}
}

func TestFollowAcrossRename(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mail.log")
	appendLines(t, path, 0, 10)
	var m flaky
	start(t, path, &m)
	waitFor(t, "first lines", func() bool { return len(m.LogLines()) == 10 })

	// The writer keeps its descriptor: lines written after the rename go
	// to the renamed file, as with a daemon not yet told to reopen.
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(w, "Nov  2 02:14:07 mail postfix/smtp[1]: line 10\n")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(w, "Nov  2 02:14:07 mail postfix/smtp[1]: line 11\n")
	fmt.Fprintf(w, "Nov  2 02:14:07 mail postfix/smtp[1]: line 12") // no line end: the last line of the old file
	w.Close()
	appendLines(t, path, 13, 20)
	checkAll(t, &m, 20)
}

func TestFollowAcrossCopytruncate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mail.log")
	appendLines(t, path, 0, 10)
	var m flaky
	_, stop := start(t, path, &m)
	waitFor(t, "first lines", func() bool { return len(m.LogLines()) == 10 })
	stop()

	// Lines written just before the copy, which the tail had not read:
	// they are only in the copy after the truncation.
	appendLines(t, path, 10, 15)
	copyFile(t, path, path+".1")
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendLines(t, path, 15, 17)
	start(t, path, &m)
	waitFor(t, "lines after truncation", func() bool { return len(m.LogLines()) == 17 })

	// And live: truncated under a running tail.
	copyFile(t, path, path+".1")
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendLines(t, path, 17, 30)
	checkAll(t, &m, 30)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	out.Close()
}

func TestResumeAfterRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mail.log")
	appendLines(t, path, 0, 5)
	var m flaky
	_, stop := start(t, path, &m)
	waitFor(t, "first lines", func() bool { return len(m.LogLines()) == 5 })
	stop()
	// Rotated by renaming while the service was down: the rest of the old
	// file is read from PATH.1 before the new file.
	appendLines(t, path, 5, 8)
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendLines(t, path, 8, 12)

	// A fresh sink that shares only the cursors would store everything it
	// is handed; count what the new run hands over.
	fresh := &flaky{}
	c, _ := m.Cursor(context.Background(), "file:"+path)
	if err := fresh.SetCursor(context.Background(), "file:"+path, c); err != nil {
		t.Fatal(err)
	}
	start(t, path, fresh)
	waitFor(t, "resumed lines", func() bool { return len(fresh.LogLines()) >= 7 })
	time.Sleep(50 * time.Millisecond)
	got := lineNumbers(fresh)
	want := []int{5, 6, 7, 8, 9, 10, 11}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after restart: lines %v, want %v", got, want)
	}
}

func TestFileGoneThenBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mail.log")
	var m flaky
	tail, _ := start(t, path, &m)
	waitFor(t, "an unhealthy status", func() bool {
		h := tail.Health()
		return !h.Connected && strings.Contains(h.LastError, "no such file")
	})
	appendLines(t, path, 0, 3)
	checkAll(t, &m, 3)
	waitFor(t, "a healthy status", func() bool { h := tail.Health(); return h.Connected && h.LastError == "" })
	if h := tail.Health(); h.Items != 3 || h.Kind != "logfile" {
		t.Errorf("health %+v", h)
	}
}

func TestSinkFailureLosesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mail.log")
	var m flaky
	m.fail.Store(true)
	appendLines(t, path, 0, 4)
	tail, _ := start(t, path, &m)
	waitFor(t, "the store's error in health", func() bool { return strings.Contains(tail.Health().LastError, "store unavailable") })
	appendLines(t, path, 4, 8)
	m.fail.Store(false)
	checkAll(t, &m, 8)
	if c, _ := m.Cursor(context.Background(), tail.Name()); !strings.HasSuffix(c, fmt.Sprintf(":%d", fileSize(t, path))) {
		t.Errorf("cursor %q does not point at the end of the file", c)
	}
}

func fileSize(t *testing.T, p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func TestParseCursor(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"plain", "2049:1234:56", true},
		{"generation", "2049:1234.2:56", true},
		{"negative offset", "2049:1234:-1", false},
		{"too few fields", "2049:56", false},
		{"garbage", "x:y:z", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseCursor(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("parseCursor(%q) = %v, %v", tc.in, c, err)
			}
			if tc.ok && c.String() != tc.in {
				t.Errorf("round trip %q -> %q", tc.in, c.String())
			}
		})
	}
}
