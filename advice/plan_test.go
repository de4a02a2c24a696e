package advice_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/reason"
)

var hijackIDs = []string{
	"change-password",
	"set-everywhere",
	"tell-colleagues",
	"revoke-app-passwords",
	"remove-forwarding",
	"change-reused-passwords",
	"scan-malware",
	"tell-provider",
	"watch-sent-rate",
	"check-blocklists",
	"do-not-just-filter",
}

var fullContext = advice.PlanContext{
	Account:         "shop@example.jp",
	Domain:          "example.jp",
	Provider:        "Example Hosting",
	MissingEvidence: []string{advice.EvidenceSendLog, advice.EvidenceReceivedChain, advice.EvidenceDKIM, advice.EvidenceHistory, "sasl_logins"},
	TopReasons:      []reason.Reason{reason.UserUnknown, reason.MailboxFull, reason.SpamDetected},
}

func ids(steps []advice.Step) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.ID
	}
	return out
}

func findStep(steps []advice.Step, id string) (advice.Step, bool) {
	for _, s := range steps {
		if s.ID == id {
			return s, true
		}
	}
	return advice.Step{}, false
}

// TestPlanTexts checks every verdict in both languages, with and without a
// context: each plan has steps, each step every field, no placeholder is
// left, IDs are unique, and Japanese texts are Japanese sentences.
func TestPlanTexts(t *testing.T) {
	contexts := map[string]advice.PlanContext{"empty": {}, "full": fullContext}
	for _, v := range advice.Verdicts() {
		for _, l := range langs {
			for cname, ctx := range contexts {
				t.Run(fmt.Sprintf("%s/%s/%s", v, l, cname), func(t *testing.T) {
					steps := advice.Plan(v, l, ctx)
					if len(steps) == 0 {
						t.Fatal("no steps")
					}
					seen := map[string]bool{}
					for _, s := range steps {
						if seen[s.ID] {
							t.Errorf("duplicate step ID %q", s.ID)
						}
						seen[s.ID] = true
						for name, f := range map[string]string{"ID": s.ID, "Title": s.Title, "Why": s.Why, "How": s.How} {
							if strings.TrimSpace(f) == "" {
								t.Errorf("step %q: %s is empty", s.ID, name)
							}
							if strings.ContainsAny(f, "{}\n\t") {
								t.Errorf("step %q: %s has a placeholder, newline or tab: %q", s.ID, name, f)
							}
						}
						if strings.ContainsAny(s.ID, " \t") || s.ID != strings.ToLower(s.ID) {
							t.Errorf("step ID %q is not a lower-case token", s.ID)
						}
						if l == advice.Japanese {
							for name, f := range map[string]string{"Title": s.Title, "Why": s.Why, "How": s.How} {
								if !hasJapanese(f) {
									t.Errorf("step %q: Japanese %s has no Japanese: %q", s.ID, name, f)
								}
							}
							for name, f := range map[string]string{"Why": s.Why, "How": s.How} {
								if !strings.HasSuffix(f, "。") {
									t.Errorf("step %q: Japanese %s does not end with 。: %q", s.ID, name, f)
								}
							}
							if strings.HasSuffix(s.Title, "。") {
								t.Errorf("step %q: Japanese title ends like a sentence: %q", s.ID, s.Title)
							}
						} else {
							// (Meanings may quote a Japanese term, such as 格安SIM.)
							if hasJapanese(s.Title) {
								t.Errorf("step %q: English title contains Japanese: %q", s.ID, s.Title)
							}
							if !strings.HasSuffix(s.Why, ".") || !strings.HasSuffix(s.How, ".") {
								t.Errorf("step %q: English why/how does not end with a full stop: %q / %q", s.ID, s.Why, s.How)
							}
						}
					}
				})
			}
		}
	}
}

func TestPlanHijackedOrder(t *testing.T) {
	for _, l := range langs {
		steps := advice.Plan(advice.Hijacked, l, fullContext)
		if got := ids(steps); !slices.Equal(got, hijackIDs) {
			t.Errorf("Plan(hijacked, %s) IDs =\n%q\nwant\n%q", l, got, hijackIDs)
		}
		// The steps that stop the intruder are urgent, and come first.
		for i, s := range steps {
			if want := i < 5; s.Urgent != want {
				t.Errorf("Plan(hijacked, %s)[%d] %s: Urgent = %v, want %v", l, i, s.ID, s.Urgent, want)
			}
		}
	}
}

