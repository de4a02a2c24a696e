package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/reason"
)

// TestCampaignShown: an account's campaign (issue 11 §2) is shown with its
// figures in the text and HTML reports, in both languages, and its plan
// starts by cleaning the list.
func TestCampaignShown(t *testing.T) {
	start := time.Date(2026, 11, 2, 10, 5, 0, 0, jst)
	c := &diagnose.Campaign{Start: start, Subject: "【山田商店】11月のおすすめ <b>", Sent: 5200, Bounced: 312, BounceRate: 0.06, HardBounces: 280,
		Earlier: []time.Time{start.AddDate(0, 0, -7)}}
	for _, tc := range []struct {
		lang  advice.Lang
		wants []string
	}{
		{advice.English, []string{"Campaign", "2026-11-02 10:05 JST", "5,200 sent, 312 bounced (6.0%), 280 hard", "earlier mailings 2026-10-26 10:05 JST", "Clean your list after the campaign of 2026-11-02 10:05"}},
		{advice.Japanese, []string{"一斉送信", "送信 5,200 通、バウンス 312 件（6.0%）、うちハードバウンス 280 件", "以前の配信：2026-10-26 10:05 JST", "2026-11-02 10:05 の一斉送信のあと、配信リストを整理する"}},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			sr := diagnose.Series{Start: start.Truncate(time.Hour).Add(-48 * time.Hour), Bounced: series(60, 0.1, 150, 48, 50), Sent: series(60, 2, 2600, 48, 50)}
			acc := accountReport("shop@example.jp", advice.Ordinary, tc.lang, []string{"The surge follows a campaign"}, sr, nil)
			acc.Campaign = c
			acc.Plan = advice.Plan(advice.Ordinary, tc.lang, advice.PlanContext{Account: "shop@example.jp", TopReasons: []reason.Reason{reason.UserUnknown},
				Campaign: &advice.CampaignContext{Start: c.Start, Subject: c.Subject, Sent: c.Sent, Bounced: c.Bounced, HardBounces: c.HardBounces}})
			r := baseReport(tc.lang, advice.Ordinary, sr, nil, acc)
			var txt, html bytes.Buffer
			if err := Text(&txt, r); err != nil {
				t.Fatal(err)
			}
			if err := HTML(&html, r); err != nil {
				t.Fatal(err)
			}
			// Wrapped lines are joined again: without any spaces, as
			// Japanese lines are broken anywhere.
			flat := strings.Join(strings.Fields(txt.String()), "")
			for _, w := range tc.wants {
				if !strings.Contains(flat, strings.Join(strings.Fields(w), "")) {
					t.Errorf("text report lacks %q:\n%s", w, txt.String())
				}
				if !strings.Contains(html.String(), w) {
					t.Errorf("HTML report lacks %q", w)
				}
			}
			if strings.Contains(html.String(), "<b>") {
				t.Error("the campaign's subject reached the HTML unescaped")
			}
		})
	}
}
