package bounce

import (
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// reExpiryRef is the expression expiryDays used to run, kept here as the
// reference its hand-written matcher must agree with.
var reExpiryRef = regexp.MustCompile(`(?i)(?:for|after|over|than|within)\s+(?:the\s+(?:last|past)\s+)?(\d{1,3}(?:\.\d+)?)\s*(days?|hours?|h\b)`)

func expiryDaysRef(s string) int {
	l := strings.ToLower(s)
	if !strings.Contains(l, "day") && !strings.Contains(l, "hour") {
		return 0
	}
	m := reExpiryRef.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil || v <= 0 {
		return 0
	}
	if strings.HasPrefix(strings.ToLower(m[2]), "h") {
		v /= 24
	}
	return max(int(v+0.5), 1)
}

func TestExpiryDaysMatchesRegexp(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want int
	}{
		{"days", "could not be delivered for 5 days", 5},
		{"hours", "gave up after 120 hours", 5},
		{"h", "retried over 48h, giving up (2 days)", 2},
		{"h word", "retried over 48 hrs", 0},
		{"the last", "delivery attempts failed within the last 3 days", 3},
		{"the past tab", "for the\tpast\n2 Days", 2},
		{"decimal", "than 1.5 day", 2},
		{"zero stops", "for 0 days, then for 5 days", 0},
		{"four digits", "for 1234 days", 0},
		{"no space", "for5 days", 0},
		{"keyword inside word", "therefor 4 days", 4},
		{"second", "Date: Mon, 1 Dec 2026 12:00 +0000\n\nwe tried for 7 days", 7},
		{"nothing", "no unit here for 5 apples", 0},
		{"dot no digit", "for 5. days", 0},
		{"hour short", "after 12 h; the day", 1},
		{"unicode after h", "after 24h日 day", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, ref := expiryDays(c.in), expiryDaysRef(c.in); got != c.want || ref != c.want {
				t.Errorf("expiryDays(%q) = %d, the expression gives %d, want %d", c.in, got, ref, c.want)
			}
		})
	}
	// Random texts made of the pieces the expression looks at.
	pieces := []string{"for", "after", "over", "than", "within", "the", "last", "past", " ", "  ", "\n", "\t",
		"5", "12", "1234", ".", "5.25", "day", "days", "DAYS", "hour", "Hours", "h", "H", "x", "_", "é", "0", "said"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200000 {
		var sb strings.Builder
		for range 1 + rng.IntN(12) {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := sb.String()
		if got, ref := expiryDays(s), expiryDaysRef(s); got != ref {
			t.Fatalf("case %d: expiryDays(%q) = %d, the expression gives %d", i, s, got, ref)
		}
	}
}
