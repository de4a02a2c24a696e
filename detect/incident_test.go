package detect

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/store"
)

// TestIncidentLifecycle drives the incident rules with reports in turn: a
// spoof opens an incident, a hijack of the same account makes it mixed,
// a small change of confidence is no change, the end of the surge closes
// it, and a closed incident is not opened again for the same surge.
func TestIncidentLifecycle(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "bw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var events []string
	d := New(st, Config{CloseAfter: time.Hour,
		Alerts: func(in *store.Incident, change string, _ *diagnose.AccountReport) []store.Alert {
			return []store.Alert{{Event: change, Channel: "test", Payload: in.Verdict}}
		},
		OnChange: func(in *store.Incident, change string) { events = append(events, change+":"+in.Verdict) }})
	onset := time.Date(2026, 11, 2, 2, 14, 0, 0, time.UTC)
	surge := &diagnose.SurgeSummary{Onset: onset, End: onset.Add(2 * time.Hour)}
	rep := func(v advice.Verdict, conf float64, s *diagnose.SurgeSummary) *diagnose.Report {
		return &diagnose.Report{Verdicts: []diagnose.AccountReport{{Account: "shop@example.jp", Verdict: v, Confidence: conf, Surge: s,
			Evidence: []string{string(v)}}}}
	}
	steps := []struct {
		name string
		rep  *diagnose.Report
		now  time.Time
		want []string // events after this step
	}{
		{"spoof opens", rep(advice.Spoofed, 0.8, surge), onset.Add(10 * time.Minute), []string{"opened:spoofed"}},
		{"same again: nothing", rep(advice.Spoofed, 0.82, surge), onset.Add(20 * time.Minute), []string{"opened:spoofed"}},
		{"hijack too: mixed", rep(advice.Hijacked, 0.9, surge), onset.Add(30 * time.Minute), []string{"opened:spoofed", "updated:mixed"}},
		{"confidence rises: updated, still mixed", rep(advice.Hijacked, 0.99, surge), onset.Add(40 * time.Minute),
			[]string{"opened:spoofed", "updated:mixed", "updated:mixed"}},
		{"surge over: closed", rep(advice.Hijacked, 0.95, surge), surge.End.Add(61 * time.Minute),
			[]string{"opened:spoofed", "updated:mixed", "updated:mixed", "closed:mixed"}},
		{"not reopened for the same surge", rep(advice.Hijacked, 0.95, &diagnose.SurgeSummary{Onset: onset, End: surge.End.Add(2 * time.Hour)}),
			surge.End.Add(90 * time.Minute), []string{"opened:spoofed", "updated:mixed", "updated:mixed", "closed:mixed"}},
	}
	for _, s := range steps {
		if err := d.incidents(ctx, s.rep, s.now); err != nil {
			t.Fatal(err)
		}
		if len(events) != len(s.want) {
			t.Fatalf("%s: events %v, want %v", s.name, events, s.want)
		}
		for i := range events {
			if events[i] != s.want[i] {
				t.Fatalf("%s: events %v, want %v", s.name, events, s.want)
			}
		}
	}
	incs, _ := st.Incidents(ctx, store.IncidentFilter{})
	if len(incs) != 1 || incs[0].Open() || !incs[0].Onset.Equal(onset) {
		t.Fatalf("incidents %+v", incs)
	}
	h, _ := st.History(ctx, incs[0].ID)
	if len(h) != 4 {
		t.Errorf("history of %d changes, want 4", len(h))
	}
	// Alerts: opened, the verdict change, closed — not the confidence step.
	due, _ := st.DueAlerts(ctx, time.Now().Add(time.Hour), 10)
	if len(due) != 3 {
		t.Errorf("%d alerts queued, want 3", len(due))
	}
}
