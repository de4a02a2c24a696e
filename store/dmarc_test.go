package store

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/dmarcrpt"
	"github.com/bouncewatch/bouncewatch/ingest"
)

func dmarcFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "dmarcrpt", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDMARC(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		// Reports come as mail from a source (routed away from the
		// bounces) and as files; the same report twice is stored once.
		for i, m := range []struct{ src, pos, file string }{
			{"imap:dmarc", "1", "google.eml"},
			{"imap:dmarc", "2", "microsoft.eml"},
			{"maildir:/x", "a", "microsoft.eml"},
			{"imap:dmarc", "3", "yahoo.eml"},
		} {
			if err := s.PutMail(ctx, ingest.Mail{Source: m.src, Position: m.pos, Data: dmarcFixture(t, m.file)}); err != nil {
				t.Fatalf("mail %d: %v", i, err)
			}
		}
		if added, err := s.PutDMARC(ctx, "google.xml", dmarcFixture(t, "google.xml")); err != nil || added {
			t.Errorf("google.xml after its mail: added %v, err %v; want stored once", added, err)
		}
		for range 2 {
			if _, err := s.PutDMARC(ctx, "malformed.xml", dmarcFixture(t, "malformed.xml")); err != nil {
				t.Fatalf("malformed: %v", err)
			}
		}
		if _, err := s.PutDMARC(ctx, "notes.txt", []byte("hello")); !errors.Is(err, dmarcrpt.ErrNotReport) {
			t.Errorf("a text file: %v, want ErrNotReport", err)
		}
		reps, err := s.DMARCReports(ctx, "", time.Time{}, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(reps) != 4 {
			t.Fatalf("%d reports stored, want 4 (google, microsoft, yahoo, malformed): %+v", len(reps), reps)
		}
		malformed := 0
		for _, r := range reps {
			if r.Error != "" {
				malformed++
			}
		}
		if malformed != 1 {
			t.Errorf("%d malformed reports kept, want 1", malformed)
		}
		st := stats(t, s)
		if st.BounceMails != 0 || st.Messages != 3 {
			t.Errorf("stats %+v: want 3 messages, none a bounce", st)
		}

		relay := netip.MustParseAddr("203.0.113.10")
		ours := func(a netip.Addr) bool { return a == relay }
		days, err := s.DMARCDays(ctx, "example.jp", time.Date(2024, 10, 10, 0, 0, 0, 0, time.UTC), time.Date(2024, 10, 12, 0, 0, 0, 0, time.UTC), ours)
		if err != nil {
			t.Fatal(err)
		}
		if len(days) != 2 {
			t.Fatalf("%d days, want 2: %+v", len(days), days)
		}
		d := days[0]
		// 10 Oct: Google 42,400 and Microsoft 48.
		if d.Messages != 42448 || d.Forged != 41203 || d.ForgedIPs != 3 {
			t.Errorf("10 Oct: %d messages, %d forged from %d IPs; want 42448, 41203, 3", d.Messages, d.Forged, d.ForgedIPs)
		}
		var relaySrc *DMARCSource
		for i := range d.Sources {
			if d.Sources[i].IP == "203.0.113.10" {
				relaySrc = &d.Sources[i]
			}
		}
		if relaySrc == nil || relaySrc.Class != SourceOurs || relaySrc.Messages != 1245 || relaySrc.DKIMAligned != 1245 || relaySrc.SPFAligned != 1200 ||
			len(relaySrc.Reporters) != 2 {
			t.Errorf("our relay: %+v", relaySrc)
		}
		if d.Policy != "quarantine" || days[1].Policy != "reject" {
			t.Errorf("policies in force: %q, %q; want quarantine (Microsoft saw it, Google none), reject", d.Policy, days[1].Policy)
		}
		if days[1].Sources[0].Disposition["reject"] != 310 {
			t.Errorf("11 Oct: %+v", days[1])
		}

		forg, err := s.DMARCForgeries(ctx, "example.jp", time.Date(2024, 10, 9, 0, 0, 0, 0, time.UTC), time.Date(2024, 10, 13, 0, 0, 0, 0, time.UTC), ours)
		if err != nil {
			t.Fatal(err)
		}
		if len(forg) != 3 || forg[0].Org != "google.com" || forg[0].Messages != 41200 || forg[0].IPs != 2 {
			t.Errorf("forgeries: %+v", forg)
		}
	})
}
