// Package passgen makes random passwords for mail accounts, from
// crypto/rand only.
//
// A password is drawn uniformly from all strings of the requested length
// over the enabled character classes that contain at least one character of
// every class: candidates are drawn character by character, each character
// uniformly by rejection sampling of random bytes, and a candidate that
// lacks a class is thrown away whole. No class, position or character is
// favoured beyond what that requirement implies, so [Entropy] is exact.
//
// The symbols are the ones that type the same way on Japanese (JIS) and US
// keyboards without dead keys, survive mail clients' and control panels'
// password fields, and need no quoting in configuration files: none of
// space, quotes, backslash (shown as ¥ in Japanese fonts), tilde (shown as
// an overline), caret, backquote, or angle brackets and ampersand (which
// some web panels mangle).
package passgen

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strings"
)

// The length limits.
const (
	DefaultLength = 20
	MinLength     = 8
	MaxLength     = 256
)

// The characters of each class, before look-alikes are dropped.
const (
	upperChars  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lowerChars  = "abcdefghijklmnopqrstuvwxyz"
	digitChars  = "0123456789"
	symbolChars = "!#%*+-/:=?@_"
	// ambiguousChars look alike in common fonts or are hard to read aloud
	// and copy by hand. Some are not in any class; they stay listed so that
	// a change of the symbol set cannot bring them back.
	ambiguousChars = "0Oo1lI|`'\"."
)

// Options says what passwords to make.
type Options struct {
	// Length is the number of characters: 0 means DefaultLength; otherwise
	// from MinLength to MaxLength.
	Length int
	// The character classes to use. Each enabled class appears at least
	// once in every password.
	Upper, Lower, Digits, Symbols bool
	// AvoidAmbiguous drops characters that are easily mistaken for others
	// when read or copied from paper: 0 O o 1 l I. (The symbols leave out
	// | ` ' " and the full stop in any case.)
	AvoidAmbiguous bool
}

// DefaultOptions returns the defaults: DefaultLength characters, upper and
// lower case, digits and symbols, look-alikes allowed.
func DefaultOptions() Options {
	return Options{Length: DefaultLength, Upper: true, Lower: true, Digits: true, Symbols: true}
}

// Errors of [Options.Validate], [Generate] and [Entropy].
var (
	ErrNoClass = errors.New("passgen: no character class enabled")
	ErrLength  = errors.New("passgen: length out of range")
)

// Classes returns the character sets of the enabled classes, in the order
// upper, lower, digits, symbols, with look-alikes dropped when
// o.AvoidAmbiguous is set.
func (o Options) Classes() []string {
	var out []string
	for _, c := range []struct {
		on    bool
		chars string
	}{{o.Upper, upperChars}, {o.Lower, lowerChars}, {o.Digits, digitChars}, {o.Symbols, symbolChars}} {
		if !c.on {
			continue
		}
		chars := c.chars
		if o.AvoidAmbiguous {
			chars = strings.Map(func(r rune) rune {
				if strings.ContainsRune(ambiguousChars, r) {
					return -1
				}
				return r
			}, chars)
		}
		out = append(out, chars)
	}
	return out
}

// length is o.Length with 0 meaning DefaultLength.
func (o Options) length() int {
	if o.Length == 0 {
		return DefaultLength
	}
	return o.Length
}

// Validate reports whether o can make passwords: some class enabled, and a
// length from MinLength to MaxLength (0 meaning DefaultLength) that leaves
// room for one character of each class.
func (o Options) Validate() error {
	classes := o.Classes()
	if len(classes) == 0 {
		return ErrNoClass
	}
	n := o.length()
	if n < MinLength || n > MaxLength {
		return fmt.Errorf("%w: %d (want %d to %d)", ErrLength, n, MinLength, MaxLength)
	}
	if n < len(classes) {
		return fmt.Errorf("%w: %d is shorter than the %d classes enabled", ErrLength, n, len(classes))
	}
	return nil
}

// Generate returns a new random password made as o says.
func Generate(o Options) (string, error) {
	return generate(rand.Reader, o)
}

// generate draws from r, which must give uniformly random bytes.
func generate(r io.Reader, o Options) (string, error) {
	if err := o.Validate(); err != nil {
		return "", err
	}
	classes := o.Classes()
	alphabet := strings.Join(classes, "")
	// class[i] is the class index of alphabet[i].
	class := make([]int, 0, len(alphabet))
	for k, c := range classes {
		for range len(c) {
			class = append(class, k)
		}
	}
	src := &byteSource{r: r}
	pw := make([]byte, o.length())
	seen := make([]bool, len(classes))
	for {
		clear(seen)
		missing := len(classes)
		for i := range pw {
			j, err := src.uniform(len(alphabet))
			if err != nil {
				return "", fmt.Errorf("passgen: reading random bytes: %w", err)
			}
			pw[i] = alphabet[j]
			if !seen[class[j]] {
				seen[class[j]] = true
				missing--
			}
		}
		if missing == 0 {
			return string(pw), nil
		}
	}
}

// byteSource hands out uniform indexes from a buffered random reader.
type byteSource struct {
	r   io.Reader
	buf [64]byte
	n   int // unread bytes at the end of buf
}

// uniform returns an index in [0, n), uniformly, for 0 < n <= 256: bytes
// at or above the largest multiple of n are thrown away, so every index has
// the same number of byte values.
func (s *byteSource) uniform(n int) (int, error) {
	limit := 256 - 256%n
	for {
		if s.n == 0 {
			if _, err := io.ReadFull(s.r, s.buf[:]); err != nil {
				return 0, err
			}
			s.n = len(s.buf)
		}
		b := int(s.buf[len(s.buf)-s.n])
		s.n--
		if b < limit {
			return b % n, nil
		}
	}
}

// Entropy returns the strength of the passwords o makes, in bits: the
// base-2 logarithm of the number of passwords Generate can return, all
// equally likely. It returns 0 for options that [Options.Validate] refuses.
func Entropy(o Options) float64 {
	if o.Validate() != nil {
		return 0
	}
	c := Count(o)
	f, _ := new(big.Float).SetInt(c).Float64()
	if !math.IsInf(f, 0) {
		return math.Log2(f)
	}
	// Beyond float64: log2(c) = bits shifted out + log2(the top 64 bits).
	shift := c.BitLen() - 64
	top, _ := new(big.Float).SetInt(new(big.Int).Rsh(c, uint(shift))).Float64()
	return float64(shift) + math.Log2(top)
}

// Count returns the number of passwords Generate can return for o: the
// strings of the length over the enabled classes that hold at least one
// character of each class. By inclusion and exclusion over the sets of
// classes left out, it is the sum of (-1)^|S| (N - size(S))^L, where N is
// the size of the whole alphabet and L the length. It returns 0 for options
// that [Options.Validate] refuses.
func Count(o Options) *big.Int {
	if o.Validate() != nil {
		return new(big.Int)
	}
	classes := o.Classes()
	total := 0
	for _, c := range classes {
		total += len(c)
	}
	length := big.NewInt(int64(o.length()))
	sum := new(big.Int)
	for mask := range 1 << len(classes) {
		left := total
		sign := 1
		for k, c := range classes {
			if mask&(1<<k) != 0 {
				left -= len(c)
				sign = -sign
			}
		}
		term := new(big.Int).Exp(big.NewInt(int64(left)), length, nil)
		if sign < 0 {
			term.Neg(term)
		}
		sum.Add(sum, term)
	}
	return sum
}
