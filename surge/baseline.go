package surge

import (
	"math"
	"sort"
)

// Baseline model levels, from the richest to the plainest.
const (
	ModelWeekHour = "hour-of-day×weekday" // λ = H(hour of day) · W(weekday)
	ModelHour     = "hour-of-day"         // λ = H(hour of day)
	ModelOverall  = "overall"             // one rate for every hour
)

// Support needed for each level (clean hours, i.e. not in a surge).
const (
	minPerHourSlot = 3    // clean hours per hour of day: three days
	minPerWeekday  = 20   // clean hours per weekday: about one day
	priorHours     = 1    // weight of the overall rate in each slot's estimate
	minOverdisp    = 1.05 // the winsorized Pearson statistic must exceed its Poisson value by 5% to mean over-dispersion
	minRobustHours = 48   // hours with λ ≥ 2 preferred for the dispersion
)

// model is a learnt expectation for every hour of a series.
type model struct {
	level   string
	lambda  []float64
	r       float64 // negative-binomial size of the hour-to-hour noise; 0 = Poisson
	history int     // clean hours the model learnt from
	// info is, per hour, the events behind its rate estimate (plus the
	// prior's): the estimate's relative variance is 1/info. 0 = none.
	info []float64
}

// size is the negative-binomial size of the predictive distribution of
// hour i: the noise (1/r) and the uncertainty of the estimate (1/info) add
// up as squared coefficients of variation. 0 means Poisson.
func (m model) size(i int) float64 {
	inv := 0.0
	if m.r > 0 {
		inv += 1 / m.r
	}
	if m.info != nil && m.info[i] > 0 {
		inv += 1 / m.info[i]
	}
	if inv == 0 {
		return 0
	}
	return 1 / inv
}

// fitRobust is the first pass, before any surge is known: the median of
// the hours at the same hour of day (or of all hours), Poisson or, when the
// Anscombe residuals' MAD says so, over-dispersed. Hours marked in skip
// (nil: none) are left out.
func fitRobust(x []float64, hod []uint8, skip []bool) model {
	n := len(x)
	m := model{level: ModelOverall, lambda: make([]float64, n), history: n}
	var use []bool
	if skip != nil {
		use = make([]bool, n)
		m.history = 0
		for i := range use {
			use[i] = !skip[i]
			if use[i] {
				m.history++
			}
		}
	}
	var bySlot [24][]float64
	var all []float64
	for i, v := range x {
		if use == nil || use[i] {
			bySlot[hod[i]] = append(bySlot[hod[i]], v)
			all = append(all, v)
		}
	}
	hourly := true
	for _, s := range bySlot {
		if len(s) < minPerHourSlot {
			hourly = false
		}
	}
	if hourly {
		m.level = ModelHour
		var med [24]float64
		for h := range bySlot {
			med[h] = median(bySlot[h])
		}
		for i := range x {
			m.lambda[i] = math.Max(med[hod[i]], minLambda)
		}
	} else {
		l := math.Max(median(all), minLambda)
		for i := range m.lambda {
			m.lambda[i] = l
		}
	}
	m.r = dispersion(x, m.lambda, use, 3, 24)
	return m
}

