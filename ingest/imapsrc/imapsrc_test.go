package imapsrc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"github.com/bouncewatch/bouncewatch/ingest"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Options
		err      string
	}{
		{"imaps default port", "imaps://shop@mail.example.jp/INBOX",
			Options{Addr: "mail.example.jp:993", Security: TLS, Username: "shop", Folders: []string{"INBOX"}}, ""},
		{"starttls with port and folders", "imap://shop%40example.jp@127.0.0.1:14301/INBOX,Bounces",
			Options{Addr: "127.0.0.1:14301", Security: StartTLS, Username: "shop@example.jp", Folders: []string{"INBOX", "Bounces"}}, ""},
		{"insecure", "imap+insecure://u@localhost",
			Options{Addr: "localhost:143", Security: Insecure, Username: "u"}, ""},
		{"password refused", "imaps://shop:hunter2@mail.example.jp/INBOX", Options{}, "password in the URL"},
		{"no user", "imaps://mail.example.jp/INBOX", Options{}, "no user name"},
		{"bad scheme", "pop3://u@h", Options{}, "scheme"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseURL(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseURL(%q) error %v, want %q", tc.in, err, tc.err)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Addr != tc.want.Addr || got.Security != tc.want.Security || got.Username != tc.want.Username ||
				strings.Join(got.Folders, ",") != strings.Join(tc.want.Folders, ",") {
				t.Errorf("ParseURL(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestNewPassword(t *testing.T) {
	dir := t.TempDir()
	pf := filepath.Join(dir, "pw")
	os.WriteFile(pf, []byte("from-file\n"), 0o600)
	t.Setenv("BW_TEST_IMAP_PW", "from-env")
	base := Options{Addr: "127.0.0.1:993", Username: "u", Sink: &ingest.Memory{}}
	for _, tc := range []struct {
		name string
		set  func(*Options)
		want string
		err  bool
	}{
		{"file", func(o *Options) { o.PasswordFile = pf }, "from-file", false},
		{"environment", func(o *Options) { o.PasswordEnv = "BW_TEST_IMAP_PW" }, "from-env", false},
		{"missing file", func(o *Options) { o.PasswordFile = filepath.Join(dir, "none") }, "", true},
		{"empty environment", func(o *Options) { o.PasswordEnv = "BW_TEST_IMAP_NONE" }, "", true},
		{"none", func(o *Options) {}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			tc.set(&o)
			s, err := New(o)
			if (err != nil) != tc.err {
				t.Fatalf("New: %v", err)
			}
			if err == nil && s.password != tc.want {
				t.Errorf("password %q, want %q", s.password, tc.want)
			}
		})
	}
}

func TestIsBounce(t *testing.T) {
	if !isBounce(testdata(t, "bounce.eml")) {
		t.Error("a Postfix DSN is not taken for a bounce")
	}
	if isBounce(testdata(t, "ordinary.eml")) {
		t.Error("an ordinary message is taken for a bounce")
	}
}

func TestBatchLen(t *testing.T) {
	u := func(sizes ...int64) []uidSize {
		var out []uidSize
		for i, s := range sizes {
			out = append(out, uidSize{imap.UID(i + 1), s})
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		uids  []uidSize
		max   int
		bytes int64
		want  int
	}{
		{"count bound", u(1, 1, 1, 1), 3, 100, 3},
		{"byte bound", u(40, 40, 40), 10, 100, 2},
		{"one huge message alone", u(500, 1), 10, 100, 1},
		{"empty", nil, 10, 100, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := batchLen(tc.uids, tc.max, tc.bytes); got != tc.want {
				t.Errorf("batchLen = %d, want %d", got, tc.want)
			}
		})
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"imaps://shop@mail.example.jp/INBOX", "imap://u:pw@h:1/a,b", "imap+insecure://u@[::1]:143", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseURL(s)
		if err != nil {
			return
		}
		if o.Username == "" || o.Addr == "" || o.Password != "" {
			t.Fatalf("ParseURL(%q) = %+v", s, o)
		}
	})
}
