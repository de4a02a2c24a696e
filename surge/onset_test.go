package surge

import (
	"math"
	"testing"
	"time"
)

// events returns the times of a Poisson process of rate(t) per hour over
// [from, from+hours), deterministic by seed.
func events(seed uint64, from time.Time, hours int, rate func(time.Time) float64) []time.Time {
	r := newRand(seed)
	var out []time.Time
	for h := 0; h < hours; h++ {
		start := from.Add(time.Duration(h) * time.Hour)
		n := int(poisson(r, rate(start)))
		for range n {
			out = append(out, start.Add(time.Duration(r.Int64N(int64(time.Hour)))))
		}
	}
	return out
}

// flood returns n events a hour for hours from start, at random.
func flood(seed uint64, start time.Time, hours int, perHour float64) []time.Time {
	r := newRand(seed ^ 0xf100d)
	var out []time.Time
	total := int(perHour * float64(hours))
	for range total {
		out = append(out, start.Add(time.Duration(r.Int64N(int64(hours)*int64(time.Hour)))))
	}
	return out
}

func first(ts []time.Time) time.Time {
	f := ts[0]
	for _, t := range ts {
		if t.Before(f) {
			f = t
		}
	}
	return f
}

// TestPinpoint: floods that start at :07, :40, :59 and exactly :00, large
// and small, over a week of office noise; the change point must lie
// within 5 minutes of the flood's first event. Noise alone gives no
// surge, hence no onset.
func TestPinpoint(t *testing.T) {
	tokyo := mustLoad(t, "Asia/Tokyo")
	start := time.Date(2026, 10, 26, 0, 0, 0, 0, tokyo) // a Monday
	office := func(t time.Time) float64 { return officeRate(t, 4) }
	day := 24 * time.Hour
	tests := []struct {
		name    string
		at      time.Time // the flood's start
		hours   int
		perHour float64
	}{
		{"at :07", start.Add(7*day + 2*time.Hour + 7*time.Minute), 4, 700},
		{"at :40", start.Add(7*day + 5*time.Hour + 40*time.Minute), 4, 700},
		{"at :59", start.Add(7*day + 23*time.Hour + 59*time.Minute), 3, 500},
		{"at :00", start.Add(8*day + 14*time.Hour), 3, 500},
		{"small, at :40 in office hours", start.Add(7*day + 10*time.Hour + 40*time.Minute), 5, 80},
		{"small, at :59 at night", start.Add(7*day + 3*time.Hour + 59*time.Minute), 5, 60},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(100 + i)
			c := Counter{Location: tokyo, PerMinute: true, From: start, To: start.Add(10 * day)}
			for _, e := range events(seed, start, 10*24, office) {
				c.Add(e)
			}
			fl := flood(seed, tc.at, tc.hours, tc.perHour)
			for _, e := range fl {
				c.Add(e)
			}
			d := Detect(c.Series(), Options{})
			if !d.Detected {
				t.Fatalf("no surge found")
			}
			m := c.Minutes(d.Onset.Add(-time.Hour), d.Onset.Add(3*time.Hour))
			on, ok := Pinpoint(d, m)
			if !ok {
				t.Fatalf("no change point (onset hour %v)", d.Onset)
			}
			want := first(fl)
			t.Logf("change point %v, first event %v, onset hour %v", on.Format("15:04:05"), want.Format("15:04:05"), d.Onset.Format("15:04"))
			if diff := on.Sub(want); diff < -5*time.Minute || diff > 5*time.Minute {
				t.Errorf("change point %v, first event of the flood %v (%v off); onset hour %v", on, want, diff, d.Onset)
			}
			if on.Location() != tokyo {
				t.Errorf("change point in %v, want the series' zone", on.Location())
			}
		})
	}
	t.Run("noise", func(t *testing.T) {
		for seed := uint64(1); seed <= 10; seed++ {
			c := Counter{Location: tokyo, PerMinute: true, From: start, To: start.Add(10 * day)}
			for _, e := range events(seed*31, start, 10*24, office) {
				c.Add(e)
			}
			d := Detect(c.Series(), Options{})
			if d.Detected {
				t.Errorf("seed %d: a surge in noise at %v", seed, d.Onset)
			}
			if _, ok := Pinpoint(d, c.Minutes(start, start.Add(10*day))); ok {
				t.Errorf("seed %d: a change point in noise", seed)
			}
		}
	})
}

