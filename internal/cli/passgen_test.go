package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/bouncewatch/bouncewatch/passgen"
)

func TestRunPassgen(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		lang      string
		wantCode  int
		wantLines int
		wantLen   int
		noSymbols bool
		noAmbig   bool
		stderr    []string // each must appear on standard error
	}{
		{"default", nil, "en_US.UTF-8", 0, 1, 20, false, false, []string{"Strength: 124 bits", "password manager", "every PC, phone and mail client"}},
		{"japanese", nil, "ja_JP.UTF-8", 0, 1, 20, false, false, []string{"124ビット", "パスワード管理ソフト", "スマートフォン"}},
		{"lang flag wins", []string{"--lang", "ja"}, "C", 0, 1, 20, false, false, []string{"ビット"}},
		{"length and count", []string{"--length", "32", "--count", "5"}, "", 0, 5, 32, false, false, []string{"bits each"}},
		{"no symbols, no look-alikes", []string{"--no-symbols", "--no-ambiguous", "--count", "50"}, "", 0, 50, 20, true, true, nil},
		{"too short", []string{"--length", "7"}, "", 2, 0, 0, false, false, []string{"length out of range"}},
		{"too long", []string{"--length", "257"}, "", 2, 0, 0, false, false, []string{"length out of range"}},
		{"count zero", []string{"--count", "0"}, "", 2, 0, 0, false, false, []string{"--count 0 out of range"}},
		{"stray argument", []string{"shop@example.jp"}, "", 2, 0, 0, false, false, []string{"unexpected argument"}},
		{"bad language", []string{"--lang", "fr"}, "", 2, 0, 0, false, false, []string{"unknown language"}},
		{"unknown flag", []string{"--symbols"}, "", 2, 0, 0, false, false, []string{"unknown option -symbols"}},
		{"help", []string{"--help"}, "", 0, 0, 0, false, false, []string{"Examples:", "bouncewatch passgen --length 32", "--no-ambiguous"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			env := Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string {
				if k == "LANG" {
					return tt.lang
				}
				return ""
			}}
			code := Main(context.Background(), append([]string{"passgen"}, tt.args...), env)
			if code != tt.wantCode {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, tt.wantCode, stderr.String())
			}
			out := strings.TrimSuffix(stdout.String(), "\n")
			var lines []string
			if out != "" {
				lines = strings.Split(out, "\n")
			}
			if len(lines) != tt.wantLines {
				t.Fatalf("%d lines on stdout, want %d:\n%s", len(lines), tt.wantLines, stdout.String())
			}
			for _, pw := range lines {
				if len(pw) != tt.wantLen {
					t.Errorf("password %q has %d characters, want %d", pw, len(pw), tt.wantLen)
				}
				if strings.Contains(stderr.String(), pw) {
					t.Errorf("the password %q also went to stderr", pw)
				}
				if tt.noSymbols && strings.ContainsAny(pw, "!#%*+-/:=?@_") {
					t.Errorf("--no-symbols gave %q", pw)
				}
				if tt.noAmbig && strings.ContainsAny(pw, "0Oo1lI") {
					t.Errorf("--no-ambiguous gave %q", pw)
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr.String())
				}
			}
		})
	}
	// The strength printed is the package's.
	if e := passgen.Entropy(passgen.DefaultOptions()); e < 124 || e >= 124.5 {
		t.Errorf("default entropy %v no longer rounds to the 124 bits this test expects", e)
	}
}
