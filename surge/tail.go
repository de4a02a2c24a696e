package surge

import "math"

// Tail probabilities of the count models, computed in log space so that the
// far tail of a flood (P ≈ 1e-2000) stays finite and ordered.

const (
	tailEps      = 1e-15
	tailMaxIter  = 100000
	bigArgument  = 2000 // above this, the Wilson–Hilferty approximation (relative error of log P < 0.3% to z = 19)
	bigNegBin    = 1e5  // above this, the negative binomial's gamma approximation
	zMax         = 40   // normal scores are clamped to ±zMax
	logHalf      = -math.Ln2
	minLambda    = 0.1 // the least expected count per hour (see Options)
	maxNBSize    = 1e5 // a negative binomial with a larger size is taken for Poisson
	maxCountSane = 1e15
)

// PoissonTail returns P(X ≥ x) for X ~ Poisson(lambda). x may be fractional
// (the regularized incomplete gamma P(x, λ) continues the integer case).
// The result is exact to about 1e-13 relative for x, λ up to 2000, and uses
// the Wilson–Hilferty cube-root approximation beyond (relative error of
// the logarithm below 0.3% out to 19 standard deviations).
func PoissonTail(x, lambda float64) float64 {
	up, _ := poissonLogTails(x, lambda)
	return math.Exp(up)
}

// NegBinomialTail returns P(X ≥ x) for X negative binomial with the given
// mean and size r (variance mean + mean²/r). r ≤ 0 or very large means
// Poisson. Beyond x or mean 1e5 it uses the gamma distribution of the same
// mean and variance, with a continuity correction.
func NegBinomialTail(x, mean, r float64) float64 {
	up, _ := logTails(x, mean, r)
	return math.Exp(up)
}

// logTails returns log P(X ≥ x) and log P(X < x) under Poisson(mean)
// (r == 0) or the negative binomial of size r.
func logTails(x, mean, r float64) (up, low float64) {
	if r <= 0 || r >= maxNBSize {
		return poissonLogTails(x, mean)
	}
	return negBinLogTails(x, mean, r)
}

// logPMF is log P(X = x) under the same models.
func logPMF(x, mean, r float64) float64 {
	if x < 0 {
		return math.Inf(-1)
	}
	if mean <= 0 {
		if x == 0 {
			return 0
		}
		return math.Inf(-1)
	}
	if r <= 0 || r >= maxNBSize {
		lg, _ := math.Lgamma(x + 1)
		return x*math.Log(mean) - mean - lg
	}
	p := r / (r + mean)
	a, _ := math.Lgamma(x + r)
	b, _ := math.Lgamma(r)
	c, _ := math.Lgamma(x + 1)
	return a - b - c + r*math.Log(p) + x*math.Log1p(-p)
}

// poissonLogTails: P(X ≥ x) is the regularized lower incomplete gamma
// P(x, λ), P(X < x) the upper one Q(x, λ) (Numerical Recipes §6.2). The
// branch computes whichever is smaller directly, the other as its
// complement, so neither loses precision.
func poissonLogTails(x, lambda float64) (up, low float64) {
	if x <= 0 {
		return 0, math.Inf(-1)
	}
	if lambda <= 0 {
		return math.Inf(-1), 0
	}
	if x > bigArgument || lambda > bigArgument {
		return wilsonHilferty(x, lambda)
	}
	lg, _ := math.Lgamma(x)
	front := x*math.Log(lambda) - lambda - lg
	if lambda < x+1 {
		// Series: P = e^-λ λ^a / Γ(a+1) Σ λ^n / ((a+1)…(a+n)).
		ap, del := x, 1/x
		sum := del
		for i := 0; i < tailMaxIter; i++ {
			ap++
			del *= lambda / ap
			sum += del
			if del < sum*tailEps {
				break
			}
		}
		up = front + math.Log(sum)
		if up > 0 {
			up = 0
		}
		return up, log1mexp(up)
	}
	// Continued fraction for Q (modified Lentz).
	const tiny = 1e-300
	b := lambda + 1 - x
	c := 1 / tiny
	d := 1 / b
	h := d
	for i := 1; i <= tailMaxIter; i++ {
		an := -float64(i) * (float64(i) - x)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < tailEps {
			break
		}
	}
	low = front + math.Log(h)
	if low > 0 {
		low = 0
	}
	return log1mexp(low), low
}

// wilsonHilferty approximates the Poisson tails through the chi-square
// identity P(X ≥ x) = P(χ²(2x) ≤ 2λ) and the cube-root normal
// approximation of χ² (Wilson & Hilferty 1931).
func wilsonHilferty(x, lambda float64) (up, low float64) {
	v := 1 / (9 * x)
	z := (math.Cbrt(lambda/x) - (1 - v)) / math.Sqrt(v)
	// P(χ² ≤ 2λ) = Φ(z): the Poisson upper tail is the normal lower tail.
	return logNormalUpper(-z), logNormalUpper(z)
}

