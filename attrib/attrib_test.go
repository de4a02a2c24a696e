package attrib

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/bouncewatch/bouncewatch/bounce"
)

var (
	ourDomains = []string{"example.jp"}
	batvKey    = []byte("test-batv-key-0123456789")
)

// decodeFile decodes a fixture of testdata/.
func decodeFile(t testing.TB, name string) *bounce.Result {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return decodeBytes(t, b)
}

func decodeBytes(t testing.TB, b []byte) *bounce.Result {
	t.Helper()
	res, err := bounce.DecodeBytes(b)
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	return res
}

// fillTemplate replaces {{KEY}} in a testdata template.
func fillTemplate(t testing.TB, name string, kv ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for i := 0; i+1 < len(kv); i += 2 {
		s = strings.ReplaceAll(s, "{{"+kv[i]+"}}", kv[i+1])
	}
	return []byte(s)
}

// logIndex is a send log: a message every 10 minutes from 1 Nov 00:00
// to 2 Nov 12:00 UTC and from 3 Nov 00:00 to 8 Nov 00:00 (the server was
// quiet in between), plus the message of postfix-ours.eml.
func logIndex(cfg Config) *Index {
	ix := NewIndex(cfg)
	add := func(from, to time.Time) {
		for t := from; t.Before(to); t = t.Add(10 * time.Minute) {
			q := fmt.Sprintf("%011X", 0xA0000000000+t.Unix()/60)
			ix.Add(Sent{
				QueueID:    q,
				MessageID:  "<" + t.In(jst).Format("20060102150405") + "." + q + "@mail.example.jp>",
				From:       "shop@example.jp",
				SASLUser:   "shop@example.jp",
				ClientIP:   "203.0.113.50",
				Host:       "mail.example.jp",
				Time:       t,
				Recipients: []string{"customer@remote.example"},
			})
		}
	}
	add(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	add(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC))
	ix.Add(Sent{
		QueueID:   "4B2C81A0042",
		MessageID: "<20261101171409.4B2C81A0042@mail.example.jp>",
		From:      "shop@example.jp",
		SASLUser:  "shop@example.jp",
		ClientIP:  "203.0.113.50",
		Host:      "mail.example.jp",
		Time:      time.Date(2026, 11, 1, 8, 14, 9, 0, time.UTC),
	})
	return ix
}

var jst = time.FixedZone("JST", 9*3600)

// dkimFixture signs a message for example.jp with a fresh RSA key and
// returns it with a TXT lookup serving the key.
func dkimFixture(t testing.TB) (signed []byte, lookup func(string) ([]string, error)) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	msg := strings.ReplaceAll(`Return-Path: <shop@example.jp>
Received: from [10.0.0.5] (unknown [198.18.7.7])
	by smtp.example.jp (Postfix) with ESMTPSA id 1A2B3C4D5E
	for <gone@remote.example>; Thu,  5 Nov 2026 10:00:01 +0900 (JST)
From: Example Shop <shop@example.jp>
To: gone@remote.example
Subject: Order 7781 shipped
Date: Thu, 5 Nov 2026 10:00:00 +0900
Message-ID: <d41d8cd98f00b204@example.jp>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Your order 7781 has shipped.
Tracking number: 1234-5678-9012
`, "\n", "\r\n")
	var out bytes.Buffer
	err = dkim.Sign(&out, strings.NewReader(msg), &dkim.SignOptions{
		Domain:                 "example.jp",
		Selector:               "bw2026",
		Signer:                 key,
		Hash:                   crypto.SHA256,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             []string{"From", "To", "Subject", "Date", "Message-ID"},
	})
	if err != nil {
		t.Fatal(err)
	}
	txt := "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(pub)
	lookup = func(name string) ([]string, error) {
		if name == "bw2026._domainkey.example.jp" {
			return []string{txt}, nil
		}
		return nil, fmt.Errorf("lookup %s: no such name", name)
	}
	return bytes.ReplaceAll(out.Bytes(), []byte("\r\n"), []byte("\n")), lookup
}

func codes(items []Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Code)
	}
	return out
}

