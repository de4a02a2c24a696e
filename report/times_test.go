package report

import (
	"bytes"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
)

// TestOnsetAndLogZone: the onset is shown to the minute (05:40, not
// 05:00), the send log's clock is said, and a zone that contradicts it is
// warned about, in text and HTML, in both languages.
func TestOnsetAndLogZone(t *testing.T) {
	sr := diagnose.Series{Start: start(), Bounced: series(72, 1, 300, 53, 56), Sent: series(72, 20, 1200, 52, 56)}
	sg := surgeAt(53, 56, 300, 1)
	sg.OnsetHour, sg.Onset, sg.OnsetPrecision = sg.Onset, sg.Onset.Add(40*time.Minute), "minute"
	for _, tc := range []struct {
		lang          advice.Lang
		zone          *diagnose.LogZone
		onset, clock  string
		warn, ignored string
	}{
		{advice.English, &diagnose.LogZone{ReadAs: "+09:00", ShiftSeconds: -32400, Matched: 412}, "05:40",
			"read as UTC+09:00, inferred from 412 messages", "does not match the send log", "2 bounces' own dates ignored"},
		{advice.Japanese, &diagnose.LogZone{ReadAs: "+09:00", ShiftSeconds: -32400, Matched: 412}, "05:40",
			"UTC+09:00 として読みました", "送信ログの時刻と合いません", "バウンス自身の日付を無視 2 件"},
		{advice.English, &diagnose.LogZone{ReadAs: "+09:00", Matched: 1492}, "05:40", "agree with the bounces", "", ""},
		{advice.English, nil, "05:40", "", "", ""},
	} {
		rep := baseReport(tc.lang, advice.Hijacked, sr, sg, accountReport("shop@example.jp", advice.Hijacked, tc.lang, nil, sr, sg))
		rep.TimeZone, rep.LogZone = "UTC", tc.zone
		if tc.ignored != "" {
			rep.Inputs.Times = diagnose.TimeStats{ClaimedImplausible: 2, Samples: []string{"m1: claimed date 2037-12-31 10:00 UTC ignored"}}
		}
		var text, page bytes.Buffer
		if err := Text(&text, rep); err != nil {
			t.Fatal(err)
		}
		if err := HTML(&page, rep); err != nil {
			t.Fatal(err)
		}
		for name, out := range map[string]string{"text": squash(text.String()), "html": squash(html.UnescapeString(page.String()))} {
			for _, want := range []string{tc.onset, tc.clock, tc.warn, tc.ignored} {
				if want != "" && !strings.Contains(out, squash(want)) {
					t.Errorf("%s %s (zone %+v): %q missing", tc.lang, name, tc.zone, want)
				}
			}
			if tc.zone == nil && strings.Contains(out, squash("send log's times")) {
				t.Errorf("%s: a clock line without a LogZone", name)
			}
			if tc.warn == "" && (strings.Contains(out, "doesnotmatch") || strings.Contains(out, "合いません")) {
				t.Errorf("%s: a warning with the zone confirmed", name)
			}
		}
	}
}
