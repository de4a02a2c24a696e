package attrib

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/source"
)

// TestDetectFake runs the detector over fixtures written for this
// repository: one fake notice of each kind, and genuine notices that
// share a trait with the fakes (a provider's name, HTML, a sign-in link,
// the reader's address in a link, Japanese pretexts) and must pass.
func TestDetectFake(t *testing.T) {
	cases := []struct {
		name, file string
		fake       []string // reason codes that must be present; nil: not fake
		from, subj string   // must be in the decoded From / Subject
	}{
		{name: "docomo look-alike with a zip and a login link", file: "fake-docomo.eml",
			fake: []string{CodeFakeNoMessageOfOurs, CodeFakeDangerousAttached, CodeFakeCredentialLink, CodeFakeImpersonation, CodeFakeLookalike, CodeFakeWording},
			from: "ドコモ", subj: "メール送信エラー"},
		{name: "our own domain forged, HTML, DMARC fail", file: "fake-mdf-dmarc.eml",
			fake: []string{CodeFakeAuthFail, CodeFakeHTMLOnly, CodeFakeCredentialLink}},
		{name: "held messages in Japanese, base64 HTML, our address base64 in the link", file: "fake-held-ja-base64.eml",
			fake: []string{CodeFakeAddressInLink, CodeFakeWording, CodeFakeHTMLOnly, CodeFakeAdminName},
			from: "メール管理者", subj: "受信保留"},
		{name: "Microsoft name, quoted-printable HTML, own-domain /owa/auth link", file: "fake-microsoft-qp.eml",
			fake: []string{CodeFakeCredentialLink, CodeFakeImpersonation, CodeFakeWording, CodeFakeHTMLOnly},
			from: "Microsoft Outlook", subj: "mailbox quota"},
		{name: "look-alike mailer-daemon alone, no link, no attachment", file: "fake-lookalike-plain.eml",
			fake: []string{CodeFakeNoMessageOfOurs, CodeFakeLookalike}},
		{name: "Google name, our address URL-encoded in a foreign link", file: "fake-google-urlenc.eml",
			fake: []string{CodeFakeAddressInLink, CodeFakeImpersonation}},
		{name: "dressed as a DSN with a login link", file: "fake-dsn-shaped.eml",
			fake: []string{CodeFakeCredentialLink}},
		{name: "Yahoo! JAPAN in Shift_JIS, suspension within 24 hours (full-width digits)", file: "fake-yahoo-sjis.eml",
			fake: []string{CodeFakeCredentialLink, CodeFakeWording, CodeFakeImpersonation},
			from: "Yahoo! JAPAN", subj: "アカウント停止"},
		{name: "Apple name, HTML only, no link", file: "fake-apple-html.eml",
			fake: []string{CodeFakeHTMLOnly, CodeFakeImpersonation, CodeFakeWording}},
		{name: "German postmaster, link on a free hosting site", file: "fake-de-postfach.eml",
			fake: []string{CodeFakeForeignLink, CodeFakeWording}, subj: "Postfach ist voll"},
		{name: "au (KDDI) with a program attached", file: "fake-au-exe.eml",
			fake: []string{CodeFakeDangerousAttached, CodeFakeImpersonation}, from: "au by KDDI"},
		{name: "hosting provider's name, restore-mailbox link", file: "fake-hosting-xserver.eml",
			fake: []string{CodeFakeCredentialLink, CodeFakeImpersonation, CodeFakeHTMLOnly}, from: "エックスサーバー"},

		{name: "look-alike in an internationalised name (Cyrillic о)", file: "fake-homoglyph-idn.eml",
			fake: []string{CodeFakeLookalike}},
		{name: "look-alike with rn for m", file: "fake-rnicrosoft.eml",
			fake: []string{CodeFakeLookalike}},

		{name: "Google's exact domain forged (DMARC fail), login link elsewhere", file: "fake-google-dmarcfail.eml",
			fake: []string{CodeFakeAuthFail, CodeFakeCredentialLink, CodeFakeHTMLOnly}},

		{name: "a diagnostic, no returned message, a shortened link", file: "fake-shortener-diagnostic.eml",
			fake: []string{CodeFakeHiddenLink, CodeFakeNoMessageOfOurs}},
		{name: "webmail notice linking to a bare IP address", file: "fake-ip-link.eml",
			fake: []string{CodeFakeHiddenLink}},
		{name: "no link at all: reply with your password", file: "fake-reply-password.eml",
			fake: []string{CodeFakeWording}},

		{name: "genuine Exchange Online NDR on the recipient's domain", file: "genuine-exchange-ndr.eml"},
		{name: "genuine DMARC aggregate report from Google with a zip", file: "genuine-dmarc-report.eml"},
		{name: "our own server's quota warning with a quota link", file: "genuine-own-quota-warning.eml"},
		{name: "a carrier's dealer's newsletter naming the carrier", file: "genuine-dealer-newsletter.eml", from: "docomoショップ"},
		{name: "a newsletter with a brand and sign-in in its Subject", file: "genuine-apple-subject-newsletter.eml"},
		{name: "genuine Google sign-in alert from Google's domain", file: "genuine-google-alert.eml"},
		{name: "genuine Japanese bounce quoting our login link", file: "genuine-ja-plain.eml"},
		{name: "newsletter with a sign-in link and our address", file: "genuine-newsletter.eml"},
		{name: "genuine Postfix bounce of ours", file: "postfix-ours.eml"},
		{name: "genuine Gmail DSN", file: "relay-esmtpsa.eml"},
		{name: "genuine Exim backscatter", file: "backscatter.eml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := decodeFile(t, tc.file)
			if !strings.Contains(res.From, tc.from) || !strings.Contains(res.Subject, tc.subj) {
				t.Errorf("decoded From %q, Subject %q: want %q, %q", res.From, res.Subject, tc.from, tc.subj)
			}
			f := DetectFake(res, ourDomains)
			if tc.fake == nil {
				if f != nil {
					t.Fatalf("flagged fake: %v", codes(f.Reasons))
				}
				return
			}
			if f == nil {
				t.Fatal("not flagged fake")
			}
			got := codes(f.Reasons)
			for _, c := range tc.fake {
				if !slices.Contains(got, c) {
					t.Errorf("reason %s missing; reasons %v", c, got)
				}
			}
			for _, r := range f.Reasons {
				if r.En == "" || r.Ja == "" || r.Weight >= 0 {
					t.Errorf("reason %s: en %q ja %q weight %v", r.Code, r.En, r.Ja, r.Weight)
				}
			}
		})
	}
}

