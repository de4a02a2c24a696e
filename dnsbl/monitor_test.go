package dnsbl

import (
	"context"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/domaincheck/dnstest"
	"github.com/bouncewatch/bouncewatch/store"
)

// TestMonitor: an open incident gets a check when it opens and one a day
// while it stays open, each in its timeline with the delisting pages.
func TestMonitor(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "bw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := dnstest.Start(t, zone, ".")
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	m := &Monitor{Store: st, Checker: &Checker{Server: srv.Addr, Zones: zones, Timeout: time.Second, Now: func() time.Time { return now }},
		IPs: []netip.Addr{netip.MustParseAddr("192.0.2.25")}, Domains: []string{"example.jp"}, Now: func() time.Time { return now }}
	in := &store.Incident{Account: "shop@example.jp", Verdict: "hijacked", Confidence: 0.9, Onset: now, OpenedAt: now, UpdatedAt: now}
	if err := st.SaveIncident(ctx, in, store.ChangeOpened, nil); err != nil {
		t.Fatal(err)
	}
	for _, step := range []time.Duration{0, time.Hour, 24 * time.Hour} {
		now = now.Add(step)
		if err := m.Pass(ctx); err != nil {
			t.Fatal(err)
		}
	}
	checks, err := st.BlocklistChecks(ctx, in.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != 2 || checks[0].Listed != 3 {
		t.Fatalf("checks %+v: want 2 (at opening, a day later), 3 listings each", checks)
	}
	hist, _ := st.History(ctx, in.ID)
	var lines []string
	for _, h := range hist {
		if h.Change == store.ChangeBlocklists {
			lines = append(lines, h.Evidence...)
		}
	}
	joined := strings.Join(lines, "\n")
	if !strings.Contains(joined, "192.0.2.25 is listed on zen.test ([127.0.0.4]); once the spam has stopped, ask for removal at https://delist.zen.test/") ||
		!strings.Contains(joined, "example.jp is listed on dbl.test") {
		t.Errorf("timeline:\n%s", joined)
	}
}
