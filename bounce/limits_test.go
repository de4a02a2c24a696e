package bounce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// reportParts builds a multipart/report with n message/delivery-status
// parts, one recipient each, each part's Reporting-MTA distinct.
func reportParts(n int) []byte {
	var b bytes.Buffer
	b.WriteString("From: MAILER-DAEMON@mx.example.jp\nSubject: Undelivered Mail Returned to Sender\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nDelivery failed.\n")
	for i := range n {
		fmt.Fprintf(&b, "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx%d.example.jp\n\n"+
			"Final-Recipient: rfc822; user%d@example.com\nAction: failed\nStatus: 5.1.1\n\n", i, i)
	}
	b.WriteString("--B--\n")
	return b.Bytes()
}

func jsonSize(t *testing.T, res *Result) int {
	t.Helper()
	n := 0
	for i := range res.Records {
		b, err := json.Marshal(&res.Records[i])
		if err != nil {
			t.Fatal(err)
		}
		n += len(b)
	}
	return n
}

// TestEvidenceGrowsWithRecipients: a notice of many report parts does not
// repeat the evidence of every part in every record (issue 7 §6).
func TestEvidenceGrowsWithRecipients(t *testing.T) {
	size := map[int]int{}
	for _, n := range []int{100, 900} {
		res, err := DecodeBytes(reportParts(n))
		if err != nil || len(res.Records) != n {
			t.Fatalf("%d parts: %v, %d records", n, err, len(res.Records))
		}
		for _, r := range res.Records {
			if len(r.Evidence) > maxEvidence+1 {
				t.Fatalf("%d parts: %d evidence lines in one record", n, len(r.Evidence))
			}
			if c := strings.Count(strings.Join(r.Evidence, "\n"), "MIME part message/delivery-status"); c != 1 {
				t.Fatalf("%d parts: the part's evidence %d times in one record: %q", n, c, r.Evidence)
			}
		}
		size[n] = jsonSize(t, res)
	}
	// Nine times the recipients: about nine times the JSON, not 81.
	if r := float64(size[900]) / float64(size[100]); r > 10 {
		t.Errorf("JSON grew %.1f times for 9 times the recipients (%d -> %d bytes)", r, size[100], size[900])
	}
}

func TestEvidenceOf(t *testing.T) {
	shared := make([]string, 40)
	for i := range shared {
		shared[i] = fmt.Sprintf("line %d", i%20) // 20 distinct, each twice
	}
	got := evidenceOf(shared, []string{"own", "line 0"}, []Warning{{Kind: WarnMIMEParts, Limit: 1000}})
	if len(got) != maxEvidence+1 {
		t.Fatalf("%d lines: %q", len(got), got)
	}
	if !strings.HasPrefix(got[0], "read in part: more than 1000 MIME parts") {
		t.Errorf("warning not first: %q", got[0])
	}
	// 1 warning + 15 shared lines shown; 5 shared and "own" left.
	if last := got[len(got)-1]; last != "… and 6 more lines of evidence" {
		t.Errorf("last line %q", last)
	}
	if got := evidenceOf(nil, nil, nil); got == nil || len(got) != 0 {
		t.Errorf("no evidence: %#v, want an empty list", got)
	}
}

// TestSilentCutsAreSaid: past the decoder's limits the record's evidence
// and Result.Warnings say what was not read (issue 7 §6).
func TestSilentCutsAreSaid(t *testing.T) {
	nested := func(depth int) []byte {
		var b strings.Builder
		b.WriteString("From: MAILER-DAEMON@mx.example.jp\nSubject: Undelivered Mail Returned to Sender\n")
		for i := range depth {
			fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"L%03d\"\n\n--L%03d\n", i, i)
		}
		b.WriteString("Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\n" +
			"Final-Recipient: rfc822; deep@example.com\nAction: failed\nStatus: 5.1.1\n\n")
		return []byte(b.String())
	}
	manyLines := func() []byte {
		var b bytes.Buffer
		b.Write(manyFreeText("postfix", 1))
		b.WriteString(strings.Repeat("filler\n", maxProseLines+10))
		b.WriteString("<late@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 unknown user (in reply to RCPT TO command)\n")
		return b.Bytes()
	}
	cases := []struct {
		name     string
		msg      []byte
		want     WarningKind
		recorded bool // a record carries the warning in its evidence
	}{
		{"parts", reportParts(maxParts + 5), WarnMIMEParts, true},
		{"depth", nested(maxDepth + 3), WarnMIMEDepth, false},
		{"prose lines", manyLines(), WarnProseLines, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := DecodeBytes(c.msg)
			if err != nil {
				t.Fatal(err)
			}
			var found *Warning
			for i := range res.Warnings {
				if res.Warnings[i].Kind == c.want {
					found = &res.Warnings[i]
				}
			}
			if found == nil {
				t.Fatalf("no %s warning: %+v", c.want, res.Warnings)
			}
			if c.recorded {
				if len(res.Records) == 0 || !strings.Contains(strings.Join(res.Records[0].Evidence, "\n"), found.String()) {
					t.Errorf("the record's evidence does not say %q: %+v", found, res.Records)
				}
			}
		})
	}
	t.Run("within the limits", func(t *testing.T) {
		res, _ := DecodeBytes(reportParts(10))
		if len(res.Warnings) != 0 {
			t.Errorf("warnings %+v", res.Warnings)
		}
	})
}