// TestDetectFakeLogIndependent: the judgement depends on the message and
// our domains only: an Index with a send log and an empty one flag the
// same messages for the same reasons, and so does DetectFake.
func TestDetectFakeLogIndependent(t *testing.T) {
	withLog := logIndex(Config{Domains: ourDomains})
	empty := NewIndex(Config{Domains: ourDomains})
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil || len(files) < 15 {
		t.Fatalf("fixtures: %v, %d", err, len(files))
	}
	for _, p := range files {
		res := decodeFile(t, filepath.Base(p))
		a, b := withLog.Attribute(res), empty.Attribute(res)
		d := DetectFake(res, ourDomains)
		if !slices.Equal(fakeCodes(a.Fake), fakeCodes(b.Fake)) || !slices.Equal(fakeCodes(a.Fake), fakeCodes(d)) {
			t.Errorf("%s: with log %v, without %v, DetectFake %v", p, fakeCodes(a.Fake), fakeCodes(b.Fake), fakeCodes(d))
		}
		if a.Fake != nil && a.Verdict != Unknown {
			t.Errorf("%s: fake but verdict %s", p, a.Verdict)
		}
	}
}

func fakeCodes(f *Fake) []string {
	if f == nil {
		return nil
	}
	return codes(f.Reasons)
}

// corpus finds the shared sisimai corpus (../shared/corpus/sisimai beside
// the repository, or $BOUNCEWATCH_CORPUS); under CI=true a missing corpus
// fails.
func corpus(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("BOUNCEWATCH_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "corpus", "sisimai")
	}
	if _, err := os.Stat(filepath.Join(dir, "eml")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("corpus not found at %s: %v", dir, err)
		}
		t.Skipf("corpus not found at %s: %v", dir, err)
	}
	return dir
}