// TestPlanSays checks that steps say what the issue asks of them.
func TestPlanSays(t *testing.T) {
	tests := []struct {
		name string
		v    advice.Verdict
		l    advice.Lang
		ctx  advice.PlanContext
		id   string
		want []string // each must appear in Title, Why or How
	}{
		{"passgen en", advice.Hijacked, advice.English, fullContext, "change-password", []string{"bouncewatch passgen", "shop@example.jp", "Example Hosting"}},
		{"passgen ja", advice.Hijacked, advice.Japanese, fullContext, "change-password", []string{"bouncewatch passgen", "アカウント「shop@example.jp」", "Example Hosting"}},
		{"every device en", advice.Hijacked, advice.English, fullContext, "set-everywhere", []string{"PC", "phone", "mail client"}},
		{"every device ja", advice.Hijacked, advice.Japanese, fullContext, "set-everywhere", []string{"パソコン", "スマートフォン", "メールソフト"}},
		{"mfa en", advice.Hijacked, advice.English, fullContext, "revoke-app-passwords", []string{"app password", "multi-factor"}},
		{"mfa ja", advice.Hijacked, advice.Japanese, fullContext, "revoke-app-passwords", []string{"アプリパスワード", "多要素認証"}},
		{"forwarding en", advice.Hijacked, advice.English, fullContext, "remove-forwarding", []string{"forward", "inbox rules"}},
		{"reused first reset en", advice.Hijacked, advice.English, fullContext, "change-reused-passwords", []string{"reset this mailbox", "Change first"}},
		{"reused first reset ja", advice.Hijacked, advice.Japanese, fullContext, "change-reused-passwords", []string{"リセットできる", "まず"}},
		{"malware ja", advice.Hijacked, advice.Japanese, fullContext, "scan-malware", []string{"マルウェア", "スキャン"}},
		{"watch en", advice.Hijacked, advice.English, fullContext, "watch-sent-rate", []string{"bouncewatch scan", "sent-per-hour"}},
		{"blocklists en", advice.Hijacked, advice.English, fullContext, "check-blocklists", []string{"blocklist", "reputation"}},
		{"filter en", advice.Hijacked, advice.English, fullContext, "do-not-just-filter", []string{"spam folders", "keeps going out"}},
		{"filter ja", advice.Hijacked, advice.Japanese, fullContext, "do-not-just-filter", []string{"迷惑メールフォルダー", "送られ続け"}},
		{"backscatter en", advice.Spoofed, advice.English, fullContext, "backscatter-explained", []string{"backscatter", "never sent"}},
		{"backscatter ja", advice.Spoofed, advice.Japanese, fullContext, "backscatter-explained", []string{"バックスキャッター", "送ったメールではなく"}},
		{"check-domain en", advice.Spoofed, advice.English, fullContext, "publish-spf-dkim-dmarc", []string{"`bouncewatch check-domain example.jp`", "SPF", "DKIM", "DMARC", "p=reject", "-all"}},
		{"check-domain ja", advice.Spoofed, advice.Japanese, fullContext, "publish-spf-dkim-dmarc", []string{"`bouncewatch check-domain example.jp`", "example.jpのSPF", "p=reject"}},
		{"check-domain no domain en", advice.Spoofed, advice.English, advice.PlanContext{}, "publish-spf-dkim-dmarc", []string{"`bouncewatch check-domain DOMAIN`", "Replace DOMAIN with your domain name.", "your domain"}},
		{"check-domain no domain ja", advice.Spoofed, advice.Japanese, advice.PlanContext{}, "publish-spf-dkim-dmarc", []string{"`bouncewatch check-domain DOMAIN`", "DOMAIN の部分", "あなたのドメイン"}},
		{"file not delete en", advice.Spoofed, advice.English, fullContext, "file-backscatter", []string{"without deleting", "DMARC"}},
		{"warn contacts ja", advice.Spoofed, advice.Japanese, fullContext, "warn-contacts", []string{"取引先", "感染"}},
		{"default provider en", advice.Hijacked, advice.English, advice.PlanContext{}, "tell-provider", []string{"Tell your mail provider"}},
		{"default provider ja", advice.Hijacked, advice.Japanese, advice.PlanContext{}, "tell-provider", []string{"ご利用のメールサービスの提供会社に連絡する"}},
		{"default account ja", advice.Hijacked, advice.Japanese, advice.PlanContext{}, "change-password", []string{"このアカウントのパスワード"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := findStep(advice.Plan(tt.v, tt.l, tt.ctx), tt.id)
			if !ok {
				t.Fatalf("Plan(%s, %s) has no step %q", tt.v, tt.l, tt.id)
			}
			text := s.Title + " " + s.Why + " " + s.How
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("step %q does not say %q:\n%s", tt.id, w, text)
				}
			}
		})
	}
}