func TestAttribute(t *testing.T) {
	signed, lookup := dkimFixture(t)
	tampered := bytes.Replace(signed, []byte("Tracking number: 1234-5678-9012"), []byte("Tracking: https://evil.example/t"), 1)
	if bytes.Equal(signed, tampered) {
		t.Fatal("tampering did not change the message")
	}
	bounceDate := time.Date(2026, 11, 9, 12, 0, 0, 0, time.UTC)
	rfcDate := bounceDate.Format(time.RFC1123Z)
	goodTag, err := SignBATV("shop@example.jp", batvKey, 3, bounceDate.Add(-26*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	otherTag, _ := SignBATV("shop@example.jp", []byte("someone else's key"), 3, bounceDate)
	oldTag, _ := SignBATV("shop@example.jp", batvKey, 3, bounceDate.AddDate(0, 0, -40))

	withLog := func() *Index { return logIndex(Config{Domains: ourDomains, Relays: []string{"192.0.2.10"}}) }
	relaysOnly := func() *Index {
		return NewIndex(Config{Domains: ourDomains, Relays: []string{"mail.example.jp", "192.0.2.10"}})
	}
	dkimIndex := func(v DKIMVerifier) func() *Index {
		return func() *Index { return NewIndex(Config{Domains: ourDomains, DKIM: v}) }
	}
	batvIndex := func(all bool) func() *Index {
		return func() *Index { return NewIndex(Config{Domains: ourDomains, BATVKey: batvKey, BATVSignsAll: all}) }
	}
	batvBounce := func(rcpt string) func(t testing.TB) *bounce.Result {
		return func(t testing.TB) *bounce.Result {
			return decodeBytes(t, fillTemplate(t, "batv-bounce.tmpl", "RCPT", rcpt, "DATE", rfcDate))
		}
	}
	dkimBounce := func(orig []byte) func(t testing.TB) *bounce.Result {
		return func(t testing.TB) *bounce.Result {
			return decodeBytes(t, fillTemplate(t, "dkim-bounce.tmpl", "ORIGINAL", string(orig)))
		}
	}
	file := func(name string) func(t testing.TB) *bounce.Result {
		return func(t testing.TB) *bounce.Result { return decodeFile(t, name) }
	}

	cases := []struct {
		name     string
		index    func() *Index
		bounce   func(t testing.TB) *bounce.Result
		verdict  Verdict
		want     []string // codes that must be present
		dontWant []string // codes that must be absent
		fake     []string // fake reasons that must be present; nil: not fake
		sasl     string
	}{
		{
			name: "postfix DSN of a message in our log", index: withLog, bounce: file("postfix-ours.eml"),
			verdict: Ours, sasl: "shop@example.jp",
			want:     []string{CodeMessageIDInLog, CodeQueueIDInLog, CodeReceivedOurRelay, CodeReceivedESMTPSA, CodeMessageIDOurForm, CodeDateInActivity},
			dontWant: []string{CodeMessageIDNotInLog, CodeDateOutside},
		},
		{
			name: "postfix DSN, no send log: the relay hop decides", index: relaysOnly, bounce: file("postfix-ours.eml"),
			verdict: Ours,
			want:    []string{CodeReceivedOurRelay, CodeReceivedESMTPSA},
			dontWant: []string{CodeReceivedNotOurs, CodeMessageIDInLog, CodeQueueIDInLog, CodeMessageIDNotInLog,
				CodeDateInActivity, CodeDateOutside},
		},
		{
			name: "backscatter for a forged message", index: withLog, bounce: file("backscatter.eml"),
			verdict:  NotOurs,
			want:     []string{CodeMessageIDNotInLog, CodeMessageIDForeign, CodeDateOutside, CodeReceivedNotOurs},
			dontWant: []string{CodeReceivedOurRelay, CodeMessageIDInLog, CodeMessageIDOurForm},
		},
		{
			// The chain never touches our relays and starts at a client
			// that did not log in (a bot straight to the recipient's MX).
			name: "backscatter, no send log: the foreign chain speaks", index: relaysOnly, bounce: file("backscatter.eml"),
			verdict:  NotOurs,
			want:     []string{CodeReceivedNotOurs, CodeReceivedUnauthenticated},
			dontWant: []string{CodeReceivedOurRelay, CodeMessageIDNotInLog},
		},
		{
			// The bot wrote, beneath the hop the foreign MX added, a hop
			// "by mail.example.jp with ESMTPSA": the MX says it got the
			// message from the bot, so that hop is the sender's text.
			name: "backscatter with a forged hop through our relay", index: relaysOnly, bounce: file("backscatter-forged-hop.eml"),
			verdict:  NotOurs,
			want:     []string{CodeReceivedNotOurs, CodeReceivedUnauthenticated},
			dontWant: []string{CodeReceivedOurRelay, CodeReceivedESMTPSA},
		},
		{
			name: "Gmail DSN: ESMTPSA hop at our relay, help links, no log", index: relaysOnly, bounce: file("relay-esmtpsa.eml"),
			verdict: Ours,
			want:    []string{CodeReceivedOurRelay, CodeReceivedESMTPSA},
		},
		{
			name: "Gmail DSN: relay hop but the log lacks the message", index: withLog, bounce: file("relay-esmtpsa.eml"),
			verdict: Unknown,
			want:    []string{CodeReceivedOurRelay, CodeReceivedESMTPSA, CodeMessageIDNotInLog, CodeDateInActivity},
		},
		{
			name: "DKIM of ours verifies", index: dkimIndex(MsgauthVerifier{LookupTXT: lookup}), bounce: dkimBounce(signed),
			verdict: Ours,
			want:    []string{CodeDKIMOursVerified},
		},
		{
			// The hop by smtp.example.jp (a host of our domain) says ours,
			// the broken signature says forged: contradictory, unknown.
			name: "DKIM of ours fails after tampering", index: dkimIndex(MsgauthVerifier{LookupTXT: lookup}), bounce: dkimBounce(tampered),
			verdict:  Unknown,
			want:     []string{CodeDKIMOursFailed},
			dontWant: []string{CodeDKIMOursVerified},
		},
		{
			// A host of our domain accepted it by authenticated submission,
			// and it carries our signature.
			name: "DKIM of ours, no verifier", index: dkimIndex(nil), bounce: dkimBounce(signed),
			verdict: Ours,
			want:    []string{CodeDKIMOursUnverified, CodeReceivedOurRelay, CodeReceivedESMTPSA},
		},
		{
			name: "BATV tag validates", index: batvIndex(false), bounce: batvBounce(goodTag),
			verdict: Ours, want: []string{CodeBATVValid},
		},
		{
			name: "BATV tag of another key", index: batvIndex(false), bounce: batvBounce(otherTag),
			verdict: NotOurs, want: []string{CodeBATVInvalid},
		},
		{
			name: "BATV tag expired", index: batvIndex(false), bounce: batvBounce(oldTag),
			verdict: NotOurs, want: []string{CodeBATVExpired},
		},
		{
			name: "BATV absent while we sign everything", index: batvIndex(true), bounce: batvBounce("shop@example.jp"),
			verdict: NotOurs, want: []string{CodeBATVAbsent},
		},
		{
			// No BATV item: the unauthenticated chain outside our hosts
			// decides.
			name: "BATV absent, signing optional", index: batvIndex(false), bounce: batvBounce("shop@example.jp"),
			verdict: NotOurs, want: []string{CodeReceivedNotOurs, CodeReceivedUnauthenticated},
			dontWant: []string{CodeBATVAbsent, CodeBATVValid, CodeBATVInvalid},
		},
		{
			name: "fake docomo notice with a zip and a phishing link", index: withLog, bounce: file("fake-docomo.eml"),
			verdict: Unknown, want: []string{CodeNoOriginal},
			fake: []string{CodeFakeNoMessageOfOurs, CodeFakeDangerousAttached, CodeFakeCredentialLink, CodeFakeImpersonation, CodeFakeLookalike, CodeFakeWording},
		},
		{
			name: "fake Mail delivery failed failing DMARC", index: withLog, bounce: file("fake-mdf-dmarc.eml"),
			verdict: Unknown, want: []string{CodeNoOriginal},
			fake: []string{CodeFakeAuthFail},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ix := tc.index()
			res := tc.bounce(t)
			a := ix.Attribute(res)
			got := codes(a.Items)
			if a.Verdict != tc.verdict {
				t.Errorf("verdict %s (score %v), want %s; items %v", a.Verdict, a.Score, tc.verdict, got)
			}
			for _, c := range tc.want {
				if !slices.Contains(got, c) {
					t.Errorf("item %s missing; items %v", c, got)
				}
			}
			for _, c := range tc.dontWant {
				if slices.Contains(got, c) {
					t.Errorf("item %s present; items %v", c, got)
				}
			}
			if tc.fake == nil && a.Fake != nil {
				t.Errorf("flagged fake: %v", codes(a.Fake.Reasons))
			}
			if tc.fake != nil {
				if a.Fake == nil {
					t.Fatalf("not flagged fake; items %v", got)
				}
				for _, c := range tc.fake {
					if !slices.Contains(codes(a.Fake.Reasons), c) {
						t.Errorf("fake reason %s missing; reasons %v", c, codes(a.Fake.Reasons))
					}
				}
			}
			if a.SASLUser != tc.sasl {
				t.Errorf("SASL user %q, want %q", a.SASLUser, tc.sasl)
			}
			var sum float64
			for _, it := range a.Items {
				sum += it.Weight
				if it.En == "" || it.Ja == "" {
					t.Errorf("item %s lacks text: %+v", it.Code, it)
				}
				if it.SupportsOurs != (it.Weight > 0) {
					t.Errorf("item %s: SupportsOurs %v with weight %v", it.Code, it.SupportsOurs, it.Weight)
				}
			}
			if sum != a.Score {
				t.Errorf("score %v, items sum to %v", a.Score, sum)
			}
		})
	}
}

func TestAttributeEvidenceText(t *testing.T) {
	a := logIndex(Config{Domains: ourDomains}).Attribute(decodeFile(t, "postfix-ours.eml"))
	for _, it := range a.Items {
		switch it.Code {
		case CodeMessageIDInLog:
			for _, want := range []string{"<20261101171409.4B2C81A0042@mail.example.jp>", "queue 4B2C81A0042", "SASL user shop@example.jp"} {
				if !strings.Contains(it.En, want) {
					t.Errorf("English text %q lacks %q", it.En, want)
				}
			}
			if !strings.Contains(it.Ja, "送信ログにあります") || !strings.Contains(it.Ja, "キュー 4B2C81A0042") {
				t.Errorf("Japanese text %q", it.Ja)
			}
		case CodeReceivedESMTPSA:
			// The client is the address in the comment, not the HELO literal.
			if !strings.Contains(it.En, "203.0.113.50") || strings.Contains(it.En, "192.168.1.23") {
				t.Errorf("ESMTPSA text %q does not name the real client", it.En)
			}
		}
	}
	if a.ClientIP != "203.0.113.50" {
		t.Errorf("client IP %q", a.ClientIP)
	}
}

func TestAttributeNil(t *testing.T) {
	ix := NewIndex(Config{})
	for name, res := range map[string]*bounce.Result{
		"nil":         nil,
		"no original": {Kind: bounce.KindBounce, Records: []bounce.Record{{Recipient: "a@b.example"}}},
	} {
		a := ix.Attribute(res)
		if a.Verdict != Unknown || len(a.Items) != 1 || a.Items[0].Code != CodeNoOriginal {
			t.Errorf("%s: %+v", name, a)
		}
	}
}

func TestBATV(t *testing.T) {
	now := time.Date(2026, 11, 9, 12, 0, 0, 0, time.UTC)
	tag, err := SignBATV("<Shop@example.jp>", batvKey, 1, now)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		addr string
		key  []byte
		at   time.Time
		err  error
	}{
		{"valid now", tag, batvKey, now, nil},
		{"valid upper-case hash", strings.ToUpper(tag[:15]) + tag[15:], batvKey, now, nil},
		{"valid on the last day", tag, batvKey, now.AddDate(0, 0, BATVValidity), nil},
		{"expired", tag, batvKey, now.AddDate(0, 0, BATVValidity+2), ErrBATVExpired},
		{"wrong key", tag, []byte("other"), now, ErrBATVHash},
		{"altered address", strings.Replace(tag, "Shop@", "shoq@", 1), batvKey, now, ErrBATVHash},
		{"plain address", "shop@example.jp", batvKey, now, ErrNotBATV},
		{"short tag", "prvs=12345=shop@example.jp", batvKey, now, ErrNotBATV},
		{"non-hex hash", "prvs=1123zzzzzz=shop@example.jp", batvKey, now, ErrNotBATV},
		{"no domain", "prvs=1123abcdef=shop", batvKey, now, ErrNotBATV},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ValidateBATV(tc.addr, tc.key, tc.at)
			if !errors.Is(err, tc.err) && !(err == nil && tc.err == nil) {
				t.Errorf("ValidateBATV(%q) = %v, want %v", tc.addr, err, tc.err)
			}
		})
	}
	// Known answer (computed with Python hmac): HMAC-SHA1("k", "1" + "123" + "a@b.example"), first 3 bytes.
	p, err := ParseBATV("prvs=1123" + batvHash([]byte("k"), '1', 123, "a@b.example") + "=a@b.example")
	if err != nil || p.Day != 123 || p.KeyNum != '1' || p.Address != "a@b.example" {
		t.Errorf("ParseBATV: %+v, %v", p, err)
	}
	if h := batvHash([]byte("k"), '1', 123, "a@b.example"); h != "7d8912" {
		t.Errorf("batvHash known answer %s", h)
	}
}

