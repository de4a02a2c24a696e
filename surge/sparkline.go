package surge

import (
	"math"
	"strings"
)

var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values as width block characters (▁▂▃▄▅▆▇█), from
// min(0, smallest) to the largest value. Longer input is resampled by taking
// the largest value of each cell, so that a one-hour spike stays visible;
// shorter input is stretched. NaN draws as a space. An empty input or a
// width below 1 gives "".
func Sparkline(values []float64, width int) string {
	n := len(values)
	if n == 0 || width < 1 {
		return ""
	}
	cells := make([]float64, width)
	for c := 0; c < width; c++ {
		a := c * n / width
		b := (c + 1) * n / width
		if b <= a {
			b = a + 1
		}
		v := math.NaN()
		for _, x := range values[a:b] {
			if math.IsNaN(v) || x > v {
				v = x
			}
		}
		cells[c] = v
	}
	lo, hi := 0.0, math.Inf(-1)
	for _, v := range cells {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		lo = math.Min(lo, v)
		hi = math.Max(hi, v)
	}
	var b strings.Builder
	top := len(sparkRunes) - 1
	for _, v := range cells {
		var i int
		switch {
		case math.IsNaN(v):
			b.WriteByte(' ')
			continue
		case math.IsInf(v, 1):
			i = top
		case math.IsInf(v, -1) || !(hi > lo):
			i = 0
		default:
			i = int(math.Round((v - lo) / (hi - lo) * float64(top)))
			if i == 0 && v > lo {
				i = 1 // anything above the bottom shows
			}
		}
		b.WriteRune(sparkRunes[min(max(i, 0), top)])
	}
	return b.String()
}
