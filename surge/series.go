package surge

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// MaxHours is the longest series Bucket and Counter build: ten years of
// hours. It bounds memory when a bogus date (1970, 2099) slips into the
// input.
const MaxHours = 10 * 366 * 24

// ErrSpan is returned by Bucket for a window that ends before it starts or
// is longer than MaxHours.
var ErrSpan = errors.New("surge: bad time window")

// Series counts events per hour. Hour i covers [Start+i·h, Start+(i+1)·h).
// Start is the beginning of a local hour in Start.Location(), the location
// whose clock gives each hour its hour of day and weekday; across a daylight
// saving change the local day has 23 or 25 hours, and the series stays
// uniform in absolute time.
type Series struct {
	Start  time.Time
	Counts []float64
}

// Len is the number of hours.
func (s Series) Len() int { return len(s.Counts) }

// Hour returns the start of hour i, in the series' location.
func (s Series) Hour(i int) time.Time { return s.Start.Add(time.Duration(i) * time.Hour) }

// End returns the end of the last hour.
func (s Series) End() time.Time { return s.Hour(len(s.Counts)) }

// Total is the sum of the counts.
func (s Series) Total() float64 {
	t := 0.0
	for _, c := range s.Counts {
		t += c
	}
	return t
}

// Index returns the hour that contains t, and whether t lies in the series.
func (s Series) Index(t time.Time) (int, bool) {
	if len(s.Counts) == 0 {
		return 0, false
	}
	d := t.Unix() - s.Start.Unix()
	if d < 0 {
		return 0, false
	}
	i := d / 3600
	if i >= int64(len(s.Counts)) {
		return int(i), false
	}
	return int(i), true
}

// hourKey returns the Unix time at which the local hour containing t began.
func hourKey(t time.Time, loc *time.Location) int64 {
	_, off := t.In(loc).Zone()
	l := t.Unix() + int64(off)
	l -= floorMod(l, 3600)
	return l - int64(off)
}

func floorMod(a, m int64) int64 {
	r := a % m
	if r < 0 {
		r += m
	}
	return r
}

func floorDiv(a, m int64) int64 {
	return (a - floorMod(a, m)) / m
}

