package surge

import (
	"encoding/binary"
	"math"
	"testing"
	"time"
)

// FuzzDetect feeds arbitrary counts (two bytes an hour, with a few
// special values) and options: Detect and Sparkline must not panic, and
// every number must be finite.
func FuzzDetect(f *testing.F) {
	f.Add([]byte{0, 5, 0, 5, 0, 5}, 1.0, 72, 50.0)
	f.Add(make([]byte, 400), 2.0, 10, 5.0)
	f.Add([]byte{0xff, 0xff, 0xff, 0xfe, 0xff, 0xfd, 0, 1}, 0.0, 0, 0.0)
	f.Fuzz(func(t *testing.T, data []byte, sens float64, minHist int, thresh float64) {
		if len(data) > 2*3000 {
			data = data[:2*3000]
		}
		counts := make([]float64, len(data)/2)
		for i := range counts {
			v := binary.BigEndian.Uint16(data[2*i:])
			switch v {
			case 0xffff:
				counts[i] = math.NaN()
			case 0xfffe:
				counts[i] = math.Inf(1)
			case 0xfffd:
				counts[i] = -1
			default:
				counts[i] = float64(v) * float64(v>>12+1) // up to ~1e6
			}
		}
		if minHist > 5000 || minHist < -5000 {
			minHist %= 5000
		}
		s := Series{Start: time.Date(2025, 3, 30, 0, 0, 0, 0, time.UTC), Counts: counts}
		d := Detect(s, Options{Sensitivity: sens, MinHistoryHours: minHist, AbsoluteThreshold: thresh})
		checkFinite(t, d)
		if d.Detected && d.End.Before(d.Onset) {
			t.Fatalf("surge ends %v before it starts %v", d.End, d.Onset)
		}
		// The data's end anywhere in the series or around it: the hour it
		// cuts is scored in part.
		now := s.Start.Add(time.Duration(int64(minHist)*int64(time.Minute)) * 7)
		dn := Detect(s, Options{Sensitivity: sens, Now: now})
		checkFinite(t, dn)
		if len(dn.Hours) != len(counts) {
			t.Fatalf("%d hour stats for %d hours", len(dn.Hours), len(counts))
		}
		// Minutes from the same bytes, a byte a minute from an hour before
		// the onset.
		mins := Minutes{Start: d.Onset.Add(-time.Hour), Counts: make([]float64, min(len(data), 600))}
		for i := range mins.Counts {
			mins.Counts[i] = float64(data[i] % 64)
		}
		if on, ok := Pinpoint(d, mins); ok && (on.Before(mins.Start) || !on.Before(mins.Start.Add(time.Duration(len(mins.Counts))*time.Minute))) {
			t.Fatalf("change point %v outside the minutes given", on)
		}
		c := Compare(s, s, Options{Sensitivity: sens, Now: now})
		if w := c.Window; math.IsNaN(w.Ratio) || math.IsInf(w.Ratio, 0) || math.IsNaN(w.PValue) {
			t.Fatalf("window not finite: %+v", w)
		}
		Sparkline(counts, 1+len(data)%80)
	})
}
