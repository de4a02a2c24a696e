package ingesttest

import (
	"context"
	"errors"
	"testing"

	"github.com/bouncewatch/bouncewatch/ingest"
)

func TestSinkRefusesAndCounts(t *testing.T) {
	var s Sink
	ctx := context.Background()
	m := ingest.Mail{Source: "test", Position: "1", Data: []byte("x")}
	s.SetFailing(true)
	if err := s.PutMail(ctx, m); !errors.Is(err, ErrUnavailable) {
		t.Errorf("PutMail while failing: %v", err)
	}
	if err := s.PutLogLines(ctx, []ingest.LogLine{{Source: "test", Position: "1"}}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("PutLogLines while failing: %v", err)
	}
	s.SetFailing(false)
	for range 2 {
		if err := s.PutMail(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Calls(); n != 3 {
		t.Errorf("Calls = %d, want 3 (refused ones included)", n)
	}
	if n := len(s.Mails()); n != 1 {
		t.Errorf("%d mails kept, want 1", n)
	}
}

func TestRunStopsAndWaitsForReady(t *testing.T) {
	ready := make(chan struct{})
	returned := make(chan struct{})
	stop := Run(t, func(ctx context.Context) error {
		defer close(returned)
		close(ready)
		<-ctx.Done()
		return nil
	}, ready)
	select {
	case <-ready:
	default:
		t.Fatal("Run returned before ready was closed")
	}
	stop()
	select {
	case <-returned:
	default:
		t.Fatal("stop returned before run did")
	}
	stop() // a second stop is harmless
	WaitFor(t, "a condition that holds", func() bool { return true })
}