// Bucket counts times per local hour of loc (UTC when nil) over [from, to).
// Times outside the window are not counted: the window is the caller's
// choice. A zero from or to is taken from the earliest or latest time. The
// series starts at the beginning of the local hour that contains from and
// ends with the hour that contains the last instant before to.
func Bucket(times []time.Time, loc *time.Location, from, to time.Time) (Series, error) {
	if loc == nil {
		loc = time.UTC
	}
	if from.IsZero() || to.IsZero() {
		var lo, hi time.Time
		for i, t := range times {
			if i == 0 || t.Before(lo) {
				lo = t
			}
			if i == 0 || t.After(hi) {
				hi = t
			}
		}
		if len(times) == 0 {
			return Series{Start: from.In(loc)}, nil
		}
		if from.IsZero() {
			from = lo
		}
		if to.IsZero() {
			to = hi.Add(time.Nanosecond)
		}
	}
	if to.Before(from) {
		return Series{}, fmt.Errorf("%w: %s ends before it starts at %s", ErrSpan, to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	start := hourKey(from, loc)
	n, err := hoursBetween(start, to)
	if err != nil {
		return Series{}, err
	}
	counts := make([]float64, n)
	for _, t := range times {
		if t.Before(from) || !t.Before(to) {
			continue
		}
		i := (t.Unix() - start) / 3600
		if i >= 0 && i < int64(n) {
			counts[i]++
		}
	}
	return Series{Start: time.Unix(start, 0).In(loc), Counts: counts}, nil
}

// hoursBetween is the number of hours from the Unix time start until the
// hour containing the last instant before to.
func hoursBetween(start int64, to time.Time) (int, error) {
	end := to.Unix()
	if to.Nanosecond() > 0 {
		end++
	}
	span := end - start
	if span <= 0 {
		return 0, nil
	}
	n := (span + 3599) / 3600
	if n > MaxHours {
		return 0, fmt.Errorf("%w: %d hours, more than %d", ErrSpan, n, MaxHours)
	}
	return int(n), nil
}

// Counter builds a Series from a stream of events, for when the period is
// not known in advance. The zero value counts in UTC over whatever period
// the events span. It is not safe for concurrent use.
type Counter struct {
	// Location gives the hours their clock (UTC when nil). Set it before the
	// first Add.
	Location *time.Location
	// From and To, when set, bound the period: events outside are not
	// counted (see Outside), and Series covers exactly [From, To).
	From, To time.Time
	// PerMinute, set before the first Add, also keeps the counts per
	// minute, for Minutes and Pinpoint: memory grows with the minutes that
	// hold events.
	PerMinute bool

	counts  map[int64]float64 // by hourKey
	minutes map[int64]float64 // by Unix minute, when PerMinute
	outside float64
	lo, hi  int64
}

// Add counts one event at t. It reports whether t lay inside [From, To).
func (c *Counter) Add(t time.Time) bool { return c.AddN(t, 1) }

// AddN counts n events in the hour containing t (for logs that report
// counts per hour). n must be finite and non-negative; other values are
// counted as outside.
func (c *Counter) AddN(t time.Time, n float64) bool {
	if n < 0 || math.IsNaN(n) || math.IsInf(n, 0) ||
		(!c.From.IsZero() && t.Before(c.From)) || (!c.To.IsZero() && !t.Before(c.To)) {
		if n > 0 && !math.IsInf(n, 0) {
			c.outside += n
		}
		return false
	}
	if c.counts == nil {
		c.counts = make(map[int64]float64)
	}
	k := hourKey(t, c.loc())
	if len(c.counts) == 0 || k < c.lo {
		c.lo = k
	}
	if len(c.counts) == 0 || k > c.hi {
		c.hi = k
	}
	c.counts[k] += n
	if c.PerMinute {
		if c.minutes == nil {
			c.minutes = make(map[int64]float64)
		}
		c.minutes[floorDiv(t.Unix(), 60)] += n
	}
	return true
}

// MaxMinutes bounds the length of Minutes: a week.
const MaxMinutes = 7 * 24 * 60

// Minutes is a series of counts per minute: minute i covers
// [Start+i·min, Start+(i+1)·min).
type Minutes struct {
	Start  time.Time
	Counts []float64
}

// Minutes returns the counts per minute over [from, to) (from truncated to
// its minute, at most MaxMinutes from it); nothing unless PerMinute was
// set before the events were added.
func (c *Counter) Minutes(from, to time.Time) Minutes {
	m0 := floorDiv(from.Unix(), 60)
	end := floorDiv(to.Unix()+59, 60)
	n := min(max(end-m0, 0), MaxMinutes)
	out := Minutes{Start: time.Unix(m0*60, 0).In(c.loc()), Counts: make([]float64, n)}
	if len(c.minutes) == 0 {
		return out
	}
	if int(n) < len(c.minutes) {
		for i := range out.Counts {
			out.Counts[i] = c.minutes[m0+int64(i)]
		}
		return out
	}
	for k, v := range c.minutes {
		if i := k - m0; i >= 0 && i < n {
			out.Counts[i] += v
		}
	}
	return out
}

func (c *Counter) loc() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

// span returns the first hour (Unix time) and the number of hours of the
// series.
func (c *Counter) span() (int64, int) {
	var start, end int64
	switch {
	case !c.From.IsZero():
		start = hourKey(c.From, c.loc())
	case len(c.counts) > 0:
		start = c.lo
	default:
		return 0, 0
	}
	switch {
	case !c.To.IsZero():
		end = c.To.Unix()
		if c.To.Nanosecond() > 0 {
			end++
		}
	case len(c.counts) > 0:
		end = c.hi + 3600
	default:
		end = start
	}
	if end <= start {
		return start, 0
	}
	n := (end - start + 3599) / 3600
	if n > MaxHours {
		// Keep the most recent hours.
		start += (n - MaxHours) * 3600
		n = MaxHours
	}
	return start, int(n)
}

// Series returns the counts. Without From and To it spans the first to the
// last event; a span longer than MaxHours keeps the most recent MaxHours
// hours and reports the rest in Outside.
func (c *Counter) Series() Series {
	start, n := c.span()
	s := Series{Start: time.Unix(start, 0).In(c.loc()), Counts: make([]float64, n)}
	for k, v := range c.counts {
		i := floorDiv(k-start, 3600)
		if i >= 0 && i < int64(n) {
			s.Counts[i] += v
		}
	}
	return s
}

// Outside returns the number of events that are not in Series: outside
// [From, To), or cut off by MaxHours.
func (c *Counter) Outside() float64 {
	start, n := c.span()
	out := c.outside
	for k, v := range c.counts {
		i := floorDiv(k-start, 3600)
		if i < 0 || i >= int64(n) {
			out += v
		}
	}
	return out
}

// slots returns each hour's local hour of day (0–23) and weekday (0 =
// Sunday), by the clock of the series' location.
func slots(s Series) (hod, dow []uint8) {
	n := len(s.Counts)
	hod = make([]uint8, n)
	dow = make([]uint8, n)
	loc := s.Start.Location()
	u0 := s.Start.Unix()
	for i := 0; i < n; i++ {
		u := u0 + int64(i)*3600
		_, off := time.Unix(u, 0).In(loc).Zone()
		l := u + int64(off)
		hod[i] = uint8(floorMod(l, 86400) / 3600)
		dow[i] = uint8(floorMod(floorDiv(l, 86400)+4, 7)) // 1970-01-01 was a Thursday
	}
	return hod, dow
}

// Core returns the hours [from, to) that hold the bulk of the events:
// the cluster with the most events — a cluster is a run of hours with
// events less than gap apart — and, one after the other, the clusters
// next to it that hold at least share of all the events. What lies
// outside is stray (a date years off, a clock gone wrong) and is counted
// in stray. A single bounce dated 2037 thus cannot stretch a week's series
// to eleven years. ok is false when there are no events.
func (c *Counter) Core(gap time.Duration, share float64) (from, to time.Time, stray float64, ok bool) {
	if len(c.counts) == 0 {
		return time.Time{}, time.Time{}, 0, false
	}
	keys := make([]int64, 0, len(c.counts))
	total := 0.0
	for k, v := range c.counts {
		keys = append(keys, k)
		total += v
	}
	slices.Sort(keys)
	type cluster struct {
		lo, hi int64
		n      float64
	}
	g := int64(gap / time.Second)
	var cs []cluster
	for _, k := range keys {
		if len(cs) > 0 && k-cs[len(cs)-1].hi <= g {
			cs[len(cs)-1].hi = k
			cs[len(cs)-1].n += c.counts[k]
			continue
		}
		cs = append(cs, cluster{k, k, c.counts[k]})
	}
	best := 0
	for i, cl := range cs {
		if cl.n > cs[best].n {
			best = i
		}
	}
	lo, hi := best, best
	for {
		switch {
		case lo > 0 && cs[lo-1].n >= share*total:
			lo--
		case hi < len(cs)-1 && cs[hi+1].n >= share*total:
			hi++
		default:
			kept := 0.0
			for _, cl := range cs[lo : hi+1] {
				kept += cl.n
			}
			return time.Unix(cs[lo].lo, 0).In(c.loc()), time.Unix(cs[hi].hi+3600, 0).In(c.loc()), total - kept, true
		}
	}
}
