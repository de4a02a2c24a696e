package surge

import (
	"math"
	"time"
)

// Methods of detection.
const (
	MethodBaseline = "baseline" // against a baseline learnt from the series' own history
	MethodAbsolute = "absolute" // too little history: fixed thresholds (Options)
)

// Defaults of Options.
const (
	DefaultMinHistoryHours   = 72
	DefaultAbsoluteThreshold = 50 // events per hour
	DefaultAbsoluteFloor     = 10 // events per hour
)

// CUSUM parameters at Sensitivity 1, in units of the standard normal score
// of each hour (see the package documentation).
const (
	cusumK    = 1.0 // reference value: tuned to shifts of 2σ and more
	cusumH    = 5.0 // decision interval
	quietRun  = 3   // a surge ends after this many hours at or below k
	padHours  = 3   // hours around a surge kept out of the baseline as well
	maxPasses = 5
)

// Options tune Detect. The zero value means the defaults.
type Options struct {
	// Sensitivity divides every threshold: the CUSUM reference value k and
	// decision interval h, AbsoluteThreshold and AbsoluteFloor, and the
	// exponent of Compare's significance level (α = 10^(−3/Sensitivity)).
	// 1 (the default) is tuned for about one false alarm per ten years of
	// hourly Poisson noise; 2 finds surges about half the size at the price
	// of a false alarm every month or so. Zero or negative means 1.
	Sensitivity float64
	// MinHistoryHours is the least number of hours outside any surge needed
	// to learn a baseline (default 72: three days, so that every hour of
	// the day has three samples). With less, the absolute method applies.
	MinHistoryHours int
	// AbsoluteThreshold is the count per hour that makes a surge when there
	// is too little history (default 50/h: far above what a small
	// business's mailbox receives from ordinary bounces).
	AbsoluteThreshold float64
	// AbsoluteFloor is the least count in the peak hour of any surge
	// (default 10/h): against a baseline of a few bounces a day, three in
	// one hour is improbable but not a flood. In the absolute method, a
	// surge also extends over the adjacent hours with at least this count.
	AbsoluteFloor float64
	// Now, when set, is the end of the data: the hour that contains it is
	// scored against the elapsed share of its expected count (at 10:20 the
	// 10:00 hour is a third over), so that a live watch sees a flood minutes
	// after it starts, not at the end of the hour; hours that start at or
	// after Now are not scored. A partial hour is kept out of the
	// baseline's fit. In the absolute method the partial hour needs
	// AbsoluteThreshold times its share, and never less than
	// AbsoluteFloor. Zero: every hour of the series is whole.
	Now time.Time
}

func (o Options) norm() Options {
	if !(o.Sensitivity > 0) || math.IsInf(o.Sensitivity, 0) {
		o.Sensitivity = 1
	}
	if o.MinHistoryHours <= 0 {
		o.MinHistoryHours = DefaultMinHistoryHours
	}
	if !(o.AbsoluteThreshold > 0) || math.IsInf(o.AbsoluteThreshold, 0) {
		o.AbsoluteThreshold = DefaultAbsoluteThreshold
	}
	if !(o.AbsoluteFloor > 0) || math.IsInf(o.AbsoluteFloor, 0) {
		o.AbsoluteFloor = DefaultAbsoluteFloor
	}
	return o
}

func (o Options) k() float64         { return cusumK / o.Sensitivity }
func (o Options) h() float64         { return cusumH / o.Sensitivity }
func (o Options) threshold() float64 { return o.AbsoluteThreshold / o.Sensitivity }
func (o Options) floor() float64     { return o.AbsoluteFloor / o.Sensitivity }

// HourStat is one hour of the analysis, for charts and evidence.
type HourStat struct {
	Time     time.Time `json:"time"`
	Count    float64   `json:"count"`
	Expected float64   `json:"expected"` // the baseline λ (absolute method: the median outside the surge)
	Z        float64   `json:"z"`        // normal score of the mid-p tail; 0 in the absolute method
	P        float64   `json:"p"`        // P(X ≥ Count | baseline); −1 in the absolute method
	CUSUM    float64   `json:"cusum"`    // the CUSUM statistic after this hour
	InSurge  bool      `json:"in_surge"` // in any surge found
}

