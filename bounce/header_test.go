package bounce

import (
	"reflect"
	"testing"
)

func TestParseHeaderBlocks(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		fields header
		rest   string
		isNil  bool // parseHeader gives a nil rest: the input ended in the block
		isBody bool // not a header: rest is the whole input
	}{
		{name: "plain", in: "A: 1\nB: 2\n\nbody\n", fields: header{{"A", "1"}, {"B", "2"}}, rest: "body\n"},
		{name: "folded", in: "A: 1\n  2\n\t3\nB: x\n\n", fields: header{{"A", "1 2 3"}, {"B", "x"}}, rest: ""},
		{name: "empty first value", in: "A:\n  2\n   3\n\nz", fields: header{{"A", "2 3"}}, rest: "z"},
		{name: "blank continuation", in: "A: 1\n   \n  2\n\n", fields: header{{"A", "1 2"}}, rest: ""},
		{name: "junk between folds", in: "A: 1\njunk line\n 2\n\n", fields: header{{"A", "1 2"}}, rest: ""},
		{name: "fold before any field", in: " x\nA: 1\n\nb", fields: header{{"A", "1"}}, rest: "b"},
		{name: "mbox From line", in: "From a@b Mon\nA: 1\n\nb", fields: header{{"A", "1"}}, rest: "b"},
		{name: "name with spaces before colon", in: "A :  1 \n\n", fields: header{{"A", "1"}}, rest: ""},
		{name: "no empty line", in: "A: 1\nB: 2", fields: header{{"A", "1"}, {"B", "2"}}, isNil: true},
		{name: "no empty line, final LF", in: "A: 1\n", fields: header{{"A", "1"}}, isNil: true},
		{name: "empty first line", in: "\nA: 1\n", fields: header{}, rest: "A: 1\n"},
		{name: "not a header", in: "hello world\nA: 1\n\n", fields: header{}, isBody: true},
		{name: "many folds", in: "A: 1\n 2\n 3\n 4\n 5\n 6\n 7\n 8\n 9\n 10\n\n",
			fields: header{{"A", "1 2 3 4 5 6 7 8 9 10"}}, rest: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, rest := parseHeader([]byte(tt.in))
			if !reflect.DeepEqual(h, tt.fields) {
				t.Errorf("fields %q, want %q", h, tt.fields)
			}
			want := tt.rest
			if tt.isBody {
				want = tt.in
			}
			if string(rest) != want || (rest == nil) != tt.isNil {
				t.Errorf("rest %q (nil %v), want %q (nil %v)", rest, rest == nil, want, tt.isNil)
			}
			hs, rs := parseHeaderString(tt.in)
			if !reflect.DeepEqual(hs, h) || rs != string(rest) {
				t.Errorf("parseHeaderString gave %q %q, parseHeader %q %q", hs, rs, h, rest)
			}
		})
	}
}

func TestHeaderNameLookup(t *testing.T) {
	h := header{{"Subject", "s"}, {"X-Sub", "x"}, {"subject", "second"}}
	tests := []struct {
		name, key, want string
		n               int
	}{
		{name: "exact", key: "Subject", want: "s", n: 2},
		{name: "case", key: "SUBJECT", want: "s", n: 2},
		{name: "prefix is not a match", key: "Sub", want: "", n: 0},
		{name: "absent", key: "To", want: "", n: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := h.get(tt.key); got != tt.want {
				t.Errorf("get(%q) = %q, want %q", tt.key, got, tt.want)
			}
			if got := len(h.all(tt.key)); got != tt.n {
				t.Errorf("all(%q) has %d, want %d", tt.key, got, tt.n)
			}
			if got := h.has(tt.key); got != (tt.n > 0) {
				t.Errorf("has(%q) = %v", tt.key, got)
			}
		})
	}
}
