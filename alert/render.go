// Package alert tells people about incidents: a webhook (generic JSON,
// Slack- or Teams-compatible payloads) and email through an SMTP relay,
// on incident open, change and close. Alerts are rendered when the
// incident changes and queued in the store's outbox in the same
// transaction (deduplicated by key), and a Dispatcher sends them, rate
// limited per channel and retried with backoff: a restart loses none.
package alert

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/dnsbl"
	"github.com/bouncewatch/bouncewatch/store"
)

// Format is a webhook's payload shape.
type Format string

// Formats.
const (
	Generic Format = "generic" // {"event", "incident", "title", "text", "url"}
	Slack   Format = "slack"   // incoming webhook: {"text", "blocks"}
	Teams   Format = "teams"   // Office 365 connector MessageCard
)

// ParseFormat checks a format name ("" is Generic).
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case "", Generic:
		return Generic, nil
	case Slack, Teams:
		return Format(s), nil
	}
	return "", fmt.Errorf("alert: unknown webhook format %q: generic, slack or teams", s)
}

// Webhook is one webhook target. The URL often holds a secret (Slack's
// and Teams' do): it comes from a file or the environment and is never
// logged.
type Webhook struct {
	URL    string
	Format Format
	// Secret, when set, signs each body: X-Bouncewatch-Signature:
	// sha256=HEX (HMAC-SHA256 of the body).
	Secret string
}

// Email is the SMTP relay alerts are sent through.
type Email struct {
	Relay    string // host:port
	Username string // empty: no authentication
	Password string
	From     string
	To       []string
	// TLS: "starttls" (default: required when the relay is not on
	// loopback), "tls" (implicit, port 465), "none" (loopback relays).
	TLS string
}

// Text is what an alert says, rendered in one language.
type Text struct {
	Title string   `json:"title"`
	Lines []string `json:"lines"`
	URL   string   `json:"url,omitempty"`
}

// Renderer makes the outbox entries of an incident change.
type Renderer struct {
	Webhooks  []Webhook
	Email     *Email
	Lang      advice.Lang
	Dashboard string // base URL of the dashboard; the incident's link is added
	// Ticked gives the plan steps ticked off on the dashboard (who, when),
	// for the alert that closes an incident; nil: none are shown.
	Ticked func(in *store.Incident) []string
}

var verdictJa = map[string]string{
	"hijacked": "アカウント乗っ取り", "spoofed": "なりすまし（バックスキャッター）", "mixed": "乗っ取りとなりすましの両方",
	"ordinary": "通常のバウンス", "insufficient_evidence": "判定材料不足",
}

var verdictEn = map[string]string{
	"hijacked": "account hijacked", "spoofed": "address spoofed (backscatter)", "mixed": "hijacked and spoofed",
	"ordinary": "ordinary bounces", "insufficient_evidence": "insufficient evidence",
}

// Render writes the text of an incident change.
func (r *Renderer) Render(in *store.Incident, change string, rep *diagnose.AccountReport) Text {
	ja := r.Lang == advice.Japanese
	var t Text
	loc := time.UTC
	onset := in.Onset.In(loc).Format("2006-01-02 15:04 MST")
	if ja {
		what := map[string]string{store.ChangeOpened: "インシデント発生", store.ChangeUpdated: "判定が変わりました", store.ChangeClosed: "収束しました"}[change]
		t.Title = fmt.Sprintf("[bouncewatch] %s: %s（確信度 %.0f%%）— %s", in.Account, verdictJa[in.Verdict], 100*in.Confidence, what)
		t.Lines = append(t.Lines, "バウンスの急増の開始: "+onset)
	} else {
		what := map[string]string{store.ChangeOpened: "incident opened", store.ChangeUpdated: "verdict changed", store.ChangeClosed: "incident closed"}[change]
		t.Title = fmt.Sprintf("[bouncewatch] %s: %s (confidence %.0f%%) — %s", in.Account, verdictEn[in.Verdict], 100*in.Confidence, what)
		t.Lines = append(t.Lines, "Bounce surge since "+onset)
	}
	for i, e := range in.Evidence {
		if i == 3 {
			break
		}
		t.Lines = append(t.Lines, "• "+e)
	}
	if change != store.ChangeClosed && rep != nil {
		steps := rep.Plan
		if len(steps) == 0 {
			steps = advice.Plan(advice.Verdict(in.Verdict), r.Lang, advice.PlanContext{Account: in.Account})
		}
		if len(steps) > 0 {
			if ja {
				t.Lines = append(t.Lines, "最初にすること:")
			} else {
				t.Lines = append(t.Lines, "First steps:")
			}
			for i, s := range steps {
				if i == 3 {
					break
				}
				t.Lines = append(t.Lines, fmt.Sprintf("%d. %s", i+1, s.Title))
			}
		}
	}
	if change == store.ChangeClosed && r.Ticked != nil {
		if done := r.Ticked(in); len(done) > 0 {
			if ja {
				t.Lines = append(t.Lines, "完了した対応:")
			} else {
				t.Lines = append(t.Lines, "Steps done:")
			}
			for _, d := range done {
				t.Lines = append(t.Lines, "✓ "+d)
			}
		}
	}
	if r.Dashboard != "" {
		t.URL = strings.TrimRight(r.Dashboard, "/") + fmt.Sprintf("/incidents/%d", in.ID)
	}
	return t
}