// TestDetectFakeCorpus: no real MTA bounce of the corpus, and no ordinary
// message of its not-bounce folder, is taken for a fake — with no domain
// configured, and with the corpus's own example.jp as ours (so that
// messages returned "from us" and look-alikes of our name are in play).
// Every file is read in place.
func TestDetectFakeCorpus(t *testing.T) {
	dir := corpus(t)
	const maxFlagged = 0 // no file of the corpus is phishing
	for _, ours := range [][]string{nil, {"example.jp"}, {"example.jp", "example.com", "example.org"}} {
		n, flagged := 0, 0
		for _, sub := range []string{"eml", "not-bounce"} {
			files, err := filepath.Glob(filepath.Join(dir, sub, "*.eml"))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range files {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				res, _ := bounce.DecodeBytes(b)
				if res == nil {
					continue
				}
				n++
				if f := DetectFake(res, ours); f != nil {
					flagged++
					t.Errorf("ours %v: %s flagged fake: %v", ours, filepath.Base(p), codes(f.Reasons))
				}
			}
		}
		// The real bounces of its mbox files too.
		err := source.Walk(context.Background(), []string{filepath.Join(dir, "mbox", "mbox-0"), filepath.Join(dir, "mbox", "mbox-1")}, nil,
			func(m source.Message, err error) error {
				if err != nil {
					return err
				}
				res, _ := bounce.DecodeBytes(m.Data)
				if res == nil {
					return nil
				}
				n++
				if f := DetectFake(res, ours); f != nil {
					flagged++
					t.Errorf("ours %v: %s flagged fake: %v", ours, m.Source, codes(f.Reasons))
				}
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		if n < 400 {
			t.Errorf("only %d corpus messages read", n)
		}
		if flagged > maxFlagged {
			t.Errorf("ours %v: %d of %d real messages flagged fake", ours, flagged, n)
		}
		t.Logf("ours %v: %d corpus messages, %d flagged fake", ours, n, flagged)
	}
}

// TestCarriedAddress: the reader's address is found in a link as it is,
// URL-encoded or base64-encoded, and not in unrelated links.
func TestCarriedAddress(t *testing.T) {
	targets := []string{"shop@example.jp"}
	cases := []struct {
		name, link string
		want       bool
	}{
		{"plain", "https://x.example/login?user=shop@example.jp", true},
		{"url-encoded", "https://x.example/login?user=shop%40example.jp", true},
		{"upper case", "https://x.example/login?user=SHOP%40EXAMPLE.JP", true},
		{"base64 in the query", "https://x.example/r?id=c2hvcEBleGFtcGxlLmpw", true},
		{"base64 url alphabet in the path", "https://x.example/c2hvcEBleGFtcGxlLmpw/go", true},
		{"base64 url-encoded padding", "https://x.example/r?id=c2hvcEBleGFtcGxlLmpwCg%3D%3D", true},
		{"local part only", "https://x.example/login?u=shop", false},
		{"another address", "https://x.example/login?u=info%40example.jp", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := carriedAddress(tc.link, targets) != ""; got != tc.want {
				t.Errorf("carriedAddress(%q) = %v, want %v", tc.link, got, tc.want)
			}
		})
	}
}

// TestSkeleton: look-alike domains are seen through.
func TestSkeleton(t *testing.T) {
	cases := []struct {
		dom   string
		token string
		want  bool
	}{
		{"rnicrosoft-online.example", "microsoft", true},
		{"g00gle-mail.example", "google", true},
		{"xn--dom-mail-nbhc4a.example", "docomo", true},
		{"app1e-id.example", "apple", true},
		{"example.jp", "docomo", false},
		{"pineapple.example", "apple", true}, // a token inside a word still borrows (hence: only with a notice's claim)
		{"mail.example.com", "microsoft", false},
	}
	for _, tc := range cases {
		t.Run(tc.dom, func(t *testing.T) {
			if got := borrowsToken(tc.dom, []string{tc.token}); got != tc.want {
				t.Errorf("borrowsToken(%q, %q) = %v (skeleton %q)", tc.dom, tc.token, got, skeleton(tc.dom))
			}
		})
	}
}

// TestSplitReturned: a returned message quoted inline is cut off the
// notice's own text.
func TestSplitReturned(t *testing.T) {
	cases := []struct{ name, in, own string }{
		{"none", "Your mailbox is full.\nSign in.\n", "Your mailbox is full.\nSign in.\n"},
		{"english marker", "Delivery failed.\n------ Original message ------\nSign in: https://x/login\n", "Delivery failed.\n"},
		{"japanese marker", "配信できませんでした。\n------ 元のメッセージ ------\nログインして\n", "配信できませんでした。\n"},
		{"header block", "failed.\n\nReceived: from a by b\nMessage-ID: <x@y>\n", "failed.\n\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if own, _ := splitReturned(tc.in); own != tc.own {
				t.Errorf("own text %q, want %q", own, tc.own)
			}
		})
	}
}