func TestPlanOrdinary(t *testing.T) {
	tests := []struct {
		name    string
		reasons []reason.Reason
		wantIDs []string
	}{
		{"three reasons", []reason.Reason{reason.UserUnknown, reason.MailboxFull, reason.SpamDetected},
			[]string{"reason-userunknown", "reason-mailboxfull", "reason-spamdetected"}},
		{"repeats and blanks dropped", []reason.Reason{reason.Expired, "", reason.Expired, reason.HostUnknown},
			[]string{"reason-expired", "reason-hostunknown"}},
		{"no reasons", nil, []string{"review-reasons"}},
	}
	for _, tt := range tests {
		for _, l := range langs {
			t.Run(tt.name+"/"+string(l), func(t *testing.T) {
				steps := advice.Plan(advice.Ordinary, l, advice.PlanContext{TopReasons: tt.reasons})
				if got := ids(steps); !slices.Equal(got, tt.wantIDs) {
					t.Fatalf("IDs = %q, want %q", got, tt.wantIDs)
				}
				for _, s := range steps {
					r, ok := strings.CutPrefix(s.ID, "reason-")
					if !ok {
						continue
					}
					e := advice.For(reason.Reason(r), l)
					if s.Title != e.Title || s.Why != e.Meaning || s.How != e.Action {
						t.Errorf("step %s = %+v, want the texts of For(%s, %s)", s.ID, s, r, l)
					}
				}
			})
		}
	}
}

func TestPlanMixed(t *testing.T) {
	for _, l := range langs {
		mixed := advice.Plan(advice.Mixed, l, fullContext)
		spoofed := advice.Plan(advice.Spoofed, l, fullContext)
		got := ids(mixed)
		if !slices.Equal(got[:len(hijackIDs)], hijackIDs) {
			t.Errorf("Plan(mixed, %s) does not start with the hijack steps: %q", l, got)
		}
		seen := map[string]bool{}
		for _, id := range got {
			if seen[id] {
				t.Errorf("Plan(mixed, %s) repeats %q", l, id)
			}
			seen[id] = true
		}
		for _, id := range []string{"backscatter-explained", "publish-spf-dkim-dmarc", "file-backscatter", "warn-contacts"} {
			if !seen[id] {
				t.Errorf("Plan(mixed, %s) lacks the spoofing step %q", l, id)
			}
		}
		// Covered by change-password and tell-provider.
		for _, id := range []string{"check-password", "report-to-provider"} {
			if seen[id] {
				t.Errorf("Plan(mixed, %s) repeats the work of a hijack step with %q", l, id)
			}
		}
		// In a mixed plan, "nothing was sent from our server" would be false.
		m, _ := findStep(mixed, "backscatter-explained")
		s, _ := findStep(spoofed, "backscatter-explained")
		if m.Title == s.Title || m.Why == s.Why {
			t.Errorf("Plan(mixed, %s) explains the backscatter as if nothing were sent: %q", l, m.Title)
		}
	}
}