func TestMessageIDShape(t *testing.T) {
	cases := []struct{ name, id, want string }{
		{"postfix timestamp and queue id", "<20261101171409.4B2C81A0042@mail.example.jp>", "digits14.hex@mail.example.jp"},
		{"thunderbird uuid", "<3f5e2a1b-9c8d-4e7f-a6b5-0c1d2e3f4a5b@Example.JP>", "hex-hex-hex-hex-hex@example.jp"},
		{"outlook express", "<000d01db2c7e$5a3f1c20$0ebd5460$@cheapmeds.example>", "hex$hex$hex$@cheapmeds.example"},
		{"words", "<order-confirmation.7781@shop.example>", "alpha-alpha.digits4@shop.example"},
		{"mixed", "<CAKx9Jz1@mail.gmail.com>", "alnum@mail.gmail.com"},
		{"no domain", "justlocal", "alpha"},
		{"repeated separators", "<a..b@x>", "alpha.alpha@x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := MessageIDShape(tc.id); got != tc.want {
				t.Errorf("MessageIDShape(%q) = %q, want %q", tc.id, got, tc.want)
			}
		})
	}
}

func TestActivityNear(t *testing.T) {
	ix := logIndex(Config{ActivityWindow: 5 * time.Minute})
	cases := []struct {
		name            string
		t               time.Time
		active, covered bool
	}{
		{"on a send", time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC), true, true},
		{"within the window", time.Date(2026, 11, 1, 6, 4, 0, 0, time.UTC), true, true},
		{"in the quiet gap", time.Date(2026, 11, 2, 18, 0, 0, 0, time.UTC), false, true},
		{"before the log", time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC), false, false},
		{"after the log", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, c := ix.activityNear(tc.t)
			if a != tc.active || c != tc.covered {
				t.Errorf("activityNear = %v, %v; want %v, %v", a, c, tc.active, tc.covered)
			}
		})
	}
}

