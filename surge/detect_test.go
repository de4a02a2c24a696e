package surge

import (
	"math"
	"testing"
	"time"
)

func TestDetect(t *testing.T) {
	tokyo := mustLoad(t, "Asia/Tokyo")
	start := time.Date(2025, 3, 3, 0, 0, 0, 0, tokyo) // a Monday
	office := func(t time.Time) float64 { return officeRate(t, 10) }
	twoWeeks := 14 * 24

	// 2 weeks at ~5/h, then a day of ~300/h, then 12 quiet hours.
	burn := noise(7, start, twoWeeks+36, 0, constant(5))
	burn = add(7, burn, twoWeeks, 24, 300)

	spike := noise(9, start, twoWeeks, 0, office)
	spike = add(9, spike, 200, 2, 2500) // 5,000 in two hours

	noHistory := noise(3, start, 30, 0, constant(2))
	noHistory = add(3, noHistory, 20, 5, 200)

	sparse := noise(11, start, twoWeeks+12, 0, constant(0.08))
	sparse = add(11, sparse, twoWeeks+4, 6, 40)

	sparseQuiet := noise(12, start, twoWeeks, 0, constant(0.08))

	tests := []struct {
		name      string
		s         Series
		o         Options
		detected  bool
		method    string
		onset     int // hour index, when detected
		end       int // first hour after, when detected
		minExcess float64
	}{
		{"slow burn", burn, Options{}, true, MethodBaseline, twoWeeks, twoWeeks + 24, 24 * 250},
		{"sharp spike", spike, Options{}, true, MethodBaseline, 200, 202, 4800},
		{"no history: absolute threshold", noHistory, Options{}, true, MethodAbsolute, 20, 25, 800},
		{"flat zero", Series{Start: start, Counts: make([]float64, twoWeeks)}, Options{}, false, MethodBaseline, 0, 0, 0},
		{"flat zero, no history", Series{Start: start, Counts: make([]float64, 10)}, Options{}, false, MethodAbsolute, 0, 0, 0},
		{"empty", Series{Start: start}, Options{}, false, MethodAbsolute, 0, 0, 0},
		{"sparse history, surge", sparse, Options{}, true, MethodBaseline, twoWeeks + 4, twoWeeks + 10, 200},
		{"sparse history, quiet", sparseQuiet, Options{}, false, MethodBaseline, 0, 0, 0},
		{"office noise", noise(21, start, twoWeeks, 0, office), Options{}, false, MethodBaseline, 0, 0, 0},
		{"history shorter than asked", spike, Options{MinHistoryHours: 1000}, true, MethodAbsolute, 200, 202, 4800},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Detect(tc.s, tc.o)
			checkFinite(t, d)
			if d.Detected != tc.detected || d.Method != tc.method {
				t.Fatalf("detected %v method %q, want %v %q (peak %v at %v, baseline %.2f)",
					d.Detected, d.Method, tc.detected, tc.method, d.PeakPerHour, d.Peak, d.BaselinePerHour)
			}
			if len(d.Hours) != tc.s.Len() {
				t.Fatalf("%d hour stats for %d hours", len(d.Hours), tc.s.Len())
			}
			if !tc.detected {
				for _, h := range d.Hours {
					if h.InSurge {
						t.Fatalf("hour %v marked in a surge that was not detected", h.Time)
					}
				}
				return
			}
			if want := tc.s.Hour(tc.onset); !d.Onset.Equal(want) {
				t.Errorf("onset %v, want %v", d.Onset, want)
			}
			if want := tc.s.Hour(tc.end); !d.End.Equal(want) {
				t.Errorf("end %v, want %v", d.End, want)
			}
			if d.Excess < tc.minExcess {
				t.Errorf("excess %.0f, want at least %.0f", d.Excess, tc.minExcess)
			}
			if d.Peak.Before(d.Onset) || !d.Peak.Before(d.End) {
				t.Errorf("peak %v outside the surge %v–%v", d.Peak, d.Onset, d.End)
			}
			if d.PeakPerHour <= d.BaselinePerHour {
				t.Errorf("peak %.1f/h not above baseline %.1f/h", d.PeakPerHour, d.BaselinePerHour)
			}
			if d.Method == MethodBaseline && !(d.PValue < 1e-6) {
				t.Errorf("p-value of the peak %g", d.PValue)
			}
			if d.Method == MethodAbsolute && d.PValue != -1 {
				t.Errorf("absolute method gave a p-value %g", d.PValue)
			}
		})
	}
}

