package attrib

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/bounce"
)

func FuzzParseBATV(f *testing.F) {
	for _, s := range []string{
		"prvs=1123abcdef=shop@example.jp", "<prvs=9905c7c8d6=ms@dev.tdt.de>", "PRVS=0000000000=a@b",
		"prvs=234d5777c=ross@citrix.example", "prvs==@", "prvs=1123abcdef=@x", "shop@example.jp", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tag, err := ParseBATV(s)
		if err != nil {
			if !errors.Is(err, ErrNotBATV) {
				t.Fatalf("error %v does not wrap ErrNotBATV", err)
			}
			return
		}
		if tag.Day < 0 || tag.Day > 999 || tag.KeyNum < '0' || tag.KeyNum > '9' || len(tag.Hash) != 6 {
			t.Fatalf("bad tag %+v from %q", tag, s)
		}
		again, err := ParseBATV(tag.String())
		if err != nil || again != tag {
			t.Fatalf("round trip of %q: %+v, %v; want %+v", s, again, err, tag)
		}
		// Validation never panics and never accepts a tag it did not sign
		// unless the hash happens to be ours.
		_, err = ValidateBATV(s, []byte("k"), time.Unix(0, 0))
		if err == nil && batvHash([]byte("k"), tag.KeyNum, tag.Day, tag.Address) != tag.Hash {
			t.Fatalf("%q validated with a foreign hash", s)
		}
	})
}

func FuzzMessageIDShape(f *testing.F) {
	for _, s := range []string{
		"<20261101171409.4B2C81A0042@mail.example.jp>", "<3f5e2a1b-9c8d-4e7f-a6b5-0c1d2e3f4a5b@example.jp>",
		"<000d01db2c7e$5a3f1c20$0ebd5460$@x>", "<@>", "<<>>", "日本語@例え.jp", strings.Repeat("a.", 200) + "@" + strings.Repeat("d", 300),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := MessageIDShape(s)
		if len(got) > 128 {
			t.Fatalf("shape of %q is %d bytes", s, len(got))
		}
		if got != MessageIDShape(s) {
			t.Fatal("not deterministic")
		}
		local := got
		if i := strings.IndexByte(got, '@'); i >= 0 {
			local = got[:i]
		}
		for _, c := range []byte(local) {
			if c < 0x20 || c >= 0x7f {
				t.Fatalf("shape %q has byte %#x", got, c)
			}
		}
		// The shape does not depend on the exact letters and digits.
		if mangled := strings.Map(func(r rune) rune {
			switch {
			case r >= '1' && r <= '9':
				return '1'
			case r >= 'g' && r <= 'z':
				return 'x'
			}
			return r
		}, s); MessageIDShape(mangled) != got && !strings.Contains(s, "@") {
			t.Fatalf("shape of %q (%q) differs from that of %q (%q)", s, got, mangled, MessageIDShape(mangled))
		}
	})
}

// FuzzDetectFake feeds arbitrary messages (seeded with the fixtures) to
// the decoder and the fake detector: it never panics, gives the same
// answer twice, and every reason it gives is explained in both languages.
func FuzzDetectFake(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.eml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("From: =?UTF-8?B?44OJ44Kz44Oi?= <a@docomo-x.example>\nSubject: =?UTF-8?B?%%?=\n\nhttps://x.example/login?u=YUBiLmM=\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, _ := bounce.DecodeBytes(b)
		if res == nil {
			return
		}
		a := DetectFake(res, []string{"example.jp"})
		again := DetectFake(res, []string{"example.jp"})
		if (a == nil) != (again == nil) || a != nil && len(a.Reasons) != len(again.Reasons) {
			t.Fatalf("not deterministic: %v vs %v", a, again)
		}
		if a == nil {
			return
		}
		if len(a.Reasons) == 0 {
			t.Fatal("fake without a reason")
		}
		for _, r := range a.Reasons {
			if r.Code == "" || r.En == "" || r.Ja == "" || r.SupportsOurs {
				t.Fatalf("bad reason %+v", r)
			}
		}
	})
}
