package alert

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/dnsbl"
	"github.com/bouncewatch/bouncewatch/store"
)

// TestBlocklisted: a new listing is rendered in the renderer's language
// (title, the listing, its delisting page, the incident link) and queued
// once per channel under a key of incident, zone and listed item.
func TestBlocklisted(t *testing.T) {
	in := &store.Incident{ID: 7, Account: "shop@example.jp", Verdict: "hijacked", Confidence: 0.9,
		Onset: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	l := dnsbl.Result{Target: "203.0.113.25", Zone: "zen.spamhaus.org", Listed: true, Codes: []string{"127.0.0.4"},
		Reason: "Listed by XBL", Delist: "https://check.spamhaus.org/"}
	tests := []struct {
		lang  advice.Lang
		title string
		lines []string
	}{
		{advice.English, "[bouncewatch] 203.0.113.25 is listed on zen.spamhaus.org — request delisting after the password is changed",
			[]string{"Incident: shop@example.jp (account hijacked)", "• zen.spamhaus.org: 203.0.113.25 (127.0.0.4)",
				"  Reason: Listed by XBL", "  Delisting page: https://check.spamhaus.org/"}},
		{advice.Japanese, "[bouncewatch] 203.0.113.25 が zen.spamhaus.org に掲載されています — パスワード変更後に掲載削除を申請してください",
			[]string{"インシデント: shop@example.jp（アカウント乗っ取り）", "• zen.spamhaus.org: 203.0.113.25（127.0.0.4）",
				"  理由: Listed by XBL", "  掲載削除の申請: https://check.spamhaus.org/"}},
	}
	for _, tc := range tests {
		t.Run(string(tc.lang), func(t *testing.T) {
			r := &Renderer{Webhooks: []Webhook{{URL: "http://a", Format: Slack}, {URL: "http://b"}}, Email: &Email{To: []string{"ops@example.jp"}},
				Lang: tc.lang, Dashboard: "http://bw.example.jp/"}
			txt := r.BlocklistText(in, l)
			if txt.Title != tc.title {
				t.Errorf("title %q, want %q", txt.Title, tc.title)
			}
			joined := strings.Join(txt.Lines, "\n")
			for _, want := range tc.lines {
				if !strings.Contains(joined, want) {
					t.Errorf("lines lack %q:\n%s", want, joined)
				}
			}
			if txt.URL != "http://bw.example.jp/incidents/7" {
				t.Errorf("url %q", txt.URL)
			}
			fresh := []dnsbl.Result{l, {Target: "example.jp", Zone: "dbl.test", Listed: true}, {Target: "203.0.113.26", Zone: "zen.spamhaus.org"}}
			as := r.Blocklisted(in, fresh)
			if len(as) != 6 { // 2 listings × (2 webhooks + email); the unlisted one is not told
				t.Fatalf("%d alerts: %+v", len(as), as)
			}
			keys := map[string]bool{}
			for _, a := range as {
				if a.Event != EventBlocklisted || a.IncidentID != 7 || keys[a.Key] {
					t.Errorf("alert %+v", a)
				}
				keys[a.Key] = true
			}
			if !keys["incident:7/blocklisted/zen.spamhaus.org/203.0.113.25/email"] || !keys["incident:7/blocklisted/dbl.test/example.jp/webhook:1"] {
				t.Errorf("keys %v", keys)
			}
			var mail Text
			if err := json.Unmarshal([]byte(as[2].Payload), &mail); err != nil || mail.Title != tc.title {
				t.Errorf("email payload %s: %v", as[2].Payload, err)
			}
			if !strings.Contains(as[0].Payload, `"text":"`+tc.title) {
				t.Errorf("slack payload %s", as[0].Payload)
			}
			if len(r.Blocklisted(in, nil)) != 0 {
				t.Error("alerts with no new listing")
			}
		})
	}
}
