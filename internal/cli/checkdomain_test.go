package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/bouncewatch/bouncewatch/domaincheck/dnstest"
)

// startCheckDomainZone serves two domains on loopback: shop.test, set up
// well, and spoofed.test, open to forgery.
func startCheckDomainZone(t *testing.T) *dnstest.Server {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	zone := `$TTL 300
shop                 MX   10 mx.shop
mx.shop              A    192.0.2.25
shop                 TXT  "v=spf1 mx ip4:198.51.100.7 -all"
_dmarc.shop          TXT  "v=DMARC1; p=reject; rua=mailto:dmarc@shop.test"
mail._domainkey.shop TXT  "v=DKIM1; k=ed25519; p=` + base64.StdEncoding.EncodeToString(pub) + `"
spoofed              MX   10 mx.shop
spoofed              TXT  "v=spf1 mx ?all"
`
	return dnstest.Start(t, zone, "test.")
}

func runCD(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code = runCheckDomain(context.Background(), args, env)
	return code, out.String(), errb.String()
}

func TestCheckDomainText(t *testing.T) {
	srv := startCheckDomainZone(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
		not      []string
	}{
		{
			name:     "good domain, English",
			args:     []string{"--resolver", srv.Addr, "--lang", "en", "shop.test"},
			wantCode: 0,
			want: []string{
				"shop.test  (resolver " + srv.Addr + ")",
				"SPF    v=spf1 mx ip4:198.51.100.7 -all",
				"  ✓ SPF ends in -all",
				"DMARC  _dmarc.shop.test: v=DMARC1; p=reject",
				"DKIM   mail (ed25519 256)",
				"MX     10 mx.shop.test. (192.0.2.25)",
				"Result: 0 error(s), 0 warning(s).",
			},
			not: []string{"Proposed records", "✗"},
		},
		{
			name:     "spoofable domain, Japanese, flags after the domain",
			args:     []string{"spoofed.test", "--resolver", srv.Addr, "--lang", "ja", "--selector", "s1"},
			wantCode: 1,
			want: []string{
				"  ✗ SPF は ?all (中立) で終わっています",
				"  ✗ _dmarc.spoofed.test に DMARC レコードがありません",
				"  ! s1._domainkey.spoofed.test に DKIM 公開鍵がありません",
				"提案するレコード",
				`spoofed.test  TXT  "v=spf1 mx -all"`,
				`置き換え前: "v=spf1 mx ?all"`,
				`_dmarc.spoofed.test  TXT  "v=DMARC1; p=quarantine; rua=mailto:dmarc@spoofed.test; adkim=r; aspf=r"`,
				`_dmarc.spoofed.test  TXT  "v=DMARC1; p=reject;`,
				"SELECTOR._domainkey.spoofed.test",
				"結果: エラー 2 件",
			},
		},
		{
			name:     "several domains, one failing",
			args:     []string{"--resolver", srv.Addr, "--lang", "en", "shop.test", "spoofed.test"},
			wantCode: 1,
			want:     []string{"shop.test  (resolver", "spoofed.test  (resolver", "  ✗ SPF ends in ?all"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCD(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d; stderr %s", code, tt.wantCode, errOut)
			}
			// Proposals are in aligned columns: compare with runs of
			// spaces as one (TestCheckDomainAlignment checks the columns).
			flat := strings.Join(strings.Fields(out), " ")
			for _, w := range tt.want {
				if !strings.Contains(out, w) && !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(out, n) {
					t.Errorf("output has %q:\n%s", n, out)
				}
			}
		})
	}
}

