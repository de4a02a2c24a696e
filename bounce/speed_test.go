package bounce

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
)

// The hand-written scanners of the hot path against the standard library
// doing the same job, on generated inputs built from the pieces each one
// treats specially (the standard library is the specification here).

// genText returns a string of up to max atoms drawn by rng.
func genText(rng *rand.Rand, atoms []string, max int) string {
	var b strings.Builder
	for k := rng.Intn(max + 1); k > 0; k-- {
		b.WriteString(atoms[rng.Intn(len(atoms))])
	}
	return b.String()
}

// lowerASCIIOf lowers the ASCII letters of s only, keeping every offset.
func lowerASCIIOf(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// TestIndexFoldMatchesIndex: for an ASCII needle, indexFold is strings.Index
// over ASCII-lowered copies, whatever s holds (the Kelvin sign and the long
// s, which strings.EqualFold folds to k and s, never match inside a window
// of ASCII length; nor do invalid bytes). So are indexFoldASCII and
// jpHasFold for lower-case needles.
func TestIndexFoldMatchesIndex(t *testing.T) {
	atoms := []string{"a", "A", "y", "Y", " ", "in", "IN", "re", "ply", "RePlY", "-", "@", ":",
		"ſ", "\u212a", "k", "K", "é", "\xff", "\xc3", "日本"}
	rng := rand.New(rand.NewSource(1))
	for n := 0; n < 200000; n++ {
		s := genText(rng, atoms, 16)
		sub := genText(rng, atoms[:13], 4) // ASCII needles
		want := strings.Index(lowerASCIIOf(s), lowerASCIIOf(sub))
		if got := indexFold(s, sub); got != want {
			t.Fatalf("indexFold(%q, %q) = %d, want %d", s, sub, got, want)
		}
		low := lowerASCIIOf(sub)
		if got := indexFoldASCII(s, low); got != want {
			t.Fatalf("indexFoldASCII(%q, %q) = %d, want %d", s, low, got, want)
		}
		if got := jpHasFold(s, low); got != (want >= 0) {
			t.Fatalf("jpHasFold(%q, %q) = %v", s, low, got)
		}
	}
}

// TestDecodeEntitiesMatchesReplacer: stripHTML's entity decoding is the
// strings.Replacer of its six entities.
func TestDecodeEntitiesMatchesReplacer(t *testing.T) {
	r := strings.NewReplacer("&nbsp;", " ", "&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", `"`, "&#39;", "'")
	atoms := []string{"&", "&nbsp;", "&lt;", "&gt;", "&amp;", "&quot;", "&#39;", "&amp", "a", "<", ";", "#", "&&", "日"}
	rng := rand.New(rand.NewSource(2))
	for n := 0; n < 100000; n++ {
		s := genText(rng, atoms, 12)
		if got, want := decodeEntities(s), r.Replace(s); got != want {
			t.Fatalf("decodeEntities(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestNormalizeLineEndsMatchesReplace: CRLF becomes LF, then a lone CR
// becomes LF.
func TestNormalizeLineEndsMatchesReplace(t *testing.T) {
	atoms := []string{"\r", "\n", "\r\n", "\n\r", "a", "bc", " ", "日"}
	rng := rand.New(rand.NewSource(3))
	for n := 0; n < 100000; n++ {
		s := genText(rng, atoms, 12)
		want := strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		if got := string(normalizeLineEnds([]byte(s))); got != want {
			t.Fatalf("normalizeLineEnds(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestDecodeQPLimit: decodeQP stops at its limit, and what it gives within
// the limit is the start of what it gives without one.
func TestDecodeQPLimit(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "abc", "abc"},
		{"escape", "a=3Db", "a=b"},
		{"soft break", "ab=\ncd", "abcd"},
		{"soft break after blanks", "ab= \t\ncd", "abcd"},
		{"stray equals", "a=ZZb=", "a=ZZb="},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(decodeQP([]byte(tc.in), 1<<20)); got != tc.want {
				t.Errorf("decodeQP(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	atoms := []string{"=", "=\n", "=3D", "=4", "a", "bc", " ", "\t", "\n", "=  \n", "=ZZ", "日"}
	rng := rand.New(rand.NewSource(4))
	for n := 0; n < 100000; n++ {
		b := []byte(genText(rng, atoms, 14))
		full := decodeQP(b, 1<<20)
		lim := rng.Intn(20) + 1
		got := decodeQP(b, lim)
		if len(got) > lim || !bytes.HasPrefix(full, got) || len(got) < min(lim, len(full)) {
			t.Fatalf("decodeQP(%q, %d) = %q; unlimited %q", b, lim, got, full)
		}
	}
}
