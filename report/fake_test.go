package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
)

// TestFakeSamples: the text and HTML reports show the fake notices'
// count, each sample's decoded Subject and From, and why it was judged
// fake, in the report's language, with the warning not to follow them;
// control characters in a sample never reach the output.
func TestFakeSamples(t *testing.T) {
	sample := diagnose.FakeBounce{Source: "cur/1.eml", Subject: "【重要】受信保留のお知らせ\x1b[2J", From: "メール管理者 <notice@mailcenter.example>",
		Reasons:   []string{"Its link to mailcenter.example carries our address shop@example.jp, to fill in a login form"},
		ReasonsJa: []string{"リンク（mailcenter.example）に当方のアドレス shop@example.jp が埋め込まれています", "HTML だけの通知です"}}
	cases := []struct {
		name string
		lang advice.Lang
		want []string
		not  []string
	}{
		{"english", advice.English, []string{"Fake notices (phishing posing as bounces or as a carrier's or provider's notice)",
			"3 messages posing as bounces", "Do not follow their links", "【重要】受信保留のお知らせ", "メール管理者", "carries our address shop@example.jp"},
			[]string{"当方のアドレス shop@example.jp"}},
		{"japanese", advice.Japanese, []string{"偽の通知", "3 件は、根拠から除外しました", "パスワードを入力しないでください", "【重要】受信保留のお知らせ",
			"当方のアドレス shop@example.jp が埋め込まれています。HTML だけの通知です。"}, []string{"carries our address", "; HTML"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := baseReport(tc.lang, advice.Ordinary, diagnose.Series{Start: start(), Bounced: series(24, 1, 1, 0, 0)}, nil)
			r.FakeBounces, r.FakeSamples = 3, []diagnose.FakeBounce{sample}
			for _, format := range []string{"text", "html"} {
				var b bytes.Buffer
				var err error
				if format == "text" {
					err = Text(&b, r)
				} else {
					err = HTML(&b, r)
				}
				if err != nil {
					t.Fatal(err)
				}
				out := b.String()
				if format == "html" {
					out = strings.ReplaceAll(out, "&#39;", "'")
				}
				flat := strings.Join(strings.Fields(out), "") // the text report wraps lines
				for _, w := range tc.want {
					if !strings.Contains(flat, strings.Join(strings.Fields(w), "")) {
						t.Errorf("%s: %q missing", format, w)
					}
				}
				for _, w := range append(tc.not, "\x1b") {
					if strings.Contains(out, w) {
						t.Errorf("%s: %q present", format, w)
					}
				}
			}
		})
	}
}