func TestCheckDomainJSON(t *testing.T) {
	srv := startCheckDomainZone(t)
	code, out, errOut := runCD(t, "--format", "json", "--resolver", srv.Addr, "shop.test", "spoofed.test")
	if code != 1 {
		t.Errorf("exit code %d, want 1; stderr %s", code, errOut)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	type doc struct {
		Domain string `json:"domain"`
		SPF    struct {
			Record  string `json:"record"`
			All     string `json:"all"`
			Lookups int    `json:"lookups"`
		} `json:"spf"`
		DMARC struct {
			Policy string `json:"policy"`
		} `json:"dmarc"`
		DKIM []struct {
			Selector string `json:"selector"`
			Key      struct {
				KeyType string `json:"key_type"`
			} `json:"key"`
		} `json:"dkim"`
		Findings []struct {
			Severity string            `json:"severity"`
			Code     string            `json:"code"`
			Message  map[string]string `json:"message"`
		} `json:"findings"`
		Proposals []struct {
			Name  string            `json:"name"`
			Type  string            `json:"type"`
			Value string            `json:"value"`
			Why   map[string]string `json:"why"`
		} `json:"proposals"`
	}
	var docs []doc
	for {
		var d doc
		if err := dec.Decode(&d); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("JSON document %d: %v\n%s", len(docs)+1, err, out)
		}
		docs = append(docs, d)
	}
	if len(docs) != 2 {
		t.Fatalf("%d JSON documents, want 2", len(docs))
	}
	shop, spoofed := docs[0], docs[1]
	if shop.Domain != "shop.test" || shop.SPF.All != "-all" || shop.SPF.Lookups != 1 || shop.DMARC.Policy != "reject" {
		t.Errorf("shop.test = %+v", shop)
	}
	if len(shop.DKIM) != 1 || shop.DKIM[0].Selector != "mail" || shop.DKIM[0].Key.KeyType != "ed25519" {
		t.Errorf("shop.test DKIM = %+v", shop.DKIM)
	}
	if len(shop.Proposals) != 0 {
		t.Errorf("shop.test proposals = %+v", shop.Proposals)
	}
	codes := map[string]string{}
	for _, f := range spoofed.Findings {
		codes[f.Code] = f.Severity
		if f.Message["en"] == "" || f.Message["ja"] == "" {
			t.Errorf("finding %s lacks a language: %v", f.Code, f.Message)
		}
	}
	for code, sev := range map[string]string{"spf.all_neutral": "error", "dmarc.missing": "error", "dkim.none": "warn"} {
		if codes[code] != sev {
			t.Errorf("spoofed.test finding %s = %q, want %s (all: %v)", code, codes[code], sev, codes)
		}
	}
	if len(spoofed.Proposals) != 4 || spoofed.Proposals[0].Value != "v=spf1 mx -all" || spoofed.Proposals[0].Why["ja"] == "" {
		t.Errorf("spoofed.test proposals = %+v", spoofed.Proposals)
	}
}

func TestCheckDomainUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		stderr   string
		stdout   string
	}{
		{name: "no domain", args: nil, wantCode: 2, stderr: "no DOMAIN given"},
		{name: "bad format", args: []string{"--format", "xml", "x.test"}, wantCode: 2, stderr: "--format must be text or json"},
		{name: "bad lang", args: []string{"--lang", "fr", "x.test"}, wantCode: 2, stderr: "fr"},
		{name: "unknown flag", args: []string{"--nope", "x.test"}, wantCode: 2, stderr: "unknown option -nope"},
		{name: "unknown flag, Japanese", args: []string{"--lang", "ja", "--nope", "x.test"}, wantCode: 2, stderr: "-nope というオプションはありません"},
		{name: "help, Japanese", args: []string{"--help", "--lang", "ja"}, wantCode: 0, stderr: "ドメインの SPF・DMARC・DKIM・MX レコード"},
		{name: "help", args: []string{"--help"}, wantCode: 0, stderr: "bouncewatch check-domain --selector google,s1"},
		{name: "invalid domain", args: []string{"--resolver", "127.0.0.1:1", "not a domain"}, wantCode: 1, stderr: "invalid domain name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCD(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			if !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, errOut)
			}
			if !strings.Contains(out, tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, out)
			}
		})
	}
}
