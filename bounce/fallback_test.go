package bounce

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fallbackWant is what a fixture of testdata/fallback must decode to.
type fallbackWant struct {
	recipient string
	reason    string
	status    string
	rule      string // a substring of one evidence line
}

// TestFallbackFixtures decodes notices written for these tests in formats
// no recogniser knows, in the languages of issue 7 section 1, and the
// messages of section 2 that are not failures.
func TestFallbackFixtures(t *testing.T) {
	cases := []struct {
		name      string
		file      string
		kind      Kind
		by        string
		want      []fallbackWant
		forbidden []string // never a recipient
	}{
		{"unknown 1998 MTA, English, original inline", "unknown-1998-en.eml", KindBounce, "fallback", []fallbackWant{
			{"carol@rcpt.test", "userunknown", "", ruleWordsLine},
			{"dan@rcpt.test", "userunknown", "", ruleWordsLine},
		}, []string{"alice@sender.test", "helpdesk@rcpt.test", "mailer-daemon@gw.rcpt.test"}},
		{"French, status code after the address", "fr.eml", KindBounce, "fallback", []fallbackWant{
			{"jean@rcpt.test", "userunknown", "5.1.1", ruleIntro},
		}, []string{"alice@sender.test"}},
		{"German, mailbox full in words", "de.eml", KindBounce, "fallback", []fallbackWant{
			{"hans@rcpt.test", "mailboxfull", "", ruleWordsLine},
		}, []string{"alice@sender.test"}},
		{"Spanish, user does not exist", "es.eml", KindBounce, "fallback", []fallbackWant{
			{"ana@rcpt.test", "userunknown", "", ruleIntro},
		}, []string{"alice@sender.test", "postmaster@correo.rcpt.test"}},
		{"Portuguese, base64, reason on another line", "pt.eml", KindBounce, "fallback", []fallbackWant{
			{"joao@rcpt.test", "mailboxfull", "", ruleIntro},
		}, []string{"alice@sender.test"}},
		{"Italian, SMTP reply on the address's line", "it.eml", KindBounce, "fallback", []fallbackWant{
			{"marco@rcpt.test", "mailboxfull", "5.2.2", ruleCodeLine},
		}, nil},
		{"Dutch, domain does not exist", "nl.eml", KindBounce, "fallback", []fallbackWant{
			{"piet@nergens.test", "hostunknown", "", ruleIntro},
		}, nil},
		{"Russian, KOI8-R", "ru.eml", KindBounce, "fallback", []fallbackWant{
			{"ivan@rcpt.test", "userunknown", "", ruleIntro},
		}, nil},
		{"Chinese, GB2312, QQ wording", "zh.eml", KindBounce, "fallback", []fallbackWant{
			{"wang@rcpt.test", "mailboxfull", "", ruleIntro},
		}, []string{"postmaster@mx.rcpt.test"}},
		{"Japanese, ISO-2022-JP", "ja.eml", KindBounce, "fallback", []fallbackWant{
			{"taro@rcpt.test", "userunknown", "", ruleIntro},
		}, nil},
		{"DSN mislabelled text/plain, indented", "mislabelled-dsn.eml", KindBounce, "fallback", []fallbackWant{
			{"erin@rcpt.test", "userunknown", "5.1.1", ruleDSNText},
		}, nil},
		{"no address in the notice: the returned message's To", "returned-to.eml", KindBounce, "fallback", []fallbackWant{
			{"frank@rcpt.test", "", "", ruleReturnedTo},
		}, []string{"alice@sender.test"}},
		{"bounce forwarded by a list: the list's addresses are not taken", "list-forward.eml", KindBounce, "fallback", []fallbackWant{
			{"gina@rcpt.test", "userunknown", "5.1.1", ruleCodeLine},
		}, []string{"cats@lists.example.org", "cats-bounces@lists.example.org", "postmaster@mx.rcpt.test"}},
		{"X-Failed-Recipients on an unknown notice", "x-failed.eml", KindBounce, "fallback", []fallbackWant{
			{"leo@rcpt.test", "suspend", "5.2.1", ruleXFailed},
		}, nil},
		{"Boxbe challenge", "boxbe.eml", KindNotBounce, "", nil, []string{"bob@rcpt.test"}},
		{"please verify you are a real person", "verify-human.eml", KindNotBounce, "", nil, []string{"helen@rcpt.test"}},
		{"Mailman command results", "mailman-results.eml", KindNotBounce, "", nil, []string{"kim@rcpt.test"}},
		{"success report in prose", "success.eml", KindNotBounce, "", nil, []string{"jack@rcpt.test"}},
		{"quota warning to our own user", "quota-warning.eml", KindNotBounce, "", nil, []string{"alice@sender.test"}},
		{"out of office, English", "ooo-en.eml", KindBounce, "rfc3834", []fallbackWant{
			{"ivy@rcpt.test", "vacation", "", ""},
		}, nil},
		{"out of office, Japanese 【不在】", "ooo-ja.eml", KindBounce, "rfc3834", []fallbackWant{
			{"yamada@rcpt.test", "vacation", "", ""},
		}, nil},
		{"a person writing about absence", "person-absence-ja.eml", KindNotBounce, "", nil, nil},
		{"BOM, blank lines and a From_ line before the header", "leading-junk.eml", KindBounce, "fallback", []fallbackWant{
			{"carol@rcpt.test", "userunknown", "", ruleWordsLine},
			{"dan@rcpt.test", "userunknown", "", ruleWordsLine},
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "fallback", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			res, err := DecodeBytes(raw)
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != tc.kind || res.DecodedBy != tc.by {
				t.Fatalf("kind %s by %q, want %s by %q: %+v", res.Kind, res.DecodedBy, tc.kind, tc.by, res.Records)
			}
			if len(res.Records) != len(tc.want) {
				t.Fatalf("%d records, want %d: %+v", len(res.Records), len(tc.want), res.Records)
			}
			for i, w := range tc.want {
				r := res.Records[i]
				if r.Recipient != w.recipient {
					t.Errorf("record %d: recipient %q, want %q", i, r.Recipient, w.recipient)
				}
				if w.reason != "" && string(r.Reason) != w.reason {
					t.Errorf("%s: reason %s, want %s (diagnostic %q)", r.Recipient, r.Reason, w.reason, r.DiagnosticCode)
				}
				if !r.Reason.Valid() {
					t.Errorf("%s: invalid reason %q", r.Recipient, r.Reason)
				}
				if r.Status != w.status {
					t.Errorf("%s: status %q, want %q", r.Recipient, r.Status, w.status)
				}
				if r.DecodedBy != tc.by {
					t.Errorf("%s: decoded_by %q, want %q", r.Recipient, r.DecodedBy, tc.by)
				}
				if w.rule != "" && !slices.ContainsFunc(r.Evidence, func(e string) bool { return strings.Contains(e, w.rule) }) {
					t.Errorf("%s: no evidence line with %q: %q", r.Recipient, w.rule, r.Evidence)
				}
			}
			for _, r := range res.Records {
				for _, bad := range tc.forbidden {
					if strings.EqualFold(r.Recipient, bad) {
						t.Errorf("forbidden address %s taken for a recipient", bad)
					}
				}
			}
		})
	}
}