// TestNotAnAddress: a recipient without '@' or with control characters is
// dropped with a warning; the others stay (issue 7 §6).
func TestNotAnAddress(t *testing.T) {
	msg := "From: MAILER-DAEMON@mx.example.jp\nSubject: Undelivered Mail Returned to Sender\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n" +
		"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\n" +
		"Final-Recipient: rfc822; good@example.com\nAction: failed\nStatus: 5.1.1\n\n" +
		"Final-Recipient: rfc822; nobody-at-all\nAction: failed\nStatus: 5.1.1\n\n" +
		"Final-Recipient: rfc822; evil\x1b]8;;http://x.example/\x07@example.com\nAction: failed\nStatus: 5.1.1\n\n--B--\n"
	res, err := DecodeBytes([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != 1 || res.Records[0].Recipient != "good@example.com" {
		t.Fatalf("records %+v", res.Records)
	}
	ev := strings.Join(res.Records[0].Evidence, "\n")
	for _, want := range []string{`dropped recipient "nobody-at-all": not an address`, `\a@example.com": not an address`} {
		if !strings.Contains(ev, want) {
			t.Errorf("evidence %q lacks %q", ev, want)
		}
	}
	if strings.ContainsAny(ev, "\x1b\x07") {
		t.Errorf("control characters in the evidence: %q", ev)
	}

	for _, c := range []struct {
		in   string
		want bool
	}{
		{"a@b", true}, {`"john doe"@example.com`, true}, {"ユーザー@例え.jp", true},
		{"root", false}, {"@example.com", false}, {"user@", false}, {"a\x00@b", false}, {"a@b\x7f", false},
		{"a\u0085@b", false}, {"a\xff@b", false}, {"", false},
	} {
		if got := isAddress(c.in); got != c.want {
			t.Errorf("isAddress(%q) = %v", c.in, got)
		}
	}
}

// TestISO2022JPResync: a line that ends inside a character, or in a
// two-byte mode without ESC ( B, garbles that line only (RFC 1468: each
// line ends in ASCII).
func TestISO2022JPResync(t *testing.T) {
	const kanji = "\x1b$B%a!<%k\x1b(B" // メール
	cases := []struct {
		name string
		in   string
		want string
	}{
		{"well formed", kanji + "\nnext line\n", "メール\nnext line\n"},
		{"ends in two-byte mode", "\x1b$B%a!<\nUser unknown\n", "メー\nUser unknown\n"},
		{"ends inside a character", "\x1b$B%a!<%\nUser unknown: " + kanji + "\n", "メー\ufffd\nUser unknown: メール\n"},
		{"ends in katakana mode", "\x1b(I12\nUser unknown\n", "\uff71\uff72\nUser unknown\n"},
		{"no final line end", "\x1b$B%a", "メ"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := toUTF8([]byte(c.in), "iso-2022-jp"); got != c.want {
				t.Errorf("toUTF8(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
	// In a bounce: the recipient after the broken line is found.
	msg := "From: MAILER-DAEMON@mx.example.jp\nSubject: Undelivered Mail Returned to Sender\n" +
		"Content-Type: text/plain; charset=ISO-2022-JP\n\nThis is the mail system at host mx.example.jp.\n\n" +
		"\x1b$B%a!<%k$rAw?.$G$-$^$;$s$G$7$?%\n\n" +
		"<user@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 unknown user (in reply to RCPT TO command)\n"
	res, err := DecodeBytes([]byte(msg))
	if err != nil || len(res.Records) != 1 || res.Records[0].Recipient != "user@example.com" || res.Records[0].Status != "5.1.1" {
		t.Fatalf("%v %+v", err, res)
	}
}