func TestPlanInsufficientEvidence(t *testing.T) {
	cautious := []string{"change-password-if-unsure", "rerun-scan", "do-not-just-filter"}
	tests := []struct {
		name    string
		missing []string
		wantIDs []string // before the cautious steps
	}{
		{"all known codes", []string{"sendlog", "received_chain", "dkim", "history"},
			[]string{"collect-sendlog", "collect-received-chain", "collect-dkim", "collect-history"}},
		{"order kept", []string{"history", "sendlog"}, []string{"collect-history", "collect-sendlog"}},
		{"case, spaces and repeats", []string{" SendLog ", "sendlog", ""}, []string{"collect-sendlog"}},
		{"unknown code", []string{"sasl_logins"}, []string{"collect-sasl_logins"}},
		{"none given", nil, []string{"collect-more"}},
	}
	for _, tt := range tests {
		for _, l := range langs {
			t.Run(tt.name+"/"+string(l), func(t *testing.T) {
				steps := advice.Plan(advice.InsufficientEvidence, l, advice.PlanContext{MissingEvidence: tt.missing})
				want := append(slices.Clone(tt.wantIDs), cautious...)
				if got := ids(steps); !slices.Equal(got, want) {
					t.Fatalf("IDs = %q, want %q", got, want)
				}
				if !steps[len(tt.wantIDs)].Urgent {
					t.Errorf("%s is not urgent", steps[len(tt.wantIDs)].ID)
				}
			})
		}
	}
	t.Run("unknown code named", func(t *testing.T) {
		for _, l := range langs {
			s, _ := findStep(advice.Plan(advice.InsufficientEvidence, l, fullContext), "collect-sasl_logins")
			if !strings.Contains(s.Title, "sasl_logins") {
				t.Errorf("%s: title %q does not name the code", l, s.Title)
			}
		}
	})
	says := []struct {
		id   string
		l    advice.Lang
		want []string
	}{
		{"collect-sendlog", advice.English, []string{"--sendlog", "/var/log/mail.log", "mainlog", "CSV", "Example Hosting", "shop@example.jp"}},
		{"collect-sendlog", advice.Japanese, []string{"--sendlog", "/var/log/mail.log", "mainlog", "CSV"}},
		{"collect-received-chain", advice.English, []string{"Received", "Maildir", "mbox"}},
		{"collect-dkim", advice.English, []string{"DKIM", "bouncewatch check-domain example.jp"}},
		{"collect-history", advice.English, []string{"baseline", "normal"}},
		{"collect-history", advice.Japanese, []string{"基準", "普段"}},
		{"change-password-if-unsure", advice.English, []string{"bouncewatch passgen", "anyway"}},
		{"change-password-if-unsure", advice.Japanese, []string{"bouncewatch passgen", "念のため"}},
	}
	for _, tt := range says {
		s, ok := findStep(advice.Plan(advice.InsufficientEvidence, tt.l, fullContext), tt.id)
		if !ok {
			t.Errorf("%s: no step %q", tt.l, tt.id)
			continue
		}
		text := s.Title + " " + s.Why + " " + s.How
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s step %q does not say %q:\n%s", tt.l, tt.id, w, text)
			}
		}
	}
}

func TestPlanUnknownVerdict(t *testing.T) {
	for _, v := range []advice.Verdict{"", "compromised"} {
		if v.Valid() {
			t.Errorf("Verdict(%q).Valid() = true", v)
		}
		got := advice.Plan(v, advice.English, fullContext)
		want := advice.Plan(advice.InsufficientEvidence, advice.English, fullContext)
		if !slices.Equal(got, want) {
			t.Errorf("Plan(%q) = %q, want the insufficient_evidence plan", v, ids(got))
		}
	}
	for _, v := range advice.Verdicts() {
		if !v.Valid() {
			t.Errorf("Verdict(%q).Valid() = false", v)
		}
	}
	if got := advice.Verdicts(); len(got) != 5 || got[0] != "hijacked" || got[4] != "insufficient_evidence" {
		t.Errorf("Verdicts() = %q", got)
	}
	// Any language but Japanese gets English.
	if got, want := advice.Plan(advice.Spoofed, "fr", fullContext), advice.Plan(advice.Spoofed, advice.English, fullContext); !slices.Equal(got, want) {
		t.Errorf("Plan(spoofed, fr) is not the English plan")
	}
}

func ExamplePlan() {
	steps := advice.Plan(advice.Hijacked, advice.English, advice.PlanContext{
		Account: "shop@example.jp",
		Domain:  "example.jp",
	})
	for i, s := range steps {
		mark := " "
		if s.Urgent {
			mark = "!"
		}
		fmt.Printf("%2d %s %s\n", i+1, mark, s.Title)
	}
	// Output:
	//  1 ! Change the password of shop@example.jp now
	//  2 ! Put the new password into every PC, phone and mail client
	//  3 ! Tell the colleagues who share the account
	//  4 ! Revoke app passwords and turn on multi-factor sign-in
	//  5 ! Remove forwarding and inbox rules the intruder may have added
	//  6   Change every other service that used the same password
	//  7   Scan the PCs for malware
	//  8   Tell your mail provider
	//  9   Watch the sent-per-hour graph fall back
	// 10   Check blocklists and the domain's reputation
	// 11   Do not just delete the bounces with a filter rule
}

func ExamplePlan_insufficientEvidence() {
	steps := advice.Plan(advice.InsufficientEvidence, advice.Japanese, advice.PlanContext{
		MissingEvidence: []string{advice.EvidenceSendLog, advice.EvidenceHistory},
	})
	for _, s := range steps {
		fmt.Println(s.ID+":", s.Title)
	}
	// Output:
	// collect-sendlog: 送信ログを --sendlog で渡す
	// collect-history: 普段の日のエラーメールとログも残しておく
	// change-password-if-unsure: 確信が持てない場合は、念のためパスワードを変更する
	// rerun-scan: 証拠を追加して、もう一度スキャンする
	// do-not-just-filter: フィルタールールでエラーメールを削除するだけで済ませない
}
