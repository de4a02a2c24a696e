package diagnose

import (
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/bounce"
)

// TestPlaceBounce: a bounce is placed at the Received field our server
// added on top, else at the mailbox's arrival, else at its own date if
// plausible; claimed dates far from the arrival are flagged, never used.
func TestPlaceBounce(t *testing.T) {
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	arrival := time.Date(2026, 11, 2, 3, 0, 0, 0, time.UTC)
	hop := "from mx.remote.example (mx.remote.example [192.0.2.9]) by mail.example.jp (Postfix) with ESMTPS id 4XyZ; Mon, 2 Nov 2026 11:30:00 +0900 (JST)"
	hopAt := time.Date(2026, 11, 2, 2, 30, 0, 0, time.UTC)
	ours := func(h string) bool { return strings.HasSuffix(h, "example.jp") }
	res := func(fields ...string) *bounce.Result {
		r := &bounce.Result{Kind: bounce.KindBounce}
		for i := 0; i+1 < len(fields); i += 2 {
			r.Headers = append(r.Headers, bounce.Field{Name: fields[i], Value: fields[i+1]})
		}
		return r
	}
	tests := []struct {
		name        string
		res         *bounce.Result
		arrival     time.Time
		want        time.Time
		source      TimeSource
		byUs        bool
		implausible bool
	}{
		{"our hop wins over a date of 2037", res("Return-Path", "<>", "Received", hop, "Date", "Thu, 31 Dec 2037 10:00:00 +0000"), arrival, hopAt, TimeReceived, true, true},
		{"our hop, a plausible date", res("Received", hop, "Date", "Mon, 2 Nov 2026 11:29:00 +0900"), arrival, hopAt, TimeReceived, true, false},
		{"a foreign top hop is still the receiving side's", res("Received", "from a by mx.provider.example with SMTP id 1; Mon, 2 Nov 2026 02:31:00 +0000"), time.Time{}, hopAt.Add(time.Minute), TimeReceived, false, false},
		{"Delivery-date above the hops (Exim)", res("Delivery-date", "Mon, 02 Nov 2026 11:45:00 +0900", "Received", hop), time.Time{}, hopAt.Add(15 * time.Minute), TimeReceived, true, false},
		{"a hop dated 9999 falls to the arrival", res("Received", "from x by mx.provider.example; Fri, 31 Dec 9999 23:59:59 +0000", "Date", "Fri, 31 Dec 9999 23:59:59 +0000"), arrival, arrival, TimeArrival, false, true},
		{"below a foreign hop without a date nothing is trusted", res("Received", "from x by mx.provider.example", "Received", hop, "Date", "Mon, 2 Nov 2026 11:29:00 +0900"), time.Time{}, hopAt.Add(-time.Minute), TimeClaimed, false, false},
		{"below an LMTP hop without a date, ours", res("Received", "from mail.example.jp by box.example.jp (Dovecot) with LMTP id 9", "Received", hop), time.Time{}, hopAt, TimeReceived, true, false},
		{"no hop: the arrival; 1970 is ignored", res("Date", "Thu, 1 Jan 1970 00:00:00 +0000"), arrival, arrival, TimeArrival, false, true},
		{"no hop, no arrival: a plausible claim", res("Date", "Mon, 2 Nov 2026 10:00:00 +0900"), time.Time{}, time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC), TimeClaimed, false, false},
		{"no hop, no arrival: year 1", res("Date", "Mon, 1 Jan 0001 00:00:00 +0000"), time.Time{}, time.Time{}, TimeNone, false, true},
		{"no hop, no arrival: 2037", res("Date", "Thu, 31 Dec 2037 10:00:00 -2359"), time.Time{}, time.Time{}, TimeNone, false, true},
		{"an arrival in the future is no arrival", res(), now.Add(72 * time.Hour), time.Time{}, TimeNone, false, false},
		{"a DSN reporting mail that waited days", res("Received", hop, "Date", "Fri, 30 Oct 2026 09:00:00 +0900"), time.Time{}, hopAt, TimeReceived, true, false},
		{"nothing at all", res(), time.Time{}, time.Time{}, TimeNone, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := placeBounce(tc.res, tc.arrival, now, ours)
			if !p.At.Equal(tc.want) || p.Source != tc.source || p.ByUs != tc.byUs || p.Implausible != tc.implausible {
				t.Fatalf("placed at %v by %q (ours %v, implausible %v); want %v by %q (ours %v, implausible %v)",
					p.At, p.Source, p.ByUs, p.Implausible, tc.want, tc.source, tc.byUs, tc.implausible)
			}
		})
	}
	if p := placeBounce(nil, arrival, now, nil); p.Source != TimeNone {
		t.Fatalf("nil result placed: %+v", p)
	}
}

