package surge

import (
	"math"
	"testing"
	"unicode/utf8"
)

func TestSparkline(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		width  int
		want   string
	}{
		{"ramp", []float64{0, 1, 2, 3, 4, 5, 6, 7}, 8, "▁▂▃▄▅▆▇█"},
		{"flat zero", []float64{0, 0, 0}, 3, "▁▁▁"},
		{"flat nonzero starts from zero", []float64{5, 5}, 2, "██"},
		{"spike survives downsampling", []float64{0, 0, 0, 0, 0, 100, 0, 0, 0, 0}, 5, "▁▁█▁▁"},
		{"small value above zero shows", []float64{0, 1, 1000}, 3, "▁▂█"},
		{"stretched", []float64{0, 7}, 4, "▁▁██"},
		{"NaN is a gap", []float64{1, math.NaN(), 2}, 3, "▅ █"},
		{"infinity is the top", []float64{0, math.Inf(1), 1}, 3, "▁██"},
		{"negative values", []float64{-7, 0, 7}, 3, "▁▅█"},
		{"empty", nil, 5, ""},
		{"zero width", []float64{1}, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Sparkline(tc.values, tc.width)
			if got != tc.want {
				t.Fatalf("Sparkline(%v, %d) = %q, want %q", tc.values, tc.width, got, tc.want)
			}
			if n := utf8.RuneCountInString(got); got != "" && n != tc.width {
				t.Fatalf("%d runes, want %d", n, tc.width)
			}
		})
	}
}
