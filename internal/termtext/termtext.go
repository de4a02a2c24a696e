// Package termtext makes untrusted text (subjects, addresses, diagnostic
// codes, file names) safe to print on a terminal and measures it in
// terminal columns, for the text report and the command-line tables.
package termtext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Clean makes a string from the input safe to show: control characters
// (ESC sequences, OSC 8 links, BEL, NUL) and bidirectional overrides, which
// could move a terminal's cursor or reorder the text a reader sees, become
// U+FFFD; tabs and line breaks become spaces. Invalid UTF-8 becomes U+FFFD
// too.
func Clean(s string) string {
	ok := true
	for _, r := range s {
		if r == utf8.RuneError || Unsafe(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case Unsafe(r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Unsafe reports C0 and C1 controls, DEL, and the bidirectional embedding,
// override and isolate characters (Unicode TR 9, "trojan source").
func Unsafe(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F:
		return true
	}
	return false
}

// RuneWidth is the columns r takes in a terminal: two for East Asian wide
// and fullwidth characters (Unicode UAX #11), one for the others.
// Ambiguous characters count as narrow, as in most terminals outside East
// Asian locales.
func RuneWidth(r rune) int {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// Width is the columns s takes in a terminal (see RuneWidth).
func Width(s string) int {
	n := 0
	for _, r := range s {
		n += RuneWidth(r)
	}
	return n
}

// Pad appends spaces to s up to w columns; s is returned as it is when it
// is already as wide.
func Pad(s string, w int) string {
	if n := Width(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// Truncate cuts s to at most w columns, ending it with "…" when cut; a
// wide character is never split.
func Truncate(s string, w int) string {
	if Width(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		rw := RuneWidth(r)
		if n+rw > w-1 {
			break
		}
		b.WriteRune(r)
		n += rw
	}
	return b.String() + "…"
}
