package passgen

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
	"unicode"
)

func TestGenerate(t *testing.T) {
	tests := []struct {
		name    string
		o       Options
		wantLen int
		classes int
	}{
		{"defaults", DefaultOptions(), 20, 4},
		{"zero length means default", Options{Upper: true, Lower: true, Digits: true, Symbols: true}, 20, 4},
		{"minimum length", Options{Length: 8, Upper: true, Lower: true, Digits: true, Symbols: true}, 8, 4},
		{"maximum length", Options{Length: 256, Upper: true, Lower: true, Digits: true, Symbols: true}, 256, 4},
		{"no symbols", Options{Length: 12, Upper: true, Lower: true, Digits: true}, 12, 3},
		{"digits only", Options{Length: 8, Digits: true}, 8, 1},
		{"symbols and digits, no look-alikes", Options{Length: 8, Digits: true, Symbols: true, AvoidAmbiguous: true}, 8, 2},
		{"all, no look-alikes", Options{Length: 30, Upper: true, Lower: true, Digits: true, Symbols: true, AvoidAmbiguous: true}, 30, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			classes := tt.o.Classes()
			if len(classes) != tt.classes {
				t.Fatalf("Classes() = %q, want %d classes", classes, tt.classes)
			}
			alphabet := strings.Join(classes, "")
			for range 300 {
				pw, err := Generate(tt.o)
				if err != nil {
					t.Fatal(err)
				}
				if len(pw) != tt.wantLen {
					t.Fatalf("len(%q) = %d, want %d", pw, len(pw), tt.wantLen)
				}
				for _, r := range pw {
					if !strings.ContainsRune(alphabet, r) {
						t.Fatalf("%q has %q, not in the alphabet %q", pw, r, alphabet)
					}
				}
				for _, c := range classes {
					if !strings.ContainsAny(pw, c) {
						t.Fatalf("%q has no character of the class %q", pw, c)
					}
				}
			}
		})
	}
}

func TestGenerateDistinct(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		pw, err := Generate(DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if seen[pw] {
			t.Fatalf("%q came twice in 2000 passwords of %.0f bits", pw, Entropy(DefaultOptions()))
		}
		seen[pw] = true
	}
}

func TestAvoidAmbiguous(t *testing.T) {
	o := DefaultOptions()
	o.AvoidAmbiguous = true
	for _, c := range o.Classes() {
		if strings.ContainsAny(c, ambiguousChars) {
			t.Errorf("class %q keeps a look-alike of %q", c, ambiguousChars)
		}
	}
	// Only 0 O o 1 l I are dropped: the rest of each class stays.
	if got, want := len(strings.Join(o.Classes(), "")), 26+26+10+len(symbolChars)-6; got != want {
		t.Errorf("alphabet without look-alikes has %d characters, want %d", got, want)
	}
	for range 3000 {
		pw, err := Generate(o)
		if err != nil {
			t.Fatal(err)
		}
		if i := strings.IndexAny(pw, "0Oo1lI|`'\""); i >= 0 {
			t.Fatalf("%q has the look-alike %q", pw, pw[i])
		}
	}
}

// TestSymbolsSafe checks that the symbols type the same on JIS and US
// keyboards and need no quoting or escaping.
func TestSymbolsSafe(t *testing.T) {
	if strings.ContainsAny(symbolChars, " \"'`\\~^<>&|.,;$()[]{}") {
		t.Errorf("symbols %q include one that is unsafe to type or paste", symbolChars)
	}
	seen := map[rune]bool{}
	for _, r := range symbolChars {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) || unicode.IsLetter(r) || unicode.IsDigit(r) {
			t.Errorf("symbol %q is not a printable ASCII symbol", r)
		}
		if seen[r] {
			t.Errorf("symbol %q listed twice", r)
		}
		seen[r] = true
	}
}

