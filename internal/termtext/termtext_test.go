package termtext

import "testing"

func TestClean(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"plain", "user@example.jp", "user@example.jp"},
		{"escape sequence", "a\x1b[31mred", "a\uFFFD[31mred"},
		{"osc 8 link", "\x1b]8;;http://x\x07t", "\uFFFD]8;;http://x\uFFFDt"},
		{"nul and bel", "a\x00b\x07", "a\uFFFDb\uFFFD"},
		{"line breaks become spaces", "a\r\nb\tc", "a  b c"},
		{"bidi override", "abc\u202Edef", "abc\uFFFDdef"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
		{"japanese kept", "宛先不明", "宛先不明"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Clean(c.in); got != c.want {
				t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestWidth(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{{"abc", 3}, {"宛先", 4}, {"ｱｲ", 2}, {"a日b", 4}, {"", 0}} {
		if got := Width(c.in); got != c.want {
			t.Errorf("Width(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestPadTruncate(t *testing.T) {
	if got := Pad("日本", 6); got != "日本  " {
		t.Errorf("Pad = %q", got)
	}
	if got := Truncate("日本語のテキスト", 7); got != "日本語…" || Width(got) > 7 {
		t.Errorf("Truncate = %q (width %d)", got, Width(got))
	}
	if got := Truncate("abc", 3); got != "abc" {
		t.Errorf("Truncate kept = %q", got)
	}
}