// negBinLogTails: for X ~ NB(r, p) with p = r/(r+μ),
// P(X ≥ x) = I_{1-p}(x, r), the regularized incomplete beta
// (Numerical Recipes §6.4).
func negBinLogTails(x, mean, r float64) (up, low float64) {
	if x <= 0 {
		return 0, math.Inf(-1)
	}
	if mean <= 0 {
		return math.Inf(-1), 0
	}
	if x > bigNegBin || mean > bigNegBin {
		// Gamma(k, θ) with the same mean and variance; P(Gamma(k) ≥ y)
		// is the upper regularized gamma Q(k, y), which poissonLogTails
		// returns as its second value.
		theta := 1 + mean/r
		k := mean / theta
		low, up = poissonLogTails(k, (x-0.5)/theta)
		return up, low
	}
	zz := mean / (r + mean) // 1 - p
	a, b := x, r
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := a*math.Log(zz) + b*math.Log1p(-zz) - (la + lb - lab)
	if zz < (a+1)/(a+b+2) {
		up = front + math.Log(betaCF(a, b, zz)) - math.Log(a)
		if up > 0 {
			up = 0
		}
		return up, log1mexp(up)
	}
	low = front + math.Log(betaCF(b, a, 1-zz)) - math.Log(b)
	if low > 0 {
		low = 0
	}
	return log1mexp(low), low
}

// betaCF is the continued fraction of the incomplete beta (modified Lentz).
func betaCF(a, b, x float64) float64 {
	const tiny = 1e-300
	qab, qap, qam := a+b, a+1, a-1
	c := 1.0
	d := 1 - qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= tailMaxIter; m++ {
		fm := float64(m)
		m2 := 2 * fm
		aa := fm * (b - fm) * x / ((qam + m2) * (a + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		h *= d * c
		aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < tailEps {
			break
		}
	}
	return h
}

// log1mexp returns log(1 - e^l) for l ≤ 0 (Mächler 2012).
func log1mexp(l float64) float64 {
	switch {
	case l >= 0:
		return math.Inf(-1)
	case l > -math.Ln2:
		return math.Log(-math.Expm1(l))
	default:
		return math.Log1p(-math.Exp(l))
	}
}

// logAddExp returns log(e^a + e^b).
func logAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(b, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// logNormalUpper returns log(1 - Φ(z)).
func logNormalUpper(z float64) float64 {
	if z < 25 {
		return math.Log(0.5 * math.Erfc(z/math.Sqrt2))
	}
	// Asymptotic series of Mills' ratio.
	z2 := z * z
	return -z2/2 - math.Log(z) - 0.5*math.Log(2*math.Pi) + math.Log1p(-1/z2+3/(z2*z2))
}

// normalScore returns z with 1 - Φ(z) = e^lp: the standard normal quantile
// of an upper-tail probability given by its logarithm, clamped to ±zMax.
// Acklam's rational approximation (relative error 1.15e-9) refined by one
// Halley step where the probability is representable.
func normalScore(lp float64) float64 {
	if lp >= 0 {
		return -zMax
	}
	if lp > logHalf {
		// Upper tail above one half: z is negative; use the complement.
		return -normalScore(log1mexp(lp))
	}
	if math.IsInf(lp, -1) {
		return zMax
	}
	// Lower-tail quantile x of p = e^lp; z = -x.
	var x float64
	const pLow = 0.02425
	if lp < math.Log(pLow) {
		q := math.Sqrt(-2 * lp)
		x = (((((acC[0]*q+acC[1])*q+acC[2])*q+acC[3])*q+acC[4])*q + acC[5]) /
			((((acD[0]*q+acD[1])*q+acD[2])*q+acD[3])*q + 1)
	} else {
		p := math.Exp(lp)
		q := p - 0.5
		r := q * q
		x = (((((acA[0]*r+acA[1])*r+acA[2])*r+acA[3])*r+acA[4])*r + acA[5]) * q /
			(((((acB[0]*r+acB[1])*r+acB[2])*r+acB[3])*r+acB[4])*r + 1)
	}
	if lp > -700 {
		p := math.Exp(lp)
		e := 0.5*math.Erfc(-x/math.Sqrt2) - p
		u := e * math.Sqrt(2*math.Pi) * math.Exp(x*x/2)
		x -= u / (1 + x*u/2)
	}
	z := -x
	if z > zMax {
		z = zMax
	}
	if z < -zMax || math.IsNaN(z) {
		z = -zMax
	}
	return z
}

// Coefficients of Acklam's inverse normal algorithm.
var (
	acA = [6]float64{-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00}
	acB = [5]float64{-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01}
	acC = [6]float64{-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00}
	acD = [4]float64{7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00}
)

// midPScore standardises one count: the normal score of the mid-p upper
// tail u = P(X > x) + ½P(X = x) (Lancaster 1961), which is close to N(0, 1)
// under the model whatever the mean, unlike (x-λ)/√λ for small counts.
// It also returns log P(X ≥ x).
func midPScore(x, mean, r float64) (z, logUp float64) {
	up, low := logTails(x, mean, r)
	lpmf := logPMF(x, mean, r) + logHalf
	if up < logHalf {
		// u = P(X ≥ x) - ½P(X = x)
		lu := up + log1mexp(math.Min(lpmf-up, 0))
		return normalScore(lu), up
	}
	// 1 - u = P(X < x) + ½P(X = x)
	l1u := logAddExp(low, lpmf)
	if l1u >= 0 {
		return -zMax, up
	}
	return -normalScore(l1u), up
}
