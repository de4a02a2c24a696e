package report

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/diagnose"
)

// The chart's geometry, in SVG user units (the viewBox; the picture
// scales to the page).
const (
	chartW     = 760
	chartH     = 270
	plotLeft   = 58
	plotRight  = 30
	plotTop    = 40
	plotBottom = 46
	// maxCells bounds the steps drawn: a longer series is cut into this
	// many cells, each drawn at its busiest hour, so that a one-hour
	// spike stays visible (as in surge.Sparkline).
	maxCells = 700
	// maxXTicks bounds the labelled times on the x axis.
	maxXTicks = 7
)

// px is an SVG coordinate. It prints with one decimal and never as NaN or
// Inf, so that whatever the counts, the SVG stays valid.
type px float64

func (p px) String() string {
	x := float64(p)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		x = 0
	}
	return strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64)
}

// chart is one inline SVG chart of bounces and sent mail per hour. Every
// field is computed here; the template only places them, and escapes the
// texts.
type chart struct {
	Title, Desc string
	W, H        int
	// The plot area.
	X0, Y0, X1, Y1 px
	// TickEnd, LabelY, SubY: where x ticks end and their two label lines
	// sit; LegendY: the baseline of the legend.
	TickEnd, LabelY, SubY, LegendY px
	// PH is the plot's height; YLabelX where the y labels end;
	// LegendBoxY the top of the legend's swatches; MidX, MidY the
	// plot's centre.
	PH, YLabelX, LegendBoxY, MidX, MidY px
	NoData                              string // set when there is nothing to draw

	BouncedArea, BouncedLine, SentLine string // path data
	XTicks, YTicks                     []tick
	Window                             *band
	Onset                              *marker
	Peak                               *dot
	Legend                             []legendItem
	Axis                               string // the x axis' caption: the time zone
	// Zoom is the same chart over the hours around a surge that takes
	// a small part of the period; nil when the whole chart shows it well.
	Zoom *chart
}

type tick struct {
	Pos        px
	Label, Sub string
}

type band struct {
	X, W, LabelX, LabelY px
	Label                string
}

type marker struct {
	X, LabelX, LabelY px
	Anchor            string // start or end: a fixed word, not input
	Label             string
}

type dot struct {
	X, Y  px
	Label string
}

type legendItem struct {
	X, TextX px
	Class    string // a fixed CSS class
	Label    string
}

// chartInput is what a chart is drawn from.
type chartInput struct {
	title   string
	series  diagnose.Series
	surge   *diagnose.SurgeSummary
	clk     clock
	l       labels
	p       phrases
	dateFmt string // layout of a day: "Jan 2" or "1/2"
}

// cell is a run of hours drawn as one step.
type cell struct {
	lo, hi  int // hours [lo, hi) from the start
	bounced float64
	sent    float64
}

// cells cuts n hours into at most maxCells steps, each at the largest
// count of its hours.
func cells(s diagnose.Series, n int) []cell {
	m := min(n, maxCells)
	out := make([]cell, 0, m)
	for c := range m {
		lo, hi := c*n/m, (c+1)*n/m
		if hi <= lo {
			hi = lo + 1
		}
		x := cell{lo: lo, hi: hi}
		for h := lo; h < hi; h++ {
			x.bounced = math.Max(x.bounced, at(s.Bounced, h))
			x.sent = math.Max(x.sent, at(s.Sent, h))
		}
		out = append(out, x)
	}
	return out
}

// at is v[i] as a count to draw, 0 past the end.
func at(v []float64, i int) float64 {
	if i < 0 || i >= len(v) {
		return 0
	}
	return finite(v[i])
}

func sum(v []float64) float64 {
	t := 0.0
	for _, x := range v {
		t += finite(x)
	}
	return t
}

