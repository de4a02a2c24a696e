// Package ingesttest holds what the tests of the live sources share: a
// sink that can be told to refuse and counts what it is handed, a wait
// for a condition, and a runner that keeps a source running until the
// test ends.
package ingesttest

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest"
)

// ErrUnavailable is what a refusing [Sink] returns.
var ErrUnavailable = errors.New("store unavailable")

// Sink is an [ingest.Memory] that counts every PutMail call (what a source
// read and handed, beside what the memory keeps once) and, while
// SetFailing(true), refuses every Put with [ErrUnavailable] (a store that
// cannot commit).
type Sink struct {
	ingest.Memory
	failing atomic.Bool
	calls   atomic.Int64
}

// SetFailing makes the sink refuse (true) or take (false) what it is
// handed.
func (s *Sink) SetFailing(on bool) { s.failing.Store(on) }

// Calls is how many times PutMail was called, refused calls included.
func (s *Sink) Calls() int64 { return s.calls.Load() }

// PutMail counts the call, then refuses or stores m.
func (s *Sink) PutMail(ctx context.Context, m ingest.Mail) error {
	s.calls.Add(1)
	if s.failing.Load() {
		return ErrUnavailable
	}
	return s.Memory.PutMail(ctx, m)
}

// PutLogLines refuses or stores lines.
func (s *Sink) PutLogLines(ctx context.Context, lines []ingest.LogLine) error {
	if s.failing.Load() {
		return ErrUnavailable
	}
	return s.Memory.PutLogLines(ctx, lines)
}

// DefaultWait is how long [WaitFor] waits.
const DefaultWait = 20 * time.Second

// WaitFor waits until cond holds, for up to [DefaultWait]; past it the
// test fails, saying it timed out waiting for what.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	WaitWithin(t, what, DefaultWait, cond)
}

// WaitWithin is [WaitFor] with its own timeout, for what a real server
// (Postfix's queue, its retries) takes longer to do.
func WaitWithin(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Quiet returns a logger that keeps the sources' logs out of the test
// output.
func Quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// Run runs run (a source's Run) in a goroutine until the test ends or
// stop is called; an error from it fails the test. When ready is not nil,
// Run first waits (up to 5 s) for it to be closed: a listener bound. stop
// cancels run's context and waits for it to return; it may be called more
// than once.
func Run(t testing.TB, run func(context.Context) error, ready <-chan struct{}) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(stop)
	if ready != nil {
		select {
		case <-ready:
		case <-time.After(5 * time.Second):
			t.Fatal("source not ready")
		}
	}
	return stop
}