// Surge is what Detect found. When several separate surges are found, the
// fields describe the largest (by excess); Hours marks them all.
type Surge struct {
	Detected bool   `json:"detected"`
	Method   string `json:"method"`          // MethodBaseline or MethodAbsolute
	Model    string `json:"model,omitempty"` // the baseline's level, e.g. ModelWeekHour

	Onset time.Time `json:"onset"` // first hour of the surge
	// ChangePoint is the minute the rate stepped up, found by Pinpoint
	// from counts per minute; zero when not looked for or not found.
	ChangePoint time.Time `json:"change_point,omitzero"`
	End         time.Time `json:"end"`  // end of its last hour
	Peak        time.Time `json:"peak"` // the hour with the most events (when not detected: of the whole series)

	PeakPerHour     float64 `json:"peak_per_hour"`
	BaselinePerHour float64 `json:"baseline_per_hour"` // mean expected rate over the surge (or the series)
	Total           float64 `json:"total"`             // events during the surge
	Excess          float64 `json:"excess"`            // events above the baseline during the surge

	// PValue is the tail probability of the peak hour, P(X ≥ peak | λ),
	// under the baseline model; −1 in the absolute method, which has none.
	// It may underflow to 0 for a flood.
	PValue float64 `json:"p_value"`
	// Dispersion is the negative-binomial size r of the baseline (variance
	// λ + λ²/r); 0 means Poisson.
	Dispersion   float64    `json:"dispersion"`
	HistoryHours int        `json:"history_hours"` // hours the baseline learnt from
	Episodes     int        `json:"episodes"`      // separate surges found
	Hours        []HourStat `json:"hours"`
}

// episode is a run of surge hours [start, end], inclusive.
type episode struct {
	start, end int
	excess     float64
	peak       int
}

// Detect looks for a surge in s. See the package documentation for the
// method.
func Detect(s Series, o Options) Surge {
	o = o.norm()
	x := sanitize(s.Counts)
	hod, dow := slots(s)
	n, expo := s.observed(o.Now)
	a := analyze(x[:n], hod[:n], dow[:n], nil, expo, o)
	return a.report(s, x, o)
}

// observed returns how many hours of s start before now (all when now is
// zero) and, when the last of them is cut by now, each hour's exposure:
// the share of the hour observed (1 for whole hours); nil when every
// observed hour is whole.
func (s Series) observed(now time.Time) (int, []float64) {
	n := len(s.Counts)
	if now.IsZero() || n == 0 {
		return n, nil
	}
	d := now.Unix() - s.Start.Unix()
	if d <= 0 {
		return 0, nil
	}
	m := min(int64(n), (d+3599)/3600)
	f := float64(d-(m-1)*3600) / 3600
	if f >= 1 {
		return int(m), nil
	}
	expo := make([]float64, m)
	for i := range expo {
		expo[i] = 1
	}
	expo[m-1] = f
	return int(m), expo
}

// partial reports whether hour i is observed only in part.
func partial(expo []float64, i int) bool { return expo != nil && expo[i] < 1 }

// analysis is the state after the passes.
type analysis struct {
	method     string
	m          model
	z, lp, cus []float64
	eps        []episode
}

// analyze runs the passes: learn, score, find surges, keep them (and the
// forced hours) out of the next baseline, until the surges stop changing.
// expo, when not nil, is each hour's observed share (Options.Now): a
// partial hour is kept out of every fit and scored against its share of
// the expected count.
func analyze(x []float64, hod, dow []uint8, forced []bool, expo []float64, o Options) analysis {
	n := len(x)
	if n < o.MinHistoryHours {
		return absolute(x, expo, o)
	}
	// The first pass is robust (medians) unless the caller forces hours
	// out; a partial hour is simply left out of it.
	robust := forced == nil
	if expo != nil {
		f := make([]bool, n)
		copy(f, forced)
		for i := range f {
			f[i] = f[i] || partial(expo, i)
		}
		forced = f
	}
	mask := make([]bool, n)
	copy(mask, forced)
	clean := make([]bool, n)
	var a analysis
	for pass := 0; pass < maxPasses; pass++ {
		nClean := 0
		for i := range clean {
			clean[i] = !mask[i]
			if clean[i] {
				nClean++
			}
		}
		if nClean < o.MinHistoryHours {
			return absolute(x, expo, o)
		}
		var m model
		if pass == 0 && robust {
			m = fitRobust(x, hod, forced)
		} else {
			m = fitClean(x, hod, dow, clean)
		}
		m.expose(expo)
		z, lp, cus, eps := cusum(x, m, o)
		a = analysis{method: MethodBaseline, m: m, z: z, lp: lp, cus: cus, eps: eps}
		next := make([]bool, n)
		copy(next, forced)
		for _, e := range eps {
			for i := max(e.start-padHours, 0); i <= min(e.end+padHours, n-1); i++ {
				next[i] = true
			}
		}
		same := pass > 0 || !robust
		for i := range next {
			if next[i] != mask[i] {
				same = false
				break
			}
		}
		mask = next
		if same {
			break
		}
	}
	// The surges may have grown so that too little history is left.
	nClean := 0
	for _, b := range mask {
		if !b {
			nClean++
		}
	}
	if nClean < o.MinHistoryHours {
		return absolute(x, expo, o)
	}
	return a
}

