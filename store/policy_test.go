package store

import (
	"context"
	"testing"
	"time"
)

func TestHoldsBlockRelease(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		t0 := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
		hij := &Incident{Account: "Shop@example.jp", Verdict: "hijacked", Confidence: 0.9, Onset: t0, OpenedAt: t0, UpdatedAt: t0}
		spoof := &Incident{Account: "info@example.jp", Verdict: "spoofed", Confidence: 0.9, Onset: t0, OpenedAt: t0, UpdatedAt: t0}
		for _, in := range []*Incident{hij, spoof} {
			if err := s.SaveIncident(ctx, in, ChangeOpened, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.BlockAccount(ctx, "sales@example.jp", "phished", "admin", t0); err != nil {
			t.Fatal(err)
		}
		holds, err := s.Holds(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(holds) != 2 || holds["shop@example.jp"].Incident == nil || holds["sales@example.jp"].Block == nil || holds["sales@example.jp"].Block.Reason != "phished" {
			t.Fatalf("holds %+v: want the hijacked and the blocked account, not the spoofed one", holds)
		}
		for _, a := range []string{"shop@example.jp", "SALES@example.jp"} {
			if held, err := s.ReleaseAccount(ctx, a, "admin", t0.Add(time.Hour)); err != nil || !held {
				t.Errorf("release %s: %v %v", a, held, err)
			}
		}
		if held, _ := s.ReleaseAccount(ctx, "nobody@example.jp", "admin", t0.Add(time.Hour)); held {
			t.Error("releasing an account nothing held says it was held")
		}
		if holds, _ = s.Holds(ctx); len(holds) != 0 {
			t.Fatalf("after release: %+v", holds)
		}
		// A new incident after the release holds the account again.
		again := &Incident{Account: "shop@example.jp", Verdict: "mixed", Confidence: 0.8, Onset: t0, OpenedAt: t0.Add(2 * time.Hour), UpdatedAt: t0.Add(2 * time.Hour)}
		if err := s.SaveIncident(ctx, again, ChangeOpened, nil); err != nil {
			t.Fatal(err)
		}
		if holds, _ = s.Holds(ctx); holds["shop@example.jp"].Incident == nil || holds["shop@example.jp"].Incident.ID != again.ID {
			t.Fatalf("new incident after release: %+v", holds)
		}
		// Deferrals are counted per day and noted in the incident's timeline.
		for range 2 {
			if err := s.NoteDeferrals(ctx, "shop@example.jp", 3, t0.Add(3*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		defs, err := s.Deferrals(ctx, "", t0)
		if err != nil || len(defs) != 1 || defs[0].Count != 6 {
			t.Fatalf("deferrals %+v %v", defs, err)
		}
		hist, _ := s.History(ctx, again.ID)
		if len(hist) != 3 || hist[2].Change != ChangeDeferred {
			t.Errorf("timeline %+v", hist)
		}
	})
}
