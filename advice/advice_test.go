package advice_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/reason"
)

var langs = []advice.Lang{advice.Japanese, advice.English}

// hasJapanese reports whether s contains hiragana, katakana or kanji.
func hasJapanese(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) {
			return true
		}
	}
	return false
}

func fields(e advice.Entry) map[string]string {
	return map[string]string{"Title": e.Title, "Summary": e.Summary, "Meaning": e.Meaning, "Action": e.Action}
}

func TestEveryReasonHasTexts(t *testing.T) {
	for _, l := range langs {
		titles := map[string]reason.Reason{}
		for _, r := range reason.All {
			e := advice.For(r, l)
			if e.Reason != r {
				t.Errorf("For(%s, %s).Reason = %q", r, l, e.Reason)
			}
			for name, s := range fields(e) {
				if strings.TrimSpace(s) == "" {
					t.Errorf("For(%s, %s).%s is empty", r, l, name)
				}
				if strings.ContainsAny(s, "\n\t") {
					t.Errorf("For(%s, %s).%s contains a newline or tab", r, l, name)
				}
				if l == advice.Japanese && !hasJapanese(s) {
					t.Errorf("For(%s, ja).%s has no Japanese characters: %q", r, name, s)
				}
			}
			// Titles and summaries go into tables: English ones are plain English.
			if l == advice.English && (hasJapanese(e.Title) || hasJapanese(e.Summary)) {
				t.Errorf("For(%s, en) Title or Summary contains Japanese: %q / %q", r, e.Title, e.Summary)
			}
			if l == advice.Japanese {
				// です/ます style: sentences end with 。
				for _, name := range []string{"Summary", "Meaning", "Action"} {
					if s := fields(e)[name]; !strings.HasSuffix(s, "。") {
						t.Errorf("For(%s, ja).%s does not end with 。: %q", r, name, s)
					}
				}
				if strings.Contains(e.Title, "。") {
					t.Errorf("For(%s, ja).Title ends like a sentence: %q", r, e.Title)
				}
			}
			if prev, dup := titles[e.Title]; dup {
				t.Errorf("%s and %s share the title %q in %s", prev, r, e.Title, l)
			}
			titles[e.Title] = r
		}
	}
}

func TestHardAgreesWithReason(t *testing.T) {
	want := map[reason.Reason]bool{
		reason.UserUnknown: true, reason.HostUnknown: true, reason.HasMoved: true, reason.NotAccept: true,
	}
	for _, l := range langs {
		for _, r := range reason.All {
			e := advice.For(r, l)
			if e.Hard != want[r] {
				t.Errorf("For(%s, %s).Hard = %v, want %v", r, l, e.Hard, want[r])
			}
			// A permanent (5xx) bounce is hard exactly when the reason is.
			if got := reason.HardBounce(r, "5.0.0", "550"); got != e.Hard {
				t.Errorf("For(%s, %s).Hard = %v, reason.HardBounce = %v", r, l, e.Hard, got)
			}
		}
	}
}

func TestAll(t *testing.T) {
	for _, l := range langs {
		all := advice.All(l)
		if len(all) != len(reason.All) {
			t.Fatalf("All(%s) has %d entries, want %d", l, len(all), len(reason.All))
		}
		for i, e := range all {
			if e.Reason != reason.All[i] {
				t.Errorf("All(%s)[%d].Reason = %s, want %s", l, i, e.Reason, reason.All[i])
			}
			if e != advice.For(e.Reason, l) {
				t.Errorf("All(%s)[%d] differs from For(%s)", l, i, e.Reason)
			}
		}
	}
}

func TestForUnknownReason(t *testing.T) {
	for _, l := range langs {
		for _, r := range []reason.Reason{"", "nosuchreason"} {
			e := advice.For(r, l)
			u := advice.For(reason.Undefined, l)
			if e.Reason != r {
				t.Errorf("For(%q, %s).Reason = %q, want %q", r, l, e.Reason, r)
			}
			if e.Title != u.Title || e.Summary != u.Summary || e.Meaning != u.Meaning || e.Action != u.Action || e.Hard {
				t.Errorf("For(%q, %s) = %+v, want the undefined entry", r, l, e)
			}
		}
	}
	// Any language but Japanese gets English.
	if got, want := advice.For(reason.MailboxFull, "fr"), advice.For(reason.MailboxFull, advice.English); got != want {
		t.Errorf("For(mailboxfull, fr) = %+v, want the English entry", got)
	}
}

// everyday is a test case of TestEverydayCases.
type everyday struct {
	name string
	r    reason.Reason
	l    advice.Lang
	want []string // each must appear in Meaning or Action
}