func TestPinpointDegenerate(t *testing.T) {
	start := time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC)
	d := Surge{Detected: true, Onset: start.Add(5 * time.Hour), End: start.Add(6 * time.Hour)}
	for _, tc := range []struct {
		name string
		m    Minutes
	}{
		{"no minutes", Minutes{}},
		{"minutes elsewhere", Minutes{Start: start.Add(100 * time.Hour), Counts: []float64{5, 5, 5}}},
		{"flat", Minutes{Start: start, Counts: make([]float64, 600)}},
		{"bad counts", Minutes{Start: start, Counts: []float64{math.NaN(), math.Inf(1), -3, 0, 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if on, ok := Pinpoint(d, tc.m); ok && (on.Before(start) || on.After(d.End)) {
				t.Fatalf("change point %v outside the data", on)
			}
		})
	}
	if _, ok := Pinpoint(Surge{}, Minutes{Start: start, Counts: []float64{1}}); ok {
		t.Fatal("a change point without a surge")
	}
}

// TestDetectPartialHour: with Options.Now, the hour in progress is scored
// against its elapsed share of the expected count.
func TestDetectPartialHour(t *testing.T) {
	start := time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC)
	base := func(extra float64, minutes int) Series {
		s := noise(41, start, 7*24+1, 0, constant(100))
		s.Counts[len(s.Counts)-1] = 100*float64(minutes)/60 + extra
		return s
	}
	last := start.Add(7 * 24 * time.Hour)
	tests := []struct {
		name     string
		s        Series
		o        Options
		detected bool
	}{
		// 60 in the first 10 minutes is 360/h against 100/h: a flood that
		// a whole-hour test (60 < 100) cannot see.
		{"flood 10 minutes in", base(43, 10), Options{Now: last.Add(10 * time.Minute)}, true},
		{"same counts, whole hour", base(43, 10), Options{}, false},
		{"normal share 10 minutes in", base(0, 10), Options{Now: last.Add(10 * time.Minute)}, false},
		{"normal share 50 minutes in", base(0, 50), Options{Now: last.Add(50 * time.Minute)}, false},
		{"now past the series", base(0, 60), Options{Now: last.Add(5 * time.Hour)}, false},
		{"now before the series", base(0, 60), Options{Now: start.Add(-time.Hour)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Detect(tc.s, tc.o)
			checkFinite(t, d)
			if d.Detected != tc.detected {
				t.Fatalf("detected %v, want %v (onset %v, peak %v)", d.Detected, tc.detected, d.Onset, d.PeakPerHour)
			}
			if len(d.Hours) != tc.s.Len() {
				t.Fatalf("%d hour stats for %d hours", len(d.Hours), tc.s.Len())
			}
			if tc.detected && !d.Onset.Equal(last) {
				t.Errorf("onset %v, want the partial hour %v", d.Onset, last)
			}
			if h := d.Hours[len(d.Hours)-1]; !tc.o.Now.IsZero() && tc.o.Now.Before(tc.s.End()) && tc.o.Now.After(last) {
				share := tc.o.Now.Sub(last).Hours()
				if math.Abs(h.Expected-100*share) > 100*share*0.2 {
					t.Errorf("the partial hour expects %.1f, want about %.1f", h.Expected, 100*share)
				}
			}
		})
	}
	// The absolute method: 20 events in 5 minutes (240/h) against the
	// default 50/h; never fewer than AbsoluteFloor.
	short := Series{Start: start, Counts: []float64{1, 2, 1, 20}}
	if d := Detect(short, Options{Now: start.Add(3*time.Hour + 5*time.Minute)}); !d.Detected || d.Method != MethodAbsolute {
		t.Errorf("absolute, partial: detected %v method %s", d.Detected, d.Method)
	}
	if d := Detect(Series{Start: start, Counts: []float64{1, 2, 1, 3}}, Options{Now: start.Add(3*time.Hour + time.Minute)}); d.Detected {
		t.Errorf("absolute: 3 events in a minute make a surge")
	}
	// CheckWindow over a partial hour: 60 sent in 10 minutes against 100/h.
	w := CheckWindow(base(43, 10), last.Add(-2*time.Hour), last.Add(time.Hour), Options{Now: last.Add(10 * time.Minute)})
	if w.Expected > 2*100+100.0/6+30 || w.Expected < 150 {
		t.Errorf("window expects %.1f over two hours and ten minutes of 100/h", w.Expected)
	}
}

