package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/domaincheck/dnstest"
)

func runScanCLI(t *testing.T, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
	code = Main(context.Background(), append([]string{"scan"}, args...), e)
	return code, out.String(), errb.String()
}

// The repository's examples and its real Postfix log capture.
const (
	examplesDir = "../../examples"
	postfixLog  = "../../sendlog/testdata/postfix-real.log"
)

func TestScanJSON(t *testing.T) {
	code, out, errs := runScanCLI(t, nil, "", "--mail", examplesDir, "--sendlog", postfixLog, "--domain", "example.jp", "--format", "json", "--lang", "en", "--tz", "Asia/Tokyo")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Verdicts []struct {
			Account        string   `json:"account"`
			Verdict        string   `json:"verdict"`
			Confidence     *float64 `json:"confidence"`
			Evidence       []string `json:"evidence"`
			Bounces        *int     `json:"bounces"`
			BouncesOurs    *int     `json:"bounces_ours"`
			BouncesNotOurs *int     `json:"bounces_not_ours"`
			Sent           *int     `json:"sent"`
			Surge          any      `json:"surge"`
		} `json:"verdicts"`
		FakeBounces *int `json:"fake_bounces"`
		Period      *struct {
			From time.Time `json:"from"`
			To   time.Time `json:"to"`
		} `json:"period"`
		Domains []string `json:"domains"`
		Inputs  struct {
			Messages int `json:"messages"`
			Log      struct {
				Lines int `json:"lines"`
			} `json:"log"`
		} `json:"inputs"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out)
	}
	if len(doc.Verdicts) == 0 {
		t.Fatal("no verdicts")
	}
	v := doc.Verdicts[0]
	if v.Account != "shop@example.jp" || v.Confidence == nil || v.Bounces == nil || v.BouncesOurs == nil || v.BouncesNotOurs == nil || v.Sent == nil {
		t.Errorf("verdict fields missing: %+v", v)
	}
	switch v.Verdict {
	case "hijacked", "spoofed", "ordinary", "mixed", "insufficient_evidence":
	default:
		t.Errorf("verdict %q is not one of the five", v.Verdict)
	}
	if len(v.Evidence) == 0 {
		t.Error("no evidence sentences")
	}
	if doc.FakeBounces == nil || doc.Period == nil || doc.Period.From.IsZero() || !doc.Period.To.After(doc.Period.From) {
		t.Errorf("fake_bounces / period missing: %v %+v", doc.FakeBounces, doc.Period)
	}
	if doc.Inputs.Messages != 7 || doc.Inputs.Log.Lines == 0 {
		t.Errorf("inputs: %d messages, %d log lines", doc.Inputs.Messages, doc.Inputs.Log.Lines)
	}
	if len(doc.Domains) != 1 || doc.Domains[0] != "example.jp" {
		t.Errorf("domains %v", doc.Domains)
	}
}

func TestScanUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no mail", []string{"--sendlog", postfixLog}, 2, "no bounces given"},
		{"bad format", []string{"--format", "pdf", examplesDir}, 2, "--format must be text, json or html"},
		{"bad since", []string{"--since", "yesterday", examplesDir}, 2, "is not a time"},
		{"bad zone", []string{"--tz", "Mars/Olympus", examplesDir}, 2, "--tz"},
		{"bad language", []string{"--lang", "fr", examplesDir}, 2, "fr"},
		{"help", []string{"--help"}, 0, "hijacked"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := runScanCLI(t, nil, "", tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			if !strings.Contains(errs, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, errs)
			}
		})
	}
}

func TestScanBadInputGoesOn(t *testing.T) {
	dir := t.TempDir()
	ex, err := os.ReadFile(filepath.Join(examplesDir, "01-postfix-user-unknown.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "good.eml"), ex, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "garbage.eml"), []byte("\x00\x01 not a message at all \xff\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A log that exists but cannot be read through (a gzip file cut
	// short): named, and the scan goes on. (A path that does not exist is
	// a usage error: TestScanRefusals.)
	broken := filepath.Join(t.TempDir(), "broken.log.gz")
	if err := os.WriteFile(broken, []byte("\x1f\x8b\x08\x00garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runScanCLI(t, nil, "", "--format", "json", "--mail", dir, "--sendlog", broken)
	if code != 1 {
		t.Errorf("exit %d, want 1 (some input failed)", code)
	}
	if !strings.Contains(errs, "garbage.eml") || !strings.Contains(errs, "broken.log.gz") {
		t.Errorf("stderr does not name the bad inputs:\n%s", errs)
	}
	var doc struct {
		Inputs struct {
			Messages, Bounces, Failed int
		} `json:"inputs"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("no report despite bad input: %v", err)
	}
	if doc.Inputs.Messages != 2 || doc.Inputs.Bounces != 1 || doc.Inputs.Failed != 1 {
		t.Errorf("inputs %+v, want 2 messages, 1 bounce, 1 failed", doc.Inputs)
	}
}

