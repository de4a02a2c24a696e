package dnsbl_test

import (
	"context"
	"net/netip"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/alert"
	"github.com/bouncewatch/bouncewatch/dnsbl"
	"github.com/bouncewatch/bouncewatch/domaincheck/dnstest"
	"github.com/bouncewatch/bouncewatch/store"
)

const soas = `
zen.test.  300 IN SOA ns.test. h.test. 1 3600 600 86400 60
cop.test.  300 IN SOA ns.test. h.test. 1 3600 600 86400 60
dbl.test.  300 IN SOA ns.test. h.test. 1 3600 600 86400 60
`

// before: 192.0.2.25 on zen.test only; after: also on cop.test, and
// example.jp on dbl.test.
const before = `
25.2.0.192.zen.test.  300 IN A 127.0.0.4
` + soas

const after = before + `
25.2.0.192.cop.test.  300 IN A 127.0.0.2
example.jp.dbl.test.  300 IN A 127.0.1.2
`

var testZones = []dnsbl.Zone{
	{Name: "zen.test", Kind: dnsbl.IPs, Delist: "https://delist.zen.test/"},
	{Name: "cop.test", Kind: dnsbl.IPs, Delist: "https://delist.cop.test/"},
	{Name: "dbl.test", Kind: dnsbl.Domains, Delist: "https://delist.dbl.test/"},
}

// TestMonitorAlertsNewListings: the monitor, asking a loopback DNS
// server, queues one alert per channel for each listing that its
// incident's previous check did not have — the first check's listing,
// then the two new ones a day later, nothing when a check finds nothing
// new, and nothing for an incident whose addresses are not listed.
func TestMonitorAlertsNewListings(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "bw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv1, srv2 := dnstest.Start(t, before, "."), dnstest.Start(t, after, ".")
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	rend := &alert.Renderer{Webhooks: []alert.Webhook{{URL: "http://hook.test/"}}, Email: &alert.Email{To: []string{"ops@example.jp"}},
		Lang: advice.English, Dashboard: "http://bw.test"}
	queued := 0
	checker := &dnsbl.Checker{Server: srv1.Addr, Zones: testZones, Timeout: time.Second, Now: clock}
	m := &dnsbl.Monitor{Store: st, Checker: checker, IPs: []netip.Addr{netip.MustParseAddr("192.0.2.25")}, Domains: []string{"example.jp"},
		Now: clock, Alerts: rend.Blocklisted, Queued: func() { queued++ }}
	in := &store.Incident{Account: "shop@example.jp", Verdict: "hijacked", Confidence: 0.9, Onset: now, OpenedAt: now, UpdatedAt: now}
	if err := st.SaveIncident(ctx, in, store.ChangeOpened, nil); err != nil {
		t.Fatal(err)
	}
	titles := func() []string {
		as, err := st.DueAlerts(ctx, time.Now().Add(time.Hour), 100)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range as {
			if a.Event != alert.EventBlocklisted || a.IncidentID != in.ID {
				t.Errorf("alert %+v", a)
			}
			if a.Channel == "email" {
				out = append(out, a.Payload[:strings.Index(a.Payload, `","lines"`)])
			}
		}
		sort.Strings(out)
		if len(as) != 2*len(out) {
			t.Errorf("%d alerts for %d email alerts: want one webhook alert per email alert", len(as), len(out))
		}
		return out
	}

	if err := m.Pass(ctx); err != nil { // at opening: zen.test lists 192.0.2.25
		t.Fatal(err)
	}
	got := titles()
	if len(got) != 1 || !strings.Contains(got[0], "192.0.2.25 is listed on zen.test — request delisting") || queued != 1 {
		t.Fatalf("after the first check: %q (queued %d)", got, queued)
	}

	checker.Server = srv2.Addr
	now = now.Add(25 * time.Hour) // a day later: two more listings
	if err := m.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	got = titles()
	if len(got) != 3 || !strings.Contains(strings.Join(got, "\n"), "192.0.2.25 is listed on cop.test") ||
		!strings.Contains(strings.Join(got, "\n"), "example.jp is listed on dbl.test") || queued != 2 {
		t.Fatalf("after the second check: %q (queued %d)", got, queued)
	}

	now = now.Add(25 * time.Hour) // same listings: nothing new
	if err := m.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	if got = titles(); len(got) != 3 || queued != 2 {
		t.Fatalf("after the third check: %q (queued %d)", got, queued)
	}
	if checks, _ := st.BlocklistChecks(ctx, in.ID, 0); len(checks) != 3 {
		t.Fatalf("%d checks, want 3", len(checks))
	}
	recs, _ := st.IncidentAlerts(ctx, in.ID)
	if len(recs) != 6 {
		t.Errorf("incident alerts %+v: want 6 (3 listings × webhook, email)", recs)
	}

	// Addresses nobody lists: checks, no alerts.
	st2, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "bw2.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	m2 := &dnsbl.Monitor{Store: st2, Checker: &dnsbl.Checker{Server: srv2.Addr, Zones: testZones, Timeout: time.Second, Now: clock},
		IPs: []netip.Addr{netip.MustParseAddr("192.0.2.1")}, Domains: []string{"example.com"}, Now: clock, Alerts: rend.Blocklisted}
	in2 := &store.Incident{Account: "a@example.com", Verdict: "hijacked", Confidence: 0.9, Onset: now, OpenedAt: now, UpdatedAt: now}
	if err := st2.SaveIncident(ctx, in2, store.ChangeOpened, nil); err != nil {
		t.Fatal(err)
	}
	if err := m2.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	if as, _ := st2.DueAlerts(ctx, time.Now().Add(time.Hour), 100); len(as) != 0 {
		t.Errorf("alerts for unlisted addresses: %+v", as)
	}
	if checks, _ := st2.BlocklistChecks(ctx, in2.ID, 0); len(checks) != 1 || checks[0].Listed != 0 {
		t.Errorf("checks %+v", checks)
	}
}

func TestNewListings(t *testing.T) {
	a := dnsbl.Result{Target: "192.0.2.25", Zone: "zen.test", Listed: true}
	b := dnsbl.Result{Target: "192.0.2.25", Zone: "cop.test", Listed: true}
	c := dnsbl.Result{Target: "192.0.2.26", Zone: "zen.test"}
	if got := dnsbl.NewListings([]dnsbl.Result{a, c}, []dnsbl.Result{a, b, c}); len(got) != 1 || got[0].Zone != "cop.test" {
		t.Errorf("new %+v, want %+v", got, b)
	}
	if got := dnsbl.NewListings(nil, []dnsbl.Result{c}); len(got) != 0 {
		t.Errorf("new %+v", got)
	}
}
