package diagnose

import (
	"testing"
	"time"
)

// TestSentMinutesBounded: an account's sent mail is kept per minute over
// the most recent day only, so that a busy account's memory stays
// bounded; minutes before that are refused (no onset from a series cut
// short), and those kept are counted exactly, times shifted.
func TestSentMinutesBounded(t *testing.T) {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var a logAcct
	const days = 3
	for m := range days * 24 * 60 {
		a.addSent(start.Add(time.Duration(m)*time.Minute+30*time.Second), 1, true)
	}
	a.addSent(start.Add(10*time.Minute), 50, false) // a CSV count per hour: not per minute
	if n := len(a.more.sentMin.n); n > recentSpan+recentSpan/4+1 {
		t.Fatalf("%d minutes kept, want at most %d", n, recentSpan+recentSpan/4+1)
	}
	end := start.Add(days * 24 * time.Hour)
	tests := []struct {
		name     string
		from, to time.Time
		shift    time.Duration
		ok       bool
		want     float64 // sent in [from, to)
	}{
		{"the last hours", end.Add(-4 * time.Hour), end, 0, true, 240},
		{"shifted an hour", end.Add(-3 * time.Hour), end.Add(time.Hour), time.Hour, true, 240},
		{"the first day, dropped", start, start.Add(4 * time.Hour), 0, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, ok := a.sentMinutes(tc.from, tc.to, tc.shift)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			s := 0.0
			for _, v := range m.Counts {
				s += v
			}
			if s != tc.want {
				t.Errorf("sent %v in [%v, %v), want %v", s, tc.from, tc.to, tc.want)
			}
		})
	}
	// Late lines older than the span kept are not taken.
	n := len(a.more.sentMin.n)
	a.addSent(start, 1, true)
	if len(a.more.sentMin.n) != n {
		t.Errorf("a minute before the span kept was added")
	}
}

// TestLeadBySent: a ramp of spam from an account whose bounces come back
// 10 to 40 minutes after it: the onset found in the bounces moves to the
// minute the account's sent mail stepped up, and says so ("sent"); a
// spoofed flood (nothing more sent) keeps the bounces' onset.
func TestLeadBySent(t *testing.T) {
	first := time.Date(2026, 11, 2, 4, 22, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		spam bool
		want time.Time
		from string
	}{
		{"hijacked: from the sent mail", true, first, "sent"},
		{"spoofed: from the bounces", false, first.Add(25 * time.Minute), "bounces"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a logAcct
			// The owner's own mail: one every 40 minutes over the day before.
			for m := 0; m < 24*60; m += 40 {
				a.addSent(first.Add(-24*time.Hour+time.Duration(m)*time.Minute), 1, true)
			}
			if tc.spam {
				// 20, then 60 an hour.
				for m := 0; m < 60; m += 3 {
					a.addSent(first.Add(time.Duration(m)*time.Minute), 1, true)
				}
				for m := 60; m < 120; m++ {
					a.addSent(first.Add(time.Duration(m)*time.Minute), 1, true)
				}
			}
			j := &judge{acc: &account{log: &a}, r: &reportCtx{}}
			s := &SurgeSummary{Onset: first.Add(25 * time.Minute), OnsetPrecision: "minute", OnsetFrom: "bounces"}
			j.leadBySent(s)
			if !s.Onset.Equal(tc.want) || s.OnsetFrom != tc.from {
				t.Errorf("onset %v from %s, want %v from %s", s.Onset, s.OnsetFrom, tc.want, tc.from)
			}
		})
	}
}