func TestBATVKeyNeverFromArgv(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "batv.key")
	if err := os.WriteFile(f, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := batvKey(f, nil)
	if err != nil || string(k) != "s3cret" {
		t.Errorf("from file: %q %v", k, err)
	}
	k, err = batvKey("", func(string) string { return " envkey " })
	if err != nil || string(k) != "envkey" {
		t.Errorf("from environment: %q %v", k, err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := batvKey(empty, nil); err == nil {
		t.Error("an empty key file was accepted")
	}
}

func TestParseWhen(t *testing.T) {
	jst := time.FixedZone("JST", 9*3600)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"2026-11-02", time.Date(2026, 11, 2, 0, 0, 0, 0, jst)},
		{"2026-11-02 14:30", time.Date(2026, 11, 2, 14, 30, 0, 0, jst)},
		{"2026-11-02T14:30:00Z", time.Date(2026, 11, 2, 14, 30, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseWhen(tc.in, jst)
			if err != nil || !got.Equal(tc.want) {
				t.Errorf("parseWhen(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestDemo(t *testing.T) {
	tests := []struct {
		scenario, account, verdict string
	}{
		{"hijack", "shop@example.jp", "hijacked"},
		{"spoof", "shop@example.jp", "spoofed"},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			var out, errb bytes.Buffer
			env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
			if code := Main(context.Background(), []string{"demo", "--scenario", tc.scenario, "--format", "json"}, env); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			var doc struct {
				Verdicts []struct{ Account, Verdict string } `json:"verdicts"`
			}
			if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			found := false
			for _, v := range doc.Verdicts {
				if v.Account == tc.account {
					found = true
					if v.Verdict != tc.verdict {
						t.Errorf("%s: %s, want %s", v.Account, v.Verdict, tc.verdict)
					}
				}
			}
			if !found {
				t.Errorf("no verdict for %s: %+v", tc.account, doc.Verdicts)
			}
		})
	}
	var errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &errb, Getenv: func(string) string { return "" }}
	if code := Main(context.Background(), []string{"demo", "--scenario", "nope"}, env); code != 2 || !strings.Contains(errb.String(), "hijack") {
		t.Errorf("unknown scenario: exit %d, %s", code, errb.String())
	}
}

func TestExpandLogDirs(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"mail.log", "mail.log.1", "mail.log.2.gz", "syslog", "auth.log", "panel-sent.csv", "exim_mainlog"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := expandLogDirs([]string{dir, "/no/such/file"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range got {
		names = append(names, filepath.Base(g))
	}
	want := "exim_mainlog mail.log mail.log.1 mail.log.2.gz panel-sent.csv file"
	if strings.Join(names, " ") != want {
		t.Errorf("got %v, want %s", names, want)
	}
	if _, err := expandLogDirs([]string{t.TempDir()}); err == nil || !strings.Contains(err.Error(), "without mail logs") {
		t.Errorf("empty directory: %v", err)
	}
}

// A spoofed account's domain is checked live (here: against a DNS server on
// loopback serving an example.jp open to forgery).
func TestScanCheckDNS(t *testing.T) {
	zone := `$TTL 300
@        MX   10 mail
mail     A    192.0.2.25
@        TXT  "v=spf1 mx ?all"
`
	srv := dnstest.Start(t, zone, "example.jp.")
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := Main(context.Background(), []string{"demo", "--scenario", "spoof", "--format", "json", "--check-dns", "--resolver", srv.Addr}, env)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var doc struct {
		Verdicts []struct{ Account, Verdict string } `json:"verdicts"`
		DNS      []struct {
			Domain   string `json:"domain"`
			Findings []struct {
				Code string `json:"code"`
			} `json:"findings"`
		} `json:"dns_checks"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Verdicts) == 0 || doc.Verdicts[0].Verdict != "spoofed" {
		t.Fatalf("verdicts %+v", doc.Verdicts)
	}
	if len(doc.DNS) != 1 || doc.DNS[0].Domain != "example.jp" {
		t.Fatalf("dns_checks %+v", doc.DNS)
	}
	codes := ""
	for _, f := range doc.DNS[0].Findings {
		codes += f.Code + " "
	}
	if !strings.Contains(codes, "dmarc") || !strings.Contains(codes, "spf") {
		t.Errorf("findings lack SPF and DMARC: %s", codes)
	}
}