func TestIndexLookups(t *testing.T) {
	ix := NewIndex(Config{Relays: []string{"[IPv6:2001:db8::25]", "Mail.Example.JP."}})
	ix.Add(Sent{QueueID: "1tXyZa-0003AZ-5F", MessageID: "<Abc@Mail.Example.JP>", SASLUser: "u", ClientIP: "::ffff:192.0.2.7", Host: "smtp2.example.jp"})
	if ix.Len() != 1 {
		t.Fatalf("Len %d", ix.Len())
	}
	if _, _, ok := ix.lookupMsgID("Abc@mail.example.jp"); !ok {
		t.Error("Message-ID with other domain case not found")
	}
	if _, _, ok := ix.lookupMsgID("<abc@mail.example.jp>"); ok {
		t.Error("Message-ID local part matched case-insensitively")
	}
	e, _, ok := ix.lookupQueueID("1tXyZa-0003AZ-5F")
	if !ok || ix.strs[e.ip] != "192.0.2.7" {
		t.Errorf("queue ID lookup: %v, ip %q", ok, ix.strs[e.ip])
	}
	for _, h := range []string{"mail.example.jp", "2001:db8::25", "SMTP2.example.jp"} {
		if !ix.isRelay(h) {
			t.Errorf("%s not a relay", h)
		}
	}
	if ix.isRelay("mx.foreign.example") {
		t.Error("foreign host taken for a relay")
	}
}

