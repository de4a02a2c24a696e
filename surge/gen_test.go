package surge

import (
	"math"
	"math/rand/v2"
	"time"
)

// Generators of synthetic hourly series for the tests, deterministic by seed.

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// poisson draws from Poisson(l): Knuth's product method in chunks of 30.
func poisson(r *rand.Rand, l float64) float64 {
	n := 0.0
	for l > 0 {
		c := math.Min(l, 30)
		l -= c
		lim, p := math.Exp(-c), r.Float64()
		for p > lim {
			n++
			p *= r.Float64()
		}
	}
	return n
}

// gammaDraw draws from Gamma(shape, 1) (Marsaglia & Tsang 2000).
func gammaDraw(r *rand.Rand, shape float64) float64 {
	if shape < 1 {
		return gammaDraw(r, shape+1) * math.Pow(r.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := r.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}

// officeRate is a daily pattern: quiet nights, a peak in the afternoon,
// weekends at 40%.
func officeRate(t time.Time, peak float64) float64 {
	h := float64(t.Hour())
	l := 0.3 + peak*math.Exp(-math.Pow((h-14)/4, 2))
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		l *= 0.4
	}
	return l
}

// noise returns hours of Poisson noise around rate(t) starting at start;
// with size > 0 the rate is itself gamma-distributed (negative binomial).
func noise(seed uint64, start time.Time, hours int, size float64, rate func(time.Time) float64) Series {
	r := newRand(seed)
	s := Series{Start: start, Counts: make([]float64, hours)}
	for i := range s.Counts {
		l := rate(s.Hour(i))
		if size > 0 {
			l *= gammaDraw(r, size) / size
		}
		s.Counts[i] = poisson(r, l)
	}
	return s
}

// add adds Poisson(l) events to hours [from, from+n).
func add(seed uint64, s Series, from, n int, l float64) Series {
	r := newRand(seed ^ 0xadd)
	c := append([]float64(nil), s.Counts...)
	for i := from; i < from+n && i < len(c); i++ {
		c[i] += poisson(r, l)
	}
	return Series{Start: s.Start, Counts: c}
}

func constant(l float64) func(time.Time) float64 { return func(time.Time) float64 { return l } }

func mustLoad(tb interface {
	Helper()
	Fatalf(string, ...any)
}, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatalf("time zone database needed: %v", err)
	}
	return loc
}
