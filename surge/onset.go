package surge

import (
	"math"
	"time"
)

// Pinpoint locates the change point of the surge d to the minute, from
// the counts per minute m (Counter.Minutes over at least the hour before
// d's onset and the two after it): the minute τ that maximizes the Poisson
// log-likelihood ratio of a step from the baseline rate λ₀ to the flood's
// rate λ₁ over [τ, b),
//
//	Σ_{t=τ}^{b−1} ( c_t·log(λ₁/λ₀) − (λ₁ − λ₀) ),
//
// which is Page's CUSUM run backwards from inside the surge (Page 1954;
// the change-point estimate of Hinkley 1971). The search runs from an hour
// before the first surge hour (a flood that starts at 05:59 may leave its
// own hour below the alarm) to two hours after it or the surge's end. λ₀
// is the baseline of the hours around the onset; λ₁ starts as the mean
// rate after the onset hour's start and is re-estimated over the hour that
// follows each estimate, until τ stops moving. A baseline event just
// before the flood is taken in only when it lies closer than
// log(λ₁/λ₀)/(λ₁−λ₀) minutes: against a flood of hundreds an hour, a
// minute or less.
//
// ok is false when d is no surge, m holds no counts around its onset, or
// the minutes show no step up (the caller then keeps the hour).
func Pinpoint(d Surge, m Minutes) (time.Time, bool) {
	if !d.Detected || d.Onset.IsZero() || len(m.Counts) == 0 {
		return time.Time{}, false
	}
	lam0 := minLambda
	for i, h := range d.Hours {
		if h.Time.Equal(d.Onset) {
			lam0 = math.Max(lam0, h.Expected)
			if i > 0 && !d.Hours[i-1].InSurge {
				lam0 = math.Max(lam0, d.Hours[i-1].Expected)
			}
			break
		}
	}
	lam0 /= 60
	idx := func(t time.Time) int {
		i := floorDiv(t.Unix()-m.Start.Unix(), 60)
		return int(min(max(i, 0), int64(len(m.Counts))))
	}
	end := d.End
	if lim := d.Onset.Add(2 * time.Hour); lim.Before(end) {
		end = lim
	}
	ia, io, ib := idx(d.Onset.Add(-time.Hour)), idx(d.Onset), idx(end)
	if ib-ia < 2 {
		return time.Time{}, false
	}
	c := m.Counts
	// Minutes after the last event are left out: they may lie beyond the
	// end of the data (a live watch, minutes into the hour), and would
	// dilute the flood's rate.
	for ib > ia && !(c[ib-1] > 0) {
		ib--
	}
	if ib <= io {
		io = ia
	}
	if ib-ia < 2 {
		return time.Time{}, false
	}
	mean := func(from, to int) float64 {
		s := 0.0
		for _, v := range c[from:to] {
			if v > 0 && !math.IsInf(v, 0) {
				s += v
			}
		}
		return s / float64(to-from)
	}
	lam1 := mean(io, ib)
	tau := -1
	for range 4 {
		if !(lam1 > 1.5*lam0) {
			break
		}
		l, drift := math.Log(lam1/lam0), lam1-lam0
		best, at, sum := 0.0, -1, 0.0
		for t := ib - 1; t >= ia; t-- {
			v := c[t]
			if !(v > 0) || math.IsInf(v, 0) {
				v = 0
			}
			sum += v*l - drift
			if sum > best {
				best, at = sum, t
			}
		}
		if at < 0 || at == tau {
			break
		}
		tau = at
		if e := min(tau+60, ib); e-tau >= 10 {
			lam1 = mean(tau, e)
		}
	}
	if tau < 0 {
		return time.Time{}, false
	}
	return m.Start.Add(time.Duration(tau) * time.Minute).In(d.Onset.Location()), true
}

// LeadWindow is how far before the change point of the bounces Lead
// looks for the change point of the mail sent: bounces come back minutes
// to tens of minutes after the messages that caused them.
const LeadWindow = time.Hour

// Lead refines an onset at (the change point found in the bounces) with a
// series that leads them, the account's sent mail counted per minute in m
// (over at least the two hours before at−LeadWindow and the hour after
// at): a flood of spam sent from the account shows in its sent mail
// before the first bounce comes back. The change point is searched in
// [at−LeadWindow, at] only, as in Pinpoint: the minute τ maximizing the
// Poisson log-likelihood ratio of a step from λ₀, the sent rate of the
// busier of the two hours before the window, to λ₁, the rate of the half
// hour from τ on (a ramp's first minutes, not its later hours),
// re-estimated until τ stops moving. ok is false, and the onset stays at, unless the sent
// rate jumped (λ₁ over twice λ₀, and at least five messages more than λ₀
// predicts in the hour after at) and τ lies before at.
func Lead(at time.Time, m Minutes) (time.Time, bool) {
	if len(m.Counts) == 0 || at.IsZero() {
		return time.Time{}, false
	}
	idx := func(t time.Time) int {
		i := floorDiv(t.Unix()-m.Start.Unix(), 60)
		return int(min(max(i, 0), int64(len(m.Counts))))
	}
	c := m.Counts
	i0, ia, io, ib := idx(at.Add(-LeadWindow-2*time.Hour)), idx(at.Add(-LeadWindow)), idx(at), idx(at.Add(time.Hour))
	if ia-i0 < 60 || ib-io < 10 {
		return time.Time{}, false
	}
	sum := func(from, to int) float64 {
		s := 0.0
		for _, v := range c[from:to] {
			if v > 0 && !math.IsInf(v, 0) {
				s += v
			}
		}
		return s
	}
	// λ₀ is the busier of the two hours before the window: an account's
	// own mail rises in the morning, and a baseline taken too low would
	// let its ordinary mail just before the flood pass for the flood's
	// first minutes.
	lam0 := minLambda / 60
	for h := ia; h-60 >= i0; h -= 60 {
		lam0 = math.Max(lam0, sum(h-60, h)/60)
	}
	lam1 := sum(io, ib) / float64(ib-io)
	if !(lam1 > 2*lam0) || sum(io, ib)-lam0*float64(ib-io) < 5 {
		return time.Time{}, false
	}
	tau := -1
	for range 4 {
		if !(lam1 > 1.5*lam0) {
			break
		}
		l, drift := math.Log(lam1/lam0), lam1-lam0
		best, arg, s := 0.0, -1, 0.0
		for t := ib - 1; t >= ia; t-- {
			v := c[t]
			if !(v > 0) || math.IsInf(v, 0) {
				v = 0
			}
			s += v*l - drift
			if t <= io && s > best {
				best, arg = s, t
			}
		}
		if arg < 0 || arg == tau {
			break
		}
		tau = arg
		if e := min(tau+30, ib); e-tau >= 10 {
			lam1 = sum(tau, e) / float64(e-tau)
		}
	}
	if tau < 0 || tau >= io {
		return time.Time{}, false
	}
	return m.Start.Add(time.Duration(tau) * time.Minute).In(at.Location()), true
}
