package attrib

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// BATV, Bounce Address Tag Validation (draft-levine-smtp-batv-01), as
// Exim and most others implement its "prvs" scheme:
//
//	prvs=KDDDSSSSSS=local@domain
//
// K is a key number (one digit), DDD the day the tag expires (days since
// 1970-01-01, modulo 1000) and SSSSSS the first three bytes, in hex, of
// HMAC-SHA1 over K, DDD and the original address local@domain.

// BATVValidity is how long a tag made by [SignBATV] stays valid: the draft
// suggests about a week, and Exim uses 7 days.
const BATVValidity = 7

// BATVTag is a parsed prvs address.
type BATVTag struct {
	KeyNum  byte   // '0'..'9'
	Day     int    // expiry day, 0..999
	Hash    string // six hex digits, lower case
	Address string // the original address, local@domain
}

// Errors of BATV parsing and validation.
var (
	ErrNotBATV     = errors.New("not a BATV prvs address")
	ErrBATVHash    = errors.New("BATV tag hash does not match our key")
	ErrBATVExpired = errors.New("BATV tag expired")
)

// ParseBATV parses a prvs address such as
// "prvs=1234abcdef=shop@example.jp" (angle brackets allowed). The result's
// Address is the untagged address.
func ParseBATV(addr string) (BATVTag, error) {
	a := strings.TrimSpace(addr)
	a = strings.TrimPrefix(a, "<")
	a = strings.TrimSuffix(a, ">")
	if len(a) < 5 || !strings.EqualFold(a[:5], "prvs=") {
		return BATVTag{}, fmt.Errorf("%w: %q", ErrNotBATV, addr)
	}
	rest := a[5:]
	tag, orig, ok := strings.Cut(rest, "=")
	if !ok || len(tag) != 10 {
		return BATVTag{}, fmt.Errorf("%w: tag of %q is not KDDDSSSSSS", ErrNotBATV, addr)
	}
	for i := range 4 {
		if tag[i] < '0' || tag[i] > '9' {
			return BATVTag{}, fmt.Errorf("%w: tag of %q is not KDDDSSSSSS", ErrNotBATV, addr)
		}
	}
	h := strings.ToLower(tag[4:])
	if _, err := hex.DecodeString(h); err != nil {
		return BATVTag{}, fmt.Errorf("%w: hash of %q is not hex", ErrNotBATV, addr)
	}
	at := strings.LastIndexByte(orig, '@')
	if at <= 0 || at == len(orig)-1 {
		return BATVTag{}, fmt.Errorf("%w: %q has no local@domain", ErrNotBATV, addr)
	}
	day := int(tag[1]-'0')*100 + int(tag[2]-'0')*10 + int(tag[3]-'0')
	return BATVTag{KeyNum: tag[0], Day: day, Hash: h, Address: orig}, nil
}

// String returns the prvs address.
func (t BATVTag) String() string {
	return fmt.Sprintf("prvs=%c%03d%s=%s", t.KeyNum, t.Day, t.Hash, t.Address)
}

// batvHash returns the six hex digits for key number k, day and address.
func batvHash(key []byte, k byte, day int, addr string) string {
	m := hmac.New(sha1.New, key)
	fmt.Fprintf(m, "%c%03d%s", k, day, addr)
	return hex.EncodeToString(m.Sum(nil)[:3])
}

// batvDay returns the BATV day number of t.
func batvDay(t time.Time) int {
	d := t.Unix() / 86400
	return int(d % 1000)
}

// SignBATV tags addr (local@domain) with key number keyNum (0..9), valid
// for BATVValidity days from now.
func SignBATV(addr string, key []byte, keyNum int, now time.Time) (string, error) {
	addr = strings.Trim(strings.TrimSpace(addr), "<>")
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return "", fmt.Errorf("BATV: %q is not local@domain", addr)
	}
	if keyNum < 0 || keyNum > 9 {
		return "", fmt.Errorf("BATV: key number %d is not 0..9", keyNum)
	}
	k := byte('0' + keyNum)
	day := batvDay(now.AddDate(0, 0, BATVValidity))
	return BATVTag{KeyNum: k, Day: day, Hash: batvHash(key, k, day, addr), Address: addr}.String(), nil
}

// ValidateBATV checks a prvs address against key at time at (when the
// bounce arrived). It returns the tag with ErrBATVHash when the hash is not
// ours, ErrBATVExpired when the hash is ours but the day has passed (or
// lies further ahead than a tag of ours could), and an error wrapping
// ErrNotBATV when addr is not a prvs address.
func ValidateBATV(addr string, key []byte, at time.Time) (BATVTag, error) {
	t, err := ParseBATV(addr)
	if err != nil {
		return t, err
	}
	want := batvHash(key, t.KeyNum, t.Day, t.Address)
	if !hmac.Equal([]byte(want), []byte(t.Hash)) {
		return t, ErrBATVHash
	}
	// Days left until expiry, modulo 1000: 0..BATVValidity (+1 for
	// clock skew) is valid.
	left := (t.Day - batvDay(at) + 1000) % 1000
	if left > BATVValidity+1 {
		return t, ErrBATVExpired
	}
	return t, nil
}
