package bounce

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decodeFixture decodes testdata/DIR/FILE.
func decodeFixture(t *testing.T, dir, file string) *Result {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", dir, file))
	if err != nil {
		t.Fatal(err)
	}
	res, err := DecodeBytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// noForbidden fails t when one of forbidden is a recipient of res.
func noForbidden(t *testing.T, res *Result, forbidden []string) {
	t.Helper()
	for _, r := range res.Records {
		for _, bad := range forbidden {
			if strings.EqualFold(r.Recipient, bad) {
				t.Errorf("forbidden address %s taken for a recipient", bad)
			}
		}
	}
}

// recipientsOf lists res's recipients in order (nil when none).
func recipientsOf(res *Result) []string {
	var got []string
	for _, r := range res.Records {
		got = append(got, r.Recipient)
	}
	return got
}
