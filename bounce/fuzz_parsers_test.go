package bounce

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// fixtureSeeds adds the repository's example bounces and fixtures.
func fixtureSeeds(f *testing.F) {
	for _, g := range []string{"../examples/*.eml", "testdata/*/*"} {
		m, _ := filepath.Glob(g)
		for _, s := range m {
			if b, err := os.ReadFile(s); err == nil {
				f.Add(b)
			}
		}
	}
}

// FuzzFlatten feeds arbitrary messages to the MIME reader (multipart
// splitting, transfer and charset decoding, nesting): it must not panic,
// must give valid UTF-8 text, stay within its limits, and say when it
// reached one.
func FuzzFlatten(f *testing.F) {
	fixtureSeeds(f)
	f.Add([]byte("Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: text/plain; charset=iso-2022-jp\nContent-Transfer-Encoding: base64\n\nGyRCJWEhPCVrGyhC\n--a\nContent-Type: message/rfc822\n\nSubject: =?ISO-2022-JP?B?GyRCJWEhPCVrGyhC?=\n\nbody\n--a--\n"))
	f.Add([]byte("Content-Type: text/plain; charset=iso-2022-jp\n\n\x1b$B%a!<%\nnext\n\x1b(I12\n"))
	f.Add([]byte("Content-Type: multipart/report; boundary=\"b\"\n\n--b\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: quoted-printable\n\nFinal-Recipient: rfc822; a=40b.c\n--b\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		fl := flatten(normalizeLineEnds(raw))
		if !utf8.ValidString(fl.Body) {
			t.Fatalf("flattened text is not UTF-8: %q", fl.Body)
		}
		if len(fl.Body) > maxFlat+maxTextPart+maxHeaderScan+1024 {
			t.Fatalf("flattened text of %d bytes", len(fl.Body))
		}
		for _, p := range fl.Parts {
			if !utf8.ValidString(p.Text) {
				t.Fatalf("part %s is not UTF-8: %q", p.Type, p.Text)
			}
		}
		if fl.nparts > maxParts+1 && len(fl.warnings) == 0 {
			t.Fatalf("%d parts visited and no warning", fl.nparts)
		}
		if len(fl.Original) > maxOriginal {
			t.Fatalf("returned message of %d bytes kept", len(fl.Original))
		}
		for _, w := range fl.warnings {
			if w.String() == "" || w.Limit <= 0 {
				t.Fatalf("warning %+v", w)
			}
		}
	})
}

// FuzzParseHeader feeds arbitrary header blocks to the header reader: field
// names are printable ASCII without a colon, values are on one line, and
// the rest is what follows the block in the input.
func FuzzParseHeader(f *testing.F) {
	fixtureSeeds(f)
	f.Add([]byte("From MAILER-DAEMON Mon Nov  2 02:14:07 2026\nFrom: a@b\nSubject: x\n y\n\tz\nX-Bad name: 1\nno colon\n\nbody"))
	f.Add([]byte(" leading continuation\nA: b\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, rest := parseHeader(b)
		if len(rest) > len(b) || !bytes.HasSuffix(b, rest) {
			t.Fatalf("rest %q is not the end of the input", rest)
		}
		for _, fl := range h {
			if !validFieldName(fl.Name) || strings.ContainsAny(fl.Name, ": \t") {
				t.Fatalf("field name %q", fl.Name)
			}
			if strings.Contains(fl.Value, "\n") {
				t.Fatalf("value %q spans lines", fl.Value)
			}
		}
		if v := decodeWords(h.get("Subject")); !utf8.ValidString(v) {
			t.Fatalf("decoded Subject not UTF-8: %q", v)
		}
		if typ, _ := mediaType(h.get("Content-Type")); typ != strings.ToLower(typ) {
			t.Fatalf("media type %q not lower case", typ)
		}
		hs, rs := parseHeaderString(string(b))
		if len(hs) != len(h) || (rest != nil && rs != string(rest)) {
			t.Fatalf("parseHeaderString disagrees: %d fields, rest %q; parseHeader %d fields, rest %q", len(hs), rs, len(h), rest)
		}
	})
}

// FuzzAddress feeds arbitrary text to the address finders: what they find
// holds an '@' with a domain that has a dot, comes from the text, and a
// cleaned recipient taken for an address has no control characters.
func FuzzAddress(f *testing.F) {
	for _, s := range []string{
		"<user@example.com>: host mx.example.com[192.0.2.1] said: 550",
		"rfc822; \"john..doe\"@example.com", "Name <a@b.c>, mailto:x@y.z", "a@b", "@.", "..@..", "a@-b.c.",
		"evil\x1b]8;;http://x\x07@example.com", "ユーザー@例え.jp", "x@y.z\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, a := range findAddresses(s) {
			at := strings.IndexByte(a, '@')
			if at <= 0 || !strings.Contains(a[at:], ".") || !strings.Contains(s, a) {
				t.Fatalf("findAddresses(%q) gave %q", s, a)
			}
		}
		if a := findAddress(s); a != "" && !strings.Contains(s, a) {
			t.Fatalf("findAddress(%q) = %q", s, a)
		}
		c := cleanAddress(s)
		if isAddress(c) {
			for _, r := range c {
				if r < 0x20 || r == 0x7f || 0x80 <= r && r <= 0x9f {
					t.Fatalf("address %q holds control character %U", c, r)
				}
			}
		}
		if q := quoteDetail(c); !utf8.ValidString(q) || strings.ContainsAny(q, "\x1b\x07\x00\n") {
			t.Fatalf("quoteDetail(%q) = %q", c, q)
		}
	})
}
