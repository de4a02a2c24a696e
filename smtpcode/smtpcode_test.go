package smtpcode

import (
	"strings"
	"testing"
)

func TestFindStatus(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"plain", "5.1.1 user unknown", "5.1.1"},
		{"after reply code", "550 5.1.1 <a@example.jp>... User unknown", "5.1.1"},
		{"after reply code hyphen", "550-5.7.26 This mail has been blocked", "5.7.26"},
		{"three digit detail", "550 5.7.509 Access denied", "5.7.509"},
		{"temporary", "451 4.7.0 Temporary failure", "4.7.0"},
		{"hash", "#5.1.1 bad address", "5.1.1"},
		{"parenthesis", "Remote server returned (5.2.2)", "5.2.2"},
		{"bracket", "failed [4.4.7] expired", "4.4.7"},
		{"sentence end", "the status was 5.1.1.", "5.1.1"},
		{"ip address only", "host 192.168.1.1 said: blah", ""},
		{"code inside ip", "connect to 10.5.1.1 failed", ""},
		{"ip before code", "host mx[192.0.2.1] said: 550 5.1.1 unknown", "5.1.1"},
		{"version number", "Postfix v2.4.1 ready", ""},
		{"four parts", "address 5.1.1.4 here", ""},
		{"bad class", "3.1.1 whatever", ""},
		{"bad subject", "5.8.1 whatever", ""},
		{"detail too long", "5.1.1234 whatever", ""},
		{"date", "2024-05-01 5.0.0 failed", "5.0.0"},
		{"prefer after reply", "queue 2.0.0 then 550 5.1.1 unknown", "5.1.1"},
		{"first when no reply", "4.4.1 first then 5.1.1 second", "4.4.1"},
		{"letter before", "x5.1.1 no", ""},
		{"empty", "", ""},
		{"short", "5.1.", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := FindStatus(c.text); got != c.want {
				t.Errorf("FindStatus(%q) = %q, want %q", c.text, got, c.want)
			}
		})
	}
}

func TestFindReplyCode(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"start", "550 5.1.1 User unknown", "550"},
		{"start hyphen", "550-5.1.1 The email account", "550"},
		{"said", "host mx.example.jp[192.0.2.1] said: 550 User unknown", "550"},
		{"transcript", ">>> RCPT TO:<a@b>\n<<< 550 Unknown user", "550"},
		{"line start", "blah\n421 Too many connections", "421"},
		{"smtp error", "SMTP error from remote mail server after RCPT TO:<a@b.jp>: 550 rejected", "550"},
		{"diagnostic", "smtp; 452 4.2.2 Mailbox full", "452"},
		{"followed by status", "the server answered 554 5.7.1 refused", "554"},
		{"ip address", "connect to 192.0.2.250 port 25", ""},
		{"port", "mx.example.jp:250 refused", ""},
		{"date", "Date: 2014-05-12 10:20:30", ""},
		{"queue id", "queue id 4F2A550E12 lost", ""},
		{"plain number", "there were 550 messages", ""},
		{"bad second digit", "580 whatever", ""},
		{"end of text", "said: 421", "421"},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := FindReplyCode(c.text); got != c.want {
				t.Errorf("FindReplyCode(%q) = %q, want %q", c.text, got, c.want)
			}
		})
	}
}

func TestClass(t *testing.T) {
	cases := []struct {
		name, in string
		want     byte
		temp     bool
	}{
		{"permanent status", "5.1.1", '5', false},
		{"temporary status", "4.2.2", '4', true},
		{"success status", "2.0.0", '2', false},
		{"temporary reply", "421", '4', true},
		{"permanent reply", "550", '5', false},
		{"empty", "", 0, false},
		{"garbage", "4xx", 0, false},
		{"bad class", "3.1.1", 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Class(c.in); got != c.want {
				t.Errorf("Class(%q) = %q, want %q", c.in, got, c.want)
			}
			if got := IsTemporary(c.in); got != c.temp {
				t.Errorf("IsTemporary(%q) = %v, want %v", c.in, got, c.temp)
			}
		})
	}
}

func FuzzFindStatus(f *testing.F) {
	for _, s := range []string{"550 5.1.1 unknown", "192.168.1.1", "#5.7.26", "4.4.7", "5.1.", "550-5.2.2 full"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st := FindStatus(s)
		if st != "" {
			if !strings.Contains(s, st) {
				t.Fatalf("FindStatus(%q) = %q, not in the text", s, st)
			}
			if c := Class(st); c != '2' && c != '4' && c != '5' {
				t.Fatalf("FindStatus(%q) = %q, bad class", s, st)
			}
		}
		rc := FindReplyCode(s)
		if rc != "" && (len(rc) != 3 || !strings.Contains(s, rc)) {
			t.Fatalf("FindReplyCode(%q) = %q", s, rc)
		}
	})
}
