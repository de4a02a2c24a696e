package surge

import (
	"math"
	"testing"
)

// exactPoissonTail sums the pmf directly: P(X ≥ k) = 1 − Σ_{i<k} e^−λ λ^i/i!.
func exactPoissonTail(k int, l float64) float64 {
	cdf, term := 0.0, math.Exp(-l)
	for i := 0; i < k; i++ {
		cdf += term
		term *= l / float64(i+1)
	}
	return 1 - cdf
}

// exactNBTail sums the negative-binomial pmf directly.
func exactNBTail(k int, mean, r float64) float64 {
	p := r / (r + mean)
	cdf, term := 0.0, math.Pow(p, r)
	for i := 0; i < k; i++ {
		cdf += term
		term *= (float64(i) + r) / float64(i+1) * (1 - p)
	}
	return 1 - cdf
}

func TestPoissonTailMatchesExactSums(t *testing.T) {
	for _, l := range []float64{0.1, 0.5, 1, 3.7, 10, 25} {
		for k := 0; k <= 60; k++ {
			want := exactPoissonTail(k, l)
			if want < 1e-12 {
				break // the direct sum has lost its precision
			}
			got := PoissonTail(float64(k), l)
			if math.Abs(got-want) > 1e-12+1e-10*want {
				t.Errorf("P(X ≥ %d | λ=%v) = %.15g, exact sum %.15g", k, l, got, want)
			}
		}
	}
}

func TestNegBinomialTailMatchesExactSums(t *testing.T) {
	for _, c := range []struct{ mean, r float64 }{{0.5, 1}, {3, 2.5}, {10, 5}, {20, 50}} {
		for k := 0; k <= 80; k++ {
			want := exactNBTail(k, c.mean, c.r)
			if want < 1e-12 {
				break
			}
			got := NegBinomialTail(float64(k), c.mean, c.r)
			if math.Abs(got-want) > 1e-12+1e-9*want {
				t.Errorf("NB(mean %v, r %v): P(X ≥ %d) = %.15g, exact %.15g", c.mean, c.r, k, got, want)
			}
		}
	}
}

// The tail falls as the count rises and rises with λ, in log space so
// that the far tail (where the probability underflows) is checked too;
// across the switch to Wilson–Hilferty as well.
func TestTailMonotone(t *testing.T) {
	for _, l := range []float64{0.1, 1, 5, 50, 1500, 1999, 2500, 1e5} {
		prev := 1.0
		step := math.Max(1, math.Sqrt(l)/4)
		for x := 0.0; x < l+60*math.Sqrt(l)+100; x += step {
			up, _ := poissonLogTails(x, l)
			if up > prev+1e-12 || math.IsNaN(up) {
				t.Fatalf("λ=%v: log P(X ≥ %v) = %v above the previous %v", l, x, up, prev)
			}
			prev = up
		}
	}
	for _, x := range []float64{1, 7, 300, 1990, 2010} {
		prev := math.Inf(-1)
		for l := 0.05; l < 5000; l *= 1.1 {
			up, _ := poissonLogTails(x, l)
			if up < prev-1e-12 {
				t.Fatalf("x=%v: log P falls from %v to %v as λ rises to %v", x, prev, up, l)
			}
			prev = up
		}
	}
	for _, r := range []float64{0.5, 3, 40} {
		prev := 1.0
		for x := 0.0; x < 5000; x += 7 {
			up, _ := logTails(x, 30, r)
			if up > prev+1e-12 || math.IsNaN(up) {
				t.Fatalf("NB r=%v: log P(X ≥ %v) = %v above %v", r, x, up, prev)
			}
			prev = up
		}
	}
}

// The two tails are complements.
func TestTailsComplement(t *testing.T) {
	for _, l := range []float64{0.3, 4, 80, 900} {
		for _, x := range []float64{1, 2, 5, 40, 100, 1000} {
			up, low := poissonLogTails(x, l)
			if s := math.Exp(up) + math.Exp(low); math.Abs(s-1) > 1e-12 {
				t.Errorf("λ=%v x=%v: tails sum to %v", l, x, s)
			}
		}
	}
}

func TestNormalScore(t *testing.T) {
	for _, c := range []struct{ p, z float64 }{
		{0.5, 0}, {0.158655253931457, 1}, {0.0227501319481792, 2},
		{1.3498980316301e-3, 3}, {2.86651571879194e-7, 5}, {7.61985302416047e-24, 10}, {0.841344746068543, -1},
	} {
		if got := normalScore(math.Log(c.p)); math.Abs(got-c.z) > 1e-7 {
			t.Errorf("normalScore(log %g) = %.9f, want %v", c.p, got, c.z)
		}
	}
	// Beyond float64: log p = −5000 is z ≈ 99.99, clamped.
	if got := normalScore(-5000); got != zMax {
		t.Errorf("normalScore(-5000) = %v, want %v", got, zMax)
	}
}

// Under the model, mid-p scores have mean about 0 and variance about 1
// (slightly less, for discrete data) whatever the mean.
func TestMidPScoreStandardises(t *testing.T) {
	for _, l := range []float64{0.5, 3, 20} {
		mean, sq := 0.0, 0.0
		for k := 0; k < 200; k++ {
			p := math.Exp(logPMF(float64(k), l, 0))
			z, _ := midPScore(float64(k), l, 0)
			mean += p * z
			sq += p * z * z
		}
		if math.Abs(mean) > 0.1 || sq-mean*mean < 0.55 || sq-mean*mean > 1.05 {
			t.Errorf("λ=%v: scores have mean %.3f, variance %.3f", l, mean, sq-mean*mean)
		}
	}
}