// TestFallbackReturnedOriginal checks that a returned message quoted in the
// notice's text is cut from the prose and kept as the original.
func TestFallbackReturnedOriginal(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "fallback", "unknown-1998-en.eml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := DecodeBytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	o := res.Returned()
	if o == nil || o.MessageID != "<19980302095958.A123@sender.test>" || o.Subject != "Quote request" {
		t.Fatalf("returned message not kept: %+v", o)
	}
}

// TestLeadingJunk checks that what careless saving puts before the first
// header field does not hide the message (issue 7 section 2).
func TestLeadingJunk(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "mta1", "postfix-prose.eml"))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := DecodeBytes(raw)
	if err != nil || ref.Kind != KindBounce {
		t.Fatalf("reference fixture: %v %+v", err, ref)
	}
	for _, tc := range []struct {
		name   string
		prefix string
	}{
		{"blank lines", "\n\n\n"},
		{"spaces and a blank line", "   \n \t\n"},
		{"CRLF blank lines", "\r\n\r\n"},
		{"UTF-8 BOM", "\xef\xbb\xbf"},
		{"BOM then blank lines", "\xef\xbb\xbf\n\n"},
		{"mbox From_ line", "From MAILER-DAEMON Mon May  6 10:00:00 2024\n"},
		{"mbox From_ line then blank lines", "From MAILER-DAEMON Mon May  6 10:00:00 2024\n\n\n"},
		{"blank lines, From_ line, BOM", "\n\nFrom MAILER-DAEMON Mon May  6 10:00:00 2024\n\xef\xbb\xbf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := DecodeBytes(append([]byte(tc.prefix), raw...))
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != ref.Kind || res.DecodedBy != ref.DecodedBy || len(res.Records) != len(ref.Records) ||
				res.Records[0].Recipient != ref.Records[0].Recipient || res.Subject != ref.Subject {
				t.Fatalf("decoded as %s by %q (%d records), want %s by %q", res.Kind, res.DecodedBy, len(res.Records), ref.Kind, ref.DecodedBy)
			}
		})
	}
	if got := trimLeading([]byte("From: a@b.test\n\nbody")); !bytes.Equal(got, []byte("From: a@b.test\n\nbody")) {
		t.Errorf("a clean message was changed: %q", got)
	}
}