func TestOptionErrors(t *testing.T) {
	all := func(n int) Options { return Options{Length: n, Upper: true, Lower: true, Digits: true, Symbols: true} }
	tests := []struct {
		name string
		o    Options
		want error
	}{
		{"no class", Options{Length: 20}, ErrNoClass},
		{"zero value", Options{}, ErrNoClass},
		{"too short", all(7), ErrLength},
		{"too long", all(257), ErrLength},
		{"negative", all(-1), ErrLength},
		{"shortest", all(8), nil},
		{"longest", all(256), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Generate(tt.o)
			if !errors.Is(err, tt.want) {
				t.Errorf("Generate(%+v) error = %v, want %v", tt.o, err, tt.want)
			}
			if !errors.Is(tt.o.Validate(), tt.want) {
				t.Errorf("Validate() = %v, want %v", tt.o.Validate(), tt.want)
			}
			if e := Entropy(tt.o); (tt.want != nil) != (e == 0) {
				t.Errorf("Entropy(%+v) = %v", tt.o, e)
			}
		})
	}
}

func TestGenerateReadError(t *testing.T) {
	_, err := generate(bytes.NewReader(make([]byte, 10)), DefaultOptions())
	if err == nil || !strings.Contains(err.Error(), "random bytes") {
		t.Errorf("generate from a short reader: error = %v", err)
	}
}

// TestUniformIndex checks the rejection sampling of bytes: each index gets
// the same number of byte values, and bytes at or above the limit are
// skipped.
func TestUniformIndex(t *testing.T) {
	for n := 1; n <= 256; n++ {
		count := make([]int, n)
		all := make([]byte, 256) // each byte value once
		for i := range all {
			all[i] = byte(i)
		}
		src := &byteSource{r: bytes.NewReader(all)}
		accepted := 256 - 256%n
		for range accepted {
			j, err := src.uniform(n)
			if err != nil {
				t.Fatalf("n=%d: %v", n, err)
			}
			count[j]++
		}
		for j, c := range count {
			if c != 256/n {
				t.Fatalf("n=%d: index %d drawn %d times from all byte values, want %d", n, j, c, 256/n)
			}
		}
	}
	// n = 10: the limit is 250; 255 and 250 are skipped, 249 gives 9.
	buf := make([]byte, 64)
	buf[0], buf[1], buf[2], buf[3] = 255, 250, 249, 3
	src := &byteSource{r: bytes.NewReader(buf)}
	for _, want := range []int{9, 3} {
		if got, _ := src.uniform(10); got != want {
			t.Errorf("uniform(10) = %d, want %d", got, want)
		}
	}
}

// firstCharProbs returns, for each character of the alphabet of o, the
// probability that a password Generate makes starts with it: the number of
// valid passwords starting with that character over the number of all
// valid passwords. A password starting with a character of class k needs
// every other class in its remaining L-1 characters; by inclusion and
// exclusion over the other classes left out.
func firstCharProbs(o Options) (alphabet string, probs []float64) {
	classes := o.Classes()
	alphabet = strings.Join(classes, "")
	n := len(alphabet)
	rest := int64(o.length() - 1)
	total := new(big.Float).SetInt(Count(o))
	for k, ck := range classes {
		others := make([]int, 0, len(classes)-1)
		for j, c := range classes {
			if j != k {
				others = append(others, len(c))
			}
		}
		tails := new(big.Int)
		for mask := range 1 << len(others) {
			left, sign := n, 1
			for j, size := range others {
				if mask&(1<<j) != 0 {
					left -= size
					sign = -sign
				}
			}
			term := new(big.Int).Exp(big.NewInt(int64(left)), big.NewInt(rest), nil)
			if sign < 0 {
				term.Neg(term)
			}
			tails.Add(tails, term)
		}
		p, _ := new(big.Float).Quo(new(big.Float).SetInt(tails), total).Float64()
		for range len(ck) {
			probs = append(probs, p)
		}
	}
	return alphabet, probs
}

// chiSquareCritical is the value a chi-square statistic with df degrees of
// freedom exceeds with probability 1e-6 (Wilson-Hilferty approximation,
// accurate to well under 1% here).
func chiSquareCritical(df int) float64 {
	const z = 4.7534 // the standard normal's upper 1e-6 quantile
	d := float64(df)
	x := 1 - 2/(9*d) + z*math.Sqrt(2/(9*d))
	return d * x * x * x
}

