package mailserver

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPostfixStop: stopping an instance leaves no master behind, also
// when "postfix stop" itself fails (here: its configuration broken after
// the start), so that a test never waits on, or leaks, a Postfix.
func TestPostfixStop(t *testing.T) {
	cases := []struct {
		name    string
		breakIt func(p *Postfix) error
	}{
		{"postfix stop works", func(*Postfix) error { return nil }},
		{"postfix stop fails", func(p *Postfix) error {
			return os.WriteFile(filepath.Join(p.Dir, "main.cf"), []byte("queue_directory = /nonexistent/bouncewatch\n"), 0o644)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := StartPostfix(t, PostfixOptions{LocalTransport: "error:no local delivery", RemoteAddr: "127.0.0.1:9"})
			b, err := os.ReadFile(filepath.Join(p.Dir, "queue", "pid", "master.pid"))
			if err != nil {
				t.Fatal(err)
			}
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			if err := c.breakIt(p); err != nil {
				t.Fatal(err)
			}
			p.stop(t)
			deadline := time.Now().Add(10 * time.Second)
			for syscall.Kill(pid, 0) == nil {
				if time.Now().After(deadline) {
					t.Fatalf("master %d still running after stop", pid)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}