// TestEverydayCases checks that the advice for common bounces says the
// things a shop owner needs to hear.
func TestEverydayCases(t *testing.T) {
	tests := []everyday{
		{"userunknown ja: spelling and ask", reason.UserUnknown, advice.Japanese, []string{"つづり", "現在のアドレス", "削除", "格安SIM", "docomo.ne.jp"}},
		{"userunknown en: spelling and ask", reason.UserUnknown, advice.English, []string{"spelling", "current address", "Remove", "格安SIM", "docomo.ne.jp"}},
		{"hasmoved ja: carrier", reason.HasMoved, advice.Japanese, []string{"格安SIM", "新しいアドレス", "softbank.ne.jp"}},
		{"hasmoved en: carrier", reason.HasMoved, advice.English, []string{"budget SIM", "new address", "au.com"}},
		{"hostunknown ja: after @", reason.HostUnknown, advice.Japanese, []string{"@より後ろ", "ドメイン"}},
		{"hostunknown en: after @", reason.HostUnknown, advice.English, []string{"after the @", "domain"}},
		{"virusdetected ja: scan and resend", reason.VirusDetected, advice.Japanese, []string{"スキャン", "ファイルを外して"}},
		{"virusdetected en: scan and resend", reason.VirusDetected, advice.English, []string{"Scan your computer", "without the infected file"}},
		{"mailboxfull ja: make room", reason.MailboxFull, advice.Japanese, []string{"別のアドレス", "空きを作って", "時間をおいて"}},
		{"mailboxfull en: make room", reason.MailboxFull, advice.English, []string{"another address", "make room", "later"}},
		{"mesgtoobig ja: compress or link", reason.MesgTooBig, advice.Japanese, []string{"圧縮", "ダウンロードリンク"}},
		{"mesgtoobig en: compress or link", reason.MesgTooBig, advice.English, []string{"compress", "download link"}},
		{"expired ja: five days", reason.Expired, advice.Japanese, []string{"5日", "相手に連絡"}},
		{"expired en: five days", reason.Expired, advice.English, []string{"five days", "Contact the recipient"}},
		{"contenterror ja: split sending", reason.ContentError, advice.Japanese, []string{"分割送信", "message/partial", "オフ"}},
		{"contenterror en: split sending", reason.ContentError, advice.English, []string{"message/partial", "turn that off"}},
		{"notcompliantrfc ja: split sending", reason.NotCompliantRFC, advice.Japanese, []string{"分割送信", "message/partial", "オフ"}},
		{"notcompliantrfc en: split sending", reason.NotCompliantRFC, advice.English, []string{"message/partial", "turn that setting off"}},
		{"feedback ja: stop mailing", reason.Feedback, advice.Japanese, []string{"送らないで", "配信リストから削除"}},
		{"feedback en: stop mailing", reason.Feedback, advice.English, []string{"Stop mailing", "remove them"}},
		{"vacation ja: not an error", reason.Vacation, advice.Japanese, []string{"エラーではありません"}},
		{"vacation en: not an error", reason.Vacation, advice.English, []string{"not an error"}},
		{"delivered ja: not an error", reason.Delivered, advice.Japanese, []string{"エラーではありません"}},
		{"delivered en: not an error", reason.Delivered, advice.English, []string{"not a bounce"}},
		{"rejected ja: sender address", reason.Rejected, advice.Japanese, []string{"差出人アドレス"}},
		{"rejected en: sender address", reason.Rejected, advice.English, []string{"sender address"}},
	}
	// Refusals of the sender point at authentication, blocklists and PTR,
	// and at forgery or a hijacked account.
	for _, r := range []reason.Reason{reason.SpamDetected, reason.Blocked, reason.BadReputation, reason.RequirePTR, reason.AuthFailure} {
		tests = append(tests,
			everyday{string(r) + " ja: sender setup and forgery", r, advice.Japanese, []string{"SPF", "DKIM", "DMARC", "偽装", "乗っ取", "bouncewatch scan"}},
			everyday{string(r) + " en: sender setup and forgery", r, advice.English, []string{"SPF", "DKIM", "DMARC", "forged", "taken over", "bouncewatch scan"}},
		)
	}
	for _, r := range []reason.Reason{reason.SpamDetected, reason.Blocked, reason.RequirePTR} {
		tests = append(tests, everyday{string(r) + " en: blocklist and PTR", r, advice.English, []string{"blocklist", "PTR"}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := advice.For(tt.r, tt.l)
			text := e.Meaning + " " + e.Action
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("For(%s, %s) does not mention %q:\n%s", tt.r, tt.l, w, text)
				}
			}
		})
	}
}

