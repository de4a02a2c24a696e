package ingest

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:5514", true},
		{"127.1.2.3:1", true},
		{"[::1]:24", true},
		{"localhost:8024", true},
		{"0.0.0.0:5514", false},
		{":5514", false},
		{"192.0.2.1:143", false},
		{"mail.example.jp:993", false},
	} {
		if got := Loopback(tc.addr); got != tc.want {
			t.Errorf("Loopback(%q) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	b := Backoff{Min: time.Second, Max: 5 * time.Second}
	var got []time.Duration
	for range 5 {
		got = append(got, b.Next())
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("waits %v, want %v", got, want)
		}
	}
	b.Reset()
	if d := b.Next(); d != time.Second {
		t.Errorf("after Reset: %v", d)
	}
	var zero Backoff
	if d := zero.Next(); d != time.Second {
		t.Errorf("zero Backoff starts at %v", d)
	}
}

func TestProtect(t *testing.T) {
	err := Protect(func() error { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("a panic became %v", err)
	}
	want := errors.New("plain")
	if err := Protect(func() error { return want }); err != want {
		t.Errorf("an error became %v", err)
	}
}

func TestStatus(t *testing.T) {
	s := NewStatus("file:/x", "logfile")
	s.SetConnected(true)
	s.Stored(3, time.Unix(100, 0))
	s.Failed(errors.New("disk full"))
	h := s.Health()
	if !h.Connected || h.Items != 3 || h.LastError != "disk full" || h.ErrorAt.IsZero() || h.Source != "file:/x" || h.Kind != "logfile" {
		t.Errorf("health %+v", h)
	}
	s.ClearError()
	if h := s.Health(); h.LastError != "" || !h.ErrorAt.IsZero() {
		t.Errorf("after ClearError %+v", h)
	}
}

func TestReconnect(t *testing.T) {
	st := NewStatus("test", "logfile")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var runs int
	ingestErr := errors.New("file gone")
	Reconnect(ctx, st, slog.New(slog.DiscardHandler), "failed; retrying", Backoff{Min: time.Millisecond, Max: 2 * time.Millisecond},
		func(ctx context.Context, bo *Backoff) error {
			runs++
			st.SetConnected(true)
			switch runs {
			case 1:
				return ingestErr
			case 2:
				if h := st.Health(); h.LastError != ingestErr.Error() {
					t.Errorf("after an error: health %+v", h)
				}
				panic("bug in a source")
			}
			if h := st.Health(); !strings.Contains(h.LastError, "panic") {
				t.Errorf("after a panic: health %+v", h)
			}
			cancel()
			return nil
		})
	if runs != 3 {
		t.Errorf("%d sessions, want 3", runs)
	}
	if h := st.Health(); h.Connected {
		t.Errorf("still connected after Reconnect returned: %+v", h)
	}
}