// expose scales each hour's expected count by its observed share.
func (m *model) expose(expo []float64) {
	for i, f := range expo {
		if f < 1 {
			m.lambda[i] = math.Max(m.lambda[i]*f, 1e-6)
		}
	}
}

// cusum scores each hour and runs the one-sided CUSUM (Page 1954) on the
// scores: S_t = max(0, S_{t−1} + z_t − k); an alarm when S_t ≥ h. The surge
// runs from its onset while hours keep scoring above k, and ends after
// quietRun hours that do not.
func cusum(x []float64, m model, o Options) (z, lp, cus []float64, eps []episode) {
	n := len(x)
	z = make([]float64, n)
	lp = make([]float64, n)
	cus = make([]float64, n)
	// Hours share their slot's rate, so most scores repeat: memoize.
	type key [3]float64
	type val struct{ z, lp float64 }
	memo := make(map[key]val, 1024)
	for i, v := range x {
		k := key{v, m.lambda[i], m.size(i)}
		r, ok := memo[k]
		if !ok {
			r.z, r.lp = midPScore(k[0], k[1], k[2])
			memo[k] = r
		}
		z[i], lp[i] = r.z, r.lp
	}
	k, h := o.k(), o.h()
	S := 0.0
	runStart, start, alarm, lastHot, quiet := -1, -1, -1, -1, 0
	closeEp := func() {
		s0, e0 := refine(z, start, alarm, lastHot, k)
		e := episode{start: s0, end: e0}
		e.peak = e.start
		for i := e.start; i <= e.end; i++ {
			e.excess += x[i] - m.lambda[i]
			if x[i] > x[e.peak] {
				e.peak = i
			}
		}
		if x[e.peak] >= o.floor() && e.excess > 0 {
			eps = append(eps, e)
		}
		alarm, S, runStart = -1, 0, -1
	}
	for t := 0; t < n; t++ {
		S = math.Max(0, S+z[t]-k)
		cus[t] = S
		if alarm < 0 {
			switch {
			case S == 0:
				runStart = -1
			case runStart < 0:
				runStart = t
			}
			if S >= h {
				alarm, start, lastHot, quiet = t, runStart, t, 0
			}
			continue
		}
		if z[t] > k {
			lastHot, quiet = t, 0
			continue
		}
		quiet++
		if quiet >= quietRun {
			closeEp()
		}
	}
	if alarm >= 0 {
		closeEp()
	}
	return z, lp, cus, eps
}

// refine re-estimates the start and the end of a surge with the size of
// the shift it turned out to have: the CUSUM's own onset (the last hour the
// statistic was zero) can start a few noisy hours early, and a noisy hour
// above k can prolong the end. With δ̂ the mean score from start to last,
// k′ = max(k, δ̂/2), the onset is the τ that maximizes
// Σ_{t=τ}^{alarm} (z_t − k′) — the likelihood-ratio change point for a
// normal shift of δ̂ — and the end, symmetrically, the τ that maximizes
// Σ_{t=alarm}^{τ} (z_t − k′).
func refine(z []float64, start, alarm, last int, k float64) (int, int) {
	if start < 0 {
		start = alarm
	}
	mean := 0.0
	for t := start; t <= last; t++ {
		mean += z[t]
	}
	mean /= float64(last - start + 1)
	kk := math.Max(k, mean/2)
	on, sum, best := alarm, 0.0, math.Inf(-1)
	for t := alarm; t >= start; t-- {
		sum += z[t] - kk
		if sum >= best {
			on, best = t, sum
		}
	}
	end, sum, best := alarm, 0.0, math.Inf(-1)
	for t := alarm; t <= last; t++ {
		sum += z[t] - kk
		if sum >= best {
			end, best = t, sum
		}
	}
	return on, end
}

