package surge

import (
	"math"
	"time"
)

// MethodNone says that a series does not cover the window asked about.
const MethodNone = "none"

// leadHours widens the bounce surge's window backwards in Compare: mail is
// sent before its bounces come back.
const leadHours = 2

// Window is the test of one series over a window of time: did its volume
// jump there, against the baseline learnt outside it?
type Window struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Hours    int       `json:"hours"`    // hours of the series inside the window
	Observed float64   `json:"observed"` // events in the window
	Expected float64   `json:"expected"` // events the baseline expects there
	// Ratio is Observed / Expected, with Expected at least 0.1 per hour.
	Ratio float64 `json:"ratio"`
	// PValue is P(total ≥ Observed) under the baseline: the sum of the
	// hours' Poisson variables is Poisson(ΣΛ); with over-dispersion a
	// negative binomial matched to the summed variance. −1 when there is
	// no model (Method absolute or none).
	PValue float64 `json:"p_value"`
	// Jump: PValue below α = 10^(−3/Sensitivity) and Ratio at least
	// 1 + 0.5/Sensitivity (1.5 by default: a statistically significant
	// rise of a few percent in a large volume is not a jump). In the
	// absolute method: at least AbsoluteThreshold/Sensitivity per hour.
	Jump   bool   `json:"jump"`
	Method string `json:"method"` // MethodBaseline, MethodAbsolute or MethodNone
}

// CheckWindow tests whether s rose in [from, to) against the baseline it
// learns from its other hours (the window and any surge elsewhere are kept
// out of the baseline, as in Detect).
func CheckWindow(s Series, from, to time.Time, o Options) Window {
	o = o.norm()
	w := Window{From: from, To: to, PValue: -1, Method: MethodNone}
	n := len(s.Counts)
	if n == 0 || !to.After(from) {
		return w
	}
	st := s.Start.Unix()
	i0 := floorDiv(from.Unix()-st, 3600)
	end := to.Unix()
	if to.Nanosecond() > 0 {
		end++
	}
	i1 := (end - st + 3599) / 3600
	i0, i1 = max(i0, 0), min(i1, int64(n))
	if i1 <= i0 {
		return w
	}
	x := sanitize(s.Counts)
	nObs, expo := s.observed(o.Now)
	if int64(nObs) < i1 {
		i1 = int64(nObs)
	}
	if i1 <= i0 {
		return w
	}
	x, n = x[:nObs], nObs
	forced := make([]bool, n)
	for i := i0; i < i1; i++ {
		forced[i] = true
		w.Observed += x[i]
	}
	w.Hours = int(i1 - i0)
	hours := float64(w.Hours)
	hod, dow := slots(s)
	a := analyze(x, hod[:n], dow[:n], forced, expo, o)
	w.Method = a.method
	if expo != nil && i1 == int64(n) {
		hours -= 1 - expo[n-1] // the window ends in the partial hour
	}
	if a.method == MethodAbsolute {
		// The expectation is the mean outside the window, if any.
		out, nOut := 0.0, 0
		for i, v := range x {
			if !forced[i] && !partial(expo, i) {
				out += v
				nOut++
			}
		}
		if nOut > 0 {
			w.Expected = out / float64(nOut) * hours
		}
		w.Ratio = w.Observed / math.Max(w.Expected, minLambda*hours)
		w.Jump = w.Observed/hours >= o.threshold()
		return w
	}
	lam, v := 0.0, 0.0
	for i := i0; i < i1; i++ {
		l := a.m.lambda[i]
		lam += l
		v += l
		if r := a.m.size(int(i)); r > 0 {
			v += l * l / r
		}
	}
	w.Expected = lam
	w.Ratio = w.Observed / math.Max(lam, minLambda*hours)
	r := 0.0
	if v > lam {
		r = lam * lam / (v - lam)
	}
	up, _ := logTails(w.Observed, lam, r)
	w.PValue = math.Exp(up)
	alpha := math.Pow(10, -3/o.Sensitivity)
	w.Jump = w.PValue < alpha && w.Ratio >= 1+0.5/o.Sensitivity
	return w
}

// Comparison sets the sent volume beside a bounce surge: a hijack shows
// sent mail jumping with the bounces; a spoof (backscatter) shows bounces
// rising while the sent volume stays normal.
type Comparison struct {
	Bounced Surge `json:"bounced"` // Detect on the bounces
	Sent    Surge `json:"sent"`    // Detect on the sent mail, on its own
	// Window tests the sent volume over the bounce surge, from two hours
	// before its onset to its end. Method is MethodNone when no bounce
	// surge was found or the sent series does not cover it.
	Window Window `json:"window"`
}

// SentJumped reports whether the sent volume jumped during the bounce
// surge.
func (c Comparison) SentJumped() bool { return c.Bounced.Detected && c.Window.Jump }

// Compare detects a surge of bounces and tests the sent volume over the
// same window. The two series may start at different hours and use
// different locations; the window is in absolute time.
func Compare(sent, bounced Series, o Options) Comparison {
	c := Comparison{Bounced: Detect(bounced, o), Sent: Detect(sent, o)}
	c.Window = Window{PValue: -1, Method: MethodNone}
	if c.Bounced.Detected {
		from := c.Bounced.Onset.Add(-leadHours * time.Hour)
		c.Window = CheckWindow(sent, from, c.Bounced.End, o)
	}
	return c
}