// TestFallbackNeverTakes checks rule d of issue 7 section 1 on notices
// built around each forbidden address: the bounce's own recipient, the
// postmaster, the list that relayed it, and the returned message's author.
func TestFallbackNeverTakes(t *testing.T) {
	const head = "Return-Path: <>\nFrom: MAILER-DAEMON@mx.rcpt.test\nTo: owner@sender.test\n" +
		"List-Id: <news.lists.sender.test>\nSubject: Undeliverable mail\n\n"
	cases := []struct {
		name string
		body string
		want []string
	}{
		{"the bounce's own To", "Delivery failed for owner@sender.test: 550 user unknown\nkate@rcpt.test: 550 user unknown\n", []string{"kate@rcpt.test"}},
		{"the postmaster", "Could not be delivered to postmaster@rcpt.test: 550 no such user\n", nil},
		{"the list, named by its List-Id", "Could not be delivered to news@lists.sender.test: 550 no such user\n", nil},
		{"list server addresses", "Could not be delivered to news-bounces@lists.sender.test: 550 user unknown\n", nil},
		{"the returned message's author", "Could not be delivered to nobody: 550 user unknown\n\n" +
			"--- Original message follows ---\nReceived: by mx.sender.test\nFrom: Boss <boss@sender.test>\nTo: boss@sender.test\n\nhello\n", nil},
		{"the sender named in a transcript", "Delivery failed.\nThe message from owner2@sender.test was refused:\n" +
			"550 5.7.1 <owner2@sender.test>: Sender address rejected: Access denied\nMAIL FROM:<owner2@sender.test> 550 denied\n", nil},
		{"an address with no failure context", "Delivery failed. Questions? Write to help@rcpt.test today.\n", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := DecodeBytes([]byte(head + tc.body))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range res.Records {
				got = append(got, r.Recipient)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("recipients %q, want %q", got, tc.want)
			}
		})
	}
}

// TestFallbackNeedsMarks checks that mail without the marks of a notice is
// never read by the fallback, whatever its words.
func TestFallbackNeedsMarks(t *testing.T) {
	for _, tc := range []struct{ name, msg string }{
		{"a person quoting a failure", "From: Ann <ann@sender.test>\nTo: ben@rcpt.test\nSubject: Re: undeliverable\n\n" +
			"My mail could not be delivered to carl@rcpt.test: 550 user unknown. Any idea?\n"},
		{"automatic mail without failure words", "From: MAILER-DAEMON@mx.rcpt.test\nTo: ann@sender.test\nSubject: Report\n\n" +
			"Weekly statistics for dora@rcpt.test are attached.\n"},
		{"a forward of a bounce by a person", "From: Ann <ann@sender.test>\nTo: ben@rcpt.test\nSubject: Fwd: Mail delivery failed\n\n" +
			"---------- Forwarded message ----------\nFrom: MAILER-DAEMON@mx.rcpt.test\n\nfrank@rcpt.test: 550 user unknown\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := DecodeBytes([]byte(tc.msg))
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != KindNotBounce {
				t.Fatalf("taken for a bounce by %s: %+v", res.DecodedBy, res.Records)
			}
		})
	}
}

// TestFindFailureCode checks the reply-code finder on the forms of RFC 5321
// section 4.2 and RFC 3463, and on numbers that are not codes.
func TestFindFailureCode(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"550 user unknown", true},
		{"<a@b.c>: 552-5.2.2 full", true},
		{"said: 5.1.1 no such user", true},
		{"code 421", true},
		{"at 2024-05-14 10:00", false},
		{"ip 192.0.2.450", false},
		{"port 465/tcp", false},
		{"version 4.95", false},
		{"id 5501234", false},
		{"600 things", false},
		{"599 no", false},
		{"4.7.0 ", true},
	} {
		if got := hasReplyCode(tc.s); got != tc.want {
			t.Errorf("hasReplyCode(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

// FuzzFallbackText feeds arbitrary text to the fallback's text readers:
// never a panic, every recipient an address.
func FuzzFallbackText(f *testing.F) {
	f.Add("Could not be delivered to a@b.test: 550 user unknown\n")
	f.Add("  Final-Recipient: rfc822; a@b.test\n  Status: 5.1.1\n   cont\n")
	f.Add("宛先：x@y.test\n---- Original message ----\nReceived: x\nFrom: a@b.c\n")
	f.Fuzz(func(t *testing.T, s string) {
		recs, _ := proseRecipients(s, addrSet{})
		recs = append(recs, textDSNRecords(s)...)
		for _, r := range recs {
			if r.Recipient == "" {
				t.Fatalf("empty recipient from %q", s)
			}
		}
		_ = noticeDiagnostic(s)
		hasReplyCode(s)
		m := &flat{Parts: []part{{Type: "text/plain", Text: s}}}
		noticeProse(m)
	})
}