// TestCounterCore: stray hours far from the bulk of the events are left
// out of the core span; clusters that hold a real share are kept.
func TestCounterCore(t *testing.T) {
	day := 24 * time.Hour
	week := time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		extra    []time.Time
		from, to time.Time
		stray    float64
	}{
		{"no strays", nil, week, week.Add(7 * day), 0},
		{"one in 2037", []time.Time{time.Date(2037, 12, 31, 10, 0, 0, 0, time.UTC)}, week, week.Add(7 * day), 1},
		{"one in 1970 and one in 2019", []time.Time{time.Unix(10, 0), time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC)}, week, week.Add(7 * day), 2},
		{"a week's gap, kept", []time.Time{week.Add(14*day + time.Hour)}, week, week.Add(14*day + 2*time.Hour), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c Counter
			for h := 0; h < 7*24; h++ {
				c.AddN(week.Add(time.Duration(h)*time.Hour), 3)
			}
			for _, e := range tc.extra {
				c.Add(e)
			}
			from, to, stray, ok := c.Core(30*day, 0.05)
			if !ok || !from.Equal(tc.from) || !to.Equal(tc.to) || stray != tc.stray {
				t.Fatalf("core %v – %v, stray %v (ok %v); want %v – %v, stray %v", from, to, stray, ok, tc.from, tc.to, tc.stray)
			}
		})
	}
	// A second body of events holding a real share stays, however far.
	var c Counter
	c.AddN(week, 100)
	c.AddN(week.Add(400*day), 20)
	if from, to, stray, _ := c.Core(30*day, 0.05); !from.Equal(week) || !to.Equal(week.Add(400*day+time.Hour)) || stray != 0 {
		t.Fatalf("two bodies: %v – %v, stray %v", from, to, stray)
	}
	if _, _, _, ok := new(Counter).Core(30*day, 0.05); ok {
		t.Fatal("a core without events")
	}
}

// TestPinpointLive: three minutes into a flood, with Options.Now, the
// partial hour is a surge and its change point the flood's first minute.
func TestPinpointLive(t *testing.T) {
	start := time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC)
	at := start.Add(7*24*time.Hour + 9*time.Hour + 41*time.Minute)
	c := Counter{PerMinute: true}
	for _, e := range events(77, start, 7*24+9, constant(20)) {
		c.Add(e)
	}
	for _, e := range events(78, start.Add(7*24*time.Hour+9*time.Hour), 1, constant(20)) {
		if e.Before(at) {
			c.Add(e)
		}
	}
	for i := range 40 {
		c.Add(at.Add(time.Duration(i) * 4 * time.Second))
	}
	now := at.Add(3 * time.Minute)
	d := Detect(c.Series(), Options{Now: now})
	if !d.Detected {
		t.Fatal("no surge three minutes into a flood of 40")
	}
	on, ok := Pinpoint(d, c.Minutes(d.Onset.Add(-time.Hour), d.Onset.Add(3*time.Hour)))
	if !ok || on.Sub(at).Abs() > time.Minute {
		t.Fatalf("change point %v (%v), the flood began at %v", on, ok, at)
	}
}

// ramp returns the times of spam sent from start at perHour[i] in its
// i-th hour, at random.
func ramp(seed uint64, start time.Time, perHour []float64) []time.Time {
	var out []time.Time
	for i, n := range perHour {
		out = append(out, flood(seed+uint64(i), start.Add(time.Duration(i)*time.Hour), 1, n)...)
	}
	return out
}