// TestInferLogOffset: the log's clock error is the difference most pairs
// agree on, rounded to 15 minutes, when at least 3 and 80% of them do.
func TestInferLogOffset(t *testing.T) {
	base := time.Date(2026, 11, 2, 2, 14, 7, 0, time.UTC)
	pairs := func(delta time.Duration, n int, jitter time.Duration) []timePair {
		var out []timePair
		for i := range n {
			tr := base.Add(time.Duration(i) * time.Minute)
			j := time.Duration(i%3-1) * jitter
			out = append(out, timePair{log: tr.Add(delta + j), trace: tr})
		}
		return out
	}
	tests := []struct {
		name  string
		pairs []timePair
		want  time.Duration
		n     int
		ok    bool
	}{
		{"read in UTC, written in +09:00", pairs(9*time.Hour, 50, 40*time.Second), 9 * time.Hour, 50, true},
		{"read in New York, written in +09:00", pairs(14*time.Hour, 50, 0), 14 * time.Hour, 50, true},
		{"right zone", pairs(0, 20, 50*time.Second), 0, 20, true},
		{"India (+05:30) read in UTC", pairs(5*time.Hour+30*time.Minute, 10, 0), 5*time.Hour + 30*time.Minute, 10, true},
		{"a west zone read in Tokyo", pairs(-14*time.Hour, 10, 0), -14 * time.Hour, 10, true},
		{"a year ahead (wrong year guess) and in UTC", pairs(365*24*time.Hour+9*time.Hour, 10, 30*time.Second), 365*24*time.Hour + 9*time.Hour, 10, true},
		{"too few", pairs(9*time.Hour, 2, 0), 0, 2, false},
		{"none", nil, 0, 0, false},
		{"no agreement", append(pairs(9*time.Hour, 5, 0), pairs(3*time.Hour, 5, 0)...), 0, 5, false},
		{"a few strays", append(pairs(9*time.Hour, 45, 0), pairs(-2*time.Hour, 5, 0)...), 9 * time.Hour, 45, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			off, n, ok := inferLogOffset(tc.pairs)
			if off != tc.want || n != tc.n || ok != tc.ok {
				t.Fatalf("offset %v from %d, ok %v; want %v from %d, ok %v", off, n, ok, tc.want, tc.n, tc.ok)
			}
		})
	}
}

func TestUTCOffset(t *testing.T) {
	for d, want := range map[time.Duration]string{
		9 * time.Hour: "+09:00", -5 * time.Hour: "-05:00", 5*time.Hour + 45*time.Minute: "+05:45", 0: "+00:00", -(9*time.Hour + 30*time.Minute): "-09:30",
	} {
		if got := utcOffset(d); got != want {
			t.Errorf("utcOffset(%v) = %q, want %q", d, got, want)
		}
	}
}

// inferLogOffset is the inference over a list of pairs.
func inferLogOffset(pairs []timePair) (offset time.Duration, n int, ok bool) {
	var z zoneVotes
	for _, p := range pairs {
		z.add(p)
	}
	return z.infer()
}
