package surge

import (
	"testing"
	"time"
)

// A year of hourly bounce counts with an office pattern and a two-day
// surge: the speed target is well under 10 ms per Detect.
func BenchmarkDetectYear(b *testing.B) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	s := noise(1, start, 8760, 0, func(t time.Time) float64 { return officeRate(t, 20) })
	s = add(2, s, 8000, 48, 400)
	b.ReportAllocs()
	for b.Loop() {
		if d := Detect(s, Options{}); !d.Detected {
			b.Fatal("surge not found")
		}
	}
}

// The same year at the volume of a hosting provider's outbound relay.
func BenchmarkDetectYearHighVolume(b *testing.B) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	s := noise(1, start, 8760, 20, func(t time.Time) float64 { return officeRate(t, 20000) })
	b.ReportAllocs()
	for b.Loop() {
		Detect(s, Options{})
	}
}

func BenchmarkCounterAdd(b *testing.B) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var c Counter
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Add(t0.Add(time.Duration(i%(24*365)) * time.Minute * 7))
		i++
	}
}