// The baseline before the slow burn must be the rate of the quiet hours,
// not inflated by the burn.
func TestDetectBaselineExcludesSurge(t *testing.T) {
	start := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	s := add(7, noise(7, start, 14*24+36, 0, constant(5)), 14*24, 24, 300)
	d := Detect(s, Options{})
	if d.BaselinePerHour < 4 || d.BaselinePerHour > 6 {
		t.Fatalf("baseline %.2f/h, want about 5", d.BaselinePerHour)
	}
	if d.HistoryHours > 14*24+36-24 {
		t.Fatalf("baseline learnt from %d hours, surge not excluded", d.HistoryHours)
	}
}

// False alarms on pure noise: two weeks of an office's daily pattern,
// weekends lower, over 20 seeds. Measured over 200 seeds: 0 false alarms
// (Poisson), 2 (negative binomial of size 5, i.e. a lot of extra noise).
func TestDetectNoiseFalseAlarms(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	start := time.Date(2025, 3, 17, 0, 0, 0, 0, berlin) // spans the change to summer time
	office := func(t time.Time) float64 { return officeRate(t, 10) }
	for _, tc := range []struct {
		name string
		size float64
		max  int
	}{
		{"poisson", 0, 1},
		{"over-dispersed", 5, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alarms := 0
			for seed := uint64(1); seed <= 20; seed++ {
				s := noise(seed*7919, start, 14*24, tc.size, office)
				if d := Detect(s, Options{}); d.Detected {
					alarms++
					t.Logf("seed %d: surge at %v, peak %v, baseline %.1f", seed, d.Onset, d.PeakPerHour, d.BaselinePerHour)
				}
			}
			if alarms > tc.max {
				t.Fatalf("%d false alarms in 20 noise series, want at most %d", alarms, tc.max)
			}
		})
	}
}

// Sensitivity: a moderate surge (+6/h for 8 hours over ~5/h) is found at
// sensitivity 2 and missed at 0.5.
func TestDetectSensitivity(t *testing.T) {
	start := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	s := add(5, noise(5, start, 14*24, 0, constant(5)), 250, 8, 9)
	lo := Detect(s, Options{Sensitivity: 0.5})
	hi := Detect(s, Options{Sensitivity: 2})
	if lo.Detected || !hi.Detected {
		t.Fatalf("sensitivity 0.5 found %v, 2 found %v; want false, true", lo.Detected, hi.Detected)
	}
	if on, ok := s.Index(hi.Onset); !ok || on < 247 || on > 252 {
		t.Fatalf("onset at hour %d, want about 250", on)
	}
}

// Hours with negative, NaN or infinite counts must not poison the result.
func TestDetectBadCounts(t *testing.T) {
	start := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	s := noise(1, start, 100, 0, constant(3))
	s.Counts[5] = math.NaN()
	s.Counts[6] = -4
	s.Counts[90] = math.Inf(1)
	d := Detect(s, Options{Sensitivity: math.NaN(), AbsoluteFloor: math.Inf(1)})
	checkFinite(t, d)
	if !d.Detected || !d.Peak.Equal(s.Hour(90)) {
		t.Fatalf("detected %v peak %v; want the infinite hour 90", d.Detected, d.Peak)
	}
}

func checkFinite(t *testing.T, d Surge) {
	t.Helper()
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	if bad(d.PeakPerHour) || bad(d.BaselinePerHour) || bad(d.Excess) || bad(d.PValue) || bad(d.Dispersion) || bad(d.Total) {
		t.Fatalf("not finite: %+v", d)
	}
	for _, h := range d.Hours {
		if bad(h.Count) || bad(h.Expected) || bad(h.Z) || bad(h.P) || bad(h.CUSUM) {
			t.Fatalf("hour not finite: %+v", h)
		}
		if h.P != -1 && (h.P < 0 || h.P > 1) {
			t.Fatalf("hour p-value %g", h.P)
		}
	}
}
