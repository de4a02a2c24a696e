package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
)

// TestNothingToJudge: a report made of no bounce says, in text and HTML
// and in its language, that there is nothing to judge, what was read and
// what to collect; one with bounces has no such section.
func TestNothingToJudge(t *testing.T) {
	nothing := func(l advice.Lang) *diagnose.Report {
		return &diagnose.Report{GeneratedAt: time.Date(2026, 11, 4, 9, 30, 0, 0, time.UTC), Lang: l,
			Overall: advice.InsufficientEvidence, Verdicts: []diagnose.AccountReport{},
			Inputs: diagnose.Inputs{Messages: 3, NotBounces: 2, Failed: 1}}
	}
	some := nothing(advice.English)
	some.Inputs.Bounces = 1
	tests := []struct {
		name   string
		r      *diagnose.Report
		want   []string
		absent bool
	}{
		{"English", nothing(advice.English), []string{"Nothing to judge", "3 messages, 2 not bounces, 1 unreadable", "The bounces:", "send log", "Then:"}, false},
		{"Japanese", nothing(advice.Japanese), []string{"判定できるものがありません", "メッセージ 3 件、バウンス以外 2 件、読めないもの 1 件", "次のものを集めてください", "そのうえで:"}, false},
		{"a bounce read", some, []string{"Nothing to judge"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var h bytes.Buffer
			if err := HTML(&h, tc.r); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(h.String(), `id="nothing-to-judge"`); got == tc.absent {
				t.Errorf("HTML section present: %v", got)
			}
			for _, w := range tc.want {
				if strings.Contains(h.String(), w) == tc.absent {
					t.Errorf("HTML: %q present: %v", w, !tc.absent)
				}
			}
			if tc.absent {
				return
			}
			var txt bytes.Buffer
			if err := NothingText(&txt, tc.r, "mail/"); err != nil {
				t.Fatal(err)
			}
			for _, w := range append(tc.want, "mail/: ", advice.CollectCommand) {
				if !strings.Contains(txt.String(), w) {
					t.Errorf("text lacks %q:\n%s", w, txt.String())
				}
			}
			for _, line := range strings.Split(txt.String(), "\n") {
				if textWidth(line) > textColumns && !strings.Contains(line, advice.CollectCommand) {
					t.Errorf("line wider than %d columns: %q", textColumns, line)
				}
			}
		})
	}
}
