package report

import (
	"strings"
	"testing"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  []string // nil: check the rules only
	}{
		{"short", "fits on a line", 40, []string{"fits on a line"}},
		{"english", "the quick brown fox jumps over the lazy dog again and again", 20,
			[]string{"the quick brown fox", "jumps over the lazy", "dog again and again"}},
		{"long word", strings.Repeat("x", 45), 20, []string{strings.Repeat("x", 20), strings.Repeat("x", 20), strings.Repeat("x", 5)}},
		{"newline", "one\ntwo", 40, []string{"one", "two"}},
		{"japanese", "バウンス 5 件のうち 3 件は送信元を判定できません。元のメッセージが返送されていません。", 20, nil},
		{"kinsoku", "あいうえおかきくけこさしすせそたちつてと、なにぬねの「はひふへほ」まみむめも。", 20, nil},
		{"mixed", "SASL logins for shop@example.jp came from 2 IP addresses（203.0.113.7、198.51.100.9）never seen before", 24, nil},
		{"empty", "", 40, []string{""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := wrap(tc.in, tc.limit)
			if tc.want != nil && strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("wrap = %q, want %q", got, tc.want)
			}
			if squash(strings.Join(got, "")) != squash(tc.in) {
				t.Errorf("wrap lost text: %q", got)
			}
			for i, l := range got {
				if w := textWidth(l); w > tc.limit {
					t.Errorf("line %d %q is %d wide, limit %d", i, l, w, tc.limit)
				}
				if i > 0 && l != "" && noLineStart([]rune(l)[0]) {
					t.Errorf("line %d %q starts with closing punctuation", i, l)
				}
				if r := []rune(l); len(r) > 0 && noLineEnd(r[len(r)-1]) {
					t.Errorf("line %d %q ends with an opening bracket", i, l)
				}
			}
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Your order", "Your order"},
		{"japanese", "新茶のご案内", "新茶のご案内"},
		{"escape", "red \x1b[31m text", "red \uFFFD[31m text"},
		{"spaces", "a\tb\r\nc", "a b  c"},
		{"bidi", "invoice\u202Efdp.exe", "invoice\uFFFDfdp.exe"},
		{"invalid utf-8", "bad \xff byte", "bad \uFFFD byte"},
		{"c1", "x\u0085y", "x\uFFFDy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := clean(tc.in); got != tc.want {
				t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCodeSegments(t *testing.T) {
	tests := []struct {
		name, in string
		want     []segment
	}{
		{"none", "plain text", []segment{{"plain text", false}}},
		{"one", "run `bouncewatch passgen` now", []segment{{"run ", false}, {"bouncewatch passgen", true}, {" now", false}}},
		{"unpaired", "a ` b", []segment{{"a ` b", false}}},
		{"leading", "`x` y", []segment{{"x", true}, {" y", false}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := codeSegments(tc.in)
			if len(got) != len(tc.want) {
				t.Fatalf("codeSegments(%q) = %v, want %v", tc.in, got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("segment %d = %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestNum(t *testing.T) {
	tests := []struct {
		in   int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {-4500, "-4,500"}}
	for _, tc := range tests {
		if got := num(tc.in); got != tc.want {
			t.Errorf("num(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
