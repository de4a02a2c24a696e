package cli

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/internal/scenario"
)

// lockedBuffer is a bytes.Buffer the service's goroutines may write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeRestartsFromCheckpoint: serve on the real clock saves its
// analysis in the store; started again on the same store and
// configuration, it restores it instead of reading every message, and
// reports the same messages.
func TestServeRestartsFromCheckpoint(t *testing.T) {
	sc, err := scenario.Hijack(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := &serveConfig{Listen: "127.0.0.1:0", Store: "sqlite:" + filepath.Join(t.TempDir(), "bw.db"), TZ: sc.Location.String(), Lang: "en"}
	c.Detect.Interval = 200 * time.Millisecond
	c.Maildir = append(c.Maildir, struct {
		Path string `toml:"path"`
	}{sc.Mail[0]})
	env := Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string {
		if k == "BOUNCEWATCH_API_TOKEN" {
			return "tok"
		}
		return ""
	}}
	want := sc.Stats.Bounces
	run := func(logs io.Writer) (messages int) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		log, _ := newLogger(logs, "text", "")
		svc, code := newService(ctx, c, env, log, nil, nil)
		if svc == nil {
			t.Fatalf("newService: %d", code)
		}
		done := make(chan int)
		go func() { done <- svc.run(ctx) }()
		deadline := time.Now().Add(90 * time.Second)
		for time.Now().Before(deadline) {
			if rep := svc.det.Report(); rep != nil && rep.Inputs.Bounces >= want {
				messages = rep.Inputs.Messages
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d", code)
		}
		return messages
	}
	first := run(io.Discard)
	if first == 0 {
		t.Fatalf("the first run never analysed the %d bounces", want)
	}
	var logs lockedBuffer
	second := run(&logs)
	if !strings.Contains(logs.String(), "analysis restored from the checkpoint") {
		t.Errorf("the second run did not restore the checkpoint; it logged:\n%s", logs.String())
	}
	if second != first {
		t.Errorf("second run: %d messages, first: %d", second, first)
	}
}
