package report

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
)

func TestYScale(t *testing.T) {
	tests := []struct {
		name            string
		top, step, yMax float64
	}{
		{"zero", 0, 1, 1},
		{"nan", math.NaN(), 1, 1},
		{"inf", math.Inf(1), 1, 1},
		{"one", 1, 1, 1},
		{"three", 3, 1, 3},
		{"seven", 7, 2, 8},
		{"hundreds", 300, 100, 300},
		{"thousands", 1200, 500, 1500},
		{"odd", 4321, 2000, 6000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			step, yMax := yScale(tc.top)
			if step != tc.step || yMax != tc.yMax {
				t.Errorf("yScale(%v) = %v, %v; want %v, %v", tc.top, step, yMax, tc.step, tc.yMax)
			}
		})
	}
}

func TestXTicks(t *testing.T) {
	midnight := time.Date(2026, 11, 1, 0, 0, 0, 0, jst)
	xAt := func(h float64) px { return px(h) }
	tests := []struct {
		name   string
		start  time.Time
		hours  int
		labels string // the ticks' labels, "label/sub" joined by spaces
	}{
		{"three days", midnight, 72, "00:00/Nov 1 12:00 00:00/Nov 2 12:00 00:00/Nov 3 12:00 00:00/Nov 4"},
		{"one hour", midnight.Add(13 * time.Hour), 1, "13:00/Nov 1 14:00"},
		{"four days", midnight, 100, "Nov 1/2026 Nov 2 Nov 3 Nov 4 Nov 5"},
		{"odd start", midnight.Add(5 * time.Hour), 20, "06:00/Nov 1 09:00 12:00 15:00 18:00 21:00 00:00/Nov 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, tk := range xTicks(tc.start, tc.hours, clock{jst}, "Jan 2", xAt) {
				s := tk.Label
				if tk.Sub != "" {
					s += "/" + tk.Sub
				}
				got = append(got, s)
			}
			if strings.Join(got, " ") != tc.labels {
				t.Errorf("ticks %q, want %q", strings.Join(got, " "), tc.labels)
			}
		})
	}
	t.Run("ten years", func(t *testing.T) {
		ticks := xTicks(midnight, 87840, clock{jst}, "Jan 2", xAt)
		if len(ticks) < 2 || len(ticks) > 2*maxXTicks+1 {
			t.Errorf("%d ticks over ten years", len(ticks))
		}
	})
}

func TestBuildChart(t *testing.T) {
	l, p := labelsFor(advice.English), phrases{}
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, jst)
	in := chartInput{title: "t", clk: clock{jst}, l: l, p: p, dateFmt: "Jan 2",
		series: diagnose.Series{Start: start, Bounced: []float64{2, 2, 0}, Sent: []float64{1, 0, 1}},
		surge:  &diagnose.SurgeSummary{Onset: start.Add(time.Hour), End: start.Add(2 * time.Hour), Peak: start.Add(time.Hour), PeakPerHour: 2},
	}
	c := buildChart(in)
	// x: 58 + h*224; y: 224 at 0, 40 at 2.
	for name, got := range map[string][2]string{
		"bounced line": {c.BouncedLine, "M58 40H506V224H730"},
		"bounced area": {c.BouncedArea, "M58 224V40H506V224H730V224Z"},
		"sent line":    {c.SentLine, "M58 132H282V224H506V132H730"},
	} {
		if got[0] != got[1] {
			t.Errorf("%s = %q, want %q", name, got[0], got[1])
		}
	}
	if c.Window == nil || c.Window.X != 282 || c.Window.W != 224 {
		t.Errorf("surge window %+v, want x 282 width 224", c.Window)
	}
	if c.Onset == nil || c.Onset.X != 282 || c.Peak == nil || c.Peak.X != 394 || c.Peak.Y != 40 {
		t.Errorf("onset %+v peak %+v", c.Onset, c.Peak)
	}
	if len(c.YTicks) != 3 || c.YTicks[2].Label != "2" {
		t.Errorf("y ticks %+v", c.YTicks)
	}

	in.series.Sent = nil
	if c := buildChart(in); c.SentLine != "" || !strings.Contains(c.Legend[1].Label, l.NoLog) {
		t.Errorf("without a send log: sent line %q, legend %+v", c.SentLine, c.Legend)
	}
	in.series = diagnose.Series{}
	if c := buildChart(in); c.NoData == "" || c.BouncedLine != "" || c.Window != nil {
		t.Errorf("empty series: %+v", c)
	}
}

func TestPx(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{{1.25, "1.3"}, {100, "100"}, {math.NaN(), "0"}, {math.Inf(-1), "0"}, {-3.04, "-3"}} {
		if got := px(tc.in).String(); got != tc.want {
			t.Errorf("px(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWithZoom(t *testing.T) {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, jst)
	l := labelsFor(advice.English)
	tests := []struct {
		name      string
		hours     int
		on, end   int
		zoomHours int // 0: no close-up
	}{
		{"short surge in a week", 168, 150, 155, 23}, // 12 hours before, 6 after
		{"surge in a day", 30, 20, 25, 0},
		{"long surge", 200, 100, 150, 0},
		{"surge past the series", 100, 300, 310, 0},
		{"surge at the start", 200, 0, 4, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := chartInput{title: "t", clk: clock{jst}, l: l, dateFmt: "Jan 2",
				series: diagnose.Series{Start: start, Bounced: series(tc.hours, 1, 50, tc.on, tc.end)},
				surge:  surgeAt(tc.on, tc.end, 50, 1)}
			c := withZoom(in)
			switch {
			case tc.zoomHours == 0 && c.Zoom != nil:
				t.Errorf("a close-up of %q", c.Zoom.Desc)
			case tc.zoomHours > 0 && c.Zoom == nil:
				t.Errorf("no close-up")
			case tc.zoomHours > 0:
				if c.Zoom.Window == nil || c.Zoom.Onset == nil || c.Zoom.BouncedLine == "" {
					t.Errorf("close-up without the surge: %+v", c.Zoom)
				}
				if !strings.Contains(c.Zoom.Title, l.Zoom) {
					t.Errorf("close-up titled %q", c.Zoom.Title)
				}
				want := in.p.total(float64(tc.zoomHours-(tc.end-tc.on)) + 50*float64(tc.end-tc.on))
				if !strings.Contains(c.Zoom.Desc, want) {
					t.Errorf("close-up %q, want %s over %d hours", c.Zoom.Desc, want, tc.zoomHours)
				}
			}
		})
	}
}
