package surge_test

import (
	"fmt"
	"time"

	"github.com/bouncewatch/bouncewatch/surge"
)

func Example() {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		panic(err)
	}
	// Four days of a few bounces an hour, then a flood for six hours.
	var c surge.Counter
	c.Location = tokyo
	start := time.Date(2025, 3, 3, 0, 0, 0, 0, tokyo)
	for h := 0; h < 4*24+12; h++ {
		n := 1 + h%3 // 1, 2, 3, 1, 2, 3, …
		if h >= 4*24 && h < 4*24+6 {
			n = 400
		}
		for i := 0; i < n; i++ {
			c.Add(start.Add(time.Duration(h)*time.Hour + time.Duration(i)*time.Second))
		}
	}
	d := surge.Detect(c.Series(), surge.Options{})
	fmt.Println(d.Detected, d.Method)
	fmt.Println("onset", d.Onset.Format("2006-01-02 15:04 MST"), "for", d.End.Sub(d.Onset))
	fmt.Printf("peak %.0f/h, baseline %.1f/h, excess %.0f\n", d.PeakPerHour, d.BaselinePerHour, d.Excess)
	counts := make([]float64, len(d.Hours))
	for i, h := range d.Hours {
		counts[i] = h.Count
	}
	fmt.Println(surge.Sparkline(counts[80:], 28))
	// Output:
	// true baseline
	// onset 2025-03-07 00:00 JST for 6h0m0s
	// peak 400/h, baseline 2.0/h, excess 2388
	// ▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂██████▂▂▂▂▂▂
}

func ExampleCompare() {
	start := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	hours := 7*24 + 10
	sent := surge.Series{Start: start, Counts: make([]float64, hours)}
	bounced := surge.Series{Start: start, Counts: make([]float64, hours)}
	for h := range hours {
		sent.Counts[h] = float64(20 + h%5)
		bounced.Counts[h] = float64(h % 2)
		if h >= 7*24 {
			bounced.Counts[h] = 300 // backscatter: bounces only
		}
	}
	c := surge.Compare(sent, bounced, surge.Options{})
	fmt.Printf("bounce surge %v; sent jumped %v (ratio %.2f)\n", c.Bounced.Detected, c.SentJumped(), c.Window.Ratio)
	// Output: bounce surge true; sent jumped false (ratio 1.00)
}

func ExampleSparkline() {
	fmt.Println(surge.Sparkline([]float64{1, 2, 3, 5, 8, 13, 21, 34}, 8))
	// Output: ▂▂▂▂▃▄▅█
}

// Pinpoint places a surge's onset to the minute from counts per minute:
// a flood that starts at 05:40 is found at 05:40, not at the top of the
// hour.
func ExamplePinpoint() {
	c := surge.Counter{PerMinute: true}
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	// Four days of a bounce every 20 minutes, then, from 05:40 on the
	// fifth day, ten a minute for two hours.
	for m := 0; m < 4*24*60; m += 20 {
		c.Add(start.Add(time.Duration(m) * time.Minute))
	}
	flood := start.Add(4*24*time.Hour + 5*time.Hour + 40*time.Minute)
	for m := 0; m < 120; m++ {
		for i := 0; i < 10; i++ {
			c.Add(flood.Add(time.Duration(m)*time.Minute + time.Duration(i)*time.Second))
		}
	}
	d := surge.Detect(c.Series(), surge.Options{})
	on, ok := surge.Pinpoint(d, c.Minutes(d.Onset.Add(-time.Hour), d.Onset.Add(3*time.Hour)))
	fmt.Println(d.Onset.Format("15:04"), on.Format("15:04"), ok)
	// Output: 05:00 05:40 true
}