// buildChart draws the series of in.
func buildChart(in chartInput) *chart {
	s := in.series
	n := max(len(s.Bounced), len(s.Sent))
	c := &chart{
		Title: in.title, W: chartW, H: chartH,
		X0: plotLeft, Y0: plotTop, X1: chartW - plotRight, Y1: chartH - plotBottom,
		Axis: in.clk.name(s.Start),
	}
	c.TickEnd, c.LabelY, c.SubY, c.LegendY = c.Y1+5, c.Y1+18, c.Y1+32, 16
	c.PH, c.YLabelX, c.LegendBoxY = c.Y1-c.Y0, c.X0-6, c.LegendY-9
	c.MidX, c.MidY = (c.X0+c.X1)/2, (c.Y0+c.Y1)/2
	L := in.l
	c.Desc = L.BouncesPerHour + L.Colon + in.p.total(sum(s.Bounced))
	if s.Sent != nil {
		c.Desc += L.Comma + L.SentPerHour + L.Colon + in.p.total(sum(s.Sent))
	}
	c.Legend = []legendItem{{X: plotLeft, TextX: plotLeft + 16, Class: "k-bounced", Label: L.BouncesPerHour + L.Open + in.p.total(sum(s.Bounced)) + L.Close}}
	sentLabel := L.SentPerHour + L.Open + L.NoLog + L.Close
	if s.Sent != nil {
		sentLabel = L.SentPerHour + L.Open + in.p.total(sum(s.Sent)) + L.Close
	}
	lx := px(plotLeft + 16 + 8*legendWidth(c.Legend[0].Label) + 24)
	c.Legend = append(c.Legend, legendItem{X: lx, TextX: lx + 16, Class: "k-sent", Label: sentLabel})
	if n == 0 || s.Start.IsZero() {
		c.NoData, c.Legend = in.l.NoData, nil
		return c
	}

	cs := cells(s, n)
	top := 0.0
	for _, x := range cs {
		top = math.Max(top, math.Max(x.bounced, x.sent))
	}
	step, yMax := yScale(top)
	pw, ph := float64(c.X1-c.X0), float64(c.Y1-c.Y0)
	xAt := func(h float64) px { return c.X0 + px(h/float64(n)*pw) }
	yAt := func(v float64) px { return c.Y1 - px(v/yMax*ph) }

	for i := 0; float64(i)*step <= yMax+step/2; i++ {
		v := float64(i) * step
		c.YTicks = append(c.YTicks, tick{Pos: yAt(v), Label: rate(v)})
	}
	c.XTicks = xTicks(s.Start, n, in.clk, in.dateFmt, xAt)

	c.BouncedLine = stepPath(cs, func(x cell) float64 { return x.bounced }, xAt, yAt, false)
	c.BouncedArea = stepPath(cs, func(x cell) float64 { return x.bounced }, xAt, yAt, true)
	if s.Sent != nil {
		c.SentLine = stepPath(cs, func(x cell) float64 { return x.sent }, xAt, yAt, false)
	}

	if sg := in.surge; sg != nil && !sg.Onset.IsZero() {
		on := sg.Onset.Sub(s.Start).Hours()
		end := sg.End.Sub(s.Start).Hours()
		if end <= on {
			end = on + 1
		}
		on, end = math.Max(0, on), math.Min(float64(n), end)
		if on < float64(n) && end > 0 {
			x0, x1 := xAt(on), xAt(end)
			if x1-x0 < 2 {
				x1 = x0 + 2
			}
			c.Window = &band{X: x0, W: x1 - x0, LabelX: (x0 + x1) / 2, LabelY: c.Y0 + 12}
			if x1-x0 >= 48 {
				c.Window.Label = in.l.SurgeWindow // only where it fits
			}
			m := &marker{X: x0, LabelY: c.Y0 - 5, Anchor: "start", LabelX: x0 + 3,
				Label: in.l.Onset + " " + in.clk.full(sg.Onset)}
			if x0 > (c.X0+c.X1)/2 {
				m.Anchor, m.LabelX = "end", x0-3
			}
			c.Onset = m
		}
		if pk := sg.Peak.Sub(s.Start).Hours(); !sg.Peak.IsZero() && pk >= 0 && pk < float64(n) {
			c.Peak = &dot{X: xAt(math.Floor(pk) + 0.5), Y: yAt(math.Min(finite(sg.PeakPerHour), yMax)),
				Label: L.Peak + " " + in.clk.full(sg.Peak) + L.Colon + rate(sg.PeakPerHour) + " " + L.BouncesPerHour}
		}
	}
	return c
}

// withZoom draws in's chart and, when the surge is short beside the
// period, a close-up of the hours around it: the surge with twice its
// length (at least 12 hours) before it and its length (at least 6 hours)
// after.
func withZoom(in chartInput) *chart {
	c := buildChart(in)
	s, sg := in.series, in.surge
	n := max(len(s.Bounced), len(s.Sent))
	if sg == nil || sg.Onset.IsZero() || s.Start.IsZero() || n == 0 {
		return c
	}
	on := int(math.Floor(sg.Onset.Sub(s.Start).Hours()))
	end := int(math.Ceil(sg.End.Sub(s.Start).Hours()))
	dur := max(end-on, 1)
	if on < 0 || on >= n || dur*zoomRatio > n {
		return c
	}
	lo := max(0, on-max(2*dur, 12))
	hi := min(n, end+max(dur, 6))
	if (hi-lo)*2 > n {
		return c // hardly closer than the whole
	}
	zs := diagnose.Series{Start: s.Start.Add(time.Duration(lo) * time.Hour), Bounced: window(s.Bounced, lo, hi)}
	if s.Sent != nil {
		zs.Sent = window(s.Sent, lo, hi)
	}
	zin := in
	zin.series, zin.title = zs, in.title+" — "+in.l.Zoom
	c.Zoom = buildChart(zin)
	return c
}

// zoomRatio: a surge shorter than the period divided by this gets a
// close-up.
const zoomRatio = 8

