package advice

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/reason"
)

// TestPlanAfterCampaign: the ordinary plan after a campaign starts by
// cleaning the list, with the campaign's figures and the command that
// gives the suppression list, in both languages; without a sent count it
// names no rate.
func TestPlanAfterCampaign(t *testing.T) {
	start := time.Date(2026, 11, 2, 10, 5, 0, 0, time.FixedZone("JST", 9*3600))
	for _, tc := range []struct {
		name  string
		lang  Lang
		c     CampaignContext
		wants []string
		not   []string
	}{
		{"en", English, CampaignContext{Start: start, Subject: "November news", Sent: 5200, Bounced: 312, HardBounces: 280},
			[]string{"2026-11-02 10:05", "«November news»", "6.0% bounces (312 of 5,200 messages)", "280 of them are hard bounces", "select(.kind == \"bounce\" and .hard_bounce)", "not a hijack"}, nil},
		{"ja", Japanese, CampaignContext{Start: start, Subject: "11月のお知らせ", Sent: 5200, Bounced: 312, HardBounces: 280},
			[]string{"2026-11-02 10:05", "「11月のお知らせ」", "5,200 通のうち 312 件（6.0%）", "280 件", "bouncewatch decode --json", "乗っ取りではない"}, nil},
		{"en without a log", English, CampaignContext{Start: start, Subject: "November news", Bounced: 312, HardBounces: 280},
			[]string{"brought 312 bounces", "--sendlog"}, []string{"0.0%", "of 0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			steps := Plan(Ordinary, tc.lang, PlanContext{Account: "shop@example.jp", TopReasons: []reason.Reason{reason.UserUnknown}, Campaign: &c})
			if len(steps) < 2 || steps[0].ID != "clean-list-after-campaign" || steps[1].ID != "reason-userunknown" {
				t.Fatalf("plan %+v", steps)
			}
			text := steps[0].Title + "\n" + steps[0].Why + "\n" + steps[0].How
			for _, w := range tc.wants {
				if !strings.Contains(text, w) {
					t.Errorf("step lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(steps[0].Why, w) {
					t.Errorf("step has %q:\n%s", w, text)
				}
			}
			if strings.Contains(text, "{c") {
				t.Errorf("a placeholder is left:\n%s", text)
			}
		})
	}
	if steps := Plan(Ordinary, English, PlanContext{TopReasons: []reason.Reason{reason.UserUnknown}}); steps[0].ID == "clean-list-after-campaign" {
		t.Error("a plan without a campaign starts with the campaign's step")
	}
	// Beside a hijack or a forgery, the list's cleaning comes last.
	c := &CampaignContext{Start: start, Subject: "November news", Sent: 5200, Bounced: 312, HardBounces: 280}
	for _, v := range []Verdict{Hijacked, Spoofed, Mixed} {
		steps := Plan(v, English, PlanContext{Campaign: c})
		if last := steps[len(steps)-1]; last.ID != "clean-list-after-campaign" || last.Urgent || steps[0].ID == last.ID {
			t.Errorf("%s: plan %v does not end with the list's cleaning", v, steps)
		} else if strings.Contains(last.Why, "not a hijack") || !strings.Contains(last.Why, "312 bounces") {
			t.Errorf("%s: the list's step says %q", v, last.Why)
		}
	}
	if steps := Plan(InsufficientEvidence, English, PlanContext{Campaign: c}); slices.ContainsFunc(steps, func(s Step) bool { return s.ID == "clean-list-after-campaign" }) {
		t.Error("the insufficient-evidence plan cleans a list")
	}
}
