package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest"
)

// TestPlanTicks: a tick is kept with who and when, replaced by the next
// one of the same step, and per incident.
func TestPlanTicks(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		t0 := time.Date(2026, 11, 2, 2, 20, 0, 0, time.UTC)
		in := &Incident{Account: "shop@example.jp", Verdict: "hijacked", Confidence: 0.9, Onset: t0, OpenedAt: t0, UpdatedAt: t0}
		if err := s.SaveIncident(ctx, in, ChangeOpened, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPlanTick(ctx, in.ID, Tick{Step: "change-password", Done: true, By: "admin", At: t0}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPlanTick(ctx, in.ID, Tick{Step: "change-password", Done: false, By: "token", At: t0.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPlanTick(ctx, in.ID, Tick{Step: "check-queue", Done: true, By: "admin", At: t0}); err != nil {
			t.Fatal(err)
		}
		got, err := s.PlanTicks(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got["change-password"].Done || got["change-password"].By != "token" ||
			!got["change-password"].At.Equal(t0.Add(time.Minute)) || !got["check-queue"].Done {
			t.Fatalf("ticks %+v", got)
		}
		if other, _ := s.PlanTicks(ctx, in.ID+1); len(other) != 0 {
			t.Errorf("another incident has ticks %+v", other)
		}
	})
}

// TestSearchBouncesAndDetail: the dashboard's filters (domain, hard, a
// text with LIKE's wildcards taken literally) and the detail with the raw
// message.
func TestSearchBouncesAndDetail(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		raw := readFile(t, "01-postfix-user-unknown.eml")
		if err := s.PutMail(ctx, ingest.Mail{Source: "m", Position: "1", Data: raw}); err != nil {
			t.Fatal(err)
		}
		hard, soft := true, false
		for _, c := range []struct {
			name string
			f    BounceSearch
			want int
		}{
			{"all", BounceSearch{}, 1},
			{"domain", BounceSearch{Domain: "EXAMPLE.com"}, 1},
			{"other domain", BounceSearch{Domain: "example.org"}, 0},
			{"hard", BounceSearch{Hard: &hard}, 1},
			{"soft", BounceSearch{Hard: &soft}, 0},
			{"recipient prefix", BounceSearch{Text: "TANAKA@"}, 1},
			{"whole recipient", BounceSearch{Text: "tanaka@example.com"}, 1},
			{"not a prefix", BounceSearch{Text: "anaka"}, 0},
			{"domain prefix", BounceSearch{Text: "@example.c"}, 1},
			{"other domain prefix", BounceSearch{Text: "@example.org"}, 0},
			{"wildcards literal", BounceSearch{Text: "t_naka%"}, 0},
		} {
			got, err := s.SearchBounces(ctx, c.f)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if len(got) != c.want {
				t.Errorf("%s: %d bounces, want %d", c.name, len(got), c.want)
			}
		}
		bs, _ := s.SearchBounces(ctx, BounceSearch{})
		b, m, err := s.BounceDetail(ctx, bs[0].ID)
		if err != nil || b == nil {
			t.Fatalf("detail: %v %v", b, err)
		}
		if string(m.Raw) != string(raw) || !strings.Contains(m.Facts, "tanaka@example.com") {
			t.Errorf("detail: raw %d bytes, facts %.80s", len(m.Raw), m.Facts)
		}
		if b, _, err := s.BounceDetail(ctx, bs[0].ID+100); b != nil || err != nil {
			t.Errorf("missing bounce: %v %v", b, err)
		}
	})
}

// TestIncidentAlerts: the incident page's timeline reads its alerts,
// sent or not.
func TestIncidentAlerts(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		t0 := time.Date(2026, 11, 2, 2, 20, 0, 0, time.UTC)
		in := &Incident{Account: "shop@example.jp", Verdict: "hijacked", Confidence: 0.9, Onset: t0, OpenedAt: t0, UpdatedAt: t0}
		err := s.SaveIncident(ctx, in, ChangeOpened, func(x *Incident) []Alert {
			return []Alert{{IncidentID: x.ID, Event: ChangeOpened, Channel: "webhook:0", Payload: "{}", Key: "a1"},
				{IncidentID: x.ID, Event: ChangeOpened, Channel: "email", Payload: "{}", Key: "a2"}}
		})
		if err != nil {
			t.Fatal(err)
		}
		due, err := s.DueAlerts(ctx, time.Now().Add(time.Hour), 10)
		if err != nil || len(due) != 2 {
			t.Fatalf("due %d %v", len(due), err)
		}
		if err := s.AlertSent(ctx, due[0].ID, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, err := s.IncidentAlerts(ctx, in.ID)
		if err != nil || len(got) != 2 {
			t.Fatalf("alerts %+v %v", got, err)
		}
		sent := 0
		for _, a := range got {
			if !a.Sent.IsZero() {
				sent++
				if !a.Sent.Equal(t0.Add(time.Minute)) {
					t.Errorf("sent at %s", a.Sent)
				}
			}
		}
		if sent != 1 {
			t.Errorf("%d sent, want 1: %+v", sent, got)
		}
	})
}
