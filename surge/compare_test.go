package surge

import (
	"testing"
	"time"
)

func TestCompare(t *testing.T) {
	tokyo := mustLoad(t, "Asia/Tokyo")
	start := time.Date(2025, 3, 3, 0, 0, 0, 0, tokyo)
	hours := 14*24 + 30
	onset := 14 * 24
	office := func(t time.Time) float64 { return officeRate(t, 30) }
	bounced := add(1, noise(1, start, hours, 0, constant(2)), onset, 20, 250)
	sentNormal := noise(2, start, hours, 0, office)
	sentHijack := add(3, sentNormal, onset-1, 21, 900)
	// Sent counts from a log in UTC, one hour shorter at the start: the
	// window is matched in absolute time.
	sentUTC := Series{Start: sentHijack.Start.Add(time.Hour).UTC(), Counts: sentHijack.Counts[1:]}

	tests := []struct {
		name string
		sent Series
		jump bool
	}{
		{"hijack: sent jumps with the bounces", sentHijack, true},
		{"spoof: bounces rise, sent stays normal", sentNormal, false},
		{"hijack, sent log in UTC", sentUTC, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Compare(tc.sent, bounced, Options{})
			if !c.Bounced.Detected {
				t.Fatal("bounce surge not detected")
			}
			w := c.Window
			if w.Method != MethodBaseline || w.Hours != 22 {
				t.Fatalf("window method %q over %d hours, want baseline over 22 (bounces %v–%v)", w.Method, w.Hours, c.Bounced.Onset, c.Bounced.End)
			}
			if c.SentJumped() != tc.jump {
				t.Fatalf("jump %v (ratio %.2f, p %g), want %v", c.SentJumped(), w.Ratio, w.PValue, tc.jump)
			}
			if tc.jump && (w.Ratio < 5 || !c.Sent.Detected) {
				t.Fatalf("ratio %.2f, sent surge %v", w.Ratio, c.Sent.Detected)
			}
			if !tc.jump && (w.Ratio > 1.3 || w.Ratio < 0.7) {
				t.Fatalf("normal sending has ratio %.2f", w.Ratio)
			}
		})
	}
}

func TestCheckWindowEdges(t *testing.T) {
	start := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	s := noise(1, start, 200, 0, constant(4))
	if w := CheckWindow(s, start.Add(-48*time.Hour), start.Add(-24*time.Hour), Options{}); w.Method != MethodNone || w.Jump {
		t.Fatalf("window before the series: %+v", w)
	}
	if w := CheckWindow(Series{}, start, start.Add(time.Hour), Options{}); w.Method != MethodNone {
		t.Fatalf("empty series: %+v", w)
	}
	// Too little history outside the window: the absolute threshold.
	short := add(2, noise(2, start, 40, 0, constant(4)), 30, 5, 100)
	w := CheckWindow(short, short.Hour(30), short.Hour(35), Options{})
	if w.Method != MethodAbsolute || !w.Jump || w.PValue != -1 {
		t.Fatalf("short history: %+v", w)
	}
	// No bounce surge: nothing to compare.
	c := Compare(s, s, Options{})
	if c.Bounced.Detected || c.Window.Method != MethodNone || c.SentJumped() {
		t.Fatalf("no surge: %+v", c.Window)
	}
}