// fitClean learns from the clean hours only: a Poisson log-linear model
// with hour-of-day and weekday main effects, fitted by iterative
// proportional fitting (its maximum-likelihood estimate), falling back to
// hour of day alone, then to one overall rate, as the history allows. Each
// hour-of-day rate is shrunk toward the overall rate by priorHours
// pseudo-hours (a gamma prior), and the number of events behind it sets
// the uncertainty of the prediction (the gamma–Poisson predictive is
// negative binomial). The hour-to-hour dispersion comes from the
// winsorized Pearson statistic.
func fitClean(x []float64, hod, dow []uint8, clean []bool) model {
	var sx, nn [24][7]float64
	total, nClean := 0.0, 0
	for i, v := range x {
		if clean[i] {
			sx[hod[i]][dow[i]] += v
			nn[hod[i]][dow[i]]++
			total += v
			nClean++
		}
	}
	m := model{level: ModelOverall, lambda: make([]float64, len(x)), history: nClean}
	if nClean == 0 {
		for i := range m.lambda {
			m.lambda[i] = minLambda
		}
		return m
	}
	hourly, weekly := true, true
	for h := 0; h < 24; h++ {
		c := 0.0
		for d := 0; d < 7; d++ {
			c += nn[h][d]
		}
		if c < minPerHourSlot {
			hourly = false
		}
	}
	for d := 0; d < 7; d++ {
		c := 0.0
		for h := 0; h < 24; h++ {
			c += nn[h][d]
		}
		if c < minPerWeekday {
			weekly = false
		}
	}
	var H, info [24]float64
	W := [7]float64{1, 1, 1, 1, 1, 1, 1}
	params := 1.0
	prior := total / float64(nClean)
	slot := func(h int) {
		num, den := 0.0, 0.0
		for d := 0; d < 7; d++ {
			num += sx[h][d]
			den += nn[h][d] * W[d]
		}
		H[h] = (num + priorHours*prior) / (den + priorHours)
		info[h] = num + priorHours*prior
	}
	switch {
	case hourly && weekly:
		m.level, params = ModelWeekHour, 30
		for it := 0; it < 20; it++ {
			for h := 0; h < 24; h++ {
				slot(h)
			}
			change := 0.0
			for d := 0; d < 7; d++ {
				num, den := 0.0, 0.0
				for h := 0; h < 24; h++ {
					num += sx[h][d]
					den += nn[h][d] * H[h]
				}
				w := safeDiv(num, den)
				change = math.Max(change, math.Abs(w-W[d]))
				W[d] = w
			}
			if change < 1e-6 {
				break
			}
		}
	case hourly:
		m.level, params = ModelHour, 24
		for h := 0; h < 24; h++ {
			slot(h)
		}
	default:
		for h := range H {
			H[h], info[h] = prior, total
		}
	}
	m.info = make([]float64, len(x))
	for i := range x {
		m.lambda[i] = math.Max(H[hod[i]]*W[dow[i]], minLambda)
		m.info[i] = info[hod[i]]
	}
	// The clean hours lack the surges' tails but also any noise taken for
	// a surge in an earlier pass: take the more dispersed of the estimate
	// over them and the more heavily winsorized one over all hours, so that
	// a false alarm does not make the next pass believe the noise smaller.
	m.r = dispersion(x, m.lambda, clean, 4, params)
	if r := dispersion(x, m.lambda, nil, 3, params); r > 0 && (m.r == 0 || r < m.r) {
		m.r = r
	}
	return m
}

// dispersion estimates the negative-binomial size r by the method of
// moments on winsorized Pearson residuals: it solves
// Σ min(e², c²) / (n − params) = E[min(Z², c²)], e = (x−λ)/√(λ+λ²/r), Z standard
// normal, by bisection on 1/r, over the hours where use is true (all when
// nil) and λ ≥ 2 (all used hours when these leave fewer than 48 degrees
// of freedom: a few busy hours against 30 parameters say little). Winsorizing
// at c bounds what one hour — a surge not yet excluded — can add. It
// returns 0 (Poisson) when the data are not over-dispersed.
func dispersion(x, lambda []float64, use []bool, c, params float64) float64 {
	idx := make([]int, 0, len(x))
	for _, minL := range []float64{2, 0} {
		idx = idx[:0]
		for i, l := range lambda {
			if (use == nil || use[i]) && l >= minL {
				idx = append(idx, i)
			}
		}
		if float64(len(idx))-params >= minRobustHours {
			break
		}
	}
	df := float64(len(idx)) - params
	if df < 1 {
		return 0
	}
	c2 := c * c
	tail := 0.5 * math.Erfc(c/math.Sqrt2)
	target := 1 - 2*(c*math.Exp(-c2/2)/math.Sqrt(2*math.Pi)+tail) + 2*c2*tail
	excess := func(inv float64) float64 {
		sum := 0.0
		for _, i := range idx {
			l := lambda[i]
			d := x[i] - l
			sum += math.Min(d*d/(l+l*l*inv), c2)
		}
		return sum/df - target*minOverdisp
	}
	lo, hi := math.Log(1/maxNBSize), math.Log(100.0)
	if excess(0) <= 0 || excess(math.Exp(lo)) <= 0 {
		return 0
	}
	if excess(math.Exp(hi)) > 0 {
		return math.Exp(-hi)
	}
	for it := 0; it < 30; it++ { // 1/r to within 0.000002%
		mid := (lo + hi) / 2
		if excess(math.Exp(mid)) > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return math.Exp(-hi)
}

func safeDiv(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

// median sorts v in place and returns its median (0 for none).
func median(v []float64) float64 {
	n := len(v)
	if n == 0 {
		return 0
	}
	sort.Float64s(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