// TestLead: spam sent from an account ramps up (or floods at once), half
// of it bounces 10 to 40 minutes after it left, over a week of office
// mail; the change point of the bounces comes late, and Lead, given the
// account's sent mail per minute, must bring the onset within 5 minutes
// of the first spam message in at least minWithin of 20 draws (a ramp's
// first hour of 20 messages can look like a few of the owner's own mail
// just before it), and never move it later. When the sent mail did not
// jump (spoofed bounces), Lead must leave the onset alone in every draw.
func TestLead(t *testing.T) {
	tokyo := mustLoad(t, "Asia/Tokyo")
	start := time.Date(2026, 10, 26, 0, 0, 0, 0, tokyo) // a Monday
	day := 24 * time.Hour
	const draws = 20
	tests := []struct {
		name      string
		at        time.Time
		perHour   []float64 // spam sent per hour from at
		sent      bool      // the spam left through the account (else spoofed)
		minWithin int       // of draws, within 5 minutes
	}{
		{"slow ramp at :22 at night", start.Add(7*day + 4*time.Hour + 22*time.Minute), []float64{20, 60, 150, 300, 300}, true, 16},
		{"slow ramp at :51 in office hours", start.Add(7*day + 10*time.Hour + 51*time.Minute), []float64{20, 60, 150, 300}, true, 15},
		{"steeper ramp at :05", start.Add(8*day + 1*time.Hour + 5*time.Minute), []float64{40, 120, 300, 300}, true, 18},
		{"flood at :40", start.Add(7*day + 5*time.Hour + 40*time.Minute), []float64{500, 500, 500}, true, draws},
		{"spoofed ramp: nothing sent", start.Add(7*day + 4*time.Hour + 22*time.Minute), []float64{20, 60, 150, 300, 300}, false, 0},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			within, bounceWithin := 0, 0
			for k := range draws {
				seed := uint64(300 + 100*i + k)
				r := newRand(seed)
				sent := Counter{Location: tokyo, PerMinute: true}
				bounced := Counter{Location: tokyo, PerMinute: true, From: start, To: start.Add(10 * day)}
				for _, e := range events(seed, start, 10*24, func(t time.Time) float64 { return officeRate(t, 4) }) {
					sent.Add(e)
					if r.Float64() < 0.05 {
						bounced.Add(e.Add(time.Minute))
					}
				}
				spam := ramp(seed, tc.at, tc.perHour)
				for _, e := range spam {
					if tc.sent {
						sent.Add(e)
					}
					if r.Float64() < 0.5 {
						bounced.Add(e.Add(10*time.Minute + time.Duration(r.Int64N(int64(30*time.Minute)))))
					}
				}
				d := Detect(bounced.Series(), Options{})
				if !d.Detected {
					t.Fatalf("draw %d: no surge found in the bounces", k)
				}
				on, ok := Pinpoint(d, bounced.Minutes(d.Onset.Add(-time.Hour), d.Onset.Add(3*time.Hour)))
				if !ok {
					t.Fatalf("draw %d: no change point in the bounces (surge from %v)", k, d.Onset)
				}
				got, ok := Lead(on, sent.Minutes(on.Add(-LeadWindow-2*time.Hour), on.Add(time.Hour)))
				if !tc.sent {
					if ok {
						t.Errorf("draw %d: Lead moved the onset %v to %v, though nothing more was sent", k, on, got)
					}
					continue
				}
				want := first(spam)
				if on.Sub(want).Abs() <= 5*time.Minute {
					bounceWithin++
				}
				if !ok {
					t.Logf("draw %d: Lead kept the bounces' onset %v (%v off), the first spam at %v", k, on, on.Sub(want), want)
					got = on
				} else if !got.Before(on) {
					t.Errorf("draw %d: Lead gave %v, not before the bounces' onset %v", k, got, on)
				}
				if off := got.Sub(want); off.Abs() <= 5*time.Minute {
					within++
				} else {
					t.Logf("draw %d: onset %v from the sent mail, the first spam at %v: %v off (the bounces gave %v off)", k, got, want, off, on.Sub(want))
				}
			}
			if !tc.sent {
				return
			}
			t.Logf("within 5 minutes: %d of %d draws from the sent mail, %d from the bounces alone", within, draws, bounceWithin)
			if within < tc.minWithin {
				t.Errorf("within 5 minutes of the first spam in %d of %d draws, want at least %d", within, draws, tc.minWithin)
			}
		})
	}
}

// TestLeadDegenerate: no minutes, no onset, or too short a series give
// no refinement.
func TestLeadDegenerate(t *testing.T) {
	at := time.Date(2026, 11, 2, 4, 33, 0, 0, time.UTC)
	full := Minutes{Start: at.Add(-3 * time.Hour), Counts: make([]float64, 4*60)}
	for i := 3*60 - 10; i < len(full.Counts); i++ {
		full.Counts[i] = 5
	}
	if got, ok := Lead(at, full); !ok || !got.Equal(at.Add(-10*time.Minute)) {
		t.Fatalf("a clean step 10 minutes before: Lead = %v, %v; want %v", got, ok, at.Add(-10*time.Minute))
	}
	for _, tc := range []struct {
		name string
		at   time.Time
		m    Minutes
	}{
		{"no minutes", at, Minutes{}},
		{"no onset", time.Time{}, full},
		{"no baseline", at, Minutes{Start: at.Add(-30 * time.Minute), Counts: full.Counts[150:]}},
		{"flat", at, Minutes{Start: full.Start, Counts: make([]float64, len(full.Counts))}},
		{"step after the onset", at, Minutes{Start: full.Start.Add(20 * time.Minute), Counts: full.Counts}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, ok := Lead(tc.at, tc.m); ok {
				t.Errorf("Lead = %v, want no refinement", got)
			}
		})
	}
}