// Alerts renders the outbox entries of an incident change: one per
// webhook and one for email. The key makes the same change queued once.
func (r *Renderer) Alerts(in *store.Incident, change string, rep *diagnose.AccountReport) []store.Alert {
	t := r.Render(in, change, rep)
	key := fmt.Sprintf("%s/%s/%s/%s", in.Account, in.Onset.UTC().Format(time.RFC3339), change, in.Verdict)
	var out []store.Alert
	for i, w := range r.Webhooks {
		out = append(out, store.Alert{Key: key + fmt.Sprintf("/webhook:%d", i), Event: change, Channel: fmt.Sprintf("webhook:%d", i),
			Payload: string(webhookBody(w.Format, in, change, t))})
	}
	if r.Email != nil {
		b, _ := json.Marshal(t)
		out = append(out, store.Alert{Key: key + "/email", Event: change, Channel: "email", Payload: string(b)})
	}
	return out
}

// For returns Alerts as the callback store.SaveIncident takes.
func (r *Renderer) For(change string, rep *diagnose.AccountReport) func(*store.Incident) []store.Alert {
	return func(in *store.Incident) []store.Alert { return r.Alerts(in, change, rep) }
}

// webhookBody is the JSON a webhook of format f receives.
func webhookBody(f Format, in *store.Incident, change string, t Text) []byte {
	body := strings.Join(t.Lines, "\n")
	if t.URL != "" {
		body += "\n" + t.URL
	}
	var v any
	switch f {
	case Slack:
		v = map[string]any{
			"text": t.Title,
			"blocks": []any{
				map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": trim(t.Title, 150)}},
				map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": trim(body, 3000)}},
			},
		}
	case Teams:
		color := "D70000"
		if change == store.ChangeClosed {
			color = "2E7D32"
		}
		v = map[string]any{
			"@type": "MessageCard", "@context": "https://schema.org/extensions",
			"summary": t.Title, "title": t.Title, "themeColor": color,
			"text": strings.ReplaceAll(body, "\n", "\n\n"),
		}
	default:
		inc := *in
		inc.Detail = nil
		v = map[string]any{"event": change, "incident": inc, "title": t.Title, "text": body, "url": t.URL}
	}
	b, _ := json.Marshal(v)
	return b
}

func trim(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// EventBlocklisted is the event of the alert about a new blocklist
// listing found while an incident is open.
const EventBlocklisted = "blocklisted"

// BlocklistText is the text of the alert about one new listing r found
// for incident in: what is listed where, its delisting page, and when to
// ask (once the hijacked password is changed and the spam has stopped).
func (r *Renderer) BlocklistText(in *store.Incident, l dnsbl.Result) Text {
	var t Text
	codes := strings.Join(l.Codes, ", ")
	if r.Lang == advice.Japanese {
		t.Title = fmt.Sprintf("[bouncewatch] %s が %s に掲載されています — パスワード変更後に掲載削除を申請してください", l.Target, l.Zone)
		t.Lines = append(t.Lines, fmt.Sprintf("インシデント: %s（%s）", in.Account, verdictJa[in.Verdict]))
		line := fmt.Sprintf("• %s: %s", l.Zone, l.Target)
		if codes != "" {
			line += "（" + codes + "）"
		}
		t.Lines = append(t.Lines, line)
		if l.Reason != "" {
			t.Lines = append(t.Lines, "  理由: "+l.Reason)
		}
		if l.Delist != "" {
			t.Lines = append(t.Lines, "  掲載削除の申請: "+l.Delist)
		}
		t.Lines = append(t.Lines, "パスワードを変更し、スパムの送信が止まったことを確認してから申請してください。")
	} else {
		t.Title = fmt.Sprintf("[bouncewatch] %s is listed on %s — request delisting after the password is changed", l.Target, l.Zone)
		t.Lines = append(t.Lines, fmt.Sprintf("Incident: %s (%s)", in.Account, verdictEn[in.Verdict]))
		line := fmt.Sprintf("• %s: %s", l.Zone, l.Target)
		if codes != "" {
			line += " (" + codes + ")"
		}
		t.Lines = append(t.Lines, line)
		if l.Reason != "" {
			t.Lines = append(t.Lines, "  Reason: "+l.Reason)
		}
		if l.Delist != "" {
			t.Lines = append(t.Lines, "  Delisting page: "+l.Delist)
		}
		t.Lines = append(t.Lines, "Change the password and make sure the spam has stopped before asking for removal.")
	}
	if r.Dashboard != "" {
		t.URL = strings.TrimRight(r.Dashboard, "/") + fmt.Sprintf("/incidents/%d", in.ID)
	}
	return t
}

// Blocklisted renders the outbox entries of the new listings a blocklist
// check of an open incident found: one per listing and channel, keyed by
// incident, zone and listed item so a listing is told once. It is the
// callback dnsbl.Monitor.Alerts takes.
func (r *Renderer) Blocklisted(in *store.Incident, fresh []dnsbl.Result) []store.Alert {
	var out []store.Alert
	for _, l := range fresh {
		if !l.Listed {
			continue
		}
		t := r.BlocklistText(in, l)
		key := fmt.Sprintf("incident:%d/%s/%s/%s", in.ID, EventBlocklisted, l.Zone, l.Target)
		for i, w := range r.Webhooks {
			out = append(out, store.Alert{Key: key + fmt.Sprintf("/webhook:%d", i), IncidentID: in.ID, Event: EventBlocklisted,
				Channel: fmt.Sprintf("webhook:%d", i), Payload: string(webhookBody(w.Format, in, EventBlocklisted, t))})
		}
		if r.Email != nil {
			b, _ := json.Marshal(t)
			out = append(out, store.Alert{Key: key + "/email", IncidentID: in.ID, Event: EventBlocklisted, Channel: "email", Payload: string(b)})
		}
	}
	return out
}