// TestNoBias draws 200,000 passwords and tests the first character against
// its exact distribution with a chi-square test at p < 1e-6, so that a
// correct generator fails it about once in a million runs. Modulo bias
// (256 % 74 = 34 characters drawn 4/3 as often) or filling in the classes
// by a method other than whole-password rejection would exceed the
// threshold many times over.
func TestNoBias(t *testing.T) {
	cases := []struct {
		name string
		o    Options
	}{
		{"all classes, length 8", Options{Length: 8, Upper: true, Lower: true, Digits: true, Symbols: true}},
		{"lower case only", Options{Length: 8, Lower: true}},
	}
	const draws = 200_000
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			alphabet, probs := firstCharProbs(tc.o)
			sum := 0.0
			for _, p := range probs {
				sum += p
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Fatalf("first-character probabilities add up to %v", sum)
			}
			count := map[byte]int{}
			for range draws {
				pw, err := Generate(tc.o)
				if err != nil {
					t.Fatal(err)
				}
				count[pw[0]]++
			}
			chi := 0.0
			for i := range len(alphabet) {
				want := draws * probs[i]
				d := float64(count[alphabet[i]]) - want
				chi += d * d / want
			}
			if limit := chiSquareCritical(len(alphabet) - 1); chi > limit {
				t.Errorf("chi-square %.1f over %d characters exceeds %.1f (p < 1e-6): the first character is biased", chi, len(alphabet), limit)
			}
		})
	}
}

// TestChiSquareDetectsBias makes sure the test above can fail: a first
// character drawn with modulo bias exceeds the threshold.
func TestChiSquareDetectsBias(t *testing.T) {
	o := Options{Length: 8, Lower: true}
	alphabet, probs := firstCharProbs(o)
	const draws = 200_000
	count := make([]float64, len(alphabet))
	// The expected counts of a biased generator: byte % 26.
	for b := range 256 {
		count[b%len(alphabet)] += draws / 256.0
	}
	chi := 0.0
	for i := range alphabet {
		want := draws * probs[i]
		d := count[i] - want
		chi += d * d / want
	}
	if limit := chiSquareCritical(len(alphabet) - 1); chi <= limit {
		t.Errorf("modulo bias gives chi-square %.1f, not above %.1f", chi, limit)
	}
}

func TestCountAndEntropy(t *testing.T) {
	pow := func(a, b int64) *big.Int { return new(big.Int).Exp(big.NewInt(a), big.NewInt(b), nil) }
	sub := func(x *big.Int, ys ...*big.Int) *big.Int {
		z := new(big.Int).Set(x)
		for _, y := range ys {
			z.Sub(z, y)
		}
		return z
	}
	tests := []struct {
		name string
		o    Options
		want *big.Int
	}{
		{"digits only", Options{Length: 8, Digits: true}, pow(10, 8)},
		{"lower only, 20", Options{Length: 20, Lower: true}, pow(26, 20)},
		{"digits and symbols", Options{Length: 8, Digits: true, Symbols: true}, sub(pow(22, 8), pow(10, 8), pow(12, 8))},
		{"digits and symbols, no look-alikes", Options{Length: 9, Digits: true, Symbols: true, AvoidAmbiguous: true}, sub(pow(20, 9), pow(8, 9), pow(12, 9))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Count(tt.o); got.Cmp(tt.want) != 0 {
				t.Errorf("Count = %v, want %v", got, tt.want)
			}
			f, _ := new(big.Float).SetInt(tt.want).Float64()
			if got, want := Entropy(tt.o), math.Log2(f); math.Abs(got-want) > 1e-9 {
				t.Errorf("Entropy = %v, want %v", got, want)
			}
		})
	}
	// With every class, the entropy is a little below L log2 N: the
	// passwords lacking a class are left out (about 1.1 bits' worth at
	// length 8, nothing a float64 can show at 256).
	for _, n := range []int{8, 20, 64, 256} {
		o := DefaultOptions()
		o.Length = n
		upper := float64(n) * math.Log2(74)
		if e := Entropy(o); e > upper+1e-9 || e < upper-2 || math.IsInf(e, 0) || math.IsNaN(e) {
			t.Errorf("Entropy(length %d) = %v, want just below %v", n, e, upper)
		}
	}
	if e := Entropy(DefaultOptions()); e < 120 {
		t.Errorf("default entropy %v bits is below 120", e)
	}
}
