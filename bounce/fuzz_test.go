package bounce

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the decoder: it must never panic
// (DecodeBytes turns a panic into ErrInternal, which fails here) and must
// keep its records well formed. Seeds: the repository's example bounces
// and every fixture under testdata/.
func FuzzDecode(f *testing.F) {
	var seeds []string
	for _, g := range []string{"../examples/*.eml", "testdata/*/*"} {
		m, _ := filepath.Glob(g)
		seeds = append(seeds, m...)
	}
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("Content-Type: multipart/report; boundary=x\n\n--x\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@b.c\nStatus: 5.1.1\n--x--\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := DecodeBytes(b)
		if errors.Is(err, ErrInternal) {
			t.Fatalf("decoder panicked: %v", err)
		}
		if res == nil {
			return
		}
		for _, r := range res.Records {
			if !r.Reason.Valid() {
				t.Fatalf("invalid reason %q", r.Reason)
			}
			if r.HardBounce && (r.Status != "" && r.Status[0] == '4') {
				t.Fatalf("hard bounce with temporary status %q", r.Status)
			}
		}
	})
}