// window is v[lo:hi] padded with zeros, for a series shorter than the
// other.
func window(v []float64, lo, hi int) []float64 {
	out := make([]float64, hi-lo)
	for i := range out {
		out[i] = at(v, lo+i)
	}
	return out
}

// legendWidth estimates a label's width in average character widths,
// wide characters counting twice.
func legendWidth(s string) float64 {
	return float64(textWidth(s)) * 0.82
}

// yScale picks a round tick step (1, 2 or 5 times a power of ten, at
// least 1: the counts are whole) giving about four ticks up to top, and
// the axis' end.
func yScale(top float64) (step, yMax float64) {
	if !(top > 0) || math.IsInf(top, 0) {
		return 1, 1
	}
	raw := top / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * mag
	for _, f := range []float64{1, 2, 5} {
		if f*mag >= raw {
			step = f * mag
			break
		}
	}
	step = math.Max(1, step)
	yMax = math.Ceil(top/step) * step
	return step, yMax
}

// stepPath draws values as steps: each cell flat over its hours. As an
// area, the path closes along the x axis.
func stepPath(cs []cell, val func(cell) float64, xAt func(float64) px, yAt func(float64) px, area bool) string {
	if len(cs) == 0 {
		return ""
	}
	var b strings.Builder
	base := yAt(0)
	first := val(cs[0])
	if area {
		b.WriteString("M" + xAt(float64(cs[0].lo)).String() + " " + base.String())
		b.WriteString("V" + yAt(first).String())
	} else {
		b.WriteString("M" + xAt(float64(cs[0].lo)).String() + " " + yAt(first).String())
	}
	prev := first
	for i, x := range cs {
		v := val(x)
		if i > 0 && v != prev {
			b.WriteString("V" + yAt(v).String())
			prev = v
		}
		if i == len(cs)-1 || val(cs[i+1]) != v {
			b.WriteString("H" + xAt(float64(x.hi)).String())
		}
	}
	if area {
		b.WriteString("V" + base.String() + "Z")
	}
	return b.String()
}

// tickRule is a spacing of the x axis' ticks: about hours apart, at the
// hours match accepts (local time).
type tickRule struct {
	hours int
	match func(t time.Time) bool
	daily bool // labels are days, not hours
}

func tickRules() []tickRule {
	var rules []tickRule
	for _, k := range []int{1, 2, 3, 6, 12} {
		rules = append(rules, tickRule{k, func(t time.Time) bool { return t.Hour()%k == 0 }, false})
	}
	for _, k := range []int{1, 2, 3} {
		rules = append(rules, tickRule{24 * k, func(t time.Time) bool { return t.Hour() == 0 && dayNumber(t)%k == 0 }, true})
	}
	rules = append(rules,
		tickRule{7 * 24, func(t time.Time) bool { return t.Hour() == 0 && t.Weekday() == time.Monday }, true},
		tickRule{14 * 24, func(t time.Time) bool {
			return t.Hour() == 0 && t.Weekday() == time.Monday && (dayNumber(t)/7)%2 == 0
		}, true})
	for _, k := range []int{1, 2, 3, 6} {
		rules = append(rules, tickRule{k * 730, func(t time.Time) bool {
			return t.Hour() == 0 && t.Day() == 1 && (int(t.Month())-1)%k == 0
		}, true})
	}
	for _, k := range []int{1, 2, 5} {
		rules = append(rules, tickRule{k * 8766, func(t time.Time) bool {
			return t.Hour() == 0 && t.Day() == 1 && t.Month() == time.January && t.Year()%k == 0
		}, true})
	}
	return rules
}

// dayNumber counts the days of t's calendar date since 1970-01-01.
func dayNumber(t time.Time) int {
	return int(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// xTicks labels a few round hours of the n hours from start: hours of the
// day with the date under the first of each day, or days with the year
// under the first of each year.
func xTicks(start time.Time, n int, clk clock, dateFmt string, xAt func(float64) px) []tick {
	rules := tickRules()
	rule := rules[len(rules)-1]
	for _, r := range rules {
		if n/r.hours+1 <= maxXTicks {
			rule = r
			break
		}
	}
	var out []tick
	lastSub := ""
	for h := 0; h <= n; h++ {
		t := start.Add(time.Duration(h) * time.Hour).In(clk.loc)
		if t.Minute() != 0 || !rule.match(t) {
			continue
		}
		var label, sub string
		if rule.daily {
			label, sub = t.Format(dateFmt), t.Format("2006")
		} else {
			label, sub = t.Format("15:04"), t.Format(dateFmt)
		}
		tk := tick{Pos: xAt(float64(h)), Label: label}
		if sub != lastSub {
			tk.Sub, lastSub = sub, sub
		}
		out = append(out, tk)
		if len(out) > 2*maxXTicks {
			break
		}
	}
	if len(out) == 0 {
		t := start.In(clk.loc)
		out = append(out, tick{Pos: xAt(0), Label: t.Format("15:04"), Sub: t.Format(dateFmt)})
	}
	return out
}