func TestParseLang(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    advice.Lang
		wantErr bool
	}{
		{"ja", "ja", advice.Japanese, false},
		{"ja locale UTF-8", "ja_JP.UTF-8", advice.Japanese, false},
		{"ja locale eucJP", "ja_JP.eucJP", advice.Japanese, false},
		{"ja locale with modifier", "ja_JP.UTF-8@cjknarrow", advice.Japanese, false},
		{"ja BCP 47 tag", "ja-JP", advice.Japanese, false},
		{"ja upper case and spaces", "  JA  ", advice.Japanese, false},
		{"jp, a common slip", "jp", advice.Japanese, false},
		{"japanese alias", "japanese", advice.Japanese, false},
		{"en", "en", advice.English, false},
		{"en locale", "en_US.UTF-8", advice.English, false},
		{"en GB", "en_GB", advice.English, false},
		{"C", "C", advice.English, false},
		{"C UTF-8", "C.UTF-8", advice.English, false},
		{"POSIX", "POSIX", advice.English, false},
		{"empty", "", "", true},
		{"french", "fr", "", true},
		{"german locale", "de_DE.UTF-8", "", true},
		{"nonsense", "xyz", "", true},
		{"ja as a prefix only", "jav", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := advice.ParseLang(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseLang(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseLang(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLangFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want advice.Lang
	}{
		{"nothing set", nil, advice.English},
		{"LANG ja", map[string]string{"LANG": "ja_JP.UTF-8"}, advice.Japanese},
		{"LANG en", map[string]string{"LANG": "en_US.UTF-8"}, advice.English},
		{"LANG C", map[string]string{"LANG": "C"}, advice.English},
		{"LANG unknown language", map[string]string{"LANG": "fr_FR.UTF-8"}, advice.English},
		{"LC_MESSAGES over LANG", map[string]string{"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, advice.Japanese},
		{"LC_ALL over LC_MESSAGES", map[string]string{"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "ja_JP.UTF-8"}, advice.English},
		{"LC_ALL C over LANG ja", map[string]string{"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}, advice.English},
		{"LC_ALL ja over LANG en", map[string]string{"LC_ALL": "ja_JP.eucJP", "LANG": "en_US.UTF-8"}, advice.Japanese},
		{"empty LC_ALL skipped", map[string]string{"LC_ALL": "", "LANG": "ja_JP.UTF-8"}, advice.Japanese},
		{"other variables ignored", map[string]string{"LC_CTYPE": "ja_JP.UTF-8", "LANGUAGE": "ja"}, advice.English},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			if got := advice.LangFromEnv(getenv); got != tt.want {
				t.Errorf("LangFromEnv(%v) = %q, want %q", tt.env, got, tt.want)
			}
		})
	}
	if got := advice.LangFromEnv(nil); got != advice.English {
		t.Errorf("LangFromEnv(nil) = %q, want en", got)
	}
}

func TestCarrierNote(t *testing.T) {
	tests := []struct {
		name   string
		domain string
		want   bool
	}{
		{"docomo", "docomo.ne.jp", true},
		{"ezweb", "ezweb.ne.jp", true},
		{"au.com", "au.com", true},
		{"softbank", "softbank.ne.jp", true},
		{"i.softbank", "i.softbank.jp", true},
		{"disney", "disney.ne.jp", true},
		{"vodafone subdomain", "t.vodafone.ne.jp", true},
		{"pdx subdomain", "di.pdx.ne.jp", true},
		{"willcom", "willcom.com", true},
		{"ymobile", "ymobile.ne.jp", true},
		{"upper case and trailing dot", "DoCoMo.NE.JP.", true},
		{"whole address", "taro@docomo.ne.jp", true},
		{"gmail", "gmail.com", false},
		{"company domain", "example.co.jp", false},
		{"lookalike without dot", "notdocomo.ne.jp", false},
		{"carrier name as a subdomain elsewhere", "docomo.ne.jp.example.com", false},
		{"softbank.jp is not i.softbank.jp", "softbank.jp", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, l := range langs {
				got := advice.CarrierNote(tt.domain, l)
				if (got != "") != tt.want {
					t.Fatalf("CarrierNote(%q, %s) = %q, want a note: %v", tt.domain, l, got, tt.want)
				}
				if got == "" {
					continue
				}
				if l == advice.Japanese && !(hasJapanese(got) && strings.Contains(got, "格安SIM") && strings.Contains(got, "新しいアドレス")) {
					t.Errorf("CarrierNote(%q, ja) = %q", tt.domain, got)
				}
				if l == advice.English && !(strings.Contains(got, "budget SIM") && strings.Contains(got, "new address")) {
					t.Errorf("CarrierNote(%q, en) = %q", tt.domain, got)
				}
			}
		})
	}
}

func ExampleFor() {
	e := advice.For(reason.UserUnknown, advice.English)
	fmt.Println(e.Title)
	fmt.Println(e.Hard)
	fmt.Println(advice.For(reason.UserUnknown, advice.Japanese).Title)
	fmt.Println(advice.For(reason.MailboxFull, advice.Japanese).Summary)
	// Output:
	// Recipient address does not exist
	// true
	// 宛先のアドレスが存在しない
	// 相手のメールボックスが容量いっぱいで、今は受け取れません。
}

func ExampleCarrierNote() {
	fmt.Println(advice.CarrierNote("example.co.jp", advice.English) == "")
	fmt.Println(advice.CarrierNote("ezweb.ne.jp", advice.English) != "")
	// Output:
	// true
	// true
}