func TestIsRelayShortName(t *testing.T) {
	ix := NewIndex(Config{Domains: []string{"example.jp"}})
	ix.Add(Sent{QueueID: "C9386BA484", Host: "mail"}) // syslog's short host name
	tests := []struct {
		host string
		want bool
	}{
		{"mail", true},
		{"mail.example.jp", true},
		{"MAIL.Example.JP.", true},
		{"mail.sub.example.jp", true},
		{"mail.foreign.example", false}, // a short name only matches in our domains
		{"smtp.example.jp", false},
		{"example.jp", false},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			if got := ix.isRelay(tc.host); got != tc.want {
				t.Errorf("isRelay(%q) = %v, want %v", tc.host, got, tc.want)
			}
		})
	}
}

// TestLearnVotesRelays: the entry host most bounces claiming to be ours
// share is voted ours when the submissions there were authenticated; the
// many servers a forgery enters at are not; a provider with many servers
// is voted by organisation and counts for authenticated entries only.
func TestLearnVotesRelays(t *testing.T) {
	var facts []*Facts
	mk := func(entry Hop, authHeader string, dkim bool) *Facts {
		f := &Facts{Returned: true, FromDomain: "example.jp",
			Hops: []Hop{{By: "mx.remote.example", From: entry.By, Client: "192.0.2.9", With: "ESMTPS"}, entry}, AuthHeader: authHeader}
		if dkim {
			f.DKIM = []Sig{{Domain: "example.jp", Selector: "default"}}
		}
		return f
	}
	for i := 0; i < 12; i++ {
		facts = append(facts, mk(Hop{By: "sv1234.hosting.example", Client: fmt.Sprintf("198.18.%d.7", i), With: "ESMTPSA", Auth: "ESMTPSA"}, "", true))
	}
	for i := 0; i < 12; i++ {
		facts = append(facts, mk(Hop{By: fmt.Sprintf("mx%d.victim%d.example", i, i), Client: fmt.Sprintf("198.19.%d.1", i), With: "ESMTP"}, "", false))
	}
	for i := 0; i < 12; i++ {
		facts = append(facts, mk(Hop{By: fmt.Sprintf("TYCPR01MB%04d.jpnprd01.prod.outlook.com", i), Client: fmt.Sprintf("203.0.113.%d", i), With: "MICROSOFT"}, "X-MS-Exchange-Organization-AuthAs: Internal", true))
	}
	ix := NewIndex(Config{Domains: []string{"example.jp"}})
	pop := ix.Learn(slices.Values(facts), LearnOptions{})
	var hosts []string
	for _, r := range pop.Relays {
		hosts = append(hosts, r.Host)
	}
	if !slices.Contains(hosts, "sv1234.hosting.example") || !slices.Contains(hosts, "outlook.com") || len(hosts) != 2 {
		t.Errorf("voted relays %v, want sv1234.hosting.example and outlook.com", hosts)
	}
	if pop.Signs() != "example.jp" {
		t.Errorf("signs %q, want example.jp: every message through our relays is signed", pop.Signs())
	}
	for i, f := range facts {
		a := ix.JudgeCodes(f, pop)
		want := Ours
		if i >= 12 && i < 24 {
			want = NotOurs
		}
		if a.Verdict != want {
			t.Errorf("facts %d (entry %s): %s, want %s; items %v", i, f.Entry().By, a.Verdict, want, codes(a.Items))
		}
	}
	// A forged message that entered at an outlook.com server without
	// logging in is not ours for the organisation's vote.
	bot := mk(Hop{By: "outlook-com.olc.protection.outlook.com", Client: "198.19.200.1", With: "ESMTPS"}, "", false)
	if a := ix.JudgeCodes(bot, pop); a.Verdict != NotOurs {
		t.Errorf("unauthenticated entry at the voted organisation: %s, items %v", a.Verdict, codes(a.Items))
	}
}
