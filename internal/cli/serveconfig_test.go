package cli

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest"
)

func TestServeConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hookURL := write("hook-url", "https://hooks.example/T000/secret\n")
	smtpPW := write("smtp-pw", "relay-password\n")
	maildirPath := filepath.Join(dir, "Maildir")
	for _, sub := range []string{"new", "cur", "tmp"} {
		os.MkdirAll(filepath.Join(maildirPath, sub), 0o700)
	}
	cfgText := `
listen = "127.0.0.1:18099"
store = "sqlite:` + filepath.Join(dir, "bw.db") + `"
domains = ["example.jp"]
lang = "ja"
tz = "Asia/Tokyo"
[detect]
interval = "45s"
[retention]
raw = "2160h"
[[maildir]]
path = "` + maildirPath + `"
[[imap]]
url = "imaps://shop@mail.example.jp/INBOX,Bounces"
password_env = "SHOP_IMAP_PASSWORD"
move_to = "Bounces"
[[lmtp]]
listen = "127.0.0.1:0"
[[logfile]]
path = "` + filepath.Join(dir, "mail.log") + `"
[[syslog]]
tcp = "127.0.0.1:0"
[[webhook]]
url_file = "` + hookURL + `"
format = "slack"
[email]
relay = "smtp.example.jp:587"
username = "bw@example.jp"
password_file = "` + smtpPW + `"
from = "bw@example.jp"
to = ["admin@example.jp"]
`
	c, err := loadConfig(write("bouncewatch.toml", cfgText))
	if err != nil {
		t.Fatal(err)
	}
	if c.Detect.Interval != 45*time.Second || c.Retention.Raw != 90*24*time.Hour || c.Lang != "ja" {
		t.Errorf("decoded %+v", c)
	}
	getenv := func(k string) string {
		if k == "SHOP_IMAP_PASSWORD" {
			return "imap-secret"
		}
		return ""
	}
	hooks, em, err := notifiers(c, getenv)
	if err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 || hooks[0].URL != "https://hooks.example/T000/secret" || em == nil || em.Password != "relay-password" {
		t.Errorf("notifiers %+v %+v", hooks, em)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srcs, err := buildSources(c, &ingest.Memory{}, &ingest.Memory{}, getenv, log)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, s := range srcs {
		kinds[strings.SplitN(s.Name(), ":", 2)[0]] = true
	}
	for _, k := range []string{"maildir", "imap", "lmtp", "file", "syslog"} {
		if !kinds[k] {
			t.Errorf("no %s source among %v", k, kinds)
		}
	}

	// Mistakes are named, secrets refused on the command line's side.
	bad := []struct{ name, text, want string }{
		{"unknown key", "listn = \"x\"\n", "unknown settings: listn"},
		{"bad duration", "[detect]\ninterval = \"soon\"\n", "interval"},
	}
	for _, b := range bad {
		_, err := loadConfig(write(b.name+".toml", b.text))
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: error %v, want %q", b.name, err, b.want)
		}
	}
	c.IMAP[0].URL = "imaps://shop:pw@mail.example.jp/INBOX"
	if _, err := buildSources(c, &ingest.Memory{}, &ingest.Memory{}, getenv, log); err == nil || strings.Contains(err.Error(), "pw@") {
		t.Errorf("a password in the IMAP URL: %v", err)
	}
}

func TestAPITokenNeverInArgvOrLog(t *testing.T) {
	dir := t.TempDir()
	var logBuf strings.Builder
	log := slog.New(slog.NewTextHandler(&logBuf, nil))
	c := &serveConfig{}
	tok, err := apiToken(c, dir, func(string) string { return "" }, log)
	if err != nil || len(tok) < 32 {
		t.Fatalf("made token %q: %v", tok, err)
	}
	st, err := os.Stat(filepath.Join(dir, "api-token"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", st, err)
	}
	again, _ := apiToken(c, dir, func(string) string { return "" }, log)
	if again != tok {
		t.Error("a second start made another token")
	}
	if strings.Contains(logBuf.String(), tok) {
		t.Error("the log shows the token")
	}
	envTok, _ := apiToken(c, dir, func(k string) string {
		if k == "BOUNCEWATCH_API_TOKEN" {
			return "from-env"
		}
		return ""
	}, log)
	if envTok != "from-env" {
		t.Errorf("token from the environment: %q", envTok)
	}
	// serve has no flag that takes a secret.
	_, errOut, code := runCLI(t, "serve", "--api-token", "x")
	if code != 2 || !strings.Contains(errOut, "unknown option -api-token") {
		t.Errorf("serve --api-token: %d %s", code, errOut)
	}
}