// absolute is the method without history: hours at or above the threshold
// make a surge, extended over adjacent hours at or above the floor.
func absolute(x []float64, expo []float64, o Options) analysis {
	n := len(x)
	th, fl := o.threshold(), o.floor()
	var eps []episode
	for t := 0; t < n; {
		tht := th
		if partial(expo, t) {
			tht = math.Max(th*expo[t], fl)
		}
		if x[t] < tht {
			t++
			continue
		}
		e := episode{start: t, end: t}
		for e.start > 0 && x[e.start-1] >= fl {
			e.start--
		}
		if len(eps) > 0 && e.start <= eps[len(eps)-1].end+1 {
			e.start = eps[len(eps)-1].start
			eps = eps[:len(eps)-1]
		}
		for e.end+1 < n && x[e.end+1] >= fl {
			e.end++
		}
		eps = append(eps, e)
		t = e.end + 1
	}
	// Descriptive baseline: the median of the hours outside the surges.
	var out []float64
	in := make([]bool, n)
	for _, e := range eps {
		for i := e.start; i <= e.end; i++ {
			in[i] = true
		}
	}
	for i, v := range x {
		if !in[i] && !partial(expo, i) {
			out = append(out, v)
		}
	}
	base := 0.0
	if len(out) >= 6 {
		base = median(out)
	}
	m := model{lambda: make([]float64, n)}
	for i := range m.lambda {
		m.lambda[i] = base
		if partial(expo, i) {
			m.lambda[i] = base * expo[i]
		}
	}
	for i := range eps {
		e := &eps[i]
		e.peak = e.start
		for t := e.start; t <= e.end; t++ {
			e.excess += x[t] - m.lambda[t]
			if x[t] > x[e.peak] {
				e.peak = t
			}
		}
	}
	return analysis{method: MethodAbsolute, m: m, eps: eps}
}

// report turns an analysis into a Surge.
func (a analysis) report(s Series, x []float64, o Options) Surge {
	n := len(x)
	out := Surge{Method: a.method, Episodes: len(a.eps), PValue: -1}
	if a.method == MethodBaseline {
		out.Model = a.m.level
		out.Dispersion = a.m.r
		out.HistoryHours = a.m.history
	}
	out.Hours = make([]HourStat, n)
	obs := len(a.m.lambda) // hours from Options.Now on are not scored
	for i := range x {
		hs := HourStat{Time: s.Hour(i), Count: x[i], P: -1}
		if i < obs {
			hs.Expected = a.m.lambda[i]
			if a.method == MethodBaseline {
				hs.Z, hs.CUSUM = a.z[i], a.cus[i]
				hs.P = math.Exp(a.lp[i])
			}
		}
		out.Hours[i] = hs
	}
	var main *episode
	for i := range a.eps {
		e := &a.eps[i]
		for t := e.start; t <= e.end; t++ {
			out.Hours[t].InSurge = true
		}
		if main == nil || e.excess > main.excess {
			main = e
		}
	}
	if n == 0 {
		return out
	}
	lo, hi, peak := 0, n-1, 0
	if main != nil {
		out.Detected = true
		lo, hi, peak = main.start, main.end, main.peak
		out.Onset, out.End = s.Hour(lo), s.Hour(hi+1)
		out.Excess = main.excess
	} else {
		for i, v := range x[:obs] {
			if v > x[peak] {
				peak = i
			}
		}
	}
	out.Peak, out.PeakPerHour = s.Hour(peak), x[peak]
	sumL := 0.0
	if main == nil {
		hi = max(obs-1, 0)
	}
	if obs == 0 {
		return out
	}
	for t := lo; t <= hi; t++ {
		sumL += a.m.lambda[t]
		if main != nil {
			out.Total += x[t]
		}
	}
	out.BaselinePerHour = sumL / float64(hi-lo+1)
	if a.method == MethodBaseline {
		out.PValue = out.Hours[peak].P
	}
	return out
}

// sanitize returns the counts with NaN and negative values as 0 and
// values beyond 1e15 (including +Inf) clamped there.
func sanitize(c []float64) []float64 {
	x := make([]float64, len(c))
	for i, v := range c {
		switch {
		case !(v > 0):
			x[i] = 0
		case v > maxCountSane:
			x[i] = maxCountSane
		default:
			x[i] = v
		}
	}
	return x
}
