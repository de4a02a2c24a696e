package report

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/internal/termtext"
)

// num writes n with thousands separators: 12,345.
func num(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// rate writes a count or a rate: whole numbers with separators from 10
// on, one decimal below; anything not finite as "-".
func rate(x float64) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return "-"
	case math.Abs(x) >= 10 || x == math.Trunc(x):
		return num(int(math.Round(x)))
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

// pct writes a share from 0 to 1 as a whole percentage.
func pct(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "-"
	}
	return strconv.FormatFloat(math.Round(100*x), 'f', 0, 64) + "%"
}

func joinComma(s []string) string { return strings.Join(s, ", ") }

// clock writes times in the report's time zone.
type clock struct{ loc *time.Location }

// zone returns the clock of r's times: the zone of the period, of the
// series, or of the generation time, the first that is set.
func zoneOf(ts ...time.Time) clock {
	for _, t := range ts {
		if !t.IsZero() {
			return clock{t.Location()}
		}
	}
	return clock{time.UTC}
}

// full writes t as "2026-11-02 14:00 JST", or "-" when t is zero.
func (c clock) full(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(c.loc).Format("2006-01-02 15:04 MST")
}

// span writes the time from a to b, leaving out b's date when it is a's:
// "2026-11-02 14:00 JST", "18:00 JST".
func (c clock) span(a, b time.Time) (string, string) {
	if a.IsZero() || b.IsZero() {
		return c.full(a), c.full(b)
	}
	a, b = a.In(c.loc), b.In(c.loc)
	if a.Year() == b.Year() && a.YearDay() == b.YearDay() {
		return c.full(a), b.Format("15:04 MST")
	}
	return c.full(a), c.full(b)
}

// name is the zone's abbreviation at t (JST, UTC, CET) with its offset
// when the abbreviation is not UTC: "JST (UTC+09:00)".
func (c clock) name(t time.Time) string {
	if t.IsZero() {
		t = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	t = t.In(c.loc)
	abbr := t.Format("MST")
	if abbr == "UTC" {
		return abbr
	}
	return abbr + " (UTC" + t.Format("-07:00") + ")"
}

// clean makes a string from the input safe to show (see termtext.Clean).
func clean(s string) string { return termtext.Clean(s) }

// cleanAll applies clean to each string.
func cleanAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, clean(s))
	}
	return out
}

// finite returns x, or 0 when x is NaN, infinite or negative: a count to
// draw.
func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
		return 0
	}
	return x
}
